/* breaks.h -- the guest's breakpoints and its watched page, as the gdbstub
 * holds them.
 *
 * One Z0 per address however many reasons want it: the user's breakpoints
 * at kernel functions, and the temporary ones of run_to and step_line
 * (counted references). The watch: writes to a user page of a process.
 * QEMU's watchpoints are on virtual addresses, and the page is written two
 * ways: by the process itself through its user address (while its page
 * table is loaded; a hit while another process's table is loaded is not
 * ours), and by the kernel through the direct map, where the virtual
 * address is the frame's physical address (copyout(), the COW copy). So
 * there are two Z2s: one on the user page, one on the frame; the second
 * moves when the page gets a new frame (breaks_watch_follow, at every
 * stop). Every process has its stack at the same address, so the first is
 * in only while the process is on the CPU (breaks_watch_switch, told by run
 * control at each switch): else each store of every other process to that
 * address is a hidden stop, and the guest crawls. Everything here needs
 * the guest stopped. */
#ifndef GLASSBOX_BREAKS_H
#define GLASSBOX_BREAKS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control.h"
#include "kernel_model.h"
#include "rsp_conn.h"

#define BREAKS_MAX 128     /* distinct breakpoint addresses */
#define BREAKS_USER_MAX 32 /* the user's */
#define BREAKS_DOUBT_MAX 8

struct break_doubt {
    enum rsp_break type;
    uint32_t addr;
    unsigned kind;
};

struct breaks {
    struct rsp_conn *rsp;
    struct kernel_model *km;
    struct {
        uint32_t addr;
        int refs;
    } bps[BREAKS_MAX];
    int nbps;
    struct {
        uint32_t addr;
        char name[CONTROL_NAME_MAX];
    } user[BREAKS_USER_MAX];
    int nuser;
    struct {
        bool on;
        int pid;
        uint32_t va;     /* the page's first address */
        uint32_t pa;     /* its frame now */
        bool pa_set;     /* a Z2 on pa is in */
        bool va_set;     /* a Z2 on va is in: the process is on the CPU */
        bool held;       /* both taken out for a step (breaks_watch_hold) */
        char error[128]; /* why the frame could not be followed, or "" */
    } watch;
    struct break_doubt doubt[BREAKS_DOUBT_MAX]; /* breaks_settle() */
    int ndoubt;
};

/* Forget everything (a new connection, or none: rsp NULL). */
void breaks_reset(struct breaks *b, struct rsp_conn *rsp, struct kernel_model *km);

/* After QEMU answers again: take out what a request that timed out may
 * have put in (or failed to take out) once QEMU went on. */
void breaks_settle(struct breaks *b);

/* Counted Z0s. add: 0, or -1 (too many, or the stub refused). */
bool breaks_has(const struct breaks *b, uint32_t addr);
int breaks_add(struct breaks *b, uint32_t addr);
void breaks_del(struct breaks *b, uint32_t addr);

/* The user's: the function name of the one at addr, or NULL. */
const char *breaks_user_at(const struct breaks *b, uint32_t addr);
/* 0, or -1 with err filled in. */
int breaks_user_set(struct breaks *b, uint32_t addr, const char *name,
                    char *err, size_t errlen);
int breaks_user_clear(struct breaks *b, uint32_t addr, const char *name,
                      char *err, size_t errlen);
/* Their names, a new array. */
json_t *breaks_user_json(const struct breaks *b);

/* Watch the page of va in process pid (replacing any watch); *pa is its
 * frame. 0, or -1 with err filled in. */
int breaks_watch(struct breaks *b, int pid, uint32_t va, uint32_t *pa,
                 char *err, size_t errlen);
void breaks_unwatch(struct breaks *b);
/* After a stop: the physical watchpoint follows the page's frame, and is
 * taken out when the page is gone (its frame is the kernel's to reuse). */
void breaks_watch_follow(struct breaks *b);
/* Take the watchpoints out (hold) or put them back: QEMU stops at a store
 * into the watched page before it is done when the store faults (a COW
 * page), so the guest goes on from such a stop with one step without
 * them, or it would stop at the same store for ever. */
void breaks_watch_hold(struct breaks *b, bool hold);
/* A switch to process pid: the watchpoint on the user page is in only
 * while the watched process runs. */
void breaks_watch_switch(struct breaks *b, int pid);
/* Whether a write watchpoint hit at addr is the watched page's. */
bool breaks_watch_hit(struct breaks *b, uint64_t addr);
/* {"pid", "va", "pa", "error"} or null. New reference. */
json_t *breaks_watch_json(const struct breaks *b);

#endif
