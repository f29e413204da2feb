/* history.h -- every stop of the session, kept compactly
 * (docs/time-travel.md, docs/protocol.md "history").
 *
 * Pure: no I/O, no guest. The hub gives it each stop's snapshot message as
 * it was sent (serialized JSON, opaque here: the snapshot's shape may change
 * without this module knowing) and the console text as it arrives. A stop is
 * kept deflated (zlib), with the few facts its list shows; the console is one
 * bounded log, and a stop remembers how far it had got. When the guest goes
 * back in time the console goes back with it: a branch that starts from the
 * text of the moment gone back to. Everything counts against one budget of
 * bytes: past it the oldest stops are dropped. */
#ifndef GLASSBOX_HISTORY_H
#define GLASSBOX_HISTORY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define HISTORY_REASON_MAX 32
#define HISTORY_DETAIL_MAX 96
#define HISTORY_PROGRAM_MAX 32
/* The console text history_get gives with a stop: at most this much before
 * it, like the screen a new client is sent (hub.c's backlog). */
#define HISTORY_CONSOLE_TAIL (64 * 1024)
/* The smallest budget history_new accepts. */
#define HISTORY_MIN_BUDGET (16 * 1024)

struct history_stop {
    long long seq;                    /* the snapshot's seq */
    double time_ms;                   /* wall clock, ms since the epoch */
    char reason[HISTORY_REASON_MAX];  /* the status's stop.reason */
    char detail[HISTORY_DETAIL_MAX];  /* stop.detail, "" if none */
    int pid;                          /* the process running at the stop, 0: none */
    char program[HISTORY_PROGRAM_MAX]; /* its name (the program it runs), "" if none */
    long long from;                   /* stop.from: the stop it came from, -1: none */
};

struct history;

/* budget: bytes for the stops (deflated), their bookkeeping and the console
 * log (a quarter of the budget, at most 1 MiB). NULL when budget is below
 * HISTORY_MIN_BUDGET or memory runs out. */
struct history *history_new(size_t budget);
void history_free(struct history *h);

/* Console output, in order (valid UTF-8 chunks). */
void history_console(struct history *h, const char *text, size_t len);

/* Where the console is now: a mark for going back to it (opaque). */
uint64_t history_console_mark(const struct history *h);
/* The guest went back to where the console was at mark: from now on the
 * console reads as it did then, followed by what comes (the text of the
 * history left behind stays with its stops). 0, or -1 (a mark not of h, or
 * too many branches: the console goes on as one). */
int history_console_back(struct history *h, uint64_t mark);
/* The console text at mark (not owned, valid until the next call into h):
 * the last HISTORY_CONSOLE_TAIL bytes, as far as the log still holds them,
 * starting on a character. */
size_t history_console_text(struct history *h, uint64_t mark, const char **text);

/* Keep a stop: its facts and its message (len bytes). A seq not above the
 * last one kept is refused (-1), as is a message that alone exceeds the
 * budget. 0 on success. */
int history_add(struct history *h, const struct history_stop *s,
                const char *msg, size_t len);

/* The list: [{"seq", "time_ms", "reason", "detail"?, "pid", "from"?}], oldest first.
 * New reference. */
json_t *history_list(const struct history *h);

/* The message kept for seq, inflated and NUL-terminated (free it), its
 * length in *len; and in *console (not owned, valid until the next call
 * into h) the console text up to that stop: the last HISTORY_CONSOLE_TAIL
 * bytes before it, as far as the log still holds them, starting on a
 * character. NULL when seq is not kept. */
char *history_get(struct history *h, long long seq, size_t *len,
                  const char **console, size_t *console_len);

/* Bytes used now (always <= the budget), stops kept, stops dropped. */
size_t history_bytes(const struct history *h);
size_t history_count(const struct history *h);
size_t history_dropped(const struct history *h);
size_t history_budget(const struct history *h);

#endif
