/* pagestore_bench: the page store (inspector/pagestore.c) on a guest-sized
 * RAM: what saving a state costs at a stop, what going back 1 and 100 states
 * costs, and the memory 1,000 states take (docs/time-travel.md).
 *
 * The RAM is made like the guest's after boot (measured with
 * tests/bench/rewind_bench.py hybrid): 128 MiB of free frames holding one
 * link word each, 4 MiB of kernel and programs; each stop then changes
 * CHANGED pages (the median measured on the real guest was 40), half of them
 * rewritten whole, half in a few words, a third of them near the last ones. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pagestore.h"

#define RAM_BYTES (128u << 20)
#define NPAGES (RAM_BYTES / PAGESTORE_PAGE)
#define STOPS 1000
#define CHANGED 40

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void change(uint8_t *ram, size_t page, int whole)
{
    uint8_t *p = ram + page * PAGESTORE_PAGE;
    if (whole)
        for (size_t i = 0; i < PAGESTORE_PAGE; i++)
            p[i] = (uint8_t)rand();
    else
        for (int i = 0; i < 16; i++)
            p[(size_t)rand() % PAGESTORE_PAGE] = (uint8_t)rand();
}

int main(void)
{
    uint8_t *ram = calloc(1, RAM_BYTES), *check = malloc(RAM_BYTES);
    struct pagestore *ps = pagestore_new(RAM_BYTES);
    static double save[STOPS];
    size_t changed, written, near = 1000;

    if (!ram || !check || !ps)
        return 1;
    srand(12);
    for (uint32_t i = 0; i < NPAGES; i++) {
        uint32_t next = 0x80000000u + (i + 1) * PAGESTORE_PAGE;
        memcpy(ram + (size_t)i * PAGESTORE_PAGE, &next, 4);
    }
    for (size_t i = 0; i < (4u << 20); i++)
        ram[i] = (uint8_t)rand();
    double t = now_ms();
    pagestore_save(ps, ram, &changed);
    double first = now_ms() - t;
    for (int s = 1; s < STOPS; s++) {
        for (int k = 0; k < CHANGED; k++) {
            size_t page = k % 3 == 0 ? near + (size_t)rand() % 64 : (size_t)rand() % NPAGES;
            change(ram, page, k % 2);
        }
        near = (size_t)rand() % (NPAGES - 64);
        if (s == STOPS - 101)
            memcpy(check, ram, RAM_BYTES);
        t = now_ms();
        if (pagestore_save(ps, ram, &changed) < 0)
            return 1;
        save[s] = now_ms() - t;
    }
    size_t bytes = pagestore_bytes(ps), pages = pagestore_pages(ps);
    qsort(save + 1, STOPS - 1, sizeof *save, cmp);
    t = now_ms();
    pagestore_restore(ps, STOPS - 2, ram, &written);
    double back1 = now_ms() - t;
    size_t written1 = written;
    t = now_ms();
    pagestore_restore(ps, STOPS - 101, ram, &written);
    double back100 = now_ms() - t;
    int same = memcmp(ram, check, RAM_BYTES) == 0;
    printf("pagestore: first save of 128 MiB %.0f ms; a save at a stop (%d pages changed) "
           "median %.1f ms, max %.1f ms\n", first, CHANGED, save[STOPS / 2], save[STOPS - 1]);
    printf("pagestore: back 1 state %.1f ms (%zu pages written), back 100 states %.1f ms "
           "(%zu pages written, RAM as it was: %s)\n", back1, written1, back100, written,
           same ? "yes" : "NO");
    printf("pagestore: %d states take %.1f MiB (%zu distinct pages)\n", STOPS,
           (double)bytes / (1 << 20), pages);
    pagestore_free(ps);
    free(ram);
    free(check);
    return same ? 0 : 1;
}
