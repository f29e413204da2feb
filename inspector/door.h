/* door.h -- the listening socket, and each connection until its request
 * head is in.
 *
 * libwebsockets 4.1.6 closes a connection whose headers overflow its table
 * without a word and without telling us (docs/security.md), so the daemon
 * listens itself and reads each connection's head first: one over
 * REQUEST_HEAD_MAX bytes or REQUEST_HEAD_LINES lines gets 431, one not in
 * within DOOR_HEAD_MS gets 408, and a whole one is handed to
 * libwebsockets with the bytes read so far, as if it had read them. */
#ifndef GLASSBOX_DOOR_H
#define GLASSBOX_DOOR_H

#include <libwebsockets.h>
#include <stddef.h>

#define DOOR_HEAD_MS 10000   /* for a request head to arrive */
/* Connections whose head is not in yet; past it the oldest is closed (a
 * client that sends its head at once is never the oldest). */
#define DOOR_WAITING_MAX 1024

/* Listen on addr (numeric, IPv4 or IPv6) and port; the heads go to vh.
 * 0, or -1 with err filled in. */
int door_open(const char *addr, int port, struct lws_vhost *vh, char *err,
              size_t errlen);
void door_close(void);

#endif
