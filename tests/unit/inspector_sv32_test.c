/* Unit tests for inspector/sv32.c on synthetic memory images: a normal
 * process, superpages, garbage, cycles, pointers out of RAM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sv32.h"

#define RAM_BASE 0x80000000u
#define RAM_SIZE (128u << 20)
#define PAGE 4096u

/* Tables live in the first 256 KiB of RAM, which the test keeps; the rest
 * of RAM reads as zeros, as fresh RAM does. */
#define WINDOW (64 * PAGE)
#define ROOT 0x80010000u
#define L0A 0x80011000u
#define L0B 0x80012000u

#define V SV32_PTE_V
#define R SV32_PTE_R
#define W SV32_PTE_W
#define X SV32_PTE_X
#define U SV32_PTE_U
#define G SV32_PTE_G
#define A SV32_PTE_A
#define D SV32_PTE_D
#define COW (1u << 8) /* the kernel's (kernel/pte.h), as its ELF tells */
static const struct sv32_soft_bits soft = {.cow = COW, .shared = 1u << 9};

static uint8_t ram[WINDOW];
static uint64_t unreadable; /* a page the reader fails on, or 0 */
static int reads;
static struct sv32_space space;
static char err[256];

static int read_phys(void *ctx, uint64_t pa, void *buf, size_t len)
{
    (void)ctx;
    reads++;
    if (pa < RAM_BASE || pa + len > (uint64_t)RAM_BASE + RAM_SIZE ||
        pa == unreadable)
        return -1;
    if (pa - RAM_BASE + len <= WINDOW)
        memcpy(buf, ram + (pa - RAM_BASE), len);
    else
        memset(buf, 0, len);
    return 0;
}

static const struct sv32_mem mem = {
    .read = read_phys, .ram_base = RAM_BASE, .ram_size = RAM_SIZE};

static uint32_t pte(uint64_t pa, uint32_t flags)
{
    return (uint32_t)(pa >> 12) << 10 | flags;
}

static void set(uint32_t table, int index, uint32_t value)
{
    uint8_t *p = ram + (table - RAM_BASE) + 4 * index;

    p[0] = (uint8_t)value;
    p[1] = (uint8_t)(value >> 8);
    p[2] = (uint8_t)(value >> 16);
    p[3] = (uint8_t)(value >> 24);
}

static int reset(void **state)
{
    (void)state;
    memset(ram, 0, sizeof ram);
    unreadable = 0;
    reads = 0;
    return 0;
}

static int free_space(void **state)
{
    (void)state;
    sv32_space_free(&space);
    return 0;
}

static void walk_ok(void)
{
    if (sv32_walk(&mem, ROOT, &space, err, sizeof err) != 0)
        fail_msg("walk failed: %s", err);
}

/* The first entry at (level, va), which must exist. */
static const struct sv32_entry *entry_at(int level, uint32_t va)
{
    for (size_t i = 0; i < space.n_entries; i++)
        if (space.entries[i].level == level && space.entries[i].va == va)
            return &space.entries[i];
    fail_msg("no level-%d entry at 0x%08x", level, va);
    return NULL;
}

static void assert_maps(uint32_t va, uint64_t want_pa, uint16_t want_flags)
{
    uint64_t pa;
    uint16_t flags;

    if (sv32_translate(&space, va, &pa, &flags) != 0)
        fail_msg("0x%08x is not mapped", va);
    assert_int_equal(pa, want_pa);
    assert_int_equal(flags, want_flags);
}

static void assert_unmapped(uint32_t va)
{
    uint64_t pa;
    uint16_t flags;

    assert_int_equal(sv32_translate(&space, va, &pa, &flags), -1);
}

/* A user process as Glassbox lays it out: text, data, a COW page and a
 * stack in user space; the kernel's direct map of RAM in superpages; a
 * device page above RAM. */
