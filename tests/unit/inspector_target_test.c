/* Unit tests for the run control (inspector/target.c and the modules
 * behind it: runctl.c, asking.c, snaps.c, rewind.c), attached to the
 * scripted gdb stub with a CPU model (rsp_stub.h), in the daemon's real
 * event loop (libwebsockets, no listening socket) and with the real
 * kernel's model. What is checked is what every client hears: each change
 * of state must come as a `status` message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <libwebsockets.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kernel_model.h"
#include "loop.h"
#include "rsp_stub.h"
#include "target.h"

#define RET_ADDR 0x80000400u /* where event_log "returns" to in its caller */
#define SIGINT_STOP "T02thread:01;"
#define TRAP_STOP "T05thread:01;"

static struct kernel_model *km;
static struct lws_context *lws;
static struct lws_protocols protocols[2];

/* What the scripted CPU does when continued with a breakpoint at
 * event_watched: log `events` events (every kind `other` but the last,
 * which is `want`) and, as the kernel does, call event_watched (a stop)
 * for those of a kind in the event_watch mask; then, with a breakpoint at
 * event_log's caller (a4), stop there. For step_line (walk set): a step goes to the next instruction (the stub's pc + 4), or nowhere (a
 * loop on one line), and the one at call_from calls callee; a continue
 * goes to the first breakpoint set (where the callee returns, or where
 * the loop is left). */
struct script {
    uint32_t event_watched, event_watch;
    int logged, watched; /* events logged, and stopped at */
    int events, other, want;
    bool at_wanted;
    bool step_hangs; /* a step ends only with the 0x03 byte's stop */
    bool walk, step_stays;
    uint32_t call_from, callee;
    int steps;       /* single steps taken */
};

static const char *script_resume(struct stub *s, bool step)
{
    struct script *sc = s->script;
    bool bp_log = false, bp_ret = false;

    if (step && sc->walk) {
        uint32_t from = s->regs[32] - 4;
        sc->steps++;
        if (from == sc->call_from) {
            s->regs[1] = from + 4;
            s->regs[32] = sc->callee;
        } else if (sc->step_stays) {
            s->regs[32] = from;
        }
        return TRAP_STOP;
    }
    if (step)
        return sc->step_hangs ? NULL : TRAP_STOP;
    if (sc->walk && s->nbps > 0) {
        s->regs[32] = s->bps[0];
        return TRAP_STOP;
    }
    for (int i = 0; i < s->nbps; i++) {
        bp_log |= s->bps[i] == sc->event_watched;
        bp_ret |= s->bps[i] == RET_ADDR;
    }
    if (sc->at_wanted && bp_ret) {
        sc->at_wanted = false;
        s->regs[32] = RET_ADDR;
        return TRAP_STOP;
    }
    uint32_t mask = s->word_addr == sc->event_watch ? s->word : 0;
    while (bp_log && sc->events > 0) {
        sc->events--;
        sc->logged++;
        int kind = sc->events ? sc->other : sc->want;
        if (!(mask >> kind & 1))
            continue;
        sc->watched++;
        sc->at_wanted = sc->events == 0;
        s->regs[32] = sc->event_watched;
        s->regs[10] = (uint32_t)kind;
        s->regs[13] = (uint32_t)sc->logged; /* its seq */
        s->regs[14] = RET_ADDR;               /* event_log's caller */
        s->regs[1] = sc->event_watched + 0x100; /* in event_log */
        return TRAP_STOP;
    }
    return NULL; /* runs until interrupted */
}

/* What the hooks heard. */
struct heard {
    json_t *statuses; /* every status, in order */
    json_t *replies;
    int snapshots;
};

static void on_status(void *ctx, json_t *msg)
{
    struct heard *h = ctx;
    json_array_append_new(h->statuses, json_deep_copy(msg));
}

static void on_snapshot(void *ctx, json_t *msg)
{
    struct heard *h = ctx;
    (void)msg;
    h->snapshots++;
}

static void on_console(void *ctx, const char *text, size_t len, bool again)
{
    (void)ctx, (void)text, (void)len, (void)again;
}

