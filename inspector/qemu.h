/* qemu.h -- the QEMU process the daemon runs, and its files.
 *
 * Everything QEMU needs that is not the kernel lives in a private scratch
 * directory: a copy of the disk image (so the original stays as mke2fs
 * made it, and a restart starts from it again; unlinked as soon as it is
 * open, so it never outlives QEMU), the serial console's Unix socket, and
 * QEMU's own output (qemu.log) for when it dies. */
#ifndef GLASSBOX_QEMU_H
#define GLASSBOX_QEMU_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

struct qemu {
    pid_t pid;        /* 0 when none runs */
    int gdb_port;     /* where its gdbstub listens */
    char dir[256];    /* the scratch directory, "" before qemu_init() */
    char image[PATH_MAX];
    char console_path[PATH_MAX];
    char log_path[PATH_MAX];
};

/* Make the scratch directory. 0, or -1 with err filled in. */
int qemu_init(struct qemu *q, char *err, size_t errlen);
/* Copy disk to a fresh scratch image and start QEMU stopped at reset
 * (-S), its gdbstub on 127.0.0.1:gdb_port (0: a free port) and its serial
 * port on the console socket. 0, or -1 with err filled in. */
int qemu_launch(struct qemu *q, const char *binary, const char *kernel,
                const char *disk, int gdb_port, char *err, size_t errlen);
/* Whether it has exited (reaped now): 1 with a description in why, or 0. */
int qemu_reap(struct qemu *q, char *why, size_t whylen);
/* SIGKILL and reap. Nothing when none runs. */
void qemu_kill(struct qemu *q);
/* Kill it and remove the scratch directory. */
void qemu_cleanup(struct qemu *q);
/* The last line QEMU printed (its error message when it refused to
 * start), or "". */
void qemu_last_words(const struct qemu *q, char *buf, size_t cap);

/* A non-blocking connection to the console socket, or -1. */
int qemu_connect_console(const struct qemu *q, char *err, size_t errlen);
/* A non-blocking TCP connection to HOST:PORT (--console), or -1. */
int net_connect(const char *hostport, char *err, size_t errlen);
/* A TCP port on 127.0.0.1 that nobody listens on right now, or -1. */
int net_free_port(void);

#endif
