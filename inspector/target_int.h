/* target_int.h -- what the modules of the run control share: struct
 * target and each module's functions for the others. Included only by
 * them (target.c, runctl.c, asking.c, snaps.c, rewind.c); the rest of the
 * daemon sees target.h.
 *
 * - target.c: the module's life, the connection's life, the status, the
 *   command dispatcher and the replies; the console bridge.
 * - runctl.c: resuming, awaiting stops, deciding what a stop means (step,
 *   step_line, run_to, breakpoints, the watch), reporting it; the gdbstub
 *   socket.
 * - asking.c: commands that need QEMU's reply: kept while the guest runs
 *   (errands, done at the stop their interrupt asks for), held behind a
 *   probe while it is stopped; the command lists.
 * - snaps.c: the latest snapshot, at a stop or as a live sample.
 * - rewind.c: going back (travel.c's glue): saving each stop, the rewind,
 *   the commands that wait meanwhile. */
#ifndef GLASSBOX_TARGET_INT_H
#define GLASSBOX_TARGET_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "breaks.h"
#include "control.h"
#include "kernel_model.h"
#include "lifecycle.h"
#include "loop.h"
#include "rsp_conn.h"
#include "serial.h"
#include "snapshot.h"
#include "target.h"
#include "travel.h"

#define MAX_WAITERS 64
#define STEP_LINE_ADDRS 256
#define STALL_MS 1000          /* an awaited stop later than this: not responding */
#define LIVE_SNAPSHOT_MIN_MS 100
#define SAMPLE_HZ_DEFAULT 4    /* samples a second of a running guest */
#define SAMPLE_HZ_STOPPING 1   /* at most, when each one stops the guest */

enum mode {
    M_FREE,        /* plain continue, or stopped */
    M_STEP,
    M_STEP_LINE,
    M_RUN_TO,      /* waiting at event_watched */
    M_RUN_TO_RET,  /* the event matched; running to event_log's caller */
    M_REPLAY,      /* a rewind's steps from the state loaded (rewind.c) */
};

/* Console input and where the guest was when it came (rewind.c). */
#define TYPED_MAX 256
struct typed {
    long long after;      /* the stop before it */
    uint32_t events_next; /* the seq of the kernel's next event then */
    size_t len;
    char *text;
};

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
    uint32_t event_watched; /* run_to's breakpoint (kernel/event.c) */
    uint32_t event_watch;   /* the kinds the kernel calls it for */
    uint32_t watch_pid, watch_on_cpu; /* the kernel's words for the watch */
    int switch_kind;        /* the event of a switch: the watch follows it */
    bool watch_switches;    /* the watch's breakpoint at event_watched is in */

    struct lifecycle life;
    bool start_reported;

    struct rsp_conn *rsp;
    struct loop_fd *rsp_w;
    bool running;
    uint32_t regs[33];     /* x0..x31, pc: read at each stop */
    bool continue_after_step;
    bool at_watch_hit;     /* the last stop was a watchpoint's: step over it */
    bool last_step;        /* the last resume was a single step */
    bool pausing;          /* pause sent the interrupt */
    bool interrupting;     /* the 0x03 byte went out; its stop is due */
    bool stalled;          /* an awaited stop is STALL_MS late, or a request
                              while stopped got no reply in time */
    bool doing_errands;    /* stopped only for them: shown as running */
    bool pinging;          /* asked whether QEMU answers; the reply is due */
    struct loop_timer stall_timer;
    struct loop_timer reply_timer; /* the task's reply is STALL_MS late */
    struct errand next_command; /* target_command's, for its job */
    char travel_error[256]; /* a save's or rewind's, for its job */
    /* The clients of the commands being carried out (nested), and whether
     * each has gone meanwhile: what would be sent it is dropped. */
    struct client *doing[4];
    bool doing_gone[4];
    int ndoing;
    bool rsp_hangup;       /* the gdbstub socket closed (its job is queued) */
    json_t *kinds;         /* event kind names, by value */
    int sample_hz;         /* asked for; snaps_rate() is what is done */
    struct loop_timer sample_timer;

    struct serial serial;

    enum mode mode;
    int want_kind, want_syscall, want_pid;
    char want_program[CONTROL_NAME_MAX];
    long long want_seq;    /* run_to for reverse_continue: the event's seq then, else -1 */
    int want_count;        /* the how-manieth match is the one (1: the first) */
    const char *run_to_reason; /* what its stop is reported as */
    long long matched_event;   /* the seq of the event run_to matched, or -1 */
    long long stop_event;  /* the event the stop shown is at, or -1 */
    bool rerunning;        /* reverse_continue's run to the event: output held back */
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
    /* How the guest moved since the last stop reported (last_seq, -1 for
     * none): a stop reached by single steps alone is kept as steps from
     * that one (travel_note_steps), with no state saved. */
    long long last_seq;
    unsigned steps_since;
    bool ran_since;
    bool loadvm_fresh;     /* no continue since the last loadvm */
    /* The rewind in progress: the stop whose state is loaded, the steps
     * replayed after it (and the registers they must come to, when known),
     * and what the stop they end at is reported as. */
    long long rewind_base;
    unsigned replay_left;
    bool replay_checked;
    uint32_t replay_sum;
    const char *rewind_reason;
    /* reverse_continue: after it, the run to that event (then_kind 0:
     * none), and the console input typed again on the way */
    int then_kind, then_pid, then_count;
    long long then_seq;
    char *retype;
    size_t retype_len;
    struct typed typed[TYPED_MAX];
    size_t ntyped;         /* ever recorded; the last TYPED_MAX are kept */
    /* Console input while the guest runs comes after a state saved unseen
     * (a checkpoint, rewind.c), so that going back to an event it caused
     * finds a state from before it; the input waits meanwhile. */
    bool checkpointing;    /* its interrupt went out, or its save runs */
    int64_t kept_ms;       /* when a state was last kept (a stop or a checkpoint) */
    char *held_input;
    size_t held_input_len;
    long long last_shown;  /* the last stop reported, for the next one's `from` */
    bool warming;          /* running a moment before the next loadvm */
    struct loop_timer warm_timer;
    bool travel_stalled;   /* stalled set by the save or rewind's delay */
    struct loop_timer travel_timer;
};

