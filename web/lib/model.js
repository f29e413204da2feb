// What the views derive from snapshots: per-frame tables, process names, the
// changes since the state shown before, the event history and where a stop
// points to.

import { num, hex, pageOf } from './format.js';
import { machine, pteHas } from './machine.js';

const KIND_LABEL = { free: 'free', kernel: 'kernel', pagetable: 'page table', user: 'user' };
const MAX_EVENTS = 2000;

const tables = new WeakMap();

// Per-frame kind (the value of the kernel's enum frame_kind, machine.js) and
// refcount arrays of a snapshot, plus what its diff says.
export function frameTable(snapshot) {
  let table = tables.get(snapshot);
  if (table) return table;
  const frames = snapshot.frames;
  const kind = new Uint8Array(frames.count).fill(machine.frameKinds.indexOf('free'));
  const refcount = new Uint16Array(frames.count);
  for (const run of frames.runs) {
    const k = machine.frameKinds.indexOf(run.kind);
    const end = Math.min(run.first + run.count, frames.count);
    kind.fill(k, run.first, end);
    refcount.fill(run.refcount, run.first, end);
  }
  const diff = snapshot.diff?.frames;
  table = {
    base: num(frames.base),
    count: frames.count,
    kind,
    refcount,
    // Who maps each frame: all mapped frames in a small snapshot, those
    // asked for (detail.js) in a big one.
    user: new Map((frames.user ?? []).map((u) => [u.frame, u])),
    was: new Map((diff?.refcount ?? []).map((r) => [r.frame, r.before])),
    allocated: new Set(diff?.allocated ?? []),
    freed: new Set(diff?.freed ?? []),
  };
  tables.set(snapshot, table);
  return table;
}

export function frameOfPa(snapshot, pa) {
  return Math.floor((num(pa) - num(snapshot.frames.base)) / machine.pageSize);
}

// Everything known about frame n, or null when it is outside RAM.
export function frameFacts(snapshot, n) {
  const t = frameTable(snapshot);
  if (!(n >= 0 && n < t.count)) return null;
  return {
    frame: n,
    pa: hex(t.base + n * machine.pageSize),
    kind: machine.frameKinds[t.kind[n]],
    refcount: t.refcount[n],
    was: t.was.get(n),
    mappedBy: t.user.get(n)?.mapped_by ?? [],
    allocated: t.allocated.has(n),
    freed: t.freed.has(n),
  };
}

export function frameSummary(f) {
  const was = f.was !== undefined && f.was !== f.refcount ? ` (was ${f.was})` : '';
  const news = f.allocated ? ' · allocated since the last view' : f.freed ? ' · freed since the last view' : '';
  return `frame ${f.frame} · ${f.pa} · ${KIND_LABEL[f.kind]} · refcount ${f.refcount}${was}${news}`;
}

export function procName(snapshot, pid) {
  return snapshot?.processes.find((p) => p.pid === pid)?.name ?? '';
}

// "pid 3 cowtest at 0x00005000 (COW)"
export function ownerText(snapshot, m) {
  return `pid ${m.pid} ${procName(snapshot, m.pid)} at ${m.va}${m.cow ? ' (COW)' : ''}`;
}

// The PTE changes of the last stop for one process, by page VA.
export function pteChanges(snapshot, pid) {
  return new Map((snapshot?.diff?.ptes ?? []).filter((c) => c.pid === pid).map((c) => [pageOf(c.va), c]));
}

// A PTE value's page frame as a physical address (Sv32: PPN in bits 31..10).
export function ptePa(pte) {
  return hex(((num(pte) >>> 10) << 12) >>> 0);
}

// The event history: events come oldest first, only the new ones in each
// snapshot (the whole ring in a connection's first). A batch that starts at or
// before what we know replaces from there on: a reconnect resends the ring, a
// restarted guest counts from 1 again.
export function mergeEvents(history, fresh) {
  if (!fresh.length) return history;
  const first = fresh[0].seq;
  return history.filter((e) => e.seq < first).concat(fresh).slice(-MAX_EVENTS);
}

// The event kind a stop is at, from its detail (reverse_continue stops at an
// event too: "fork (event 76, as the first time)"), else null.
export function stopKind(stop) {
  if (!['event', 'reverse_continue'].includes(stop?.reason)) return null;
  return stop.detail?.match(/^\w+/)?.[0] ?? null;
}

// At a stop on an event, the event it stopped on and, for faults, the page:
// {event, pid, va}. Otherwise null. The event is the one the stop names
// (stop.event, its seq), among the snapshot's events or, should a live
// sample have brought it first, the events seen before (history); a stop
// that names none is at the newest fresh one of its kind.
export function stopFocus(status, fresh, history = []) {
  const kind = status?.guest === 'stopped' ? stopKind(status.stop) : null;
  if (!kind) return null;
  const seq = status.stop.event;
  const named = (e) => e.seq === seq;
  const event = (Number.isInteger(seq) && (fresh.find(named) ?? history.find(named))) ||
    fresh.findLast((e) => e.kind === kind);
  if (!event) return null;
  const fault = event.kind === 'cow_fault' || event.kind === 'page_fault';
  return { event, pid: event.pid, va: fault ? pageOf(event.va) : null };
}

