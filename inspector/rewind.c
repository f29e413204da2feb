/* rewind.c -- going back (travel.c), for the run control (target_int.h).
 *
 * At each stop the user sees, once its status and snapshot are out, its
 * state is saved (travel_save: QEMU's savevm through QMP, the page store's
 * save from the loop), unless the guest came there by single steps alone
 * from a stop kept: then it is kept as those steps (travel_note_steps),
 * and going back to it is a load of the state before and the steps again.
 * Until a save is done every command but restart and sample waits here, in
 * order (the guest must not move before QEMU has saved it); so does one
 * sent during a rewind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest.h"
#include "tdesc.h"
#include "target_int.h"
#include "task.h"

#define WARM_MS 50             /* the guest's run between two loadvm */
#define TRAVEL_STALL_MS 3000   /* a save or rewind later than this: not responding */
#define CHECKPOINT_MS 2000     /* the running between two checkpoints, at least */

static void rewound(struct target *t, const char *error);
static void release_gated(struct target *t);

/* The guest is back: the next snapshot is taken from scratch (the
 * snapshotter's caches and event cursor belong to the later history). */
static void forget_later(struct target *t)
{
    snapshotter_reset(t->snap);
    json_decref(t->latest);
    t->latest = NULL;
}

static void travel_late(void *ctx)
{
    struct target *t = ctx;

    if (!travel_busy(t->tv) || !target_connected(t) || t->stalled)
        return;
    t->stalled = t->travel_stalled = true;
    loop_say("QEMU is not responding: its state is not saved or loaded after %d ms",
             TRAVEL_STALL_MS);
    asking_list_fail(t, t->gated, &t->ngated, "QEMU is not responding");
    target_publish(t, false);
}

static void travel_began(struct target *t)
{
    loop_timer_set(&t->travel_timer, TRAVEL_STALL_MS, travel_late, t);
}

/* A new QEMU (q and qmp its), or none: nothing to go back to, no rewind
 * in progress. */
void rewind_reset(struct target *t, const struct qemu *q, struct qmp *qmp)
{
    travel_reset(t->tv, q, qmp);
    t->rewinding = t->warming = t->travel_stalled = false;
    t->loaded = t->loaded_as = t->last_seq = -1;
    t->steps_since = 0;
    t->ran_since = t->loadvm_fresh = false;
    t->replay_left = 0;
    t->then_kind = 0;
    t->checkpointing = false;
    t->last_shown = -1;
    t->kept_ms = 0; /* (QEMU's reset has no state kept) */
    free(t->held_input);
    t->held_input = NULL;
    t->held_input_len = 0;
    rewind_forget_typed(t);
    loop_timer_cancel(&t->warm_timer);
    loop_timer_cancel(&t->travel_timer);
}

/* travel.c's question: whether the stop's messages are still going out. */
bool rewind_sending(void *ctx)
{
    struct target *t = ctx;

    return t->hooks.sending && t->hooks.sending(t->hooks.ctx);
}

/* The CSRs the daemon reads and writes besides those of the target
 * description, which lists the CSRs usable at reset (no stimecmp, no time):
 * QEMU's gdbstub takes every CSR at the number of the CSRs' first plus the
 * CSR's own (sstatus is CSR 0x100). */
#define CSR_SSTATUS 0x100u
#define CSR_STIMECMP 0x14du
#define CSR_TIME 0xc01u
#define CSR_TIMEH 0xc81u

static int csr_regnum(struct target *t, unsigned csr)
{
    const struct tdesc_reg *sstatus = tdesc_find(rsp_conn_tdesc(t->rsp), "sstatus");

    return sstatus && sstatus->regnum >= CSR_SSTATUS ? (int)(sstatus->regnum - CSR_SSTATUS + csr) : -1;
}

/* The guest's clock, the guest stopped; 0 if it cannot be read. */
static uint64_t guest_time(struct target *t)
{
    int lo = csr_regnum(t, CSR_TIME), hi = csr_regnum(t, CSR_TIMEH);
    uint64_t low, high;

    if (lo < 0 || rsp_conn_read_reg(t->rsp, (unsigned)lo, &low) < 0 ||
        rsp_conn_read_reg(t->rsp, (unsigned)hi, &high) < 0)
        return 0;
    return (high & 0xffffffffu) << 32 | (low & 0xffffffffu);
}

