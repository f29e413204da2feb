/* rsp_dial.c -- reaching a gdbstub without waiting on it (rsp_dial.h). */
#include "rsp_dial.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loop.h"
#include "rsp.h"

/* Bytes from the stub before the probe's answer, at most (an unasked stop
 * reply fits many times over): past that it is not a gdbstub. */
#define NOISE_MAX 65536

struct rsp_dial {
    int fd;
    struct loop_fd *w;
    bool connecting;      /* the non-blocking connect is not over yet */
    int timeout_ms;
    size_t seen;
    char where[300];
    rsp_dial_fn fn;
    void *ctx;
    struct rsp_parser parser;
};

static void dial_free(struct rsp_dial *d)
{
    loop_unwatch(d->w);
    if (d->fd >= 0)
        close(d->fd);
    free(d);
}

static void fail(struct rsp_dial *d, const char *fmt, const char *detail)
{
    char err[512];
    rsp_dial_fn fn = d->fn;
    void *ctx = d->ctx;

    snprintf(err, sizeof err, fmt, d->where, detail);
    dial_free(d);
    fn(ctx, NULL, err);
}

/* The probe answered: the handshake, with a stub that answers. */
static void answered(struct rsp_dial *d)
{
    char err[512];
    int fd = d->fd, flags = fcntl(fd, F_GETFL);
    rsp_dial_fn fn = d->fn;
    void *ctx = d->ctx;
    int timeout_ms = d->timeout_ms;

    d->fd = -1;
    dial_free(d);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
        close(fd);
        fn(ctx, NULL, "cannot make the gdbstub socket blocking");
        return;
    }
    struct rsp_conn *c = rsp_conn_adopt(fd, timeout_ms, err, sizeof err);
    fn(ctx, c, c ? NULL : err);
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* The connection is up: ask "qC" (in ack mode, as every session starts).
 * 0, or -1 with errno set. */
static int probe(struct rsp_dial *d)
{
    char out[16];
    size_t n = rsp_frame("qC", 2, out, sizeof out);

    d->connecting = false;
    return send_all(d->fd, out, n);
}

/* Take what has come, up to the end of the probe's answer and no further:
 * what follows it is the handshake's, read by rsp_conn. Each packet is
 * acknowledged. 1 answered, 0 not yet, -1 failed (d is gone). */
static int take_input(struct rsp_dial *d)
{
    uint8_t buf[4096];
    ssize_t n = recv(d->fd, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT);

    if (n == 0) {
        fail(d, "%s: the gdbstub closed the connection%s", "");
        return -1;
    }
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return 0;
        fail(d, "%s: %s", strerror(errno));
        return -1;
    }
    size_t used = 0;
    int packets = 0;
    bool done = false;
    while (used < (size_t)n && !done) {
        struct rsp_event ev;
        used += rsp_parse(&d->parser, buf + used, (size_t)n - used, &ev);
        if (ev.kind == RSP_EV_PACKET) {
            packets++;
            done = ev.len >= 2 && ev.data[0] == 'Q' && ev.data[1] == 'C';
        }
    }
    if (recv(d->fd, buf, used, MSG_DONTWAIT) != (ssize_t)used) {
        fail(d, "%s: %s", "cannot read from the gdbstub");
        return -1;
    }
    d->seen += used;
    while (packets-- > 0)
        if (send_all(d->fd, "+", 1) < 0) {
            fail(d, "%s: cannot send to the gdbstub: %s", strerror(errno));
            return -1;
        }
    if (done)
        return 1;
    if (d->seen > NOISE_MAX) {
        fail(d, "%s: %s", "no answer to a probe: is it a gdbstub?");
        return -1;
    }
    return 0;
}

static void on_socket(void *ctx, int what)
{
    struct rsp_dial *d = ctx;

    if (what & LOOP_HUP) {
        d->w = NULL;
        fail(d, "%s: %s", "the connection closed");
        return;
    }
    if (d->connecting) {
        int soerr = 0;
        socklen_t len = sizeof soerr;
        if (!(what & LOOP_WRITE))
            return;
        if (getsockopt(d->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0 || soerr) {
            fail(d, "%s: connect: %s", strerror(soerr ? soerr : errno));
            return;
        }
        if (probe(d) < 0)
            fail(d, "%s: cannot send to the gdbstub: %s", strerror(errno));
        return;
    }
    if ((what & LOOP_READ) && take_input(d) == 1)
        answered(d);
}

/* A non-blocking connect to one of host:port's addresses: the socket, or
 * -1 with errno set. *pending: the connect is still going on. */
static int connect_any(const char *host, const char *port, bool *pending)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res, *ai;
    int fd = -1, one = 1, gai = getaddrinfo(host, port, &hints, &res);

    if (gai != 0) {
        errno = EHOSTUNREACH;
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    ai->ai_protocol);
        if (fd < 0)
            continue;
        /* Without it every request waits for the delayed ACK of the last. */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        int r = connect(fd, ai->ai_addr, ai->ai_addrlen);
        if (r == 0 || errno == EINPROGRESS) {
            *pending = r != 0;
            break;
        }
        int saved = errno;
        close(fd);
        fd = -1;
        errno = saved;
    }
    freeaddrinfo(res);
    return fd;
}

struct rsp_dial *rsp_dial_start(const char *host, const char *port, int timeout_ms,
                                rsp_dial_fn fn, void *ctx, char *err, size_t errlen)
{
    struct rsp_dial *d = calloc(1, sizeof *d);

    if (!d) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    snprintf(d->where, sizeof d->where, "%s:%s", host, port);
    d->fd = connect_any(host, port, &d->connecting);
    if (d->fd < 0) {
        snprintf(err, errlen, "connect to %s: %s", d->where, strerror(errno));
        free(d);
        return NULL;
    }
    d->fn = fn;
    d->ctx = ctx;
    d->timeout_ms = timeout_ms;
    rsp_parser_init(&d->parser);
    d->w = loop_watch(d->fd, on_socket, d);
    if (!d->w) {
        snprintf(err, errlen, "cannot watch the gdbstub socket");
        dial_free(d);
        return NULL;
    }
    if (d->connecting) {
        loop_want_write(d->w);
    } else if (probe(d) < 0) {
        snprintf(err, errlen, "%s: cannot send to the gdbstub: %s", d->where,
                 strerror(errno));
        dial_free(d);
        return NULL;
    }
    return d;
}

void rsp_dial_cancel(struct rsp_dial *d)
{
    if (d)
        dial_free(d);
}
