/* breaks.c -- the guest's breakpoints and its watched page (breaks.h). */
#include "breaks.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "guest.h"
#include "sv32.h"

#define PAGE SV32_PAGE_SIZE

void breaks_reset(struct breaks *b, struct rsp_conn *rsp, struct kernel_model *km)
{
    memset(b, 0, sizeof *b);
    b->rsp = rsp;
    b->km = km;
}

/* A Z or z request that got no reply in time may still be carried out
 * when QEMU goes on: what it did is in doubt until breaks_settle(). */
static void doubt(struct breaks *b, enum rsp_break type, uint32_t addr,
                  unsigned kind)
{
    if (rsp_conn_timed_out(b->rsp) && b->ndoubt < BREAKS_DOUBT_MAX)
        b->doubt[b->ndoubt++] = (struct break_doubt){type, addr, kind};
}

/* Z (in) or z (out) of one breakpoint or watchpoint: 0, or -1. */
static int set_point(struct breaks *b, bool in, enum rsp_break type, uint32_t addr,
                     unsigned kind)
{
    int r = in ? rsp_conn_insert(b->rsp, type, addr, kind)
               : rsp_conn_remove(b->rsp, type, addr, kind);
    if (r < 0)
        doubt(b, type, addr, kind);
    return r;
}

void breaks_settle(struct breaks *b)
{
    /* None of them is wanted: each was a failed insert or a remove, and
     * nothing was set since (commands are refused until QEMU answers). */
    for (int i = 0; i < b->ndoubt; i++)
        rsp_conn_remove(b->rsp, b->doubt[i].type, b->doubt[i].addr,
                        b->doubt[i].kind);
    b->ndoubt = 0;
}

static int find(const struct breaks *b, uint32_t addr)
{
    for (int i = 0; i < b->nbps; i++)
        if (b->bps[i].addr == addr)
            return i;
    return -1;
}

bool breaks_has(const struct breaks *b, uint32_t addr)
{
    return find(b, addr) >= 0;
}

int breaks_add(struct breaks *b, uint32_t addr)
{
    int i = find(b, addr);

    if (i >= 0) {
        b->bps[i].refs++;
        return 0;
    }
    if (b->nbps == BREAKS_MAX)
        return -1;
    if (set_point(b, true, RSP_BREAK_SW, addr, 4) < 0)
        return -1;
    b->bps[b->nbps].addr = addr;
    b->bps[b->nbps].refs = 1;
    b->nbps++;
    return 0;
}

void breaks_del(struct breaks *b, uint32_t addr)
{
    int i = find(b, addr);

    if (i < 0 || --b->bps[i].refs > 0)
        return;
    if (set_point(b, false, RSP_BREAK_SW, addr, 4) < 0)
        fprintf(stderr, "glassbox-inspector: cannot remove the breakpoint at "
                "0x%08" PRIx32 ": %s\n", addr, rsp_conn_error(b->rsp));
    b->bps[i] = b->bps[--b->nbps];
}

const char *breaks_user_at(const struct breaks *b, uint32_t addr)
{
    for (int i = 0; i < b->nuser; i++)
        if (b->user[i].addr == addr)
            return b->user[i].name;
    return NULL;
}

int breaks_user_set(struct breaks *b, uint32_t addr, const char *name,
                    char *err, size_t errlen)
{
    if (breaks_user_at(b, addr))
        return 0;
    if (b->nuser == BREAKS_USER_MAX) {
        snprintf(err, errlen, "at most %d breakpoints", BREAKS_USER_MAX);
        return -1;
    }
    if (breaks_add(b, addr) < 0) {
        snprintf(err, errlen, "cannot set the breakpoint: %s",
                 rsp_conn_error(b->rsp));
        return -1;
    }
    b->user[b->nuser].addr = addr;
    snprintf(b->user[b->nuser].name, sizeof b->user[0].name, "%s", name);
    b->nuser++;
    return 0;
}

int breaks_user_clear(struct breaks *b, uint32_t addr, const char *name,
                      char *err, size_t errlen)
{
    for (int i = 0; i < b->nuser; i++)
        if (b->user[i].addr == addr) {
            breaks_del(b, addr);
            b->user[i] = b->user[--b->nuser];
            return 0;
        }
    snprintf(err, errlen, "no breakpoint at %s", name);
    return -1;
}

json_t *breaks_user_json(const struct breaks *b)
{
    json_t *names = json_array();

    for (int i = 0; i < b->nuser; i++)
        json_array_append_new(names, json_string(b->user[i].name));
    return names;
}

/* ---- the watch ---------------------------------------------------------- */

/* The root page table of a live process, and a user page's frame under it
 * (guest.h): from shared RAM, or through the gdbstub in physical mode. */
static int proc_root(struct breaks *b, int pid, uint32_t *root, char *err,
                     size_t errlen)
{
    const struct kernel_layout *k = kernel_model_layout(b->km);
    int r = -1;

    if (!k)
        snprintf(err, errlen, "no layout of struct proc");
    else if (guest_phys_begin(b->rsp) == 0)
        r = guest_proc_root(b->rsp, k, pid, root, err, errlen);
    else
        snprintf(err, errlen, "cannot read physical memory");
    guest_phys_end(b->rsp);
    return r;
}

