/* travel.c -- the saved states of the stops, and going back to one
 * (travel.h). */
#include "travel.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loop.h"
#include "pagestore.h"

/* The page store's save holds the loop (it compares the whole RAM with the
 * last save's): it waits for the stop's messages to be written out to the
 * clients, looking every PAGES_DELAY_MS, for at most PAGES_WAIT_MS. */
#define PAGES_DELAY_MS 1
#define PAGES_WAIT_MS 100
/* The states QEMU keeps in its qcow2 image. Each savevm writes the image's
 * whole snapshot table, so its time grows with their number: 16-24 ms with
 * 30 kept, 154 ms with 1,000 (docs/time-travel.md). */
#define STATES_MAX 256

/* A stop the guest can be taken back to: with a state of its own (QEMU's
 * tag "gb<seq>", its RAM in the page store), or as a number of single
 * steps from another stop's state. A single step, which QEMU runs with
 * interrupts and timers held, does the same from the same state, so a stop
 * reached by steps costs no save (docs/time-travel.md, "Steps"). */
struct saved {
    long long seq;     /* the stop's snapshot seq */
    long id;           /* its state in the page store, or -1: steps from base */
    long long base;    /* the stop whose state it starts from (seq itself if id >= 0) */
    unsigned steps;    /* single steps from base's state */
    struct travel_facts facts;
};

enum op { OP_NONE, OP_SAVE, OP_REWIND };

struct travel {
    size_t budget;
    void (*done)(void *ctx, const char *error);
    bool (*sending)(void *ctx);
    void *ctx;
    const struct qemu *q;
    struct qmp *qmp;
    struct pagestore *ps;
    bool ready;
    struct saved *saved; /* oldest first */
    size_t nsaved, cap;
    size_t dropped;
    /* the operation in progress */
    enum op op;
    bool vm_pending, pages_pending;
    long long op_seq;
    struct travel_facts op_facts;
    long op_id;
    int64_t op_start;
    char op_error[256];
    struct loop_timer pages_timer;
    /* the last figures */
    int64_t save_ms, pages_ms, rewind_ms;
};

static void tag(char *buf, size_t cap, const char *verb, long long seq)
{
    snprintf(buf, cap, "%s gb%lld", verb, seq);
}

struct travel *travel_new(size_t budget, void (*done)(void *ctx, const char *error),
                          bool (*sending)(void *ctx), void *ctx)
{
    struct travel *tv = calloc(1, sizeof *tv);

    if (tv) {
        tv->budget = budget;
        tv->done = done;
        tv->sending = sending;
        tv->ctx = ctx;
    }
    return tv;
}

void travel_reset(struct travel *tv, const struct qemu *q, struct qmp *qmp)
{
    loop_timer_cancel(&tv->pages_timer);
    pagestore_free(tv->ps);
    tv->ps = NULL;
    tv->nsaved = 0;
    tv->op = OP_NONE;
    tv->q = q && q->ram_fd >= 0 ? q : NULL;
    tv->qmp = tv->q ? qmp : NULL;
    tv->ready = false;
    if (!tv->qmp || !(tv->ps = pagestore_new(q->ram_size)))
        return;
    /* The RAM as QEMU starts (the kernel and zeros), the base the first
     * stop's save compares with: a first save of the whole RAM takes ~90 ms,
     * which is better spent now than at a stop. Only that base is kept. */
    pagestore_drop(tv->ps, pagestore_save(tv->ps, q->ram, NULL));
    json_t *caps = json_pack("{s:[{s:s, s:b}]}", "capabilities", "capability",
                             "x-ignore-shared", "state", 1);
    /* QMP keeps the order: this is in force before the first savevm. */
    tv->ready = qmp_send(qmp, "migrate-set-capabilities", caps, NULL, NULL) == 0;
}

void travel_free(struct travel *tv)
{
    if (!tv)
        return;
    travel_reset(tv, NULL, NULL);
    free(tv->saved);
    free(tv);
}

bool travel_ready(const struct travel *tv)
{
    return tv->ready;
}

bool travel_busy(const struct travel *tv)
{
    return tv->op != OP_NONE;
}

static struct saved *find(const struct travel *tv, long long seq)
{
    for (size_t i = 0; i < tv->nsaved; i++)
        if (tv->saved[i].seq == seq)
            return &tv->saved[i];
    return NULL;
}

