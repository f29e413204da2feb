/* Unit tests for inspector/pagestore.c: RAM states saved and restored
 * exactly, pages kept once, dropped states' pages freed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "pagestore.h"

#define PAGES 1024 /* 4 MiB: four chunks */
#define RAM (PAGES * PAGESTORE_PAGE)

/* A RAM like the guest's: free frames holding one link word, a few pages
 * full of data. */
static uint8_t *guest_like(void)
{
    uint8_t *ram = calloc(1, RAM);
    for (uint32_t i = 0; i < PAGES; i++) {
        uint32_t next = 0x80000000u + (i + 1) * PAGESTORE_PAGE;
        memcpy(ram + (size_t)i * PAGESTORE_PAGE, &next, 4);
    }
    srand(1);
    for (size_t i = 0; i < 16 * PAGESTORE_PAGE; i++)
        ram[i] = (uint8_t)rand();
    return ram;
}

static void scribble(uint8_t *ram, size_t page, int seed)
{
    uint8_t *p = ram + page * PAGESTORE_PAGE;
    for (int i = 0; i < 100; i++)
        p[(i * 37 + seed) % PAGESTORE_PAGE] = (uint8_t)(seed + i + 1);
}

static void test_save_and_restore_exactly(void **state)
{
    (void)state;
    struct pagestore *ps = pagestore_new(RAM);
    uint8_t *ram = guest_like(), *s0 = malloc(RAM), *s1 = malloc(RAM);
    size_t changed, written;

    assert_non_null(ps);
    memcpy(s0, ram, RAM);
    assert_int_equal(pagestore_save(ps, ram, &changed), 0);
    assert_int_equal(changed, PAGES);
    /* Pages stored once each, the free frames without their zeros. */
    assert_int_equal(pagestore_pages(ps), PAGES);
    assert_true(pagestore_bytes(ps) < 16 * PAGESTORE_PAGE + PAGES * 128);

    scribble(ram, 3, 1);
    scribble(ram, 700, 2);
    memset(ram + 900 * PAGESTORE_PAGE, 0, PAGESTORE_PAGE); /* a page zeroed */
    memcpy(s1, ram, RAM);
    assert_int_equal(pagestore_save(ps, ram, &changed), 1);
    assert_int_equal(changed, 3);
    assert_int_equal(pagestore_save(ps, ram, &changed), 2);
    assert_int_equal(changed, 0);

    scribble(ram, 5, 3); /* after the last save: restore undoes it too */
    assert_int_equal(pagestore_restore(ps, 0, ram, &written), 0);
    assert_int_equal(written, 4);
    assert_memory_equal(ram, s0, RAM);
    assert_int_equal(pagestore_restore(ps, 1, ram, &written), 0);
    assert_int_equal(written, 3);
    assert_memory_equal(ram, s1, RAM);
    assert_int_equal(pagestore_restore(ps, 0, ram, NULL), 0);
    assert_memory_equal(ram, s0, RAM);
    assert_int_equal(pagestore_restore(ps, 3, ram, NULL), -1);
    assert_int_equal(pagestore_restore(ps, -1, ram, NULL), -1);
    pagestore_free(ps);
    free(ram);
    free(s0);
    free(s1);
}

static void test_same_pages_kept_once(void **state)
{
    (void)state;
    struct pagestore *ps = pagestore_new(RAM);
    uint8_t *ram = calloc(1, RAM);

    assert_int_equal(pagestore_save(ps, ram, NULL), 0);
    assert_int_equal(pagestore_pages(ps), 1); /* the zero page */
    size_t before = pagestore_bytes(ps);
    for (size_t i = 0; i < PAGES; i += 2)
        scribble(ram, i, 7); /* the same content in 512 places */
    assert_int_equal(pagestore_save(ps, ram, NULL), 1);
    assert_int_equal(pagestore_pages(ps), 2);
    /* The second state costs its changed chunks, not 512 copies. */
    assert_true(pagestore_bytes(ps) - before < 4 * sizeof(uint32_t) * 300 + PAGESTORE_PAGE);
    pagestore_free(ps);
    free(ram);
}

static void test_drop_frees_pages(void **state)
{
    (void)state;
    struct pagestore *ps = pagestore_new(RAM);
    uint8_t *ram = guest_like(), *s2 = malloc(RAM);

    pagestore_save(ps, ram, NULL);
    size_t base = pagestore_pages(ps);
    for (int s = 1; s <= 3; s++) {
        for (size_t i = 0; i < 50; i++)
            scribble(ram, 20 + i, s * 100 + (int)i);
        pagestore_save(ps, ram, NULL);
        if (s == 2)
            memcpy(s2, ram, RAM);
    }
    assert_int_equal(pagestore_pages(ps), base + 150);
    size_t bytes = pagestore_bytes(ps);
    pagestore_drop(ps, 1);
    assert_int_equal(pagestore_pages(ps), base + 100);
    assert_true(pagestore_bytes(ps) < bytes);
    assert_int_equal(pagestore_restore(ps, 1, ram, NULL), -1);
    assert_int_equal(pagestore_restore(ps, 2, ram, NULL), 0);
    assert_memory_equal(ram, s2, RAM);
    /* The last state is still the base of the next save after a drop. */
    pagestore_drop(ps, 3);
    size_t changed;
    pagestore_restore(ps, 0, ram, NULL);
    assert_int_equal(pagestore_save(ps, ram, &changed), 4);
    assert_int_equal(changed, 50);
    pagestore_drop(ps, 99); /* not there: nothing happens */
    pagestore_free(ps);
    free(ram);
    free(s2);
}

static void test_bad_sizes(void **state)
{
    (void)state;
    assert_null(pagestore_new(0));
    assert_null(pagestore_new(4097));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_save_and_restore_exactly),
        cmocka_unit_test(test_same_pages_kept_once),
        cmocka_unit_test(test_drop_frees_pages),
        cmocka_unit_test(test_bad_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
