/* sv32.h -- decode an Sv32 address space from its page tables.
 *
 * Sv32 has two levels. The root (level 1) table's 1024 entries each cover
 * 4 MiB of virtual space: a leaf there maps a 4 MiB superpage, a pointer
 * leads to a level-0 table whose 1024 entries map 4 KiB pages. A PTE is
 * V R W X U G A D in bits 0-7, two bits for software (RSW) in 8-9, and the
 * physical page number in 10-31; physical addresses have 34 bits.
 *
 * The walk reads guest memory through a callback and trusts nothing in it:
 * a bad entry is reported on the entry and never followed. */
#ifndef GLASSBOX_SV32_H
#define GLASSBOX_SV32_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SV32_PTE_V (1u << 0)
#define SV32_PTE_R (1u << 1)
#define SV32_PTE_W (1u << 2)
#define SV32_PTE_X (1u << 3)
#define SV32_PTE_U (1u << 4)
#define SV32_PTE_G (1u << 5)
#define SV32_PTE_A (1u << 6)
#define SV32_PTE_D (1u << 7)
#define SV32_PTE_FLAGS 0x3ffu  /* bits 0-9: everything but the PPN */

#define SV32_PAGE_SIZE 4096u
#define SV32_SUPERPAGE_SIZE (4u << 20)
#define SV32_ENTRIES 1024
/* A walk stops, marked truncated, after this many entries (64 full level-0
 * tables; a Glassbox process uses a few). Keeps garbage tables cheap. */
#define SV32_MAX_ENTRIES 65536

/* Reads len bytes of guest physical memory at pa. Returns 0, or -1 for an
 * address it will not or cannot read (outside RAM, connection lost). */
typedef int (*sv32_read_fn)(void *ctx, uint64_t pa, void *buf, size_t len);

/* The bits of the RSW field (8 and 9) the kernel gives a meaning to, as
 * masks: its own (kernel/pte.h), read from its ELF (kernel_model.h). */
struct sv32_soft_bits {
    uint32_t cow;    /* copy-on-write: read-only until the next store */
    uint32_t shared; /* a shared mapping, which fork shares writable */
};

struct sv32_mem {
    sv32_read_fn read;
    void *ctx;
    /* Page tables must lie in [ram_base, ram_base + ram_size): the kernel
     * reaches them through its direct map of RAM. */
    uint64_t ram_base, ram_size;
    /* Walk only the root entries from va_start up to below va_limit
     * (multiples of 4 MiB), and read only that part of the root; a
     * va_limit of 0 walks to the top. A process's user half is 0 to the
     * kernel's start, the kernel half from there to the top. */
    uint32_t va_start, va_limit;
};

/* Why a valid entry was not followed or not counted as a mapping. */
enum sv32_problem {
    SV32_OK,
    SV32_RESERVED,          /* W without R: a reserved encoding */
    SV32_MISALIGNED,        /* superpage whose PPN[0] is not zero */
    SV32_POINTER_AT_L0,     /* pointer in a level-0 table (no level -1) */
    SV32_TABLE_OUTSIDE_RAM, /* pointer to a level-0 table outside RAM */
    SV32_TABLE_IS_ROOT,     /* pointer back at the root table: a cycle */
    SV32_TABLE_UNREADABLE,  /* level-0 table in RAM, but reading it failed */
};

struct sv32_entry {
    uint32_t va;       /* first virtual address the entry covers */
    uint32_t pte;      /* the raw entry */
    uint64_t pa;       /* PPN << 12: mapped frame, or next table */
    uint64_t table_pa; /* the table holding the entry */
    uint16_t index;    /* its index in that table */
    uint8_t level;     /* 1: root table, 0: level-0 table */
    uint8_t problem;   /* enum sv32_problem */
};

/* Leaves that map contiguous virtual and physical pages of one size with
 * identical flags (bits 0-9, A, D and COW included), merged. */
struct sv32_range {
    uint32_t va;
    uint64_t pa;
    uint64_t size;
    uint32_t page_size; /* SV32_PAGE_SIZE or SV32_SUPERPAGE_SIZE */
    uint16_t flags;     /* PTE bits 0-9 */
};

struct sv32_space {
    uint64_t root_pa;
    struct sv32_entry *entries; /* every valid entry, in walk order */
    size_t n_entries;
    struct sv32_range *ranges;  /* by ascending va */
    size_t n_ranges;
    uint64_t tables[1 + SV32_ENTRIES]; /* root, then each level-0 table once */
    size_t n_tables;
    size_t n_problems; /* entries with a problem */
    bool truncated;    /* stopped at SV32_MAX_ENTRIES */
};

static inline bool sv32_is_leaf(uint32_t pte)
{
    return (pte & (SV32_PTE_R | SV32_PTE_W | SV32_PTE_X)) != 0;
}

/* The root table from a satp value; false when satp selects Bare mode
 * (no translation). */
bool sv32_satp_root(uint32_t satp, uint64_t *root_pa);

/* Walk the tables under root_pa into *s (free it with sv32_space_free).
 * Bad entries are reported in s; -1 with err filled in only when the root
 * itself is misaligned, outside RAM, unreadable, or memory runs out. */
int sv32_walk(const struct sv32_mem *mem, uint64_t root_pa,
              struct sv32_space *s, char *err, size_t errlen);
void sv32_space_free(struct sv32_space *s);

/* Translate through the walked mappings. 0 with the physical address and
 * PTE flags, or -1 when va is not mapped. */
int sv32_translate(const struct sv32_space *s, uint32_t va, uint64_t *pa,
                   uint16_t *flags);

const char *sv32_problem_str(enum sv32_problem p);

/* The space as docs/protocol.md shows it: {"root", "tables": [{"index",
 * "va", "pte", "table", "pages", "hash", "entries": [...]}], "superpages",
 * "ranges", "errors", "truncated"}, addresses as "0x%08x" strings, flags as
 * "VRWXUGAD" with '-' for clear bits, plus "cow" and "shared" (soft). Without
 * entries, the level-0 tables come without "entries" (a client asks for a
 * table's with the "pages" command). */
json_t *sv32_space_to_json(const struct sv32_space *s, bool entries,
                           const struct sv32_soft_bits *soft);
/* One entry as in a table's "entries". */
json_t *sv32_entry_to_json(const struct sv32_entry *e, const struct sv32_soft_bits *soft);
/* A number that changes when any entry of the level-0 table at table_pa
 * does (FNV-1a of the entries' VAs and PTEs): a client keeps the entries
 * it fetched while the hash stays the same. */
uint32_t sv32_table_hash(const struct sv32_space *s, uint64_t table_pa);

#endif
