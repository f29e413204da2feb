// What a kernel event did, in words: one sentence for the stop, and the
// changes it made (the page, frames and processes it touched), all from the
// event's own payload (docs/protocol.md, "events") and the snapshot taken
// right after it. Nothing here comes from a diff, which may span several
// events.

import { num, hex, pageOf, processText } from './format.js';
import { frameOfPa, findPage, procName } from './model.js';

// "cowtest (pid 4)"; "pid 4" when the process is gone.
const who = (snapshot, pid) => processText(procName(snapshot, pid), pid);

function frameText(snapshot, pa) {
  return `frame ${frameOfPa(snapshot, pa)} (${hex(pa)})`;
}

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

// The pages of pid's address space (leaf entries).
function pagesOf(snapshot, pid) {
  return (snapshot.address_spaces[pid]?.tables ?? []).flatMap((t) => t.entries ?? []);
}

// A COW fault: copied into a new frame, or kept in place.
function cowFault(e, snapshot) {
  const page = pageOf(e.va);
  const oldFrame = frameOfPa(snapshot, e.old_pa);
  const newFrame = frameOfPa(snapshot, e.new_pa);
  const before = e.refcount_before;
  if (num(e.old_pa) === num(e.new_pa)) {
    return {
      sentence: `${who(snapshot, e.pid)} wrote to its copy-on-write page ${page}; it was the only holder of ` +
        `frame ${oldFrame} (refcount ${before}), so the kernel kept the frame in place and made the page writable, without a copy.`,
      changes: [
        { text: `page ${page} of pid ${e.pid}: COW, read-only → writable, same frame ${oldFrame}`, page: { pid: e.pid, va: page } },
        { text: `frame ${oldFrame}: kept in place, refcount ${before}`, frame: oldFrame },
      ],
    };
  }
  return {
    sentence: `${who(snapshot, e.pid)} wrote to its copy-on-write page ${page}: the kernel copied ` +
      `${frameText(snapshot, e.old_pa)} into the new ${frameText(snapshot, e.new_pa)} and made the page writable; ` +
      `frame ${oldFrame}'s refcount went ${before} → ${before - 1}.`,
    changes: [
      { text: `page ${page} of pid ${e.pid}: frame ${oldFrame} → ${newFrame}, COW read-only → writable`, page: { pid: e.pid, va: page } },
      { text: `frame ${oldFrame}: refcount ${before} → ${before - 1}`, frame: oldFrame },
      { text: `frame ${newFrame}: new, refcount 1, pid ${e.pid}'s own`, frame: newFrame },
    ],
  };
}

function fork(e, snapshot) {
  const pages = pagesOf(snapshot, e.child);
  const cow = pages.filter((p) => p.cow).length;
  const shared = pages.filter((p) => p.shared).length;
  const also = shared ? `, and ${plural(shared, 'shared-memory page')} ${shared === 1 ? 'stays' : 'stay'} writable and shared` : '';
  return {
    sentence: `${who(snapshot, e.pid)} forked pid ${e.child}: the child got no copies but the same ` +
      `${plural(pages.length, 'frame')} as its parent; ${plural(cow, 'writable page')} became read-only copy-on-write in both${also}.`,
    changes: [
      { text: `pid ${e.child} born, a copy of pid ${e.pid}`, pid: e.child },
      { text: `${plural(cow, 'page')} copy-on-write in pid ${e.pid} and pid ${e.child}`, pid: e.pid },
    ],
  };
}

function exec(e, snapshot) {
  const pages = pagesOf(snapshot, e.pid);
  return {
    sentence: `exec("${e.path}") replaced the address space of pid ${e.pid}: its old page table ${e.old_root} ` +
      `and every frame only it held are freed, and the new table ${e.new_root} maps ` +
      `${plural(pages.length, 'page')} of ${procName(snapshot, e.pid) || e.path}, which starts at ${e.entry}.`,
    changes: [
      { text: `pid ${e.pid}: page table ${e.old_root} → ${e.new_root}`, pid: e.pid },
      { text: `pid ${e.pid} now runs ${e.path}`, pid: e.pid },
    ],
  };
}

function exit(e, snapshot) {
  const p = snapshot.processes.find((q) => q.pid === e.pid);
  const parent = p?.parent ? ` until its parent pid ${p.parent} waits for it` : '';
  return {
    sentence: `${who(snapshot, e.pid)} exited with status ${e.status}: its memory is freed and it stays a zombie${parent}.`,
    changes: [{ text: `pid ${e.pid}: zombie, status ${e.status}`, pid: e.pid }],
  };
}

// Why the page at va could not take the access: not mapped, or mapped without
// the permission.
function faultReason(snapshot, e) {
  const entry = findPage(snapshot, e.pid, pageOf(e.va));
  if (!entry) return 'no page is mapped there';
  const need = { 'store page fault': 'W', 'load page fault': 'R', 'instruction page fault': 'X' }[e.cause];
  return need ? `its page is mapped ${entry.flags}, without ${need}` : `its page is mapped ${entry.flags}`;
}

function pageFault(e, snapshot) {
  return {
    sentence: `${who(snapshot, e.pid)} took a ${e.cause} at ${e.va} (instruction ${e.sepc}): ` +
      `${faultReason(snapshot, e)}, so the kernel kills the process.`,
    changes: [{ text: `pid ${e.pid}: killed by a ${e.cause} at ${e.va}`, pid: e.pid }],
  };
}

