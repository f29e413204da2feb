// The detail a big snapshot leaves out (docs/protocol.md, "pages" and
// "frames"), asked for when a view needs it: the entries of a process's page
// tables, kept while the table's hash stays the same (a table with the same
// hash has the same entries), and who maps a frame, good for one snapshot.

import { num } from './format.js';
import { machine } from './machine.js';

const MAX_TABLES = 2048; // tables kept; the oldest go first
// A request the daemon dropped (a viewer over its rate) gets no reply.
const DETAIL_TIMEOUT_MS = 5000;

// At most this many requests in flight: a viewer's burst is 32 messages
// (docs/security.md) and a big process has a table per 4 MiB.
const IN_FLIGHT = 16;

export function createDetail(send) {
  const tables = new Map(); // `${pid}/${l1}/${hash}` -> entries
  let inFlight = 0;
  const waiting = [];
  async function command(cmd, args) {
    if (inFlight >= IN_FLIGHT) await new Promise((go) => waiting.push(go));
    inFlight++;
    try {
      return await send(cmd, args, { timeoutMs: DETAIL_TIMEOUT_MS });
    } finally {
      inFlight--;
      waiting.shift()?.();
    }
  }

  // The kernel half's tables are the same through any process.
  async function table(pid, t) {
    const key = `${t.index >= machine.userTop >>> 22 ? 'kernel' : pid}/${t.index}/${t.hash}`;
    if (!tables.has(key)) {
      const r = await command('pages', { pid, l1: t.index });
      // A reply from a newer snapshot with another hash is not this one's.
      if (!r.ok || r.hash !== t.hash) return t;
      tables.set(key, r.entries);
      if (tables.size > MAX_TABLES) tables.delete(tables.keys().next().value);
    }
    return { ...t, entries: tables.get(key) };
  }

  async function owners(snapshot, n) {
    const r = await command('frames', { from: n, count: 1 });
    return r.ok && r.seq === snapshot.seq ? r.frames[0] : null;
  }

  // The entries of the kernel half's table that maps va, asked for through
  // process pid, when the snapshot lists that table without them.
  async function kernelTable(snapshot, { pid, va }) {
    const ks = snapshot.kernel_space;
    const t = num(va) >= machine.userTop && ks?.tables.find((x) => x.index === num(va) >>> 22);
    if (!t || t.entries) return snapshot;
    const got = await table(pid, t);
    return got === t ? snapshot : { ...snapshot, kernel_space: { ...ks, tables: ks.tables.map((x) => (x === t ? got : x)) } };
  }

  // snapshot with the entries of pids' tables, of the kernel table of the
  // address walked ({pid, va} or null), and the owners of the frames
  // framesOf(filled snapshot) names; the same object when nothing was missing
  // (then without waiting on the daemon). What cannot be had stays out.
  async function fill(snapshot, pids, framesOf = () => [], walked = null) {
    let filled = walked ? await kernelTable(snapshot, walked) : snapshot;
    const missing = [...new Set(pids.filter((p) => p != null).map(String))]
      .filter((pid) => snapshot.address_spaces[pid]?.tables.some((t) => !t.entries));
    if (missing.length) {
      const spaces = { ...filled.address_spaces };
      await Promise.all(missing.map(async (pid) => {
        const tabs = await Promise.all(spaces[pid].tables.map((t) => (t.entries ? t : table(Number(pid), t))));
        spaces[pid] = { ...spaces[pid], tables: tabs };
      }));
      filled = { ...filled, address_spaces: spaces };
    }
    const known = snapshot.frames.user;
    const have = new Set((known ?? []).map((u) => u.frame));
    const wanted = known && !snapshot.frames.partial ? []
      : [...new Set(framesOf(filled))].filter((n) => n >= 0 && n < snapshot.frames.count && !have.has(n));
    if (wanted.length) {
      const got = (await Promise.all(wanted.map((n) => owners(snapshot, n)))).filter((f) => f?.mapped_by.length);
      filled = { ...filled, frames: { ...snapshot.frames, partial: true, user: [...(known ?? []), ...got] } };
    }
    return filled;
  }

  return { fill };
}

// The full snapshot a message stands for: a delta (docs/protocol.md, "base")
// takes the spaces it lists as unchanged from base, the snapshot it is from,
// and base's kernel half when it has none; null when base is not that one
// (then ask for a full one).
export function applyDelta(base, message) {
  if (message.base == null) return message;
  if (base?.seq !== message.base) return null;
  const spaces = { ...message.address_spaces };
  for (const pid of message.unchanged_spaces ?? []) spaces[pid] = base.address_spaces[pid];
  const { unchanged_spaces: _, ...full } = message;
  const kernel = 'kernel_space' in message ? message.kernel_space : base.kernel_space;
  return { ...full, base: null, address_spaces: spaces, kernel_space: kernel ?? undefined };
}
