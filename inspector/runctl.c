/* runctl.c -- the run control: resuming the guest, awaiting its stops,
 * deciding what each one means for the command in progress, reporting the
 * ones the user sees (target_int.h; breakpoints and the watch in breaks.c,
 * the guest's memory through guest.c).
 *
 * How the commands work (docs/protocol.md has the user's view):
 *
 * - pause: the 0x03 byte; the stop reply comes on the gdbstub socket.
 * - step: one instruction with QEMU's default single-step flags
 *   (interrupts and timers masked while stepping).
 * - step_line: single steps while the pc stays on the same line of the same
 *   kernel function. A step that lands in another function with ra = the
 *   previous pc + 4 was a call: a temporary breakpoint at ra and a continue
 *   run the callee at full speed. A step that lands elsewhere (a return, a
 *   trap) ends the command where it landed. After STEP_LINE_STEPS steps on
 *   one line (a loop), breakpoints go on every address where another line
 *   of the function starts (kernel_model_next_line_addrs) and the guest
 *   continues to the first of them.
 * - run_to: the kernel's event_watch mask gets the bit of the kind waited
 *   for, and a breakpoint goes at event_watched(kind, pid, data, seq,
 *   caller), which event_log calls for an event of a watched kind before
 *   writing it into the ring (kernel/event.c): events of other kinds go by
 *   at full speed. When it hits, a0 is the kind, a1 the pid, a2 the address
 *   of the payload, a3 the seq the event gets and a4 where event_log
 *   returns to (the syscall number is read from the payload, the program's
 *   name from proc[] only once kind and pid match). Another event of that
 *   kind (another process's, another call): the guest goes on, unseen. The
 *   wanted one: the breakpoint goes, the mask is cleared, a temporary
 *   breakpoint goes at a4 and the guest runs to it, so the stop is reported
 *   in the code that logged the event, with the event in the ring (no live
 *   sample is taken meanwhile: the event belongs to the stop's snapshot).
 *   For cow_fault the PTE and the frame refcounts are updated by then:
 *   cow_fault() logs after doing its work.
 * - watch: breaks.h (two write watchpoints that follow the page's frame).
 * - Resuming from a pc that has a breakpoint: QEMU would stop there again
 *   at once, so the first instruction is single-stepped (single-stepping
 *   ignores breakpoints in QEMU), then the guest continues.
 * - Breakpoints and watchpoints can only be changed while the guest is
 *   stopped: when it runs, it is interrupted, the change is made, and it
 *   goes on (unseen, unless it stopped for a reason of its own meanwhile). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "guest.h"
#include "target_int.h"
#include "task.h"

#define STEP_LINE_STEPS 512    /* single steps on one line before breakpoints */
#define DRIVE_MAX 4096         /* hidden stops handled in one go */
#define SIGINT_NUM 2
#define SIGTRAP_NUM 5

enum action { ACT_DONE, ACT_STEP, ACT_CONTINUE };

static void drive(struct target *t, struct rsp_stop *stop);

/* ---- reading the registers ------------------------------------------------- */

int runctl_read_regs(struct target *t)
{
    uint8_t buf[33 * 4 + 64];
    size_t len;

    if (rsp_conn_read_gregs(t->rsp, buf, sizeof buf, &len) < 0 || len < 33 * 4)
        return -1;
    for (int i = 0; i < 33; i++)
        t->regs[i] = (uint32_t)buf[4 * i] | (uint32_t)buf[4 * i + 1] << 8 |
                     (uint32_t)buf[4 * i + 2] << 16 |
                     (uint32_t)buf[4 * i + 3] << 24;
    return 0;
}

/* ---- awaiting stops -------------------------------------------------------- */

static void stall_tick(void *ctx)
{
    struct target *t = ctx;

    if (!target_connected(t) || t->stalled)
        return;
    t->stalled = true;
    loop_say("QEMU is not responding: a stop is %d ms late", STALL_MS);
    target_publish(t, false);
}

/* A stop reply is due soon (a step, an interrupt): if it is late, every
 * client hears that QEMU is not responding until it comes. */
