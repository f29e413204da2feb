// The Sv32 walk of one virtual address through a process's page table, as the
// MMU does it, from what the snapshot lists (address_spaces[pid]): the steps,
// each with the entry it reads, and the physical address or the step where the
// walk fails. Only valid entries are in the snapshot: one that is not listed
// has V = 0.

import { num, hex } from './format.js';
import { machine } from './machine.js';

// What each bit of a PTE means, in words (RISC-V privileged spec 4.3.1;
// COW and shared are the RSW bits the kernel uses, kernel/pte.h). Which bit
// each is comes from hello (machine.pteBits).
const PTE_SAYS = {
  V: 'Valid: the entry is in use. With V = 0 the MMU looks no further: a page fault.',
  R: 'Readable: loads may read the page.',
  W: 'Writable: stores may write the page. Without W a store is a store page fault.',
  X: 'Executable: the CPU may fetch instructions from the page.',
  U: 'User: code in user mode may use the page; the kernel may only with SUM set.',
  G: 'Global: the mapping is in every address space (the TLB keeps it across satp changes).',
  A: 'Accessed: the page was read, written or fetched since the bit was cleared (this kernel sets it up front).',
  D: 'Dirty: the page was written since the bit was cleared (this kernel sets it up front).',
  COW: 'Copy-on-write (a bit the kernel gives a meaning to): read-only for now and shared since fork; the next store faults and the kernel copies the frame (or keeps it when no one else holds it).',
  shared: 'Shared (a bit the kernel gives a meaning to): shared memory; fork shares the frame writable instead of copying it.',
};

// A PTE's bits as the kernel has them, each with its words: [{bit, name, says}].
export const pteBitList = () => machine.pteBits.map(({ bit, name }) => ({
  bit, name, says: PTE_SAYS[name] ?? `Bit ${bit}: one the kernel gives a meaning to.`,
}));

const isLeaf = (pte) => (num(pte) & 0xe) !== 0;

// The devices the kernel maps above RAM (hello's devices, from its
// kernel_devices[]), in words: a walk that ends in one of them reaches a
// device's registers, not a frame of RAM.
const DEVICE_SAYS = {
  test: 'the SiFive test device (halt writes to it to power QEMU off)',
  rtc: 'the Goldfish RTC (the wall-clock time)',
  plic: 'the PLIC (the interrupt controller)',
  uart: 'the UART 16550 (the console)',
  virtio0: 'virtio-mmio slot 0 (the disk)',
};
function deviceAt(pa) {
  const inside = (d) => num(pa) >= num(d.pa) && num(pa) < num(d.pa) + num(d.size);
  const d = machine.devices.find(inside);
  return d ? DEVICE_SAYS[d.name] ?? `the device "${d.name}"` : null;
}

// {va, vpn1, vpn0, offset, steps: [{level, address, index, pte, table}], pa, device, fault, kernel, alien?}
// fault is the reason the walk stops without a physical address, or null;
// device names the device whose registers pa is (deviceAt), else null;
// alien: the process's root entry in the kernel half is not the kernel's.
// The user half (below machine.userTop) is the process's own (space); the kernel
// half is the same in every process, whose root copies the kernel's
// entries: the daemon walks it once (kernelSpace, the snapshot's
// kernel_space) and lists a process's root entry there that differs.
export function walk(space, va, kernelSpace) {
  const v = num(va);
  const vpn1 = v >>> 22;
  const vpn0 = (v >>> 12) & 0x3ff;
  const out = { va: hex(v), vpn1, vpn0, offset: v & 0xfff, steps: [], pa: null, device: null, fault: null, kernel: v >= machine.userTop };
  const fail = (fault) => Object.assign(out, { fault });
  if (!space) return fail('This process has no address space to walk.');
  const half = out.kernel ? kernelSpace : space;
  const l1Address = hex(num(space.root) + vpn1 * 4);
  const alien = out.kernel && (space.errors ?? []).find((e) => e.index === vpn1 && num(e.va) >>> 22 === vpn1);
  if (alien) {
    out.steps.push({ level: 1, index: vpn1, address: l1Address, pte: alien.pte });
    return Object.assign(fail(`L1[${vpn1}] is ${alien.problem}.`), { alien: true });
  }
  if (!half) {
    out.steps.push({ level: 1, index: vpn1, address: l1Address, pte: null });
    return fail('the kernel has not made its page table yet (kernel_pagetable is still 0).');
  }
  walkFrom(half, out, l1Address, fail);
  return Object.assign(out, { device: out.pa && deviceAt(out.pa) });
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

// What the walk of a kernel-half address says of the kernel half, or null
// for a user address: mapped, the same in every process; else where the
// walk fails (for the kernel too, unless the process's own root entry is
// what is wrong).
export function kernelHalfNote(r) {
  if (!r.kernel) return null;
  if (!r.fault) {
    return 'The kernel half: every process\'s root table holds the same entries here, copied from the kernel\'s own ' +
      'table (kernel_pagetable) when the process was made, so the kernel runs in any address space. Its entries have ' +
      'U = 0: user code that touches this address faults.';
  }
  const step = r.steps.at(-1);
  const where = `L${step.level}[${step.index}]`;
  if (r.alien) {
    return `The kernel half, but this process's root entry ${where} is not the kernel's: the walk fails there, in this ` +
      'process only (the other processes have the kernel\'s entry).';
  }
  return `The kernel half, not mapped here: the walk fails at ${where}, in every process (each root table copies the ` +
    'kernel\'s entries), so an access here faults, the kernel\'s own too.';
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
