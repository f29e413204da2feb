/* target.c -- the guest under the daemon: its QEMU, the gdbstub connection,
 * the serial console, and the commands that drive it.
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
 * - watch: see watch_set() below.
 * - Resuming from a pc that has a breakpoint: QEMU would stop there again
 *   at once, so the first instruction is single-stepped (single-stepping
 *   ignores breakpoints in QEMU), then the guest continues.
 * - Breakpoints and watchpoints can only be changed while the guest is
 *   stopped: when it runs, it is interrupted, the change is made, and it
 *   goes on (unseen, unless it stopped for a reason of its own meanwhile). */
#include "target.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "console.h"
#include "loop.h"
#include "qemu.h"
#include "rsp_conn.h"
#include "snapshot.h"

#define RSP_TIMEOUT_MS 3000
#define CONNECT_TRIES 250      /* every 20 ms: QEMU has 5 s to listen */
#define CONNECT_EVERY_MS 20
#define REAP_EVERY_MS 250
#define MAX_BPS 128            /* distinct breakpoint addresses */
#define MAX_USER_BPS 32
#define MAX_WAITERS 64
#define STEP_LINE_STEPS 512    /* single steps on one line before breakpoints */
#define STEP_LINE_ADDRS 256
#define DRIVE_MAX 4096         /* hidden stops handled in one go */
#define SYNC_STOP_MS 200       /* a single step that takes longer runs async */
#define LIVE_SNAPSHOT_MIN_MS 100
#define CONSOLE_IN_MAX (64u * 1024)
#define CONSOLE_FLUSH_MS 5
#define CONSOLE_CHUNK (16u * 1024)
#define RAM_BASE 0x80000000u
#define RAM_SIZE (128u * 1024 * 1024)
#define SIGINT_NUM 2
#define PAGE 4096u

enum qemu_state { Q_NONE, Q_STARTING, Q_RUNNING, Q_DEAD };

enum mode {
    M_FREE,        /* plain continue, or stopped */
    M_STEP,
    M_STEP_LINE,
    M_RUN_TO,      /* waiting at event_log */
    M_RUN_TO_RET,  /* the event matched; running to its return address */
};

enum action { ACT_DONE, ACT_STEP, ACT_CONTINUE };

struct bp {
    uint32_t addr;
    int refs;
};

struct user_bp {
    uint32_t addr;
    char name[CONTROL_NAME_MAX];
};

struct waiter {
    struct client *c;
    json_t *id;
};

struct watch {
    bool on;
    int pid;
    uint32_t va;      /* the page's first address */
    uint32_t pa;      /* its frame now */
    bool pa_set;      /* a Z2 on pa is in */
    char error[128];  /* why the frame could not be followed, or "" */
};

struct target {
    struct target_config cfg;
    struct target_hooks hooks;
    struct kernel_model *km;
    struct snapshotter *snap;
    uint32_t event_log;

    struct qemu qemu;
    bool launched;         /* we run QEMU (not --attach) */
    enum qemu_state qstate;
    char qmessage[512];
    bool start_reported;
    int connect_tries;
    struct loop_timer connect_timer, reap_timer;

    struct rsp_conn *rsp;
    struct loop_fd *rsp_w;
    bool running;
    uint32_t regs[33];     /* x0..x31, pc: read at each stop */
    bool continue_after_step;
    bool pausing;          /* pause sent the interrupt */
    json_t *kinds;         /* event kind names, by value */

    int console_fd;
    struct loop_fd *console_w;
    struct utf8_carry carry;
    char con_text[CONSOLE_CHUNK * 4];
    size_t con_text_len;
    struct loop_timer flush_timer;
    bool flush_pending;
    char con_in[CONSOLE_IN_MAX];
    size_t con_in_len;

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

    struct bp bps[MAX_BPS];
    int nbps;
    struct user_bp ubps[MAX_USER_BPS];
    int nubps;
    struct watch watch;

    json_t *stop;          /* the last reported stop, while stopped */
    json_t *latest;        /* the latest snapshot message */
    int64_t latest_ms;
    char snap_error[256];

    struct waiter stop_waiters[MAX_WAITERS];
    int nstop_waiters;
    struct waiter start_waiters[MAX_WAITERS];
    int nstart_waiters;
};

static void mark_dead(struct target *t, const char *why);
static void drive(struct target *t, struct rsp_stop *stop);
static void report(struct target *t, const char *reason, const char *detail);
static void broadcast_status(struct target *t);

/* ---- small helpers ------------------------------------------------------ */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "glassbox-inspector: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

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
    return t->rsp && t->qstate == Q_RUNNING;
}

/* After a failed request: was it the connection? Then QEMU is as good as
 * dead. */
static void rsp_failed(struct target *t, const char *what)
{
    char why[512];
    int fd = t->rsp ? rsp_conn_fd(t->rsp) : -1;
    char b;

    snprintf(why, sizeof why, "%s: %s", what,
             t->rsp ? rsp_conn_error(t->rsp) : "not connected");
    say("%s", why);
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
}

/* ---- breakpoints: one Z0 per address, however many reasons want it ------ */

static struct bp *bp_find(struct target *t, uint32_t addr)
{
    for (int i = 0; i < t->nbps; i++)
        if (t->bps[i].addr == addr)
            return &t->bps[i];
    return NULL;
}

