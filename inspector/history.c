/* history.c -- every stop of the session, kept compactly (history.h). */
#include "history.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define CONSOLE_LOG_MAX (1024 * 1024)

struct entry {
    struct history_stop stop;
    unsigned long long console_end; /* console bytes written before the stop */
    unsigned char *data;            /* the message, deflated */
    size_t stored, raw;             /* its deflated and inflated lengths */
};

struct history {
    size_t budget, used; /* used: entries' data and bookkeeping, the log */
    struct entry *e;     /* oldest first */
    size_t n, cap, dropped;
    /* The console log: a ring of log_cap bytes holding the last log_fill
     * of log_total bytes written. */
    char *log;
    size_t log_cap, log_fill;
    unsigned long long log_total;
    char *scratch; /* history_get's console text */
};

static size_t entry_cost(const struct entry *e)
{
    return sizeof *e + e->stored;
}

struct history *history_new(size_t budget)
{
    if (budget < HISTORY_MIN_BUDGET)
        return NULL;
    struct history *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->budget = budget;
    h->log_cap = budget / 4 < CONSOLE_LOG_MAX ? budget / 4 : CONSOLE_LOG_MAX;
    h->log = malloc(h->log_cap);
    h->scratch = malloc(HISTORY_CONSOLE_TAIL);
    if (!h->log || !h->scratch) {
        history_free(h);
        return NULL;
    }
    h->used = h->log_cap;
    return h;
}

void history_free(struct history *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->n; i++)
        free(h->e[i].data);
    free(h->e);
    free(h->log);
    free(h->scratch);
    free(h);
}

void history_console(struct history *h, const char *text, size_t len)
{
    if (len > h->log_cap) { /* only the end can stay */
        h->log_total += len - h->log_cap;
        text += len - h->log_cap;
        len = h->log_cap;
    }
    size_t at = (size_t)(h->log_total % h->log_cap);
    size_t first = len < h->log_cap - at ? len : h->log_cap - at;
    memcpy(h->log + at, text, first);
    memcpy(h->log, text + first, len - first);
    h->log_total += len;
    h->log_fill = h->log_fill + len < h->log_cap ? h->log_fill + len : h->log_cap;
}

static void drop_oldest(struct history *h)
{
    h->used -= entry_cost(&h->e[0]);
    free(h->e[0].data);
    memmove(h->e, h->e + 1, (h->n - 1) * sizeof *h->e);
    h->n--;
    h->dropped++;
}

static unsigned char *deflate_msg(const char *msg, size_t len, size_t *out)
{
    uLongf cap = compressBound((uLong)len);
    unsigned char *buf = malloc(cap);

    if (!buf || compress2(buf, &cap, (const Bytef *)msg, (uLong)len, 6) != Z_OK) {
        free(buf);
        return NULL;
    }
    unsigned char *fit = realloc(buf, cap ? cap : 1);
    *out = cap;
    return fit ? fit : buf;
}

int history_add(struct history *h, const struct history_stop *s,
                const char *msg, size_t len)
{
    if (h->n > 0 && s->seq <= h->e[h->n - 1].stop.seq)
        return -1;
    struct entry e = {.stop = *s, .console_end = h->log_total, .raw = len};
    e.data = deflate_msg(msg, len, &e.stored);
    if (!e.data)
        return -1;
    if (h->log_cap + entry_cost(&e) > h->budget) {
        free(e.data);
        return -1;
    }
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 64;
        struct entry *grown = realloc(h->e, cap * sizeof *grown);
        if (!grown) {
            free(e.data);
            return -1;
        }
        h->e = grown;
        h->cap = cap;
    }
    h->e[h->n++] = e;
    h->used += entry_cost(&e);
    while (h->used > h->budget)
        drop_oldest(h);
    return 0;
}

json_t *history_list(const struct history *h)
{
    json_t *list = json_array();

    for (size_t i = 0; list && i < h->n; i++) {
        const struct history_stop *s = &h->e[i].stop;
        json_t *o = json_pack("{s:I, s:f, s:s, s:i}", "seq", (json_int_t)s->seq,
                              "time_ms", s->time_ms, "reason", s->reason, "pid",
                              s->pid);
        if (o && s->detail[0])
            json_object_set_new(o, "detail", json_string(s->detail));
        if (o && s->from >= 0)
            json_object_set_new(o, "from", json_integer((json_int_t)s->from));
        json_array_append_new(list, o);
    }
    return list;
}

static const struct entry *find(const struct history *h, long long seq)
{
    size_t lo = 0, hi = h->n; /* seqs rise: binary search */

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (h->e[mid].stop.seq < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < h->n && h->e[lo].stop.seq == seq ? &h->e[lo] : NULL;
}

/* The console text before byte `end` of the output, into h->scratch. */
static size_t console_before(struct history *h, unsigned long long end)
{
    unsigned long long oldest = h->log_total - h->log_fill;
    unsigned long long from = end > HISTORY_CONSOLE_TAIL ? end - HISTORY_CONSOLE_TAIL : 0;

    if (from < oldest)
        from = oldest;
    if (end <= from)
        return 0;
    size_t n = 0;
    for (unsigned long long i = from; i < end; i++)
        h->scratch[n++] = h->log[i % h->log_cap];
    size_t skip = 0; /* start on a character, not inside one */
    while (skip < n && skip < 3 && ((unsigned char)h->scratch[skip] & 0xc0) == 0x80)
        skip++;
    memmove(h->scratch, h->scratch + skip, n - skip);
    return n - skip;
}

char *history_get(struct history *h, long long seq, size_t *len,
                  const char **console, size_t *console_len)
{
    const struct entry *e = find(h, seq);
    if (!e)
        return NULL;
    char *out = malloc(e->raw + 1);
    uLongf n = (uLongf)e->raw;
    if (!out || uncompress((Bytef *)out, &n, e->data, (uLong)e->stored) != Z_OK ||
        n != e->raw) {
        free(out);
        return NULL;
    }
    out[n] = '\0';
    *len = n;
    *console_len = console_before(h, e->console_end);
    *console = h->scratch;
    return out;
}

size_t history_bytes(const struct history *h)
{
    return h->used;
}

size_t history_count(const struct history *h)
{
    return h->n;
}

size_t history_dropped(const struct history *h)
{
    return h->dropped;
}

size_t history_budget(const struct history *h)
{
    return h->budget;
}
