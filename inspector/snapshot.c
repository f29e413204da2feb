/* snapshot.c -- the kernel's state, read from a stopped guest, as JSON. */
#include "snapshot.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "guest.h"
#include "sv32.h"
#include "unwind.h"

#define PAGE 4096u

/* What a snapshot carries inline stays bounded, whatever the guest's
 * memory: page-table entries for the smallest address spaces up to
 * INLINE_PAGES in all (the others' tables come without entries: the
 * "pages" command), the user frames' owners when there are at most
 * INLINE_FRAMES (else the "frames" command), and at most DIFF_MAX changes
 * of each kind in the diff. */
#define INLINE_PAGES 768
#define INLINE_FRAMES 512
#define DIFF_MAX 512
#define FRAMES_MAX 1024        /* frames per "frames" request */

/* ---- reading guest memory --------------------------------------------- */

/* Page tables kept from earlier snapshots, each with the kernel's count of
 * changes to its frame (struct frame.writes) when it was read: a table is
 * read again only when that count has moved. The kernel writes every user
 * PTE itself (the hardware never sets A or D on its own), so a table whose
 * count has not moved has not changed. */
#define MAX_TABLE_COPIES 1024   /* 4 MiB; tables past it are read every time */

struct table_copy {
    uint32_t frame;         /* index in frames[] */
    uint32_t writes;
    bool used;              /* walked in this snapshot */
    uint8_t data[PAGE];
};

struct table_cache {
    struct table_copy *copies;
    size_t n, cap;
};

/* One snapshot's reads, bounded to RAM. */
struct reader {
    struct rsp_conn *conn;
    const struct kernel_layout *k;
    struct table_cache *cache;
    const uint32_t *writes;    /* struct frame.writes, by frame, at this stop */
};

static int read_phys(struct reader *r, uint64_t pa, void *buf, size_t len)
{
    return guest_read_phys(r->conn, r->k, pa, buf, len);
}

static struct table_copy *table_copy(struct table_cache *c, uint32_t frame)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->copies[i].frame == frame)
            return &c->copies[i];
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        struct table_copy *more = cap <= MAX_TABLE_COPIES ?
                                  realloc(c->copies, cap * sizeof(*more)) : NULL;
        if (!more)
            return NULL;
        c->copies = more;
        c->cap = cap;
    }
    struct table_copy *t = &c->copies[c->n++];
    t->frame = frame;
    t->writes = UINT32_MAX;   /* not read yet */
    return t;
}

/* Keep only the tables this snapshot walked. */
static void table_cache_prune(struct table_cache *c)
{
    size_t kept = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (c->copies[i].used) {
            c->copies[i].used = false;
            c->copies[kept++] = c->copies[i];
        }
    }
    c->n = kept;
}

/* sv32's reader: a page table from the cache when its frame's write count
 * says it is unchanged, else read whole and kept. */
static int read_for_walk(void *ctx, uint64_t pa, void *buf, size_t len)
{
    struct reader *r = ctx;
    uint64_t page = pa & ~(uint64_t)(PAGE - 1);
    if (!guest_in_ram(r->k, page, PAGE) || pa + len > page + PAGE)
        return read_phys(r, pa, buf, len);
    uint32_t frame = (uint32_t)((page - r->k->ram_base) / PAGE);
    struct table_copy *t = table_copy(r->cache, frame);
    if (!t)
        return read_phys(r, pa, buf, len);
    if (t->writes != r->writes[frame]) {
        if (read_phys(r, page, t->data, PAGE) < 0) {
            t->writes = UINT32_MAX;
            return -1;
        }
        t->writes = r->writes[frame];
    }
    t->used = true;
    memcpy(buf, t->data + (pa - page), len);
    return 0;
}

static uint32_t get32(const uint8_t *b, uint32_t off) { uint32_t v; memcpy(&v, b + off, 4); return v; }
static uint16_t get16(const uint8_t *b, uint32_t off) { uint16_t v; memcpy(&v, b + off, 2); return v; }

static json_t *hex(uint64_t v)
{
    char s[24];
    snprintf(s, sizeof(s), "0x%08llx", (unsigned long long)v);
    return json_string(s);
}

/* ---- what is kept between snapshots, for diffs ----------------------- */

struct pte_rec {
    uint32_t va, pte;
};

struct proc_rec {
    int pid, state;
    uint32_t sz;
    char name[4 * 16 + 1];  /* a 16-byte name, every byte escaped (name_text) */
    struct pte_rec *ptes;   /* user leaves by ascending va */
    size_t n_ptes;
    bool walked;            /* space holds its walk, kept for "pages" */
    struct sv32_space space;
    int alien_index;        /* a root entry of the kernel half that is not the kernel's, or 0 */
    uint32_t alien_pte;     /* that entry */
};

struct state {
    int valid;
    uint16_t *refcount;     /* by frame */
    uint8_t *kind;
    struct proc_rec *procs; /* live processes */
    size_t n_procs;
    bool kernel_walked;     /* kernel holds the walk of the kernel half */
    struct sv32_space kernel;
};

struct snapshotter {
    struct kernel_model *km;
    const struct kernel_layout *k;
    struct table_cache tables;
    int seq;
    uint32_t last_event_seq;
    struct state prev;
    struct snapshot_cost cost;
};

static void state_free(struct state *st)
{
    for (size_t i = 0; i < st->n_procs; i++) {
        free(st->procs[i].ptes);
        if (st->procs[i].walked)
            sv32_space_free(&st->procs[i].space);
    }
    free(st->procs);
    if (st->kernel_walked)
        sv32_space_free(&st->kernel);
    free(st->refcount);
    free(st->kind);
    memset(st, 0, sizeof(*st));
}

struct snapshotter *snapshotter_new(struct kernel_model *km)
{
    struct snapshotter *s = calloc(1, sizeof(*s));
    if (s) {
        s->km = km;
        s->k = kernel_model_layout(km);
    }
    return s;
}

void snapshotter_reset(struct snapshotter *s)
{
    state_free(&s->prev);
    s->last_event_seq = 0;
    s->tables.n = 0;
}

void snapshotter_free(struct snapshotter *s)
{
    if (!s)
        return;
    state_free(&s->prev);
    free(s->tables.copies);
    free(s);
}

struct snapshot_cost snapshotter_last_cost(const struct snapshotter *s)
{
    return s->cost;
}