static void expect_stop(struct target *t)
{
    loop_timer_set(&t->stall_timer, STALL_MS, stall_tick, t);
}

static void stop_arrived(struct target *t)
{
    loop_timer_cancel(&t->stall_timer);
    t->interrupting = false;
    if (t->stalled)
        loop_say("QEMU responds again");
    t->stalled = false;
}

/* A reply did not come while the guest is stopped: QEMU is stopped
 * (SIGSTOP) or starved, not dead. Every client hears that it is not
 * responding; the late replies are passed over as they arrive (runctl_on_rsp),
 * and then it is back (runctl_stall_over). Only a restart kills it. */
void runctl_stalled(struct target *t, const char *what)
{
    if (!t->stalled)
        loop_say("QEMU is not responding (%s: %s)", what, rsp_conn_error(t->rsp));
    t->stalled = true;
    loop_timer_cancel(&t->stall_timer);
    runctl_stall_over(t);
}

/* Whether the late replies have all come; if so, QEMU is back. A guest
 * stopped only for the daemon's errands (no stop was shown) goes on. */
void runctl_stall_over(struct target *t)
{
    int r = rsp_conn_recover(t->rsp);

    if (r < 0) {
        mark_dead(t, rsp_conn_error(t->rsp));
        return;
    }
    if (r == 0)
        return;
    loop_say("QEMU responds again");
    t->stalled = false;
    breaks_settle(&t->br);
    if (!t->stop && !t->running && runctl_read_regs(t) == 0)
        runctl_run(t);
}

/* Ask a running guest to stop; the stop comes on the gdbstub socket. */
int runctl_interrupt(struct target *t)
{
    if (t->interrupting)
        return 0;
    if (rsp_conn_interrupt(t->rsp) < 0) {
        target_rsp_failed(t, "interrupting the guest");
        return -1;
    }
    t->interrupting = true;
    expect_stop(t);
    return 0;
}

/* ---- resuming -------------------------------------------------------------- */

static void set_running(struct target *t)
{
    t->running = true;
    if (t->mode == M_STEP || t->mode == M_REPLAY)
        return; /* the stop before it stays in sight */
    json_decref(t->stop);
    t->stop = NULL;
    target_publish(t, false);
}

/* 1 stopped (stop filled in), 0 running, -1 failed. Nothing waits: the
 * stop reply is handled when it arrives. */
static int do_step(struct target *t, struct rsp_stop *stop)
{
    /* Off a watchpoint's stop: the store it stopped at done without them
     * (breaks.h); they are back at the step's stop (decide). */
    if (t->at_watch_hit)
        breaks_watch_hold(&t->br, true);
    t->at_watch_hit = false;
    if (rsp_conn_step(t->rsp) < 0)
        return -1;
    t->steps_since++;
    t->last_step = true;
    t->running = true;
    expect_stop(t);
    return rsp_conn_poll_stop(t->rsp, stop);
}

static int do_continue(struct target *t, struct rsp_stop *stop)
{
    if (breaks_has(&t->br, PC(t)) || t->at_watch_hit) {
        int r = do_step(t, stop);
        if (r == 0)
            t->continue_after_step = true;
        if (r != 1)
            return r;
        t->running = false;
        breaks_watch_hold(&t->br, false);
        if (stop->reason == RSP_REASON_WATCH || stop->kind != RSP_STOP_SIGNAL)
            return 1;
        if (rsp_conn_continue(t->rsp) < 0)
            return -1;
        t->ran_since = true;
        t->loadvm_fresh = false;
        t->last_step = false;
        t->running = true;
        return rsp_conn_poll_stop(t->rsp, stop);
    }
    if (rsp_conn_continue(t->rsp) < 0)
        return -1;
    t->ran_since = true;
    t->loadvm_fresh = false;
    t->last_step = false;
    t->running = true;
    return rsp_conn_poll_stop(t->rsp, stop);
}

/* Resume with go (do_continue or do_step): a stop that is already there is
 * handled at once, else the guest is running. */
