// The kernel's facts the views compute with, as the daemon's hello tells
// them (docs/protocol.md, hello's kernel object, read from the kernel's ELF):
// the page keeps no copy of its own. app.js learns them at hello, before any
// snapshot is drawn.
// pteBits: a PTE's flag bits [{name, bit}], the spec's and the kernel's own;
// frameKinds: the kernel's enum frame_kind by value; devices: those the kernel
// maps above RAM [{name, pa, va, size}].
export const machine = { pageSize: 0, userTop: 0, pteBits: [], frameKinds: [], devices: [] };

export function learnMachine(kernel) {
  machine.pageSize = kernel.page_size;
  machine.userTop = parseInt(kernel.user_top, 16) >>> 0;
  machine.pteBits = kernel.pte_bits ?? [];
  machine.frameKinds = kernel.frame_kinds ?? [];
  machine.devices = kernel.devices ?? [];
}

// Whether the PTE value has the bit named so (false for a bit the kernel
// has not).
export function pteHas(value, name) {
  const bit = machine.pteBits.find((b) => b.name === name)?.bit;
  return bit !== undefined && ((value >>> bit) & 1) === 1;
}
