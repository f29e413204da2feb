/* wsguard.h -- close a WebSocket whose client sends an unmasked frame.
 *
 * RFC 6455 (5.1) has a server close the connection when a client's frame
 * is not masked; libwebsockets 4.1.6, Debian 12's, passes such frames on
 * (docs/security.md). It reads its sockets with recv(), and the daemon's
 * own recv (recv.c) hands what it read from a WebSocket here: a reader of
 * frame heads that keeps pace with libwebsockets', byte for byte, says
 * when a frame comes without its mask, and the read fails, which makes
 * libwebsockets drop the connection. */
#ifndef GLASSBOX_WSGUARD_H
#define GLASSBOX_WSGUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Where a client's stream of frames is: in a frame's head (have bytes of
 * it seen), or in its payload (left bytes to go). */
struct ws_frames {
    unsigned have;
    uint8_t second;   /* the head's second byte: MASK and the 7-bit length */
    uint64_t length;  /* the payload's length, as the head gives it */
    uint64_t left;
    bool unmasked;    /* a frame came without a mask: the stream is refused */
};

/* Read n more bytes of the stream. false once a frame has no mask. */
bool ws_frames_feed(struct ws_frames *f, const uint8_t *p, size_t n);

/* From now on, fd's bytes are frames (the handshake is over); a socket
 * watched since its handshake's head (wsguard_watch_after) is kept as it is. */
void wsguard_watch(int fd);
/* fd's first head bytes are a WebSocket handshake's, the rest are frames:
 * a client may send frames right behind its handshake, and libwebsockets
 * parses those it reads with the handshake before the connection is
 * established (the door sees the head first, door.c). */
void wsguard_watch_after(int fd, size_t head);
/* fd is not a WebSocket (closed, or a new connection on a reused number). */
void wsguard_forget(int fd);
/* n bytes just read from fd: n, or -1 with errno ECONNRESET when fd is a
 * WebSocket whose client sent an unmasked frame (this read or before). */
ssize_t wsguard_read(int fd, const void *buf, ssize_t n);

#endif