static void resume(struct target *t, int (*go)(struct target *, struct rsp_stop *),
                   const char *doing)
{
    struct rsp_stop stop;
    int r = go(t, &stop);

    if (r < 0)
        target_rsp_failed(t, doing);
    else if (r == 1)
        drive(t, &stop);
    else
        set_running(t);
}

void runctl_run(struct target *t)
{
    resume(t, do_continue, "resuming the guest");
}

void runctl_step(struct target *t)
{
    resume(t, do_step, "stepping");
}

/* The first run, from the stop at attaching or at QEMU's reset. */
void runctl_start(struct target *t)
{
    resume(t, do_continue, "starting the guest");
}

/* ---- deciding what a stop means -------------------------------------------- */

/* The kernel's event_watch: the kinds of event it calls event_watched for.
 * Through the gdbstub (the daemon never writes the shared RAM), in its
 * physical mode whatever guest_phys_begin() would do: stopped in user mode,
 * QEMU refuses a virtual write to a kernel page (U = 0) with E14. The
 * kernel's data is at VA = PA. */
static int write_kernel_word(struct target *t, uint32_t addr, uint32_t value)
{
    uint8_t b[4] = {value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, value >> 24};
    int r = -1;

    if (rsp_conn_set_phys_mode(t->rsp, true) == 0)
        r = rsp_conn_write_mem(t->rsp, addr, b, sizeof b);
    rsp_conn_set_phys_mode(t->rsp, false);
    return r;
}

static int watch_kinds(struct target *t, uint32_t mask)
{
    return write_kernel_word(t, t->event_watch, mask);
}

/* The kernel's watch_pid and watch_on_cpu (kernel/event.c): the watched
 * process and whether it runs now, so that it tells the switches that
 * change that, and only those. */
static int tell_kernel_watch(struct target *t)
{
    int pid = t->watch_switches ? t->br.watch.pid : 0;

    return write_kernel_word(t, t->watch_pid, (uint32_t)pid) < 0 ||
           write_kernel_word(t, t->watch_on_cpu, t->br.watch.va_set) < 0 ? -1 : 0;
}

int runctl_watch_switches(struct target *t, char *err, size_t errlen)
{
    bool want = t->br.watch.on && t->event_watched && t->watch_pid &&
                t->watch_on_cpu && t->switch_kind >= 0;

    if (want != t->watch_switches) {
        if (want && breaks_add(&t->br, t->event_watched) < 0) {
            snprintf(err, errlen, "cannot set a breakpoint at event_watched: %s",
                     rsp_conn_error(t->rsp));
            return -1;
        }
        if (!want)
            breaks_del(&t->br, t->event_watched);
        t->watch_switches = want;
    }
    if (tell_kernel_watch(t) < 0) {
        snprintf(err, errlen, "cannot write the kernel's watch_pid: %s",
                 rsp_conn_error(t->rsp));
        return -1;
    }
    return 0;
}

/* Drop the temporary breakpoints of the command in progress. */
void runctl_cancel_mode(struct target *t)
{
    switch (t->mode) {
    case M_RUN_TO:
        breaks_del(&t->br, t->event_watched);
        watch_kinds(t, 0);
        break;
    case M_RUN_TO_RET:
        breaks_del(&t->br, t->ret_addr);
        break;
    case M_STEP_LINE:
        if (t->sl.call_ret)
            breaks_del(&t->br, t->sl.call_ret);
        for (int i = 0; i < t->sl.naddrs; i++)
            breaks_del(&t->br, t->sl.addrs[i]);
        t->sl.call_ret = 0;
        t->sl.naddrs = 0;
        break;
    default:
        break;
    }
    t->mode = M_FREE;
}

/* Guest physical memory (guest.h), with the connection in physical mode
 * for the moment. 0 or -1. */
int runctl_read_phys(struct target *t, uint32_t pa, void *buf, size_t len)
{
    const struct kernel_layout *k = kernel_model_layout(t->km);
    int r = -1;

    if (k && guest_phys_begin(t->rsp) == 0)
        r = guest_read_phys(t->rsp, k, pa, buf, len);
    guest_phys_end(t->rsp);
    return r;
}