static void build_process(void)
{
    set(ROOT, 0, pte(L0A, V));
    set(L0A, 1, pte(0x80020000, V | R | X | U | A));     /* text */
    set(L0A, 2, pte(0x80021000, V | R | W | U | A | D)); /* data... */
    set(L0A, 3, pte(0x80022000, V | R | W | U | A | D)); /* ...contiguous */
    set(L0A, 4, pte(0x80025000, V | R | W | U | A | D)); /* not contiguous */
    set(L0A, 5, pte(0x80023000, V | R | U | A | COW));   /* shared by fork */
    set(ROOT, 511, pte(L0B, V));
    set(L0B, 1023, pte(0x80024000, V | R | W | U | A | D)); /* stack */
    /* L0B[1022] stays 0: the guard page */
    for (int i = 0; i < 32; i++)
        set(ROOT, 512 + i,
            pte(RAM_BASE + (uint64_t)i * SV32_SUPERPAGE_SIZE,
                V | R | W | X | G | A | D));
    set(ROOT, 544, pte(0x10000000, V | R | W | G | A | D)); /* UART */
}

static void test_process(void **state)
{
    (void)state;
    build_process();
    walk_ok();
    assert_int_equal(space.root_pa, ROOT);
    assert_int_equal(space.n_entries, 2 + 6 + 32 + 1);
    assert_int_equal(space.n_problems, 0);
    assert_false(space.truncated);
    assert_int_equal(space.n_tables, 3);
    assert_int_equal(space.tables[0], ROOT);
    assert_int_equal(space.tables[1], L0A);
    assert_int_equal(space.tables[2], L0B);
    assert_int_equal(reads, 3);

    const struct sv32_entry *e = entry_at(1, 0);
    assert_false(sv32_is_leaf(e->pte));
    assert_int_equal(e->pa, L0A);
    e = entry_at(0, 0x5000);
    assert_int_equal(e->index, 5);
    assert_int_equal(e->table_pa, L0A);
    assert_true(e->pte & COW);

    /* text | data x2 | data | cow | stack | kernel | uart */
    assert_int_equal(space.n_ranges, 7);
    assert_int_equal(space.ranges[1].va, 0x2000);
    assert_int_equal(space.ranges[1].size, 2 * PAGE);
    assert_int_equal(space.ranges[5].va, 0x80000000u);
    assert_int_equal(space.ranges[5].size, RAM_SIZE);
    assert_int_equal(space.ranges[5].page_size, SV32_SUPERPAGE_SIZE);

    assert_maps(0x1000, 0x80020000, V | R | X | U | A);
    assert_maps(0x2004, 0x80021004, V | R | W | U | A | D);
    assert_maps(0x3ffc, 0x80022ffc, V | R | W | U | A | D);
    assert_maps(0x4000, 0x80025000, V | R | W | U | A | D);
    assert_maps(0x5008, 0x80023008, V | R | U | A | COW);
    assert_maps(0x7ffffff0, 0x80024ff0, V | R | W | U | A | D);
    assert_maps(0x80001234, 0x80001234, V | R | W | X | G | A | D);
    assert_maps(0x87ffffff, 0x87ffffff, V | R | W | X | G | A | D);
    assert_maps(0x88000010, 0x10000010, V | R | W | G | A | D);
    assert_unmapped(0);          /* NULL */
    assert_unmapped(0x6000);
    assert_unmapped(0x7fffe000); /* guard page */
    assert_unmapped(0x00400000);
    assert_unmapped(0xfffff000);
}