bool travel_has(const struct travel *tv, long long seq)
{
    return find(tv, seq) != NULL;
}

/* The state of stop seq goes, with the stops that are steps from it. */
static void drop_state(struct travel *tv, long long seq)
{
    const struct saved *s = find(tv, seq);
    char line[64];
    size_t kept = 0;

    pagestore_drop(tv->ps, s->id);
    tag(line, sizeof line, "delvm", seq);
    qmp_hmp(tv->qmp, line, NULL, NULL);
    for (size_t i = 0; i < tv->nsaved; i++)
        if (tv->saved[i].base != seq)
            tv->saved[kept++] = tv->saved[i];
    tv->dropped += tv->nsaved - kept;
    tv->nsaved = kept;
}

/* How many stops have a state of their own. */
static size_t states(const struct travel *tv)
{
    size_t n = 0;

    for (size_t i = 0; i < tv->nsaved; i++)
        n += tv->saved[i].id >= 0;
    return n;
}

/* The oldest states go while the page store is over its budget, or QEMU
 * keeps more than STATES_MAX (the newest stays, whatever it costs). */
static void trim(struct travel *tv)
{
    while (states(tv) > 1 &&
           (pagestore_bytes(tv->ps) > tv->budget || states(tv) > STATES_MAX)) {
        size_t i = 0;
        while (tv->saved[i].id < 0)
            i++;
        drop_state(tv, tv->saved[i].seq);
    }
}

/* Room for one more entry. 0, or -1 when out of memory. */
static int grow(struct travel *tv)
{
    if (tv->nsaved < tv->cap)
        return 0;
    size_t cap = tv->cap ? 2 * tv->cap : 64;
    struct saved *s = realloc(tv->saved, cap * sizeof *s);
    if (!s)
        return -1;
    tv->saved = s;
    tv->cap = cap;
    return 0;
}

static void end_op(struct travel *tv)
{
    tv->op = OP_NONE;
    tv->done(tv->ctx, tv->op_error[0] ? tv->op_error : NULL);
}

/* Both halves of a save are in: keep it, or undo what half was made. */
static void save_over(struct travel *tv)
{
    char line[64];

    if (tv->vm_pending || tv->pages_pending)
        return;
    if (!tv->op_error[0] && grow(tv) < 0)
        snprintf(tv->op_error, sizeof tv->op_error, "out of memory");
    if (tv->op_error[0]) {
        pagestore_drop(tv->ps, tv->op_id);
        tag(line, sizeof line, "delvm", tv->op_seq);
        qmp_hmp(tv->qmp, line, NULL, NULL);
    } else {
        tv->saved[tv->nsaved++] = (struct saved){.seq = tv->op_seq, .id = tv->op_id,
                                                 .base = tv->op_seq,
                                                 .facts = tv->op_facts};
        trim(tv);
    }
    end_op(tv);
}

static void vm_saved(void *ctx, json_t *ret, const char *error)
{
    struct travel *tv = ctx;

    (void)ret;
    tv->vm_pending = false;
    tv->save_ms = loop_now_ms() - tv->op_start;
    if (error && !tv->op_error[0])
        snprintf(tv->op_error, sizeof tv->op_error, "savevm: %.200s", error);
    save_over(tv);
}

static void save_pages(void *ctx)
{
    struct travel *tv = ctx;
    int64_t start = loop_now_ms();

    if (tv->sending(tv->ctx) && start - tv->op_start < PAGES_WAIT_MS) {
        loop_timer_set(&tv->pages_timer, PAGES_DELAY_MS, save_pages, tv);
        return;
    }

    tv->op_id = pagestore_save(tv->ps, tv->q->ram, NULL);
    tv->pages_ms = loop_now_ms() - start;
    tv->pages_pending = false;
    if (tv->op_id < 0 && !tv->op_error[0])
        snprintf(tv->op_error, sizeof tv->op_error, "out of memory for the RAM");
    save_over(tv);
}

uint32_t travel_regs_sum(const void *regs, size_t len)
{
    const uint8_t *b = regs;
    uint32_t h = 2166136261u; /* FNV-1a */

    for (size_t i = 0; i < len; i++)
        h = (h ^ b[i]) * 16777619u;
    return h;
}

