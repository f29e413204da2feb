/* loop.h -- file descriptors and timers in the one libwebsockets loop.
 *
 * The daemon has no threads: lws_service() waits on the web sockets, and
 * through this module also on QEMU's gdbstub and console sockets (adopted
 * as raw file descriptors) and on timers. */
#ifndef GLASSBOX_LOOP_H
#define GLASSBOX_LOOP_H

#include <libwebsockets.h>
#include <stdint.h>

#define LOOP_READ 1
#define LOOP_WRITE 2
#define LOOP_HUP 4 /* lws gave up on the descriptor */

typedef void (*loop_fd_fn)(void *ctx, int what);

struct loop_fd;

/* The protocol raw descriptors are adopted with; the web server lists it. */
extern const struct lws_protocols loop_raw_protocol;

void loop_init(struct lws_context *ctx, struct lws_vhost *vh);
/* Call fn when fd is readable (and writable, after loop_want_write). The
 * caller keeps fd: the loop watches a duplicate. NULL on failure. */
struct loop_fd *loop_watch(int fd, loop_fd_fn fn, void *ctx);
void loop_want_write(struct loop_fd *w);
/* Stop watching (fn is not called again). NULL is fine. */
void loop_unwatch(struct loop_fd *w);

struct loop_timer {
    lws_sorted_usec_list_t sul;
    void (*fn)(void *ctx);
    void *ctx;
};
/* (Re)arm t to call fn once, ms from now. */
void loop_timer_set(struct loop_timer *t, int ms, void (*fn)(void *ctx),
                    void *ctx);
void loop_timer_cancel(struct loop_timer *t);

int64_t loop_now_ms(void);

/* A line on stderr for whoever runs the daemon ("glassbox-inspector: ..."). */
void loop_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
