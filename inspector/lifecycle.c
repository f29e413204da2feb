/* lifecycle.c -- QEMU's life under the daemon (lifecycle.h). */
#include "lifecycle.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "guest.h"
#include "rsp_dial.h"

#define RSP_TIMEOUT_MS 1000    /* a reply later: not responding (STALL_MS, target_int.h) */
#define CONNECT_TRIES 250      /* every 20 ms: QEMU has 5 s to listen */
#define CONNECT_EVERY_MS 20
#define REAP_EVERY_MS 250
#define DEATH_EVERY_MS 20      /* a QEMU whose sockets closed: reaped every 20 ms */
#define DEATH_TICKS 25         /* and killed after 500 ms */

const char *lifecycle_state_name(enum life_state s)
{
    switch (s) {
    case LIFE_STARTING:
        return "starting";
    case LIFE_RUNNING:
        return "running";
    default:
        return "dead";
    }
}

int lifecycle_qemu_pid(const struct lifecycle *l)
{
    return l->launched && l->qemu.pid > 0 ? (int)l->qemu.pid : 0;
}

static void qmp_drop(struct lifecycle *l)
{
    qmp_close(l->qmp);
    l->qmp = NULL;
}

static void death_tick(void *ctx)
{
    struct lifecycle *l = ctx;
    char why[400]; /* with room for the note in l->message */

    if (l->state != LIFE_DEAD || l->qemu.pid <= 0)
        return;
    if (qemu_reap(&l->qemu, why, sizeof why)) {
        snprintf(l->message, sizeof l->message, "%s%s", why,
                 l->death_ticks >= DEATH_TICKS
                     ? " (it had not ended 500 ms after its sockets closed)" : "");
        loop_say("QEMU ended: %s", l->message);
        l->hooks.changed(l->hooks.ctx);
        return;
    }
    /* Killed, not waited for: the event loop never blocks on an exit, and
     * the reap that follows still says how it ended. */
    if (++l->death_ticks == DEATH_TICKS)
        qemu_signal(&l->qemu, SIGKILL);
    loop_timer_set(&l->death_timer, DEATH_EVERY_MS, death_tick, l);
}

void lifecycle_dead(struct lifecycle *l, const char *why)
{
    char reaped[512];

    if (l->state == LIFE_DEAD)
        return;
    if (l->launched && l->qemu.pid > 0) {
        if (qemu_reap(&l->qemu, reaped, sizeof reaped)) {
            why = reaped;
        } else {
            /* Its sockets closed first: give it a moment to end by
             * itself, so the message can say how it ended. */
            l->death_ticks = 0;
            loop_timer_set(&l->death_timer, DEATH_EVERY_MS, death_tick, l);
        }
    }
    if (why != l->message)
        snprintf(l->message, sizeof l->message, "%s", why);
    loop_say("QEMU is dead: %s", l->message);
    l->state = LIFE_DEAD;
    qmp_drop(l);
    loop_timer_cancel(&l->connect_timer);
    rsp_dial_cancel(l->dial);
    l->dial = NULL;
    l->hooks.down(l->hooks.ctx, l->message);
}

/* A QEMU stopped by a signal while the guest runs is asked nothing, so
 * nothing else would notice: seen here, it is not responding until it
 * goes on. */
static void watch_frozen(struct lifecycle *l)
{
    bool frozen = l->state == LIFE_RUNNING && l->launched && qemu_stopped(&l->qemu);

    if (frozen == l->frozen)
        return;
    l->frozen = frozen;
    loop_say(frozen ? "QEMU is stopped by a signal" : "QEMU goes on");
    l->hooks.changed(l->hooks.ctx);
}

static void reap_tick(void *ctx)
{
    struct lifecycle *l = ctx;
    char why[512];

    /* A dead QEMU not yet reaped is death_tick's: it says how it ended. */
    if (l->state != LIFE_DEAD && l->launched && l->qemu.pid > 0 &&
        qemu_reap(&l->qemu, why, sizeof why))
        lifecycle_dead(l, why);
    watch_frozen(l);
    loop_timer_set(&l->reap_timer, REAP_EVERY_MS, reap_tick, l);
}

static void qmp_closed(void *ctx)
{
    struct lifecycle *l = ctx;

    qmp_close(l->qmp);
    l->qmp = NULL;
    if (l->state == LIFE_RUNNING)
        loop_say("QEMU closed its QMP socket");
}

static void connected(struct lifecycle *l, struct rsp_conn *rsp)
{
    l->state = LIFE_RUNNING;
    l->hooks.up(l->hooks.ctx, rsp);
}

static void connect_tick(void *ctx);

/* Another try in a moment, or QEMU never listened. The time a stopped
 * QEMU (SIGSTOP as it started) spends stopped does not count: it is not
 * dead, and only a restart may end it. */
static void connect_later(struct lifecycle *l, const char *err)
{
    bool stopped = l->launched && qemu_stopped(&l->qemu);

    if (!stopped && ++l->connect_tries >= CONNECT_TRIES) {
        char msg[700];
        snprintf(msg, sizeof msg, "QEMU did not let us connect: %s", err);
        lifecycle_dead(l, msg);
        return;
    }
    loop_timer_set(&l->connect_timer, CONNECT_EVERY_MS, connect_tick, l);
}