/* ---- CPU -------------------------------------------------------------- */

static const char *const abi_names[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3",
    "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11",
    "t3", "t4", "t5", "t6"};

static const char *scause_name(uint32_t scause)
{
    static const char *const exceptions[] = {
        "instruction address misaligned", "instruction access fault", "illegal instruction",
        "breakpoint", "load address misaligned", "load access fault",
        "store address misaligned", "store access fault", "ecall from U-mode",
        "ecall from S-mode", NULL, "ecall from M-mode", "instruction page fault",
        "load page fault", NULL, "store page fault"};
    uint32_t code = scause & 0x7fffffffu;
    if (scause & 0x80000000u)
        return code == 1 ? "supervisor software interrupt" : code == 5 ? "supervisor timer interrupt" :
               code == 9 ? "supervisor external interrupt" : "interrupt";
    return code < 16 && exceptions[code] ? exceptions[code] : "unknown";
}

static json_t *where_json(const struct kernel_model *km, uint32_t pc, json_t *into)
{
    const char *fn, *file;
    int line;
    kernel_model_where(km, pc, &fn, &file, &line);
    json_object_set_new(into, "function", fn ? json_string(fn) : json_null());
    json_object_set_new(into, "file", file ? json_string(file) : json_null());
    json_object_set_new(into, "line", line ? json_integer(line) : json_null());
    return into;
}


/* The kernel stack from sp to the end of its page, read once (the stack is
 * one page; what lies below sp is dead); the unwinder reads from it. */
struct stack_page {
    uint32_t base, len;
    uint8_t bytes[4096];
};

static int stack_word(void *ctx, uint32_t addr, uint32_t *value)
{
    const struct stack_page *p = ctx;
    if (addr < p->base || p->len < 4 || addr - p->base > p->len - 4)
        return -1;
    *value = get32(p->bytes, addr - p->base);
    return 0;
}

/* The kernel's call stack at a stop in S mode, innermost first; a caller's
 * function, file and line are those of its call (the instruction before the
 * return address in pc). */
static json_t *backtrace_json(struct snapshotter *s, struct rsp_conn *c, struct unwind_regs r)
{
    struct stack_page page = {.base = r.sp & ~3u};
    page.len = 4096 - (page.base & 0xfffu);
    struct reader rd = {.conn = c, .k = s->k};
    uint32_t pcs[UNWIND_MAX_FRAMES];
    int n = read_phys(&rd, page.base, page.bytes, page.len) == 0
                ? unwind_backtrace(s->km, r, stack_word, &page, pcs, UNWIND_MAX_FRAMES)
                : 1;
    pcs[0] = r.pc;
    json_t *out = json_array();
    for (int i = 0; i < n; i++) {
        json_t *frame = json_pack("{s:o}", "pc", hex(pcs[i]));
        where_json(s->km, i == 0 ? pcs[i] : pcs[i] - 4, frame);
        json_array_append_new(out, frame);
    }
    return out;
}

static json_t *cpu_json(struct snapshotter *s, struct rsp_conn *c)
{
    /* priv is QEMU's virtual register; some CPUs have none (then: S) */
    static const char *const names[] = {"pc", "satp", "sstatus", "scause", "stval", "sepc",
                                        "stvec", "priv"};
    uint64_t v[8] = {0, 0, 0, 0, 0, 0, 0, 1};
    size_t nregs = tdesc_find(rsp_conn_tdesc(c), "priv") ? 8 : 7;
    uint8_t gregs[33 * 4];
    size_t glen = 0;
    if (rsp_conn_read_regs_named(c, names, v, nregs) < 0 ||
        rsp_conn_read_gregs(c, gregs, sizeof(gregs), &glen) < 0)
        return NULL;
    uint32_t pc = (uint32_t)v[0], satp = (uint32_t)v[1], sstatus = (uint32_t)v[2],
             scause = (uint32_t)v[3], stval = (uint32_t)v[4], sepc = (uint32_t)v[5],
             stvec = (uint32_t)v[6], priv = (uint32_t)v[7];

    json_t *regs = json_object();
    for (int i = 1; i < 32 && (size_t)(i + 1) * 4 <= glen; i++)
        json_object_set_new(regs, abi_names[i], hex(get32(gregs, i * 4)));
    json_t *cpu = json_pack("{s:o, s:s, s:{s:o, s:s, s:o}, s:{s:o, s:b, s:b, s:s, s:b},"
                            " s:{s:o, s:b, s:i, s:s}, s:o, s:o, s:o, s:o}",
        "pc", hex(pc),
        "priv", priv == 0 ? "U" : priv == 1 ? "S" : "M",
        "satp", "raw", hex(satp), "mode", (satp >> 31) ? "sv32" : "bare",
                "root", hex((uint64_t)(satp & 0x3fffffu) << 12),
        "sstatus", "raw", hex(sstatus), "SIE", (sstatus >> 1) & 1, "SPIE", (sstatus >> 5) & 1,
                   "SPP", (sstatus >> 8) & 1 ? "S" : "U", "SUM", (sstatus >> 18) & 1,
        "scause", "raw", hex(scause), "interrupt", scause >> 31, "code", (int)(scause & 0x7fffffffu),
                  "name", scause_name(scause),
        "stval", hex(stval), "sepc", hex(sepc), "stvec", hex(stvec), "regs", regs);
    if (priv == 1) {
        struct unwind_regs r = {pc, get32(gregs, 1 * 4), get32(gregs, 2 * 4), get32(gregs, 8 * 4)};
        json_object_set_new(cpu, "backtrace", backtrace_json(s, c, r));
    }
    return where_json(s->km, pc, cpu);
}

/* ---- processes ---------------------------------------------------------- */

/* The slot a struct proc pointer points at, or -1. */
static int proc_slot(const struct kernel_layout *k, uint32_t ptr)
{
    if (ptr < k->proc_addr || ptr >= k->proc_addr + k->nproc * k->proc_size ||
        (ptr - k->proc_addr) % k->proc_size)
        return -1;
    return (int)((ptr - k->proc_addr) / k->proc_size);
}

