// Turning the protocol's values into text, and back.

import { machine } from './machine.js';

// Addresses come as "0x80001000" strings; counts as numbers.
export function num(value) {
  return typeof value === 'number' ? value : parseInt(value, 16) >>> 0;
}

export function hex(value) {
  return '0x' + (num(value) >>> 0).toString(16).padStart(8, '0');
}

export function pageOf(va) {
  return hex(num(va) & ~(machine.pageSize - 1));
}

export function bytes(n) {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}

// "cow_fault() kernel/vm.c:184" from anything with function, file and line.
export function where(loc) {
  if (!loc) return '';
  const fn = loc.function ? `${loc.function}()` : hex(loc.pc);
  return loc.file ? `${fn} ${loc.file}:${loc.line}` : fn;
}

// "cowtest (pid 4)", as the processes table names a process; "pid 4" when
// its program is not known (a process gone).
export const processText = (name, pid) => (name ? `${name} (pid ${pid})` : `pid ${pid}`);

export const PRIVILEGE = { M: 'machine', S: 'supervisor', U: 'user' };

// The kernel's event kinds, as people say them (a kind not here is shown by
// its name: the kinds themselves come from hello).
const EVENT_LABEL = {
  fork: 'fork', exec: 'exec', exit: 'exit', cow_fault: 'COW fault', page_fault: 'page fault',
  syscall: 'syscall', trap: 'trap', switch: 'context switch', mail_send: 'mail sent',
  mail_recv: 'mail received', syscall_ret: 'syscall return',
};
export const eventLabel = (kind) => EVENT_LABEL[kind] ?? kind;

// A daemon's text with the kinds it names by their protocol names
// ("no mail_send event …") named as people say them ("no mail sent event").
export const labelKinds = (text) => text.replace(/\b[a-z]+_[a-z_]+\b/g, (word) => EVENT_LABEL[word] ?? word);
