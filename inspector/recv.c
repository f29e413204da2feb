/* recv.c -- the daemon's recv(): the C library's, and a WebSocket's bytes
 * shown to wsguard on the way (wsguard.h).
 *
 * Defined in the daemon's executable, this recv is the one every library
 * the daemon loads calls too (the dynamic linker looks in the executable
 * first); that is how libwebsockets' reads reach wsguard. It makes the
 * system call itself, so nothing but the check is added to a read. */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "wsguard.h"

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
    ssize_t n = syscall(SYS_recvfrom, fd, buf, len, flags, NULL, NULL);
    return (flags & MSG_PEEK) ? n : wsguard_read(fd, buf, n);
}
