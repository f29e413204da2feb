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
    CMD_HISTORY,
    CMD_HISTORY_GET,
    CMD_PAGES,
    CMD_FRAMES,
    CMD_SAMPLE,
    CMD_REWIND,
    CMD_REVERSE_STEP,
    CMD_REVERSE_CONTINUE,
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
    long long seq;    /* history_get: a snapshot's seq; rewind: "to" */
    int l1;           /* pages (with pid): the root table's entry */
    uint32_t from, count; /* frames */
    int hz;           /* sample: snapshots a second while running, 0 none */
};

#define CONTROL_SAMPLE_HZ_MAX 10

/* How names are looked up; any callback may be NULL (nothing is known). */
struct control_names {
    int (*event_kind)(void *ctx, const char *name);      /* -1 unknown */
    int (*syscall_number)(void *ctx, const char *name);  /* -1 unknown */
    /* 1 a function (*addr set), -1 the name is data, 0 unknown */
    int (*function)(void *ctx, const char *name, uint32_t *addr);
    void *ctx;
    uint32_t user_top; /* user addresses are below it */
};

/* A message from a WebSocket client (docs/protocol.md), taken apart the way
 * hub.c acts on it: a hello (with role and token), a console input, a
 * command (obj, still to go through control_parse) or the controller's view
 * (obj's "view", an object, relayed to the viewers). */
enum message_kind { MSG_HELLO, MSG_CONSOLE, MSG_COMMAND, MSG_VIEW };

struct message {
    enum message_kind kind;
    /* An object with a "type" other than "hello" (valid or not): a client
     * that has not said hello yet is taken as a viewer that did. */
    bool not_hello;
    json_t *obj;          /* the whole message; a reference it owns */
    bool controller;      /* hello: asks for control (else a viewer) */
    const char *token;    /* hello: the token, or NULL (inside obj) */
    const char *data;     /* console: what to type (inside obj) */
    size_t data_len;
};

/* Text as JSON, the error saying where it is not (both the WebSocket
 * message and the REST body go through it). NULL with err filled in. */
json_t *control_load(const char *text, size_t len, char *err, size_t errlen);
/* Take apart one WebSocket message. 0, or -1 with err filled in (and
 * m->not_hello still set as described). control_message_clear() after
 * either. */
int control_message(const char *text, size_t len, struct message *m,
                    char *err, size_t errlen);
void control_message_clear(struct message *m);

/* Parse one command object. With rest set, "type" may be absent (the REST
 * body); otherwise it must be "command". 0, or -1 with err filled in; the
 * command's id is set even on failure when the object had one, so the
 * error reply can carry it. */
int control_parse(const json_t *obj, bool rest, const struct control_names *names,
                  struct command *cmd, char *err, size_t errlen);
void command_clear(struct command *cmd);

const char *command_name(enum command_kind k);
/* Whether a viewer (read-only client) may send it: snapshot, pages,
 * frames, history, history_get. */
bool command_read_only(enum command_kind k);

/* An address argument: a JSON integer in [0, 2^32) or a string "0x..." of
 * 1..8 hex digits (decimal digits without 0x). 0, or -1. */
int control_parse_addr(const json_t *v, uint32_t *out);

/* The reply objects. id may be NULL. New references. */
json_t *control_reply_ok(const json_t *id);
json_t *control_reply_error(const json_t *id, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