static int translate(struct breaks *b, uint32_t root, uint32_t va, uint32_t *pa)
{
    const struct kernel_layout *k = kernel_model_layout(b->km);
    int r = -1;

    if (k && guest_phys_begin(b->rsp) == 0)
        r = guest_translate(b->rsp, k, root, va, pa);
    guest_phys_end(b->rsp);
    return r;
}

/* The watchpoint on the user page in or out. */
static void watch_va(struct breaks *b, bool in)
{
    if (in == b->watch.va_set)
        return;
    if (set_point(b, in, RSP_WATCH_WRITE, b->watch.va, PAGE) == 0 || !in)
        b->watch.va_set = in;
}

void breaks_watch_hold(struct breaks *b, bool hold)
{
    if (!b->watch.on || hold == b->watch.held)
        return;
    if (b->watch.va_set)
        set_point(b, !hold, RSP_WATCH_WRITE, b->watch.va, PAGE);
    if (b->watch.pa_set)
        set_point(b, !hold, RSP_WATCH_WRITE, b->watch.pa, PAGE);
    b->watch.held = hold;
}

void breaks_watch_switch(struct breaks *b, int pid)
{
    if (b->watch.on)
        watch_va(b, pid == b->watch.pid);
}

/* Whether the page table loaded now is root (satp). */
static bool table_loaded(struct breaks *b, uint32_t root)
{
    uint64_t satp;

    return rsp_conn_read_reg_named(b->rsp, "satp", &satp) == 0 &&
           (uint32_t)((satp & 0x3fffff) << 12) == root;
}

void breaks_unwatch(struct breaks *b)
{
    if (!b->watch.on)
        return;
    watch_va(b, false);
    if (b->watch.pa_set)
        set_point(b, false, RSP_WATCH_WRITE, b->watch.pa, PAGE);
    memset(&b->watch, 0, sizeof b->watch);
}

int breaks_watch(struct breaks *b, int pid, uint32_t va, uint32_t *pa,
                 char *err, size_t errlen)
{
    uint32_t root, page = va & ~(PAGE - 1);

    if (proc_root(b, pid, &root, err, errlen) < 0)
        return -1;
    if (translate(b, root, page, pa) < 0) {
        snprintf(err, errlen, "0x%08" PRIx32 " is not mapped in process %d",
                 va, pid);
        return -1;
    }
    breaks_unwatch(b);
    if (set_point(b, true, RSP_WATCH_WRITE, *pa, PAGE) < 0) {
        snprintf(err, errlen, "cannot set the watchpoint: %s",
                 rsp_conn_error(b->rsp));
        return -1;
    }
    b->watch.on = true;
    b->watch.pid = pid;
    b->watch.va = page;
    b->watch.pa = *pa;
    b->watch.pa_set = true;
    watch_va(b, table_loaded(b, root));
    return 0;
}

void breaks_watch_follow(struct breaks *b)
{
    uint32_t root, pa;
    char err[128] = "";

    if (!b->watch.on)
        return;
    if (proc_root(b, b->watch.pid, &root, err, sizeof err) < 0 ||
        translate(b, root, b->watch.va, &pa) < 0) {
        if (!b->watch.error[0])
            snprintf(b->watch.error, sizeof b->watch.error, "%s",
                     err[0] ? err : "the page is not mapped any more");
        if (b->watch.pa_set)
            set_point(b, false, RSP_WATCH_WRITE, b->watch.pa, PAGE);
        b->watch.pa_set = false;
        return;
    }
    b->watch.error[0] = '\0';
    watch_va(b, table_loaded(b, root)); /* (a rewind may have switched) */
    if (pa == b->watch.pa && b->watch.pa_set)
        return;
    if (b->watch.pa_set)
        set_point(b, false, RSP_WATCH_WRITE, b->watch.pa, PAGE);
    b->watch.pa = pa;
    b->watch.pa_set = set_point(b, true, RSP_WATCH_WRITE, pa, PAGE) == 0;
}

bool breaks_watch_hit(struct breaks *b, uint64_t addr)
{
    uint32_t root;
    char err[128];

    if (addr >= b->watch.va && addr < (uint64_t)b->watch.va + PAGE) {
        return proc_root(b, b->watch.pid, &root, err, sizeof err) < 0 ||
               table_loaded(b, root); /* (cannot tell: show it) */
    }
    return true;
}

static json_t *hex32(uint32_t v)
{
    char buf[16];

    snprintf(buf, sizeof buf, "0x%08" PRIx32, v);
    return json_string(buf);
}

json_t *breaks_watch_json(const struct breaks *b)
{
    if (!b->watch.on)
        return json_null();
    json_t *w = json_pack("{s:i, s:o}", "pid", b->watch.pid, "va",
                          hex32(b->watch.va));
    if (w && b->watch.pa)
        json_object_set_new(w, "pa", hex32(b->watch.pa));
    if (w && b->watch.error[0])
        json_object_set_new(w, "error", json_string(b->watch.error));
    return w;
}