/* What is kept of the guest's state now besides the state itself: parent
 * the stop (or checkpoint) before it, shown the stop of the history to name
 * for it. */
static struct travel_facts facts_here(struct target *t, long long parent, long long shown)
{
    long long next = runctl_events_next(t);
    uint64_t console = t->hooks.console_mark ? t->hooks.console_mark(t->hooks.ctx) : 0;

    return (struct travel_facts){parent, travel_regs_sum(t->regs, sizeof t->regs),
                                 next < 0 ? 0 : (uint32_t)next, shown, console, guest_time(t)};
}

/* In runctl_report(), the stop's snapshot taken: keep this stop for going
 * back (not QEMU's reset, nor an exit: nothing to go back to). Reached from
 * the last stop by single steps alone, it is kept as those steps; else it
 * is saved. How many steps back reverse_step can go from it (0: it was
 * reached by running, or is not kept). */
unsigned rewind_keep_stop(struct target *t, const char *reason)
{
    const json_t *seqj = json_object_get(t->latest, "seq");
    long long from = t->last_seq;
    unsigned steps = t->steps_since;
    bool ran = t->ran_since;
    struct travel_point p;

    t->last_seq = -1;
    t->steps_since = 0;
    t->ran_since = false;
    if (!strcmp(reason, "rewind") || !strcmp(reason, "reverse_step"))
        t->loaded_as = json_integer_value(seqj);
    else
        t->loaded = t->loaded_as = -1; /* the guest moved */
    if (!target_connected(t) || !strcmp(reason, "exited") || !json_is_integer(seqj))
        return 0;
    long long seq = json_integer_value(seqj);
    t->last_seq = t->last_shown = seq; /* the next stop comes from this one */
    if (!strcmp(reason, "start"))
        return 0;
    t->kept_ms = loop_now_ms();
    struct travel_facts facts = facts_here(t, from, seq);
    if (ran || travel_note_steps(t->tv, seq, from, steps, &facts) < 0) {
        if (travel_save(t->tv, seq, &facts) == 0)
            travel_began(t);
    }
    return travel_point(t->tv, seq, &p) == 0 ? p.steps : 0;
}

/* The end of runctl_report(): what waited for this stop (pause_first)
 * goes on, unless a save is in progress (then when it is over). */
void rewind_stop_reported(struct target *t)
{
    if (!travel_busy(t->tv) && t->ngated > 0 && !t->releasing)
        release_gated(t);
}

long long rewind_came_from(const struct target *t, const char *reason)
{
    bool back = !strcmp(reason, "rewind") || !strcmp(reason, "reverse_step") ||
                !strcmp(reason, "reverse_continue");
    struct travel_point p;

    if (!back || t->rewind_to < 0)
        return t->last_shown;
    /* (a checkpoint is no stop of the history: the one before it is named) */
    return travel_point(t->tv, t->rewind_to, &p) == 0 ? p.facts.shown : t->rewind_to;
}

/* ---- checkpoints: a state saved before console input ----------------------- */

/* The checkpoint is over (saved or not): the input held goes to the guest,
 * which runs on. */
static void checkpoint_over(struct target *t)
{
    char err[200];

    t->checkpointing = false;
    t->kept_ms = loop_now_ms();
    if (t->held_input_len && serial_write(&t->serial, t->held_input, t->held_input_len,
                                          err, sizeof err) < 0)
        loop_say("console input lost: %s", err);
    else if (t->held_input_len)
        rewind_typed(t, t->held_input, t->held_input_len);
    free(t->held_input);
    t->held_input = NULL;
    t->held_input_len = 0;
    if (target_connected(t) && !t->running && !t->stop)
        runctl_run(t);
}

/* Console input while the guest runs, CHECKPOINT_MS or more after the last
 * state kept: the guest is stopped unseen (still shown running), its state
 * saved like a stop's under the seq of a live sample taken there, and the
 * input goes to the guest when the save is over. reverse_continue can then
 * go back to the moment before a command was typed and type it again,
 * even when no stop was made since the guest booted. Input that comes
 * meanwhile waits with it, up to what the console takes at once. 1: the
 * input is held (then it is sent); 0: it is not (send it now); -1: refused,
 * err says why. */
