/* lifecycle.h -- QEMU's life under the daemon: starting it (qemu.c) or
 * attaching to one started by hand, connecting to its gdbstub and serial
 * console, noticing that it died, killing it for a restart.
 *
 * The run control (target.c) is told through the hooks: up when the
 * gdbstub connection is made (the console is in the serial given at init),
 * down when QEMU is gone (it must let go of the connection), changed when
 * something the status shows has changed. A QEMU the daemon runs is also
 * connected to on its QMP socket (l->qmp, before up). Only down and lifecycle_kill()
 * end a QEMU the daemon runs; a QEMU that stops answering is not dead. */
#ifndef GLASSBOX_LIFECYCLE_H
#define GLASSBOX_LIFECYCLE_H

#include <stdbool.h>
#include <stddef.h>

#include "loop.h"
#include "qemu.h"
#include "qmp.h"
#include "kernel_image.h"
#include "rsp_conn.h"
#include "rsp_dial.h"
#include "serial.h"

enum life_state { LIFE_NONE, LIFE_STARTING, LIFE_RUNNING, LIFE_DEAD };

struct life_config {
    const char *qemu;    /* the QEMU binary */
    const char *kernel;  /* kernel ELF: the daemon's copy (kernel_image.h) */
    const struct kernel_image *image; /* that copy, NULL when attached */
    const char *disk;    /* disk image, copied before each start */
    int gdb_port;        /* 0: any free port */
    const char *attach;  /* HOST:PORT of a QEMU started by hand, or NULL */
    const char *console; /* with attach: HOST:PORT of its serial port, or NULL */
    size_t rewind_bytes; /* the run control's: memory for the saved states' RAM */
};

struct life_hooks {
    void (*up)(void *ctx, struct rsp_conn *rsp); /* rsp is the hook's now */
    void (*down)(void *ctx, const char *why);
    void (*changed)(void *ctx); /* frozen included */
    void *ctx;
};

struct lifecycle {
    struct life_config cfg;
    struct life_hooks hooks;
    struct serial *serial;
    struct qemu qemu;
    struct qmp *qmp;       /* QEMU's QMP, when we run QEMU and it is connected */
    bool launched;         /* we run QEMU (not --attach) */
    bool frozen;           /* it is stopped by a signal (SIGSTOP): not responding */
    enum life_state state;
    char message[512];     /* why it is dead */
    struct rsp_dial *dial; /* reaching the gdbstub (rsp_dial.h), or NULL */
    int connect_tries;
    int death_ticks;
    struct loop_timer connect_timer, reap_timer, death_timer;
};

/* 0, or -1 with err filled in (no scratch directory). */
int lifecycle_init(struct lifecycle *l, const struct life_config *cfg,
                   struct serial *serial, const struct life_hooks *hooks,
                   char *err, size_t errlen);
/* Kill QEMU and remove its files. */
void lifecycle_free(struct lifecycle *l);

/* Start QEMU (or attach): up or down follows, now or from the loop. */
void lifecycle_start(struct lifecycle *l);
/* QEMU is gone (or as good as: its sockets closed): state dead, message
 * why, then the down hook. Nothing if it is already dead. */
void lifecycle_dead(struct lifecycle *l, const char *why);
/* For a restart: kill a QEMU the daemon runs (no hook), state none. */
void lifecycle_kill(struct lifecycle *l);

const char *lifecycle_state_name(enum life_state s);
/* The pid of the QEMU the daemon runs, or 0. */
int lifecycle_qemu_pid(const struct lifecycle *l);

#endif
