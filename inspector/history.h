/* history.h -- every stop of the session, kept compactly
 * (docs/time-travel.md, docs/protocol.md "history").
 *
 * Pure: no I/O, no guest. The hub gives it each stop's snapshot message as
 * it was sent (serialized JSON, opaque here: the snapshot's shape may change
 * without this module knowing) and the console text as it arrives. A stop is
 * kept deflated (zlib), with the few facts its list shows; the console is one
 * bounded log, and a stop remembers how far it had got. Everything counts
 * against one budget of bytes: past it the oldest stops are dropped. */
#ifndef GLASSBOX_HISTORY_H
#define GLASSBOX_HISTORY_H

#include <jansson.h>
#include <stddef.h>

#define HISTORY_REASON_MAX 32
#define HISTORY_DETAIL_MAX 96
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