int rewind_hold_input(struct target *t, const char *data, size_t len, char *err,
                      size_t errlen)
{
    bool due = t->running && !t->pausing && !t->warming && !t->rerunning &&
               !t->rewinding && t->mode != M_STEP && t->mode != M_STEP_LINE &&
               t->mode != M_REPLAY && !travel_busy(t->tv) && travel_ready(t->tv) &&
               loop_now_ms() - t->kept_ms >= CHECKPOINT_MS;

    if (!t->checkpointing && !due)
        return 0;
    if (t->held_input_len + len > SERIAL_IN_MAX) {
        snprintf(err, errlen, "the console is not taking input (%zu bytes waiting)",
                 t->held_input_len);
        return -1;
    }
    char *more = realloc(t->held_input, t->held_input_len + len);
    if (!more)
        return 0;
    memcpy(more + t->held_input_len, data, len);
    t->held_input = more;
    t->held_input_len += len;
    if (!t->checkpointing) {
        t->checkpointing = true;
        if (runctl_interrupt(t) < 0)
            checkpoint_over(t); /* the input goes now */
    }
    return 1;
}

/* A stop while a checkpoint is due (on_stop). Its interrupt's own: the
 * state is saved, and the guest goes on when that is over. Any other stop
 * (a pause, a breakpoint, an event) is kept as a stop anyway: the input
 * goes to the guest now, to be read when it runs. Whether the stop was
 * the checkpoint's. */
bool rewind_checkpoint_stopped(struct target *t, bool plain_sigint)
{
    if (!t->checkpointing)
        return false;
    if (!plain_sigint || t->pausing) {
        checkpoint_over(t);
        return false;
    }
    t->running = false;
    if (runctl_read_regs(t) < 0 || snaps_take(t, true) < 0) {
        checkpoint_over(t);
        return true;
    }
    json_object_set_new(t->latest, "checkpoint", json_true());
    snaps_broadcast(t);
    long long seq = json_integer_value(json_object_get(t->latest, "seq"));
    struct travel_facts facts = facts_here(t, t->last_seq, t->last_shown);
    if (travel_save(t->tv, seq, &facts) < 0) {
        checkpoint_over(t);
        return true;
    }
    travel_began(t);
    t->last_seq = seq;
    t->steps_since = 0;
    t->ran_since = false;
    t->loaded = t->loaded_as = -1;
    return true;
}

/* Whether cmd waits for the save or rewind in progress (or for the
 * commands that already wait). */
bool rewind_gate(struct target *t, const struct command *cmd, struct client *from)
{
    if (!travel_busy(t->tv) && !t->warming && (t->ngated == 0 || t->releasing))
        return false;
    asking_list_add(t, t->gated, &t->ngated, cmd, from);
    return true;
}

/* The rewind's load, the guest stopped: RAM back, loadvm (travel.c). */
static void rewind_load(struct target *t)
{
    char err[300];

    if (travel_rewind(t->tv, t->rewind_base, err, sizeof err) < 0) {
        target_wait_answer(t, t->stop_waiters, &t->nstop_waiters, err, NULL);
        return;
    }
    t->rewinding = true;
    travel_began(t);
}

static void warm_over(void *ctx)
{
    struct target *t = ctx;

    if (!t->warming || !target_connected(t))
        return;
    /* Stopped just now (a hidden stop, an errand) or the task's work
     * waiting for a reply: the warm run ends a little later. (Not ended,
     * it would hold every command for good.) */
    if (!t->running || task_waiting()) {
        loop_timer_set(&t->warm_timer, WARM_MS, warm_over, t);
        return;
    }
    runctl_interrupt(t);
}

/* A stop (any: the interrupt's, or the guest's own) while warming: the
 * rewind goes on. Whether it was one. */
bool rewind_warm_stopped(struct target *t)
{
    if (!t->warming)
        return false;
    t->warming = false;
    t->running = false;
    loop_timer_cancel(&t->warm_timer);
    rewind_load(t);
    return true;
}

/* Go back to p: the state of stop p->base loaded, then p->steps single
 * steps; the stop it ends at is reported as reason, and answers cmd. to:
 * the stop of the history that is, or -1. sum: the registers the steps
 * must come to, if checked. */