function mailSend(e, snapshot) {
  const box = snapshot.mailboxes.find((b) => b.pid === e.to);
  const waiting = box ? `, where ${plural(box.depth, 'message')} now ${box.depth === 1 ? 'waits' : 'wait'}` : '';
  return {
    sentence: `${who(snapshot, e.pid)} sent ${plural(e.len, 'byte')} to ${who(snapshot, e.to)}: the kernel copied ` +
      `them into the receiver's mailbox${waiting}.`,
    changes: [{ text: `mailbox of pid ${e.to}: +1 message from pid ${e.pid} (${plural(e.len, 'byte')})`, pid: e.to }],
  };
}

function mailRecv(e, snapshot) {
  const left = snapshot.mailboxes.find((b) => b.pid === e.pid)?.depth ?? 0;
  return {
    sentence: `${who(snapshot, e.pid)} received ${plural(e.len, 'byte')} from ${who(snapshot, e.from)}: the kernel copied the ` +
      `message out of its mailbox into its memory; ${plural(left, 'message')} left.`,
    changes: [{ text: `mailbox of pid ${e.pid}: −1 message (from pid ${e.from})`, pid: e.pid }],
  };
}

const EXPLAIN = {
  cow_fault: cowFault,
  fork,
  exec,
  exit,
  page_fault: pageFault,
  mail_send: mailSend,
  mail_recv: mailRecv,
  syscall: (e, s) => ({ sentence: `${who(s, e.pid)} made the system call ${e.name ?? e.num}${argOf(e) && ` (${argOf(e)})`}.`, changes: [] }),
  syscall_ret: (e, s) => ({ sentence: `${who(s, e.pid)}'s system call ${e.name ?? e.num} returned ${returnText(e)}.`, changes: [] }),
  trap: (e, s) => ({ sentence: `${who(s, e.pid)} trapped: ${e.cause}, stval ${e.stval}.`, changes: [] }),
  switch: (e, s) => ({ sentence: `The scheduler switched to ${who(s, e.pid)}.`, changes: [] }),
};

// {sentence, changes: [{text, page?: {pid, va}, frame?, pid?}]} for an event,
// told from the snapshot taken at its stop.
export function explainEvent(event, snapshot) {
  const f = EXPLAIN[event.kind];
  return f ? f(event, snapshot) : { sentence: `Event ${event.kind} in pid ${event.pid}.`, changes: [] };
}

// What event did to page {pid, va}, in the words of its changes (as the
// story bar says it), or null when it names no change of that page.
export function eventPageChange(event, snapshot, page) {
  const change = explainEvent(event, snapshot).changes.find((c) => c.page?.pid === page.pid && c.page.va === page.va);
  return change?.text ?? null;
}

// A short line for lists (the timeline): the payload in words.
export function eventSummary(e) {
  switch (e.kind) {
    case 'fork': return `child pid ${e.child}`;
    case 'exec': return `${e.path} · root ${e.old_root} → ${e.new_root}`;
    case 'exit': return `status ${e.status}`;
    case 'cow_fault': return num(e.old_pa) === num(e.new_pa)
      ? `page ${pageOf(e.va)} · kept frame ${hex(e.old_pa)} (refcount ${e.refcount_before})`
      : `page ${pageOf(e.va)} · ${hex(e.old_pa)} → ${hex(e.new_pa)} (refcount ${e.refcount_before} → ${e.refcount_before - 1})`;
    case 'page_fault': return `${e.cause} at ${e.va}`;
    case 'syscall': return [e.name ?? `number ${e.num}`, argOf(e)].filter(Boolean).join(', ');
    case 'syscall_ret': return `${e.name ?? `number ${e.num}`} returns ${returnText(e)}`;
    case 'trap': return `${e.cause}, stval ${e.stval}`;
    case 'switch': return `to pid ${e.pid}`;
    case 'mail_send': return `to pid ${e.to}, ${plural(e.len, 'byte')}`;
    case 'mail_recv': return `from pid ${e.from}, ${plural(e.len, 'byte')}`;
    default: return '';
  }
}

// A syscall event's first argument, named as the kernel names it (the
// daemon's arg0: "fd=1"), "" for a call without arguments, and "a0=1" for
// a call the kernel does not name.
export function argOf(e) {
  return e.arg0 === '' ? '' : `${e.arg0 ?? 'a0'}=${argText(e.a0)}`;
}

// A system call's first argument: small values as numbers (fds, counts),
// others as addresses.
export function argText(value) {
  const v = num(value);
  return v < 0x1000 ? String(v) : hex(v);
}

// What a syscall_ret says the call returned: "5", "-2 ENOENT", "0x00004000".
export function returnText(ret) {
  const v = ret.ret;
  return ret.error ? `${v} ${ret.error}` : v < 0 ? String(v) : argText(v);
}

// The page and frames an event is about, for the views to mark:
// {page: {pid, va} | null, frames: Map(frame → {before, after})}.
export function eventTouches(event, snapshot) {
  const frames = new Map();
  let page = null;
  if (event.kind === 'cow_fault') {
    page = { pid: event.pid, va: pageOf(event.va) };
    const before = event.refcount_before;
    const copied = num(event.old_pa) !== num(event.new_pa);
    frames.set(frameOfPa(snapshot, event.old_pa), { before, after: copied ? before - 1 : before });
    if (copied) frames.set(frameOfPa(snapshot, event.new_pa), { before: 0, after: 1 });
  } else if (event.kind === 'page_fault') {
    page = { pid: event.pid, va: pageOf(event.va) };
  }
  return { page, frames };
}