/* The system call number in the payload at event_watched (a2); -1 unknown. */
static int event_syscall(struct target *t)
{
    const struct event_field *num = kernel_model_event_field(t->km, t->want_kind, "num");
    uint8_t b[4];

    if (!num || runctl_read_phys(t, A(t, 2) + num->offset, b, sizeof b) < 0)
        return -1;
    return (int)guest_le32(b);
}

/* Whether the live process pid is called name. */
bool runctl_proc_named(struct target *t, int pid, const char *name)
{
    const struct kernel_layout *kl = kernel_model_layout(t->km);
    uint8_t *p = kl ? malloc(kl->proc_size ? kl->proc_size : 1) : NULL;
    char err[128];
    bool same = false;
    int found = -1;

    if (p && guest_phys_begin(t->rsp) == 0)
        found = guest_proc_lookup(t->rsp, kl, pid, p, err, sizeof err);
    guest_phys_end(t->rsp);
    if (found == 0) {
        size_t n = strlen(name);
        same = n < kl->p_name_len && memcmp(p + kl->p_name, name, n) == 0 &&
               p[kl->p_name + n] == '\0';
    }
    free(p);
    return same;
}

/* The seq the kernel's next event gets; -1 when it cannot be read. */
long long runctl_events_next(struct target *t)
{
    const struct kernel_layout *k = kernel_model_layout(t->km);
    uint8_t b[4];

    if (!k || runctl_read_phys(t, k->ring_addr + k->ring_next_seq, b, sizeof b) < 0)
        return -1;
    return guest_le32(b);
}

/* At event_watched: is this the event run_to waits for? Kind, then the
 * process, then the system call, and for reverse_continue the count of
 * such events; a payload that cannot be read counts as a match (better a
 * visible stop than a run that never ends). */
static bool want_event(struct target *t)
{
    if ((int)A(t, 0) != t->want_kind)
        return false;
    if (t->want_pid && (int)A(t, 1) != t->want_pid)
        return false;
    if (t->want_syscall >= 0) {
        int num = event_syscall(t);
        if (num >= 0 && num != t->want_syscall)
            return false;
    }
    if (t->want_program[0] && !runctl_proc_named(t, (int)A(t, 1), t->want_program))
        return false;
    return --t->want_count <= 0;
}

const char *runctl_kind_name(struct target *t, int kind)
{
    const char *name = json_string_value(json_array_get(t->kinds, (size_t)kind));

    return name ? name : "event";
}

/* The detail of the stop at the event matched: its kind, and for
 * reverse_continue whether it is the event it went back to. */
static void event_detail(struct target *t)
{
    const char *kind = runctl_kind_name(t, t->want_kind);

    if (t->want_seq < 0)
        snprintf(t->detail, sizeof t->detail, "%s", kind);
    else if (t->matched_event == t->want_seq)
        snprintf(t->detail, sizeof t->detail, "%s (event %lld, as the first time)",
                 kind, t->want_seq);
    else
        snprintf(t->detail, sizeof t->detail, "%s (event %lld; it was event %lld the "
                 "first time)", kind, t->matched_event, t->want_seq);
}

int runctl_run_to(struct target *t, const struct command *cmd, long long seq,
                  int count, const char *reason, char *err, size_t errlen)
{
    runctl_cancel_mode(t);
    if (!t->event_watched || !t->event_watch) {
        snprintf(err, errlen, "the kernel has no event_watched() and event_watch");
        return -1;
    }
    if (breaks_add(&t->br, t->event_watched) < 0) {
        snprintf(err, errlen, "cannot set a breakpoint at event_watched: %s",
                 rsp_conn_error(t->rsp));
        return -1;
    }
    if (watch_kinds(t, 1u << cmd->event_kind) < 0) {
        snprintf(err, errlen, "cannot write the kernel's event_watch: %s",
                 rsp_conn_error(t->rsp));
        breaks_del(&t->br, t->event_watched);
        return -1;
    }
    t->mode = M_RUN_TO;
    t->want_kind = cmd->event_kind;
    t->want_syscall = cmd->syscall;
    t->want_pid = cmd->pid;
    snprintf(t->want_program, sizeof t->want_program, "%s", cmd->program);
    t->want_seq = seq;
    t->want_count = count;
    t->run_to_reason = reason;
    t->matched_event = -1;
    event_detail(t);
    return 0;
}

