/* control.h -- commands from the page: parse, validate, authorize.
 *
 * Pure: no I/O, no guest. A command object (docs/protocol.md, "Messages to
 * the daemon") becomes a struct command, or a message saying what is wrong
 * with it. Names the kernel defines (event kinds, syscalls, functions) are
 * looked up through callbacks, so tests can supply their own.
 * target.c carries the commands out. */
#ifndef GLASSBOX_CONTROL_H
#define GLASSBOX_CONTROL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONTROL_NAME_MAX 128 /* function names, NUL included */

enum command_kind {
    CMD_SNAPSHOT,
    CMD_PAUSE,
    CMD_CONTINUE,
    CMD_STEP,
    CMD_STEP_LINE,
    CMD_BREAK,
    CMD_UNBREAK,
    CMD_RUN_TO,
    CMD_WATCH,
    CMD_UNWATCH,
    CMD_RESTART,
    CMD_SAMPLE,
    CMD_COUNT
};

struct command {
    enum command_kind kind;
    json_t *id;       /* echoed in the reply (any JSON value); NULL if absent.
                         A reference the command owns: command_clear() drops it */
    char function[CONTROL_NAME_MAX]; /* break, unbreak */
    uint32_t addr;    /* break, unbreak: the function's address */
    int event_kind;   /* run_to: enum event_kind value */
    int syscall;      /* run_to syscall: its number, -1 for any syscall */
    int pid;          /* watch; run_to: only this process's events (0: any) */
    char program[CONTROL_NAME_MAX]; /* run_to: only events of processes so
                                       named ("" : any) */
    uint32_t va;      /* watch */
    int hz;           /* sample: snapshots a second while running, 0 none */
};

#define CONTROL_SAMPLE_HZ_MAX 10

/* How names are looked up; any callback may be NULL (nothing is known). */
struct control_names {
    int (*event_kind)(void *ctx, const char *name);      /* -1 unknown */
    int (*syscall_number)(void *ctx, const char *name);  /* -1 unknown */
    uint32_t (*symbol)(void *ctx, const char *name);     /* 0 unknown */
    void *ctx;
};

/* Parse one command object. With rest set, "type" may be absent (the REST
 * body); otherwise it must be "command". 0, or -1 with err filled in; the
 * command's id is set even on failure when the object had one, so the
 * error reply can carry it. */
int control_parse(const json_t *obj, bool rest, const struct control_names *names,
                  struct command *cmd, char *err, size_t errlen);
void command_clear(struct command *cmd);

const char *command_name(enum command_kind k);
/* Whether a viewer (read-only client) may send it: only snapshot. */
bool command_read_only(enum command_kind k);

/* An address argument: a JSON integer in [0, 2^32) or a string "0x..." of
 * 1..8 hex digits (decimal digits without 0x). 0, or -1. */
int control_parse_addr(const json_t *v, uint32_t *out);

/* The reply objects. id may be NULL. New references. */
json_t *control_reply_ok(const json_t *id);
json_t *control_reply_error(const json_t *id, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