static void go_back(struct target *t, const struct command *cmd, struct client *from,
                    long long to, const struct travel_point *p, bool checked,
                    uint32_t sum, const char *reason)
{
    runctl_cancel_mode(t);
    target_wait_add(t, t->stop_waiters, &t->nstop_waiters, from, cmd->id);
    t->rewind_to = to;
    t->rewind_base = p->base;
    t->replay_left = p->steps;
    t->replay_checked = checked;
    t->replay_sum = sum;
    t->rewind_reason = reason;
    t->then_kind = 0;
    if (t->loadvm_fresh) {
        /* QEMU 7.2 loading a second state before the guest ran after the
         * first died of SIGSEGV or hung, single steps in between or not
         * (docs/time-travel.md): the guest runs a moment first, unseen
         * (that history is undone at once). */
        t->warming = true;
        loop_timer_set(&t->warm_timer, WARM_MS, warm_over, t);
        runctl_run(t);
        return;
    }
    rewind_load(t);
}

/* A command that goes back, sent while the guest runs: the guest is
 * paused (a stop every client sees, kept like any), and the command waits
 * for that stop's save, in order with the others. Whether it was so. */
static bool pause_first(struct target *t, const struct command *cmd, struct client *from)
{
    if (!t->running)
        return false;
    if (!t->pausing) {
        t->pausing = true;
        if (runctl_interrupt(t) < 0) {
            target_reply(t, from, control_reply_error(cmd->id, "cannot interrupt"));
            return true;
        }
    }
    asking_list_add(t, t->gated, &t->ngated, cmd, from);
    return true;
}

void rewind_start(struct target *t, const struct command *cmd,
                  struct client *from)
{
    struct travel_point p;
    char err[300];

    if (pause_first(t, cmd, from))
        return;
    if (travel_point(t->tv, cmd->seq, &p) < 0) {
        travel_rewind(t->tv, cmd->seq, err, sizeof err); /* says why */
        target_reply(t, from, control_reply_error(cmd->id, "%s", err));
        return;
    }
    if (t->loaded >= 0 && (cmd->seq == t->loaded || cmd->seq == t->loaded_as)) {
        /* Already there: the stop is shown again. */
        runctl_cancel_mode(t);
        target_wait_add(t, t->stop_waiters, &t->nstop_waiters, from, cmd->id);
        t->rewind_to = t->loaded;
        t->replay_left = 0;
        t->replay_checked = false;
        t->rewind_reason = "rewind";
        t->then_kind = 0;
        forget_later(t);
        rewind_replayed(t);
        return;
    }
    go_back(t, cmd, from, cmd->seq, &p, true, p.facts.regs_sum, "rewind");
}

/* One instruction back: the present stop is steps from a saved state;
 * the state is loaded and one step fewer is made. */
void rewind_reverse_step(struct target *t, const struct command *cmd,
                         struct client *from)
{
    struct travel_point p;
    char err[300];

    if (t->running) {
        target_reply(t, from, control_reply_error(cmd->id, "the guest is running: "
                     "pause it first"));
        return;
    }
    if (travel_point(t->tv, t->last_seq, &p) < 0) {
        travel_rewind(t->tv, t->last_seq, err, sizeof err); /* says why */
        target_reply(t, from, control_reply_error(cmd->id, "%s", err));
        return;
    }
    if (p.steps == 0) {
        target_reply(t, from, control_reply_error(cmd->id,
                     "stop %lld was reached by running, not by steps: the instruction "
                     "before it is not known (reverse_step goes back over steps; "
                     "rewind to an earlier stop and step from there)", t->last_seq));
        return;
    }
    /* The stop kept one step before, if there is one: the guest is back
     * at it, and its registers are the ones to come to. */
    p.steps--;
    long long to = travel_stop_at(t->tv, p.base, p.steps);
    struct travel_point at;
    bool checked = to >= 0 && travel_point(t->tv, to, &at) == 0;
    go_back(t, cmd, from, to, &p, checked, checked ? at.facts.regs_sum : 0, "reverse_step");
}

/* QEMU 7.2's loadvm leaves the guest's clock (the time CSR) at the state's
 * time less the clock's value at the load: below zero (measured,
 * docs/time-travel.md). A second later it wraps round, the kernel's next
 * compare (now + one tick) wraps with it, and thousands of timer interrupts
 * come at once. The clock is set back to the state's own time by writing
 * the ACLINT's mtime register, which every hart's time CSR reads. */
#define ACLINT_MTIME 0x0200bff8u   /* QEMU virt: the CLINT at 0x2000000 */

