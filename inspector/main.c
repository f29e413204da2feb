/* main.c -- glassbox-inspector, for now a smoke tool until the daemon lands.
 *
 *   glassbox-inspector --attach HOST:PORT [--time-reads N]
 *
 * Attaches to a QEMU gdbstub, prints the registers the target description
 * lists, pc, priv and satp, and 64 bytes of physical memory at the start of
 * RAM. --time-reads N then times N physical reads of 2048 bytes. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rsp_conn.h"

#define RAM_BASE 0x80000000u
#define TIMEOUT_MS 5000

static int usage(void)
{
    fprintf(stderr,
            "usage: glassbox-inspector --attach HOST:PORT [--time-reads N]\n");
    return 2;
}

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void print_registers(const struct tdesc *t)
{
    printf("target %s: %zu registers\n", t->arch[0] ? t->arch : "?", t->nregs);
    for (size_t i = 0; i < t->nregs; i++)
        printf("%s=%u%c", t->regs[i].name, t->regs[i].regnum,
               i % 8 == 7 || i + 1 == t->nregs ? '\n' : ' ');
}

static int print_named(struct rsp_conn *c, const char *name)
{
    uint64_t v;
    const struct tdesc_reg *r = tdesc_find(rsp_conn_tdesc(c), name);

    if (rsp_conn_read_reg_named(c, name, &v) < 0)
        return -1;
    printf("%s (register %u) = 0x%08" PRIx64 "\n", name, r->regnum, v);
    return 0;
}

static int dump_ram(struct rsp_conn *c)
{
    uint8_t buf[64];

    if (rsp_conn_read_mem(c, RAM_BASE, buf, sizeof buf) < 0)
        return -1;
    for (size_t i = 0; i < sizeof buf; i++)
        printf("%s%02x%s", i % 16 ? "" : "  ", buf[i],
               i % 16 == 15 ? "\n" : (i % 4 == 3 ? " " : ""));
    return 0;
}

static int time_reads(struct rsp_conn *c, long n)
{
    static uint8_t buf[2048];
    uint64_t trips = rsp_conn_stats(c)->round_trips;
    double start = now_us();

    for (long i = 0; i < n; i++)
        if (rsp_conn_read_mem(c, RAM_BASE + (uint32_t)(i % 64) * sizeof buf,
                              buf, sizeof buf) < 0)
            return -1;
    double us = now_us() - start;
    printf("%ld reads of %zu bytes: %.1f us per read, %" PRIu64
           " round trips\n",
           n, sizeof buf, us / (double)n, rsp_conn_stats(c)->round_trips - trips);
    return 0;
}

int main(int argc, char **argv)
{
    const char *attach = NULL;
    long reads = 0;
    char host[256], err[256];

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--attach") == 0 && i + 1 < argc)
            attach = argv[++i];
        else if (strcmp(argv[i], "--time-reads") == 0 && i + 1 < argc)
            reads = strtol(argv[++i], NULL, 10);
        else
            return usage();
    }
    const char *colon = attach ? strrchr(attach, ':') : NULL;
    if (!colon || colon == attach || (size_t)(colon - attach) >= sizeof host ||
        reads < 0)
        return usage();
    memcpy(host, attach, (size_t)(colon - attach));
    host[colon - attach] = '\0';

    struct rsp_conn *c = rsp_conn_open(host, colon + 1, TIMEOUT_MS, err,
                                       sizeof err);
    if (!c) {
        fprintf(stderr, "glassbox-inspector: %s\n", err);
        return 1;
    }
    print_registers(rsp_conn_tdesc(c));
    int ok = print_named(c, "pc") == 0 && print_named(c, "priv") == 0 &&
             print_named(c, "satp") == 0;
    if (ok) {
        printf("physical memory at 0x%08x:\n", RAM_BASE);
        ok = rsp_conn_set_phys_mode(c, true) == 0 && dump_ram(c) == 0 &&
             (reads == 0 || time_reads(c, reads) == 0) &&
             rsp_conn_set_phys_mode(c, false) == 0;
    }
    if (!ok)
        fprintf(stderr, "glassbox-inspector: %s\n", rsp_conn_error(c));
    rsp_conn_close(c);
    return ok ? 0 : 1;
}
