// The kernel's facts the views compute with, as the daemon's hello tells
// them (docs/protocol.md, hello's kernel object, read from the kernel's ELF):
// the page keeps no copy of its own. app.js learns them at hello, before any
// snapshot is drawn.
export const machine = { pageSize: 0, userTop: 0 };

export function learnMachine(kernel) {
  machine.pageSize = kernel.page_size;
  machine.userTop = parseInt(kernel.user_top, 16) >>> 0;
}