static void on_reply(void *ctx, struct client *to, json_t *reply)
{
    struct heard *h = ctx;
    (void)to;
    json_array_append_new(h->replies, json_deep_copy(reply));
}

static void on_unicast(void *ctx, struct client *to, json_t *msg)
{
    (void)ctx, (void)to, (void)msg;
}

static void on_started(void *ctx, bool ok, const char *why)
{
    (void)ctx, (void)ok, (void)why;
}

struct rig {
    struct stub *stub;
    struct script script;
    struct target *t;
    struct heard heard;
    char attach[32];
};

static struct rig rig; /* the test's; rig_stop() (the teardown) frees it */

static json_t *last_status(struct rig *r)
{
    size_t n = json_array_size(r->heard.statuses);
    return n ? json_array_get(r->heard.statuses, n - 1) : NULL;
}

static const char *guest(json_t *status)
{
    return json_string_value(json_object_get(status, "guest"));
}

static const char *stop_reason(json_t *status)
{
    return json_string_value(json_object_get(json_object_get(status, "stop"), "reason"));
}

/* Turn the loop until the last status heard satisfies want (or 10 s). */
static bool until(struct rig *r, bool (*want)(json_t *status, const void *arg),
                  const void *arg)
{
    int64_t end = loop_now_ms() + 10000;

    while (loop_now_ms() < end) {
        json_t *s = last_status(r);
        if (s && want(s, arg))
            return true;
        lws_service(lws, 0);
    }
    char *text = json_dumps(last_status(r), JSON_COMPACT);
    fprintf(stderr, "the last status heard: %s (events left %d, pc %x, log %d)\n", text ? text : "none", r->script.events, r->stub->regs[32], r->stub->nlog);
    free(text);
    return false;
}

/* Like until(), for a status heard after the first `before`. */
static bool until_after(struct rig *r, size_t before,
                        bool (*want)(json_t *status, const void *arg), const void *arg)
{
    int64_t end = loop_now_ms() + 10000;

    while (loop_now_ms() < end) {
        json_t *s = last_status(r);
        if (json_array_size(r->heard.statuses) > before && want(s, arg))
            return true;
        lws_service(lws, 0);
    }
    return false;
}

/* Turn the loop for ms. */
static void turn(int ms)
{
    int64_t end = loop_now_ms() + ms;

    while (loop_now_ms() < end)
        lws_service(lws, 0);
}

static bool heard_qemu(struct rig *r, const char *state)
{
    size_t i;
    json_t *s;

    json_array_foreach(r->heard.statuses, i, s) {
        if (!strcmp(json_string_value(json_object_get(s, "qemu")), state))
            return true;
    }
    return false;
}

static bool is_running(json_t *s, const void *arg)
{
    (void)arg;
    return guest(s) && !strcmp(guest(s), "running");
}

static bool stopped_for(json_t *s, const void *reason)
{
    return guest(s) && !strcmp(guest(s), "stopped") && stop_reason(s) &&
           !strcmp(stop_reason(s), reason);
}

/* The daemon's target, attached to a fresh stub (frozen: one that reads
 * nothing yet), starting. */
