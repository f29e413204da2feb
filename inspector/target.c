/* target.c -- the run control: the gdbstub connection and the commands
 * that drive the guest (QEMU's start and death in lifecycle.c, breakpoints
 * and the watch in breaks.c, the serial socket in serial.c, the guest's
 * memory through guest.c).
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
 * - run_to: a breakpoint at event_log(kind, pid, data). When it hits, a0
 *   is the kind, a1 the pid and a2 the address of the payload (the syscall
 *   number is read from it, the program's name from proc[] only once kind
 *   and pid match). Another event: the guest goes on, unseen. The wanted one:
 *   the event_log breakpoint goes, a temporary one goes at the return
 *   address (ra) and the guest runs to it, so when the stop is reported
 *   the event is in the ring (and, for cow_fault, the PTE and the frame
 *   refcounts are updated: cow_fault() logs after doing its work).
 * - watch: breaks.h (two write watchpoints that follow the page's frame).
 * - Resuming from a pc that has a breakpoint: QEMU would stop there again
 *   at once, so the first instruction is single-stepped (single-stepping
 *   ignores breakpoints in QEMU), then the guest continues.
 * - Breakpoints and watchpoints can only be changed while the guest is
 *   stopped: when it runs, it is interrupted, the change is made, and it
 *   goes on (unseen, unless it stopped for a reason of its own meanwhile). */
#include "target.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "breaks.h"
#include "console.h"
#include "guest.h"
#include "lifecycle.h"
#include "loop.h"
#include "rsp_conn.h"
#include "serial.h"
#include "snapshot.h"
#include "tdesc.h"
#include "travel.h"

#define MAX_WAITERS 64
#define STEP_LINE_STEPS 512    /* single steps on one line before breakpoints */
#define STEP_LINE_ADDRS 256
#define DRIVE_MAX 4096         /* hidden stops handled in one go */
#define STALL_MS 1000          /* an awaited stop later than this: not responding */
#define LIVE_SNAPSHOT_MIN_MS 100
#define SAMPLE_HZ_DEFAULT 4    /* samples a second of a running guest */
#define SAMPLE_HZ_STOPPING 1   /* at most, when each one stops the guest */
#define SAMPLE_SHARE 10        /* a sample may take 1/10 of the time between two */
#define WARM_MS 50             /* the guest's run between two loadvm */
#define TRAVEL_STALL_MS 3000   /* a save or rewind later than this: not responding */
#define SIGINT_NUM 2
#define SIGTRAP_NUM 5

enum mode {
    M_FREE,        /* plain continue, or stopped */
    M_STEP,
    M_STEP_LINE,
    M_RUN_TO,      /* waiting at event_log */
    M_RUN_TO_RET,  /* the event matched; running to its return address */
};

enum action { ACT_DONE, ACT_STEP, ACT_CONTINUE };

struct waiter {
    struct client *c;
    json_t *id;
};

/* A command that needs the guest stopped, sent while it runs: carried out
 * when the stop that the interrupt asks for arrives. */
struct errand {
    struct command cmd; /* its id is a reference of ours */
    struct client *from;
};

struct target {
    struct target_hooks hooks;
    struct kernel_model *km;
    struct snapshotter *snap;
    uint32_t event_log;

    struct lifecycle life;
    bool start_reported;

    struct rsp_conn *rsp;
    struct loop_fd *rsp_w;
    bool running;
    uint32_t regs[33];     /* x0..x31, pc: read at each stop */
    bool continue_after_step;
    bool last_step;        /* the last resume was a single step */
    bool pausing;          /* pause sent the interrupt */
    bool interrupting;     /* the 0x03 byte went out; its stop is due */
    bool stalled;          /* an awaited stop is STALL_MS late, or a request
                              while stopped got no reply in time */
    bool doing_errands;    /* stopped only for them: shown as running */
    bool pinging;          /* asked whether QEMU answers; the reply is due */
    struct loop_timer stall_timer;
    json_t *kinds;         /* event kind names, by value */
    int sample_hz;         /* asked for; sample_rate() is what is done */
    struct loop_timer sample_timer;

    struct serial serial;

    enum mode mode;
    int want_kind, want_syscall, want_pid;
    char want_program[CONTROL_NAME_MAX];
    uint32_t ret_addr;
    char detail[160];
    struct {
        char function[CONTROL_NAME_MAX];
        int line;
        int steps;
        uint32_t prev_pc;
        uint32_t call_ret;
        uint32_t addrs[STEP_LINE_ADDRS];
        int naddrs;
    } sl;

    struct breaks br;

    json_t *stop;          /* the last reported stop, while stopped */
    json_t *published;     /* the last status sent to every client */
    json_t *latest;        /* the latest snapshot message */
    int64_t latest_ms;
    char snap_error[256];

    struct waiter stop_waiters[MAX_WAITERS];
    int nstop_waiters;
    struct waiter start_waiters[MAX_WAITERS];
    int nstart_waiters;
    struct errand errands[MAX_WAITERS];
    int nerrands;
    struct errand held[MAX_WAITERS]; /* commands waiting for the ping */
    int nheld;

    /* Going back (travel.c): commands wait while a stop's state is saved or
     * a rewind is made (the guest must not move meanwhile). */
    struct travel *tv;
    struct errand gated[MAX_WAITERS];
    int ngated;
    bool releasing;        /* the gated commands are being carried out */
    bool rewinding;        /* the rewind command waits for travel.c */
    long long rewind_to;
    /* The stop a rewind loaded and the stop it was reported as, while the
     * guest has not moved since (else -1). */
    long long loaded, loaded_as;
    bool warming;          /* running a moment before the next loadvm */
    struct loop_timer warm_timer;
    bool travel_stalled;   /* stalled set by the save or rewind's delay */
    struct loop_timer travel_timer;
};

/* QEMU is gone (lifecycle.h); the down hook follows. */
#define mark_dead(t, why) lifecycle_dead(&(t)->life, (why))
static void stalled_stopped(struct target *t, const char *what);
static void stall_over(struct target *t);
static void run(struct target *t);
static void drive(struct target *t, struct rsp_stop *stop);
static void report(struct target *t, const char *reason, const char *detail);
static void publish(struct target *t, bool always);
static void travel_stop(struct target *t, const char *reason);
static bool gate(struct target *t, const struct command *cmd, struct client *from);
static void rewind_start(struct target *t, const struct command *cmd,
                         struct client *from);
static void travel_done(void *ctx, const char *error);
static void rewound(struct target *t, const char *error);
static bool warm_stopped(struct target *t);

/* ---- small helpers ------------------------------------------------------ */

static json_t *hex32(uint32_t v)
{
    char buf[16];

    snprintf(buf, sizeof buf, "0x%08" PRIx32, v);
    return json_string(buf);
}

/* A string for JSON from text that may be anything. */
static json_t *text_json(const char *s)
{
    json_t *j = json_string(s);

    if (!j) {
        char clean[UTF8_CLEAN_CAP(512)];
        struct utf8_carry c = {0};
        size_t n = strlen(s) > 512 ? 512 : strlen(s);
        size_t o = utf8_clean(&c, (const uint8_t *)s, n, clean);
        j = json_stringn(clean, o);
    }
    return j;
}

