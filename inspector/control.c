/* control.c -- commands from the page: parse, validate, authorize. */
#include "control.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ID_MAX 64 /* longest string id we echo */

struct spec {
    const char *name;
    bool read_only;
    const char *args[5]; /* allowed arguments besides type, id, cmd */
};

static const struct spec specs[CMD_COUNT] = {
    [CMD_SNAPSHOT] = {"snapshot", true, {NULL}},
    [CMD_PAUSE] = {"pause", false, {NULL}},
    [CMD_CONTINUE] = {"continue", false, {NULL}},
    [CMD_STEP] = {"step", false, {NULL}},
    [CMD_STEP_LINE] = {"step_line", false, {NULL}},
    [CMD_BREAK] = {"break", false, {"function", NULL}},
    [CMD_UNBREAK] = {"unbreak", false, {"function", NULL}},
    [CMD_RUN_TO] = {"run_to", false, {"event", "syscall", "pid", "program", NULL}},
    [CMD_WATCH] = {"watch", false, {"pid", "va", NULL}},
    [CMD_UNWATCH] = {"unwatch", false, {NULL}},
    [CMD_RESTART] = {"restart", false, {NULL}},
    [CMD_HISTORY] = {"history", true, {NULL}},
    [CMD_HISTORY_GET] = {"history_get", true, {"seq", NULL}},
    [CMD_PAGES] = {"pages", true, {"pid", "l1", NULL}},
    [CMD_FRAMES] = {"frames", true, {"from", "count", NULL}},
    [CMD_SAMPLE] = {"sample", false, {"hz", NULL}},
    [CMD_REWIND] = {"rewind", false, {"to", NULL}},
    [CMD_REVERSE_STEP] = {"reverse_step", false, {NULL}},
    [CMD_REVERSE_CONTINUE] = {"reverse_continue", false, {"event", "pid", "program", NULL}},
};

const char *command_name(enum command_kind k)
{
    return (unsigned)k < CMD_COUNT ? specs[k].name : "?";
}

bool command_read_only(enum command_kind k)
{
    return (unsigned)k < CMD_COUNT && specs[k].read_only;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

int control_parse_addr(const json_t *v, uint32_t *out)
{
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i < 0 || i > 0xffffffffLL)
            return -1;
        *out = (uint32_t)i;
        return 0;
    }
    if (!json_is_string(v))
        return -1;
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    int base = 10;
    if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        len -= 2;
        base = 16;
    }
    if (len == 0 || len > (base == 16 ? 8u : 10u))
        return -1;
    uint64_t val = 0;
    for (size_t i = 0; i < len; i++) {
        int d;
        char c = s[i];
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        val = val * (uint64_t)base + (uint64_t)d;
    }
    if (val > 0xffffffffu)
        return -1;
    *out = (uint32_t)val;
    return 0;
}

/* A string argument that is present, a string, non-empty, printable ASCII
 * and short enough for buf. */
static int name_arg(const json_t *obj, const char *key, char *buf, size_t cap,
                    char *err, size_t errlen)
{
    const json_t *v = json_object_get(obj, key);

    if (!v)
        return fail(err, errlen, "missing argument '%s'", key);
    if (!json_is_string(v))
        return fail(err, errlen, "'%s' must be a string", key);
    size_t len = json_string_length(v);
    const char *s = json_string_value(v);
    if (len == 0 || len >= cap)
        return fail(err, errlen, "'%s' must be 1 to %zu characters", key,
                    cap - 1);
    for (size_t i = 0; i < len; i++)
        if (s[i] <= ' ' || s[i] > '~')
            return fail(err, errlen, "'%s' has a character that is not "
                        "printable ASCII", key);
    memcpy(buf, s, len + 1);
    return 0;
}

/* A pid argument: a positive integer. */
static int pid_arg(const json_t *v, int *pid, char *err, size_t errlen)
{
    if (!json_is_integer(v) || json_integer_value(v) <= 0 ||
        json_integer_value(v) > 0x7fffffff)
        return fail(err, errlen, "'pid' must be a positive integer");
    *pid = (int)json_integer_value(v);
    return 0;
}

/* A required integer argument in [0, max]. */
static int uint_arg(const json_t *obj, const char *key, uint32_t max, uint32_t *out,
                    char *err, size_t errlen)
{
    const json_t *v = json_object_get(obj, key);

    if (!v)
        return fail(err, errlen, "missing argument '%s'", key);
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) > (json_int_t)max)
        return fail(err, errlen, "'%s' must be an integer from 0 to %u", key, max);
    *out = (uint32_t)json_integer_value(v);
    return 0;
}

/* run_to's and reverse_continue's optional process: a pid or a program
 * name, not both. */