static void rig_start(struct rig *r, int events, int other, int want, bool frozen)
{
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;

    memset(r, 0, sizeof *r);
    r->stub = stub_new();
    r->stub->cpu = true;
    r->stub->regs[32] = 0x80000000u;
    r->script = (struct script){.event_watched = kernel_model_symbol(km, "event_watched"),
                                .event_watch = kernel_model_symbol(km, "event_watch"),
                                .events = events, .other = other, .want = want};
    assert_true(r->script.event_watched != 0 && r->script.event_watch != 0);
    r->stub->script = &r->script;
    r->stub->resume = script_resume;
    r->stub->frozen = frozen; /* before its thread starts */
    r->stub->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_int_equal(bind(r->stub->listen_fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(r->stub->listen_fd, 1), 0);
    getsockname(r->stub->listen_fd, (struct sockaddr *)&sa, &len);
    snprintf(r->attach, sizeof r->attach, "127.0.0.1:%d", ntohs(sa.sin_port));
    assert_int_equal(pthread_create(&r->stub->thread, NULL, stub_main, r->stub), 0);

    r->heard.statuses = json_array();
    r->heard.replies = json_array();
    struct life_config cfg = {.attach = r->attach};
    struct target_hooks hooks = {.status = on_status, .snapshot = on_snapshot,
                                 .console = on_console, .reply = on_reply,
                                 .unicast = on_unicast, .started = on_started,
                                 .ctx = &r->heard};
    r->t = target_new(&cfg, km, &hooks);
    assert_non_null(r->t);
    target_start(r->t);
}

static void freeze(struct rig *r, bool frozen)
{
    pthread_mutex_lock(&r->stub->lock);
    r->stub->frozen = frozen;
    pthread_mutex_unlock(&r->stub->lock);
}

static int rig_stop(void **state)
{
    struct rig *r = &rig;

    (void)state;
    if (!r->t)
        return 0;
    target_free(r->t);
    r->t = NULL;
    /* The loop closes its duplicate of the socket later: hang up here
     * (on a stub a failed test left frozen, too). */
    freeze(r, false);
    shutdown(r->stub->fd, SHUT_RDWR);
    pthread_join(r->stub->thread, NULL);
    close(r->stub->fd);
    close(r->stub->listen_fd);
    free(r->stub);
    json_decref(r->heard.statuses);
    json_decref(r->heard.replies);
    return 0;
}

static void command(struct rig *r, enum command_kind kind, int event_kind)
{
    struct command cmd = {.kind = kind, .event_kind = event_kind, .syscall = -1};
    target_command(r->t, &cmd, NULL);
}

/* A fresh rig (rig_start's arguments), running, then paused. */
static void rig_paused(struct rig *r, int events, int other, int want)
{
    rig_start(r, events, other, want, false);
    assert_true(until(r, is_running, NULL));
    command(r, CMD_PAUSE, 0);
    assert_true(until(r, stopped_for, "pause"));
}

/* A fresh rig paused at pc, its CPU walking for step_line (struct script). */
static void rig_paused_at(struct rig *r, uint32_t pc, uint32_t call_from,
                          uint32_t callee, bool step_stays)
{
    rig_start(r, 0, 0, 0, false);
    assert_true(until(r, is_running, NULL));
    pthread_mutex_lock(&r->stub->lock);
    r->stub->regs[32] = pc;
    r->script.walk = true;
    r->script.step_stays = step_stays;
    r->script.call_from = call_from;
    r->script.callee = callee;
    pthread_mutex_unlock(&r->stub->lock);
    command(r, CMD_PAUSE, 0);
    assert_true(until(r, stopped_for, "pause"));
}

/* The first address of a line of function fn that has three instructions
 * or more and is followed by another line of fn; *line is its line, *end
 * the first address after it. */
static uint32_t long_line(const char *fn, int *line, uint32_t *end)
{
    uint32_t start = kernel_model_symbol(km, fn);
    const char *f, *file;
    int l, prev = -1;

    assert_true(start != 0);
    for (uint32_t a = start; a < start + 4096; a += 4) {
        if (kernel_model_where(km, a, &f, &file, &l) < 0 || strcmp(f, fn) || !file)
            break;
        if (l == prev)
            continue;
        prev = l;
        uint32_t b = a;
        while (kernel_model_where(km, b, &f, &file, line) == 0 && !strcmp(f, fn) &&
               *line == l)
            b += 4;
        if (b - a >= 12 && kernel_model_where(km, b, &f, &file, line) == 0 &&
            !strcmp(f, fn) && file) {
            *line = l;
            *end = b;
            return a;
        }
    }
    fail_msg("%s has no line of three instructions", fn);
    return 0;
}

static const char *stop_field(struct rig *r, const char *key)
{
    return json_string_value(json_object_get(json_object_get(last_status(r), "stop"), key));
}

static int steps_taken(struct rig *r)
{
    pthread_mutex_lock(&r->stub->lock);
    int n = r->script.steps;
    pthread_mutex_unlock(&r->stub->lock);
    return n;
}

static void stops_were(struct rig *r, const char *reason)
{
    size_t i;
    json_t *s;

    json_array_foreach(r->heard.statuses, i, s) {
        const char *why = stop_reason(s);
        assert_true(!why || !strcmp(why, "start") || !strcmp(why, "pause") ||
                    !strcmp(why, reason));
    }
}

/* ---- the tests --------------------------------------------------------- */

static void attaching_says_stopped_then_running(void **state)
{
    struct rig *r = &rig;

    (void)state;
    rig_start(r, 0, 0, 0, false);
    assert_true(until(r, is_running, NULL));
    json_t *first = json_array_get(r->heard.statuses, 0);
    assert_true(stopped_for(first, "start") ||
                !strcmp(json_string_value(json_object_get(first, "qemu")), "starting"));
}

/* Attached, the guest's RAM is not the daemon's: live samples would stop
 * the guest, so they are off, and asked for they are done at most once a
 * second; the status says so. */
static void attached_samples_are_brief_stops(void **state)
{
    struct rig *r = &rig;

    (void)state;
    rig_start(r, 0, 0, 0, false);
    assert_true(until(r, is_running, NULL));
    json_t *sampling = json_object_get(last_status(r), "sampling");
    assert_string_equal(json_string_value(json_object_get(sampling, "from")), "brief stops");
    assert_int_equal(json_integer_value(json_object_get(sampling, "hz")), 0);
    assert_int_equal(json_integer_value(json_object_get(sampling, "max_hz")), 1);
    struct command cmd = {.kind = CMD_SAMPLE, .hz = 4, .syscall = -1};
    target_command(r->t, &cmd, NULL);
    sampling = json_object_get(last_status(r), "sampling");
    assert_int_equal(json_integer_value(json_object_get(sampling, "hz")), 1);
}

static void pause_then_continue_says_running(void **state)
{
    struct rig *r = &rig;

    (void)state;
    rig_start(r, 0, 0, 0, false);
    assert_true(until(r, is_running, NULL));
    for (int round = 0; round < 3; round++) {
        command(r, CMD_PAUSE, 0);
        assert_true(until(r, stopped_for, "pause"));
        command(r, CMD_CONTINUE, 0);
        assert_true(until(r, is_running, NULL));
        assert_null(json_object_get(last_status(r), "stop"));
    }
}

static bool running_to(json_t *s, const void *kind)
{
    const char *rt = json_string_value(json_object_get(s, "run_to"));
    return is_running(s, NULL) && rt && !strcmp(rt, kind);
}

/* The kernel's event_watch mask as the daemon last wrote it. */
static uint32_t watch_mask(struct rig *r)
{
    pthread_mutex_lock(&r->stub->lock);
    uint32_t mask = r->stub->word_addr == r->script.event_watch ? r->stub->word : 0;
    pthread_mutex_unlock(&r->stub->lock);
    return mask;
}

static void pause_cancels_a_waiting_run_to(void **state)
{
    struct rig *r = &rig;
    int fork_kind = kernel_model_event_kind(km, "fork");

    (void)state;
    rig_start(r, 0, 0, 0, false);
    assert_true(until(r, is_running, NULL));
    command(r, CMD_PAUSE, 0);
    assert_true(until(r, stopped_for, "pause"));
    command(r, CMD_RUN_TO, fork_kind);
    assert_true(until(r, running_to, "fork"));
    assert_true(stub_has_bp(r->stub, r->script.event_watched));
    assert_int_equal(watch_mask(r), 1u << fork_kind);
    command(r, CMD_PAUSE, 0);
    assert_true(until(r, stopped_for, "pause"));
    assert_null(json_object_get(last_status(r), "run_to"));
    assert_false(stub_has_bp(r->stub, r->script.event_watched));
    assert_int_equal(watch_mask(r), 0);
    /* and Run goes on as a plain run */
    command(r, CMD_CONTINUE, 0);
    assert_true(until(r, is_running, NULL));
    assert_null(json_object_get(last_status(r), "run_to"));
}

static bool stopped_at_event(json_t *s, const void *kind)
{
    const char *d = json_string_value(json_object_get(json_object_get(s, "stop"), "detail"));
    return stopped_for(s, "event") && d && !strcmp(d, kind);
}

/* Thousands of events of another kind pass without a stop (the kernel is
 * told the kind waited for) before the wanted one, which is stopped at
 * once, in the code that logged it. */
static void run_to_passes_other_events(void **state)
{
    struct rig *r = &rig;
    int fork_kind = kernel_model_event_kind(km, "fork");
    int cow_kind = kernel_model_event_kind(km, "cow_fault");

    (void)state;
    rig_start(r, 5000, fork_kind, cow_kind, false);
    assert_true(until(r, is_running, NULL));
    command(r, CMD_PAUSE, 0);
    assert_true(until(r, stopped_for, "pause"));
    command(r, CMD_RUN_TO, cow_kind);
    assert_true(until(r, stopped_for, "event"));
    assert_true(stopped_at_event(last_status(r), "cow_fault"));
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(last_status(r), "stop"), "pc")),
                        "0x80000400");
    assert_false(stub_has_bp(r->stub, r->script.event_watched));
    assert_false(stub_has_bp(r->stub, RET_ADDR));
    assert_int_equal(r->script.logged, 5000);
    assert_int_equal(r->script.watched, 1);
    assert_int_equal(watch_mask(r), 0);
    /* never reported as anything else on the way */
    size_t i;
    json_t *s;
    json_array_foreach(r->heard.statuses, i, s) {
        const char *why = stop_reason(s);
        assert_true(!why || !strcmp(why, "start") || !strcmp(why, "pause") ||
                    !strcmp(why, "event"));
    }
}

