/* serial.c -- the guest's serial port in the event loop (serial.h). */
#include "serial.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CONSOLE_FLUSH_MS 5

void serial_init(struct serial *s, void (*output)(void *, const char *, size_t),
                 void (*closed)(void *), void *ctx)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
    s->output = output;
    s->closed = closed;
    s->ctx = ctx;
}

static void flush(void *ctx)
{
    struct serial *s = ctx;

    s->flush_pending = false;
    if (s->text_len > 0)
        s->output(s->ctx, s->text, s->text_len);
    s->text_len = 0;
}

void serial_adopt(struct serial *s, int fd)
{
    serial_close(s);
    s->fd = fd;
}

bool serial_connected(const struct serial *s)
{
    return s->fd >= 0;
}

void serial_close(struct serial *s)
{
    loop_unwatch(s->w);
    s->w = NULL;
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    flush(s);
    loop_timer_cancel(&s->flush_timer);
    s->flush_pending = false;
    s->carry.len = 0;
    s->in_len = 0;
}

static void hung_up(struct serial *s)
{
    serial_close(s);
    s->closed(s->ctx);
}

static void send_input(struct serial *s)
{
    while (s->in_len > 0 && s->fd >= 0) {
        ssize_t n = write(s->fd, s->in, s->in_len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            loop_want_write(s->w);
            return;
        }
        if (n < 0) {
            fprintf(stderr, "glassbox-inspector: console write: %s\n",
                    strerror(errno));
            s->in_len = 0;
            return;
        }
        memmove(s->in, s->in + n, s->in_len - (size_t)n);
        s->in_len -= (size_t)n;
    }
}

static void on_ready(void *ctx, int what)
{
    struct serial *s = ctx;
    uint8_t buf[SERIAL_CHUNK];

    if (what & LOOP_HUP) {
        s->w = NULL;
        hung_up(s);
        return;
    }
    if (what & LOOP_WRITE)
        send_input(s);
    if (!(what & LOOP_READ))
        return;
    /* At most a few chunks per turn, so one chatty guest cannot starve the
     * web clients. */
    for (int i = 0; i < 4 && s->fd >= 0; i++) {
        ssize_t n = read(s->fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n <= 0) {
            hung_up(s);
            return;
        }
        if (s->text_len + UTF8_CLEAN_CAP((size_t)n) > sizeof s->text)
            flush(s);
        s->text_len += utf8_clean(&s->carry, buf, (size_t)n,
                                  s->text + s->text_len);
        if (s->text_len >= SERIAL_CHUNK)
            flush(s);
    }
    if (s->text_len > 0 && !s->flush_pending) {
        s->flush_pending = true;
        loop_timer_set(&s->flush_timer, CONSOLE_FLUSH_MS, flush, s);
    }
}

int serial_watch(struct serial *s)
{
    if (s->fd < 0)
        return 0;
    s->w = loop_watch(s->fd, on_ready, s);
    return s->w ? 0 : -1;
}

int serial_write(struct serial *s, const char *data, size_t len, char *err,
                 size_t errlen)
{
    if (s->fd < 0) {
        snprintf(err, errlen, "the console is not connected");
        return -1;
    }
    if (len > sizeof s->in - s->in_len) {
        snprintf(err, errlen, "the console is not taking input (%zu bytes "
                 "waiting)", s->in_len);
        return -1;
    }
    memcpy(s->in + s->in_len, data, len);
    s->in_len += len;
    send_input(s);
    return 0;
}
