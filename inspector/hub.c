/* hub.c -- what the messages mean (docs/protocol.md). */
#include "hub.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "console.h"
#include "history.h"
#include "outq.h"
#include "snapshot.h"

static struct {
    const char *token;
    struct kernel_model *km;
    struct target *t;
    struct client *controller;
    json_t *kernel; /* the hello message's "kernel" object */
    json_t *lab;    /* its "lab" object, or NULL */
    struct out_msg *view; /* the controller's last view message, for viewers */
    struct console_backlog backlog;
    struct history *history; /* every stop's snapshot message, the console */
    bool started, start_ok;
    char start_why[512];
    /* The latest snapshot sent to everyone, in full: the base of the next
     * delta, and the catch-up at hello (serialized once, at the first hello
     * that needs it, then shared). */
    json_t *snap;             /* a reference, so its address is not reused */
    struct out_msg *snap_msg; /* NULL until a hello or the history needs it */
    /* The newest events the snapshots brought, as many as the kernel's ring
     * holds, merged as the page merges them: a page that says hello later
     * starts its timeline with them (an "events" message before the
     * catch-up snapshot, serialized once). */
    json_t *events;
    struct out_msg *events_msg;
    /* The screen a page that says hello is sent (the backlog as a console
     * message), serialized once until the console changes. */
    struct out_msg *screen_msg;
    /* The last status sent to every client, as sent: also a hello's. */
    struct out_msg *status_msg;
} hub;

/* ---- names for command validation ------------------------------------------------ */

static int names_event(void *ctx, const char *name)
{
    return kernel_model_event_kind(ctx, name);
}

static int names_syscall(void *ctx, const char *name)
{
    return kernel_model_syscall_number(ctx, name);
}

static int names_function(void *ctx, const char *name, uint32_t *addr)
{
    return kernel_model_function(ctx, name, addr);
}

/* ---- sending ----------------------------------------------------------------------- */