static void step_reports_each_step(void **state)
{
    struct rig *r = &rig;

    (void)state;
    rig_paused(r, 0, 0, 0);
    for (int i = 0; i < 3; i++) {
        size_t before = json_array_size(r->heard.statuses);
        command(r, CMD_STEP, 0);
        assert_true(until_after(r, before, stopped_for, "step"));
    }
    /* Every step's stop came: nothing is late. */
    turn(1500);
    assert_false(heard_qemu(r, "not responding"));
    command(r, CMD_CONTINUE, 0);
    assert_true(until(r, is_running, NULL));
}

/* A snapshot asked during a step interrupts QEMU, whose stop for the
 * interrupt can come in place of the step's own: that is the step's end,
 * not a stop to run on from (the guest ran at full speed, the step never
 * ended). */
static void an_interrupt_in_place_of_a_step_ends_it(void **state)
{
    struct rig *r = &rig;

    (void)state;
    rig_paused(r, 0, 0, 0);
    turn(300); /* the pause's snapshot is old enough to need a new one */
    pthread_mutex_lock(&r->stub->lock);
    r->script.step_hangs = true;
    pthread_mutex_unlock(&r->stub->lock);
    command(r, CMD_STEP, 0);
    command(r, CMD_SNAPSHOT, 0);
    assert_true(until(r, stopped_for, "step"));
}


