/* sv32.c -- decode an Sv32 address space from its page tables. */
#include "sv32.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VPN1_SHIFT 22
#define VPN0_SHIFT 12
#define PPN0_MASK (0x3ffu << 10) /* PPN[0] in the PTE */

struct walk {
    const struct sv32_mem *mem;
    struct sv32_space *s;
    size_t cap_entries, cap_ranges;
    bool out_of_memory;
};

static uint64_t pte_pa(uint32_t pte)
{
    return (uint64_t)(pte >> 10) << 12;
}

static bool table_in_ram(const struct sv32_mem *mem, uint64_t pa)
{
    return pa >= mem->ram_base && pa - mem->ram_base < mem->ram_size &&
           mem->ram_size - (pa - mem->ram_base) >= SV32_PAGE_SIZE;
}

/* Reads a table and decodes its little-endian entries. */
/* The first n entries of the table at pa. */
/* Entries first..first+n-1 of the table at pa, into ptes[first..]. */
static int read_entries(const struct sv32_mem *mem, uint64_t pa,
                        uint32_t ptes[SV32_ENTRIES], int first, int n)
{
    uint8_t raw[SV32_PAGE_SIZE];

    if (mem->read(mem->ctx, pa + 4 * (uint64_t)first, raw, 4 * (size_t)n) < 0)
        return -1;
    for (int i = 0; i < n; i++)
        ptes[first + i] = (uint32_t)raw[4 * i] | (uint32_t)raw[4 * i + 1] << 8 |
                          (uint32_t)raw[4 * i + 2] << 16 |
                          (uint32_t)raw[4 * i + 3] << 24;
    return 0;
}

static int read_table(const struct sv32_mem *mem, uint64_t pa,
                      uint32_t ptes[SV32_ENTRIES])
{
    return read_entries(mem, pa, ptes, 0, SV32_ENTRIES);
}

static void *grow(void *array, size_t *cap, size_t elem)
{
    size_t n = *cap ? *cap * 2 : 64;
    void *p = realloc(array, n * elem);

    if (p)
        *cap = n;
    return p;
}

/* Returns false when the walk must stop (entry limit, out of memory). */
static bool add_entry(struct walk *w, const struct sv32_entry *e)
{
    struct sv32_space *s = w->s;

    if (s->n_entries == SV32_MAX_ENTRIES) {
        s->truncated = true;
        return false;
    }
    if (s->n_entries == w->cap_entries) {
        struct sv32_entry *p = grow(s->entries, &w->cap_entries, sizeof *p);
        if (!p) {
            w->out_of_memory = true;
            return false;
        }
        s->entries = p;
    }
    s->entries[s->n_entries++] = *e;
    if (e->problem != SV32_OK)
        s->n_problems++;
    return true;
}

static bool add_range(struct walk *w, uint32_t va, uint64_t pa,
                      uint32_t page_size, uint16_t flags)
{
    struct sv32_space *s = w->s;

    if (s->n_ranges > 0) {
        struct sv32_range *last = &s->ranges[s->n_ranges - 1];
        if (last->page_size == page_size && last->flags == flags &&
            (uint64_t)last->va + last->size == va &&
            last->pa + last->size == pa) {
            last->size += page_size;
            return true;
        }
    }
    if (s->n_ranges == w->cap_ranges) {
        struct sv32_range *p = grow(s->ranges, &w->cap_ranges, sizeof *p);
        if (!p) {
            w->out_of_memory = true;
            return false;
        }
        s->ranges = p;
    }
    s->ranges[s->n_ranges++] = (struct sv32_range){
        .va = va, .pa = pa, .size = page_size, .page_size = page_size,
        .flags = flags};
    return true;
}

static void add_table(struct sv32_space *s, uint64_t pa)
{
    for (size_t i = 0; i < s->n_tables; i++)
        if (s->tables[i] == pa)
            return;
    s->tables[s->n_tables++] = pa;
}

