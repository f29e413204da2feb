/* target.c -- the guest under the daemon (target.h): the module's life
 * and the gdbstub connection's (QEMU's start and death in lifecycle.c),
 * the status every client sees, the commands and their replies, the
 * console bridge (the serial socket in serial.c). The run control is in
 * runctl.c, the commands that must ask QEMU first in asking.c, the latest
 * snapshot and live samples in snaps.c, going back in rewind.c
 * (target_int.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "console.h"
#include "guest.h"
#include "target_int.h"
#include "task.h"

/* ---- small helpers ------------------------------------------------------- */

json_t *target_hex32(uint32_t v)
{
    char buf[16];

    snprintf(buf, sizeof buf, "0x%08" PRIx32, v);
    return json_string(buf);
}

/* A string for JSON from text that may be anything. */
json_t *target_text_json(const char *s)
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

bool target_connected(const struct target *t)
{
    return t->rsp && t->life.state == LIFE_RUNNING;
}

/* After a failed request: was it the connection? Then QEMU is as good as
 * dead. A reply that is only late, while the guest is stopped, is not:
 * QEMU is not responding until the late replies come. */
void target_rsp_failed(struct target *t, const char *what)
{
    char why[512];
    int fd = t->rsp ? rsp_conn_fd(t->rsp) : -1;
    char b;

    if (t->rsp && !t->running && rsp_conn_timed_out(t->rsp)) {
        runctl_stalled(t, what);
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

/* ---- replies --------------------------------------------------------------- */

void target_reply(struct target *t, struct client *c, json_t *r)
{
    if (target_client_gone(t, c)) {
        json_decref(r);
        return;
    }
    if (r)
        t->hooks.reply(t->hooks.ctx, c, r);
    json_decref(r);
}

/* Whether c is the client of a command being carried out that has gone
 * while the command waited for QEMU. */
bool target_client_gone(const struct target *t, const struct client *c)
{
    for (int i = 0; c && i < t->ndoing; i++)
        if (t->doing[i] == c && t->doing_gone[i])
            return true;
    return false;
}

void target_wait_add(struct target *t, struct waiter *w, int *n,
                     struct client *c, const json_t *id)
{
    if (target_client_gone(t, c))
        return;
    if (*n == MAX_WAITERS) {
        target_reply(t, c, control_reply_error(id, "too many commands waiting"));
        return;
    }
    w[*n].c = c;
    w[*n].id = id ? json_incref((json_t *)id) : NULL;
    (*n)++;
}

/* Answer every waiter: ok, or the error. */
void target_wait_answer(struct target *t, struct waiter *w, int *n,
                        const char *error, json_t *extra)
{
    int count = *n;

    *n = 0;
    for (int i = 0; i < count; i++) {
        json_t *r = error ? control_reply_error(w[i].id, "%s", error)
                          : control_reply_ok(w[i].id);
        if (r && extra)
            json_object_update(r, extra);
        target_reply(t, w[i].c, r);
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
    for (int i = 0; i < t->ndoing; i++)
        if (t->doing[i] == c)
            t->doing_gone[i] = true;
}

/* ---- status ---------------------------------------------------------------- */

/* A single step is shown as the stop before it until its own stop. */
static bool shown_running(const struct target *t)
{
    return t->doing_errands || t->checkpointing || (t->running && t->mode != M_STEP);
}

json_t *target_status(struct target *t)
{
    enum life_state q = t->life.state;
    bool stalled = q == LIFE_RUNNING && (t->stalled || t->life.frozen);
    json_t *s = json_pack("{s:s, s:s}", "type", "status", "qemu",
                          stalled ? "not responding" : lifecycle_state_name(q));

    if (!s)
        return NULL;
    if (q == LIFE_DEAD || q == LIFE_NONE)
        json_object_set_new(s, "message", target_text_json(t->life.message));
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
        if (t->want_syscall >= 0) {
            const char *name = kernel_model_syscall_name(t->km, t->want_syscall);
            json_object_set_new(s, "run_to_syscall", json_string(name ? name : "?"));
        }
        if (t->want_pid)
            json_object_set_new(s, "run_to_pid", json_integer(t->want_pid));
        if (t->want_program[0])
            json_object_set_new(s, "run_to_program", json_string(t->want_program));
    }
    if (t->snap_error[0])
        json_object_set_new(s, "snapshot_error", target_text_json(t->snap_error));
    json_object_set_new(s, "sampling", json_pack("{s:i, s:i, s:s}", "hz",
                        snaps_rate(t), "max_hz", guest_ram_shared()
                        ? CONTROL_SAMPLE_HZ_MAX : SAMPLE_HZ_STOPPING, "from",
                        guest_ram_shared() ? "shared memory" : "brief stops"));
    return s;
}

/* Send the status to every client when it differs from the last one sent
 * (always: also when it does not, as at each reported stop). Every entry
 * point ends with target_publish(t, false), so no transition goes unsaid. */
void target_publish(struct target *t, bool always)
{
    json_t *s;

    /* Halfway through the task's work (a stop being read, say), the state
     * is not one to show; it is shown when the work is done, or as not
     * responding if the reply it waits for is late. */
    if (task_waiting() && !t->stalled)
        return;
    /* A request of any module (breaks.c too) that got no reply in time. */
    if (t->rsp && !t->running && !t->stalled && rsp_conn_timed_out(t->rsp))
        runctl_stalled(t, "a request");
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

/* ---- the console ----------------------------------------------------------- */

static void console_output(void *ctx, const char *text, size_t len)
{
    struct target *t = ctx;

    if (t->warming || t->rewinding)
        return; /* the guest's output in a history about to be undone */
    t->hooks.console(t->hooks.ctx, text, len, t->rerunning || t->mode == M_REPLAY);
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
    int held = rewind_hold_input(t, data, len, err, errlen);
    if (held)
        return held < 0 ? -1 : 0;
    if (serial_write(&t->serial, data, len, err, errlen) < 0)
        return -1;
    rewind_typed(t, data, len);
    return 0;
}

/* ---- the connection's life (QEMU's: lifecycle.c) --------------------------- */

static void disconnect(struct target *t)
{
    /* Work waiting for this QEMU's reply gives up (as on a lost
     * connection), and what was queued behind it runs and fails, before
     * the connection goes. */
    task_wake(-1);
    loop_timer_cancel(&t->reply_timer);
    loop_unwatch(t->rsp_w);
    t->rsp_w = NULL;
    rsp_conn_close(t->rsp);
    t->rsp = NULL;
    serial_close(&t->serial);
    asking_fail_all(t, "QEMU went away before this could be done");
    rewind_reset(t, NULL, NULL);
    loop_timer_cancel(&t->stall_timer);
    t->stalled = false;
    t->pinging = false;
    t->interrupting = false;
    t->running = false;
    t->continue_after_step = false;
    t->pausing = false;
    t->mode = M_FREE;
    breaks_reset(&t->br, NULL, t->km);
    t->watch_switches = false;
    json_decref(t->stop);
    t->stop = NULL;
}

/* The lifecycle's down hook: QEMU is gone; let go of it and answer
 * whoever waited. */
static void life_down(void *ctx, const char *why)
{
    struct target *t = ctx;

    disconnect(t);
    target_wait_answer(t, t->stop_waiters, &t->nstop_waiters, why, NULL);
    target_wait_answer(t, t->start_waiters, &t->nstart_waiters, why, NULL);
    target_publish(t, false);
    if (!t->start_reported) {
        t->start_reported = true;
        t->hooks.started(t->hooks.ctx, false, why);
    }
}

static void life_changed(void *ctx)
{
    target_publish(ctx, false);
}

static void attached_job(void *ctx);

/* The lifecycle's up hook, attached: first snapshot, then run. */
static void life_up(void *ctx, struct rsp_conn *rsp)
{
    struct target *t = ctx;

    t->rsp = rsp;
    t->rsp_hangup = false;
    rsp_conn_set_waiter(t->rsp, runctl_wait_reply, t);
    breaks_reset(&t->br, t->rsp, t->km);
    t->rsp_w = loop_watch(rsp_conn_fd(t->rsp), runctl_on_rsp, t);
    if (!t->rsp_w || serial_watch(&t->serial) < 0) {
        mark_dead(t, "cannot watch the gdbstub or console socket");
        return;
    }
    t->running = false;
    rewind_reset(t, t->life.launched ? &t->life.qemu : NULL, t->life.qmp);
    task_run(attached_job, t);
}

/* The first stop, read as the task, and the first run. */
static void attached_job(void *ctx)
{
    struct target *t = ctx;

    if (!target_connected(t))
        return;
    if (runctl_read_regs(t) < 0) {
        target_rsp_failed(t, "reading the registers");
        return;
    }
    runctl_report(t, "start", t->life.launched ? "QEMU waits at reset" : "attached");
    if (!target_connected(t))
        return;
    runctl_start(t);
    if (!target_connected(t))
        return;
    target_wait_answer(t, t->start_waiters, &t->nstart_waiters, NULL, NULL);
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
        target_reply(t, from, control_reply_error(id, "attached to a QEMU started "
                     "by hand: restart it yourself"));
        return;
    }
    if (t->life.state == LIFE_STARTING) {
        target_wait_add(t, t->start_waiters, &t->nstart_waiters, from, id);
        return;
    }
    char note[512];
    const struct kernel_image *image = t->life.cfg.image;
    if (image && kernel_image_rebuilt(image))
        snprintf(note, sizeof note, "\r\n[glassbox: restarting QEMU with the kernel the workbench "
                 "started with: %s has changed since; start the workbench again to run it]\r\n",
                 image->origin);
    else
        snprintf(note, sizeof note, "\r\n[glassbox: restarting QEMU]\r\n");
    target_wait_answer(t, t->stop_waiters, &t->nstop_waiters, "QEMU restarted", NULL);
    disconnect(t);
    t->hooks.console(t->hooks.ctx, note, strlen(note), false);
    lifecycle_kill(&t->life);
    target_wait_add(t, t->start_waiters, &t->nstart_waiters, from, id);
    target_start(t);
}

/* ---- commands -------------------------------------------------------------- */

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
        return runctl_watch_switches(t, j->err, sizeof j->err);
    }
    if (breaks_watch(&t->br, c->pid, c->va, &pa, j->err, sizeof j->err) < 0)
        return -1;
    if (runctl_watch_switches(t, j->err, sizeof j->err) < 0) {
        breaks_unwatch(&t->br);
        return -1;
    }
    j->extra = json_pack("{s:o}", "pa", target_hex32(pa));
    return 0;
}