static json_t *fd_json(struct reader *r, const struct kernel_model *km,
                       const uint8_t *ftable, int fd, uint32_t fptr)
{
    const struct kernel_layout *k = r->k;
    if (fptr < k->ftable_addr || fptr >= k->ftable_addr + k->nfile * k->file_size ||
        (fptr - k->ftable_addr) % k->file_size)
        return json_pack("{s:i, s:s, s:o}", "fd", fd, "type", "invalid", "ptr", hex(fptr));
    const uint8_t *f = ftable + (fptr - k->ftable_addr);
    const char *type = kernel_model_file_type(km, get32(f, k->fl_type));
    json_t *o = json_pack("{s:i, s:s, s:i}", "fd", fd, "type", type ? type : "unknown",
                          "ref", (int)get32(f, k->fl_ref));
    uint32_t ip = get32(f, k->fl_ip), inum;
    if (ip && read_phys(r, ip + k->inode_inum, &inum, 4) == 0) {
        json_object_set_new(o, "inum", json_integer(inum));
        json_object_set_new(o, "off", json_integer(get32(f, k->fl_off)));
    }
    return o;
}

static uint32_t mailbox_count(const struct kernel_layout *k, const uint8_t *p)
{
    uint32_t n = get32(p, k->p_mbox + k->mb_count);
    return n <= k->mbox_depth ? n : k->mbox_depth;   /* a torn read stays in bounds */
}