// Which two processes to show side by side for a focus: the one it happened to,
// and its partner (the child of a fork, the other holder of a COW frame, the
// other end of a message, else its parent).
export function focusPair(snapshot, focus) {
  const { event, pid } = focus;
  const alive = (p) => snapshot.processes.some((q) => q.pid === p);
  let partner = { fork: event.child, mail_send: event.to, mail_recv: event.from }[event.kind] ?? null;
  if (event.kind === 'cow_fault') {
    const old = frameFacts(snapshot, frameOfPa(snapshot, event.old_pa));
    partner = old?.mappedBy.find((m) => m.pid !== pid)?.pid ?? null;
  }
  if (partner === null || !alive(partner)) {
    partner = snapshot.processes.find((p) => p.pid === pid)?.parent ?? null;
  }
  return { a: pid, b: alive(partner) ? partner : null };
}

// What changed from the snapshot shown before (prev; null on the first) to
// next, in the shape of the daemon's diff (docs/protocol.md) but since that
// state: the daemon's own diff is since its previous snapshot, which this page
// may never have shown. Nothing is changed or new on a first load.
export function diffSnapshots(prev, next) {
  const diff = {
    since: prev?.seq ?? null,
    processes: { born: [], gone: [], changed: [] },
    ptes: [],
    frames: { allocated: [], freed: [], refcount: [] },
  };
  if (!prev || prev.seq === next.seq) return diff;
  const before = new Map(prev.processes.map((p) => [p.pid, p]));
  const after = new Map(next.processes.map((p) => [p.pid, p]));
  for (const [pid, p] of after) {
    const q = before.get(pid);
    if (!q) diff.processes.born.push(pid);
    else if (q.state !== p.state || q.size !== p.size || q.name !== p.name) diff.processes.changed.push(pid);
  }
  for (const pid of before.keys()) if (!after.has(pid)) diff.processes.gone.push(pid);
  for (const pid of new Set([...before.keys(), ...after.keys()])) diffPtes(diff.ptes, pid, prev, next);
  const a = frameTable(prev);
  const b = frameTable(next);
  const free = machine.frameKinds.indexOf('free');
  for (let f = 0; f < Math.min(a.count, b.count); f++) {
    if (a.kind[f] === free && b.kind[f] !== free) diff.frames.allocated.push(f);
    else if (a.kind[f] !== free && b.kind[f] === free) diff.frames.freed.push(f);
    else if (a.refcount[f] !== b.refcount[f]) diff.frames.refcount.push({ frame: f, before: a.refcount[f], after: b.refcount[f] });
  }
  return diff;
}

// pid's leaves by VA, or null when some of its tables came without their
// entries (not asked for: nothing is known of their changes).
function leaves(snapshot, pid) {
  const tabs = snapshot.address_spaces[pid]?.tables ?? [];
  if (tabs.some((t) => !t.entries)) return null;
  return new Map(tabs.flatMap((t) => t.entries).map((e) => [e.va, num(e.pte)]));
}

function diffPtes(out, pid, prev, next) {
  const a = leaves(prev, pid);
  const b = leaves(next, pid);
  if (!a || !b) return;
  for (const va of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const before = a.get(va) ?? 0;
    const after = b.get(va) ?? 0;
    const changed = before ^ after;
    if (!changed) continue;
    const what = !before || !after ? [before ? 'unmapped' : 'mapped']
      : [...(changed >>> 10 ? ['pa'] : []), ...machine.pteBits.filter(({ bit }) => (changed >>> bit) & 1).map((b) => b.name)];
    out.push({ pid: Number(pid), va, before: hex(before), after: hex(after), what });
  }
}

// A diff with an event's own account of the frames it touched (explain.js,
// eventTouches): at its stop, a frame's "was" is what it was just before the
// event, even when the state shown before is older.
export function withEventFrames(diff, frames) {
  if (!frames.size) return diff;
  const refcount = diff.frames.refcount.filter((r) => !frames.has(r.frame));
  const allocated = diff.frames.allocated.filter((f) => !frames.has(f));
  for (const [frame, { before, after }] of frames) {
    if (before === 0) allocated.push(frame);
    else refcount.push({ frame, before, after });
  }
  return { ...diff, frames: { ...diff.frames, refcount, allocated } };
}

// The COW bit of a PTE value (the kernel's, hello's pte_bits).
export function pteCow(pte) {
  return pteHas(num(pte), 'COW');
}

// The leaf entry of pid's address space at page va, or null.
export function findPage(snapshot, pid, va) {
  for (const table of snapshot.address_spaces[pid]?.tables ?? []) {
    const entry = table.entries?.find((e) => e.va === va);
    if (entry) return entry;
  }
  return null;
}
