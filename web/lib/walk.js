// The Sv32 walk of one virtual address through a process's page table, as the
// MMU does it, from what the snapshot lists (address_spaces[pid]): the steps,
// each with the entry it reads, and the physical address or the step where the
// walk fails. Only valid entries are in the snapshot: one that is not listed
// has V = 0.

import { num, hex } from './format.js';
import { machine } from './machine.js';

// Bit i of a PTE and what it means, in words (RISC-V privileged spec 4.3.1;
// COW and SHARED are the two RSW bits the kernel uses, kernel/pte.h).
export const PTE_BITS = [
  { bit: 0, name: 'V', says: 'Valid: the entry is in use. With V = 0 the MMU looks no further: a page fault.' },
  { bit: 1, name: 'R', says: 'Readable: loads may read the page.' },
  { bit: 2, name: 'W', says: 'Writable: stores may write the page. Without W a store is a store page fault.' },
  { bit: 3, name: 'X', says: 'Executable: the CPU may fetch instructions from the page.' },
  { bit: 4, name: 'U', says: 'User: code in user mode may use the page; the kernel may only with SUM set.' },
  { bit: 5, name: 'G', says: 'Global: the mapping is in every address space (the TLB keeps it across satp changes).' },
  { bit: 6, name: 'A', says: 'Accessed: the page was read, written or fetched since the bit was cleared (this kernel sets it up front).' },
  { bit: 7, name: 'D', says: 'Dirty: the page was written since the bit was cleared (this kernel sets it up front).' },
  { bit: 8, name: 'COW', says: 'Copy-on-write (software bit 8): read-only for now and shared since fork; the next store faults and the kernel copies the frame (or keeps it when no one else holds it).' },
  { bit: 9, name: 'shared', says: 'Shared (software bit 9): shared memory; fork shares the frame writable instead of copying it.' },
];

const isLeaf = (pte) => (num(pte) & 0xe) !== 0;

// {va, vpn1, vpn0, offset, steps: [{level, address, index, pte, table}], pa, fault, kernel}
// fault is the reason the walk stops without a physical address, or null.
// The user half (below machine.userTop) is the process's own (space); the kernel
// half is the same in every process, whose root copies the kernel's
// entries: the daemon walks it once (kernelSpace, the snapshot's
// kernel_space) and lists a process's root entry there that differs.
export function walk(space, va, kernelSpace) {
  const v = num(va);
  const vpn1 = v >>> 22;
  const vpn0 = (v >>> 12) & 0x3ff;
  const out = { va: hex(v), vpn1, vpn0, offset: v & 0xfff, steps: [], pa: null, fault: null, kernel: v >= machine.userTop };
  const fail = (fault) => Object.assign(out, { fault });
  if (!space) return fail('This process has no address space to walk.');
  const half = out.kernel ? kernelSpace : space;
  const l1Address = hex(num(space.root) + vpn1 * 4);
  const alien = out.kernel && (space.errors ?? []).find((e) => e.index === vpn1 && num(e.va) >>> 22 === vpn1);
  if (alien) {
    out.steps.push({ level: 1, index: vpn1, address: l1Address, pte: alien.pte });
    return fail(`L1[${vpn1}] is ${alien.problem}.`);
  }
  if (!half) {
    out.steps.push({ level: 1, index: vpn1, address: l1Address, pte: null });
    return fail('the kernel has not made its page table yet (kernel_pagetable is still 0).');
  }
  return walkFrom(half, out, l1Address, fail);
}

// The two steps of the walk through one half's tables, as in the snapshot.
function walkFrom(half, out, l1Address, fail) {
  const { vpn1, vpn0 } = out;
  const v = num(out.va);
  const bad = (half.errors ?? []).find((e) => num(e.va) >>> 22 === vpn1 && (e.index === vpn1 || num(e.va) >>> 12 === v >>> 12));
  const table = (half.tables ?? []).find((t) => t.index === vpn1);
  const superpage = (half.superpages ?? []).find((s) => s.index === vpn1);
  const l1 = table ?? superpage;
  out.steps.push({ level: 1, index: vpn1, address: l1Address, pte: l1?.pte ?? null });
  if (!l1) {
    if (bad) return fail(`L1[${vpn1}] is garbage: ${bad.problem}. The inspector does not follow it.`);
    return fail(`L1[${vpn1}] is not valid (V = 0): no L0 table covers ${hex(vpn1 << 22)}–${hex(((vpn1 + 1) << 22) - 1)}. An access here is a page fault.`);
  }
  if (superpage && isLeaf(superpage.pte)) {
    out.leaf = superpage;
    out.pa = hex(num(superpage.pa) + (v & 0x3fffff));
    return out;
  }
  const l0Address = hex(num(table.table) + vpn0 * 4);
  if (!table.entries) {
    out.steps.push({ level: 0, index: vpn0, address: l0Address, pte: null, table: table.table });
    return fail(`L0 table ${table.table} is on its way from the inspector (a big address space's tables come when asked for).`);
  }
  const entry = table.entries.find((e) => e.index === vpn0);
  out.steps.push({ level: 0, index: vpn0, address: l0Address, pte: entry?.pte ?? null, table: table.table });
  if (!entry) {
    if (bad) return fail(`L0[${vpn0}] is garbage: ${bad.problem}. The inspector does not follow it.`);
    return fail(`L0[${vpn0}] is not valid (V = 0): page ${hex(v & ~0xfff)} is not mapped. An access here is a page fault.`);
  }
  out.leaf = entry;
  out.pa = hex(num(entry.pa) + out.offset);
  return out;
}

// Counts of a process's address space: frames private to it, shared (shared
// memory, or a frame another process maps too), COW, and page-table pages.
export function spaceCounts(space, refcountOf) {
  const kinds = { private: new Set(), shared: new Set(), cow: new Set() };
  const entries = (space?.tables ?? []).flatMap((t) => t.entries ?? []);
  for (const e of entries) {
    const kind = e.cow ? 'cow' : e.shared || refcountOf(e.pa) > 1 ? 'shared' : 'private';
    kinds[kind].add(e.pa);
  }
  return {
    pages: entries.length,
    private: kinds.private.size,
    shared: kinds.shared.size,
    cow: kinds.cow.size,
    tables: space ? 1 + (space.tables ?? []).length : 0,
  };
}