static enum sv32_problem leaf_problem(uint32_t pte, int level)
{
    if ((pte & SV32_PTE_W) && !(pte & SV32_PTE_R))
        return SV32_RESERVED;
    if (level == 1 && (pte & PPN0_MASK))
        return SV32_MISALIGNED;
    return SV32_OK;
}

/* Records one valid entry, and its mapping if it is a good leaf. */
static bool visit_leaf(struct walk *w, struct sv32_entry *e)
{
    uint32_t size = e->level ? SV32_SUPERPAGE_SIZE : SV32_PAGE_SIZE;

    e->problem = (uint8_t)leaf_problem(e->pte, e->level);
    if (!add_entry(w, e))
        return false;
    return e->problem != SV32_OK ||
           add_range(w, e->va, e->pa, size, (uint16_t)(e->pte & SV32_PTE_FLAGS));
}

static bool walk_l0(struct walk *w, uint64_t table_pa, uint32_t va_base,
                    const uint32_t ptes[SV32_ENTRIES])
{
    for (int i = 0; i < SV32_ENTRIES; i++) {
        uint32_t pte = ptes[i];
        if (!(pte & SV32_PTE_V))
            continue;
        struct sv32_entry e = {
            .va = va_base | (uint32_t)i << VPN0_SHIFT, .pte = pte,
            .pa = pte_pa(pte), .table_pa = table_pa, .index = (uint16_t)i,
            .level = 0};
        if (sv32_is_leaf(pte)) {
            if (!visit_leaf(w, &e))
                return false;
        } else {
            e.problem = SV32_POINTER_AT_L0;
            if (!add_entry(w, &e))
                return false;
        }
    }
    return true;
}

/* A pointer in the root table: check the level-0 table it names, then walk
 * it. The check keeps the walk to two levels whatever the tables say. */
static bool visit_pointer(struct walk *w, struct sv32_entry *e)
{
    uint32_t ptes[SV32_ENTRIES];

    if (!table_in_ram(w->mem, e->pa))
        e->problem = SV32_TABLE_OUTSIDE_RAM;
    else if (e->pa == w->s->root_pa)
        e->problem = SV32_TABLE_IS_ROOT;
    else if (read_table(w->mem, e->pa, ptes) < 0)
        e->problem = SV32_TABLE_UNREADABLE;
    if (!add_entry(w, e))
        return false;
    if (e->problem != SV32_OK)
        return true;
    add_table(w->s, e->pa);
    return walk_l0(w, e->pa, e->va, ptes);
}

int sv32_walk(const struct sv32_mem *mem, uint64_t root_pa,
              struct sv32_space *s, char *err, size_t errlen)
{
    uint32_t root[SV32_ENTRIES];
    struct walk w = {.mem = mem, .s = s};
    int first = (int)(mem->va_start >> VPN1_SHIFT);
    int n_root = mem->va_limit ? (int)(mem->va_limit >> VPN1_SHIFT) : SV32_ENTRIES;

    memset(s, 0, sizeof *s);
    s->root_pa = root_pa;
    if (root_pa % SV32_PAGE_SIZE || !table_in_ram(mem, root_pa)) {
        snprintf(err, errlen, "root page table 0x%" PRIx64
                 " is misaligned or outside RAM", root_pa);
        return -1;
    }
    if (first >= n_root || read_entries(mem, root_pa, root, first, n_root - first) < 0) {
        snprintf(err, errlen, "cannot read the root page table at 0x%" PRIx64,
                 root_pa);
        return -1;
    }
    add_table(s, root_pa);
    for (int i = first; i < n_root; i++) {
        uint32_t pte = root[i];
        if (!(pte & SV32_PTE_V))
            continue;
        struct sv32_entry e = {
            .va = (uint32_t)i << VPN1_SHIFT, .pte = pte, .pa = pte_pa(pte),
            .table_pa = root_pa, .index = (uint16_t)i, .level = 1};
        if (!(sv32_is_leaf(pte) ? visit_leaf(&w, &e) : visit_pointer(&w, &e)))
            break;
    }
    if (w.out_of_memory) {
        sv32_space_free(s);
        snprintf(err, errlen, "out of memory walking the page table at 0x%"
                 PRIx64, root_pa);
        return -1;
    }
    return 0;
}