/* step_line steps through the line, but a call on it (a step into
 * another function with ra = the pc before + 4) runs at full speed: a
 * breakpoint at ra and a continue, then steps again to the next line. */
static void step_line_runs_a_call_at_full_speed(void **state)
{
    struct rig *r = &rig;
    int line;
    uint32_t end, from = long_line("kalloc", &line, &end);
    char want_pc[16];

    (void)state;
    rig_paused_at(r, from, from, kernel_model_symbol(km, "memset"), false);
    command(r, CMD_STEP_LINE, 0);
    assert_true(until(r, stopped_for, "step_line"));
    snprintf(want_pc, sizeof want_pc, "0x%08x", end);
    assert_string_equal(stop_field(r, "pc"), want_pc);
    assert_string_equal(stop_field(r, "function"), "kalloc");
    /* the call, then one step for each instruction after it on the line */
    assert_int_equal(steps_taken(r), 1 + (int)(end - from - 4) / 4);
    assert_false(stub_has_bp(r->stub, from + 4));
    stops_were(r, "step_line");
}

/* A line that the steps never leave (a loop) is left at full speed:
 * breakpoints where the function's other lines start, and a continue. */
static void step_line_leaves_a_loop_by_breakpoints(void **state)
{
    struct rig *r = &rig;
    int line;
    uint32_t end, from = long_line("kalloc", &line, &end);
    uint32_t addrs[256];
    int n = kernel_model_next_line_addrs(km, from, addrs, 256);
    char want_pc[16];

    (void)state;
    assert_true(n > 0);
    rig_paused_at(r, from, 0, 0, true);
    command(r, CMD_STEP_LINE, 0);
    assert_true(until(r, stopped_for, "step_line"));
    snprintf(want_pc, sizeof want_pc, "0x%08x", addrs[0]);
    assert_string_equal(stop_field(r, "pc"), want_pc);
    assert_int_equal(steps_taken(r), 512); /* runctl.c's STEP_LINE_STEPS */
    assert_null(stop_field(r, "detail"));
    stops_were(r, "step_line");
}