static bool connected(const struct target *t)
{
    return t->rsp && t->life.state == LIFE_RUNNING;
}

/* After a failed request: was it the connection? Then QEMU is as good as
 * dead. A reply that is only late, while the guest is stopped, is not:
 * QEMU is not responding until the late replies come. */
static void rsp_failed(struct target *t, const char *what)
{
    char why[512];
    int fd = t->rsp ? rsp_conn_fd(t->rsp) : -1;
    char b;

    if (t->rsp && !t->running && rsp_conn_timed_out(t->rsp)) {
        stalled_stopped(t, what);
        return;
    }
    snprintf(why, sizeof why, "%s: %s", what,
             t->rsp ? rsp_conn_error(t->rsp) : "not connected");
    loop_say("%s", why);
    if (fd < 0 || recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) == 0 ||
        strstr(why, "closed") || strstr(why, "no reply") ||
        strstr(why, "no acknowledgement") || strstr(why, "send to"))
        mark_dead(t, why);
}

/* ---- replies ------------------------------------------------------------- */

static void reply_to(struct target *t, struct client *c, json_t *r)
{
    if (r)
        t->hooks.reply(t->hooks.ctx, c, r);
    json_decref(r);
}

static void wait_add(struct target *t, struct waiter *w, int *n,
                     struct client *c, const json_t *id)
{
    if (*n == MAX_WAITERS) {
        reply_to(t, c, control_reply_error(id, "too many commands waiting"));
        return;
    }
    w[*n].c = c;
    w[*n].id = id ? json_incref((json_t *)id) : NULL;
    (*n)++;
}

/* Answer every waiter: ok, or the error. */
static void wait_answer(struct target *t, struct waiter *w, int *n,
                        const char *error, json_t *extra)
{
    int count = *n;

    *n = 0;
    for (int i = 0; i < count; i++) {
        json_t *r = error ? control_reply_error(w[i].id, "%s", error)
                          : control_reply_ok(w[i].id);
        if (r && extra)
            json_object_update(r, extra);
        reply_to(t, w[i].c, r);
        json_decref(w[i].id);
    }
}

void target_forget(struct target *t, struct client *c)
{
    struct waiter *lists[] = {t->stop_waiters, t->start_waiters};
    int *counts[] = {&t->nstop_waiters, &t->nstart_waiters};

    for (int l = 0; l < 2; l++)
        for (int i = 0; i < *counts[l]; i++)
            if (lists[l][i].c == c) {
                json_decref(lists[l][i].id);
                lists[l][i] = lists[l][--*counts[l]];
                i--;
            }
    for (int i = 0; i < t->nerrands; i++)
        if (t->errands[i].from == c)
            t->errands[i].from = NULL; /* still done; nobody to tell */
    for (int i = 0; i < t->nheld; i++)
        if (t->held[i].from == c)
            t->held[i].from = NULL;
}