static void send_error(struct client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void send_error(struct client *c, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *e = json_pack("{s:s, s:s?}", "type", "error", "error", msg);
    if (!e) /* msg was not UTF-8 */
        e = json_pack("{s:s, s:s}", "type", "error", "error", "bad message");
    server_send(c, e);
    json_decref(e);
}

static void send_reply(struct client *c, json_t *r)
{
    if (!c || !r)
        return;
    if (client_is_rest(c))
        server_respond(c, 200, r);
    else
        server_send(c, r);
}

/* ---- target hooks -------------------------------------------------------------------- */

static void on_status(void *ctx, json_t *msg)
{
    (void)ctx;
    out_msg_unref(hub.status_msg);
    hub.status_msg = server_serialize(msg);
    server_broadcast_shared(hub.status_msg);
}

/* The process running at a stop (its state in the snapshot), NULL if none. */
static json_t *running_proc(json_t *snap)
{
    size_t i;
    json_t *p;

    json_array_foreach(json_object_get(snap, "processes"), i, p) {
        const char *state = json_string_value(json_object_get(p, "state"));
        if (state && !strcmp(state, "running"))
            return p;
    }
    return NULL;
}

/* A snapshot taken at a stop the user sees goes into the history as it was
 * sent; those taken while the guest runs (for GET /api/snapshot) do not. */
static void remember_stop(json_t *msg)
{
    json_t *status = target_status(hub.t);
    const char *guest = json_string_value(json_object_get(status, "guest"));
    json_t *stop = json_object_get(status, "stop");
    const json_t *seq = json_object_get(msg, "seq");

    if (guest && !strcmp(guest, "stopped") && json_is_integer(seq)) {
        const json_t *from = json_object_get(stop, "from");
        json_t *running = running_proc(msg);
        const char *program = json_string_value(json_object_get(running, "name"));
        struct history_stop s = {.seq = json_integer_value(seq),
                                 .pid = (int)json_integer_value(json_object_get(running, "pid")),
                                 .from = json_is_integer(from) ? json_integer_value(from) : -1};
        snprintf(s.program, sizeof s.program, "%s", program ? program : "");
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        s.time_ms = (double)now.tv_sec * 1e3 + (double)now.tv_nsec / 1e6;
        const char *reason = json_string_value(json_object_get(stop, "reason"));
        const char *detail = json_string_value(json_object_get(stop, "detail"));
        snprintf(s.reason, sizeof s.reason, "%s", reason ? reason : "");
        snprintf(s.detail, sizeof s.detail, "%s", detail ? detail : "");
        /* The full text, serialized once: later hellos send the same. */
        if (!hub.snap_msg)
            hub.snap_msg = server_serialize(msg);
        if (!hub.snap_msg ||
            history_add(hub.history, &s, hub.snap_msg->data, hub.snap_msg->len) < 0)
            fprintf(stderr, "glassbox-inspector: snapshot %lld not kept in "
                    "the history\n", s.seq);
    }
    json_decref(status);
}

/* fresh, a snapshot's new events, replace the kept ones from its first on
 * (after a rewind or a restart the kernel numbers them again). */
static void keep_events(const json_t *fresh)
{
    size_t n = json_array_size(fresh), i;
    json_t *e;
    if (n == 0)
        return;
    json_int_t first = json_integer_value(json_object_get(json_array_get(fresh, 0), "seq"));
    json_t *merged = json_array(), *kept = json_array();
    json_array_foreach(hub.events, i, e)
        if (json_integer_value(json_object_get(e, "seq")) < first)
            json_array_append(merged, e);
    json_array_extend(merged, (json_t *)fresh);
    size_t max = kernel_model_layout(hub.km)->nevent, total = json_array_size(merged);
    for (i = total > max ? total - max : 0; i < total; i++)
        json_array_append(kept, json_array_get(merged, i));
    json_decref(merged);
    json_decref(hub.events);
    hub.events = kept;
    out_msg_unref(hub.events_msg);
    hub.events_msg = NULL;
}

static void screen_changed(void)
{
    out_msg_unref(hub.screen_msg);
    hub.screen_msg = NULL;
}

/* msg (a new reference, or NULL) to c, serialized into *cache the first
 * time and shared until the cache is dropped. */
static void send_cached(struct client *c, struct out_msg **cache, json_t *msg)
{
    if (!*cache && msg)
        *cache = server_serialize(msg);
    json_decref(msg);
    if (*cache)
        server_send_shared(c, *cache);
}

/* The console as it is, to a page that said hello (if any output came). */
static void send_screen(struct client *c)
{
    size_t len;
    const char *text = backlog_text(&hub.backlog, &len);
    if (len == 0)
        return;
    json_t *m = hub.screen_msg ? NULL
                               : json_pack("{s:s, s:s%}", "type", "console", "data", text, len);
    send_cached(c, &hub.screen_msg, m);
}

static void send_events(struct client *c)
{
    if (json_array_size(hub.events) == 0)
        return;
    json_t *m = hub.events_msg ? NULL
                               : json_pack("{s:s, s:O}", "type", "events", "events", hub.events);
    send_cached(c, &hub.events_msg, m);
}

static void on_snapshot(void *ctx, json_t *msg)
{
    (void)ctx;
    /* Everyone has the previous one (a client that fell behind was
     * dropped; one that said hello since got it in full), so a delta is
     * enough; serialized once for all. The first of a restarted guest (its
     * diff is from nothing) goes in full: a client that said hello since
     * the restart had no snapshot. */
    const json_t *since = json_object_get(json_object_get(msg, "diff"), "since");
    json_t *delta = hub.snap && !json_is_null(since) ? snapshot_delta(hub.snap, msg) : NULL;
    struct out_msg *m = server_serialize(delta ? delta : msg);
    json_decref(delta);
    server_broadcast_shared(m);
    out_msg_unref(m);
    out_msg_unref(hub.snap_msg);
    hub.snap_msg = NULL;
    json_decref(hub.snap);
    hub.snap = json_incref(msg);
    keep_events(json_object_get(msg, "events"));
    remember_stop(msg);
}

/* msg to one client, shared when it is the latest snapshot. */
static void send_msg(struct client *c, json_t *msg)
{
    if (msg == hub.snap && (hub.snap_msg || (hub.snap_msg = server_serialize(msg))))
        server_send_shared(c, hub.snap_msg);
    else
        server_send(c, msg);
}

static void on_console(void *ctx, const char *text, size_t len, bool again)
{
    (void)ctx;
    backlog_append(&hub.backlog, text, len);
    screen_changed();
    history_console(hub.history, text, len);
    if (again)
        return;
    json_t *data = json_stringn(text, len);
    json_t *m = data ? json_pack("{s:s, s:o}", "type", "console", "data", data)
                     : NULL;
    if (m)
        server_broadcast(m);
    json_decref(m);
}

static uint64_t on_console_mark(void *ctx)
{
    (void)ctx;
    return history_console_mark(hub.history);
}

/* The guest went back: so does the console, and the screen a client that
 * connects from now on is sent (the pages connected keep theirs: they
 * mark where the guest went back). */
static void on_console_back(void *ctx, uint64_t mark)
{
    const char *text;

    (void)ctx;
    if (history_console_back(hub.history, mark) < 0) {
        fprintf(stderr, "glassbox-inspector: the console does not go back with "
                "the guest (no such mark, or too many branches)\n");
        return;
    }
    size_t len = history_console_text(hub.history, history_console_mark(hub.history), &text);
    backlog_clear(&hub.backlog);
    backlog_append(&hub.backlog, text, len);
    screen_changed();
}

static void on_reply(void *ctx, struct client *to, json_t *reply)
{
    (void)ctx;
    send_reply(to, reply);
}

static void on_unicast(void *ctx, struct client *to, json_t *msg)
{
    (void)ctx;
    if (to && !client_is_rest(to))
        send_msg(to, msg);
}

static void on_started(void *ctx, bool ok, const char *why)
{
    (void)ctx;
    hub.started = true;
    hub.start_ok = ok;
    snprintf(hub.start_why, sizeof hub.start_why, "%s", why ? why : "");
}

static bool on_sending(void *ctx)
{
    (void)ctx;
    return server_sending();
}

struct target_hooks hub_hooks(void)
{
    return (struct target_hooks){.status = on_status, .snapshot = on_snapshot,
                                 .console = on_console, .reply = on_reply,
                                 .unicast = on_unicast, .started = on_started,
                                 .sending = on_sending, .console_mark = on_console_mark,
                                 .console_back = on_console_back};
}

int hub_init(const struct hub_config *cfg, struct target *t)
{
    hub.history = history_new(cfg->history_bytes);
    if (!hub.history)
        return -1;
    hub.token = cfg->token;
    hub.km = cfg->km;
    hub.t = t;
    hub.kernel = kernel_model_hello(cfg->km);
    hub.lab = cfg->lab;
    if (hub.kernel && cfg->kernel_path)
        json_object_set_new(hub.kernel, "elf", json_string(cfg->kernel_path));
    return 0;
}

json_t *hub_load_lab(const char *path, char *err, size_t errlen)
{
    json_error_t je;
    json_t *lab = json_load_file(path, 0, &je);
    if (!lab) {
        if (je.line > 0)
            snprintf(err, errlen, "--lab %s: line %d: %s", path, je.line, je.text);
        else
            snprintf(err, errlen, "--lab %s: %s", path, je.text);
        return NULL;
    }
    json_t *checks = json_object_get(lab, "checks");
    bool ok = json_is_string(json_object_get(lab, "lab")) && json_is_array(checks);
    size_t i;
    json_t *c;
    json_array_foreach(checks, i, c) {
        ok = ok && json_is_string(json_object_get(c, "name")) &&
             json_is_string(json_object_get(c, "title")) &&
             json_is_integer(json_object_get(c, "points"));
    }
    if (!ok) {
        snprintf(err, errlen, "--lab %s: not a lab checklist (\"lab\", and \"checks\" "
                 "with a name, title and points each)", path);
        json_decref(lab);
        return NULL;
    }
    return lab;
}

bool hub_started(bool *ok, const char **why)
{
    *ok = hub.start_ok;
    *why = hub.start_why;
    return hub.started;
}

/* ---- roles ------------------------------------------------------------------------------ */

static bool token_ok(const char *given)
{
    if (!hub.token)
        return true;
    if (!given || strlen(given) != strlen(hub.token))
        return false;
    unsigned diff = 0;
    for (size_t i = 0; given[i]; i++)
        diff |= (unsigned)(given[i] ^ hub.token[i]);
    return diff == 0;
}

static void send_hello(struct client *c, const char *message)
{
    json_t *h = json_pack("{s:s, s:i, s:s, s:O?, s:b}", "type", "hello",
                          "version", 1, "role",
                          client_role(c) == ROLE_CONTROLLER ? "controller"
                                                            : "viewer",
                          "kernel", hub.kernel, "token_required",
                          hub.token != NULL);
    if (h && message)
        json_object_set_new(h, "message", json_string(message));
    if (h && hub.lab)
        json_object_set(h, "lab", hub.lab);
    server_send(c, h);
    json_decref(h);
}

/* m may be NULL: a client that said something else first is taken as a
 * viewer that said hello. */
static void hello(struct client *c, const struct message *m)
{
    const char *message = NULL;
    bool first = client_role(c) == ROLE_NONE;

    enum role r = ROLE_VIEWER;
    if (m && m->controller) {
        if (token_ok(m->token))
            r = ROLE_CONTROLLER;
        else
            message = "control needs the token the daemon printed when it "
                      "started: you are a viewer";
    }
    if (r == ROLE_CONTROLLER && hub.controller && hub.controller != c) {
        /* The newest client that asks takes control (a reloaded page, a
         * second tab); the previous one is told it is a viewer now. */
        struct client *old = hub.controller;
        client_set_role(old, ROLE_VIEWER);
        send_hello(old, "another client took control: you are a viewer");
    }
    if (r == ROLE_CONTROLLER)
        hub.controller = c;
    else if (hub.controller == c)
        hub.controller = NULL;
    client_set_role(c, r);
    send_hello(c, message);
    if (!first)
        return;
    /* What a page needs to draw the present: status, the screen, the
     * newest events, the latest snapshot. */
    send_cached(c, &hub.status_msg, hub.status_msg ? NULL : target_status(hub.t));
    send_screen(c);
    send_events(c);
    /* In full: the base the next delta is from (none after a restart). */
    json_t *snap = target_latest(hub.t);
    if (snap)
        send_msg(c, snap);
    if (r == ROLE_VIEWER)
        server_send_shared(c, hub.view);
}

/* pages and frames: detail of the latest snapshot, answered here. */
static void detail(struct client *c, const struct command *cmd, bool rest)
{
    char err[256];
    const struct snapshotter *s = target_snapshotter(hub.t);
    json_t *d = cmd->kind == CMD_PAGES ? snapshotter_pages(s, cmd->pid, cmd->l1, err, sizeof err)
                                       : snapshotter_frames(s, cmd->from, cmd->count, err,
                                                            sizeof err);
    json_t *r = d ? control_reply_ok(cmd->id) : control_reply_error(cmd->id, "%s", err);
    if (d && r)
        json_object_update(r, d);
    json_decref(d);
    if (rest)
        server_respond(c, d ? 200 : 404, r);
    else
        server_send(c, r);
    json_decref(r);
}

/* ---- the history of stops (read-only: viewers too) -------------------------------------------- */

static json_t *history_reply(const struct command *cmd)
{
    if (cmd->kind == CMD_HISTORY) {
        json_t *r = control_reply_ok(cmd->id), *stops = history_list(hub.history);
        size_t i;
        json_t *s;
        json_array_foreach(stops, i, s) {
            long long seq = json_integer_value(json_object_get(s, "seq"));
            json_object_set_new(s, "saved", json_boolean(target_saved(hub.t, seq)));
        }
        json_object_set_new(r, "stops", stops);
        json_object_set_new(r, "rewind", target_travel_stats(hub.t));
        json_object_set_new(r, "bytes", json_integer((json_int_t)history_bytes(hub.history)));
        json_object_set_new(r, "budget", json_integer((json_int_t)history_budget(hub.history)));
        json_object_set_new(r, "dropped", json_integer((json_int_t)history_dropped(hub.history)));
        return r;
    }
    size_t len, clen;
    const char *console;
    char *text = history_get(hub.history, cmd->seq, &len, &console, &clen);
    json_t *snap = text ? json_loadb(text, len, 0, NULL) : NULL;
    free(text);
    if (!snap)
        return control_reply_error(cmd->id, "no stop with seq %lld in the history "
                                   "(see the history command)", cmd->seq);
    json_t *r = control_reply_ok(cmd->id);
    json_object_set_new(r, "seq", json_integer(cmd->seq));
    json_object_set_new(r, "snapshot", snap);
    json_t *con = json_stringn(console, clen);
    json_object_set_new(r, "console", con ? con : json_string(""));
    return r;
}

/* What the controller's page shows (its tab, panes, selection), relayed to
 * the viewers so that they can follow the teacher. The daemon does not read
 * it: it checks that it is an object of at most VIEW_MAX_BYTES serialized,
 * keeps the last one for viewers that join later, and sends it on as is. */
#define VIEW_MAX_BYTES 2048

static void view(struct client *c, json_t *m)
{
    json_t *v = json_object_get(m, "view");

    if (client_role(c) != ROLE_CONTROLLER) {
        send_error(c, "view: only the controller's view is relayed");
        return;
    }
    json_t *relay = json_pack("{s:s, s:O}", "type", "view", "view", v);
    struct out_msg *msg = relay ? server_serialize(relay) : NULL;
    json_decref(relay);
    if (!msg || msg->len > VIEW_MAX_BYTES) {
        send_error(c, "view: more than %d bytes", VIEW_MAX_BYTES);
        out_msg_unref(msg);
        return;
    }
    out_msg_unref(hub.view);
    hub.view = msg;
    server_broadcast_viewers(msg);
}

/* ---- messages from WebSocket clients ------------------------------------------------------- */

static void command(struct client *c, json_t *m, bool rest)
{
    struct command cmd;
    char err[256];
    struct control_names names = {names_event, names_syscall, names_function,
                                  hub.km, kernel_model_layout(hub.km)->user_top};

    if (control_parse(m, rest, &names, &cmd, err, sizeof err) < 0) {
        json_t *r = control_reply_error(cmd.id, "%s", err);
        if (rest)
            server_respond(c, 400, r);
        else
            server_send(c, r);
        json_decref(r);
        command_clear(&cmd);
        return;
    }
    if (!command_read_only(cmd.kind) && client_role(c) != ROLE_CONTROLLER) {
        json_t *r = control_reply_error(cmd.id, "%s: viewers may only ask for "
                                        "snapshots%s", command_name(cmd.kind),
                                        rest ? " (send the control token as "
                                        "'Authorization: Bearer TOKEN')" : "");
        if (rest)
            server_respond(c, 401, r);
        else
            server_send(c, r);
        json_decref(r);
        command_clear(&cmd);
        return;
    }
    if (cmd.kind == CMD_HISTORY || cmd.kind == CMD_HISTORY_GET) {
        json_t *r = history_reply(&cmd);
        send_reply(c, r);
        json_decref(r);
    } else if (cmd.kind == CMD_PAGES || cmd.kind == CMD_FRAMES) {
        detail(c, &cmd, rest);
    } else {
        target_command(hub.t, &cmd, c);
    }
    command_clear(&cmd);
}

void hub_ws_message(struct client *c, const char *data, size_t len)
{
    struct message m;
    char err[256];
    int r = control_message(data, len, &m, err, sizeof err);

    /* Anything but hello first: the client is a viewer that said hello. */
    if (m.not_hello && client_role(c) == ROLE_NONE)
        hello(c, NULL);
    if (r < 0)
        send_error(c, "%s", err);
    else if (m.kind == MSG_HELLO)
        hello(c, &m);
    else if (m.kind == MSG_COMMAND)
        command(c, m.obj, false);
    else if (m.kind == MSG_VIEW)
        view(c, m.obj);
    else if (client_role(c) != ROLE_CONTROLLER)
        send_error(c, "viewers cannot type into the console");
    else if (target_console_write(hub.t, m.data, m.data_len, err, sizeof err) < 0)
        send_error(c, "%s", err);
    control_message_clear(&m);
}

void hub_ws_oversized(struct client *c, size_t len)
{
    send_error(c, "message too large: %zu bytes (the limit is %u)", len,
               SERVER_MAX_MESSAGE);
}

void hub_ws_over_rate(struct client *c)
{
    send_error(c, "too many messages: a viewer may send %d a second (%d at "
               "once); this one and those after it are dropped unread until "
               "it slows down", VIEWER_RATE, VIEWER_BURST);
}

/* The target is about to be freed: the clients that go as the server stops
 * have no commands left in it. */
void hub_target_gone(void)
{
    hub.t = NULL;
}

void hub_client_gone(struct client *c)
{
    if (hub.t)
        target_forget(hub.t, c);
    if (hub.controller == c)
        hub.controller = NULL;
}

/* ---- REST --------------------------------------------------------------------------------------- */

void hub_rest(struct client *c, const char *method, const char *path,
              const char *body, size_t len, const char *auth)
{
    bool get = !strcmp(method, "GET");

    if (!strcmp(path, "/api/status")) {
        if (!get)
            return server_respond_error(c, 405, "GET /api/status");
        json_t *s = target_status(hub.t);
        if (s)
            json_object_set_new(s, "web", json_pack("{s:i, s:i}", "clients",
                                (int)server_clients(), "dropped",
                                (int)server_dropped()));
        server_respond(c, 200, s);
        json_decref(s);
    } else if (!strcmp(path, "/api/snapshot")) {
        char err[300];
        if (!get)
            return server_respond_error(c, 405, "GET /api/snapshot");
        json_t *s = target_snapshot(hub.t, err, sizeof err);
        if (s)
            server_respond(c, 200, s);
        else
            server_respond_error(c, 503, err);
        json_decref(s);
    } else if (!strcmp(path, "/api/command")) {
        char msg[300];
        if (get)
            return server_respond_error(c, 405, "POST /api/command");
        json_t *m = control_load(body, len, msg, sizeof msg);
        if (!m)
            return server_respond_error(c, 400, msg);
        const char *bearer = auth && !strncmp(auth, "Bearer ", 7) ? auth + 7
                                                                  : NULL;
        client_set_role(c, token_ok(bearer) ? ROLE_CONTROLLER : ROLE_VIEWER);
        command(c, m, true);
        json_decref(m);
    } else {
        server_respond_error(c, 404, "no such endpoint: /api/status, /api/snapshot, "
                   "/api/command");
    }
}