void sv32_space_free(struct sv32_space *s)
{
    free(s->entries);
    free(s->ranges);
    memset(s, 0, sizeof *s);
}

bool sv32_satp_root(uint32_t satp, uint64_t *root_pa)
{
    /* satp: MODE in bit 31 (1 = Sv32), ASID in 30-22, root PPN in 21-0. */
    if (!(satp >> 31))
        return false;
    *root_pa = (uint64_t)(satp & 0x3fffffu) << 12;
    return true;
}

int sv32_translate(const struct sv32_space *s, uint32_t va, uint64_t *pa,
                   uint16_t *flags)
{
    size_t lo = 0, hi = s->n_ranges;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct sv32_range *r = &s->ranges[mid];
        if (va < r->va) {
            hi = mid;
        } else if ((uint64_t)va - r->va >= r->size) {
            lo = mid + 1;
        } else {
            *pa = r->pa + (va - r->va);
            *flags = r->flags;
            return 0;
        }
    }
    return -1;
}

const char *sv32_problem_str(enum sv32_problem p)
{
    switch (p) {
    case SV32_OK:
        return "ok";
    case SV32_RESERVED:
        return "reserved encoding: writable but not readable";
    case SV32_MISALIGNED:
        return "misaligned superpage: PPN[0] is not zero";
    case SV32_POINTER_AT_L0:
        return "pointer in a level-0 table";
    case SV32_TABLE_OUTSIDE_RAM:
        return "level-0 table outside RAM";
    case SV32_TABLE_IS_ROOT:
        return "level-0 table is the root table (cycle)";
    case SV32_TABLE_UNREADABLE:
        return "level-0 table could not be read";
    }
    return "unknown problem";
}

/* Hex strings, as the protocol writes addresses: "0x80001000". */
static json_t *hex(uint64_t v)
{
    char str[24];

    snprintf(str, sizeof str, "0x%08" PRIx64, v);
    return json_string(str);
}

/* "VRWXUGAD" with '-' for each clear bit. */
static void flags_str(uint32_t pte, char out[9])
{
    static const char names[] = "VRWXUGAD";

    for (int i = 0; i < 8; i++)
        out[i] = (pte >> i) & 1 ? names[i] : '-';
    out[8] = '\0';
}

static json_t *entry_json(const struct sv32_entry *e, const struct sv32_soft_bits *soft)
{
    char flags[9];

    flags_str(e->pte, flags);
    json_t *j = json_pack("{s:i, s:o, s:o, s:o, s:s, s:b, s:b}", "index", e->index,
                          "va", hex(e->va), "pa", hex(e->pa), "pte", hex(e->pte),
                          "flags", flags, "cow", (e->pte & soft->cow) != 0,
                          "shared", (e->pte & soft->shared) != 0);
    if (j && e->problem != SV32_OK)
        json_object_set_new(j, "problem", json_string(sv32_problem_str(e->problem)));
    return j;
}

/* Ranges r[0..n) merged for the protocol: virtually contiguous leaves of
 * one page size with the same flags, whether or not their frames are
 * contiguous ("pa" only when they are). A heap is one range even when its
 * frames are scattered over RAM. */
static json_t *range_json(const struct sv32_range *r, size_t n,
                          const struct sv32_soft_bits *soft)
{
    char flags[9];
    uint64_t size = 0;
    bool contiguous = true;

    for (size_t i = 0; i < n; i++) {
        contiguous &= i == 0 || r[i].pa == r[i - 1].pa + r[i - 1].size;
        size += r[i].size;
    }
    flags_str(r->flags, flags);
    return json_pack("{s:o, s:o, s:o, s:s, s:b, s:b, s:I}", "start", hex(r->va),
                     "end", hex(r->va + size), "pa", contiguous ? hex(r->pa) : json_null(),
                     "flags", flags, "cow", (r->flags & soft->cow) != 0,
                     "shared", (r->flags & soft->shared) != 0,
                     "pages", (json_int_t)(size / r->page_size));
}

