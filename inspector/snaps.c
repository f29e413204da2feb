/* snaps.c -- the latest snapshot (target_int.h): taken at each stop the
 * user sees, for a command, or as a live sample of the running guest, and
 * handed to every client. */
#include <stdio.h>
#include <time.h>

#include "guest.h"
#include "target_int.h"
#include "task.h"

#define SAMPLE_SHARE 10        /* a sample may take 1/10 of the time between two */

/* ---- taking one ------------------------------------------------------------ */

static int64_t wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Take one now, into t->latest: from the stopped guest, or a running
 * one's shared RAM. sample: a state the user did not stop at (marked so).
 * 0 or -1. */
int snaps_take(struct target *t, bool sample)
{
    char err[256];
    json_t *s = t->running && !guest_ram_shared() ? NULL
                : snapshotter_take(t->snap, t->running ? NULL : t->rsp, err,
                                   sizeof err);

    if (!s && t->running)
        snprintf(err, sizeof err, "a running guest without shared RAM");
    if (!s) {
        snprintf(t->snap_error, sizeof t->snap_error, "%s", err);
        loop_say("snapshot failed: %s", err);
        return -1;
    }
    t->snap_error[0] = '\0';
    json_object_set_new(s, "as_of", json_integer(wall_ms()));
    if (sample)
        json_object_set_new(s, "sample", json_true());
    json_decref(t->latest);
    t->latest = s;
    t->latest_ms = loop_now_ms();
    return 0;
}

void snaps_broadcast(struct target *t)
{
    if (t->latest)
        t->hooks.snapshot(t->hooks.ctx, t->latest);
}

/* ---- live samples ---------------------------------------------------------- */

/* Live samples a second: as asked, but at most SAMPLE_HZ_STOPPING when
 * each one has to stop the guest (no shared RAM: attached). */
int snaps_rate(const struct target *t)
{
    if (!guest_ram_shared() && t->sample_hz > SAMPLE_HZ_STOPPING)
        return SAMPLE_HZ_STOPPING;
    return t->sample_hz;
}

/* Whether a sample of the running guest may be taken now: not during a
 * single step or a rewind's steps, nor while running to the return of an
 * event that matched (the event belongs to the stop's snapshot, which is
 * due at once). */
bool snaps_may_sample(const struct target *t)
{
    return target_connected(t) && t->running && !t->stalled && !t->life.frozen && !t->warming &&
           t->mode != M_STEP && t->mode != M_REPLAY && t->mode != M_RUN_TO_RET;
}

bool snaps_errand_queued(const struct target *t)
{
    for (int i = 0; i < t->nerrands; i++)
        if (t->errands[i].cmd.kind == CMD_SNAPSHOT)
            return true;
    return false;
}

/* While the guest runs, every client gets snaps_rate() snapshots a
 * second, read from shared RAM without stopping it, or (attached) each at
 * a brief stop it is not shown. Called again to apply a new rate. */
void snaps_tick(void *ctx)
{
    struct target *t = ctx;
    int hz = snaps_rate(t);

    loop_timer_cancel(&t->sample_timer);
    if (hz <= 0)
        return;
    loop_timer_set(&t->sample_timer, 1000 / hz, snaps_tick, t);
    if (!snaps_may_sample(t) || task_waiting() || loop_now_ms() - t->latest_ms < 1000 / hz / 2)
        return;
    if (guest_ram_shared()) {
        int64_t start = loop_now_ms();
        if (snaps_take(t, true) == 0)
            snaps_broadcast(t);
        /* A big guest's sample (and its sending) may take long: the next
         * waits ten times as long, so samples take at most a tenth of a
         * core from the loop (and from QEMU, on a small host). */
        int64_t spent = loop_now_ms() - start;
        if (spent * SAMPLE_SHARE > 1000 / hz)
            loop_timer_set(&t->sample_timer, (int)(spent * SAMPLE_SHARE),
                           snaps_tick, t);
    } else if (!snaps_errand_queued(t)) {
        struct command cmd = {.kind = CMD_SNAPSHOT};
        asking_errand(t, &cmd, NULL);
    }
    target_publish(t, false);
}

/* ---- for the daemon -------------------------------------------------------- */

json_t *target_latest(struct target *t)
{
    return t->latest;
}

const struct snapshotter *target_snapshotter(const struct target *t)
{
    return t->snap;
}

json_t *target_snapshot(struct target *t, char *err, size_t errlen)
{
    if (target_connected(t) && !t->stalled && !t->latest && !t->running && t->nheld == 0 &&
        !task_waiting()) {
        /* Taken as a command is (as the task: it may wait for QEMU); if it
         * cannot be at once, every client gets it when it is. */
        struct command cmd = {.kind = CMD_SNAPSHOT};
        target_command(t, &cmd, NULL);
    }
    if (guest_ram_shared() && snaps_may_sample(t) &&
        (!t->latest || loop_now_ms() - t->latest_ms >= LIVE_SNAPSHOT_MIN_MS)) {
        if (snaps_take(t, true) == 0)
            snaps_broadcast(t);
    }
    if (target_connected(t) && t->running && !t->stalled && !snaps_errand_queued(t) &&
        (!t->latest || loop_now_ms() - t->latest_ms >= LIVE_SNAPSHOT_MIN_MS)) {
        /* Nothing waits here: a fresh one follows for every client. */
        struct command cmd = {.kind = CMD_SNAPSHOT};
        asking_errand(t, &cmd, NULL);
    }
    if (t->latest)
        return json_incref(t->latest);
    snprintf(err, errlen, "no snapshot yet%s%s", t->snap_error[0] ? ": " : "",
             t->snap_error);
    return NULL;
}
