/* target.h -- the guest under the daemon: the run control over the gdbstub
 * connection (QEMU's start and death: lifecycle.h), the serial console, and
 * the commands that drive it.
 *
 * Everything here runs in the one event loop. The guest is either running
 * (a resume was sent; the stop reply arrives on the gdbstub socket) or
 * stopped. Every stop the user should see is reported the same way: a
 * snapshot is taken, then the `status` and `snapshot` messages go out
 * through the hooks, then the replies of commands that waited for the stop.
 * Stops the user should not see (a breakpoint of run_to at another event
 * kind, one instruction of step_line) are handled here and the guest goes
 * on. */
#ifndef GLASSBOX_TARGET_H
#define GLASSBOX_TARGET_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "control.h"
#include "kernel_model.h"
#include "lifecycle.h"

struct client; /* who sent a command (server.h); only compared and passed back */

struct target_hooks {
    /* Messages for every client; borrowed references. */
    void (*status)(void *ctx, json_t *msg);
    void (*snapshot)(void *ctx, json_t *msg);
    /* Text from the serial port, valid UTF-8. again: output of a way the
     * guest went before and comes again (reverse_continue's run to the
     * event), seen already: it belongs to the console's history, and is not
     * news for anyone. */
    void (*console)(void *ctx, const char *text, size_t len, bool again);
    /* A reply for one client (to may be NULL: nobody asked). Borrowed. */
    void (*reply)(void *ctx, struct client *to, json_t *reply);
    /* A snapshot for one client only (the `snapshot` command while the
     * guest is stopped: the latest is current). Borrowed. */
    void (*unicast)(void *ctx, struct client *to, json_t *msg);
    /* QEMU is up (or failed to come up: ok false, why says why). */
    void (*started)(void *ctx, bool ok, const char *why);
    /* Whether messages are still on their way to some client (a stop's
     * save waits for them before it holds the loop). May be NULL. */
    bool (*sending)(void *ctx);
    /* Where the console is now, kept with each state saved (opaque here);
     * and the guest gone back to the state where the console was at mark.
     * May be NULL. */
    uint64_t (*console_mark)(void *ctx);
    void (*console_back)(void *ctx, uint64_t mark);
    void *ctx;
};

struct target;

struct target *target_new(const struct life_config *cfg,
                          struct kernel_model *km,
                          const struct target_hooks *hooks);
void target_free(struct target *t);

/* Start QEMU (or attach); the started hook says how it went. */
void target_start(struct target *t);

/* The current `status` message. New reference. */
json_t *target_status(struct target *t);
/* A snapshot as GET /api/snapshot serves it: the latest when the guest is
 * stopped (taken now if there is none), or one taken now (the guest stops
 * for as long as that takes) when it runs. New reference, or NULL with
 * err filled in. */
json_t *target_snapshot(struct target *t, char *err, size_t errlen);

/* The latest snapshot taken, or NULL. Borrowed. */
json_t *target_latest(struct target *t);
/* What read the latest snapshot, for its detail on demand (snapshot.h). */
const struct snapshotter *target_snapshotter(const struct target *t);

/* Carry out a validated command from `from` (NULL: nobody to answer).
 * The reply goes through the reply hook, now or when the command is done. */
void target_command(struct target *t, struct command *cmd,
                    struct client *from);
/* A client went away: forget the replies it waits for. */
void target_forget(struct target *t, struct client *c);

/* Whether the stop with snapshot seq seq can be rewound to (its state is
 * saved), and the figures of the saved states (travel.h). */
bool target_saved(const struct target *t, long long seq);
json_t *target_travel_stats(const struct target *t);

/* Type into the guest's serial port. 0, or -1 when the console is not
 * connected or too much input is waiting. */
int target_console_write(struct target *t, const char *data, size_t len,
                         char *err, size_t errlen);

#endif
