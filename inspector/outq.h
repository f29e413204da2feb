/* outq.h -- messages on their way to one client, bounded.
 *
 * A message is serialized once and shared by every client it goes to
 * (reference counted). Each client's queue has a limit in messages and in
 * bytes; a push past it fails, and the caller drops that client rather
 * than let one slow reader hold memory or hold up the others. */
#ifndef GLASSBOX_OUTQ_H
#define GLASSBOX_OUTQ_H

#include <stdbool.h>
#include <stddef.h>

struct out_msg {
    unsigned refs;
    size_t len;
    char data[]; /* len bytes of JSON text, then a NUL */
};

/* A new message holding a copy of text, one reference. NULL when out of
 * memory. */
struct out_msg *out_msg_new(const char *text, size_t len);
struct out_msg *out_msg_ref(struct out_msg *m);
void out_msg_unref(struct out_msg *m);

struct outq {
    struct out_msg **ring;
    size_t cap;       /* ring slots */
    size_t head, count;
    size_t max_msgs;
    size_t bytes;     /* sum of the queued messages' lengths */
    size_t max_bytes;
    size_t sent;      /* bytes of the head message already written */
};

int outq_init(struct outq *q, size_t max_msgs, size_t max_bytes);
/* New limits (a client's role changed). 0, or -1 when out of memory. */
int outq_set_limits(struct outq *q, size_t max_msgs, size_t max_bytes);
void outq_free(struct outq *q);
/* Queue a reference to m. 0, or -1 when the queue would go over either
 * limit (a single message larger than max_bytes still fits an empty
 * queue, so nothing is ever refused forever). */
int outq_push(struct outq *q, struct out_msg *m);
struct out_msg *outq_head(const struct outq *q); /* NULL when empty */
/* Drop the head (after it is fully written). */
void outq_pop(struct outq *q);
bool outq_empty(const struct outq *q);

#endif