static bool same_run(const struct sv32_range *a, const struct sv32_range *b)
{
    return b->va == a->va + a->size && b->flags == a->flags && b->page_size == a->page_size;
}

/* The object in tables[] for the level-0 table at pa, or NULL. */
static json_t *table_of(json_t *tables, uint64_t pa)
{
    size_t i;
    json_t *t;
    char want[24];

    snprintf(want, sizeof want, "0x%08" PRIx64, pa);
    json_array_foreach(tables, i, t)
        if (strcmp(json_string_value(json_object_get(t, "table")), want) == 0)
            return t;
    return NULL;
}

uint32_t sv32_table_hash(const struct sv32_space *s, uint64_t table_pa)
{
    uint32_t h = 2166136261u;   /* FNV-1a over (va, pte) of the table's entries */

    for (size_t i = 0; i < s->n_entries; i++) {
        const struct sv32_entry *e = &s->entries[i];
        if (e->level != 0 || e->table_pa != table_pa)
            continue;
        uint32_t words[2] = {e->va, e->pte};
        const uint8_t *b = (const uint8_t *)words;
        for (size_t k = 0; k < sizeof words; k++)
            h = (h ^ b[k]) * 16777619u;
    }
    return h;
}

json_t *sv32_entry_to_json(const struct sv32_entry *e, const struct sv32_soft_bits *soft)
{
    return entry_json(e, soft);
}

json_t *sv32_space_to_json(const struct sv32_space *s, bool entries,
                           const struct sv32_soft_bits *soft)
{
    json_t *tables = json_array(), *supers = json_array();
    json_t *ranges = json_array(), *errors = json_array();
    json_t *last = NULL;      /* the table the previous entry was in */
    uint64_t last_pa = 0;

    for (size_t i = 0; i < s->n_entries; i++) {
        const struct sv32_entry *e = &s->entries[i];
        json_t *table = NULL;
        if (e->level == 0 && e->problem == SV32_OK) {
            if (!last || last_pa != e->table_pa) {
                last = table_of(tables, e->table_pa);
                last_pa = e->table_pa;
            }
            table = last;
        }
        if (table) {
            json_t *pages = json_object_get(table, "pages");
            json_integer_set(pages, json_integer_value(pages) + 1);
            if (entries)
                json_array_append_new(json_object_get(table, "entries"), entry_json(e, soft));
        } else if (e->problem != SV32_OK) {
            json_array_append_new(errors, entry_json(e, soft));
        } else if (sv32_is_leaf(e->pte)) {
            json_array_append_new(supers, entry_json(e, soft));
        } else if (e->level == 1) {   /* a good pointer: a new table */
            json_t *t = json_pack("{s:i, s:o, s:o, s:o, s:i, s:I}", "index", e->index,
                                  "va", hex(e->va), "pte", hex(e->pte), "table", hex(e->pa),
                                  "pages", 0, "hash", (json_int_t)sv32_table_hash(s, e->pa));
            if (t && entries)
                json_object_set_new(t, "entries", json_array());
            json_array_append_new(tables, t);
        }
    }
    for (size_t i = 0; i < s->n_ranges;) {
        size_t j = i + 1;
        while (j < s->n_ranges && same_run(&s->ranges[j - 1], &s->ranges[j]))
            j++;
        json_array_append_new(ranges, range_json(&s->ranges[i], j - i, soft));
        i = j;
    }
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:b}", "root", hex(s->root_pa),
                     "tables", tables, "superpages", supers, "ranges", ranges,
                     "errors", errors, "truncated", s->truncated);
}
