/* outq.c -- messages on their way to one client, bounded. */
#include "outq.h"

#include <stdlib.h>
#include <string.h>

struct out_msg *out_msg_new(const char *text, size_t len)
{
    struct out_msg *m = malloc(sizeof *m + len + 1);

    if (!m)
        return NULL;
    m->refs = 1;
    m->len = len;
    memcpy(m->data, text, len);
    m->data[len] = '\0';
    return m;
}

struct out_msg *out_msg_ref(struct out_msg *m)
{
    m->refs++;
    return m;
}

void out_msg_unref(struct out_msg *m)
{
    if (m && --m->refs == 0)
        free(m);
}

int outq_init(struct outq *q, size_t max_msgs, size_t max_bytes)
{
    memset(q, 0, sizeof *q);
    q->ring = calloc(max_msgs, sizeof *q->ring);
    if (!q->ring)
        return -1;
    q->cap = max_msgs;
    q->max_msgs = max_msgs;
    q->max_bytes = max_bytes;
    return 0;
}

int outq_set_limits(struct outq *q, size_t max_msgs, size_t max_bytes)
{
    if (max_msgs > q->cap) {
        struct out_msg **ring = calloc(max_msgs, sizeof *ring);
        if (!ring)
            return -1;
        for (size_t i = 0; i < q->count; i++)
            ring[i] = q->ring[(q->head + i) % q->cap];
        free(q->ring);
        q->ring = ring;
        q->head = 0;
        q->cap = max_msgs;
    }
    q->max_msgs = max_msgs;
    q->max_bytes = max_bytes;
    return 0;
}

void outq_free(struct outq *q)
{
    while (!outq_empty(q))
        outq_pop(q);
    free(q->ring);
    q->ring = NULL;
    q->cap = 0;
}

int outq_push(struct outq *q, struct out_msg *m)
{
    if (q->count >= q->max_msgs || q->count == q->cap)
        return -1;
    if (q->count > 0 && q->bytes + m->len > q->max_bytes)
        return -1;
    q->ring[(q->head + q->count) % q->cap] = out_msg_ref(m);
    q->count++;
    q->bytes += m->len;
    return 0;
}

struct out_msg *outq_head(const struct outq *q)
{
    return q->count ? q->ring[q->head] : NULL;
}

void outq_pop(struct outq *q)
{
    if (q->count == 0)
        return;
    struct out_msg *m = q->ring[q->head];
    q->ring[q->head] = NULL;
    q->head = (q->head + 1) % q->cap;
    q->count--;
    q->bytes -= m->len;
    q->sent = 0;
    out_msg_unref(m);
}

bool outq_empty(const struct outq *q)
{
    return q->count == 0;
}