static void where_detail(struct target *t, char *buf, size_t cap)
{
    const char *fn, *file;
    int line;

    if (kernel_model_where(t->km, PC(t), &fn, &file, &line) == 0)
        snprintf(buf, cap, "%s", fn);
    else
        snprintf(buf, cap, "0x%08" PRIx32, PC(t));
}

static enum action decide_step_line(struct target *t)
{
    const char *fn, *file;
    int line;

    if (t->sl.call_ret && PC(t) == t->sl.call_ret) {
        breaks_del(&t->br, t->sl.call_ret);
        t->sl.call_ret = 0;
    }
    for (int i = 0; i < t->sl.naddrs; i++)
        if (PC(t) == t->sl.addrs[i]) {
            runctl_report(t, "step_line", NULL);
            return ACT_DONE;
        }
    if (t->sl.naddrs > 0) /* some other breakpoint's business */
        return ACT_CONTINUE;
    if (kernel_model_where(t->km, PC(t), &fn, &file, &line) < 0 || !file) {
        runctl_report(t, "step_line", "left the kernel's line table");
        return ACT_DONE;
    }
    if (strcmp(fn, t->sl.function) != 0) {
        if (RA(t) == t->sl.prev_pc + 4 && !t->sl.call_ret) {
            /* A call: run the callee at full speed. */
            if (breaks_add(&t->br, RA(t)) < 0) {
                runctl_report(t, "step_line", "cannot set a breakpoint");
                return ACT_DONE;
            }
            t->sl.call_ret = RA(t);
            return ACT_CONTINUE;
        }
        runctl_report(t, "step_line", NULL);
        return ACT_DONE;
    }
    if (line != t->sl.line) {
        runctl_report(t, "step_line", NULL);
        return ACT_DONE;
    }
    if (++t->sl.steps >= STEP_LINE_STEPS) {
        /* A loop on one line: breakpoints where the other lines start. */
        int n = kernel_model_next_line_addrs(t->km, PC(t), t->sl.addrs,
                                             STEP_LINE_ADDRS);
        t->sl.naddrs = 0;
        for (int i = 0; i < n; i++) {
            if (breaks_add(&t->br, t->sl.addrs[i]) < 0)
                break;
            t->sl.addrs[t->sl.naddrs++] = t->sl.addrs[i];
        }
        if (t->sl.naddrs == 0) {
            runctl_report(t, "step_line", "no other line in this function");
            return ACT_DONE;
        }
        return ACT_CONTINUE;
    }
    t->sl.prev_pc = PC(t);
    return ACT_STEP;
}

/* Whether the guest was let run at full speed (not single-stepped): a
 * breakpoint it passed that is not the command's is passed by. */
static bool running_on(const struct target *t)
{
    return t->mode == M_FREE ||
           (t->mode == M_STEP_LINE && (t->sl.call_ret || t->sl.naddrs));
}

static enum action decide(struct target *t, struct rsp_stop *stop)
{
    char detail[160];