/* The gdbstub answered (rsp_dial.h), or the dial failed. */
static void dialed(void *ctx, struct rsp_conn *rsp, const char *err)
{
    struct lifecycle *l = ctx;

    l->dial = NULL;
    if (rsp)
        connected(l, rsp);
    else if (l->launched)
        connect_later(l, err);
    else
        lifecycle_dead(l, err);
}

/* Until QEMU listens: its console socket first, then QMP, then its gdbstub. */
static void connect_tick(void *ctx)
{
    struct lifecycle *l = ctx;
    char err[512] = "", port[16], why[512];

    if (l->state != LIFE_STARTING)
        return;
    if (qemu_reap(&l->qemu, why, sizeof why)) {
        lifecycle_dead(l, why);
        return;
    }
    if (!serial_connected(l->serial)) {
        int fd = qemu_connect_console(&l->qemu, err, sizeof err);
        if (fd >= 0)
            serial_adopt(l->serial, fd);
    }
    if (serial_connected(l->serial) && !l->qmp) {
        int fd = qemu_connect_qmp(&l->qemu, err, sizeof err);
        if (fd >= 0)
            l->qmp = qmp_open(fd, qmp_closed, l);
    }
    if (l->qmp) {
        snprintf(port, sizeof port, "%d", l->qemu.gdb_port);
        l->dial = rsp_dial_start("127.0.0.1", port, RSP_TIMEOUT_MS, dialed, l,
                                 err, sizeof err);
        if (l->dial)
            return; /* dialed() goes on, however long QEMU takes to answer */
    }
    connect_later(l, err);
}

/* --attach HOST:PORT (and --console): its RAM is not ours, so the guest is
 * read through the gdbstub only. */
static void attach(struct lifecycle *l)
{
    const char *colon = strrchr(l->cfg.attach, ':');
    char host[256], err[512];
    size_t hl = colon ? (size_t)(colon - l->cfg.attach) : 0;

    if (!colon || hl == 0 || hl >= sizeof host) {
        lifecycle_dead(l, "--attach wants HOST:PORT");
        return;
    }
    memcpy(host, l->cfg.attach, hl);
    host[hl] = '\0';
    guest_ram_share(NULL, 0);
    if (l->cfg.console) {
        int fd = net_connect(l->cfg.console, err, sizeof err);
        if (fd < 0) {
            lifecycle_dead(l, err);
            return;
        }
        serial_adopt(l->serial, fd);
    }
    l->dial = rsp_dial_start(host, colon + 1, RSP_TIMEOUT_MS, dialed, l, err,
                             sizeof err);
    if (!l->dial)
        lifecycle_dead(l, err);
}

void lifecycle_start(struct lifecycle *l)
{
    char err[512];

    l->message[0] = '\0';
    serial_close(l->serial);
    l->connect_tries = 0;
    l->state = LIFE_STARTING;
    if (l->cfg.attach) {
        attach(l);
        return;
    }
    if (qemu_launch(&l->qemu, l->cfg.qemu, l->cfg.kernel, l->cfg.disk,
                    l->cfg.gdb_port, err, sizeof err) < 0) {
        lifecycle_dead(l, err);
        return;
    }
    guest_ram_share(l->qemu.ram, l->qemu.ram_size);
    if (!l->qemu.ram)
        loop_say("no shared RAM (%s): live samples stop the guest",
                 strerror(errno));
    l->hooks.changed(l->hooks.ctx);
    loop_timer_set(&l->connect_timer, CONNECT_EVERY_MS, connect_tick, l);
}

void lifecycle_kill(struct lifecycle *l)
{
    loop_timer_cancel(&l->death_timer);
    loop_timer_cancel(&l->connect_timer);
    rsp_dial_cancel(l->dial);
    l->dial = NULL;
    qmp_drop(l);
    qemu_kill(&l->qemu);
    l->state = LIFE_NONE;
}

int lifecycle_init(struct lifecycle *l, const struct life_config *cfg,
                   struct serial *serial, const struct life_hooks *hooks,
                   char *err, size_t errlen)
{
    memset(l, 0, sizeof *l);
    l->cfg = *cfg;
    l->hooks = *hooks;
    l->serial = serial;
    l->launched = cfg->attach == NULL;
    if (l->launched && qemu_init(&l->qemu, err, errlen) < 0)
        return -1;
    loop_timer_set(&l->reap_timer, REAP_EVERY_MS, reap_tick, l);
    return 0;
}

void lifecycle_free(struct lifecycle *l)
{
    loop_timer_cancel(&l->reap_timer);
    loop_timer_cancel(&l->connect_timer);
    loop_timer_cancel(&l->death_timer);
    rsp_dial_cancel(l->dial);
    l->dial = NULL;
    guest_ram_share(NULL, 0);
    qmp_drop(l);
    if (l->launched)
        qemu_cleanup(&l->qemu);
}
