/* qmp.h -- QEMU's machine protocol (QMP) on its Unix socket, in the loop.
 *
 * One job: send commands in order and hand each reply to its callback,
 * never waiting. QEMU's greeting is answered with qmp_capabilities before
 * anything else goes out; commands sent before that are queued. Each
 * command carries an id, and its reply (QEMU answers in order) is matched
 * by it; events are passed over. */
#ifndef GLASSBOX_QMP_H
#define GLASSBOX_QMP_H

#include <jansson.h>
#include <stdbool.h>

/* The reply to one command: ret its "return" (borrowed) and error NULL, or
 * ret NULL and error QEMU's description. */
typedef void (*qmp_reply_fn)(void *ctx, json_t *ret, const char *error);

struct qmp;

/* Speak QMP on fd, a connected non-blocking socket (it is the module's
 * now: qmp_close closes it, and so does a failure). closed is called once when QEMU closes it (nothing
 * else is called after). NULL on failure. closed and the reply callbacks
 * may call qmp_close. */
struct qmp *qmp_open(int fd, void (*closed)(void *ctx), void *ctx);
/* Let go; pending callbacks are not called. NULL is fine. */
void qmp_close(struct qmp *q);

/* Send {"execute": execute, "arguments": args} (args stolen, may be
 * NULL); fn (may be NULL) gets the reply. 0, or -1 out of memory. */
int qmp_send(struct qmp *q, const char *execute, json_t *args,
             qmp_reply_fn fn, void *ctx);
/* An HMP command line through human-monitor-command: a reply whose text
 * is not empty (HMP's way to fail) comes to fn as an error. */
int qmp_hmp(struct qmp *q, const char *line, qmp_reply_fn fn, void *ctx);

/* Commands sent whose replies have not come yet. */
int qmp_pending(const struct qmp *q);

#endif