static void test_json(void **state)
{
    (void)state;
    build_process();
    walk_ok();
    json_t *j = sv32_space_to_json(&space, true, &soft);
    char hexbuf[16];
    assert_non_null(j);
    snprintf(hexbuf, sizeof hexbuf, "0x%08x", ROOT);
    assert_string_equal(json_string_value(json_object_get(j, "root")), hexbuf);
    assert_int_equal(json_array_size(json_object_get(j, "errors")), 0);
    assert_true(json_is_false(json_object_get(j, "truncated")));

    json_t *tables = json_object_get(j, "tables");
    assert_true(json_array_size(tables) >= 1);
    json_t *t = json_array_get(tables, 0);
    snprintf(hexbuf, sizeof hexbuf, "0x%08x", L0A);
    assert_string_equal(json_string_value(json_object_get(t, "table")), hexbuf);
    json_t *e = json_array_get(json_object_get(t, "entries"), 0);
    assert_string_equal(json_string_value(json_object_get(e, "flags")),
                        "VR-XU-A-");
    assert_string_equal(json_string_value(json_object_get(e, "va")), "0x00001000");
    assert_string_equal(json_string_value(json_object_get(e, "pa")), "0x80020000");
    assert_true(json_is_false(json_object_get(e, "cow")));
    assert_int_equal(json_integer_value(json_object_get(e, "index")), 1);
    assert_null(json_object_get(e, "problem"));
    e = json_array_get(json_object_get(t, "entries"), 4);   /* L0A[5] */
    assert_string_equal(json_string_value(json_object_get(e, "flags")),
                        "VR--U-A-");
    assert_true(json_is_true(json_object_get(e, "cow")));
    e = json_array_get(json_object_get(j, "superpages"), 0); /* kernel RAM */
    assert_string_equal(json_string_value(json_object_get(e, "flags")),
                        "VRWX-GAD");

    /* Data at 0x2000-0x4fff: one range of three pages with the same flags,
     * its frames not contiguous (so no single "pa"). */
    json_t *r = json_array_get(json_object_get(j, "ranges"), 1);
    assert_string_equal(json_string_value(json_object_get(r, "start")), "0x00002000");
    assert_int_equal(json_integer_value(json_object_get(r, "pages")), 3);
    assert_true(json_is_null(json_object_get(r, "pa")));
    assert_int_equal(json_integer_value(json_object_get(t, "pages")), 5);
    r = json_array_get(json_object_get(j, "ranges"), 4);
    assert_string_equal(json_string_value(json_object_get(r, "start")), "0x80000000");
    assert_int_equal(json_integer_value(json_object_get(r, "pages")),
                     RAM_SIZE / SV32_SUPERPAGE_SIZE);
    char *text = json_dumps(j, JSON_COMPACT);
    assert_non_null(text);
    free(text);
    json_decref(j);

    /* Without entries: the same tables, their counts and hashes, no entries. */
    j = sv32_space_to_json(&space, false, &soft);
    t = json_array_get(json_object_get(j, "tables"), 0);
    assert_null(json_object_get(t, "entries"));
    assert_int_equal(json_integer_value(json_object_get(t, "pages")), 5);
    assert_int_equal(json_integer_value(json_object_get(t, "hash")), sv32_table_hash(&space, L0A));
    json_decref(j);
}

static void test_superpages(void **state)
{
    (void)state;
    set(ROOT, 1, pte(0x80400000, V | R | W | U | A | D)); /* aligned */
    set(ROOT, 2, pte(0x80401000, V | R | W | U | A | D)); /* misaligned */
    set(ROOT, 3, pte(0x80c00000, V | W | U));             /* W without R */
    set(ROOT, 4, pte(0x80800000, V | R | W | U | A | D)); /* after a hole */
    walk_ok();
    assert_int_equal(space.n_entries, 4);
    assert_int_equal(space.n_problems, 2);
    assert_int_equal(entry_at(1, 0x00400000)->problem, SV32_OK);
    assert_int_equal(entry_at(1, 0x00800000)->problem, SV32_MISALIGNED);
    assert_int_equal(entry_at(1, 0x00c00000)->problem, SV32_RESERVED);
    assert_int_equal(space.n_ranges, 2);
    assert_int_equal(space.ranges[0].page_size, SV32_SUPERPAGE_SIZE);
    assert_maps(0x00400000 + 0x1234, 0x80401234, V | R | W | U | A | D);
    assert_unmapped(0x00800000);
    assert_unmapped(0x00c00000);
    assert_maps(0x01000000, 0x80800000, V | R | W | U | A | D);
    assert_string_equal(sv32_problem_str(SV32_MISALIGNED),
                        "misaligned superpage: PPN[0] is not zero");

    json_t *j = sv32_space_to_json(&space, true, &soft);
    json_t *e = json_array_get(json_object_get(j, "errors"), 0);
    assert_string_equal(json_string_value(json_object_get(e, "problem")),
                        "misaligned superpage: PPN[0] is not zero");
    json_decref(j);
}