    t->running = false;
    breaks_watch_hold(&t->br, false);
    t->at_watch_hit = stop->reason == RSP_REASON_WATCH;
    if (stop->kind != RSP_STOP_SIGNAL) {
        runctl_cancel_mode(t);
        snprintf(detail, sizeof detail, "%s %d",
                 stop->kind == RSP_STOP_EXITED ? "status" : "signal",
                 stop->signal);
        runctl_report(t, "exited", detail);
        return ACT_DONE;
    }
    if (runctl_read_regs(t) < 0) {
        target_rsp_failed(t, "reading the registers");
        return ACT_DONE;
    }
    const char *ub = breaks_user_at(&t->br, PC(t));
    bool at_switch = t->watch_switches && PC(t) == t->event_watched &&
                     (int)A(t, 0) == t->switch_kind;
    if (at_switch)
        breaks_watch_switch(&t->br, (int)A(t, 1));
    if (t->pausing) {
        t->pausing = false;
        t->continue_after_step = false;
        runctl_cancel_mode(t);
        if (stop->reason == RSP_REASON_WATCH && t->br.watch.on &&
            breaks_watch_hit(&t->br, stop->watch_addr)) {
            snprintf(detail, sizeof detail, "pid %d va 0x%08" PRIx32,
                     t->br.watch.pid, t->br.watch.va);
            runctl_report(t, "watchpoint", detail);
        } else if (ub && stop->signal != SIGINT_NUM) {
            runctl_report(t, "breakpoint", ub);
        } else {
            runctl_report(t, "pause", NULL);
        }
        return ACT_DONE;
    }
    if (t->mode == M_REPLAY) {
        if (--t->replay_left > 0)
            return ACT_STEP;
        t->mode = M_FREE;
        rewind_replayed(t);
        return ACT_DONE;
    }
    if (t->continue_after_step) {
        t->continue_after_step = false;
        if (stop->reason != RSP_REASON_WATCH && stop->signal != SIGINT_NUM)
            return ACT_CONTINUE;
    }
    /* A hit on its way as the watch was taken out (it would read as a
     * breakpoint nobody set). */
    if (stop->reason == RSP_REASON_WATCH && !t->br.watch.on && t->mode == M_FREE)
        return ACT_CONTINUE;
    if (stop->reason == RSP_REASON_WATCH && t->br.watch.on) {
        if (!breaks_watch_hit(&t->br, stop->watch_addr))
            return t->mode == M_STEP || t->mode == M_STEP_LINE ? ACT_STEP
                                                               : ACT_CONTINUE;
        runctl_cancel_mode(t);
        snprintf(detail, sizeof detail, "pid %d va 0x%08" PRIx32 " (write at 0x%08" PRIx64 ")",
                 t->br.watch.pid, t->br.watch.va, stop->watch_addr);
        runctl_report(t, "watchpoint", detail);
        return ACT_DONE;
    }
    if (t->mode == M_RUN_TO && PC(t) == t->event_watched && !breaks_user_at(&t->br, PC(t))) {
        if (!want_event(t))
            return ACT_CONTINUE;
        t->matched_event = A(t, 3);
        event_detail(t);
        uint32_t caller = A(t, 4);
        if (breaks_add(&t->br, caller) < 0) {
            runctl_cancel_mode(t);
            runctl_report(t, t->run_to_reason, t->detail);
            return ACT_DONE;
        }
        breaks_del(&t->br, t->event_watched);
        watch_kinds(t, 0);
        t->ret_addr = caller;
        t->mode = M_RUN_TO_RET;
        return ACT_CONTINUE;
    }
    if (t->mode == M_RUN_TO_RET && PC(t) == t->ret_addr) {
        snprintf(detail, sizeof detail, "%s", t->detail);
        runctl_cancel_mode(t);
        runctl_report(t, t->run_to_reason, detail);
        return ACT_DONE;
    }
    if (at_switch && !ub && running_on(t) && stop->signal != SIGINT_NUM)
        return ACT_CONTINUE; /* the watch's, passing by */
    if (ub && stop->signal != SIGINT_NUM && t->mode != M_STEP) {
        snprintf(detail, sizeof detail, "%s", ub);
        runctl_cancel_mode(t);
        runctl_report(t, "breakpoint", detail);
        return ACT_DONE;
    }
    switch (t->mode) {
    case M_STEP_LINE:
        if (stop->signal == SIGINT_NUM)
            break;
        return decide_step_line(t);
    case M_STEP:
        t->mode = M_FREE;
        runctl_report(t, "step", NULL);
        return ACT_DONE;
    case M_RUN_TO:
    case M_RUN_TO_RET:
        if (stop->signal != SIGINT_NUM)
            return ACT_CONTINUE; /* another breakpoint of ours, passing by */
        break;
    default:
        break;
    }
    runctl_cancel_mode(t);
    if (stop->signal == SIGINT_NUM)
        runctl_report(t, "pause", NULL);
    else {
        where_detail(t, detail, sizeof detail);
        runctl_report(t, "breakpoint", detail);
    }
    return ACT_DONE;
}