static int set_guest_time(struct target *t, uint64_t time)
{
    uint8_t le[8];

    for (int i = 0; i < 8; i++)
        le[i] = (uint8_t)(time >> (8 * i));
    if (rsp_conn_set_phys_mode(t->rsp, true) < 0)
        return -1;
    int ok = rsp_conn_write_mem(t->rsp, ACLINT_MTIME, le, sizeof le);
    return rsp_conn_set_phys_mode(t->rsp, false) < 0 ? -1 : ok;
}

/* QEMU 7.2 does not save the timer behind stimecmp (Sstc), so after
 * loadvm no timer interrupt would ever come: stimecmp written again with
 * the value loadvm gave it arms the timer for it. 0 or -1. */
static int rearm_timer(struct target *t)
{
    int regnum = csr_regnum(t, CSR_STIMECMP);
    uint64_t v;

    if (regnum < 0 || rsp_conn_read_reg(t->rsp, (unsigned)regnum, &v) < 0)
        return -1;
    return rsp_conn_write_reg(t->rsp, (unsigned)regnum, v, 4);
}

/* Console input, with where the guest was when it came: the stop before
 * (after) and the seq of the kernel's next event then. reverse_continue
 * types again what came on the way from the stop it goes back to up to
 * the event, so the guest can take that way again. */
void rewind_typed(struct target *t, const char *data, size_t len)
{
    struct typed *in = &t->typed[t->ntyped % TYPED_MAX];
    char *copy = malloc(len);

    if (!copy)
        return;
    if (t->ntyped >= TYPED_MAX)
        free(in->text);
    long long next = guest_ram_shared() ? runctl_events_next(t) : -1;
    *in = (struct typed){t->last_seq, next < 0 ? 0 : (uint32_t)next, len, copy};
    memcpy(copy, data, len);
    t->ntyped++;
}

void rewind_forget_typed(struct target *t)
{
    for (size_t i = 0; i < TYPED_MAX && i < t->ntyped; i++)
        free(t->typed[i].text);
    t->ntyped = 0;
    free(t->retype);
    t->retype = NULL;
    t->retype_len = 0;
}

/* Whether stop seq is on the guest's way from stop from to stop to
 * (following each stop's parent back from to). */
static bool on_the_way(struct target *t, long long seq, long long from, long long to)
{
    struct travel_point p;

    for (long long at = to; at >= 0; at = p.facts.parent) {
        if (at == seq)
            return true;
        if (at == from || travel_point(t->tv, at, &p) < 0)
            return false;
    }
    return false;
}

/* What was typed on the way from stop from to here before event e, in
 * order, into t->retype. */
static void gather_typed(struct target *t, long long from, long long e)
{
    size_t first = t->ntyped > TYPED_MAX ? t->ntyped - TYPED_MAX : 0;

    free(t->retype);
    t->retype = NULL;
    t->retype_len = 0;
    for (size_t i = first; i < t->ntyped; i++) {
        const struct typed *in = &t->typed[i % TYPED_MAX];
        if (in->events_next > e || !on_the_way(t, in->after, from, t->last_seq))
            continue;
        char *more = realloc(t->retype, t->retype_len + in->len);
        if (!more)
            return;
        memcpy(more + t->retype_len, in->text, in->len);
        t->retype = more;
        t->retype_len += in->len;
    }
}

/* The kernel's event ring, whole (nevent slots), or NULL. */
static uint8_t *read_ring(struct target *t, const struct kernel_layout *k)
{
    size_t len = (size_t)k->nevent * k->event_size;
    uint8_t *ring = malloc(len);

    if (ring && runctl_read_phys(t, k->ring_addr + k->ring_slot, ring, len) < 0) {
        free(ring);
        return NULL;
    }
    return ring;
}

/* Slot i of the ring, if it holds an event of kind (of process pid, unless
 * 0) with a seq in [lo, hi]: its seq, else 0. *who: its pid. */
static uint32_t ring_match(const struct kernel_layout *k, const uint8_t *ring, uint32_t i,
                           int kind, int pid, uint32_t lo, uint32_t hi, int *who)
{
    const uint8_t *e = ring + (size_t)i * k->event_size;
    uint32_t seq = guest_le32(e + k->e_seq);

    *who = (int)guest_le32(e + k->e_pid);
    if (seq == 0 || seq < lo || seq > hi || (int)guest_le32(e + k->e_kind) != kind ||
        (pid && *who != pid))
        return 0;
    return seq;
}

/* Whether process pid ran program when event seq happened: the program of
 * its newest exec in the ring up to that event (the process may have ended
 * since, or run another), else, with no exec of it in the ring, its name
 * now. */
