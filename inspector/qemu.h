/* qemu.h -- the QEMU process the daemon runs, and its files.
 *
 * Everything QEMU needs that is not the kernel lives in a private scratch
 * directory: a copy of the disk image (so the original stays as mke2fs
 * made it, and a restart starts from it again; unlinked as soon as it is
 * open, so it never outlives QEMU), the serial console's Unix socket, and
 * QEMU's own output (qemu.log) for when it dies.
 *
 * The guest's RAM is a memory file the daemon makes (memfd_create: no
 * name in any directory, mode 0600) and passes to QEMU as its RAM backend
 * (memory-backend-file on /proc/self/fd/N, share=on); the daemon keeps a
 * read-only mapping of it, so it can read the guest without stopping it
 * (guest.h). Its size is scripts/qemu.args' -m. */
#ifndef GLASSBOX_QEMU_H
#define GLASSBOX_QEMU_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct qemu {
    pid_t pid;        /* 0 when none runs */
    int gdb_port;     /* where its gdbstub listens */
    char dir[256];    /* the scratch directory, "" before qemu_init() */
    char image[PATH_MAX];
    char console_path[PATH_MAX];
    char log_path[PATH_MAX];
    const void *ram;  /* the last QEMU's RAM, read-only, or NULL */
    size_t ram_size;
};

/* Make the scratch directory. 0, or -1 with err filled in. */
int qemu_init(struct qemu *q, char *err, size_t errlen);
/* Copy disk to a fresh scratch image and start QEMU stopped at reset
 * (-S), its gdbstub on 127.0.0.1:gdb_port (0: a free port), its serial
 * port on the console socket and its RAM in a fresh memory file mapped at
 * q->ram (the previous mapping goes). 0, or -1 with err filled in. */
int qemu_launch(struct qemu *q, const char *binary, const char *kernel,
                const char *disk, int gdb_port, char *err, size_t errlen);
/* The guest's RAM size from scripts/qemu.args (-m), in bytes; 0 if none. */
size_t qemu_ram_bytes(void);
/* Whether it has exited (reaped now): 1 with a description in why, or 0. */
int qemu_reap(struct qemu *q, char *why, size_t whylen);
/* SIGKILL and reap. Nothing when none runs. */
/* Whether QEMU is stopped by a signal (SIGSTOP, a debugger's ptrace). */
bool qemu_stopped(const struct qemu *q);
void qemu_kill(struct qemu *q);
/* Kill it, unmap its RAM and remove the scratch directory. */
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
