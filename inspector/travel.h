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

#include "qemu.h"
#include "qmp.h"

struct travel;

/* done(ctx, error): the save or rewind in progress ended; error NULL, or
 * why it failed. budget: bytes for the page store. */
struct travel *travel_new(size_t budget, void (*done)(void *ctx, const char *error),
                          void *ctx);
void travel_free(struct travel *tv);

/* A new QEMU (q and qmp its), or none (both NULL): every saved state is
 * forgotten, and an operation in progress is dropped (done not called). */
void travel_reset(struct travel *tv, const struct qemu *q, struct qmp *qmp);

/* Whether states can be saved (a QEMU of ours, x-ignore-shared not refused). */
bool travel_ready(const struct travel *tv);
/* A save or a rewind is in progress: the guest must stay stopped. */
bool travel_busy(const struct travel *tv);
/* Whether the stop with snapshot seq seq has a saved state. */
bool travel_has(const struct travel *tv, long long seq);

/* Save the state of the stop seq (the guest stopped, not busy). The page
 * store's save is made from the loop, just after this returns (the stop's
 * messages go out first). 0, or -1 (not ready: nothing to wait for). */
int travel_save(struct travel *tv, long long seq);
/* Go back to the stop seq (the guest stopped, not busy). 0, or -1 with
 * err filled in (nothing done). */
int travel_rewind(struct travel *tv, long long seq, char *err, size_t errlen);

/* {"states", "bytes", "budget", "dropped", "save_ms", "pages_ms",
 * "rewind_ms"} (the last of each, ms). New reference. */
json_t *travel_stats(const struct travel *tv);

#endif