static int job_run_to(struct target *t, struct job *j)
{
    return runctl_run_to(t, j->cmd, -1, 1, "event", j->err, sizeof j->err);
}

/* Snapshot, break, unbreak, watch, unwatch or run_to, with the guest
 * stopped; the reply goes to from. */
void target_carry_out(struct target *t, const struct command *cmd,
                      struct client *from)
{
    struct job job = {.cmd = cmd};
    int r;

    switch (cmd->kind) {
    case CMD_SNAPSHOT:
        r = snaps_take(t, t->doing_errands);
        if (r == 0)
            snaps_broadcast(t);
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
    target_publish(t, false);
    json_t *reply = r < 0 ? control_reply_error(cmd->id, "%s", job.err[0]
                                                ? job.err : "QEMU is gone")
                          : control_reply_ok(cmd->id);
    if (reply && job.extra)
        json_object_update(reply, job.extra);
    json_decref(job.extra);
    target_reply(t, from, reply);
}

void target_command_run(struct target *t, struct command *cmd, struct client *from)
{
    const json_t *id = cmd->id;

    if (cmd->kind == CMD_RESTART) {
        restart(t, from, id);
        return;
    }
    if (cmd->kind == CMD_SAMPLE) {
        t->sample_hz = cmd->hz;
        snaps_tick(t);
        json_t *r = control_reply_ok(id);
        json_object_set_new(r, "hz", json_integer(snaps_rate(t)));
        target_reply(t, from, r);
        return;
    }
    if (!target_connected(t)) {
        target_reply(t, from, control_reply_error(id, "QEMU is %s%s%s",
                     lifecycle_state_name(t->life.state),
                     t->life.message[0] ? ": " : "", t->life.message));
        return;
    }
    if (cmd->kind == CMD_SNAPSHOT && t->latest &&
        (!t->running || loop_now_ms() - t->latest_ms < LIVE_SNAPSHOT_MIN_MS)) {
        t->hooks.unicast(t->hooks.ctx, from, t->latest);
        target_reply(t, from, control_reply_ok(id));
        return;
    }
    if (cmd->kind == CMD_SNAPSHOT && guest_ram_shared() && snaps_may_sample(t)) {
        int r = snaps_take(t, true);
        if (r == 0)
            snaps_broadcast(t);
        target_reply(t, from, r == 0 ? control_reply_ok(id) : control_reply_error(id,
                     "snapshot failed: %.200s", t->snap_error));
        return;
    }
    if ((t->stalled || t->life.frozen) && !t->running && cmd->kind != CMD_PAUSE) {
        /* Whatever it needs would wait on QEMU (not answering, or stopped
         * by a signal: /proc says so). */
        target_reply(t, from, control_reply_error(id, "QEMU is not responding"));
        return;
    }
    if (rewind_gate(t, cmd, from))
        return;
    switch (cmd->kind) {
    case CMD_SNAPSHOT:
    case CMD_BREAK:
    case CMD_UNBREAK:
    case CMD_WATCH:
    case CMD_UNWATCH:
        if (t->running)
            asking_errand(t, cmd, from);
        else
            target_carry_out(t, cmd, from);
        return;
    case CMD_PAUSE:
        if (!t->running) {
            target_reply(t, from, control_reply_ok(id));
            return;
        }
        t->pausing = true;
        if (runctl_interrupt(t) < 0) {
            target_reply(t, from, control_reply_error(id, "cannot interrupt"));
            return;
        }
        target_wait_add(t, t->stop_waiters, &t->nstop_waiters, from, id);
        return;
    case CMD_CONTINUE:
        if (!t->running) {
            runctl_cancel_mode(t);
            runctl_run(t);
        }
        target_reply(t, from, control_reply_ok(id));
        return;
    case CMD_STEP:
    case CMD_STEP_LINE:
        if (t->running) {
            target_reply(t, from, control_reply_error(id, "the guest is running: "
                         "pause it first"));
            return;
        }
        runctl_cancel_mode(t);
        if (cmd->kind == CMD_STEP_LINE) {
            const char *fn, *file;
            if (kernel_model_where(t->km, PC(t), &fn, &file, &t->sl.line) < 0 || !file) {
                target_reply(t, from, control_reply_error(id, "no kernel source "
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
        target_wait_add(t, t->stop_waiters, &t->nstop_waiters, from, id);
        runctl_step(t);
        return;
    case CMD_REWIND:
        rewind_start(t, cmd, from);
        return;
    case CMD_REVERSE_STEP:
        rewind_reverse_step(t, cmd, from);
        return;
    case CMD_REVERSE_CONTINUE:
        rewind_reverse_continue(t, cmd, from);
        return;
    case CMD_RUN_TO:
        if (t->running) {
            asking_errand(t, cmd, from);
            return;
        }
        struct job job = {.cmd = cmd};
        if (job_run_to(t, &job) < 0) {
            target_reply(t, from, control_reply_error(id, "%s", job.err));
            return;
        }
        runctl_run(t);
        target_reply(t, from, control_reply_ok(id));
        return;
    default:
        target_reply(t, from, control_reply_error(id, "not implemented"));
        return;
    }
}

/* Carry out cmd (carry_out: as an errand, the guest stopped for it) as
 * the task: it may wait for QEMU, and its client go away meanwhile. */
void target_run_command(struct target *t, struct command *cmd, struct client *from,
                        bool carry_out)
{
    int level = t->ndoing;

    if (level == (int)(sizeof t->doing / sizeof t->doing[0]))
        abort(); /* commands are nested only a level or two */
    t->doing[level] = from;
    t->doing_gone[level] = false;
    t->ndoing++;
    if (carry_out)
        target_carry_out(t, cmd, from);
    else
        target_command_run(t, cmd, from);
    t->ndoing = level;
}

static void command_job(void *ctx)
{
    struct target *t = ctx;
    struct errand e = t->next_command;

    t->next_command = (struct errand){0};
    target_run_command(t, &e.cmd, e.from, false);
    command_clear(&e.cmd);
    target_publish(t, false);
}

void target_command(struct target *t, struct command *cmd, struct client *from)
{
    if (asking_must_hold(t, cmd)) {
        asking_hold(t, cmd, from);
    } else if (task_waiting() || task_inside()) {
        target_command_run(t, cmd, from); /* a restart or a rate: no waiting */
    } else {
        t->next_command = (struct errand){.cmd = *cmd, .from = from};
        if (cmd->id)
            json_incref(cmd->id);
        task_run(command_job, t);
    }
    target_publish(t, false);
}

/* ---- life of the module ---------------------------------------------------- */

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
    t->tv = travel_new(cfg->rewind_bytes, rewind_travel_done, rewind_sending, t);
    t->loaded = t->loaded_as = t->last_seq = -1;
    t->want_seq = t->matched_event = t->stop_event = -1;
    t->run_to_reason = "event";
    t->event_watched = kernel_model_symbol(km, "event_watched");
    t->event_watch = kernel_model_symbol(km, "event_watch");
    t->watch_pid = kernel_model_symbol(km, "watch_pid");
    t->watch_on_cpu = kernel_model_symbol(km, "watch_on_cpu");
    t->switch_kind = kernel_model_event_kind(km, "switch");
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
    snaps_tick(t);
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
    target_wait_answer(t, t->stop_waiters, &t->nstop_waiters, "shutting down", NULL);
    target_wait_answer(t, t->start_waiters, &t->nstart_waiters, "shutting down", NULL);
    disconnect(t);
    lifecycle_free(&t->life);
    travel_free(t->tv);
    json_decref(t->latest);
    json_decref(t->published);
    snapshotter_free(t->snap);
    json_decref(t->kinds);
    free(t);
}
