/* travel.h -- the saved states of the stops, and going back to one
 * (docs/time-travel.md, design (d)).
 *
 * At a stop the user sees, the guest stopped: QEMU saves its devices and
 * takes a qcow2 internal snapshot of the disk (`savevm`, with migration
 * capability x-ignore-shared, so the shared RAM is left out), and the RAM
 * goes into the page store (pagestore.h). A rewind writes the stop's RAM
 * back, `loadvm`s its devices and disk, and writes the RAM back again (the
 * reset inside loadvm rewrites the device tree ROM in RAM). Both are
 * asynchronous: QMP's replies come in the loop; done is called when one
 * ends. Saved states past the byte budget go, oldest first (`delvm`).
 *
 * Only with a QEMU the daemon runs (its RAM file and its QMP socket). */
#ifndef GLASSBOX_TRAVEL_H
#define GLASSBOX_TRAVEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qemu.h"
#include "qmp.h"

struct travel;

/* done(ctx, error): the save or rewind in progress ended; error NULL, or
 * why it failed. sending(ctx): whether messages are still on their way to
 * the clients (the page store's save waits for them). budget: bytes for the
 * page store. */
struct travel *travel_new(size_t budget, void (*done)(void *ctx, const char *error),
                          bool (*sending)(void *ctx), void *ctx);
void travel_free(struct travel *tv);

/* A new QEMU (q and qmp its), or none (both NULL): every saved state is
 * forgotten, and an operation in progress is dropped (done not called). */
void travel_reset(struct travel *tv, const struct qemu *q, struct qmp *qmp);

/* Whether states can be saved (a QEMU of ours, x-ignore-shared not refused). */
bool travel_ready(const struct travel *tv);
/* A save or a rewind is in progress: the guest must stay stopped. */
bool travel_busy(const struct travel *tv);
/* Whether the stop with snapshot seq seq can be gone back to (its own
 * state, or steps from one). */
bool travel_has(const struct travel *tv, long long seq);

/* A checksum of a stop's registers (the gdbstub's 'g' block), to check
 * that steps replayed from a state came back to the same place. */
uint32_t travel_regs_sum(const void *regs, size_t len);

/* What is kept of a stop besides its state. */
struct travel_facts {
    long long parent;     /* the stop before it on the guest's own way, or -1 */
    uint32_t regs_sum;    /* travel_regs_sum() of its registers */
    uint32_t events_next; /* the seq the kernel's next event will get */
    long long shown;      /* the stop of the history to name for it: itself,
                             or for a checkpoint the stop reported before */
    uint64_t console;     /* where the console was (target_hooks' mark) */
    uint64_t time;        /* the guest's clock (the time CSR) */
};

/* Save the state of the stop seq (the guest stopped, not busy). The page
 * store's save is made from the loop once the stop's messages are out.
 * 0, or -1 (not ready: nothing to wait for). */
int travel_save(struct travel *tv, long long seq, const struct travel_facts *f);

/* Stop seq is `steps` single steps (0: none, the same state) from stop
 * from: kept as steps from from's state, nothing saved. 0, or -1 (from not
 * kept, or too many steps from a state: save seq instead). */
#define TRAVEL_STEPS_MAX 256
int travel_note_steps(struct travel *tv, long long seq, long long from,
                      unsigned steps, const struct travel_facts *f);

/* Where stop seq is: steps from the state of stop base. */
struct travel_point {
    long long base;
    unsigned steps;
    struct travel_facts facts;
};
/* 0, or -1 (seq not kept). */
int travel_point(const struct travel *tv, long long seq, struct travel_point *p);
/* The newest stop kept at that point (steps from base's state), or -1. */
long long travel_stop_at(const struct travel *tv, long long base, unsigned steps);

/* Load the state of stop seq, which must have one of its own (the guest
 * stopped, not busy): a stop that is steps from it is reached by stepping
 * after (travel_point). 0, or -1 with err filled in (nothing done). */
int travel_rewind(struct travel *tv, long long seq, char *err, size_t errlen);

/* {"states", "stops", "bytes", "budget", "dropped", "save_ms", "pages_ms",
 * "rewind_ms"} (the last of each, ms). New reference. */
json_t *travel_stats(const struct travel *tv);

#endif