/* Drop the temporary breakpoints of the command in progress. */
static void cancel_mode(struct target *t)
{
    switch (t->mode) {
    case M_RUN_TO:
        breaks_del(&t->br, t->event_log);
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

/* ---- status --------------------------------------------------------------- */

/* Live samples a second: as asked, but at most SAMPLE_HZ_STOPPING when
 * each one has to stop the guest (no shared RAM: attached). */
static int sample_rate(const struct target *t)
{
    if (!guest_ram_shared() && t->sample_hz > SAMPLE_HZ_STOPPING)
        return SAMPLE_HZ_STOPPING;
    return t->sample_hz;
}

/* A single step is shown as the stop before it until its own stop. */
static bool shown_running(const struct target *t)
{
    return t->doing_errands || (t->running && t->mode != M_STEP);
}

json_t *target_status(struct target *t)
{
    enum life_state q = t->life.state;
    bool stalled = q == LIFE_RUNNING && t->stalled;
    json_t *s = json_pack("{s:s, s:s}", "type", "status", "qemu",
                          stalled ? "not responding" : lifecycle_state_name(q));

    if (!s)
        return NULL;
    if (q == LIFE_DEAD || q == LIFE_NONE)
        json_object_set_new(s, "message", text_json(t->life.message));
    if (q == LIFE_RUNNING && !stalled) {
        json_object_set_new(s, "guest", json_string(shown_running(t)
                                                    ? "running" : "stopped"));
        if (!shown_running(t) && t->stop)
            json_object_set(s, "stop", t->stop);
    }
    if (lifecycle_qemu_pid(&t->life))
        json_object_set_new(s, "qemu_pid", json_integer(lifecycle_qemu_pid(&t->life)));
    json_object_set_new(s, "breakpoints", breaks_user_json(&t->br));
    json_object_set_new(s, "watch", breaks_watch_json(&t->br));
    if (t->mode == M_RUN_TO || t->mode == M_RUN_TO_RET) {
        const char *kind = t->detail;
        json_object_set_new(s, "run_to", json_string(kind));
        if (t->want_pid)
            json_object_set_new(s, "run_to_pid", json_integer(t->want_pid));
        if (t->want_program[0])
            json_object_set_new(s, "run_to_program", json_string(t->want_program));
    }
    if (t->snap_error[0])
        json_object_set_new(s, "snapshot_error", text_json(t->snap_error));
    json_object_set_new(s, "sampling", json_pack("{s:i, s:i, s:s}", "hz",
                        sample_rate(t), "max_hz", guest_ram_shared()
                        ? CONTROL_SAMPLE_HZ_MAX : SAMPLE_HZ_STOPPING, "from",
                        guest_ram_shared() ? "shared memory" : "brief stops"));
    return s;
}

/* Send the status to every client when it differs from the last one sent
 * (always: also when it does not, as at each reported stop). Every entry
 * point ends with publish(t, false), so no transition goes unsaid. */
static void publish(struct target *t, bool always)
{
    json_t *s;

    /* A request of any module (breaks.c too) that got no reply in time. */
    if (t->rsp && !t->running && !t->stalled && rsp_conn_timed_out(t->rsp))
        stalled_stopped(t, "a request");
    s = target_status(t);

    if (!s)
        return;
    if (!always && t->published && json_equal(s, t->published)) {
        json_decref(s);
        return;
    }
    t->hooks.status(t->hooks.ctx, s);
    json_decref(t->published);
    t->published = s;
}

/* ---- snapshots ------------------------------------------------------------ */

static int64_t wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Take one now, into t->latest: from the stopped guest, or a running
 * one's shared RAM. sample: a state the user did not stop at (marked so).
 * 0 or -1. */
static int take_snapshot(struct target *t, bool sample)
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

static void broadcast_snapshot(struct target *t)
{
    if (t->latest)
        t->hooks.snapshot(t->hooks.ctx, t->latest);
}

/* ---- reading the guest ---------------------------------------------------- */

static int read_regs(struct target *t)
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

#define PC(t) ((t)->regs[32])
#define RA(t) ((t)->regs[1])
#define A(t, n) ((t)->regs[10 + (n)])

/* ---- resuming --------------------------------------------------------------- */

static void set_running(struct target *t)
{
    t->running = true;
    if (t->mode == M_STEP)
        return; /* the stop before it stays in sight */
    json_decref(t->stop);
    t->stop = NULL;
    publish(t, false);
}

/* ---- awaiting stops ----------------------------------------------------- */

static void stall_tick(void *ctx)
{
    struct target *t = ctx;

    if (!connected(t) || t->stalled)
        return;
    t->stalled = true;
    loop_say("QEMU is not responding: a stop is %d ms late", STALL_MS);
    publish(t, false);
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
 * responding; the late replies are passed over as they arrive (on_rsp),
 * and then it is back (stall_over). Only a restart kills it. */
static void stalled_stopped(struct target *t, const char *what)
{
    if (!t->stalled)
        loop_say("QEMU is not responding (%s: %s)", what, rsp_conn_error(t->rsp));
    t->stalled = true;
    loop_timer_cancel(&t->stall_timer);
    stall_over(t);
}

/* Whether the late replies have all come; if so, QEMU is back. A guest
 * stopped only for the daemon's errands (no stop was shown) goes on. */
static void stall_over(struct target *t)
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
    if (!t->stop && !t->running && read_regs(t) == 0)
        run(t);
}

/* Ask a running guest to stop; the stop comes on the gdbstub socket. */
static int interrupt(struct target *t)
{
    if (t->interrupting)
        return 0;
    if (rsp_conn_interrupt(t->rsp) < 0) {
        rsp_failed(t, "interrupting the guest");
        return -1;
    }
    t->interrupting = true;
    expect_stop(t);
    return 0;
}

/* 1 stopped (stop filled in), 0 running, -1 failed. Nothing waits: the
 * stop reply is handled when it arrives. */
static int do_step(struct target *t, struct rsp_stop *stop)
{
    if (rsp_conn_step(t->rsp) < 0)
        return -1;
    t->last_step = true;
    t->running = true;
    expect_stop(t);
    return rsp_conn_poll_stop(t->rsp, stop);
}

static int do_continue(struct target *t, struct rsp_stop *stop)
{
    if (breaks_has(&t->br, PC(t))) {
        int r = do_step(t, stop);
        if (r == 0)
            t->continue_after_step = true;
        if (r != 1)
            return r;
        t->running = false;
        if (stop->reason == RSP_REASON_WATCH || stop->kind != RSP_STOP_SIGNAL)
            return 1;
        if (rsp_conn_continue(t->rsp) < 0)
            return -1;
        t->last_step = false;
        t->running = true;
        return rsp_conn_poll_stop(t->rsp, stop);
    }
    if (rsp_conn_continue(t->rsp) < 0)
        return -1;
    t->last_step = false;
    t->running = true;
    return rsp_conn_poll_stop(t->rsp, stop);
}

/* ---- deciding what a stop means -------------------------------------------- */


/* Guest physical memory (guest.h), with the connection in physical mode
 * for the moment. 0 or -1. */
static int read_phys(struct target *t, uint32_t pa, void *buf, size_t len)
{
    const struct kernel_layout *k = kernel_model_layout(t->km);
    int r = -1;

    if (k && guest_phys_begin(t->rsp) == 0)
        r = guest_read_phys(t->rsp, k, pa, buf, len);
    guest_phys_end(t->rsp);
    return r;
}

/* The system call number in the payload at event_log (a2); -1 unknown. */
static int event_syscall(struct target *t)
{
    const struct event_field *num = kernel_model_event_field(t->km, t->want_kind, "num");
    uint8_t b[4];

    if (!num || read_phys(t, A(t, 2) + num->offset, b, sizeof b) < 0)
        return -1;
    return (int)guest_le32(b);
}

/* Whether the live process pid is called name. */
static bool proc_named(struct target *t, int pid, const char *name)
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

/* At event_log: is this the event run_to waits for? Kind, then the
 * process, then the system call; a payload that cannot be read counts as
 * a match (better a visible stop than a run that never ends). */
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
    return !t->want_program[0] || proc_named(t, (int)A(t, 1), t->want_program);
}

static const char *kind_name(struct target *t, int kind)
{
    const char *name = json_string_value(json_array_get(t->kinds, (size_t)kind));

    return name ? name : "event";
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
            report(t, "step_line", NULL);
            return ACT_DONE;
        }
    if (t->sl.naddrs > 0) /* some other breakpoint's business */
        return ACT_CONTINUE;
    if (kernel_model_where(t->km, PC(t), &fn, &file, &line) < 0 || !file) {
        report(t, "step_line", "left the kernel's line table");
        return ACT_DONE;
    }
    if (strcmp(fn, t->sl.function) != 0) {
        if (RA(t) == t->sl.prev_pc + 4 && !t->sl.call_ret) {
            /* A call: run the callee at full speed. */
            if (breaks_add(&t->br, RA(t)) < 0) {
                report(t, "step_line", "cannot set a breakpoint");
                return ACT_DONE;
            }
            t->sl.call_ret = RA(t);
            return ACT_CONTINUE;
        }
        report(t, "step_line", NULL);
        return ACT_DONE;
    }
    if (line != t->sl.line) {
        report(t, "step_line", NULL);
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
            report(t, "step_line", "no other line in this function");
            return ACT_DONE;
        }
        return ACT_CONTINUE;
    }
    t->sl.prev_pc = PC(t);
    return ACT_STEP;
}

static enum action decide(struct target *t, struct rsp_stop *stop)
{
    char detail[160];

    t->running = false;
    if (stop->kind != RSP_STOP_SIGNAL) {
        cancel_mode(t);
        snprintf(detail, sizeof detail, "%s %d",
                 stop->kind == RSP_STOP_EXITED ? "status" : "signal",
                 stop->signal);
        report(t, "exited", detail);
        return ACT_DONE;
    }
    if (read_regs(t) < 0) {
        rsp_failed(t, "reading the registers");
        return ACT_DONE;
    }
    const char *ub = breaks_user_at(&t->br, PC(t));
    if (t->pausing) {
        t->pausing = false;
        t->continue_after_step = false;
        cancel_mode(t);
        if (stop->reason == RSP_REASON_WATCH && t->br.watch.on &&
            breaks_watch_hit(&t->br, stop->watch_addr)) {
            snprintf(detail, sizeof detail, "pid %d va 0x%08" PRIx32,
                     t->br.watch.pid, t->br.watch.va);
            report(t, "watchpoint", detail);
        } else if (ub && stop->signal != SIGINT_NUM) {
            report(t, "breakpoint", ub);
        } else {
            report(t, "pause", NULL);
        }
        return ACT_DONE;
    }
    if (t->continue_after_step) {
        t->continue_after_step = false;
        if (stop->reason != RSP_REASON_WATCH && stop->signal != SIGINT_NUM)
            return ACT_CONTINUE;
    }
    if (stop->reason == RSP_REASON_WATCH && t->br.watch.on) {
        if (!breaks_watch_hit(&t->br, stop->watch_addr))
            return t->mode == M_STEP || t->mode == M_STEP_LINE ? ACT_STEP
                                                               : ACT_CONTINUE;
        cancel_mode(t);
        snprintf(detail, sizeof detail, "pid %d va 0x%08" PRIx32 " (write at 0x%08" PRIx64 ")",
                 t->br.watch.pid, t->br.watch.va, stop->watch_addr);
        report(t, "watchpoint", detail);
        return ACT_DONE;
    }
    if (t->mode == M_RUN_TO && PC(t) == t->event_log && !breaks_user_at(&t->br, PC(t))) {
        if (!want_event(t))
            return ACT_CONTINUE;
        snprintf(t->detail, sizeof t->detail, "%s", kind_name(t, t->want_kind));
        if (breaks_add(&t->br, RA(t)) < 0) {
            cancel_mode(t);
            report(t, "event", t->detail);
            return ACT_DONE;
        }
        breaks_del(&t->br, t->event_log);
        t->ret_addr = RA(t);
        t->mode = M_RUN_TO_RET;
        return ACT_CONTINUE;
    }
    if (t->mode == M_RUN_TO_RET && PC(t) == t->ret_addr) {
        snprintf(detail, sizeof detail, "%s", t->detail);
        cancel_mode(t);
        report(t, "event", detail);
        return ACT_DONE;
    }
    if (ub && stop->signal != SIGINT_NUM && t->mode != M_STEP) {
        snprintf(detail, sizeof detail, "%s", ub);
        cancel_mode(t);
        report(t, "breakpoint", detail);
        return ACT_DONE;
    }
    switch (t->mode) {
    case M_STEP_LINE:
        if (stop->signal == SIGINT_NUM)
            break;
        return decide_step_line(t);
    case M_STEP:
        t->mode = M_FREE;
        report(t, "step", NULL);
        return ACT_DONE;
    case M_RUN_TO:
    case M_RUN_TO_RET:
        if (stop->signal != SIGINT_NUM)
            return ACT_CONTINUE; /* another breakpoint of ours, passing by */
        break;
    default:
        break;
    }
    cancel_mode(t);
    if (stop->signal == SIGINT_NUM)
        report(t, "pause", NULL);
    else {
        where_detail(t, detail, sizeof detail);
        report(t, "breakpoint", detail);
    }
    return ACT_DONE;
}

