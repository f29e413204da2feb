/* guest.c -- reading the guest as its kernel lays it out (guest.h). */
#include "guest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv32.h"

/* The one guest's RAM, when the daemon owns it (guest_ram_share). */
static struct {
    const uint8_t *base;
    size_t size;
} ram;

void guest_ram_share(const void *base, size_t size)
{
    ram.base = base;
    ram.size = base ? size : 0;
}

bool guest_ram_shared(void)
{
    return ram.base != NULL;
}

int guest_phys_begin(struct rsp_conn *c)
{
    if (guest_ram_shared())
        return 0;
    return c ? rsp_conn_set_phys_mode(c, true) : -1;
}

void guest_phys_end(struct rsp_conn *c)
{
    if (!guest_ram_shared() && c)
        rsp_conn_set_phys_mode(c, false);
}

bool guest_in_ram(const struct kernel_layout *k, uint64_t pa, size_t len)
{
    return pa >= k->ram_base && len <= k->ram_size &&
           pa - k->ram_base <= k->ram_size - len;
}

/* [pa, pa + len), inside the kernel's RAM, is inside the mapping too. */
static bool in_mapping(const struct kernel_layout *k, uint64_t pa, size_t len)
{
    return ram.base && len <= ram.size && pa - k->ram_base <= ram.size - len;
}

int guest_read_phys(struct rsp_conn *c, const struct kernel_layout *k,
                    uint64_t pa, void *buf, size_t len)
{
    if (!guest_in_ram(k, pa, len))
        return -1;
    if (in_mapping(k, pa, len)) {
        memcpy(buf, ram.base + (pa - k->ram_base), len);
        return 0;
    }
    return c ? rsp_conn_read_mem(c, pa, buf, len) : -1;
}

int guest_read_many(struct rsp_conn *c, const struct kernel_layout *k,
                    const struct rsp_read *reads, size_t n)
{
    bool all_mapped = true;

    for (size_t i = 0; i < n; i++) {
        if (!guest_in_ram(k, reads[i].addr, reads[i].len))
            return -1;
        all_mapped &= in_mapping(k, reads[i].addr, reads[i].len);
    }
    if (!all_mapped)
        return c ? rsp_conn_read_many(c, reads, n) : -1;
    for (size_t i = 0; i < n; i++)
        memcpy(reads[i].buf, ram.base + (reads[i].addr - k->ram_base),
               reads[i].len);
    return 0;
}

/* Whether the decoders' layout of struct proc can be used to find one. */
static bool proc_layout_ok(const struct kernel_layout *k)
{
    return k->proc_size != 0 && k->nproc != 0 && k->nproc <= 4096 &&
           k->p_pid + 4 <= k->proc_size && k->p_state + 4 <= k->proc_size &&
           k->p_pagetable + 4 <= k->proc_size;
}

int guest_proc_lookup(struct rsp_conn *c, const struct kernel_layout *k,
                      int pid, uint8_t *out, char *err, size_t errlen)
{
    uint8_t mark[4];

    if (!proc_layout_ok(k)) {
        snprintf(err, errlen, "no usable layout of struct proc");
        return -1;
    }
    if (guest_read_phys(c, k, k->proc_high_water_addr, mark, sizeof mark) < 0) {
        snprintf(err, errlen, "cannot read the process table");
        return -1;
    }
    uint32_t used = guest_le32(mark) < k->nproc ? guest_le32(mark) : k->nproc;
    size_t len = (size_t)k->proc_size * used;
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf || (len && guest_read_phys(c, k, k->proc_addr, buf, len) < 0)) {
        free(buf);
        snprintf(err, errlen, "cannot read the process table");
        return -1;
    }
    int found = -1;
    for (uint32_t i = 0; i < used && found < 0; i++) {
        const uint8_t *p = buf + (size_t)i * k->proc_size;
        if (guest_le32(p + k->p_state) != 0 && (int)guest_le32(p + k->p_pid) == pid) {
            memcpy(out, p, k->proc_size);
            found = 0;
        }
    }
    free(buf);
    if (found < 0)
        snprintf(err, errlen, "no process %d", pid);
    return found;
}

int guest_proc_root(struct rsp_conn *c, const struct kernel_layout *k, int pid,
                    uint32_t *root, char *err, size_t errlen)
{
    uint8_t *p = malloc(k->proc_size ? k->proc_size : 1);
    int r = p ? guest_proc_lookup(c, k, pid, p, err, errlen) : -1;

    if (r == 0)
        *root = guest_le32(p + k->p_pagetable);
    free(p);
    return r;
}

/* The PTE at index of the table at table_pa. */
static int read_pte(struct rsp_conn *c, const struct kernel_layout *k,
                    uint64_t table_pa, uint32_t index, uint32_t *pte)
{
    uint8_t b[4];

    if (guest_read_phys(c, k, table_pa + 4 * index, b, 4) < 0)
        return -1;
    *pte = guest_le32(b);
    return 0;
}

int guest_translate(struct rsp_conn *c, const struct kernel_layout *k,
                    uint32_t root, uint32_t va, uint32_t *pa)
{
    uint32_t pte;

    if (read_pte(c, k, root, va >> 22, &pte) < 0 || !(pte & SV32_PTE_V))
        return -1;
    if (sv32_is_leaf(pte)) { /* a superpage */
        *pa = ((pte >> 10) << 12) + (va & (SV32_SUPERPAGE_SIZE - SV32_PAGE_SIZE));
        return 0;
    }
    if (read_pte(c, k, (uint64_t)(pte >> 10) << 12, (va >> 12) & 0x3ff, &pte) < 0)
        return -1;
    if (!(pte & SV32_PTE_V) || !sv32_is_leaf(pte) || !(pte & SV32_PTE_U))
        return -1;
    *pa = (pte >> 10) << 12;
    return 0;
}