/* Turn the loop until one reply more than before has come (or 5 s). */
static void await_reply(struct rig *r, size_t before)
{
    for (int i = 0; i < 1000 && json_array_size(r->heard.replies) == before; i++)
        turn(5);
    assert_int_equal(json_array_size(r->heard.replies), before + 1);
}

static bool not_responding(json_t *s, const void *arg)
{
    (void)arg;
    return !strcmp(json_string_value(json_object_get(s, "qemu")), "not responding");
}

static const char *last_error(struct rig *r)
{
    size_t n = json_array_size(r->heard.replies);
    json_t *reply = n ? json_array_get(r->heard.replies, n - 1) : NULL;
    return json_string_value(json_object_get(reply, "error"));
}

/* Attaching to a stub that does not answer (QEMU stopped as it starts)
 * does not stall the loop: target_start returns at once and QEMU is
 * "starting" for as long as the stub is silent; when it goes on, the
 * handshake runs and the guest runs. */
static void attaching_to_a_silent_stub_waits_without_blocking(void **state)
{
    struct rig *r = &rig;

    (void)state;
    int64_t start = loop_now_ms();
    rig_start(r, 0, 0, 0, true);
    assert_true(loop_now_ms() - start < 500); /* a handshake would wait 1000 ms */
    turn(1200);
    assert_false(heard_qemu(r, "running"));
    freeze(r, false);
    assert_true(until(r, is_running, NULL));
}

/* A command that needs QEMU's reply while the guest is stopped waits for
 * QEMU to answer a probe; the loop does not. With QEMU frozen, target_command
 * returns at once and sets nothing; every client hears "not responding" and
 * the command fails; thawed, QEMU is back, stopped where it was, and the same
 * command is carried out. */
static void a_frozen_qemu_holds_the_command_not_the_loop(void **state)
{
    struct rig *r = &rig;
    struct command cmd = {.kind = CMD_BREAK, .addr = 0x80000100u, .syscall = -1};

    (void)state;
    snprintf(cmd.function, sizeof cmd.function, "somewhere");
    rig_paused(r, 0, 0, 0);
    freeze(r, true);
    int64_t start = loop_now_ms();
    target_command(r->t, &cmd, NULL);
    assert_true(loop_now_ms() - start < 500); /* a wait would be 1000 ms */
    assert_false(stub_has_bp(r->stub, cmd.addr));
    assert_true(until(r, not_responding, NULL));
    assert_non_null(last_error(r));
    assert_non_null(strstr(last_error(r), "not responding"));
    freeze(r, false);
    assert_true(until(r, stopped_for, "pause"));
    size_t before = json_array_size(r->heard.replies);
    target_command(r->t, &cmd, NULL);
    await_reply(r, before);
    assert_null(last_error(r));
    assert_true(stub_has_bp(r->stub, cmd.addr));
}

/* QEMU stops between a request and its reply (the breakpoint's Z0): the
 * loop goes on (the command returns at once, the status is answered),
 * every client hears "not responding", and when QEMU goes on the reply is
 * taken as it comes: the breakpoint is set, the command succeeds, QEMU is
 * back. (Given up on after a second, the reply used to fail the command,
 * and the breakpoint set after all had to be taken out again.) */