int travel_save(struct travel *tv, long long seq, const struct travel_facts *f)
{
    char line[64];

    if (!tv->ready || travel_busy(tv) || find(tv, seq))
        return -1;
    tv->op_facts = *f;
    tag(line, sizeof line, "savevm", seq);
    if (qmp_hmp(tv->qmp, line, vm_saved, tv) < 0)
        return -1;
    tv->op = OP_SAVE;
    tv->op_seq = seq;
    tv->op_id = -1;
    tv->op_error[0] = '\0';
    tv->op_start = loop_now_ms();
    tv->vm_pending = tv->pages_pending = true;
    loop_timer_set(&tv->pages_timer, PAGES_DELAY_MS, save_pages, tv);
    return 0;
}

int travel_note_steps(struct travel *tv, long long seq, long long from,
                      unsigned steps, const struct travel_facts *f)
{
    const struct saved *prev = find(tv, from);

    if (!prev || find(tv, seq) || prev->steps + steps > TRAVEL_STEPS_MAX || grow(tv) < 0)
        return -1;
    tv->saved[tv->nsaved++] = (struct saved){.seq = seq, .id = -1, .base = prev->base,
                                             .steps = prev->steps + steps, .facts = *f};
    return 0;
}

int travel_point(const struct travel *tv, long long seq, struct travel_point *p)
{
    const struct saved *s = find(tv, seq);

    if (!s)
        return -1;
    *p = (struct travel_point){s->base, s->steps, s->facts};
    return 0;
}

long long travel_stop_at(const struct travel *tv, long long base, unsigned steps)
{
    for (size_t i = tv->nsaved; i-- > 0;)
        if (tv->saved[i].base == base && tv->saved[i].steps == steps)
            return tv->saved[i].seq;
    return -1;
}

/* The stop's RAM into the guest's. 0, or -1. */
static int restore_pages(struct travel *tv, long id)
{
    uint8_t *ram = qemu_ram_writable(tv->q);
    int r = ram ? pagestore_restore(tv->ps, id, ram, NULL) : -1;

    qemu_ram_done(tv->q, ram);
    return r;
}

static void vm_loaded(void *ctx, json_t *ret, const char *error)
{
    struct travel *tv = ctx;

    (void)ret;
    if (error)
        snprintf(tv->op_error, sizeof tv->op_error, "loadvm: %.200s", error);
    else if (restore_pages(tv, tv->op_id) < 0)
        snprintf(tv->op_error, sizeof tv->op_error, "cannot write the guest's RAM");
    tv->rewind_ms = loop_now_ms() - tv->op_start;
    end_op(tv);
}

int travel_rewind(struct travel *tv, long long seq, char *err, size_t errlen)
{
    const struct saved *s = find(tv, seq);
    char line[64];

    if (!tv->ready) {
        snprintf(err, errlen, "no saved states: the daemon must run QEMU itself, "
                 "with its RAM in a memory file");
        return -1;
    }
    if (!s || s->id < 0) {
        snprintf(err, errlen, "no saved state of stop %lld (see the history "
                 "command: only stops kept since QEMU started can be gone back to)",
                 seq);
        return -1;
    }
    tv->op_start = loop_now_ms();
    /* Before loadvm: it checks the virtio rings in RAM against the devices. */
    if (restore_pages(tv, s->id) < 0) {
        snprintf(err, errlen, "cannot write the guest's RAM");
        return -1;
    }
    tag(line, sizeof line, "loadvm", seq);
    if (qmp_hmp(tv->qmp, line, vm_loaded, tv) < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    tv->op = OP_REWIND;
    tv->op_seq = seq;
    tv->op_id = s->id;
    tv->op_error[0] = '\0';
    return 0;
}

json_t *travel_stats(const struct travel *tv)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
                     "states", (json_int_t)states(tv),
                     "stops", (json_int_t)tv->nsaved,
                     "bytes", (json_int_t)(tv->ps ? pagestore_bytes(tv->ps) : 0),
                     "budget", (json_int_t)tv->budget,
                     "dropped", (json_int_t)tv->dropped,
                     "save_ms", (json_int_t)tv->save_ms,
                     "pages_ms", (json_int_t)tv->pages_ms,
                     "rewind_ms", (json_int_t)tv->rewind_ms);
}