/* A message's payload as text (non-printable bytes as '.') and as hex. */
static json_t *message_json(const struct kernel_layout *k, const uint8_t *m)
{
    uint32_t len = get32(m, k->m_len);
    if (len > k->msg_max)
        len = k->msg_max;
    char text[512], hexs[1024];
    _Static_assert(sizeof hexs >= 2 * (sizeof text - 1) + 1, "two hex digits for each byte shown");
    uint32_t shown = len < sizeof text - 1 ? len : sizeof text - 1;
    for (uint32_t i = 0; i < shown; i++) {
        uint8_t ch = m[k->m_data + i];
        text[i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '.';
        snprintf(hexs + 2 * i, 3, "%02x", ch);
    }
    text[shown] = 0;
    hexs[2 * shown] = 0;
    return json_pack("{s:i, s:i, s:s, s:s}", "from", (int)get32(m, k->m_from), "len", (int)len,
                     "text", text, "hex", hexs);
}

/* Every non-empty mailbox, oldest message first. Its messages are read
 * only if the queue's pointer lies inside the kernel's mailbox_slots. */
static json_t *mailboxes_json(struct reader *r, const uint8_t *procs)
{
    const struct kernel_layout *k = r->k;
    uint32_t queue_bytes = k->mbox_depth * k->msg_size;
    uint8_t *queue = malloc(queue_bytes);
    json_t *out = json_array();
    for (uint32_t slot = 0; queue && slot < k->nproc; slot++) {
        const uint8_t *p = procs + (size_t)slot * k->proc_size;
        uint32_t n = mailbox_count(k, p), head = get32(p, k->p_mbox + k->mb_head);
        uint32_t msgs_at = get32(p, k->p_mbox + k->mb_msgs);
        if (get32(p, k->p_state) == 0 || n == 0)
            continue;
        json_t *msgs = json_array();
        if (msgs_at < k->mailbox_slots_addr || k->mailbox_slots_size < queue_bytes ||
            msgs_at - k->mailbox_slots_addr > k->mailbox_slots_size - queue_bytes ||
            read_phys(r, msgs_at, queue, queue_bytes) < 0)
            n = 0;   /* a garbage pointer: show the depth, not the messages */
        for (uint32_t i = 0; i < n; i++) {
            uint32_t idx = (head + i) % k->mbox_depth;
            json_array_append_new(msgs, message_json(k, queue + idx * k->msg_size));
        }
        json_array_append_new(out, json_pack("{s:i, s:i, s:o}", "pid", (int)get32(p, k->p_pid),
                                             "depth", (int)mailbox_count(k, p), "messages", msgs));
    }
    free(queue);
    return out;
}

/* A process name from guest memory as text that is always UTF-8: up to the
 * first NUL, printable ASCII as is, every other byte (and the backslash) as
 * \xNN, so a name that is not UTF-8 is shown, never dropped. Cut at a
 * whole character when out is too small. */
static void name_text(const uint8_t *in, size_t n, char *out, size_t outlen)
{
    size_t o = 0;
    for (size_t i = 0; i < n && in[i]; i++) {
        uint8_t ch = in[i];
        bool plain = ch >= 0x20 && ch < 0x7f && ch != '\\';
        if (o + (plain ? 1 : 4) >= outlen)
            break;
        if (plain)
            out[o++] = (char)ch;
        else
            o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", ch);
    }
    out[o] = 0;
}

static json_t *proc_json(struct reader *r, const struct kernel_model *km,
                         const uint8_t *procs, const uint8_t *ftable, int slot)
{
    const struct kernel_layout *k = r->k;
    const uint8_t *p = procs + (size_t)slot * k->proc_size;
    char name[sizeof(((struct proc_rec *)0)->name)];
    name_text(p + k->p_name, k->p_name_len, name, sizeof name);
    const char *state = kernel_model_proc_state(km, get32(p, k->p_state));
    int parent = proc_slot(k, get32(p, k->p_parent));
    uint32_t regs = k->p_tf_regs;
    json_t *fds = json_array();
    for (uint32_t fd = 0; fd < k->p_nofile; fd++) {
        uint32_t fptr = get32(p, k->p_ofile + fd * 4);
        if (fptr)
            json_array_append_new(fds, fd_json(r, km, ftable, (int)fd, fptr));
    }
    return json_pack("{s:i, s:s, s:s, s:o, s:i, s:o, s:o, s:b, s:i, s:i, s:{s:o, s:o, s:o, s:o}, s:o, s:i}",
        "pid", (int)get32(p, k->p_pid), "name", name, "state", state ? state : "unknown",
        "parent", parent >= 0 ? json_integer((int)get32(procs + (size_t)parent * k->proc_size, k->p_pid)) : json_null(),
        "size", (int)get32(p, k->p_sz), "pagetable", hex(get32(p, k->p_pagetable)),
        "chan", hex(get32(p, k->p_chan)), "killed", get32(p, k->p_killed) != 0,
        "job", (int)get32(p, k->p_job), "xstate", (int)get32(p, k->p_xstate),
        "trapframe", "epc", hex(get32(p, k->p_tf_epc)), "sp", hex(get32(p, regs + 2 * 4)),
                     "a0", hex(get32(p, regs + 10 * 4)), "a7", hex(get32(p, regs + 17 * 4)),
        "fds", fds, "mailbox_depth", (int)mailbox_count(k, p));
}

/* ---- address spaces ----------------------------------------------------- */

/* User leaves of a space, for the frame owners and the next diff. */
static void collect_ptes(const struct sv32_space *sp, struct proc_rec *rec)
{
    rec->ptes = calloc(sp->n_entries ? sp->n_entries : 1, sizeof(*rec->ptes));
    rec->n_ptes = 0;
    for (size_t i = 0; rec->ptes && i < sp->n_entries; i++) {
        const struct sv32_entry *e = &sp->entries[i];
        if (!e->problem && e->level == 0 && sv32_is_leaf(e->pte))
            rec->ptes[rec->n_ptes++] = (struct pte_rec){e->va, e->pte};
    }
}

/* ---- frames ------------------------------------------------------------- */

/* One mapped frame with who maps it. */
static json_t *frame_json(const struct snapshotter *s, const struct state *st, uint32_t f,
                          json_t *mapped_by)
{
    return json_pack("{s:i, s:o, s:i, s:O}", "frame", (int)f,
                     "pa", hex(s->k->ram_base + (uint64_t)f * PAGE), "refcount", st->refcount[f],
                     "mapped_by", mapped_by);
}

/* The frames as runs; with mapped_by (who maps each frame), the "user"
 * list too. */
static json_t *frames_json(const struct snapshotter *s, const struct state *st, uint32_t mapped,
                           json_t **mapped_by)
{
    const struct kernel_layout *k = s->k;
    json_t *runs = json_array(), *user = json_array();
    uint32_t free_count = 0;
    for (uint32_t i = 0; i < k->nframes;) {
        const char *kind = kernel_model_frame_kind(s->km, st->kind[i]);
        if (st->kind[i] == 0) {   /* the first enumerator is "free" */
            free_count++;
            i++;
            continue;
        }
        uint32_t j = i + 1;
        while (j < k->nframes && st->kind[j] == st->kind[i] && st->refcount[j] == st->refcount[i])
            j++;
        json_array_append_new(runs, json_pack("{s:i, s:i, s:s, s:i}", "first", (int)i,
                              "count", (int)(j - i), "kind", kind ? kind : "unknown",
                              "refcount", st->refcount[i]));
        i = j;
    }
    uint32_t first_used = k->nframes, last_used = 0;
    for (uint32_t i = 0; i < k->nframes; i++) {
        if (st->kind[i]) {
            first_used = first_used < i ? first_used : i;
            last_used = i;
        }
    }
    for (uint32_t i = 0; mapped_by && i < k->nframes; i++) {
        if (mapped_by[i])
            json_array_append_new(user, frame_json(s, st, i, mapped_by[i]));
    }
    json_t *out = json_pack("{s:o, s:i, s:i, s:o, s:i, s:o}", "base", hex(k->ram_base),
                            "count", (int)k->nframes, "free", (int)free_count, "runs", runs,
                            "mapped", (int)mapped,
                            "used", first_used < k->nframes
                                    ? json_pack("{s:i, s:i}", "first", (int)first_used,
                                                "last", (int)last_used)
                                    : json_null());
    if (mapped_by)
        json_object_set_new(out, "user", user);
    else
        json_decref(user);
    return out;
}

/* ---- events ------------------------------------------------------------- */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* One payload field's value as the protocol has it: a number, an address
 * in hex, or text (non-printable bytes as '.'). */
static json_t *event_field_json(const struct event_field *f, const uint8_t *data)
{
    if (f->kind == EVENT_FIELD_TEXT) {
        char text[256];
        uint32_t n = 0;
        for (; n < f->size && n < sizeof(text) - 1 && data[f->offset + n]; n++) {
            uint8_t ch = data[f->offset + n];
            text[n] = ch >= 0x20 && ch < 0x7f ? (char)ch : '.';
        }
        text[n] = 0;
        return json_string(text);
    }
    uint32_t v = f->size == 4 ? get32(data, f->offset) : f->size == 2 ? get16(data, f->offset)
                                                                      : data[f->offset];
    if (f->kind == EVENT_FIELD_ADDR)
        return hex(v);
    int32_t sv = f->size == 4 ? (int32_t)v : f->size == 2 ? (int16_t)v : (int8_t)v;
    return json_integer(sv);
}

/* The event's payload fields into o (kernel_model.h: named by the kernel's
 * union event_data), and names: a syscall's "name" from its number (and, on
 * the way in, "arg0": what its a0 is), and a "cause" for every scause. */
static void event_payload_json(const struct kernel_model *km, int kind, const uint8_t *data,
                               json_t *o)
{
    size_t n;
    const struct event_field *f = kernel_model_event_fields(km, kind, &n);
    for (size_t i = 0; i < n; i++)
        json_object_set_new(o, f[i].name, event_field_json(&f[i], data));
    const char *kind_name = kernel_model_event_name(km, kind);
    bool call = kind_name && (strcmp(kind_name, "syscall") == 0 || strcmp(kind_name, "syscall_ret") == 0);
    const struct event_field *num = kernel_model_event_field(km, kind, "num");
    const char *sys = call && num ? kernel_model_syscall_name(km, get32(data, num->offset)) : NULL;
    if (sys)
        json_object_set_new(o, "name", json_string(sys));
    const char *arg0 = sys && strcmp(kind_name, "syscall") == 0 ? kernel_model_syscall_arg0(km, get32(data, num->offset)) : NULL;
    if (arg0)
        json_object_set_new(o, "arg0", json_string(arg0));
    const struct event_field *ret = call ? kernel_model_event_field(km, kind, "ret") : NULL;
    int32_t value = ret && ret->size == 4 ? (int32_t)get32(data, ret->offset) : 0;
    const char *error = value < 0 ? kernel_model_error_name(km, -(int64_t)value) : NULL;
    if (error)
        json_object_set_new(o, "error", json_string(error));
    const struct event_field *scause = kernel_model_event_field(km, kind, "scause");
    if (scause && scause->kind == EVENT_FIELD_ADDR && scause->size == 4)
        json_object_set_new(o, "cause", json_string(scause_name(get32(data, scause->offset))));
}

static json_t *events_json(struct snapshotter *s, const uint8_t *ring)
{
    const struct kernel_layout *k = s->k;
    uint32_t *order = calloc(k->nevent, sizeof(uint32_t) * 2);
    json_t *out = json_array();
    size_t n = 0;
    for (uint32_t i = 0; order && i < k->nevent; i++) {
        uint32_t seq = get32(ring, k->ring_slot + i * k->event_size + k->e_seq);
        if (seq != 0 && seq > s->last_event_seq) {
            order[2 * n] = seq;
            order[2 * n + 1] = i;
            n++;
        }
    }
    qsort(order, n, sizeof(uint32_t) * 2, cmp_u32);
    for (size_t j = 0; j < n; j++) {
        const uint8_t *e = ring + k->ring_slot + order[2 * j + 1] * k->event_size;
        int kind = (int)get32(e, k->e_kind);
        const char *name = kernel_model_event_name(s->km, kind);
        json_t *o = json_pack("{s:i, s:i, s:i, s:s}", "seq", (int)get32(e, k->e_seq),
                              "tick", (int)get32(e, k->e_tick), "pid", (int)get32(e, k->e_pid),
                              "kind", name ? name : "unknown");
        event_payload_json(s->km, kind, e + k->e_data, o);
        json_array_append_new(out, o);
        s->last_event_seq = order[2 * j];
    }
    free(order);
    return out;
}

/* ---- diff --------------------------------------------------------------- */

static const struct proc_rec *find_proc(const struct state *st, int pid)
{
    for (size_t i = 0; i < st->n_procs; i++)
        if (st->procs[i].pid == pid)
            return &st->procs[i];
    return NULL;
}

/* Append to a diff list, or count what is left out past DIFF_MAX. */
static void diff_add(json_t *list, json_t *item, size_t *omitted)
{
    if (json_array_size(list) < DIFF_MAX) {
        json_array_append_new(list, item);
    } else {
        json_decref(item);
        ++*omitted;
    }
}

static void diff_ptes(json_t *out, size_t *omitted, int pid, const struct proc_rec *a,
                      const struct proc_rec *b)
{
    size_t i = 0, j = 0;
    while (i < a->n_ptes || j < b->n_ptes) {
        uint32_t va_a = i < a->n_ptes ? a->ptes[i].va : UINT32_MAX;
        uint32_t va_b = j < b->n_ptes ? b->ptes[j].va : UINT32_MAX;
        uint32_t va = va_a < va_b ? va_a : va_b;
        uint32_t before = va_a == va ? a->ptes[i++].pte : 0;
        uint32_t after = va_b == va ? b->ptes[j++].pte : 0;
        uint32_t changed = before ^ after;
        if (!changed)
            continue;
        if (json_array_size(out) >= DIFF_MAX) {
            ++*omitted;
            continue;
        }
        json_t *what = json_array();
        if (!before || !after)
            json_array_append_new(what, json_string(!before ? "mapped" : "unmapped"));
        else if (changed >> 10)
            json_array_append_new(what, json_string("pa"));
        static const char *const bits[] = {"V", "R", "W", "X", "U", "G", "A", "D", "COW", "SHARED"};
        for (int bit = 0; before && after && bit < 10; bit++)
            if ((changed >> bit) & 1)
                json_array_append_new(what, json_string(bits[bit]));
        json_array_append_new(out, json_pack("{s:i, s:o, s:o, s:o, s:o}", "pid", pid, "va", hex(va),
                              "before", hex(before), "after", hex(after), "what", what));
    }
}

static json_t *diff_json(const struct snapshotter *s, const struct state *prev, const struct state *now)
{
    json_t *born = json_array(), *gone = json_array(), *changed = json_array(), *ptes = json_array();
    json_t *allocated = json_array(), *freed = json_array(), *refs = json_array();
    static const struct proc_rec empty;
    size_t omitted = 0, frames_omitted = 0;
    for (size_t i = 0; prev->valid && i < now->n_procs; i++) {
        const struct proc_rec *b = &now->procs[i], *a = find_proc(prev, b->pid);
        if (!a)
            json_array_append_new(born, json_integer(b->pid));
        else if (a->state != b->state || a->sz != b->sz || strcmp(a->name, b->name))
            json_array_append_new(changed, json_integer(b->pid));
        diff_ptes(ptes, &omitted, b->pid, a ? a : &empty, b);
    }
    for (size_t i = 0; prev->valid && i < prev->n_procs; i++) {
        if (!find_proc(now, prev->procs[i].pid)) {
            json_array_append_new(gone, json_integer(prev->procs[i].pid));
            diff_ptes(ptes, &omitted, prev->procs[i].pid, &prev->procs[i], &empty);
        }
    }
    for (uint32_t f = 0; prev->valid && f < s->k->nframes; f++) {
        if (!prev->kind[f] && now->kind[f])
            diff_add(allocated, json_integer(f), &frames_omitted);
        else if (prev->kind[f] && !now->kind[f])
            diff_add(freed, json_integer(f), &frames_omitted);
        else if (prev->refcount[f] != now->refcount[f])
            diff_add(refs, json_pack("{s:i, s:i, s:i}", "frame", (int)f, "before",
                                     prev->refcount[f], "after", now->refcount[f]),
                     &frames_omitted);
    }
    return json_pack("{s:o, s:{s:o, s:o, s:o}, s:o, s:I, s:{s:o, s:o, s:o, s:I}}",
                     "since", prev->valid ? json_integer(s->seq - 1) : json_null(),
                     "processes", "born", born, "gone", gone, "changed", changed, "ptes", ptes,
                     "ptes_omitted", (json_int_t)omitted,
                     "frames", "allocated", allocated, "freed", freed, "refcount", refs,
                     "omitted", (json_int_t)frames_omitted);
}

/* ---- the snapshot ------------------------------------------------------- */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int by_pages(const void *a, const void *b)
{
    const struct proc_rec *x = *(struct proc_rec *const *)a, *y = *(struct proc_rec *const *)b;
    return x->n_ptes != y->n_ptes ? (x->n_ptes < y->n_ptes ? -1 : 1) : x->pid - y->pid;
}

/* A root entry of the kernel half that differs from kernel_pagetable's, as
 * an address space's error: the kernel's walk does not hold for it. */
static json_t *alien_json(const struct proc_rec *rec)
{
    return json_pack("{s:i, s:o, s:o, s:s}", "index", rec->alien_index,
                     "va", hex((uint32_t)rec->alien_index << 22), "pte", hex(rec->alien_pte),
                     "problem", "not the kernel's entry: the kernel half of every root table "
                     "should be a copy of kernel_pagetable's");
}

/* Each walked space into spaces, by pid; the smallest with their entries
 * while they fit INLINE_PAGES. */
static void inline_spaces(const struct kernel_layout *k, struct state *st, json_t *spaces)
{
    struct proc_rec **order = calloc(st->n_procs ? st->n_procs : 1, sizeof(*order));
    size_t n = 0, pages = 0;
    for (size_t i = 0; order && i < st->n_procs; i++)
        if (st->procs[i].walked)
            order[n++] = &st->procs[i];
    qsort(order, n, sizeof(*order), by_pages);
    for (size_t i = 0; i < n; i++) {
        char key[16];
        pages += order[i]->n_ptes;
        snprintf(key, sizeof(key), "%d", order[i]->pid);
        json_t *space = sv32_space_to_json(&order[i]->space, pages <= INLINE_PAGES, &k->pte_soft);
        if (order[i]->alien_index)
            json_array_append_new(json_object_get(space, "errors"), alien_json(order[i]));
        json_object_set_new(spaces, key, space);
    }
    free(order);
}

/* The kernel half, from kernel_pagetable: the same in every process, whose
 * root table copies its entries (uvmcreate), so walked once. Null before
 * the kernel has made its table. */
static json_t *walk_kernel(struct snapshotter *s, struct reader *r, uint32_t root, struct state *st)
{
    const struct kernel_layout *k = s->k;
    const struct sv32_mem mem = {read_for_walk, r, k->ram_base, k->ram_size, k->user_top, 0};
    char err[128];
    if (!root)
        return NULL;
    if (sv32_walk(&mem, root, &st->kernel, err, sizeof err) < 0)
        return json_pack("{s:o, s:[{s:s}]}", "root", hex(root), "errors", "problem", err);
    st->kernel_walked = true;
    return sv32_space_to_json(&st->kernel, false, &k->pte_soft);
}

/* Compare the kernel half of the root table at root with the kernel's:
 * note in rec the first entry that differs. */
static void check_kernel_half(struct reader *r, uint32_t root, const struct state *st,
                              struct proc_rec *rec)
{
    uint32_t mine[SV32_ENTRIES], kernels[SV32_ENTRIES];
    const uint32_t first = r->k->user_top >> 22, n = SV32_ENTRIES - first;
    if (!st->kernel_walked || n == 0 ||
        read_for_walk(r, root + 4 * first, mine, 4 * n) < 0 ||
        read_for_walk(r, st->kernel.root_pa + 4 * first, kernels, 4 * n) < 0)
        return;
    for (uint32_t i = 0; i < n; i++)
        if (mine[i] != kernels[i]) {
            rec->alien_index = (int)(first + i);
            rec->alien_pte = mine[i];
            return;
        }
}

/* Walk every live process's table; fill the address-space JSON, the proc
 * records for the diff and, per frame, who maps it. The kernel half is
 * walked before (walk_kernel). */
static void walk_spaces(struct snapshotter *s, struct reader *r, const uint8_t *procs,
                        struct state *st, json_t *spaces)
{
    const struct kernel_layout *k = s->k;
    const struct sv32_mem mem = {read_for_walk, r, k->ram_base, k->ram_size, 0, k->user_top};
    for (size_t i = 0; i < st->n_procs; i++) {
        struct proc_rec *rec = &st->procs[i];
        const uint8_t *p = NULL;
        for (uint32_t slot = 0; slot < k->nproc && !p; slot++)
            if ((int)get32(procs + (size_t)slot * k->proc_size, k->p_pid) == rec->pid)
                p = procs + (size_t)slot * k->proc_size;
        uint32_t root = p ? get32(p, k->p_pagetable) : 0;
        char key[16], err[128];
        snprintf(key, sizeof(key), "%d", rec->pid);
        struct sv32_space sp;
        if (!root)
            continue;
        if (sv32_walk(&mem, root, &sp, err, sizeof(err)) < 0) {
            json_object_set_new(spaces, key, json_pack("{s:o, s:[{s:s}]}", "root", hex(root),
                                "errors", "problem", err));
            continue;
        }
        rec->space = sp;
        rec->walked = true;
        collect_ptes(&sp, rec);
        check_kernel_half(r, root, st, rec);
    }
    inline_spaces(s->k, st, spaces);
}

/* The frame a user leaf maps, or -1 when it lies outside RAM. */
static int64_t leaf_frame(const struct kernel_layout *k, uint32_t pte)
{
    uint64_t pa = (uint64_t)(pte >> 10) << 12;
    return guest_in_ram(k, pa, PAGE) ? (int64_t)((pa - k->ram_base) / PAGE) : -1;
}

/* How many frames some process of st maps, each counted once. */
static uint32_t count_mapped(const struct kernel_layout *k, const struct state *st)
{
    uint8_t *seen = calloc(k->nframes, 1);
    uint32_t n = 0;
    for (size_t i = 0; seen && i < st->n_procs; i++)
        for (size_t j = 0; j < st->procs[i].n_ptes; j++) {
            int64_t f = leaf_frame(k, st->procs[i].ptes[j].pte);
            if (f >= 0 && !seen[f]) {
                seen[f] = 1;
                n++;
            }
        }
    free(seen);
    return n;
}

/* Who maps each of the frames from..from+count-1, into owners[f - from]
 * (JSON arrays of {"pid", "va", "cow"}; NULL for a frame nobody maps). */
static void collect_owners(const struct kernel_layout *k, const struct state *st, uint32_t from,
                           uint32_t count, json_t **owners)
{
    for (size_t i = 0; i < st->n_procs; i++) {
        const struct proc_rec *rec = &st->procs[i];
        for (size_t j = 0; j < rec->n_ptes; j++) {
            int64_t f = leaf_frame(k, rec->ptes[j].pte);
            if (f < from || f - from >= count)
                continue;
            if (!owners[f - from])
                owners[f - from] = json_array();
            json_array_append_new(owners[f - from], json_pack("{s:i, s:o, s:b}", "pid", rec->pid,
                                  "va", hex(rec->ptes[j].va), "cow",
                                  (rec->ptes[j].pte & k->pte_soft.cow) != 0));
        }
    }
}

/* Several reads in one pipelined batch, each bounded to RAM. */
static int read_ranges(struct reader *r, const struct rsp_read *reads, size_t n)
{
    return guest_read_many(r->conn, r->k, reads, n);
}

/* The reads of the event ring's slots that hold events newer than the last
 * snapshot's (all of them the first time, or when the ring went round),
 * into ring; at most two (the ring wraps). Returns how many. */
static size_t new_event_reads(struct snapshotter *s, uint32_t next, uint8_t *ring,
                              struct rsp_read out[2])
{
    const struct kernel_layout *k = s->k;
    uint32_t last = s->last_event_seq, fresh = next - 1 - last;
    uint32_t first = next - fresh, n = fresh;
    if (last == 0 || next <= last || fresh >= k->nevent) {
        first = 0;
        n = k->nevent;
    }
    size_t count = 0;
    while (n > 0) {
        uint32_t slot = first % k->nevent;
        uint32_t run = k->nevent - slot < n ? k->nevent - slot : n;
        uint32_t off = k->ring_slot + slot * k->event_size;
        out[count++] = (struct rsp_read){k->ring_addr + off, ring + off, (size_t)run * k->event_size};
        first += run;
        n -= run;
    }
    return count;
}

/* The two words of the kernel's globals a snapshot shows. */
struct kernel_words {
    uint32_t ticks;
    uint32_t kernel_root;   /* kernel_pagetable: 0 until the kernel made it */
};

/* Everything but the page tables, in two pipelined batches: first the
 * kernel's high-water marks, the newest event's number, the kernel_words
 * and the file table; then the process and frame tables up to their marks (the rest was
 * never used: zeros, meaning unused slots and free frames) and the new
 * events (other slots read as zeros: "never written"). */
static int read_state(struct snapshotter *s, struct reader *r, uint8_t *procs, uint8_t *frames,
                      uint8_t *ftable, uint8_t *ring, struct kernel_words *words)
{
    const struct kernel_layout *k = s->k;
    uint32_t procs_used, frames_used, next;
    const struct rsp_read first[] = {
        {k->proc_high_water_addr, &procs_used, 4},
        {k->frames_high_water_addr, &frames_used, 4},
        {k->ring_addr + k->ring_next_seq, &next, 4},
        {k->ticks_addr, &words->ticks, 4},
        {k->kernel_root_addr, &words->kernel_root, 4},
        {k->ftable_addr, ftable, (size_t)k->nfile * k->file_size},
    };
    if (read_ranges(r, first, sizeof first / sizeof first[0]) < 0)
        return -1;
    procs_used = procs_used < k->nproc ? procs_used : k->nproc;
    frames_used = frames_used < k->nframes ? frames_used : k->nframes;
    memset(procs, 0, (size_t)k->nproc * k->proc_size);
    memset(frames, 0, (size_t)k->nframes * k->frame_size);
    memset(ring, 0, k->ring_slot + (size_t)k->nevent * k->event_size);
    struct rsp_read second[4] = {
        {k->proc_addr, procs, (size_t)procs_used * k->proc_size},
        {k->frames_addr, frames, (size_t)frames_used * k->frame_size},
    };
    size_t n = 2 + new_event_reads(s, next, ring, second + 2);
    return read_ranges(r, second, n);
}

json_t *snapshotter_take(struct snapshotter *s, struct rsp_conn *c, char *err, size_t errlen)
{
    const struct kernel_layout *k = s->k;
    double start = now_ms();
    struct rsp_stats before = c ? *rsp_conn_stats(c) : (struct rsp_stats){0};
    uint32_t *writes = calloc(k->nframes, sizeof(uint32_t));
    struct reader r = {c, k, &s->tables, writes};
    uint8_t *procs = malloc((size_t)k->nproc * k->proc_size);
    uint8_t *frames = malloc((size_t)k->nframes * k->frame_size);
    uint8_t *ftable = malloc((size_t)k->nfile * k->file_size);
    uint8_t *ring = malloc(k->ring_slot + (size_t)k->nevent * k->event_size);
    json_t **mapped_by = calloc(k->nframes, sizeof(json_t *));
    struct state now = {.valid = 1, .refcount = calloc(k->nframes, 2),
                        .kind = calloc(k->nframes, 1),
                        .procs = calloc(k->nproc, sizeof(struct proc_rec))};
    json_t *msg = NULL, *cpu = NULL;
    struct kernel_words words = {0, 0};

    if (!procs || !frames || !ftable || !ring || !mapped_by || !writes || !now.refcount ||
        !now.kind || !now.procs) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    cpu = c ? cpu_json(s, c) : NULL;   /* a running guest's registers: none */
    if ((c && (!cpu || guest_phys_begin(c) < 0)) ||
        read_state(s, &r, procs, frames, ftable, ring, &words) < 0) {
        snprintf(err, errlen, "reading the guest: %s", c ? rsp_conn_error(c) : "no shared RAM");
        goto out;
    }
    for (uint32_t f = 0; f < k->nframes; f++) {
        const uint8_t *fr = frames + (size_t)f * k->frame_size;
        now.refcount[f] = k->f_refcount_size == 2 ? get16(fr, k->f_refcount) : fr[k->f_refcount];
        now.kind[f] = fr[k->f_kind];
        writes[f] = get32(fr, k->f_writes);
    }
    json_t *plist = json_array();
    for (uint32_t slot = 0; slot < k->nproc; slot++) {
        const uint8_t *p = procs + (size_t)slot * k->proc_size;
        if (get32(p, k->p_state) == 0)   /* UNUSED */
            continue;
        json_t *pj = proc_json(&r, s->km, procs, ftable, (int)slot);
        struct proc_rec *rec = &now.procs[now.n_procs++];
        rec->pid = (int)get32(p, k->p_pid);
        rec->state = (int)get32(p, k->p_state);
        rec->sz = get32(p, k->p_sz);
        name_text(p + k->p_name, k->p_name_len, rec->name, sizeof rec->name);
        json_array_append_new(plist, pj);
    }
    json_t *kernel_space = walk_kernel(s, &r, words.kernel_root, &now);
    json_t *spaces = json_object();
    walk_spaces(s, &r, procs, &now, spaces);
    uint32_t mapped = count_mapped(k, &now);
    if (mapped <= INLINE_FRAMES)
        collect_owners(k, &now, 0, k->nframes, mapped_by);
    table_cache_prune(&s->tables);
    s->seq++;
    msg = json_pack("{s:s, s:i, s:i, s:o, s:o, s:o, s:o, s:o, s:o}",
                    "type", "snapshot", "seq", s->seq, "ticks", (int)words.ticks,
                    "processes", plist, "address_spaces", spaces,
                    "frames", frames_json(s, &now, mapped, mapped <= INLINE_FRAMES ? mapped_by : NULL), "mailboxes", mailboxes_json(&r, procs),
                    "events", events_json(s, ring), "diff", diff_json(s, &s->prev, &now));
    if (kernel_space)
        json_object_set_new(msg, "kernel_space", kernel_space);
    if (cpu)
        json_object_set(msg, "cpu", cpu);
    state_free(&s->prev);
    s->prev = now;
    memset(&now, 0, sizeof(now));
    const struct rsp_stats *after = c ? rsp_conn_stats(c) : &before;
    s->cost = (struct snapshot_cost){after->round_trips - before.round_trips,
                                     after->bytes_in - before.bytes_in, now_ms() - start};
    json_object_set_new(msg, "taken_ms", json_real(s->cost.ms));
out:
    guest_phys_end(c); /* on the way out of a failed read too */
    json_decref(cpu);
    for (uint32_t f = 0; mapped_by && f < k->nframes; f++)
        json_decref(mapped_by[f]);
    free(mapped_by);
    state_free(&now);
    free(writes);
    free(procs);
    free(frames);
    free(ftable);
    free(ring);
    return msg;
}

/* ---- deltas ----------------------------------------------------------------- */

json_t *snapshot_delta(const json_t *prev, const json_t *full)
{
    json_t *delta = json_copy((json_t *)full);   /* shallow: shares the values */
    json_t *spaces = json_object(), *same = json_array();
    const json_t *before = json_object_get(prev, "address_spaces");
    const char *pid;
    json_t *space;
    json_object_foreach(json_object_get(full, "address_spaces"), pid, space) {
        if (json_equal(space, json_object_get(before, pid)))
            json_array_append_new(same, json_integer(strtol(pid, NULL, 10)));
        else
            json_object_set(spaces, pid, space);
    }
    if (!delta || !spaces || !same) {
        json_decref(spaces);
        json_decref(same);
        return delta;
    }
    json_object_set_new(delta, "address_spaces", spaces);
    json_object_set_new(delta, "unchanged_spaces", same);
    /* The kernel half seldom changes: left out when it is the base's. */
    const json_t *kernel = json_object_get(full, "kernel_space");
    const json_t *kernel_before = json_object_get(prev, "kernel_space");
    if (kernel && json_equal(kernel, kernel_before))
        json_object_del(delta, "kernel_space");
    else if (!kernel && kernel_before)
        json_object_set_new(delta, "kernel_space", json_null());
    json_object_set(delta, "base", json_object_get(prev, "seq"));
    return delta;
}

/* ---- detail on demand ---------------------------------------------------- */

static const struct proc_rec *walked_proc(const struct snapshotter *s, int pid)
{
    const struct proc_rec *rec = s->prev.valid ? find_proc(&s->prev, pid) : NULL;
    return rec && rec->walked ? rec : NULL;
}

json_t *snapshotter_pages(const struct snapshotter *s, int pid, int l1, char *err, size_t errlen)
{
    const struct proc_rec *rec = walked_proc(s, pid);
    if (!rec) {
        snprintf(err, errlen, "no address space for pid %d in snapshot %d", pid, s->seq);
        return NULL;
    }
    /* The kernel half is the kernel's, walked once (walk_kernel). */
    const bool kernel_half = (uint32_t)l1 >= s->k->user_top >> 22;
    if (kernel_half && (!s->prev.kernel_walked || rec->alien_index)) {
        snprintf(err, errlen, "pid %d's kernel half is not the kernel's table", pid);
        return NULL;
    }
    const struct sv32_space *sp = kernel_half ? &s->prev.kernel : &rec->space;
    const struct sv32_entry *table = NULL;
    for (size_t i = 0; i < sp->n_entries && !table; i++) {
        const struct sv32_entry *e = &sp->entries[i];
        if (e->level == 1 && e->index == l1 && e->problem == SV32_OK && !sv32_is_leaf(e->pte))
            table = e;
    }
    if (!table) {
        snprintf(err, errlen, "pid %d has no level-0 table under root entry %d", pid, l1);
        return NULL;
    }
    json_t *entries = json_array();
    for (size_t i = 0; i < sp->n_entries; i++) {
        const struct sv32_entry *e = &sp->entries[i];
        if (e->level == 0 && e->problem == SV32_OK && e->table_pa == table->pa)
            json_array_append_new(entries, sv32_entry_to_json(e, &s->k->pte_soft));
    }
    return json_pack("{s:i, s:i, s:i, s:o, s:I, s:o}", "seq", s->seq, "pid", pid, "l1", l1,
                     "table", hex(table->pa), "hash", (json_int_t)sv32_table_hash(sp, table->pa),
                     "entries", entries);
}

json_t *snapshotter_frames(const struct snapshotter *s, uint32_t from, uint32_t count,
                           char *err, size_t errlen)
{
    const struct kernel_layout *k = s->k;
    if (!s->prev.valid) {
        snprintf(err, errlen, "no snapshot yet");
        return NULL;
    }
    if (from >= k->nframes || count == 0 || count > FRAMES_MAX) {
        snprintf(err, errlen, "frames: 'from' must be below %u and 'count' 1 to %u",
                 k->nframes, FRAMES_MAX);
        return NULL;
    }
    count = count < k->nframes - from ? count : k->nframes - from;
    json_t **mapped_by = calloc(count, sizeof(*mapped_by));
    if (!mapped_by) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    collect_owners(k, &s->prev, from, count, mapped_by);
    json_t *frames = json_array();
    for (uint32_t i = 0; i < count; i++) {
        uint32_t f = from + i;
        const char *kind = kernel_model_frame_kind(s->km, s->prev.kind[f]);
        json_t *o = json_pack("{s:i, s:o, s:s, s:i, s:o}", "frame", (int)f,
                              "pa", hex(k->ram_base + (uint64_t)f * PAGE),
                              "kind", kind ? kind : "unknown", "refcount", s->prev.refcount[f],
                              "mapped_by", mapped_by[i] ? mapped_by[i] : json_array());
        json_array_append_new(frames, o);
    }
    free(mapped_by);
    return json_pack("{s:i, s:i, s:i, s:o}", "seq", s->seq, "from", (int)from,
                     "count", (int)count, "frames", frames);
}