/* A level-0 pointer back at the root, a pointer inside a level-0 table,
 * and one level-0 table used by two root entries. */
static void test_cycles(void **state)
{
    (void)state;
    set(ROOT, 0, pte(ROOT, V));
    set(ROOT, 1, pte(L0A, V));
    set(ROOT, 2, pte(L0A, V));
    set(L0A, 0, pte(L0B, V));                    /* no level -1 */
    set(L0A, 1, pte(0x80030000, V | R | U | A)); /* fine */
    set(L0A, 2, pte(0x80031000, V | W | X | U)); /* W without R */
    walk_ok();
    assert_int_equal(entry_at(1, 0)->problem, SV32_TABLE_IS_ROOT);
    assert_int_equal(entry_at(1, 0x00400000)->problem, SV32_OK);
    assert_int_equal(entry_at(0, 0x00400000)->problem, SV32_POINTER_AT_L0);
    assert_int_equal(entry_at(0, 0x00401000)->problem, SV32_OK);
    assert_int_equal(entry_at(0, 0x00402000)->problem, SV32_RESERVED);
    assert_int_equal(entry_at(0, 0x00800000)->problem, SV32_POINTER_AT_L0);
    assert_int_equal(space.n_entries, 3 + 2 * 3);
    assert_int_equal(space.n_problems, 1 + 2 * 2);
    assert_int_equal(space.n_tables, 2); /* root, L0A once */
    assert_maps(0x00401000, 0x80030000, V | R | U | A);
    assert_maps(0x00801000, 0x80030000, V | R | U | A);
    assert_unmapped(0x00402000);
    assert_unmapped(0);
}

static void test_pointers_outside_ram(void **state)
{
    (void)state;
    set(ROOT, 0, pte(0x10000000, V));       /* the UART */
    set(ROOT, 1, pte(0x300000000ull, V));   /* 34-bit physical address */
    set(ROOT, 2, pte(0x88000000, V));       /* just past RAM */
    set(ROOT, 3, pte(0x7ffff000, V));       /* just below RAM */
    set(ROOT, 4, pte(0x87fff000, V));       /* last page of RAM: fine */
    walk_ok();
    assert_int_equal(entry_at(1, 0x00000000)->problem, SV32_TABLE_OUTSIDE_RAM);
    assert_int_equal(entry_at(1, 0x00400000)->pa, 0x300000000ull);
    assert_int_equal(entry_at(1, 0x00400000)->problem, SV32_TABLE_OUTSIDE_RAM);
    assert_int_equal(entry_at(1, 0x00800000)->problem, SV32_TABLE_OUTSIDE_RAM);
    assert_int_equal(entry_at(1, 0x00c00000)->problem, SV32_TABLE_OUTSIDE_RAM);
    assert_int_equal(entry_at(1, 0x01000000)->problem, SV32_OK);
    assert_int_equal(space.n_problems, 4);
    assert_int_equal(reads, 2); /* the root and the last page, nothing else */
}

static void test_unreadable_table(void **state)
{
    (void)state;
    set(ROOT, 0, pte(L0A, V));
    unreadable = L0A;
    walk_ok();
    assert_int_equal(space.n_entries, 1);
    assert_int_equal(space.entries[0].problem, SV32_TABLE_UNREADABLE);
    assert_int_equal(space.n_tables, 1);
}

