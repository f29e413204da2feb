/* serial.h -- the guest's serial port in the event loop: what the guest
 * writes comes out as valid UTF-8 in chunks (flushed CONSOLE_FLUSH_MS after
 * the last read, or when a chunk is full), and what the page types is
 * written as the socket takes it (at most SERIAL_IN_MAX bytes waiting). */
#ifndef GLASSBOX_SERIAL_H
#define GLASSBOX_SERIAL_H

#include <stdbool.h>
#include <stddef.h>

#include "console.h"
#include "loop.h"

#define SERIAL_CHUNK (16u * 1024)
#define SERIAL_IN_MAX (64u * 1024)

struct serial {
    int fd; /* -1: not connected */
    struct loop_fd *w;
    struct utf8_carry carry;
    char text[SERIAL_CHUNK * 4];
    size_t text_len;
    struct loop_timer flush_timer;
    bool flush_pending;
    char in[SERIAL_IN_MAX];
    size_t in_len;
    /* Text from the guest; and the other end hung up (after the close). */
    void (*output)(void *ctx, const char *text, size_t len);
    void (*closed)(void *ctx);
    void *ctx;
};

void serial_init(struct serial *s, void (*output)(void *, const char *, size_t),
                 void (*closed)(void *), void *ctx);
/* Take a connected, non-blocking socket; serial_watch() starts reading. */
void serial_adopt(struct serial *s, int fd);
/* 0 (also when there is no socket), or -1 when the loop cannot watch it. */
int serial_watch(struct serial *s);
/* Flush what came, close the socket, forget what waits to be written. */
void serial_close(struct serial *s);
bool serial_connected(const struct serial *s);
/* Queue input for the guest. 0, or -1 with err filled in (not connected,
 * or too much waiting). */
int serial_write(struct serial *s, const char *data, size_t len, char *err,
                 size_t errlen);

#endif
