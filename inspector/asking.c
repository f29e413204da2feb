/* asking.c -- the commands that need a reply from QEMU, and the lists
 * they wait in (target_int.h).
 *
 * - An errand: a command that needs the guest stopped (break, watch,
 *   run_to, snapshot), sent while it runs. The guest is interrupted and
 *   the errand is carried out at the stop the interrupt asks for
 *   (runctl.c's on_stop).
 * - Asking first, while stopped: a command that needs QEMU's reply while
 *   the guest is stopped (a breakpoint to set, a snapshot to take) would
 *   make the loop wait for it, and a stopped or starved QEMU would stall
 *   every client. So it is held, a probe goes out without waiting, and
 *   the held commands are carried out in order when the probe's reply
 *   comes: QEMU answered just now. With no reply in STALL_MS, QEMU is not
 *   responding and they fail; the late reply brings it back. */
#include "target_int.h"
#include "task.h"

/* ---- the lists ------------------------------------------------------------- */

/* Answer every command of a list with an error. */
void asking_list_fail(struct target *t, struct errand *list, int *n,
                      const char *why)
{
    int count = *n;

    *n = 0;
    for (int i = 0; i < count; i++) {
        target_reply(t, list[i].from, control_reply_error(list[i].cmd.id, "%s", why));
        command_clear(&list[i].cmd);
    }
}

/* Keep a copy of cmd at the end of list; false when it is full (the
 * sender has been told). */
bool asking_list_add(struct target *t, struct errand *list, int *n,
                     const struct command *cmd, struct client *from)
{
    if (target_client_gone(t, from))
        return false;
    if (*n == MAX_WAITERS) {
        target_reply(t, from, control_reply_error(cmd->id, "too many commands "
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

/* Take the first command off list (its id is the caller's to clear). */
struct errand asking_list_take(struct errand *list, int *n)
{
    struct errand e = list[0];

    memmove(list, list + 1, (size_t)--*n * sizeof list[0]);
    return e;
}

/* The guest went away. */
void asking_fail_all(struct target *t, const char *why)
{
    asking_list_fail(t, t->errands, &t->nerrands, why);
    asking_list_fail(t, t->held, &t->nheld, why);
    asking_list_fail(t, t->gated, &t->ngated, why);
}

/* ---- errands: while the guest runs ----------------------------------------- */

void asking_errand(struct target *t, const struct command *cmd,
                   struct client *from)
{
    if (asking_list_add(t, t->errands, &t->nerrands, cmd, from))
        runctl_interrupt(t);
}

/* ---- asking first: while it is stopped ------------------------------------- */

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
    case CMD_REVERSE_STEP:
    case CMD_REVERSE_CONTINUE:
        return t->mode != M_FREE; /* runctl_cancel_mode removes breakpoints */
    default:
        return false;
    }
}

/* Whether cmd waits for the probe: it needs a reply, or one before it
 * does (the order of commands is kept). Not while a save or rewind is
 * going on: then it waits for that (rewind_gate()), and QEMU will just have
 * answered QMP when it runs; and no probe may be out when the rewind's
 * end reads the registers. */
bool asking_must_hold(const struct target *t, const struct command *cmd)
{
    /* Work of the task is waiting for QEMU: nothing else may use the
     * connection before it is done (a restart ends its wait). */
    if (task_waiting() && target_connected(t))
        return cmd->kind != CMD_RESTART && cmd->kind != CMD_SAMPLE;
    if (!target_connected(t) || t->running || t->stalled || cmd->kind == CMD_RESTART ||
        cmd->kind == CMD_SAMPLE || travel_busy(t->tv) || t->warming || t->ngated > 0)
        return false;
    return t->nheld > 0 || needs_reply_while_stopped(t, cmd);
}

/* The held commands, in order (each sees what those before it did). */
static void run_held(struct target *t)
{
    while (t->nheld > 0) {
        struct errand e = asking_list_take(t->held, &t->nheld);
        target_run_command(t, &e.cmd, e.from, false);
        command_clear(&e.cmd);
    }
}

static void ping_late(void *ctx)
{
    struct target *t = ctx;

    if (!t->pinging || !target_connected(t))
        return;
    t->stalled = true;
    loop_say("QEMU is not responding: no answer to a probe in %d ms", STALL_MS);
    asking_list_fail(t, t->held, &t->nheld, "QEMU is not responding");
    target_publish(t, false);
}

static void ping_answered(void *ctx)
{
    struct target *t = ctx;

    t->pinging = false;
    loop_timer_cancel(&t->stall_timer);
    if (t->stalled)
        loop_say("QEMU responds again");
    t->stalled = false;
    run_held(t);
}

/* Send the probe for the held commands, unless it is out already or the
 * task's work waits for a reply (then it goes out when that is done). */
static void probe_for_held(struct target *t)
{
    if (t->pinging || t->nheld == 0 || task_waiting())
        return;
    int r = rsp_conn_ping(t->rsp);
    if (r < 0) {
        target_rsp_failed(t, "asking whether QEMU answers");
        asking_list_fail(t, t->held, &t->nheld, "QEMU is gone");
        return;
    }
    t->pinging = true;
    loop_timer_set(&t->stall_timer, STALL_MS, ping_late, t);
    if (r == 1)
        task_run(ping_answered, t); /* (its answer came with the asking) */
}

void asking_hold(struct target *t, const struct command *cmd, struct client *from)
{
    if (task_waiting() && t->stalled) {
        target_reply(t, from, control_reply_error(cmd->id, "QEMU is not responding"));
        return;
    }
    if (asking_list_add(t, t->held, &t->nheld, cmd, from))
        probe_for_held(t);
}

/* The task's work is done: the commands held meanwhile go on (asked
 * first if the guest is still stopped). */
void asking_after_task(struct target *t)
{
    if (t->nheld == 0 || t->pinging)
        return;
    if (target_connected(t) && !t->running) {
        probe_for_held(t);
        return;
    }
    run_held(t);
}

/* The gdbstub socket is readable while the probe is out: its answer. */
void asking_probe_answer(struct target *t)
{
    int r = rsp_conn_ping(t->rsp);

    if (r < 0)
        target_rsp_failed(t, "asking whether QEMU answers");
    else if (r == 1)
        ping_answered(t);
}
