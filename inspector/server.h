/* server.h -- HTTP, static files and WebSockets with libwebsockets.
 *
 * Transport only: it serves the web directory, hands complete WebSocket
 * messages and REST requests to hub.c, and delivers what hub.c sends,
 * through a bounded queue per client. What the messages mean is hub.c's
 * business. */
#ifndef GLASSBOX_SERVER_H
#define GLASSBOX_SERVER_H

#include <jansson.h>
#include <libwebsockets.h>
#include <stdbool.h>
#include <stddef.h>

#include "request.h"

#define SERVER_MAX_MESSAGE REQUEST_BODY_MAX /* incoming, WebSocket or REST body */
/* A WebSocket message over SERVER_MAX_MESSAGE gets an error when it ends;
 * one that goes on past this is cut (1009) instead of read to its end (a
 * frame may announce 2^63 bytes). */
#define SERVER_CUT_MESSAGE (16 * SERVER_MAX_MESSAGE)
#define SERVER_MAX_CLIENTS 1024u /* WebSockets at once; more are refused */
/* A REST body must be in this long after its headers; a connection whose
 * body trickles in slower is closed (libwebsockets' own timeout starts
 * again at every byte). */
#define SERVER_BODY_MS 10000

/* Outgoing queue limits. A viewer over them is dropped; the controller's
 * are large enough that only a client that stopped reading reaches them. */
#define VIEWER_QUEUE_MSGS 128
#define VIEWER_QUEUE_BYTES (8u << 20)
#define CONTROLLER_QUEUE_MSGS 4096
#define CONTROLLER_QUEUE_BYTES (64u << 20)

/* Messages from a WebSocket client that is not the controller: VIEWER_RATE
 * a second, VIEWER_BURST at once; more are dropped unread, with one error
 * for each run of them (one client must not take the loop from the others).
 * The burst's answers stay under the viewer's queue (VIEWER_QUEUE_MSGS:
 * one message may bring two, a snapshot and its reply, server.c): the page
 * keeps at most 16 requests in flight (web/lib/detail.js). REST requests
 * other than GET /api/status have the same allowance per peer address
 * (meter.h); more get 429 with a Retry-After. */
#define VIEWER_RATE 100
#define VIEWER_BURST 32

enum role { ROLE_NONE, ROLE_VIEWER, ROLE_CONTROLLER };

struct client; /* a WebSocket client, or one REST request */

struct access;

struct server_config {
    const char *bind; /* address (or name) to listen on */
    int port;
    const char *web_dir;
    const struct access *access; /* Host names answered to (access.h) */
};

/* Listen. 0, or -1 with err filled in (a --web that is not the
 * workbench's directory, an address that cannot be listened on). */
int server_start(const struct server_config *cfg, char *err, size_t errlen);
void server_stop(void);
struct lws_context *server_context(void);
/* One turn of the loop. <0 when lws is done. */
int server_service(void);
/* Wake the loop from a signal handler. */
void server_wake(void);

/* Send msg to one WebSocket client (nothing for a REST request). */
void server_send(struct client *c, json_t *msg);
/* Send msg to every WebSocket client with a role (that said hello). */
void server_broadcast(json_t *msg);
/* The same with a message serialized once (outq.h) and shared by every
 * queue it goes to: a big one sent again and again (the latest snapshot)
 * costs one copy however many clients hold it. */
struct out_msg *server_serialize(json_t *msg); /* NULL when out of memory */
void server_send_shared(struct client *c, struct out_msg *m);
void server_broadcast_shared(struct out_msg *m);
/* The same, to the viewers only. */
void server_broadcast_viewers(struct out_msg *m);
/* Whether some WebSocket client has messages not yet written out. */
bool server_sending(void);
/* Answer a REST request: HTTP status and a JSON body. */
void server_respond(struct client *c, int status, json_t *body);
/* Answer with {"type": "error", "error": msg}. */
void server_respond_error(struct client *c, int status, const char *msg);

bool client_is_rest(const struct client *c);
enum role client_role(const struct client *c);
void client_set_role(struct client *c, enum role r);
/* Every WebSocket client (for roles): call fn on each. */
void server_each_client(void (*fn)(struct client *c, void *arg), void *arg);
/* Counters for tests and the status message. */
unsigned server_clients(void);
unsigned long server_dropped(void);

#endif