static int run_to_process(const json_t *obj, struct command *cmd, char *err,
                          size_t errlen)
{
    const json_t *pid = json_object_get(obj, "pid");
    bool program = json_object_get(obj, "program") != NULL;
    if (pid && program)
        return fail(err, errlen, "give 'pid' or 'program', not both");
    if (pid)
        return pid_arg(pid, &cmd->pid, err, errlen);
    if (program)
        return name_arg(obj, "program", cmd->program, sizeof cmd->program, err,
                        errlen);
    return 0;
}

static bool allowed(const struct spec *sp, const char *key)
{
    if (!strcmp(key, "type") || !strcmp(key, "id") || !strcmp(key, "cmd"))
        return true;
    for (int i = 0; i < 5 && sp->args[i]; i++)
        if (!strcmp(key, sp->args[i]))
            return true;
    return false;
}

static int parse_args(const json_t *obj, const struct control_names *n,
                      struct command *cmd, char *err, size_t errlen)
{
    char name[CONTROL_NAME_MAX];

    switch (cmd->kind) {
    case CMD_BREAK:
    case CMD_UNBREAK:
        if (name_arg(obj, "function", cmd->function, sizeof cmd->function,
                     err, errlen) < 0)
            return -1;
        switch (n->function ? n->function(n->ctx, cmd->function, &cmd->addr) : 0) {
        case 1:
            return 0;
        case -1:
            return fail(err, errlen, "'%s' is kernel data, not a function: a "
                        "breakpoint goes on code (watch a page to see data "
                        "change)", cmd->function);
        default:
            return fail(err, errlen, "no kernel function '%s'", cmd->function);
        }
    case CMD_RUN_TO:
    case CMD_REVERSE_CONTINUE:
        if (name_arg(obj, "event", name, sizeof name, err, errlen) < 0)
            return -1;
        cmd->event_kind = n->event_kind ? n->event_kind(n->ctx, name) : -1;
        if (cmd->event_kind <= 0)
            return fail(err, errlen, "unknown event kind '%s'", name);
        cmd->syscall = -1;
        if (json_object_get(obj, "syscall")) {
            if (strcmp(name, "syscall") != 0)
                return fail(err, errlen, "'syscall' goes only with event "
                            "'syscall'");
            if (name_arg(obj, "syscall", name, sizeof name, err, errlen) < 0)
                return -1;
            cmd->syscall = n->syscall_number ? n->syscall_number(n->ctx, name)
                                             : -1;
            if (cmd->syscall < 0)
                return fail(err, errlen, "unknown system call '%s'", name);
        }
        return run_to_process(obj, cmd, err, errlen);
    case CMD_WATCH: {
        const json_t *pid = json_object_get(obj, "pid");
        const json_t *va = json_object_get(obj, "va");
        if (!pid || !va)
            return fail(err, errlen, "missing argument '%s'",
                        pid ? "va" : "pid");
        if (pid_arg(pid, &cmd->pid, err, errlen) < 0)
            return -1;
        if (control_parse_addr(va, &cmd->va) < 0)
            return fail(err, errlen, "'va' must be an address: \"0x...\" "
                        "(up to 8 hex digits) or a number below 2^32");
        if (cmd->va >= n->user_top)
            return fail(err, errlen, "'va' must be a user address "
                        "(below 0x%08x)", n->user_top);
        return 0;
    }
    case CMD_HISTORY_GET:
    case CMD_REWIND: {
        const char *arg = cmd->kind == CMD_REWIND ? "to" : "seq";
        const json_t *seq = json_object_get(obj, arg);
        if (!seq)
            return fail(err, errlen, "missing argument '%s'", arg);
        if (!json_is_integer(seq) || json_integer_value(seq) < 0)
            return fail(err, errlen, "'%s' must be a snapshot's seq (an "
                        "integer, 0 or more)", arg);
        cmd->seq = json_integer_value(seq);
        return 0;
    }
    case CMD_PAGES: {
        uint32_t l1;
        const json_t *pid = json_object_get(obj, "pid");
        if (!pid)
            return fail(err, errlen, "missing argument 'pid'");
        if (pid_arg(pid, &cmd->pid, err, errlen) < 0 ||
            uint_arg(obj, "l1", 1023, &l1, err, errlen) < 0)
            return -1;
        cmd->l1 = (int)l1;
        return 0;
    }
    case CMD_FRAMES:
        return uint_arg(obj, "from", 0x7fffffff, &cmd->from, err, errlen) < 0 ||
               uint_arg(obj, "count", 0x7fffffff, &cmd->count, err, errlen) < 0 ? -1 : 0;
    case CMD_SAMPLE: {
        const json_t *hz = json_object_get(obj, "hz");
        if (!json_is_integer(hz) || json_integer_value(hz) < 0 ||
            json_integer_value(hz) > CONTROL_SAMPLE_HZ_MAX)
            return fail(err, errlen, "'hz' must be an integer from 0 to %d",
                        CONTROL_SAMPLE_HZ_MAX);
        cmd->hz = (int)json_integer_value(hz);
        return 0;
    }
    default:
        return 0;
    }
}

