/* qmp.c -- QEMU's machine protocol on its Unix socket, in the loop (qmp.h). */
#include "qmp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"

#define QMP_LINE_MAX (1 << 20) /* a reply longer than this: QEMU is not sane */

struct pending {
    json_int_t id;
    qmp_reply_fn fn;
    void *ctx;
    bool hmp;
};

struct qmp {
    int fd;
    struct loop_fd *w;
    void (*closed)(void *ctx);
    void *ctx;
    json_int_t next_id;
    struct pending *pend;
    int npend, cappend;
    char *out;          /* bytes still to write */
    size_t nout, capout;
    char *in;           /* a line being read */
    size_t nin, capin;
    bool in_reply;      /* a reply callback runs */
    bool doomed;        /* qmp_close was called from it */
};

static void release(struct qmp *q)
{
    loop_unwatch(q->w);
    close(q->fd);
    free(q->pend);
    free(q->out);
    free(q->in);
    free(q);
}

static int grow(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t cap2 = *cap ? *cap : 4096;
    while (cap2 < need)
        cap2 *= 2;
    char *b = realloc(*buf, cap2);
    if (!b)
        return -1;
    *buf = b;
    *cap = cap2;
    return 0;
}

static void hang_up(struct qmp *q)
{
    loop_unwatch(q->w);
    q->w = NULL;
    q->closed(q->ctx);
}

/* 0, or -1 when QEMU hung up (q may be gone: closed was called). */
static int flush(struct qmp *q)
{
    while (q->nout > 0) {
        ssize_t n = write(q->fd, q->out, q->nout);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            loop_want_write(q->w);
            return 0;
        }
        if (n <= 0) {
            hang_up(q);
            return -1;
        }
        memmove(q->out, q->out + n, q->nout - (size_t)n);
        q->nout -= (size_t)n;
    }
    return 0;
}

static void answer(struct qmp *q, json_t *m)
{
    json_t *id = json_object_get(m, "id");

    if (!json_is_integer(id))
        return; /* the greeting, an event */
    int i = 0;
    while (i < q->npend && q->pend[i].id != json_integer_value(id))
        i++;
    if (i == q->npend)
        return;
    struct pending p = q->pend[i];
    memmove(q->pend + i, q->pend + i + 1, (size_t)(--q->npend - i) * sizeof *q->pend);
    if (!p.fn)
        return;
    q->in_reply = true;
    json_t *ret = json_object_get(m, "return");
    const char *desc = json_string_value(json_object_get(json_object_get(m, "error"),
                                                         "desc"));
    if (!ret)
        p.fn(p.ctx, NULL, desc ? desc : "no reply");
    else if (p.hmp && json_is_string(ret) && json_string_length(ret) > 0)
        p.fn(p.ctx, NULL, json_string_value(ret));
    else
        p.fn(p.ctx, ret, NULL);
    q->in_reply = false;
}

static void readable(struct qmp *q)
{
    for (;;) {
        if (grow(&q->in, &q->capin, q->nin + 4096) < 0 || q->nin > QMP_LINE_MAX) {
            loop_say("QEMU's monitor sent a line too long");
            hang_up(q);
            return;
        }
        ssize_t n = read(q->fd, q->in + q->nin, q->capin - q->nin);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            hang_up(q);
            return;
        }
        q->nin += (size_t)n;
        char *nl;
        while ((nl = memchr(q->in, '\n', q->nin))) {
            size_t len = (size_t)(nl - q->in) + 1;
            json_t *m = json_loadb(q->in, len, 0, NULL);
            memmove(q->in, q->in + len, q->nin - len);
            q->nin -= len;
            if (m)
                answer(q, m);
            json_decref(m);
            if (q->doomed) {
                release(q);
                return;
            }
        }
    }
}

static void on_fd(void *ctx, int what)
{
    struct qmp *q = ctx;

    if (what & LOOP_HUP) {
        hang_up(q);
        return;
    }
    if ((what & LOOP_WRITE) && flush(q) < 0)
        return;
    if (what & LOOP_READ)
        readable(q);
}

static int send_cmd(struct qmp *q, const char *execute, json_t *args,
                    qmp_reply_fn fn, void *ctx, bool hmp)
{
    json_t *m = json_pack("{s:s, s:I}", "execute", execute, "id", q->next_id);
    char *text = NULL;

    if (m && args)
        json_object_set(m, "arguments", args);
    json_decref(args);
    if (m)
        text = json_dumps(m, JSON_COMPACT);
    json_decref(m);
    size_t len = text ? strlen(text) : 0;
    if (!text || grow(&q->out, &q->capout, q->nout + len + 1) < 0 ||
        (q->npend == q->cappend &&
         !(q->pend = realloc(q->pend, (size_t)(q->cappend = q->cappend ? 2 * q->cappend : 8) *
                                      sizeof *q->pend)))) {
        free(text);
        return -1;
    }
    memcpy(q->out + q->nout, text, len);
    q->out[q->nout + len] = '\n';
    q->nout += len + 1;
    free(text);
    q->pend[q->npend++] = (struct pending){q->next_id++, fn, ctx, hmp};
    loop_want_write(q->w); /* written from the loop: no callback runs here */
    return 0;
}

struct qmp *qmp_open(int fd, void (*closed)(void *ctx), void *ctx)
{
    struct qmp *q = calloc(1, sizeof *q);

    if (!q) {
        close(fd);
        return NULL;
    }
    q->fd = fd;
    q->closed = closed;
    q->ctx = ctx;
    q->next_id = 1;
    q->w = loop_watch(fd, on_fd, q);
    /* QEMU reads it after its greeting, which needs no answer. */
    if (!q->w || send_cmd(q, "qmp_capabilities", NULL, NULL, NULL, false) < 0) {
        qmp_close(q);
        return NULL;
    }
    return q;
}

void qmp_close(struct qmp *q)
{
    if (!q)
        return;
    if (q->in_reply) {
        q->doomed = true; /* freed when the callback returns */
        return;
    }
    release(q);
}

int qmp_send(struct qmp *q, const char *execute, json_t *args, qmp_reply_fn fn,
             void *ctx)
{
    return send_cmd(q, execute, args, fn, ctx, false);
}

int qmp_hmp(struct qmp *q, const char *line, qmp_reply_fn fn, void *ctx)
{
    return send_cmd(q, "human-monitor-command",
                    json_pack("{s:s}", "command-line", line), fn, ctx, true);
}

int qmp_pending(const struct qmp *q)
{
    return q ? q->npend : 0;
}