/* Handle a stop and whatever hidden stops follow it synchronously. */
static void drive(struct target *t, struct rsp_stop *stop)
{
    if (rewind_warm_stopped(t))
        return;
    for (int i = 0; i < DRIVE_MAX; i++) {
        stop_arrived(t); /* it may have been in when the resume returned */
        enum action a = decide(t, stop);
        if (a == ACT_DONE || !target_connected(t))
            return;
        int r = a == ACT_STEP ? do_step(t, stop) : do_continue(t, stop);
        if (r < 0) {
            target_rsp_failed(t, "resuming the guest");
            return;
        }
        if (r == 0) {
            set_running(t);
            return;
        }
    }
    const char *reason = t->mode == M_STEP_LINE ? "step_line"
                         : t->mode == M_STEP   ? "step"
                                               : "event";
    runctl_cancel_mode(t);
    runctl_report(t, reason, "gave up after too many hidden stops");
}

/* ---- reporting a stop ------------------------------------------------------ */

void runctl_report(struct target *t, const char *reason, const char *detail)
{
    const char *fn, *file;
    int line;

    t->running = false;
    t->rerunning = false;
    t->stop_event = t->matched_event;
    t->matched_event = -1;
    json_decref(t->stop);
    t->stop = json_pack("{s:s, s:o}", "reason", reason, "pc", target_hex32(PC(t)));
    if (t->stop && detail)
        json_object_set_new(t->stop, "detail", target_text_json(detail));
    if (t->stop && t->stop_event >= 0) /* the event a run_to stopped at */
        json_object_set_new(t->stop, "event", json_integer(t->stop_event));
    long long from = rewind_came_from(t, reason);
    if (t->stop && from >= 0)
        json_object_set_new(t->stop, "from", json_integer(from));
    if (t->stop && kernel_model_where(t->km, PC(t), &fn, &file, &line) == 0) {
        json_object_set_new(t->stop, "function", target_text_json(fn));
        if (file) { /* a function may have no line-table row here */
            json_object_set_new(t->stop, "file", target_text_json(file));
            json_object_set_new(t->stop, "line", json_integer(line));
        }
    }
    breaks_watch_follow(&t->br);
    if (t->watch_switches)
        tell_kernel_watch(t); /* (a rewind loads the words saved) */
    if (!target_connected(t))
        return;
    /* An exited guest has nothing left to read. */
    if (strcmp(reason, "exited") != 0)
        snaps_take(t, false);
    unsigned steps_back = rewind_keep_stop(t, reason);
    if (t->stop)
        json_object_set_new(t->stop, "steps_back", json_integer(steps_back));
    target_publish(t, true);
    if (strcmp(reason, "exited") != 0)
        snaps_broadcast(t);
    json_t *extra = json_pack("{s:O}", "stop", t->stop);
    target_wait_answer(t, t->stop_waiters, &t->nstop_waiters, NULL, extra);
    json_decref(extra);
    rewind_stop_reported(t);
}

/* ---- the gdbstub socket ---------------------------------------------------- */

/* A stop arrived. Errands are done first (the guest is stopped now); an
 * interrupt nobody wants to see (an errand's, or one that crossed a stop
 * of the guest's own) lets the guest go on unseen. */
static void on_stop(struct target *t, struct rsp_stop *stop)
{
    bool plain_sigint = stop->kind == RSP_STOP_SIGNAL &&
                        stop->signal == SIGINT_NUM &&
                        stop->reason == RSP_REASON_NONE;

    stop_arrived(t);
    if (rewind_warm_stopped(t))
        return;
    if (t->nerrands > 0) {
        t->running = false;
        if (runctl_read_regs(t) < 0) {
            target_rsp_failed(t, "reading the registers");
            return;
        }
        t->doing_errands = plain_sigint && !t->pausing;
        while (t->nerrands > 0 && target_connected(t)) {
            struct errand e = asking_list_take(t->errands, &t->nerrands);
            target_run_command(t, &e.cmd, e.from, true);
            command_clear(&e.cmd);
        }
        t->doing_errands = false;
        if (!target_connected(t))
            return;
    }
    if (rewind_checkpoint_stopped(t, plain_sigint))
        return;
    if (plain_sigint && !t->pausing && t->last_step && !t->continue_after_step) {
        /* The errand's interrupt reached QEMU during a single step, and
         * its stop came in place of the step's own: take it as the step's
         * (running on would turn a step into a run). */
        stop->signal = SIGTRAP_NUM;
    } else if (plain_sigint && !t->pausing) {
        t->running = false;
        t->continue_after_step = false; /* this continue starts afresh */
        if (runctl_read_regs(t) < 0) {
            target_rsp_failed(t, "reading the registers");
            return;
        }
        runctl_run(t);
        return;
    }
    drive(t, stop);
}