/* QEMU is gone (lifecycle.h); the down hook follows. */
#define mark_dead(t, why) lifecycle_dead(&(t)->life, (why))

#define PC(t) ((t)->regs[32])
#define RA(t) ((t)->regs[1])
#define A(t, n) ((t)->regs[10 + (n)])

/* target.c */
json_t *target_hex32(uint32_t v);
json_t *target_text_json(const char *s);
bool target_connected(const struct target *t);
void target_rsp_failed(struct target *t, const char *what);
void target_reply(struct target *t, struct client *c, json_t *r);
void target_wait_add(struct target *t, struct waiter *w, int *n,
                     struct client *c, const json_t *id);
void target_wait_answer(struct target *t, struct waiter *w, int *n,
                        const char *error, json_t *extra);
void target_publish(struct target *t, bool always);
void target_carry_out(struct target *t, const struct command *cmd,
                      struct client *from);
void target_command_run(struct target *t, struct command *cmd,
                        struct client *from);

/* runctl.c */
int runctl_read_regs(struct target *t);
int runctl_read_phys(struct target *t, uint32_t pa, void *buf, size_t len);
long long runctl_events_next(struct target *t);
/* Set up a run to the count-th event cmd names (kind, syscall, pid,
 * program), its stop reported as reason; seq: the seq that event had the
 * first time (reverse_continue), or -1. The guest stays stopped. 0, or -1
 * with err filled in. */
int runctl_run_to(struct target *t, const struct command *cmd, long long seq,
                  int count, const char *reason, char *err, size_t errlen);
void runctl_run(struct target *t);
void runctl_step(struct target *t);
void runctl_start(struct target *t);
int runctl_interrupt(struct target *t);
void runctl_stalled(struct target *t, const char *what);
void runctl_stall_over(struct target *t);
void runctl_cancel_mode(struct target *t);
/* After watch or unwatch: the kernel tells switches (event_watched, with
 * the switch kind in event_watch) only while a watch is on. 0 or -1. */
int runctl_watch_switches(struct target *t, char *err, size_t errlen);
const char *runctl_kind_name(struct target *t, int kind);
bool runctl_proc_named(struct target *t, int pid, const char *name);
void runctl_report(struct target *t, const char *reason, const char *detail);
void runctl_on_rsp(void *ctx, int what);
int runctl_wait_reply(void *ctx, int fd, int64_t deadline);

/* asking.c */
struct errand asking_list_take(struct errand *list, int *n);
bool asking_list_add(struct target *t, struct errand *list, int *n,
                     const struct command *cmd, struct client *from);
void asking_list_fail(struct target *t, struct errand *list, int *n,
                      const char *why);
void asking_fail_all(struct target *t, const char *why);
void asking_errand(struct target *t, const struct command *cmd,
                   struct client *from);
bool asking_must_hold(const struct target *t, const struct command *cmd);
void asking_hold(struct target *t, const struct command *cmd,
                 struct client *from);
void asking_probe_answer(struct target *t);
void asking_after_task(struct target *t);
bool target_client_gone(const struct target *t, const struct client *c);
void target_run_command(struct target *t, struct command *cmd, struct client *from,
                        bool carry_out);

/* snaps.c */
int snaps_take(struct target *t, bool sample);
void snaps_broadcast(struct target *t);
int snaps_rate(const struct target *t);
bool snaps_may_sample(const struct target *t);
bool snaps_errand_queued(const struct target *t);
void snaps_tick(void *ctx);

/* rewind.c */
unsigned rewind_keep_stop(struct target *t, const char *reason);
void rewind_stop_reported(struct target *t);
/* The stop the one being reported (reason) comes from: the one a rewind,
 * reverse_step or reverse_continue went back to, else the last stop
 * reported; -1 for none (QEMU's first stop). */
long long rewind_came_from(const struct target *t, const char *reason);
bool rewind_gate(struct target *t, const struct command *cmd,
                 struct client *from);
void rewind_reset(struct target *t, const struct qemu *q, struct qmp *qmp);
void rewind_replayed(struct target *t);
void rewind_reverse_step(struct target *t, const struct command *cmd,
                         struct client *from);
void rewind_reverse_continue(struct target *t, const struct command *cmd,
                             struct client *from);
void rewind_typed(struct target *t, const char *data, size_t len);
void rewind_forget_typed(struct target *t);
bool rewind_sending(void *ctx);
void rewind_start(struct target *t, const struct command *cmd,
                  struct client *from);
bool rewind_warm_stopped(struct target *t);
int rewind_hold_input(struct target *t, const char *data, size_t len, char *err,
                      size_t errlen);
bool rewind_checkpoint_stopped(struct target *t, bool plain_sigint);
void rewind_travel_done(void *ctx, const char *error);

#endif
