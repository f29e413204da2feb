/* guest.h -- reading the guest as its kernel lays it out: physical memory
 * inside RAM (the bounds from the kernel model), the page-table root of a
 * process from proc[], and the Sv32 translation of one address. The one
 * API for both the snapshot (snapshot.c) and the run control (runctl.c).
 *
 * Guest RAM is read from a read-only mapping of it when the daemon started
 * QEMU with its RAM in a file the daemon owns (guest_ram_share; qemu.c),
 * without stopping the guest; else through the gdbstub, whose connection
 * must then be in physical-address mode (rsp_conn_set_phys_mode) for every
 * call. Nothing outside RAM is read or followed. */
#ifndef GLASSBOX_GUEST_H
#define GLASSBOX_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel_model.h"
#include "rsp_conn.h"

/* A little-endian 32-bit word (the guest's byte order). */
static inline uint32_t guest_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* The guest's RAM, mapped read-only: size bytes from the kernel's RAM base
 * on (base NULL: none, read through the gdbstub). The mapping is the
 * caller's; it must stay until replaced. */
void guest_ram_share(const void *base, size_t size);
bool guest_ram_shared(void);

/* Around reads of physical memory: the gdbstub connection c in physical-
 * address mode, or nothing to do when the RAM is shared (no request goes
 * out). begin: 0, or -1 when the mode could not be set. */
int guest_phys_begin(struct rsp_conn *c);
void guest_phys_end(struct rsp_conn *c);

bool guest_in_ram(const struct kernel_layout *k, uint64_t pa, size_t len);
/* 0, or -1 when [pa, pa + len) is not all RAM or the read failed. c may be
 * NULL when the RAM is shared. Reads of shared RAM while the guest runs
 * may be torn: what they give is decoded like any untrusted bytes. */
int guest_read_phys(struct rsp_conn *c, const struct kernel_layout *k,
                    uint64_t pa, void *buf, size_t len);
/* Several ranges, each bounded to RAM; through the gdbstub, pipelined. */
int guest_read_many(struct rsp_conn *c, const struct kernel_layout *k,
                    const struct rsp_read *reads, size_t n);
/* The struct proc of live process pid, copied into out (proc_size bytes);
 * only the slots up to the kernel's high-water mark are read. 0, or -1 with
 * err filled in. */
int guest_proc_lookup(struct rsp_conn *c, const struct kernel_layout *k,
                      int pid, uint8_t *out, char *err, size_t errlen);
/* The root page table of live process pid. 0, or -1 with err filled in. */
int guest_proc_root(struct rsp_conn *c, const struct kernel_layout *k, int pid,
                    uint32_t *root, char *err, size_t errlen);
/* The frame of a user page (a valid user leaf) at va under root: 0, or -1
 * when it is not mapped so. */
int guest_translate(struct rsp_conn *c, const struct kernel_layout *k,
                    uint32_t root, uint32_t va, uint32_t *pa);

#endif
