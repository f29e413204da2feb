/* libFuzzer target for the WebSocket command path and the REST body
 * (inspector/control.c, the functions hub.c calls): the input is a message
 * as the daemon gets it; it is taken apart as a WebSocket message and
 * loaded as a REST body, every command goes through the command parser,
 * and every outcome must be a command or an error reply that serializes. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "control.h"

static int event_kind(void *ctx, const char *name)
{
    (void)ctx;
    return !strcmp(name, "fork") ? 1 : !strcmp(name, "syscall") ? 6 : -1;
}

static int syscall_number(void *ctx, const char *name)
{
    (void)ctx;
    return !strcmp(name, "write") ? 16 : -1;
}

static int function(void *ctx, const char *name, uint32_t *addr)
{
    (void)ctx;
    *addr = 0x80001000u;
    return strlen(name) == 9 ? 1 : strlen(name) == 4 ? -1 : 0;
}

/* A command object as the hub parses it: a command or an error reply,
 * either of which must serialize. */
static void parse_command(const json_t *obj, bool rest)
{
    static const struct control_names names = {event_kind, syscall_number,
                                               function, NULL, 0x80000000u};
    struct command cmd;
    char err[256];
    json_t *reply;

    if (control_parse(obj, rest, &names, &cmd, err, sizeof err) == 0) {
        if ((unsigned)cmd.kind >= CMD_COUNT)
            abort();
        reply = control_reply_ok(cmd.id);
    } else {
        if (!memchr(err, '\0', sizeof err) || err[0] == '\0')
            abort();
        reply = control_reply_error(cmd.id, "%s", err);
    }
    char *text = json_dumps(reply, JSON_COMPACT);
    if (!text)
        abort();
    free(text);
    json_decref(reply);
    command_clear(&cmd);
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
    struct message m;
    char err[256];

    /* The WebSocket path: hub_ws_message() takes the message apart with
     * control_message(), then a command goes through control_parse(). */
    if (control_message((const char *)in, n, &m, err, sizeof err) == 0) {
        if (m.not_hello != (m.kind != MSG_HELLO) ||
            (m.kind == MSG_CONSOLE && (!m.data || strlen(m.data) > m.data_len)) ||
            (m.kind == MSG_HELLO && m.token && !json_is_string(json_object_get(m.obj, "token"))))
            abort();
        if (m.kind == MSG_COMMAND)
            parse_command(m.obj, false);
    } else if (!memchr(err, '\0', sizeof err) || err[0] == '\0') {
        abort();
    }
    control_message_clear(&m);
    /* The REST path: hub_rest() loads the body with control_load(). */
    json_t *obj = control_load((const char *)in, n, err, sizeof err);
    if (obj)
        parse_command(obj, true);
    json_decref(obj);
    return 0;
}
