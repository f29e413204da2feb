/* history.c -- every stop of the session, kept compactly (history.h). */
#include "history.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define CONSOLE_LOG_MAX (1024 * 1024)
#define BRANCH_MAX 65536
#define MARK_AT_BITS 40 /* a mark: the branch above these bits, the log's byte below */
#define NO_BRANCH UINT32_MAX

struct entry {
    struct history_stop stop;
    uint64_t console;               /* the console's mark at the stop */
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
    /* The console's branches: the guest went back to where the console read
     * as branch parent up to byte cut of the log, and from byte start on the
     * log holds what came after. Branch 0 is the session's start. */
    struct branch {
        uint32_t parent;
        unsigned long long cut, start;
    } *branch;
    uint32_t nbranch, branch_cap, current;
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
    h->branch = malloc(sizeof *h->branch);
    if (!h->log || !h->scratch || !h->branch) {
        history_free(h);
        return NULL;
    }
    h->branch[0] = (struct branch){NO_BRANCH, 0, 0};
    h->nbranch = h->branch_cap = 1;
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
    free(h->branch);
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

#define MARK_AT_MASK ((1ull << MARK_AT_BITS) - 1)

static uint32_t mark_branch(uint64_t mark)
{
    return (uint32_t)(mark >> MARK_AT_BITS);
}

static unsigned long long mark_at(uint64_t mark)
{
    return mark & MARK_AT_MASK;
}

uint64_t history_console_mark(const struct history *h)
{
    return (uint64_t)h->current << MARK_AT_BITS | (h->log_total & MARK_AT_MASK);
}

int history_console_back(struct history *h, uint64_t mark)
{
    uint32_t b = mark_branch(mark);
    unsigned long long at = mark_at(mark);

    if (b >= h->nbranch || at > h->log_total || at < h->branch[b].start ||
        h->nbranch == BRANCH_MAX)
        return -1;
    if (h->nbranch == h->branch_cap) {
        struct branch *grown = realloc(h->branch, 2 * h->branch_cap * sizeof *grown);
        if (!grown)
            return -1;
        h->branch = grown;
        h->branch_cap *= 2;
    }
    h->branch[h->nbranch] = (struct branch){b, at, h->log_total};
    h->current = h->nbranch++;
    return 0;
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
    struct entry e = {.stop = *s, .console = history_console_mark(h), .raw = len};
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
        if (o && s->program[0])
            json_object_set_new(o, "program", json_string(s->program));
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

/* The console text at mark, into h->scratch: its branch's text, after
 * the text of the branch it went back to up to where it went back, and so
 * on, as far back as the log holds them and the scratch takes. Filled from
 * its end, the newest text first. */
static size_t console_at(struct history *h, uint64_t mark)
{
    unsigned long long oldest = h->log_total - h->log_fill;
    unsigned long long end = mark_at(mark);
    uint32_t b = mark_branch(mark);
    size_t room = HISTORY_CONSOLE_TAIL;

    while (b < h->nbranch && room > 0 && end > oldest) {
        const struct branch *br = &h->branch[b];
        unsigned long long from = br->start > oldest ? br->start : oldest;
        for (unsigned long long i = end; i > from && room > 0; i--)
            h->scratch[--room] = h->log[(i - 1) % h->log_cap];
        end = br->cut;
        b = br->parent;
    }
    size_t n = HISTORY_CONSOLE_TAIL - room;
    size_t skip = 0; /* start on a character, not inside one */
    while (skip < n && skip < 3 && ((unsigned char)h->scratch[room + skip] & 0xc0) == 0x80)
        skip++;
    memmove(h->scratch, h->scratch + room + skip, n - skip);
    return n - skip;
}

size_t history_console_text(struct history *h, uint64_t mark, const char **text)
{
    *text = h->scratch;
    return console_at(h, mark);
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
    *console_len = console_at(h, e->console);
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
