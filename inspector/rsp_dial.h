/* rsp_dial.h -- reaching a gdbstub without waiting on it.
 *
 * rsp_conn_open() connects and runs the whole handshake with blocking,
 * timed requests: from the event loop, a QEMU that accepts the connection
 * but does not answer (stopped with SIGSTOP as it starts, or a port that is
 * not a gdbstub) would stall every client for the length of the timeouts.
 * Here the connect is non-blocking and one probe packet ("qC") goes out;
 * the loop watches the socket, and only when the probe's answer has come
 * does rsp_conn_adopt() run the handshake, with a stub that answered just
 * now. Nothing waits meanwhile, however long the stub takes. */
#ifndef GLASSBOX_RSP_DIAL_H
#define GLASSBOX_RSP_DIAL_H

#include "rsp_conn.h"

struct rsp_dial;

/* Called once: c is the connection (the callee's now), or NULL with err
 * saying why there is none. The dial is gone when it is called. */
typedef void (*rsp_dial_fn)(void *ctx, struct rsp_conn *c, const char *err);

/* Start reaching HOST:PORT; the connection's requests will wait timeout_ms
 * for a reply. NULL with err filled in when it failed at once (nothing is
 * listening there, say); fn is then not called. */
struct rsp_dial *rsp_dial_start(const char *host, const char *port, int timeout_ms,
                                rsp_dial_fn fn, void *ctx, char *err, size_t errlen);
/* Give up on it; fn is not called. NULL is fine. */
void rsp_dial_cancel(struct rsp_dial *d);

#endif
