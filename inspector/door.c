/* door.c -- the listening socket and the request heads (door.h). */
#define _GNU_SOURCE /* accept4 */
#include "door.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loop.h"
#include "request.h"
#include "wsguard.h"

#define DOOR_LINGER_MS 1000 /* reading what follows a refusal, so it arrives */
#define DOOR_ACCEPTS 64     /* accepted per wake-up, so a storm does not starve the loop */

struct caller {
    int fd;
    struct loop_fd *w;
    struct loop_timer late;
    bool refused;       /* answered; draining until the peer closes */
    size_t len;
    char head[REQUEST_HEAD_MAX];
    struct caller *prev, *next;
};

static struct {
    int fd;
    struct loop_fd *w;
    struct lws_vhost *vh;
    struct caller *waiting; /* newest first */
    struct caller *oldest;
    unsigned nwaiting;
} door = {.fd = -1};

static void forget(struct caller *c)
{
    loop_unwatch(c->w);
    loop_timer_cancel(&c->late);
    if (c->prev)
        c->prev->next = c->next;
    else
        door.waiting = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        door.oldest = c->prev;
    door.nwaiting--;
    free(c);
}

static void hang_up(struct caller *c)
{
    close(c->fd);
    forget(c);
}

static void linger_over(void *ctx)
{
    hang_up(ctx);
}

/* An answer of our own, then read (and drop) what the client still sends
 * for a moment: closing with unread bytes would reset the connection, and
 * the client might lose the answer. */
static void refuse(struct caller *c, int status, const char *reason,
                   const char *allow, const char *why)
{
    char msg[512];
    char body[256];
    int blen = snprintf(body, sizeof body,
                        "{\"type\":\"error\",\"error\":\"%s\"}", why);
    int n = snprintf(msg, sizeof msg,
                     "HTTP/1.1 %d %s\r\ncontent-type: application/json\r\n"
                     "%s%s%scontent-length: %d\r\nconnection: close\r\n\r\n%s",
                     status, reason, allow ? "allow: " : "", allow ? allow : "",
                     allow ? "\r\n" : "", blen, body);

    int one = 1;

    c->refused = true;
    setsockopt(c->fd, SOL_SOCKET, SO_RCVLOWAT, &one, sizeof one);
    if (send(c->fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 ||
        shutdown(c->fd, SHUT_WR) < 0) {
        hang_up(c);
        return;
    }
    loop_timer_set(&c->late, DOOR_LINGER_MS, linger_over, c);
}

static void head_late(void *ctx)
{
    refuse(ctx, 408, "Request Timeout", NULL, "the request head did not arrive in time");
}

/* lws takes the socket (and closes it if it cannot) with nothing read:
 * it reads the head again, and the rest, as from its own listener. */
static void hand_over(void *ctx)
{
    struct caller *c = ctx;
    int fd = c->fd, one = 1;

    forget(c);
    setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &one, sizeof one);
    lws_adopt_socket_vhost(door.vh, fd);
}

static void readable(void *ctx, int what)
{
    struct caller *c = ctx;

    if (what & LOOP_HUP) { /* the loop let go of its duplicate */
        hang_up(c);
        return;
    }
    if (!(what & LOOP_READ))
        return;
    if (c->refused) {
        char sink[4096];
        ssize_t n = recv(c->fd, sink, sizeof sink, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
            hang_up(c);
        return;
    }
    /* Look, do not take: libwebsockets reads the whole request itself.
     * Until more than what was seen arrives, the socket is not readable
     * (SO_RCVLOWAT); readable with nothing new, the peer has closed. */
    ssize_t n = recv(c->fd, c->head, sizeof c->head, MSG_DONTWAIT | MSG_PEEK);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0 || (size_t)n <= c->len) {
        hang_up(c);
        return;
    }
    c->len = (size_t)n;
    switch (request_head(c->head, c->len)) {
    case HEAD_MORE: {
        int more = n + 1;
        if (setsockopt(c->fd, SOL_SOCKET, SO_RCVLOWAT, &more, sizeof more) < 0)
            hang_up(c);
        return;
    }
    case HEAD_TOO_LARGE:
        refuse(c, 431, "Request Header Fields Too Large", NULL,
               "request headers over 4 KiB or 100 lines");
        return;
    case HEAD_DONE: {
        /* libwebsockets holds a CONNECT open without a word, for good */
        if (!request_method_served(c->head, c->len)) {
            refuse(c, 405, "Method Not Allowed", REQUEST_METHODS, REQUEST_METHODS_ONLY);
            return;
        }
        const char *fault = request_head_fault(c->head, c->len);
        if (fault) {
            refuse(c, 400, "Bad Request", NULL, fault);
            return;
        }
        /* Frames may follow the handshake in what libwebsockets reads
         * with it: they are checked from its end on (wsguard.h). */
        if (request_upgrades(c->head, c->len))
            wsguard_watch_after(c->fd, request_head_length(c->head, c->len));
        /* Handed over from the loop's top, not inside the callback of the
         * descriptor being unwatched. */
        loop_unwatch(c->w);
        c->w = NULL;
        loop_timer_set(&c->late, 0, hand_over, c);
        return;
    }
    }
}

static void accept_some(void *ctx, int what)
{
    (void)ctx;
    if (!(what & LOOP_READ))
        return;
    for (int i = 0; i < DOOR_ACCEPTS; i++) {
        int fd = accept4(door.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        wsguard_forget(fd); /* a number a closed WebSocket had */
        if (door.nwaiting >= DOOR_WAITING_MAX)
            hang_up(door.oldest);
        struct caller *c = calloc(1, sizeof *c);
        if (!c) {
            close(fd);
            continue;
        }
        c->fd = fd;
        c->w = loop_watch(fd, readable, c);
        if (!c->w) {
            close(fd);
            free(c);
            continue;
        }
        c->next = door.waiting;
        if (door.waiting)
            door.waiting->prev = c;
        else
            door.oldest = c;
        door.waiting = c;
        door.nwaiting++;
        loop_timer_set(&c->late, DOOR_HEAD_MS, head_late, c);
    }
}

int door_open(const char *addr, int port, struct lws_vhost *vh, char *err,
              size_t errlen)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    int one = 1;

    memset(&ss, 0, sizeof ss);
    if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        sl = sizeof *in4;
    } else if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        sl = sizeof *in6;
    } else {
        snprintf(err, errlen, "%s is not a numeric address", addr);
        return -1;
    }
    door.fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (door.fd < 0 ||
        setsockopt(door.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(door.fd, (struct sockaddr *)&ss, sl) < 0 ||
        listen(door.fd, SOMAXCONN) < 0) {
        snprintf(err, errlen, "cannot listen on %s:%d: %s", addr, port,
                 strerror(errno));
        door_close();
        return -1;
    }
    door.vh = vh;
    door.w = loop_watch(door.fd, accept_some, NULL);
    if (!door.w) {
        snprintf(err, errlen, "cannot watch the listening socket");
        door_close();
        return -1;
    }
    return 0;
}

void door_close(void)
{
    while (door.waiting)
        hang_up(door.waiting);
    loop_unwatch(door.w);
    door.w = NULL;
    if (door.fd >= 0)
        close(door.fd);
    door.fd = -1;
}