/* Handle a stop and whatever hidden stops follow it synchronously. */
static void drive(struct target *t, struct rsp_stop *stop)
{
    if (warm_stopped(t))
        return;
    for (int i = 0; i < DRIVE_MAX; i++) {
        stop_arrived(t); /* it may have been in when the resume returned */
        enum action a = decide(t, stop);
        if (a == ACT_DONE || !connected(t))
            return;
        int r = a == ACT_STEP ? do_step(t, stop) : do_continue(t, stop);
        if (r < 0) {
            rsp_failed(t, "resuming the guest");
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
    cancel_mode(t);
    report(t, reason, "gave up after too many hidden stops");
}

/* ---- reporting a stop -------------------------------------------------------- */

static void report(struct target *t, const char *reason, const char *detail)
{
    const char *fn, *file;
    int line;

    t->running = false;
    json_decref(t->stop);
    t->stop = json_pack("{s:s, s:o}", "reason", reason, "pc", hex32(PC(t)));
    if (t->stop && detail)
        json_object_set_new(t->stop, "detail", text_json(detail));
    if (t->stop && kernel_model_where(t->km, PC(t), &fn, &file, &line) == 0) {
        json_object_set_new(t->stop, "function", text_json(fn));
        if (file) { /* a function may have no line-table row here */
            json_object_set_new(t->stop, "file", text_json(file));
            json_object_set_new(t->stop, "line", json_integer(line));
        }
    }
    breaks_watch_follow(&t->br);
    if (!connected(t))
        return;
    /* An exited guest has nothing left to read. */
    if (strcmp(reason, "exited") != 0)
        take_snapshot(t, false);
    publish(t, true);
    if (strcmp(reason, "exited") != 0)
        broadcast_snapshot(t);
    json_t *extra = json_pack("{s:O}", "stop", t->stop);
    wait_answer(t, t->stop_waiters, &t->nstop_waiters, NULL, extra);
    json_decref(extra);
    travel_stop(t, reason);
}

/* ---- the gdbstub socket -------------------------------------------------------- */

static void command_run(struct target *t, struct command *cmd, struct client *from);

static void carry_out(struct target *t, const struct command *cmd,
                      struct client *from);
static void sample_tick(void *ctx);

/* Answer every command of a list with an error. */
static void list_fail(struct target *t, struct errand *list, int *n,
                      const char *why)
{
    int count = *n;

    *n = 0;
    for (int i = 0; i < count; i++) {
        reply_to(t, list[i].from, control_reply_error(list[i].cmd.id, "%s", why));
        command_clear(&list[i].cmd);
    }
}

/* The guest went away. */
static void errands_fail(struct target *t, const char *why)
{
    list_fail(t, t->errands, &t->nerrands, why);
    list_fail(t, t->held, &t->nheld, why);
    list_fail(t, t->gated, &t->ngated, why);
}

/* Keep a copy of cmd at the end of list; false when it is full (the
 * sender has been told). */
static bool list_add(struct target *t, struct errand *list, int *n,
                     const struct command *cmd, struct client *from)
{
    if (*n == MAX_WAITERS) {
        reply_to(t, from, control_reply_error(cmd->id, "too many commands "
                                              "waiting"));
        return false;
    }
    struct errand *e = &list[(*n)++];
    e->cmd = *cmd;
    if (e->cmd.id)
        json_incref(e->cmd.id);
    e->from = from;
    return true;
}

static void errand_add(struct target *t, const struct command *cmd,
                       struct client *from)
{
    if (list_add(t, t->errands, &t->nerrands, cmd, from))
        interrupt(t);
}

/* A stop arrived. Errands are done first (the guest is stopped now); an
 * interrupt nobody wants to see (an errand's, or one that crossed a stop
 * of the guest's own) lets the guest go on unseen. */
static void on_stop(struct target *t, struct rsp_stop *stop)
{
    bool plain_sigint = stop->kind == RSP_STOP_SIGNAL &&
                        stop->signal == SIGINT_NUM &&
                        stop->reason == RSP_REASON_NONE;

    stop_arrived(t);
    if (warm_stopped(t))
        return;
    if (t->nerrands > 0) {
        t->running = false;
        if (read_regs(t) < 0) {
            rsp_failed(t, "reading the registers");
            return;
        }
        t->doing_errands = plain_sigint && !t->pausing;
        while (t->nerrands > 0 && connected(t)) {
            struct errand e = t->errands[0];
            memmove(t->errands, t->errands + 1,
                    (size_t)--t->nerrands * sizeof t->errands[0]);
            carry_out(t, &e.cmd, e.from);
            command_clear(&e.cmd);
        }
        t->doing_errands = false;
        if (!connected(t))
            return;
    }
    if (plain_sigint && !t->pausing && t->last_step && !t->continue_after_step) {
        /* The errand's interrupt reached QEMU during a single step, and
         * its stop came in place of the step's own: take it as the step's
         * (running on would turn a step into a run). */
        stop->signal = SIGTRAP_NUM;
    } else if (plain_sigint && !t->pausing) {
        t->running = false;
        t->continue_after_step = false; /* this continue starts afresh */
        if (read_regs(t) < 0) {
            rsp_failed(t, "reading the registers");
            return;
        }
        run(t);
        return;
    }
    drive(t, stop);
}

/* ---- asking first, while stopped -------------------------------------------------
 *
 * A command that needs QEMU's reply while the guest is stopped (a
 * breakpoint to set, a snapshot to take) would make the loop wait for it,
 * and a stopped or starved QEMU would stall every client. So it is held,
 * a probe goes out without waiting, and the held commands are carried out
 * in order when the probe's reply comes: QEMU answered just now. With no
 * reply in STALL_MS, QEMU is not responding and they fail; the late reply
 * brings it back. */

static bool needs_reply_while_stopped(const struct target *t,
                                      const struct command *cmd)
{
    switch (cmd->kind) {
    case CMD_SNAPSHOT:
        return !t->latest;
    case CMD_BREAK:
    case CMD_UNBREAK:
    case CMD_WATCH:
    case CMD_UNWATCH:
    case CMD_RUN_TO:
        return true;
    case CMD_CONTINUE:
    case CMD_STEP:
    case CMD_STEP_LINE:
    case CMD_REWIND:
        return t->mode != M_FREE; /* cancel_mode removes breakpoints */
    default:
        return false;
    }
}

/* Whether cmd waits for the probe: it needs a reply, or one before it
 * does (the order of commands is kept). Not while a save or rewind is
 * going on: then it waits for that (gate()), and QEMU will just have
 * answered QMP when it runs; and no probe may be out when the rewind's
 * end reads the registers. */
static bool must_hold(const struct target *t, const struct command *cmd)
{
    if (!connected(t) || t->running || t->stalled || cmd->kind == CMD_RESTART ||
        cmd->kind == CMD_SAMPLE || travel_busy(t->tv) || t->warming || t->ngated > 0)
        return false;
    return t->nheld > 0 || needs_reply_while_stopped(t, cmd);
}

static void ping_late(void *ctx)
{
    struct target *t = ctx;

    if (!t->pinging || !connected(t))
        return;
    t->stalled = true;
    loop_say("QEMU is not responding: no answer to a probe in %d ms", STALL_MS);
    list_fail(t, t->held, &t->nheld, "QEMU is not responding");
    publish(t, false);
}

static void ping_answered(struct target *t)
{
    t->pinging = false;
    loop_timer_cancel(&t->stall_timer);
    if (t->stalled)
        loop_say("QEMU responds again");
    t->stalled = false;
    while (t->nheld > 0 && connected(t)) {
        struct errand e = t->held[0];
        memmove(t->held, t->held + 1, (size_t)--t->nheld * sizeof t->held[0]);
        command_run(t, &e.cmd, e.from);
        command_clear(&e.cmd);
    }
}

static void hold(struct target *t, const struct command *cmd, struct client *from)
{
    if (!list_add(t, t->held, &t->nheld, cmd, from) || t->pinging)
        return;
    int r = rsp_conn_ping(t->rsp);
    if (r < 0) {
        rsp_failed(t, "asking whether QEMU answers");
        list_fail(t, t->held, &t->nheld, "QEMU is gone");
        return;
    }
    t->pinging = true;
    loop_timer_set(&t->stall_timer, STALL_MS, ping_late, t);
    if (r == 1)
        ping_answered(t);
}

static void rsp_readable(struct target *t, int what)
{
    struct rsp_stop stop;

    if (!t->rsp)
        return;
    if (what & LOOP_HUP) {
        t->rsp_w = NULL;
        mark_dead(t, "the gdbstub connection closed");
        return;
    }
    if (rsp_conn_timed_out(t->rsp)) {
        stall_over(t);
        return;
    }
    if (!t->running && t->pinging) {
        int r = rsp_conn_ping(t->rsp);
        if (r < 0)
            rsp_failed(t, "asking whether QEMU answers");
        else if (r == 1)
            ping_answered(t);
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
        rsp_failed(t, "waiting for the guest to stop");
    else if (r == 1)
        on_stop(t, &stop);
}

static void on_rsp(void *ctx, int what)
{
    struct target *t = ctx;

    rsp_readable(t, what);
    publish(t, false);
}

/* ---- the console ------------------------------------------------------------------ */

static void console_output(void *ctx, const char *text, size_t len)
{
    struct target *t = ctx;

    if (t->warming || t->rewinding)
        return; /* the guest's output in a history about to be undone */
    t->hooks.console(t->hooks.ctx, text, len);
}

static void console_closed(void *ctx)
{
    struct target *t = ctx;

    if (t->life.launched)
        mark_dead(t, "QEMU closed the serial console");
}

int target_console_write(struct target *t, const char *data, size_t len,
                         char *err, size_t errlen)
{
    if (!serial_connected(&t->serial)) {
        snprintf(err, errlen, "the console is not connected%s",
                 t->life.launched ? "" : " (start with --console HOST:PORT)");
        return -1;
    }
    return serial_write(&t->serial, data, len, err, errlen);
}

/* ---- the connection's life (QEMU's: lifecycle.c) ----------------------------------- */

static void disconnect(struct target *t)
{
    loop_unwatch(t->rsp_w);
    t->rsp_w = NULL;
    rsp_conn_close(t->rsp);
    t->rsp = NULL;
    serial_close(&t->serial);
    errands_fail(t, "QEMU went away before this could be done");
    travel_reset(t->tv, NULL, NULL);
    t->rewinding = false;
    t->travel_stalled = false;
    t->loaded = t->loaded_as = -1;
    t->warming = false;
    loop_timer_cancel(&t->warm_timer);
    loop_timer_cancel(&t->travel_timer);
    loop_timer_cancel(&t->stall_timer);
    t->stalled = false;
    t->pinging = false;
    t->interrupting = false;
    t->running = false;
    t->continue_after_step = false;
    t->pausing = false;
    t->mode = M_FREE;
    breaks_reset(&t->br, NULL, t->km);
    json_decref(t->stop);
    t->stop = NULL;
}

/* The lifecycle's down hook: QEMU is gone; let go of it and answer
 * whoever waited. */
static void life_down(void *ctx, const char *why)
{
    struct target *t = ctx;

    disconnect(t);
    wait_answer(t, t->stop_waiters, &t->nstop_waiters, why, NULL);
    wait_answer(t, t->start_waiters, &t->nstart_waiters, why, NULL);
    publish(t, false);
    if (!t->start_reported) {
        t->start_reported = true;
        t->hooks.started(t->hooks.ctx, false, why);
    }
}

static void life_changed(void *ctx)
{
    publish(ctx, false);
}

/* The lifecycle's up hook, attached: first snapshot, then run. */
static void life_up(void *ctx, struct rsp_conn *rsp)
{
    struct target *t = ctx;
    struct rsp_stop stop;

    t->rsp = rsp;
    breaks_reset(&t->br, t->rsp, t->km);
    t->rsp_w = loop_watch(rsp_conn_fd(t->rsp), on_rsp, t);
    if (!t->rsp_w || serial_watch(&t->serial) < 0) {
        mark_dead(t, "cannot watch the gdbstub or console socket");
        return;
    }
    t->running = false;
    travel_reset(t->tv, t->life.launched ? &t->life.qemu : NULL, t->life.qmp);
    if (read_regs(t) < 0) {
        rsp_failed(t, "reading the registers");
        return;
    }
    report(t, "start", t->life.launched ? "QEMU waits at reset" : "attached");
    if (!connected(t))
        return;
    int r = do_continue(t, &stop);
    if (r < 0) {
        rsp_failed(t, "starting the guest");
        return;
    }
    if (r == 1)
        drive(t, &stop);
    else
        set_running(t);
    if (!connected(t))
        return;
    wait_answer(t, t->start_waiters, &t->nstart_waiters, NULL, NULL);
    if (!t->start_reported) {
        t->start_reported = true;
        t->hooks.started(t->hooks.ctx, true, NULL);
    }
}

void target_start(struct target *t)
{
    snapshotter_reset(t->snap);
    json_decref(t->latest);
    t->latest = NULL;
    t->snap_error[0] = '\0';
    lifecycle_start(&t->life);
}

static void restart(struct target *t, struct client *from, const json_t *id)
{
    if (!t->life.launched) {
        reply_to(t, from, control_reply_error(id, "attached to a QEMU started "
                 "by hand: restart it yourself"));
        return;
    }
    if (t->life.state == LIFE_STARTING) {
        wait_add(t, t->start_waiters, &t->nstart_waiters, from, id);
        return;
    }
    static const char note[] = "\r\n[glassbox: restarting QEMU]\r\n";
    wait_answer(t, t->stop_waiters, &t->nstop_waiters, "QEMU restarted", NULL);
    disconnect(t);
    t->hooks.console(t->hooks.ctx, note, sizeof note - 1);
    lifecycle_kill(&t->life);
    wait_add(t, t->start_waiters, &t->nstart_waiters, from, id);
    target_start(t);
}

/* ---- live samples ---------------------------------------------------------------------- */

/* Whether a sample of the running guest may be taken now: not during a
 * single step, nor while running to the return of an event that matched
 * (the event belongs to the stop's snapshot, which is due at once). */
static bool may_sample(const struct target *t)
{
    return connected(t) && t->running && !t->stalled && !t->warming &&
           t->mode != M_STEP && t->mode != M_RUN_TO_RET;
}

static bool snapshot_errand_queued(const struct target *t)
{
    for (int i = 0; i < t->nerrands; i++)
        if (t->errands[i].cmd.kind == CMD_SNAPSHOT)
            return true;
    return false;
}

/* While the guest runs, every client gets sample_rate() snapshots a
 * second, read from shared RAM without stopping it, or (attached) each at
 * a brief stop it is not shown. Called again to apply a new rate. */
static void sample_tick(void *ctx)
{
    struct target *t = ctx;
    int hz = sample_rate(t);

    loop_timer_cancel(&t->sample_timer);
    if (hz <= 0)
        return;
    loop_timer_set(&t->sample_timer, 1000 / hz, sample_tick, t);
    if (!may_sample(t) || loop_now_ms() - t->latest_ms < 1000 / hz / 2)
        return;
    if (guest_ram_shared()) {
        int64_t start = loop_now_ms();
        if (take_snapshot(t, true) == 0)
            broadcast_snapshot(t);
        /* A big guest's sample (and its sending) may take long: the next
         * waits ten times as long, so samples take at most a tenth of a
         * core from the loop (and from QEMU, on a small host). */
        int64_t spent = loop_now_ms() - start;
        if (spent * SAMPLE_SHARE > 1000 / hz)
            loop_timer_set(&t->sample_timer, (int)(spent * SAMPLE_SHARE),
                           sample_tick, t);
    } else if (!snapshot_errand_queued(t)) {
        struct command cmd = {.kind = CMD_SNAPSHOT};
        errand_add(t, &cmd, NULL);
    }
    publish(t, false);
}

/* ---- commands ------------------------------------------------------------------------- */

struct job {
    const struct command *cmd;
    char err[256];
    json_t *extra;
};

static int job_break(struct target *t, struct job *j)
{
    const struct command *c = j->cmd;

    if (c->kind == CMD_BREAK)
        return breaks_user_set(&t->br, c->addr, c->function, j->err,
                               sizeof j->err);
    return breaks_user_clear(&t->br, c->addr, c->function, j->err,
                             sizeof j->err);
}

static int job_watch(struct target *t, struct job *j)
{
    const struct command *c = j->cmd;
    uint32_t pa;

    if (c->kind == CMD_UNWATCH) {
        breaks_unwatch(&t->br);
        return 0;
    }
    if (breaks_watch(&t->br, c->pid, c->va, &pa, j->err, sizeof j->err) < 0)
        return -1;
    j->extra = json_pack("{s:o}", "pa", hex32(pa));
    return 0;
}

static int job_run_to(struct target *t, struct job *j)
{

    cancel_mode(t);
    if (!t->event_log) {
        snprintf(j->err, sizeof j->err, "the kernel has no event_log()");
        return -1;
    }
    if (breaks_add(&t->br, t->event_log) < 0) {
        snprintf(j->err, sizeof j->err, "cannot set a breakpoint at "
                 "event_log: %s", rsp_conn_error(t->rsp));
        return -1;
    }
    t->mode = M_RUN_TO;
    t->want_kind = j->cmd->event_kind;
    t->want_syscall = j->cmd->syscall;
    t->want_pid = j->cmd->pid;
    snprintf(t->want_program, sizeof t->want_program, "%s", j->cmd->program);
    snprintf(t->detail, sizeof t->detail, "%s", kind_name(t, t->want_kind));
    return 0;
}

/* Resume with go (do_continue or do_step): a stop that is already there is
 * handled at once, else the guest is running. */
static void resume(struct target *t, int (*go)(struct target *, struct rsp_stop *),
                   const char *doing)
{
    struct rsp_stop stop;
    int r = go(t, &stop);

    if (r < 0)
        rsp_failed(t, doing);
    else if (r == 1)
        drive(t, &stop);
    else
        set_running(t);
}

static void run(struct target *t)
{
    resume(t, do_continue, "resuming the guest");
}

static void step(struct target *t)
{
    resume(t, do_step, "stepping");
}

/* Snapshot, break, unbreak, watch, unwatch or run_to, with the guest
 * stopped; the reply goes to from. */
static void carry_out(struct target *t, const struct command *cmd,
                      struct client *from)
{
    struct job job = {.cmd = cmd};
    int r;

    switch (cmd->kind) {
    case CMD_SNAPSHOT:
        r = take_snapshot(t, t->doing_errands);
        if (r == 0)
            broadcast_snapshot(t);
        else
            snprintf(job.err, sizeof job.err, "snapshot failed: %.200s",
                     t->snap_error);
        break;
    case CMD_BREAK:
    case CMD_UNBREAK:
        r = job_break(t, &job);
        break;
    case CMD_WATCH:
    case CMD_UNWATCH:
        r = job_watch(t, &job);
        break;
    case CMD_RUN_TO:
        r = job_run_to(t, &job);
        break;
    default:
        r = -1;
        snprintf(job.err, sizeof job.err, "not implemented");
        break;
    }
    publish(t, false);
    json_t *reply = r < 0 ? control_reply_error(cmd->id, "%s", job.err[0]
                                                ? job.err : "QEMU is gone")
                          : control_reply_ok(cmd->id);
    if (reply && job.extra)
        json_object_update(reply, job.extra);
    json_decref(job.extra);
    reply_to(t, from, reply);
}

static void command_run(struct target *t, struct command *cmd, struct client *from)
{
    const json_t *id = cmd->id;

    if (cmd->kind == CMD_RESTART) {
        restart(t, from, id);
        return;
    }
    if (cmd->kind == CMD_SAMPLE) {
        t->sample_hz = cmd->hz;
        sample_tick(t);
        json_t *r = control_reply_ok(id);
        json_object_set_new(r, "hz", json_integer(sample_rate(t)));
        reply_to(t, from, r);
        return;
    }
    if (!connected(t)) {
        reply_to(t, from, control_reply_error(id, "QEMU is %s%s%s",
                 lifecycle_state_name(t->life.state),
                 t->life.message[0] ? ": " : "", t->life.message));
        return;
    }
    if (cmd->kind == CMD_SNAPSHOT && t->latest &&
        (!t->running || loop_now_ms() - t->latest_ms < LIVE_SNAPSHOT_MIN_MS)) {
        t->hooks.unicast(t->hooks.ctx, from, t->latest);
        reply_to(t, from, control_reply_ok(id));
        return;
    }
    if (cmd->kind == CMD_SNAPSHOT && guest_ram_shared() && may_sample(t)) {
        int r = take_snapshot(t, true);
        if (r == 0)
            broadcast_snapshot(t);
        reply_to(t, from, r == 0 ? control_reply_ok(id) : control_reply_error(id,
                 "snapshot failed: %.200s", t->snap_error));
        return;
    }
    if (t->stalled && !t->running && cmd->kind != CMD_PAUSE) {
        /* Whatever it needs would wait on QEMU. */
        reply_to(t, from, control_reply_error(id, "QEMU is not responding"));
        return;
    }
    if (gate(t, cmd, from))
        return;
    switch (cmd->kind) {
    case CMD_SNAPSHOT:
    case CMD_BREAK:
    case CMD_UNBREAK:
    case CMD_WATCH:
    case CMD_UNWATCH:
        if (t->running)
            errand_add(t, cmd, from);
        else
            carry_out(t, cmd, from);
        return;
    case CMD_PAUSE:
        if (!t->running) {
            reply_to(t, from, control_reply_ok(id));
            return;
        }
        t->pausing = true;
        if (interrupt(t) < 0) {
            reply_to(t, from, control_reply_error(id, "cannot interrupt"));
            return;
        }
        wait_add(t, t->stop_waiters, &t->nstop_waiters, from, id);
        return;
    case CMD_CONTINUE:
        if (!t->running) {
            cancel_mode(t);
            run(t);
        }
        reply_to(t, from, control_reply_ok(id));
        return;
    case CMD_STEP:
    case CMD_STEP_LINE:
        if (t->running) {
            reply_to(t, from, control_reply_error(id, "the guest is running: "
                     "pause it first"));
            return;
        }
        cancel_mode(t);
        if (cmd->kind == CMD_STEP_LINE) {
            const char *fn, *file;
            if (kernel_model_where(t->km, PC(t), &fn, &file, &t->sl.line) < 0 || !file) {
                reply_to(t, from, control_reply_error(id, "no kernel source "
                         "line at pc 0x%08" PRIx32 ": use step", PC(t)));
                return;
            }
            snprintf(t->sl.function, sizeof t->sl.function, "%s", fn);
            t->sl.steps = 0;
            t->sl.prev_pc = PC(t);
            t->sl.call_ret = 0;
            t->sl.naddrs = 0;
            t->mode = M_STEP_LINE;
        } else {
            t->mode = M_STEP;
        }
        wait_add(t, t->stop_waiters, &t->nstop_waiters, from, id);
        step(t);
        return;
    case CMD_REWIND:
        rewind_start(t, cmd, from);
        return;
    case CMD_RUN_TO:
        if (t->running) {
            errand_add(t, cmd, from);
            return;
        }
        struct job job = {.cmd = cmd};
        if (job_run_to(t, &job) < 0) {
            reply_to(t, from, control_reply_error(id, "%s", job.err));
            return;
        }
        run(t);
        reply_to(t, from, control_reply_ok(id));
        return;
    default:
        reply_to(t, from, control_reply_error(id, "not implemented"));
        return;
    }
}

void target_command(struct target *t, struct command *cmd, struct client *from)
{
    if (must_hold(t, cmd))
        hold(t, cmd, from);
    else
        command_run(t, cmd, from);
    publish(t, false);
}

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
    if (connected(t) && !t->stalled && !t->pinging && !t->latest && !t->running) {
        if (take_snapshot(t, false) == 0)
            broadcast_snapshot(t);
    }
    if (guest_ram_shared() && may_sample(t) &&
        (!t->latest || loop_now_ms() - t->latest_ms >= LIVE_SNAPSHOT_MIN_MS)) {
        if (take_snapshot(t, true) == 0)
            broadcast_snapshot(t);
    }
    if (connected(t) && t->running && !t->stalled && !snapshot_errand_queued(t) &&
        (!t->latest || loop_now_ms() - t->latest_ms >= LIVE_SNAPSHOT_MIN_MS)) {
        /* Nothing waits here: a fresh one follows for every client. */
        struct command cmd = {.kind = CMD_SNAPSHOT};
        errand_add(t, &cmd, NULL);
    }
    if (t->latest)
        return json_incref(t->latest);
    snprintf(err, errlen, "no snapshot yet%s%s", t->snap_error[0] ? ": " : "",
             t->snap_error);
    return NULL;
}

/* ---- going back (travel.c) -------------------------------------------------------------
 *
 * At each stop the user sees, once its status and snapshot are out, its
 * state is saved (travel_save: QEMU's savevm through QMP, the page store's
 * save from the loop). Until that is done every command but restart and
 * sample waits here, in order (the guest must not move before QEMU has
 * saved it); so does one sent during a rewind. */

static void travel_late(void *ctx)
{
    struct target *t = ctx;

    if (!travel_busy(t->tv) || !connected(t) || t->stalled)
        return;
    t->stalled = t->travel_stalled = true;
    loop_say("QEMU is not responding: its state is not saved or loaded after %d ms",
             TRAVEL_STALL_MS);
    list_fail(t, t->gated, &t->ngated, "QEMU is not responding");
    publish(t, false);
}

static void travel_began(struct target *t)
{
    loop_timer_set(&t->travel_timer, TRAVEL_STALL_MS, travel_late, t);
}

/* The end of report(): save this stop's state (not QEMU's reset, nor an
 * exit: nothing to go back to). */
static void travel_stop(struct target *t, const char *reason)
{
    const json_t *seq = json_object_get(t->latest, "seq");

    if (!strcmp(reason, "rewind"))
        t->loaded_as = json_integer_value(seq);
    else
        t->loaded = t->loaded_as = -1; /* the guest moved */
    if (!connected(t) || !strcmp(reason, "start") || !strcmp(reason, "exited") ||
        !json_is_integer(seq))
        return;
    if (travel_save(t->tv, json_integer_value(seq)) == 0)
        travel_began(t);
}

/* Whether cmd waits for the save or rewind in progress (or for the
 * commands that already wait). */
static bool gate(struct target *t, const struct command *cmd, struct client *from)
{
    if (!travel_busy(t->tv) && !t->warming && (t->ngated == 0 || t->releasing))
        return false;
    list_add(t, t->gated, &t->ngated, cmd, from);
    return true;
}

/* The rewind to rewind_to, the guest stopped: RAM back, loadvm (travel.c). */
static void rewind_load(struct target *t)
{
    char err[300];

    if (travel_rewind(t->tv, t->rewind_to, err, sizeof err) < 0) {
        wait_answer(t, t->stop_waiters, &t->nstop_waiters, err, NULL);
        return;
    }
    t->rewinding = true;
    travel_began(t);
}

static void warm_over(void *ctx)
{
    struct target *t = ctx;

    if (t->warming && t->running && connected(t))
        interrupt(t);
}

/* A stop (any: the interrupt's, or the guest's own) while warming: the
 * rewind goes on. Whether it was one. */
static bool warm_stopped(struct target *t)
{
    if (!t->warming)
        return false;
    t->warming = false;
    t->running = false;
    loop_timer_cancel(&t->warm_timer);
    rewind_load(t);
    return true;
}

static void rewind_start(struct target *t, const struct command *cmd,
                         struct client *from)
{
    char err[300];

    if (t->running) {
        reply_to(t, from, control_reply_error(cmd->id, "the guest is running: "
                 "pause it first"));
        return;
    }
    cancel_mode(t);
    if (t->loaded >= 0 && (cmd->seq == t->loaded || cmd->seq == t->loaded_as)) {
        /* Already there: the stop is shown again. */
        wait_add(t, t->stop_waiters, &t->nstop_waiters, from, cmd->id);
        t->rewind_to = t->loaded;
        rewound(t, NULL);
        return;
    }
    if (!travel_has(t->tv, cmd->seq)) {
        travel_rewind(t->tv, cmd->seq, err, sizeof err); /* says why */
        reply_to(t, from, control_reply_error(cmd->id, "%s", err));
        return;
    }
    wait_add(t, t->stop_waiters, &t->nstop_waiters, from, cmd->id);
    t->rewind_to = cmd->seq;
    if (t->loaded >= 0) {
        /* QEMU 7.2 loading a second state before the guest ran after the
         * first died of SIGSEGV or hung (docs/time-travel.md): the guest
         * runs a moment first, unseen (that history is undone at once). */
        t->warming = true;
        loop_timer_set(&t->warm_timer, WARM_MS, warm_over, t);
        run(t);
        return;
    }
    rewind_load(t);
}

/* QEMU 7.2 does not save the timer behind stimecmp (Sstc), so after
 * loadvm no timer interrupt would ever come: stimecmp written again with
 * the value loadvm gave it arms the timer for it. The target description
 * leaves stimecmp out (it lists the CSRs usable at reset), but QEMU's
 * gdbstub takes every CSR at the number of the CSRs' first plus the CSR's
 * own (sstatus is CSR 0x100). 0 or -1. */
#define CSR_SSTATUS 0x100u
#define CSR_STIMECMP 0x14du

static int rearm_timer(struct target *t)
{
    const struct tdesc_reg *sstatus = tdesc_find(rsp_conn_tdesc(t->rsp), "sstatus");
    uint64_t v;

    if (!sstatus || sstatus->regnum < CSR_SSTATUS)
        return -1;
    unsigned regnum = sstatus->regnum - CSR_SSTATUS + CSR_STIMECMP;
    if (rsp_conn_read_reg(t->rsp, regnum, &v) < 0)
        return -1;
    return rsp_conn_write_reg(t->rsp, regnum, v, 4);
}

/* The guest is as it was at stop rewind_to: a stop like any other, with a
 * snapshot from scratch (the snapshotter's caches and event cursor belong
 * to the later history). */
static void rewound(struct target *t, const char *error)
{
    char detail[64];

    if (error) {
        loop_say("rewind to stop %lld failed: %s", t->rewind_to, error);
        char why[400];
        snprintf(why, sizeof why, "rewind failed (%s): restart the guest", error);
        wait_answer(t, t->stop_waiters, &t->nstop_waiters, why, NULL);
        return;
    }
    if (read_regs(t) < 0 || rearm_timer(t) < 0) {
        rsp_failed(t, "reading the registers");
        return;
    }
    snapshotter_reset(t->snap);
    json_decref(t->latest);
    t->latest = NULL;
    t->loaded = t->rewind_to;
    snprintf(detail, sizeof detail, "to stop %lld", t->rewind_to);
    report(t, "rewind", detail);
}

/* travel.c's hook: the save or rewind is over; the waiting commands go on. */
static void travel_done(void *ctx, const char *error)
{
    struct target *t = ctx;

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
    t->releasing = true;
    while (t->ngated > 0 && !travel_busy(t->tv) && connected(t)) {
        struct errand e = t->gated[0];
        memmove(t->gated, t->gated + 1, (size_t)--t->ngated * sizeof t->gated[0]);
        command_run(t, &e.cmd, e.from);
        command_clear(&e.cmd);
    }
    t->releasing = false;
    publish(t, false);
}

bool target_saved(const struct target *t, long long seq)
{
    return travel_has(t->tv, seq);
}

json_t *target_travel_stats(const struct target *t)
{
    return travel_stats(t->tv);
}

/* ---- life of the module ----------------------------------------------------------------- */

struct target *target_new(const struct life_config *cfg,
                          struct kernel_model *km,
                          const struct target_hooks *hooks)
{
    struct target *t = calloc(1, sizeof *t);
    struct life_hooks life = {life_up, life_down, life_changed, t};
    char err[256];

    if (!t)
        return NULL;
    t->hooks = *hooks;
    t->km = km;
    serial_init(&t->serial, console_output, console_closed, t);
    breaks_reset(&t->br, NULL, km);
    t->snap = snapshotter_new(km);
    t->tv = travel_new(cfg->rewind_bytes, travel_done, t);
    t->loaded = t->loaded_as = -1;
    t->event_log = kernel_model_symbol(km, "event_log");
    json_t *hello = kernel_model_hello(km);
    t->kinds = json_incref(json_object_get(hello, "event_kinds"));
    json_decref(hello);
    if (!t->snap || !t->tv) {
        snapshotter_free(t->snap);
        travel_free(t->tv);
        json_decref(t->kinds);
        free(t);
        return NULL;
    }
    if (lifecycle_init(&t->life, cfg, &t->serial, &life, err, sizeof err) < 0) {
        loop_say("%s", err);
        snapshotter_free(t->snap);
        travel_free(t->tv);
        json_decref(t->kinds);
        free(t);
        return NULL;
    }
    t->sample_hz = t->life.launched ? SAMPLE_HZ_DEFAULT : 0;
    sample_tick(t);
    return t;
}

void target_free(struct target *t)
{
    if (!t)
        return;
    loop_timer_cancel(&t->sample_timer);
    loop_timer_cancel(&t->stall_timer);
    loop_timer_cancel(&t->travel_timer);
    loop_timer_cancel(&t->warm_timer);
    wait_answer(t, t->stop_waiters, &t->nstop_waiters, "shutting down", NULL);
    wait_answer(t, t->start_waiters, &t->nstart_waiters, "shutting down", NULL);
    disconnect(t);
    lifecycle_free(&t->life);
    travel_free(t->tv);
    json_decref(t->latest);
    json_decref(t->published);
    snapshotter_free(t->snap);
    json_decref(t->kinds);
    free(t);
}