static void rsp_readable(struct target *t)
{
    struct rsp_stop stop;

    if (!t->rsp)
        return;
    if (t->rsp_hangup) {
        t->rsp_hangup = false;
        mark_dead(t, "the gdbstub connection closed");
        return;
    }
    if (rsp_conn_timed_out(t->rsp)) {
        runctl_stall_over(t);
        return;
    }
    if (!t->running && t->pinging) {
        asking_probe_answer(t);
        return;
    }
    if (!t->running) {
        /* Nothing else is due while stopped: either EOF or noise. */
        char buf[256];
        ssize_t n = recv(rsp_conn_fd(t->rsp), buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0)
            mark_dead(t, "the gdbstub closed the connection");
        else if (n > 0)
            loop_say("ignored %zd stray bytes from the gdbstub", n);
        return;
    }
    int r = rsp_conn_poll_stop(t->rsp, &stop);
    if (r < 0)
        target_rsp_failed(t, "waiting for the guest to stop");
    else if (r == 1)
        on_stop(t, &stop);
}

/* The task's job (task.h): whatever the gdbstub socket brought. */
static void rsp_job(void *ctx)
{
    struct target *t = ctx;

    rsp_readable(t);
    target_publish(t, false);
}

/* The loop's callback for the gdbstub socket. Work waiting for a reply
 * goes on; else the socket's news are handled, as the task. */
void runctl_on_rsp(void *ctx, int what)
{
    struct target *t = ctx;

    if (what & LOOP_HUP) {
        t->rsp_w = NULL; /* lws closes its duplicate of the fd */
        t->rsp_hangup = true;
        if (task_waiting())
            task_run(rsp_job, t); /* after the waiting work has read the EOF */
    }
    if (task_waiting())
        task_wake(1);
    else
        task_run(rsp_job, t);
    if (!task_waiting())
        asking_after_task(t);
    target_publish(t, false);
}

/* ---- waiting for a reply --------------------------------------------------- */

static void reply_late(void *ctx)
{
    struct target *t = ctx;

    if (!task_waiting() || !target_connected(t))
        return;
    if (!t->stalled)
        loop_say("QEMU is not responding: a reply is %d ms late", STALL_MS);
    t->stalled = true;
    asking_list_fail(t, t->held, &t->nheld, "QEMU is not responding");
    target_publish(t, false);
}

/* The connection's waiter (rsp_conn.h): in the task, the loop goes on
 * while a reply is due, for as long as it takes; clients hear that QEMU is
 * not responding after STALL_MS, and it is back when the reply comes. Only
 * letting QEMU go (disconnect) ends the wait early. Outside the task (as
 * QEMU is attached), the reply is polled for. */
int runctl_wait_reply(void *ctx, int fd, int64_t deadline)
{
    struct target *t = ctx;

    (void)fd;
    (void)deadline;
    if (!task_inside())
        return RSP_WAIT_POLL;
    loop_timer_set(&t->reply_timer, STALL_MS, reply_late, t);
    int r = task_wait();
    loop_timer_cancel(&t->reply_timer);
    if (r < 0)
        return RSP_WAIT_GAVE_UP;
    if (t->stalled && !t->pinging && !t->interrupting && !t->travel_stalled) {
        loop_say("QEMU responds again");
        t->stalled = false;
    }
    return 1;
}