static void a_reply_late_in_the_middle_is_waited_for(void **state)
{
    struct rig *r = &rig;
    struct command cmd = {.kind = CMD_BREAK, .addr = 0x80000200u, .syscall = -1};

    (void)state;
    snprintf(cmd.function, sizeof cmd.function, "somewhere");
    rig_paused(r, 0, 0, 0);
    pthread_mutex_lock(&r->stub->lock);
    r->stub->freeze_at = 'Z';
    pthread_mutex_unlock(&r->stub->lock);
    size_t before = json_array_size(r->heard.replies);
    int64_t start = loop_now_ms();
    target_command(r->t, &cmd, NULL);
    assert_true(loop_now_ms() - start < 500);
    assert_true(until(r, not_responding, NULL));
    turn(1500); /* QEMU stopped for longer than any reply timeout */
    assert_int_equal(json_array_size(r->heard.replies), before);
    json_t *now = target_status(r->t); /* answered while the reply is due */
    assert_string_equal(json_string_value(json_object_get(now, "qemu")), "not responding");
    json_decref(now);
    stub_thaw(r->stub);
    await_reply(r, before);
    assert_null(last_error(r));
    assert_true(stub_has_bp(r->stub, cmd.addr));
    assert_true(until(r, stopped_for, "pause"));
    assert_string_equal(json_string_value(json_object_get(last_status(r), "qemu")), "running");
}

/* QEMU stops while the daemon reads the registers at a hidden stop of a
 * run_to (its breakpoint in the kernel's event_watched): when it goes on,
 * the run_to goes on and stops at the event. (Given up on after a second,
 * the hidden stop was lost: the guest ran on past the event.) */
static void a_stop_read_while_qemu_stalls_is_not_lost(void **state)
{
    struct rig *r = &rig;
    int fork_kind = kernel_model_event_kind(km, "fork");
    int cow_kind = kernel_model_event_kind(km, "cow_fault");

    (void)state;
    rig_paused(r, 3, fork_kind, cow_kind);
    pthread_mutex_lock(&r->stub->lock);
    r->stub->freeze_at = 'g';
    pthread_mutex_unlock(&r->stub->lock);
    command(r, CMD_RUN_TO, cow_kind);
    assert_true(until(r, not_responding, NULL));
    turn(1500);
    stub_thaw(r->stub);
    assert_true(until(r, stopped_for, "event"));
    assert_true(stopped_at_event(last_status(r), "cow_fault"));
    assert_int_equal(r->script.watched, 1);
    assert_string_equal(json_string_value(json_object_get(last_status(r), "qemu")), "running");
}

static int setup(void **state)
{
    char err[256];
    struct lws_context_creation_info info;

    (void)state;
    km = kernel_model_open(KERNEL_ELF, err, sizeof err);
    if (!km) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    lws_set_log_level(LLL_ERR, NULL);
    protocols[0] = loop_raw_protocol;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    info.vhost_name = "test";
    lws = lws_create_context(&info);
    if (!lws)
        return -1;
    loop_init(lws, lws_get_vhost_by_name(lws, "test"));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    lws_context_destroy(lws);
    kernel_model_close(km);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(attaching_says_stopped_then_running, rig_stop),
        cmocka_unit_test_teardown(attached_samples_are_brief_stops, rig_stop),
        cmocka_unit_test_teardown(attaching_to_a_silent_stub_waits_without_blocking, rig_stop),
        cmocka_unit_test_teardown(pause_then_continue_says_running, rig_stop),
        cmocka_unit_test_teardown(pause_cancels_a_waiting_run_to, rig_stop),
        cmocka_unit_test_teardown(run_to_passes_other_events, rig_stop),
        cmocka_unit_test_teardown(step_reports_each_step, rig_stop),
        cmocka_unit_test_teardown(an_interrupt_in_place_of_a_step_ends_it, rig_stop),
        cmocka_unit_test_teardown(step_line_runs_a_call_at_full_speed, rig_stop),
        cmocka_unit_test_teardown(step_line_leaves_a_loop_by_breakpoints, rig_stop),
        cmocka_unit_test_teardown(a_frozen_qemu_holds_the_command_not_the_loop, rig_stop),
        cmocka_unit_test_teardown(a_reply_late_in_the_middle_is_waited_for, rig_stop),
        cmocka_unit_test_teardown(a_stop_read_while_qemu_stalls_is_not_lost, rig_stop),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
