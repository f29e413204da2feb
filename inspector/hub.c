/* hub.c -- what the messages mean (docs/protocol.md). */
#include "hub.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"

static struct {
    const char *token;
    struct kernel_model *km;
    struct target *t;
    struct client *controller;
    json_t *kernel; /* the hello message's "kernel" object */
    json_t *view; /* the controller's last view message, for viewers */
    struct console_backlog backlog;
    bool started, start_ok;
    char start_why[512];
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

static uint32_t names_symbol(void *ctx, const char *name)
{
    return kernel_model_symbol(ctx, name);
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
    server_broadcast(msg);
}

static void on_snapshot(void *ctx, json_t *msg)
{
    (void)ctx;
    server_broadcast(msg);
}

static void on_console(void *ctx, const char *text, size_t len)
{
    (void)ctx;
    backlog_append(&hub.backlog, text, len);
    json_t *data = json_stringn(text, len);
    json_t *m = data ? json_pack("{s:s, s:o}", "type", "console", "data", data)
                     : NULL;
    if (m)
        server_broadcast(m);
    json_decref(m);
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
        server_send(to, msg);
}

static void on_started(void *ctx, bool ok, const char *why)
{
    (void)ctx;
    hub.started = true;
    hub.start_ok = ok;
    snprintf(hub.start_why, sizeof hub.start_why, "%s", why ? why : "");
}

struct target_hooks hub_hooks(void)
{
    return (struct target_hooks){on_status, on_snapshot, on_console, on_reply,
                                 on_unicast, on_started, NULL};
}

void hub_init(const struct hub_config *cfg, struct target *t)
{
    hub.token = cfg->token;
    hub.km = cfg->km;
    hub.t = t;
    hub.kernel = kernel_model_hello(cfg->km);
    if (hub.kernel && cfg->kernel_path)
        json_object_set_new(hub.kernel, "elf", json_string(cfg->kernel_path));
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
    server_send(c, h);
    json_decref(h);
}

/* m may be NULL: a client that said something else first is taken as a
 * viewer that said hello. */
static void hello(struct client *c, json_t *m)
{
    const json_t *role = m ? json_object_get(m, "role") : NULL;
    const json_t *token = m ? json_object_get(m, "token") : NULL;
    const char *want = role ? json_string_value(role) : "viewer";
    const char *message = NULL;
    bool first = client_role(c) == ROLE_NONE;

    if (!want || (strcmp(want, "controller") && strcmp(want, "viewer"))) {
        send_error(c, "'role' must be \"controller\" or \"viewer\"");
        return;
    }
    if (token && !json_is_string(token)) {
        send_error(c, "'token' must be a string");
        return;
    }
    enum role r = ROLE_VIEWER;
    if (!strcmp(want, "controller")) {
        if (token_ok(token ? json_string_value(token) : NULL))
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
     * latest snapshot. */
    json_t *status = target_status(hub.t);
    server_send(c, status);
    json_decref(status);
    size_t len;
    const char *text = backlog_text(&hub.backlog, &len);
    if (len > 0) {
        json_t *data = json_stringn(text, len);
        json_t *con = data ? json_pack("{s:s, s:o}", "type", "console", "data",
                                       data)
                           : NULL;
        server_send(c, con);
        json_decref(con);
    }
    json_t *snap = target_latest(hub.t);
    if (snap)
        server_send(c, snap);
    if (hub.view && r == ROLE_VIEWER)
        server_send(c, hub.view);
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
    if (!json_is_object(v)) {
        send_error(c, "view: 'view' must be an object");
        return;
    }
    json_t *relay = json_pack("{s:s, s:O}", "type", "view", "view", v);
    char *text = relay ? json_dumps(relay, JSON_COMPACT) : NULL;
    size_t len = text ? strlen(text) : 0;
    free(text);
    if (!relay || len > VIEW_MAX_BYTES) {
        send_error(c, "view: more than %d bytes", VIEW_MAX_BYTES);
        json_decref(relay);
        return;
    }
    json_decref(hub.view);
    hub.view = relay;
    server_broadcast_viewers(relay);
}

/* ---- messages from WebSocket clients ------------------------------------------------------- */

static void command(struct client *c, json_t *m, bool rest)
{
    struct command cmd;
    char err[256];
    struct control_names names = {names_event, names_syscall, names_symbol,
                                  hub.km};

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
    target_command(hub.t, &cmd, c);
    command_clear(&cmd);
}

void hub_ws_message(struct client *c, const char *data, size_t len)
{
    json_error_t jerr;
    json_t *m = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);

    if (!m) {
        send_error(c, "not JSON: %s (at byte %d)", jerr.text, jerr.position);
        return;
    }
    const char *type = json_string_value(json_object_get(m, "type"));
    /* Anything but hello first: the client is a viewer that said hello. */
    if (json_is_object(m) && type && strcmp(type, "hello") != 0 &&
        client_role(c) == ROLE_NONE)
        hello(c, NULL);
    if (!json_is_object(m))
        send_error(c, "a message must be a JSON object");
    else if (!type)
        send_error(c, "a message needs a \"type\"");
    else if (!strcmp(type, "hello"))
        hello(c, m);
    else if (!strcmp(type, "command"))
        command(c, m, false);
    else if (!strcmp(type, "view"))
        view(c, m);
    else if (!strcmp(type, "console")) {
        const json_t *d = json_object_get(m, "data");
        char err[256];
        if (client_role(c) != ROLE_CONTROLLER)
            send_error(c, "viewers cannot type into the console");
        else if (!json_is_string(d))
            send_error(c, "console 'data' must be a string");
        else if (target_console_write(hub.t, json_string_value(d),
                                      json_string_length(d), err,
                                      sizeof err) < 0)
            send_error(c, "%s", err);
    } else {
        send_error(c, "unknown message type '%.40s'", type);
    }
    json_decref(m);
}

void hub_ws_oversized(struct client *c, size_t len)
{
    send_error(c, "message too large: %zu bytes (the limit is %u)", len,
               SERVER_MAX_MESSAGE);
}

void hub_client_gone(struct client *c)
{
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
        json_error_t jerr;
        if (get)
            return server_respond_error(c, 405, "POST /api/command");
        json_t *m = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!m) {
            char msg[300];
            snprintf(msg, sizeof msg, "not JSON: %s (at byte %d)", jerr.text,
                     jerr.position);
            return server_respond_error(c, 400, msg);
        }
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