int control_parse(const json_t *obj, bool rest, const struct control_names *names,
                  struct command *cmd, char *err, size_t errlen)
{
    static const struct control_names none;
    const struct control_names *n = names ? names : &none;

    memset(cmd, 0, sizeof *cmd);
    cmd->syscall = -1;
    if (!json_is_object(obj))
        return fail(err, errlen, "a command must be a JSON object");
    const json_t *id = json_object_get(obj, "id");
    if (id) {
        if (!json_is_integer(id) && !json_is_string(id) && !json_is_null(id))
            return fail(err, errlen, "'id' must be a number or a string");
        if (json_is_string(id) && json_string_length(id) > ID_MAX)
            return fail(err, errlen, "'id' is longer than %d characters",
                        ID_MAX);
        cmd->id = json_incref((json_t *)id);
    }
    const json_t *type = json_object_get(obj, "type");
    if (type && !(json_is_string(type) &&
                  !strcmp(json_string_value(type), "command")))
        return fail(err, errlen, "'type' must be \"command\"");
    if (!type && !rest)
        return fail(err, errlen, "missing 'type'");
    const json_t *name = json_object_get(obj, "cmd");
    if (!name)
        return fail(err, errlen, "missing 'cmd'");
    if (!json_is_string(name))
        return fail(err, errlen, "'cmd' must be a string");
    int k;
    for (k = 0; k < CMD_COUNT; k++)
        if (!strcmp(json_string_value(name), specs[k].name))
            break;
    if (k == CMD_COUNT)
        return fail(err, errlen, "unknown command '%.40s'",
                    json_string_value(name));
    cmd->kind = (enum command_kind)k;
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)obj, key, value) {
        if (!allowed(&specs[k], key))
            return fail(err, errlen, "%s takes no argument '%.40s'",
                        specs[k].name, key);
    }
    return parse_args(obj, n, cmd, err, errlen);
}

json_t *control_load(const char *text, size_t len, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *m = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);

    if (!m)
        fail(err, errlen, "not JSON: %s (at byte %d)", jerr.text, jerr.position);
    return m;
}

static int hello_args(struct message *m, char *err, size_t errlen)
{
    const json_t *role = json_object_get(m->obj, "role");
    const json_t *token = json_object_get(m->obj, "token");
    const char *want = role ? json_string_value(role) : "viewer";

    if (!want || (strcmp(want, "controller") && strcmp(want, "viewer")))
        return fail(err, errlen, "'role' must be \"controller\" or \"viewer\"");
    if (token && !json_is_string(token))
        return fail(err, errlen, "'token' must be a string");
    m->controller = !strcmp(want, "controller");
    m->token = token ? json_string_value(token) : NULL;
    return 0;
}

int control_message(const char *text, size_t len, struct message *m,
                    char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    if (!(m->obj = control_load(text, len, err, errlen)))
        return -1;
    if (!json_is_object(m->obj))
        return fail(err, errlen, "a message must be a JSON object");
    const char *type = json_string_value(json_object_get(m->obj, "type"));
    if (!type)
        return fail(err, errlen, "a message needs a \"type\"");
    m->not_hello = strcmp(type, "hello") != 0;
    if (!strcmp(type, "hello")) {
        m->kind = MSG_HELLO;
        return hello_args(m, err, errlen);
    }
    if (!strcmp(type, "command")) {
        m->kind = MSG_COMMAND;
        return 0;
    }
    if (!strcmp(type, "view")) {
        m->kind = MSG_VIEW;
        if (!json_is_object(json_object_get(m->obj, "view")))
            return fail(err, errlen, "view: 'view' must be an object");
        return 0;
    }
    if (!strcmp(type, "console")) {
        const json_t *d = json_object_get(m->obj, "data");
        m->kind = MSG_CONSOLE;
        if (!json_is_string(d))
            return fail(err, errlen, "console 'data' must be a string");
        m->data = json_string_value(d);
        m->data_len = json_string_length(d);
        return 0;
    }
    return fail(err, errlen, "unknown message type '%.40s'", type);
}

void control_message_clear(struct message *m)
{
    json_decref(m->obj);
    m->obj = NULL;
}

void command_clear(struct command *cmd)
{
    json_decref(cmd->id);
    cmd->id = NULL;
}

static json_t *reply(const json_t *id, bool ok)
{
    json_t *r = json_pack("{s:s, s:b}", "type", "reply", "ok", ok);

    if (r && id)
        json_object_set(r, "id", (json_t *)id);
    return r;
}

json_t *control_reply_ok(const json_t *id)
{
    return reply(id, true);
}

json_t *control_reply_error(const json_t *id, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    json_t *r = reply(id, false);

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* A name quoted with %.40s may end in half a UTF-8 sequence. */
    json_t *s = NULL;
    for (size_t len = strlen(msg); !s && len > 0; len--)
        s = json_stringn(msg, len);
    if (r)
        json_object_set_new(r, "error", s ? s : json_string("error"));
    else
        json_decref(s);
    return r;
}
