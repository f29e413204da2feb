/* qemu.h -- the QEMU process the daemon runs, and its files.
 *
 * Everything QEMU needs lives in a private scratch directory: the disk as
 * a qcow2 image made from the disk image (qemu-img convert: the original
 * stays as mke2fs made it, a restart starts from it again, and the image
 * can hold QEMU's saved states, docs/time-travel.md; unlinked as soon as it
 * is open, so it never outlives QEMU), the sockets of the serial console
 * and of QMP, and QEMU's own output (qemu.log) for when it dies.
 *
 * The guest's RAM is a memory file the daemon makes (memfd_create: no
 * name in any directory, mode 0600) and passes to QEMU as its RAM backend
 * (memory-backend-file on /proc/self/fd/N, share=on); the daemon keeps a
 * read-only mapping of it, so it can read the guest without stopping it
 * (guest.h). Its size is scripts/qemu.args' -m. The daemon writes the
 * kernel ELF's PT_LOAD segments into it before QEMU starts, and QEMU runs
 * without -kernel (-bios none starts at the RAM's base): a -kernel image
 * is a ROM that every reset (loadvm does one) writes again over the
 * kernel's data. Without a memory file (memfd_create failed), -kernel. */
#ifndef GLASSBOX_QEMU_H
#define GLASSBOX_QEMU_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct qemu {
    pid_t pid;        /* 0 when none runs */
    int gdb_port;     /* where its gdbstub listens */
    char dir[256];    /* the scratch directory, "" before qemu_init() */
    char image[PATH_MAX];
    char console_path[PATH_MAX];
    char log_path[PATH_MAX];
    char qmp_path[PATH_MAX];
    const void *ram;  /* the last QEMU's RAM, read-only, or NULL */
    size_t ram_size;
    int ram_fd;       /* its memory file, -1 when none */
};

/* Where the virt machine's RAM starts (the kernel's segments go there). */
#define QEMU_RAM_BASE 0x80000000u

/* Make the scratch directory. 0, or -1 with err filled in. */
int qemu_init(struct qemu *q, char *err, size_t errlen);
/* Make a fresh qcow2 scratch image of disk (a raw image), a fresh memory
 * file mapped at q->ram (the previous mapping goes) with the kernel's
 * segments in it, and start QEMU stopped at reset (-S), its gdbstub on
 * 127.0.0.1:gdb_port (0: a free port), its serial port on the console
 * socket, QMP on the QMP socket. 0, or -1 with err filled in. */
int qemu_launch(struct qemu *q, const char *binary, const char *kernel,
                const char *disk, int gdb_port, char *err, size_t errlen);
/* The guest's RAM size from scripts/qemu.args (-m), in bytes; 0 if none. */
size_t qemu_ram_bytes(void);
/* Whether it has exited (reaped now): 1 with a description in why, or 0. */
int qemu_reap(struct qemu *q, char *why, size_t whylen);
/* Whether QEMU is stopped by a signal (SIGSTOP, a debugger's ptrace). */
bool qemu_stopped(const struct qemu *q);
/* Send QEMU a signal; waits for nothing (qemu_reap says how it ended). */
void qemu_signal(struct qemu *q, int sig);
/* SIGKILL and reap. Nothing when none runs. */
void qemu_kill(struct qemu *q);
/* Kill it, unmap its RAM and remove the scratch directory. */
void qemu_cleanup(struct qemu *q);
/* The last line QEMU printed (its error message when it refused to
 * start), or "". */
void qemu_last_words(const struct qemu *q, char *buf, size_t cap);

/* The RAM mapped writable, for a moment (qemu_ram_done), or NULL. */
uint8_t *qemu_ram_writable(const struct qemu *q);
void qemu_ram_done(const struct qemu *q, uint8_t *ram);

/* A non-blocking connection to the console socket, or -1. */
int qemu_connect_console(const struct qemu *q, char *err, size_t errlen);
/* A non-blocking connection to the QMP socket, or -1. */
int qemu_connect_qmp(const struct qemu *q, char *err, size_t errlen);
/* A non-blocking TCP connection to HOST:PORT (--console), or -1. */
int net_connect(const char *hostport, char *err, size_t errlen);
/* A TCP port on 127.0.0.1 that nobody listens on right now, or -1. */
int net_free_port(void);

#endif
