/* request.h -- what the daemon does with an HTTP request, decided from its
 * request line and headers (docs/security.md). Pure: libwebsockets parses
 * the request, server.c copies its parts into a struct request and acts on
 * the verdict, so the decision is unit-tested and fuzzed as it runs. */
#ifndef GLASSBOX_REQUEST_H
#define GLASSBOX_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "access.h"

#define REQUEST_URL_MAX 512 /* longest static file name */
#define REQUEST_BODY_MAX (64u * 1024) /* longest REST body */
#define REQUEST_HEAD_MAX 4096u /* request line and headers, in bytes */
#define REQUEST_HEAD_LINES 100u /* and in lines */

enum request_method { REQ_GET, REQ_HEAD, REQ_POST, REQ_OPTIONS, REQ_OTHER };

struct request {
    enum request_method method;
    const char *url;    /* the path, without the query */
    const char *host;   /* the Host header, or NULL when there is none */
    const char *origin; /* the Origin header, or NULL (not a browser) */
    bool has_body;      /* Content-Length above 0 */
    bool chunked;       /* a Transfer-Encoding */
    bool body_too_large; /* Content-Length over REQUEST_BODY_MAX, or no number */
};

enum request_route {
    ROUTE_ANSWER, /* a short plain-text answer (status, allow, text), close */
    ROUTE_SOURCE, /* GET /api/source/NAME: the name is url + 12 */
    ROUTE_REST,   /* /api/...: the hub answers, or the refusal does */
    ROUTE_FILE,   /* a static file under --web, its name a plain one */
};

struct request_verdict {
    enum request_route route;
    unsigned status;     /* ANSWER; REST with a refusal */
    const char *allow;   /* ANSWER: the Allow header, or NULL */
    const char *text;    /* ANSWER: the body, or NULL */
    const char *refusal; /* REST: answered with this, and nothing runs */
    bool wait_body;      /* REST: answer once the body is in */
};

/* What the first len bytes of a connection are: the start of a request
 * head (HEAD_MORE), a whole one (its blank line is in), or one over
 * REQUEST_HEAD_MAX bytes or REQUEST_HEAD_LINES lines (431). */
enum request_head { HEAD_MORE, HEAD_DONE, HEAD_TOO_LARGE };
enum request_head request_head(const char *buf, size_t len);

/* The bytes of a whole head (its blank line included), 0 when it is not in. */
size_t request_head_length(const char *buf, size_t len);
/* Whether a whole head asks for a WebSocket (an Upgrade: websocket header). */
bool request_upgrades(const char *head, size_t len);

/* The methods the daemon answers, and the refusal of any other (405). */
#define REQUEST_METHODS "GET, HEAD, POST, OPTIONS"
#define REQUEST_METHODS_ONLY "only GET, HEAD, POST and OPTIONS"

/* Whether a whole request head asks with one of REQUEST_METHODS: any other
 * (CONNECT, TRACE, ...) is refused before libwebsockets sees it. */
bool request_method_served(const char *head, size_t len);

/* NULL when a whole request head is well formed, else why not (400):
 * a NUL or other control byte in it, a path with an escaped control byte
 * ("/%00/" was cut short to "/" by libwebsockets), or a Host or
 * Content-Length header given twice (which of the two counts would be
 * libwebsockets' guess, and the client's or a proxy's could differ). */
const char *request_head_fault(const char *head, size_t len);

/* has_body and body_too_large from the Content-Length header (NULL: none). */
void request_body(struct request *rq, const char *content_length);

/* Every request passes here before anything runs. */
void request_route(const struct access *a, const struct request *rq,
                   struct request_verdict *v);

/* NULL when a request with this Host and Origin may have an effect, else
 * why not (the status is 403). For WebSockets too. */
const char *request_refusal(const struct access *a, const char *host,
                            const char *origin);

/* Only plain relative names: no "..", no hidden files, no odd bytes. */
bool request_path_ok(const char *path);
const char *request_mime_type(const char *path);

#endif