static bool named_then(struct target *t, const struct kernel_layout *k, const uint8_t *ring,
                       int pid, uint32_t seq, const char *program)
{
    int exec_kind = kernel_model_event_kind(t->km, "exec");
    const struct event_field *path = kernel_model_event_field(t->km, exec_kind, "path");
    const uint8_t *newest = NULL;
    uint32_t newest_seq = 0;
    int who;

    for (uint32_t i = 0; path && i < k->nevent; i++) {
        uint32_t s = ring_match(k, ring, i, exec_kind, pid, 1, seq, &who);
        if (s > newest_seq) {
            newest_seq = s;
            newest = ring + (size_t)i * k->event_size + k->e_data + path->offset;
        }
    }
    if (!newest)
        return runctl_proc_named(t, pid, program);
    char ran[64];
    size_t n = path->size < sizeof ran ? path->size : sizeof ran - 1;
    memcpy(ran, newest, n);
    ran[n] = '\0';
    const char *slash = strrchr(ran, '/');
    return !strcmp(slash ? slash + 1 : ran, program);
}

/* Back to the last event of a kind (of one process, if pid): the newest
 * stop kept on the guest's way here from before that event is gone back
 * to, what was typed from there up to the event is typed again, and the
 * guest runs to the event (as many of its kind and process as came
 * between), its output held back (it was seen the first time). The event
 * the stop shown is at does not count: from a fork, back to the fork
 * before. */
void rewind_reverse_continue(struct target *t, const struct command *cmd,
                             struct client *from)
{
    const struct kernel_layout *k = kernel_model_layout(t->km);
    const char *kind = runctl_kind_name(t, cmd->event_kind);
    struct travel_point p;
    uint32_t e = 0;
    int pid = 0, who;

    if (pause_first(t, cmd, from))
        return;
    long long next = runctl_events_next(t);
    long long limit = t->stop_event >= 0 ? t->stop_event : next;
    uint8_t *ring = k && limit > 0 ? read_ring(t, k) : NULL;
    for (uint32_t i = 0; ring && i < k->nevent; i++) {
        uint32_t seq = ring_match(k, ring, i, cmd->event_kind, cmd->pid, 1,
                                  (uint32_t)limit - 1, &who);
        if (seq > e && (!cmd->program[0] || named_then(t, k, ring, who, seq, cmd->program))) {
            e = seq;
            pid = who;
        }
    }
    if (e == 0) {
        char whose[CONTROL_NAME_MAX + 40] = "";
        if (cmd->pid)
            snprintf(whose, sizeof whose, " of that process");
        else if (cmd->program[0])
            snprintf(whose, sizeof whose, " of a process running %s", cmd->program);
        free(ring);
        target_reply(t, from, control_reply_error(cmd->id, "no %s event%s before this "
                     "stop among the kernel's last %u events", kind, whose,
                     k ? k->nevent : 0));
        return;
    }
    long long at = t->last_seq;
    bool kept = travel_point(t->tv, at, &p) == 0;
    while (kept && p.facts.events_next > e) {
        at = p.facts.parent;
        kept = travel_point(t->tv, at, &p) == 0;
    }
    if (!kept) {
        free(ring);
        target_reply(t, from, control_reply_error(cmd->id, "the last %s is event %u, "
                     "and no stop from before it is kept to go back to", kind, e));
        return;
    }
    int count = 0;
    for (uint32_t i = 0; i < k->nevent; i++)
        count += ring_match(k, ring, i, cmd->event_kind, pid, p.facts.events_next, e, &who) > 0;
    free(ring);
    gather_typed(t, at, e);
    go_back(t, cmd, from, at, &p, true, p.facts.regs_sum, "reverse_continue");
    t->then_kind = cmd->event_kind;
    t->then_pid = pid;
    t->then_seq = e;
    t->then_count = count;
}

/* The guest is as it was at stop rewind_base: the steps to replay are
 * made from here (M_REPLAY), then rewind_replayed. */
