/* guest.h -- reading the guest as its kernel lays it out: physical memory
 * inside RAM (the bounds from the kernel model), the page-table root of a
 * process from proc[], and the Sv32 translation of one address. The one
 * API for both the snapshot (snapshot.c) and the run control (target.c).
 *
 * The connection must be in physical-address mode (rsp_conn_set_phys_mode)
 * for every call. Nothing outside RAM is read or followed. */
#ifndef GLASSBOX_GUEST_H
#define GLASSBOX_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel_model.h"
#include "rsp_conn.h"

bool guest_in_ram(const struct kernel_layout *k, uint64_t pa, size_t len);
/* 0, or -1 when [pa, pa + len) is not all RAM or the read failed. */
int guest_read_phys(struct rsp_conn *c, const struct kernel_layout *k,
                    uint64_t pa, void *buf, size_t len);
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
