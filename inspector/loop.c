/* loop.c -- file descriptors and timers in the one libwebsockets loop. */
#include "loop.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

struct loop_fd {
    struct lws *wsi;
    loop_fd_fn fn;
    void *ctx;
};

static struct lws_context *context;
static struct lws_vhost *vhost;

void loop_init(struct lws_context *ctx, struct lws_vhost *vh)
{
    context = ctx;
    vhost = vh;
}

static int callback_raw(struct lws *wsi, enum lws_callback_reasons reason,
                        void *user, void *in, size_t len)
{
    struct loop_fd *w = lws_get_opaque_user_data(wsi);

    (void)user;
    (void)in;
    (void)len;
    switch (reason) {
    case LWS_CALLBACK_RAW_RX_FILE:
        /* Unwatched and still readable: close the duplicate now (until its
         * asynchronous end it would be reported again and again). */
        if (!w)
            return -1;
        w->fn(w->ctx, LOOP_READ);
        return 0;
    case LWS_CALLBACK_RAW_WRITEABLE_FILE:
        if (w)
            w->fn(w->ctx, LOOP_WRITE);
        return 0;
    case LWS_CALLBACK_RAW_CLOSE_FILE:
        /* lws closes the duplicate; the owner hears of it once. */
        if (w) {
            w->wsi = NULL;
            lws_set_opaque_user_data(wsi, NULL);
            w->fn(w->ctx, LOOP_HUP);
        }
        return 0;
    default:
        return 0;
    }
}

const struct lws_protocols loop_raw_protocol = {
    "glassbox-raw", callback_raw, 0, 0, 0, NULL, 0};

struct loop_fd *loop_watch(int fd, loop_fd_fn fn, void *ctx)
{
    struct loop_fd *w = calloc(1, sizeof *w);
    lws_sock_file_fd_type u;

    if (!w)
        return NULL;
    u.filefd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (u.filefd < 0) {
        free(w);
        return NULL;
    }
    w->fn = fn;
    w->ctx = ctx;
    w->wsi = lws_adopt_descriptor_vhost(vhost, LWS_ADOPT_RAW_FILE_DESC, u,
                                        loop_raw_protocol.name, NULL);
    if (!w->wsi) {
        close(u.filefd);
        free(w);
        return NULL;
    }
    lws_set_opaque_user_data(w->wsi, w);
    return w;
}

void loop_want_write(struct loop_fd *w)
{
    if (w && w->wsi)
        lws_callback_on_writable(w->wsi);
}

void loop_unwatch(struct loop_fd *w)
{
    if (!w)
        return;
    if (w->wsi) {
        lws_set_opaque_user_data(w->wsi, NULL);
        lws_set_timeout(w->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    }
    free(w);
}

static void timer_fired(lws_sorted_usec_list_t *sul)
{
    struct loop_timer *t = lws_container_of(sul, struct loop_timer, sul);

    t->fn(t->ctx);
}

void loop_timer_set(struct loop_timer *t, int ms, void (*fn)(void *ctx),
                    void *ctx)
{
    t->fn = fn;
    t->ctx = ctx;
    lws_sul_schedule(context, 0, &t->sul, timer_fired,
                     (lws_usec_t)ms * LWS_US_PER_MS);
}

void loop_timer_cancel(struct loop_timer *t)
{
    lws_sul_cancel(&t->sul);
}

int64_t loop_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void loop_say(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "glassbox-inspector: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