static void rewound(struct target *t, const char *error)
{
    if (error) {
        loop_say("rewind to stop %lld failed: %s", t->rewind_base, error);
        char why[400];
        snprintf(why, sizeof why, "rewind failed (%s): restart the guest", error);
        target_wait_answer(t, t->stop_waiters, &t->nstop_waiters, why, NULL);
        return;
    }
    struct travel_point p;
    bool known = travel_point(t->tv, t->rewind_base, &p) == 0;
    if (runctl_read_regs(t) < 0 || (known && p.facts.time && set_guest_time(t, p.facts.time) < 0) ||
        rearm_timer(t) < 0) {
        target_rsp_failed(t, "reading the registers");
        return;
    }
    forget_later(t);
    if (t->hooks.console_back && known)
        t->hooks.console_back(t->hooks.ctx, p.facts.console);
    t->loadvm_fresh = true;
    t->last_seq = t->rewind_base;
    t->steps_since = 0;
    t->ran_since = false;
    if (t->replay_left > 0) {
        t->mode = M_REPLAY;
        runctl_step(t);
        return;
    }
    rewind_replayed(t);
}

/* The rewind is there: a stop like any other, with a word if the steps
 * replayed did not come to the registers the stop had the first time. */
void rewind_replayed(struct target *t)
{
    char detail[200];
    int n;

    if (t->then_kind > 0) { /* reverse_continue: on to the event */
        struct command to = {.event_kind = t->then_kind, .syscall = -1, .pid = t->then_pid};
        t->then_kind = 0;
        t->loaded = t->rewind_to;
        if (runctl_run_to(t, &to, t->then_seq, t->then_count, "reverse_continue", detail,
                          sizeof detail) < 0) {
            runctl_report(t, "reverse_continue", detail);
            return;
        }
        if (t->retype_len && serial_write(&t->serial, t->retype, t->retype_len, detail,
                                          sizeof detail) < 0)
            loop_say("reverse_continue: the console input is not typed again: %s", detail);
        t->rerunning = true;
        runctl_run(t);
        return;
    }

    if (t->rewind_to >= 0)
        n = snprintf(detail, sizeof detail, "to stop %lld", t->rewind_to);
    else
        n = snprintf(detail, sizeof detail, "%u step%s from stop %lld", t->steps_since,
                     t->steps_since == 1 ? "" : "s", t->rewind_base);
    if (t->replay_checked && travel_regs_sum(t->regs, sizeof t->regs) != t->replay_sum)
        snprintf(detail + n, sizeof detail - (size_t)n, ", but the steps did not come "
                 "back to the same registers (the guest is where they led)");
    t->loaded = t->rewind_to;
    runctl_report(t, t->rewind_reason, detail);
}

/* The commands that waited go on, in order, until one starts a save or a
 * rewind again. */
static void release_gated(struct target *t)
{
    /* Only those waiting now: one that waits again (a rewind while the
     * guest runs waits for the pause it asked for, pause_first) is for
     * the next release. */
    int waiting = t->ngated;

    t->releasing = true;
    while (waiting-- > 0 && t->ngated > 0 && !travel_busy(t->tv) && target_connected(t)) {
        struct errand e = asking_list_take(t->gated, &t->ngated);
        target_run_command(t, &e.cmd, e.from, false);
        command_clear(&e.cmd);
    }
    t->releasing = false;
}

/* A save or a rewind is over (travel.c's callback): what follows talks to
 * the gdbstub (a rewind's registers and steps), as the task. */
static void travel_done_job(void *ctx)
{
    struct target *t = ctx;
    const char *error = t->travel_error[0] ? t->travel_error : NULL;

    loop_timer_cancel(&t->travel_timer);
    /* The stop's snapshot is still the guest's state now: a live sample is
     * due a period after the guest goes on, not after the stop. */
    if (t->latest && !t->running)
        t->latest_ms = loop_now_ms();
    if (t->travel_stalled) {
        t->travel_stalled = t->stalled = false;
        loop_say("QEMU responds again");
    }
    if (t->rewinding) {
        t->rewinding = false;
        rewound(t, error);
    } else if (error) {
        loop_say("the state of this stop is not saved: %s", error);
    }
    if (t->checkpointing && !t->rewinding)
        checkpoint_over(t);
    release_gated(t);
    t->travel_error[0] = '\0';
    target_publish(t, false);
}

void rewind_travel_done(void *ctx, const char *error)
{
    struct target *t = ctx;

    snprintf(t->travel_error, sizeof t->travel_error, "%s", error ? error : "");
    task_run(travel_done_job, t);
}

bool target_saved(const struct target *t, long long seq)
{
    return travel_has(t->tv, seq);
}

json_t *target_travel_stats(const struct target *t)
{
    return travel_stats(t->tv);
}