static void test_bad_roots(void **state)
{
    (void)state;
    assert_int_equal(sv32_walk(&mem, ROOT + 16, &space, err, sizeof err), -1);
    assert_string_equal(err,
                        "root page table 0x80010010 is misaligned or outside RAM");
    assert_int_equal(sv32_walk(&mem, 0x10000000, &space, err, sizeof err), -1);
    assert_int_equal(sv32_walk(&mem, 0x88000000, &space, err, sizeof err), -1);
    unreadable = ROOT;
    assert_int_equal(sv32_walk(&mem, ROOT, &space, err, sizeof err), -1);
    assert_string_equal(err,
                        "cannot read the root page table at 0x80010000");
    assert_int_equal(space.n_entries, 0);
}

static void test_satp(void **state)
{
    uint64_t root = 0;

    (void)state;
    /* MODE=1, ASID=1, PPN=0x80010 */
    assert_true(sv32_satp_root(0x80480010u, &root));
    assert_int_equal(root, 0x80010000u);
    assert_true(sv32_satp_root(0xbfffffffu, &root));
    assert_int_equal(root, 0x3fffff000ull);
    assert_false(sv32_satp_root(0, &root)); /* Bare */
}

/* Every root entry points at one full level-0 table: a million mappings.
 * The walk stops at SV32_MAX_ENTRIES and says so. */
static void test_truncated(void **state)
{
    (void)state;
    for (int i = 0; i < SV32_ENTRIES; i++) {
        set(ROOT, i, pte(L0A, V));
        set(L0A, i, pte(0x80100000 + (uint64_t)i * PAGE, V | R | A));
    }
    walk_ok();
    assert_true(space.truncated);
    assert_int_equal(space.n_entries, SV32_MAX_ENTRIES);
    assert_int_equal(space.n_tables, 2);
    assert_true(reads < 70);
}

static uint32_t lcg(uint32_t *seed)
{
    *seed = *seed * 1664525u + 1013904223u;
    return *seed;
}

/* Random bytes in every table, some pointers aimed back into the window.
 * Whatever the walk makes of it, each entry's problem must agree with
 * what translation says. */
static void test_garbage(void **state)
{
    (void)state;
    for (uint32_t seed = 1; seed <= 8; seed++) {
        uint32_t s = seed;
        for (size_t i = 0; i < sizeof ram; i++)
            ram[i] = (uint8_t)(lcg(&s) >> 24);
        for (int i = 0; i < SV32_ENTRIES; i += 3)
            set(ROOT, i, pte(RAM_BASE + (lcg(&s) % 64) * PAGE, V));
        walk_ok();
        size_t problems = 0;
        for (size_t i = 0; i < space.n_entries; i++) {
            const struct sv32_entry *e = &space.entries[i];
            uint64_t pa;
            uint16_t flags;
            bool mapped = sv32_translate(&space, e->va, &pa, &flags) == 0;
            problems += e->problem != SV32_OK;
            assert_true(e->pte & V);
            if (sv32_is_leaf(e->pte) && e->problem == SV32_OK) {
                assert_true(mapped);
                assert_int_equal(pa, e->pa);
            } else if (sv32_is_leaf(e->pte) || e->level == 0) {
                assert_false(mapped);
            }
        }
        assert_int_equal(problems, space.n_problems);
        assert_true(space.n_problems > 0);
        for (size_t i = 0; i < space.n_tables; i++) {
            assert_int_equal(space.tables[i] % PAGE, 0);
            assert_true(space.tables[i] >= RAM_BASE &&
                        space.tables[i] < RAM_BASE + RAM_SIZE);
        }
        for (size_t i = 1; i < space.n_ranges; i++)
            assert_true(space.ranges[i].va >
                        space.ranges[i - 1].va + space.ranges[i - 1].size - 1);
        sv32_space_free(&space);
    }
}

#define T(f) cmocka_unit_test_setup_teardown(f, reset, free_space)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_process),
        T(test_json),
        T(test_superpages),
        T(test_cycles),
        T(test_pointers_outside_ram),
        T(test_unreadable_table),
        T(test_bad_roots),
        T(test_satp),
        T(test_truncated),
        T(test_garbage),
    };
    return cmocka_run_group_tests_name("inspector_sv32", tests, NULL, NULL);
}
