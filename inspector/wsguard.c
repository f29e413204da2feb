/* wsguard.c -- close a WebSocket whose client sends an unmasked frame
 * (wsguard.h). */
#include "wsguard.h"

#include <errno.h>
#include <stdlib.h>

/* A frame's head (RFC 6455 5.2): FIN, RSV and opcode; MASK and a 7-bit
 * length, where 126 says a 16-bit length follows and 127 a 64-bit one
 * (big-endian); the 4-byte masking key when MASK is set; then the
 * payload. */
#define WS_MASK 0x80u
#define WS_KEY 4u

static unsigned extended_bytes(uint8_t second)
{
    unsigned len7 = second & 0x7fu;
    return len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
}

/* One byte of a head. */
static void head_byte(struct ws_frames *f, uint8_t c)
{
    unsigned at = f->have++;
    if (at == 1) {
        f->second = c;
        f->unmasked = !(c & WS_MASK);
        f->length = extended_bytes(c) ? 0 : (c & 0x7fu);
    } else if (at >= 2 && at < 2 + extended_bytes(f->second)) {
        f->length = f->length << 8 | c;
    }
    if (f->have == 2 + extended_bytes(f->second) + WS_KEY) {
        f->left = f->length;
        f->have = 0;
    }
}

bool ws_frames_feed(struct ws_frames *f, const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n && !f->unmasked) {
        if (f->left > 0) {
            size_t take = n - i < f->left ? n - i : (size_t)f->left;
            f->left -= take;
            i += take;
        } else {
            head_byte(f, p[i++]);
        }
    }
    return !f->unmasked;
}

/* ---- the sockets -------------------------------------------------------- */

/* By descriptor; NULL: not a WebSocket. */
static struct ws_frames **watched;
static size_t nwatched;

void wsguard_watch(int fd)
{
    if (fd < 0)
        return;
    if ((size_t)fd >= nwatched) {
        size_t n = (size_t)fd + 64;
        struct ws_frames **more = realloc(watched, n * sizeof *more);
        if (!more)
            return;
        for (size_t i = nwatched; i < n; i++)
            more[i] = NULL;
        watched = more;
        nwatched = n;
    }
    free(watched[fd]);
    watched[fd] = calloc(1, sizeof **watched);
}

void wsguard_forget(int fd)
{
    if (fd >= 0 && (size_t)fd < nwatched) {
        free(watched[fd]);
        watched[fd] = NULL;
    }
}

ssize_t wsguard_read(int fd, const void *buf, ssize_t n)
{
    struct ws_frames *f = fd >= 0 && (size_t)fd < nwatched ? watched[fd] : NULL;
    if (!f || n < 0 || ws_frames_feed(f, buf, (size_t)n))
        return n;
    errno = ECONNRESET;
    return -1;
}