static int bp_add(struct target *t, uint32_t addr)
{
    struct bp *b = bp_find(t, addr);

    if (b) {
        b->refs++;
        return 0;
    }
    if (t->nbps == MAX_BPS)
        return -1;
    if (rsp_conn_insert(t->rsp, RSP_BREAK_SW, addr, 4) < 0)
        return -1;
    t->bps[t->nbps++] = (struct bp){addr, 1};
    return 0;
}

static void bp_del(struct target *t, uint32_t addr)
{
    struct bp *b = bp_find(t, addr);

    if (!b || --b->refs > 0)
        return;
    if (rsp_conn_remove(t->rsp, RSP_BREAK_SW, addr, 4) < 0)
        say("cannot remove the breakpoint at 0x%08" PRIx32 ": %s", addr,
            rsp_conn_error(t->rsp));
    *b = t->bps[--t->nbps];
}

static const struct user_bp *ubp_at(const struct target *t, uint32_t addr)
{
    for (int i = 0; i < t->nubps; i++)
        if (t->ubps[i].addr == addr)
            return &t->ubps[i];
    return NULL;
}

/* Drop the temporary breakpoints of the command in progress. */
static void cancel_mode(struct target *t)
{
    switch (t->mode) {
    case M_RUN_TO:
        bp_del(t, t->event_log);
        break;
    case M_RUN_TO_RET:
        bp_del(t, t->ret_addr);
        break;
    case M_STEP_LINE:
        if (t->sl.call_ret)
            bp_del(t, t->sl.call_ret);
        for (int i = 0; i < t->sl.naddrs; i++)
            bp_del(t, t->sl.addrs[i]);
        t->sl.call_ret = 0;
        t->sl.naddrs = 0;
        break;
    default:
        break;
    }
    t->mode = M_FREE;
}

/* ---- status --------------------------------------------------------------- */

static const char *qstate_name(enum qemu_state s)
{
    switch (s) {
    case Q_STARTING:
        return "starting";
    case Q_RUNNING:
        return "running";
    default:
        return "dead";
    }
}

json_t *target_status(struct target *t)
{
    json_t *s = json_pack("{s:s, s:s}", "type", "status", "qemu",
                          qstate_name(t->qstate));

    if (!s)
        return NULL;
    if (t->qstate == Q_DEAD || t->qstate == Q_NONE)
        json_object_set_new(s, "message", text_json(t->qmessage));
    if (t->qstate == Q_RUNNING) {
        json_object_set_new(s, "guest",
                            json_string(t->running ? "running" : "stopped"));
        if (!t->running && t->stop)
            json_object_set(s, "stop", t->stop);
    }
    if (t->launched && t->qemu.pid > 0)
        json_object_set_new(s, "qemu_pid", json_integer(t->qemu.pid));
    json_t *bps = json_array();
    for (int i = 0; i < t->nubps; i++)
        json_array_append_new(bps, json_string(t->ubps[i].name));
    json_object_set_new(s, "breakpoints", bps);
    if (t->watch.on) {
        json_t *w = json_pack("{s:i, s:o}", "pid", t->watch.pid, "va",
                              hex32(t->watch.va));
        if (w && t->watch.pa)
            json_object_set_new(w, "pa", hex32(t->watch.pa));
        if (w && t->watch.error[0])
            json_object_set_new(w, "error", text_json(t->watch.error));
        json_object_set_new(s, "watch", w);
    } else {
        json_object_set_new(s, "watch", json_null());
    }
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
    return s;
}

static void broadcast_status(struct target *t)
{
    json_t *s = target_status(t);

    if (s)
        t->hooks.status(t->hooks.ctx, s);
    json_decref(s);
}

/* ---- snapshots ------------------------------------------------------------ */

