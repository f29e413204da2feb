/* libFuzzer target for inspector/control.c: the input is a WebSocket
 * message as the daemon gets it; whatever jansson makes of it goes through
 * the command parser (as a WebSocket message and as a REST body), and every
 * outcome must be a command or an error reply that serializes. */
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

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
    static const struct control_names names = {event_kind, syscall_number,
                                               function, NULL};
    json_error_t jerr;
    json_t *obj = json_loadb((const char *)in, n, 0, &jerr);

    if (!obj)
        return 0;
    for (int rest = 0; rest < 2; rest++) {
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
    json_decref(obj);
    return 0;
}
