/* wsguard.c -- close a WebSocket whose client sends an unmasked frame
 * (wsguard.h). */
#include "wsguard.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

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

/* A WebSocket's frames, and which socket it is: should a number be left
 * watched (its close missed), another socket opened on it is not taken for
 * it. */
struct watch {
    struct ws_frames frames;
    size_t handshake; /* bytes of the handshake still to be read */
    dev_t dev;
    ino_t ino;
};

/* By descriptor; NULL: not a WebSocket. */
static struct watch **watched;
static size_t nwatched;

static bool same_socket(int fd, const struct watch *w)
{
    struct stat st;
    return fstat(fd, &st) == 0 && st.st_dev == w->dev && st.st_ino == w->ino;
}

static void watch(int fd, size_t handshake)
{
    if (fd < 0)
        return;
    if ((size_t)fd >= nwatched) {
        size_t n = (size_t)fd + 64;
        struct watch **more = realloc(watched, n * sizeof *more);
        if (!more)
            return;
        for (size_t i = nwatched; i < n; i++)
            more[i] = NULL;
        watched = more;
        nwatched = n;
    }
    free(watched[fd]);
    struct stat st;
    watched[fd] = fstat(fd, &st) == 0 ? calloc(1, sizeof **watched) : NULL;
    if (watched[fd]) {
        watched[fd]->handshake = handshake;
        watched[fd]->dev = st.st_dev;
        watched[fd]->ino = st.st_ino;
    }
}

void wsguard_watch(int fd)
{
    if (fd >= 0 && (size_t)fd < nwatched && watched[fd] && same_socket(fd, watched[fd]))
        return;
    watch(fd, 0);
}

void wsguard_watch_after(int fd, size_t head)
{
    watch(fd, head);
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
    struct watch *w = fd >= 0 && (size_t)fd < nwatched ? watched[fd] : NULL;
    if (!w || n < 0)
        return n;
    if (!same_socket(fd, w)) {
        wsguard_forget(fd);
        return n;
    }
    size_t skip = (size_t)n < w->handshake ? (size_t)n : w->handshake;
    w->handshake -= skip;
    if (ws_frames_feed(&w->frames, (const uint8_t *)buf + skip, (size_t)n - skip))
        return n;
    errno = ECONNRESET;
    return -1;
}