/* Take one now (the guest is stopped) and send it to everyone. 0 or -1. */
static int take_snapshot(struct target *t)
{
    char err[256];
    json_t *s = snapshotter_take(t->snap, t->rsp, err, sizeof err);

    if (!s) {
        snprintf(t->snap_error, sizeof t->snap_error, "%s", err);
        say("snapshot failed: %s", err);
        return -1;
    }
    t->snap_error[0] = '\0';
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

/* Physical memory inside RAM only. */
static int read_phys(struct target *t, uint32_t pa, void *buf, size_t len)
{
    if (pa < RAM_BASE || len > RAM_SIZE || pa - RAM_BASE > RAM_SIZE - len)
        return -1;
    if (rsp_conn_set_phys_mode(t->rsp, true) < 0)
        return -1;
    int r = rsp_conn_read_mem(t->rsp, pa, buf, len);
    if (rsp_conn_set_phys_mode(t->rsp, false) < 0)
        return -1;
    return r;
}

/* ---- resuming --------------------------------------------------------------- */

static void set_running(struct target *t)
{
    bool was = t->running;

    t->running = true;
    json_decref(t->stop);
    t->stop = NULL;
    if (!was)
        broadcast_status(t);
}

/* 1 stopped (stop filled in), 0 running, -1 failed. */
static int do_step(struct target *t, struct rsp_stop *stop)
{
    if (rsp_conn_step(t->rsp) < 0)
        return -1;
    t->running = true;
    return rsp_conn_wait_stop(t->rsp, SYNC_STOP_MS, stop);
}

static int do_continue(struct target *t, struct rsp_stop *stop)
{
    if (bp_find(t, PC(t))) {
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
        t->running = true;
        return rsp_conn_poll_stop(t->rsp, stop);
    }
    if (rsp_conn_continue(t->rsp) < 0)
        return -1;
    t->running = true;
    return rsp_conn_poll_stop(t->rsp, stop);
}

/* ---- deciding what a stop means -------------------------------------------- */

static int proc_root(struct target *t, int pid, uint32_t *root, char *err,
                     size_t errlen);
static int translate(struct target *t, uint32_t root, uint32_t va,
                     uint32_t *pa);
static void watch_follow(struct target *t);

static int proc_lookup(struct target *t, int pid, uint8_t *out, char *err,
                       size_t errlen);

/* The system call number in the payload at event_log (a2); -1 unknown. */
static int event_syscall(struct target *t)
{
    const struct event_field *num = kernel_model_event_field(t->km, t->want_kind, "num");
    uint8_t b[4];

    if (!num || read_phys(t, A(t, 2) + num->offset, b, sizeof b) < 0)
        return -1;
    return (int)le32(b);
}

/* Whether the live process pid is called name. */
static bool proc_named(struct target *t, int pid, const char *name)
{
    const struct kernel_layout *kl = kernel_model_layout(t->km);
    uint8_t *p = malloc(kl->proc_size);
    char err[128];
    bool same = false;

    if (p && proc_lookup(t, pid, p, err, sizeof err) == 0) {
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

/* A write watchpoint hit: on the user page while another address space was
 * loaded is not ours. */
static bool watch_hit_is_ours(struct target *t, uint64_t addr)
{
    uint64_t satp;
    uint32_t root;
    char err[128];

    if (addr >= t->watch.va && addr < (uint64_t)t->watch.va + PAGE) {
        if (rsp_conn_read_reg_named(t->rsp, "satp", &satp) < 0 ||
            proc_root(t, t->watch.pid, &root, err, sizeof err) < 0)
            return true; /* cannot tell: show it */
        return (uint32_t)((satp & 0x3fffff) << 12) == root;
    }
    return true;
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
        bp_del(t, t->sl.call_ret);
        t->sl.call_ret = 0;
    }
    for (int i = 0; i < t->sl.naddrs; i++)
        if (PC(t) == t->sl.addrs[i]) {
            report(t, "step_line", NULL);
            return ACT_DONE;
        }
    if (t->sl.naddrs > 0) /* some other breakpoint's business */
        return ACT_CONTINUE;
    if (kernel_model_where(t->km, PC(t), &fn, &file, &line) < 0) {
        report(t, "step_line", "left the kernel's line table");
        return ACT_DONE;
    }
    if (strcmp(fn, t->sl.function) != 0) {
        if (RA(t) == t->sl.prev_pc + 4 && !t->sl.call_ret) {
            /* A call: run the callee at full speed. */
            if (bp_add(t, RA(t)) < 0) {
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
            if (bp_add(t, t->sl.addrs[i]) < 0)
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
    const struct user_bp *ub = ubp_at(t, PC(t));
    if (t->pausing) {
        t->pausing = false;
        t->continue_after_step = false;
        cancel_mode(t);
        if (stop->reason == RSP_REASON_WATCH && t->watch.on &&
            watch_hit_is_ours(t, stop->watch_addr)) {
            snprintf(detail, sizeof detail, "pid %d va 0x%08" PRIx32,
                     t->watch.pid, t->watch.va);
            report(t, "watchpoint", detail);
        } else if (ub && stop->signal != SIGINT_NUM) {
            report(t, "breakpoint", ub->name);
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
    if (stop->reason == RSP_REASON_WATCH && t->watch.on) {
        if (!watch_hit_is_ours(t, stop->watch_addr))
            return t->mode == M_STEP || t->mode == M_STEP_LINE ? ACT_STEP
                                                               : ACT_CONTINUE;
        cancel_mode(t);
        snprintf(detail, sizeof detail, "pid %d va 0x%08" PRIx32 " (write at 0x%08" PRIx64 ")",
                 t->watch.pid, t->watch.va, stop->watch_addr);
        report(t, "watchpoint", detail);
        return ACT_DONE;
    }
    if (t->mode == M_RUN_TO && PC(t) == t->event_log && !ubp_at(t, PC(t))) {
        if (!want_event(t))
            return ACT_CONTINUE;
        snprintf(t->detail, sizeof t->detail, "%s", kind_name(t, t->want_kind));
        if (bp_add(t, RA(t)) < 0) {
            cancel_mode(t);
            report(t, "event", t->detail);
            return ACT_DONE;
        }
        bp_del(t, t->event_log);
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
        snprintf(detail, sizeof detail, "%s", ub->name);
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
    for (int i = 0; i < DRIVE_MAX; i++) {
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
    cancel_mode(t);
    report(t, "step_line", "gave up after too many steps");
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
        json_object_set_new(t->stop, "file", text_json(file));
        json_object_set_new(t->stop, "line", json_integer(line));
    }
    if (t->watch.on)
        watch_follow(t);
    if (!connected(t))
        return;
    /* An exited guest has nothing left to read. */
    if (strcmp(reason, "exited") != 0)
        take_snapshot(t);
    broadcast_status(t);
    if (strcmp(reason, "exited") != 0)
        broadcast_snapshot(t);
    json_t *extra = json_pack("{s:O}", "stop", t->stop);
    wait_answer(t, t->stop_waiters, &t->nstop_waiters, NULL, extra);
    json_decref(extra);
}

/* ---- the gdbstub socket -------------------------------------------------------- */

static void on_rsp(void *ctx, int what)
{
    struct target *t = ctx;
    struct rsp_stop stop;

    if (!t->rsp)
        return;
    if (what & LOOP_HUP) {
        t->rsp_w = NULL;
        mark_dead(t, "the gdbstub connection closed");
        return;
    }
    if (!t->running) {
        /* Nothing is due while stopped: either EOF or noise. */
        char buf[256];
        ssize_t n = recv(rsp_conn_fd(t->rsp), buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0)
            mark_dead(t, "the gdbstub closed the connection");
        else if (n > 0)
            say("ignored %zd stray bytes from the gdbstub", n);
        return;
    }
    int r = rsp_conn_poll_stop(t->rsp, &stop);
    if (r < 0)
        rsp_failed(t, "waiting for the guest to stop");
    else if (r == 1)
        drive(t, &stop);
}

/* Stop the guest for a moment to do fn; it goes on afterwards (unless it
 * stopped for a reason of its own meanwhile, which is then reported).
 * fn's return value, or -1 when the guest could not be stopped. */
static int with_stopped(struct target *t, int (*fn)(struct target *, void *),
                        void *arg)
{
    struct rsp_stop stop;

    if (!t->running)
        return fn(t, arg);
    if (rsp_conn_interrupt(t->rsp) < 0) {
        rsp_failed(t, "interrupting the guest");
        return -1;
    }
    int r = rsp_conn_wait_stop(t->rsp, RSP_TIMEOUT_MS, &stop);
    if (r <= 0) {
        if (r == 0)
            mark_dead(t, "the guest did not stop when interrupted");
        else
            rsp_failed(t, "interrupting the guest");
        return -1;
    }
    t->running = false;
    if (read_regs(t) < 0) {
        rsp_failed(t, "reading the registers");
        return -1;
    }
    int result = fn(t, arg);
    if (!connected(t))
        return result;
    if (stop.kind == RSP_STOP_SIGNAL && stop.signal == SIGINT_NUM &&
        stop.reason == RSP_REASON_NONE) {
        int c = do_continue(t, &stop);
        if (c < 0)
            rsp_failed(t, "resuming the guest");
        else if (c == 1)
            drive(t, &stop);
        else
            t->running = true;
    } else {
        drive(t, &stop);
    }
    return result;
}

/* ---- the console ------------------------------------------------------------------ */

static void console_flush(void *ctx)
{
    struct target *t = ctx;

    t->flush_pending = false;
    if (t->con_text_len > 0)
        t->hooks.console(t->hooks.ctx, t->con_text, t->con_text_len);
    t->con_text_len = 0;
}

static void console_close(struct target *t)
{
    loop_unwatch(t->console_w);
    t->console_w = NULL;
    if (t->console_fd >= 0)
        close(t->console_fd);
    t->console_fd = -1;
    console_flush(t);
    loop_timer_cancel(&t->flush_timer);
    t->flush_pending = false;
    t->carry.len = 0;
    t->con_in_len = 0;
}

static void console_send_input(struct target *t)
{
    while (t->con_in_len > 0 && t->console_fd >= 0) {
        ssize_t n = write(t->console_fd, t->con_in, t->con_in_len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            loop_want_write(t->console_w);
            return;
        }
        if (n < 0) {
            say("console write: %s", strerror(errno));
            t->con_in_len = 0;
            return;
        }
        memmove(t->con_in, t->con_in + n, t->con_in_len - (size_t)n);
        t->con_in_len -= (size_t)n;
    }
}

static void on_console(void *ctx, int what)
{
    struct target *t = ctx;
    uint8_t buf[CONSOLE_CHUNK];

    if (what & LOOP_HUP) {
        t->console_w = NULL;
        console_close(t);
        if (t->launched)
            mark_dead(t, "QEMU closed the serial console");
        return;
    }
    if (what & LOOP_WRITE)
        console_send_input(t);
    if (!(what & LOOP_READ))
        return;
    /* At most a few chunks per turn, so one chatty guest cannot starve the
     * web clients. */
    for (int i = 0; i < 4 && t->console_fd >= 0; i++) {
        ssize_t n = read(t->console_fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n <= 0) {
            console_close(t);
            if (t->launched)
                mark_dead(t, "QEMU closed the serial console");
            return;
        }
        if (t->con_text_len + UTF8_CLEAN_CAP((size_t)n) > sizeof t->con_text)
            console_flush(t);
        t->con_text_len += utf8_clean(&t->carry, buf, (size_t)n,
                                      t->con_text + t->con_text_len);
        if (t->con_text_len >= CONSOLE_CHUNK)
            console_flush(t);
    }
    if (t->con_text_len > 0 && !t->flush_pending) {
        t->flush_pending = true;
        loop_timer_set(&t->flush_timer, CONSOLE_FLUSH_MS, console_flush, t);
    }
}

int target_console_write(struct target *t, const char *data, size_t len,
                         char *err, size_t errlen)
{
    if (t->console_fd < 0) {
        snprintf(err, errlen, "the console is not connected%s",
                 t->launched ? "" : " (start with --console HOST:PORT)");
        return -1;
    }
    if (len > sizeof t->con_in - t->con_in_len) {
        snprintf(err, errlen, "the console is not taking input (%zu bytes "
                 "waiting)", t->con_in_len);
        return -1;
    }
    memcpy(t->con_in + t->con_in_len, data, len);
    t->con_in_len += len;
    console_send_input(t);
    return 0;
}

/* ---- QEMU's life --------------------------------------------------------------------- */

static void disconnect(struct target *t)
{
    loop_unwatch(t->rsp_w);
    t->rsp_w = NULL;
    rsp_conn_close(t->rsp);
    t->rsp = NULL;
    console_close(t);
    t->running = false;
    t->continue_after_step = false;
    t->pausing = false;
    t->mode = M_FREE;
    t->nbps = 0;
    t->nubps = 0;
    memset(&t->watch, 0, sizeof t->watch);
    json_decref(t->stop);
    t->stop = NULL;
}

static void mark_dead(struct target *t, const char *why)
{
    char reaped[512];

    if (t->qstate == Q_DEAD)
        return;
    if (t->launched) {
        /* Give a dying QEMU a moment, so the message says how it ended. */
        for (int i = 0; i < 50 && t->qemu.pid > 0; i++) {
            if (qemu_reap(&t->qemu, reaped, sizeof reaped)) {
                why = reaped;
                break;
            }
            usleep(10000);
        }
        if (t->qemu.pid > 0)
            qemu_kill(&t->qemu);
    }
    snprintf(t->qmessage, sizeof t->qmessage, "%s", why);
    say("QEMU is dead: %s", why);
    disconnect(t);
    t->qstate = Q_DEAD;
    loop_timer_cancel(&t->connect_timer);
    wait_answer(t, t->stop_waiters, &t->nstop_waiters, why, NULL);
    wait_answer(t, t->start_waiters, &t->nstart_waiters, why, NULL);
    broadcast_status(t);
    if (!t->start_reported) {
        t->start_reported = true;
        t->hooks.started(t->hooks.ctx, false, why);
    }
}

static void reap_tick(void *ctx)
{
    struct target *t = ctx;
    char why[512];

    if (t->launched && t->qemu.pid > 0 && qemu_reap(&t->qemu, why, sizeof why))
        mark_dead(t, why);
    loop_timer_set(&t->reap_timer, REAP_EVERY_MS, reap_tick, t);
}

/* Attached: first snapshot, then run. */
static void attached(struct target *t)
{
    struct rsp_stop stop;

    t->rsp_w = loop_watch(rsp_conn_fd(t->rsp), on_rsp, t);
    if (t->console_fd >= 0)
        t->console_w = loop_watch(t->console_fd, on_console, t);
    if (!t->rsp_w || (t->console_fd >= 0 && !t->console_w)) {
        mark_dead(t, "cannot watch the gdbstub or console socket");
        return;
    }
    t->qstate = Q_RUNNING;
    t->running = false;
    if (read_regs(t) < 0) {
        rsp_failed(t, "reading the registers");
        return;
    }
    report(t, "start", t->launched ? "QEMU waits at reset" : "attached");
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

static void connect_tick(void *ctx)
{
    struct target *t = ctx;
    char err[512], port[16], why[512];

    if (t->qstate != Q_STARTING)
        return;
    if (qemu_reap(&t->qemu, why, sizeof why)) {
        mark_dead(t, why);
        return;
    }
    if (t->console_fd < 0)
        t->console_fd = qemu_connect_console(&t->qemu, err, sizeof err);
    if (t->console_fd >= 0) {
        snprintf(port, sizeof port, "%d", t->qemu.gdb_port);
        t->rsp = rsp_conn_open("127.0.0.1", port, RSP_TIMEOUT_MS, err,
                               sizeof err);
        if (t->rsp) {
            attached(t);
            return;
        }
    }
    if (++t->connect_tries >= CONNECT_TRIES) {
        char msg[700];
        snprintf(msg, sizeof msg, "QEMU did not let us connect: %s", err);
        mark_dead(t, msg);
        return;
    }
    loop_timer_set(&t->connect_timer, CONNECT_EVERY_MS, connect_tick, t);
}

void target_start(struct target *t)
{
    char err[512];

    snapshotter_reset(t->snap);
    json_decref(t->latest);
    t->latest = NULL;
    t->snap_error[0] = '\0';
    t->qmessage[0] = '\0';
    t->console_fd = -1;
    t->carry.len = 0;
    t->connect_tries = 0;
    t->qstate = Q_STARTING;
    if (t->cfg.attach) {
        const char *colon = strrchr(t->cfg.attach, ':');
        char host[256];
        size_t hl = colon ? (size_t)(colon - t->cfg.attach) : 0;
        if (!colon || hl == 0 || hl >= sizeof host) {
            mark_dead(t, "--attach wants HOST:PORT");
            return;
        }
        memcpy(host, t->cfg.attach, hl);
        host[hl] = '\0';
        if (t->cfg.console) {
            t->console_fd = net_connect(t->cfg.console, err, sizeof err);
            if (t->console_fd < 0) {
                mark_dead(t, err);
                return;
            }
        }
        t->rsp = rsp_conn_open(host, colon + 1, RSP_TIMEOUT_MS, err,
                               sizeof err);
        if (!t->rsp) {
            mark_dead(t, err);
            return;
        }
        attached(t);
        return;
    }
    if (qemu_launch(&t->qemu, t->cfg.qemu, t->cfg.kernel, t->cfg.disk,
                    t->cfg.gdb_port, err, sizeof err) < 0) {
        mark_dead(t, err);
        return;
    }
    broadcast_status(t);
    loop_timer_set(&t->connect_timer, CONNECT_EVERY_MS, connect_tick, t);
}

static void restart(struct target *t, struct client *from, const json_t *id)
{
    if (t->cfg.attach) {
        reply_to(t, from, control_reply_error(id, "attached to a QEMU started "
                 "by hand: restart it yourself"));
        return;
    }
    if (t->qstate == Q_STARTING) {
        wait_add(t, t->start_waiters, &t->nstart_waiters, from, id);
        return;
    }
    static const char note[] = "\r\n[glassbox: restarting QEMU]\r\n";
    wait_answer(t, t->stop_waiters, &t->nstop_waiters, "QEMU restarted", NULL);
    disconnect(t);
    t->hooks.console(t->hooks.ctx, note, sizeof note - 1);
    qemu_kill(&t->qemu);
    t->qstate = Q_NONE;
    wait_add(t, t->start_waiters, &t->nstart_waiters, from, id);
    target_start(t);
}

/* ---- the process table (watch) ---------------------------------------------------- */

/* Where proc[] and its fields are, from the decoders' layout. */
static int proc_layout(struct target *t, const struct kernel_layout **out,
                       char *err, size_t errlen)
{
    const struct kernel_layout *kl = kernel_model_layout(t->km);

    if (!kl || kl->proc_size == 0 || kl->nproc == 0 || kl->nproc > 4096 ||
        kl->p_pid + 4 > kl->proc_size || kl->p_state + 4 > kl->proc_size ||
        kl->p_pagetable + 4 > kl->proc_size) {
        snprintf(err, errlen, "no usable layout of struct proc");
        return -1;
    }
    *out = kl;
    return 0;
}

/* The struct proc of a live process, copied into out (proc_size bytes).
 * Only the slots up to the kernel's high-water mark are read. */
static int proc_lookup(struct target *t, int pid, uint8_t *out, char *err,
                       size_t errlen)
{
    const struct kernel_layout *kl;
    uint8_t mark[4];

    if (proc_layout(t, &kl, err, errlen) < 0)
        return -1;
    if (read_phys(t, kl->proc_high_water_addr, mark, sizeof mark) < 0) {
        snprintf(err, errlen, "cannot read the process table");
        return -1;
    }
    uint32_t used = le32(mark) < kl->nproc ? le32(mark) : kl->nproc;
    size_t len = (size_t)kl->proc_size * used;
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf || (len && read_phys(t, kl->proc_addr, buf, len) < 0)) {
        free(buf);
        snprintf(err, errlen, "cannot read the process table");
        return -1;
    }
    int found = -1;
    for (uint32_t i = 0; i < used && found < 0; i++) {
        const uint8_t *p = buf + (size_t)i * kl->proc_size;
        if (le32(p + kl->p_state) != 0 && (int)le32(p + kl->p_pid) == pid) {
            memcpy(out, p, kl->proc_size);
            found = 0;
        }
    }
    free(buf);
    if (found < 0)
        snprintf(err, errlen, "no process %d", pid);
    return found;
}

/* The root page table of a live process. */
static int proc_root(struct target *t, int pid, uint32_t *root, char *err,
                     size_t errlen)
{
    const struct kernel_layout *kl = kernel_model_layout(t->km);
    uint8_t *p = malloc(kl->proc_size ? kl->proc_size : 1);
    int r = p ? proc_lookup(t, pid, p, err, errlen) : -1;

    if (r == 0)
        *root = le32(p + kl->p_pagetable);
    free(p);
    return r;
}

/* Sv32, two reads, nothing followed outside RAM. 0 or -1. */
static int translate(struct target *t, uint32_t root, uint32_t va, uint32_t *pa)
{
    uint8_t b[4];
    uint32_t pte;

    if (read_phys(t, root + 4 * (va >> 22), b, 4) < 0)
        return -1;
    pte = le32(b);
    if (!(pte & 1))
        return -1;
    if (pte & 0xe) { /* a superpage */
        *pa = ((pte >> 10) << 12) + (va & 0x3ff000);
        return 0;
    }
    if (read_phys(t, ((pte >> 10) << 12) + 4 * ((va >> 12) & 0x3ff), b, 4) < 0)
        return -1;
    pte = le32(b);
    if (!(pte & 1) || !(pte & 0xe) || !(pte & 0x10))
        return -1;
    *pa = (pte >> 10) << 12;
    return 0;
}

/* After a stop: the page may have a new frame (a COW fault gives the
 * faulting process its own copy); the physical watchpoint follows it. */
static void watch_follow(struct target *t)
{
    uint32_t root, pa;
    char err[128];

    if (proc_root(t, t->watch.pid, &root, err, sizeof err) < 0 ||
        translate(t, root, t->watch.va, &pa) < 0) {
        if (!t->watch.error[0])
            snprintf(t->watch.error, sizeof t->watch.error, "%s",
                     err[0] ? err : "the page is not mapped any more");
        return;
    }
    t->watch.error[0] = '\0';
    if (pa == t->watch.pa && t->watch.pa_set)
        return;
    if (t->watch.pa_set)
        rsp_conn_remove(t->rsp, RSP_WATCH_WRITE, t->watch.pa, PAGE);
    t->watch.pa = pa;
    t->watch.pa_set = rsp_conn_insert(t->rsp, RSP_WATCH_WRITE, pa, PAGE) == 0;
}

static void watch_clear(struct target *t)
{
    if (!t->watch.on)
        return;
    rsp_conn_remove(t->rsp, RSP_WATCH_WRITE, t->watch.va, PAGE);
    if (t->watch.pa_set)
        rsp_conn_remove(t->rsp, RSP_WATCH_WRITE, t->watch.pa, PAGE);
    memset(&t->watch, 0, sizeof t->watch);
}

/* ---- commands ------------------------------------------------------------------------- */

struct job {
    const struct command *cmd;
    char err[256];
    json_t *extra;
};

static int job_break(struct target *t, void *arg)
{
    struct job *j = arg;
    const struct command *c = j->cmd;

    if (c->kind == CMD_BREAK) {
        if (ubp_at(t, c->addr))
            return 0;
        if (t->nubps == MAX_USER_BPS) {
            snprintf(j->err, sizeof j->err, "at most %d breakpoints",
                     MAX_USER_BPS);
            return -1;
        }
        if (bp_add(t, c->addr) < 0) {
            snprintf(j->err, sizeof j->err, "cannot set the breakpoint: %s",
                     rsp_conn_error(t->rsp));
            return -1;
        }
        t->ubps[t->nubps].addr = c->addr;
        snprintf(t->ubps[t->nubps].name, sizeof t->ubps[0].name, "%s",
                 c->function);
        t->nubps++;
        return 0;
    }
    for (int i = 0; i < t->nubps; i++)
        if (t->ubps[i].addr == c->addr) {
            bp_del(t, c->addr);
            t->ubps[i] = t->ubps[--t->nubps];
            return 0;
        }
    snprintf(j->err, sizeof j->err, "no breakpoint at %s", c->function);
    return -1;
}

/* Watch writes to a user page of a process. QEMU's watchpoints are on
 * virtual addresses, and the page is written two ways: by the process
 * itself through its user address (while its page table is loaded; a hit
 * while another process's table is loaded is ignored), and by the kernel
 * through the direct map, where the virtual address is the frame's
 * physical address (copyout(), the COW copy). So there are two: one on the
 * user page, one on the frame; the second moves when the page gets a new
 * frame (checked at every stop). */
static int job_watch(struct target *t, void *arg)
{
    struct job *j = arg;
    const struct command *c = j->cmd;
    uint32_t root, pa, va = c->va & ~(PAGE - 1);

    if (c->kind == CMD_UNWATCH) {
        watch_clear(t);
        return 0;
    }
    if (proc_root(t, c->pid, &root, j->err, sizeof j->err) < 0)
        return -1;
    if (translate(t, root, va, &pa) < 0) {
        snprintf(j->err, sizeof j->err, "0x%08" PRIx32 " is not mapped in "
                 "process %d", c->va, c->pid);
        return -1;
    }
    watch_clear(t);
    if (rsp_conn_insert(t->rsp, RSP_WATCH_WRITE, va, PAGE) < 0) {
        snprintf(j->err, sizeof j->err, "cannot set the watchpoint: %s",
                 rsp_conn_error(t->rsp));
        return -1;
    }
    t->watch.on = true;
    t->watch.pid = c->pid;
    t->watch.va = va;
    t->watch.pa = pa;
    t->watch.pa_set = rsp_conn_insert(t->rsp, RSP_WATCH_WRITE, pa, PAGE) == 0;
    j->extra = json_pack("{s:o}", "pa", hex32(pa));
    return 0;
}

static int job_snapshot(struct target *t, void *arg)
{
    (void)arg;
    return take_snapshot(t);
}

static int job_run_to(struct target *t, void *arg)
{
    struct job *j = arg;

    cancel_mode(t);
    if (!t->event_log) {
        snprintf(j->err, sizeof j->err, "the kernel has no event_log()");
        return -1;
    }
    if (bp_add(t, t->event_log) < 0) {
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

void target_command(struct target *t, struct command *cmd, struct client *from)
{
    const json_t *id = cmd->id;
    struct job job = {.cmd = cmd};

    if (cmd->kind == CMD_RESTART) {
        restart(t, from, id);
        return;
    }
    if (!connected(t)) {
        reply_to(t, from, control_reply_error(id, "QEMU is %s%s%s",
                 qstate_name(t->qstate), t->qmessage[0] ? ": " : "",
                 t->qmessage));
        return;
    }
    switch (cmd->kind) {
    case CMD_SNAPSHOT:
        if (!t->running && t->latest) {
            t->hooks.unicast(t->hooks.ctx, from, t->latest);
            reply_to(t, from, control_reply_ok(id));
            return;
        }
        if (!t->running ||
            loop_now_ms() - t->latest_ms >= LIVE_SNAPSHOT_MIN_MS) {
            if (with_stopped(t, job_snapshot, &job) < 0) {
                reply_to(t, from, control_reply_error(id, "snapshot failed: %s",
                         t->snap_error[0] ? t->snap_error : "QEMU is gone"));
                return;
            }
            broadcast_snapshot(t);
        } else if (t->latest) {
            t->hooks.unicast(t->hooks.ctx, from, t->latest);
        }
        reply_to(t, from, control_reply_ok(id));
        return;
    case CMD_PAUSE:
        if (!t->running) {
            reply_to(t, from, control_reply_ok(id));
            return;
        }
        if (!t->pausing) {
            t->pausing = true;
            if (rsp_conn_interrupt(t->rsp) < 0) {
                rsp_failed(t, "interrupting the guest");
                reply_to(t, from, control_reply_error(id, "cannot interrupt"));
                return;
            }
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
            if (kernel_model_where(t->km, PC(t), &fn, &file, &t->sl.line) < 0) {
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
    case CMD_BREAK:
    case CMD_UNBREAK:
        if (with_stopped(t, job_break, &job) < 0) {
            reply_to(t, from, control_reply_error(id, "%s",
                     job.err[0] ? job.err : "QEMU is gone"));
            return;
        }
        broadcast_status(t);
        reply_to(t, from, control_reply_ok(id));
        return;
    case CMD_WATCH:
    case CMD_UNWATCH:
        if (with_stopped(t, job_watch, &job) < 0) {
            reply_to(t, from, control_reply_error(id, "%s",
                     job.err[0] ? job.err : "QEMU is gone"));
            return;
        }
        broadcast_status(t);
        json_t *r = control_reply_ok(id);
        if (r && job.extra)
            json_object_update(r, job.extra);
        json_decref(job.extra);
        reply_to(t, from, r);
        return;
    case CMD_RUN_TO:
        if (t->running) {
            if (with_stopped(t, job_run_to, &job) < 0) {
                reply_to(t, from, control_reply_error(id, "%s",
                         job.err[0] ? job.err : "QEMU is gone"));
                return;
            }
            if (connected(t))
                broadcast_status(t);
        } else {
            if (job_run_to(t, &job) < 0) {
                reply_to(t, from, control_reply_error(id, "%s", job.err));
                return;
            }
            run(t);
        }
        reply_to(t, from, control_reply_ok(id));
        return;
    default:
        reply_to(t, from, control_reply_error(id, "not implemented"));
        return;
    }
}

json_t *target_latest(struct target *t)
{
    return t->latest;
}

json_t *target_snapshot(struct target *t, char *err, size_t errlen)
{
    struct job job = {0};

    if (!connected(t)) {
        if (t->latest)
            return json_incref(t->latest);
        snprintf(err, errlen, "QEMU is %s", qstate_name(t->qstate));
        return NULL;
    }
    if (!t->latest ||
        (t->running && loop_now_ms() - t->latest_ms >= LIVE_SNAPSHOT_MIN_MS)) {
        if (with_stopped(t, job_snapshot, &job) < 0 || !t->latest) {
            snprintf(err, errlen, "snapshot failed: %s",
                     t->snap_error[0] ? t->snap_error : "QEMU is gone");
            return NULL;
        }
        broadcast_snapshot(t);
    }
    return json_incref(t->latest);
}

/* ---- life of the module ----------------------------------------------------------------- */

struct target *target_new(const struct target_config *cfg,
                          struct kernel_model *km,
                          const struct target_hooks *hooks)
{
    struct target *t = calloc(1, sizeof *t);
    char err[256];

    if (!t)
        return NULL;
    t->cfg = *cfg;
    t->hooks = *hooks;
    t->km = km;
    t->console_fd = -1;
    t->launched = cfg->attach == NULL;
    t->snap = snapshotter_new(km);
    t->event_log = kernel_model_symbol(km, "event_log");
    json_t *hello = kernel_model_hello(km);
    t->kinds = json_incref(json_object_get(hello, "event_kinds"));
    json_decref(hello);
    if (!t->snap) {
        free(t);
        return NULL;
    }
    if (t->launched && qemu_init(&t->qemu, err, sizeof err) < 0) {
        say("%s", err);
        snapshotter_free(t->snap);
        free(t);
        return NULL;
    }
    loop_timer_set(&t->reap_timer, REAP_EVERY_MS, reap_tick, t);
    return t;
}

void target_free(struct target *t)
{
    if (!t)
        return;
    loop_timer_cancel(&t->reap_timer);
    loop_timer_cancel(&t->connect_timer);
    wait_answer(t, t->stop_waiters, &t->nstop_waiters, "shutting down", NULL);
    wait_answer(t, t->start_waiters, &t->nstart_waiters, "shutting down", NULL);
    disconnect(t);
    if (t->launched)
        qemu_cleanup(&t->qemu);
    json_decref(t->latest);
    snapshotter_free(t->snap);
    json_decref(t->kinds);
    free(t);
}
