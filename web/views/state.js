// Always in sight: whether the guest runs or where and why it stopped, who we
// are (controller or viewer), the last complaint (under the top bar, in
// full, until the next command or its ×), and a banner when the daemon or
// QEMU is gone.

import { h, fill } from '../lib/dom.js';
import { where, hex, eventLabel } from '../lib/format.js';
import { stopKind } from '../lib/model.js';
import { nameStops, pastShown, stopName } from '../lib/stops.js';

const WHY = {
  pause: 'paused',
  step: 'stepped one instruction',
  step_line: 'stepped one line',
  breakpoint: 'breakpoint',
  watchpoint: 'watchpoint: a write to the watched page',
  event: 'event',
  start: 'at reset: press Run to boot',
  exited: 'the guest has exited',
  rewind: 'rewound',
  reverse_step: 'stepped one instruction back',
  reverse_continue: 'back to the last',
};

// The stops the guest went back in time to (to an earlier stop, to the last
// event of a kind): their detail says where.
export const WENT_BACK = new Set(['rewind', 'reverse_continue']);

// "paused", "event: COW fault", "rewound to the COW fault in cowtest
// (#18)", "back to the last fork (event 76, …)": the event kind a stop is at
// as the "Run to next" menu says it, the stops it names as the user knows
// them (lib/stops.js).
export function stopText(stop) {
  const why = WHY[stop.reason] ?? stop.reason;
  if (!stop.detail) return why;
  const kind = stopKind(stop);
  const detail = nameStops(kind ? eventLabel(kind) + stop.detail.slice(kind.length) : stop.detail);
  return WENT_BACK.has(stop.reason) ? `${why} ${detail}` : `${why}: ${detail}`;
}

// What run_to waits for: "to the next COW fault of cowtest", "… of pid 3",
// or, when no such process is in the latest snapshot, that it waits for one
// first (the hint leads: the line may be cut at its end).
function runToLine(status, snapshot) {
  const kind = runToText(status);
  const live = (p) => p.state !== 'zombie';
  const procs = snapshot?.processes ?? [];
  const program = status.run_to_program;
  if (program) {
    if (!procs.some((p) => p.name === program && live(p))) return `waiting for ${program} to start, then its next ${kind}`;
    return `to the next ${kind} of ${program}`;
  }
  const pid = status.run_to_pid;
  if (!pid) return `to the next ${kind}`;
  const gone = snapshot && !procs.some((p) => p.pid === pid && live(p));
  return `to the next ${kind} of pid ${pid}${gone ? ' (no such process now)' : ''}`;
}

export function mountState(el, banner, { store, act, reconnectNow }) {
  const pill = h('span', { class: 'pill', 'data-testid': 'guest-state' });
  const why = h('span', { class: 'why', 'data-testid': 'stop-why' });
  const loc = h('span', { class: 'where mono', 'data-testid': 'stop-where' });
  const role = h('span', { class: 'role', 'data-testid': 'role' });
  const message = h('span', { 'data-testid': 'message' });
  const dismiss = h('button', {
    class: 'small', text: '×', title: 'Dismiss', 'aria-label': 'dismiss the message', 'data-testid': 'message-dismiss',
    onclick: () => store.set({ message: null }),
  });
  // On a line of its own under the top bar, before the banners: the stop
  // line keeps its room, and nothing under it is covered (the banner's
  // Restart when QEMU is dead, the story bar's buttons).
  const toast = h('div', { class: 'toast', role: 'status', hidden: true }, message, dismiss);
  banner.before(toast);
  const snapError = h('span', { class: 'message', 'data-testid': 'snapshot-error' });
  // Why above where, in a column the height of the pill: at 1280 px the line
  // beside the pill is too short for both side by side.
  const text = h('span', { class: 'stop-text', 'data-testid': 'stop-text' }, why, loc);
  fill(el, pill, text, snapError, role);

  store.on(['status', 'connection', 'snapshot', 'replay'], ({ status, connection, snapshot, replay }) => {
    // running or stopped; else what QEMU is (starting, dead), or unknown.
    const guest = connection !== 'open' || !status ? 'unknown' : status.qemu === 'running' ? status.guest : status.qemu;
    pill.dataset.guest = guest;
    pill.textContent = { unknown: '?', dead: 'QEMU DEAD' }[guest] ?? guest.toUpperCase();
    // A recorded stop shown in place of the present (a stop of the history,
    // views/history.js, where from its snapshot's cpu; a guided demo's step
    // gone back to): the line names that stop as the user knows it (the
    // same on every page, lib/stops.js), marked as the past; the pill stays
    // the guest's. The stop the guest is still at is the present.
    const pastSeq = pastShown({ replay, snapshot, status });
    const past = pastSeq === null ? null : { ...snapshot.cpu, ...(replay.historyStop ?? replay.stop) };
    text.classList.toggle('past', past !== null);
    const stop = past ?? (guest === 'stopped' ? status.stop : null);
    if (past) why.textContent = `past: ${stopName(pastSeq)}`;
    else if (stop) why.textContent = stopText(stop);
    else if (guest === 'running' && status.run_to) why.textContent = runToLine(status, snapshot);
    else why.textContent = '';
    // where() is the pc itself when no kernel function is there (at reset).
    loc.textContent = !stop?.pc ? '' : stop.function ? `${where(stop)} · pc ${hex(stop.pc)}` : `pc ${hex(stop.pc)}`;
    why.title = why.textContent; // in full, where the line cuts it
    loc.title = loc.textContent;
    snapError.textContent = status?.snapshot_error ? `snapshot: ${status.snapshot_error}` : '';
  });

  store.on(['role'], ({ role: r }) => {
    role.dataset.role = r ?? '';
    // (a controller is the usual case: its room on the top line goes to the stop line)
    role.textContent = r === 'viewer' ? 'viewer · read-only' : '';
  });

  store.on(['message'], (s) => {
    message.textContent = s.message ?? '';
    message.title = message.textContent;
    toast.hidden = !s.message;
  });

  // The banner, with a countdown while waiting to reconnect.
  let ticker = null;
  function renderBanner(s) {
    clearTimeout(ticker);
    const content = bannerContent(s, { act, reconnectNow });
    banner.hidden = !content;
    if (!content) return;
    banner.dataset.kind = content.kind;
    fill(banner, content.nodes);
    if (s.connection === 'closed') ticker = setTimeout(() => renderBanner(store.state), 1000);
  }
  store.on(['connection', 'status', 'role'], renderBanner);
  renderBanner(store.state);
}

// "syscall exec", "syscall (any)", "COW fault": the kind the daemon waits
// for and, for system calls, which one (the daemon says, so every viewer
// reads it).
function runToText(status) {
  const kind = status.run_to;
  const label = eventLabel(kind);
  if (kind !== 'syscall') return label;
  return `${label} ${status.run_to_syscall ?? '(any)'}`;
}

function bannerContent(s, { act, reconnectNow }) {
  if (s.connection === 'closed') {
    const secs = Math.max(0, Math.ceil((s.retryAt - Date.now()) / 1000));
    return {
      kind: 'disconnected',
      nodes: [
        h('strong', { text: 'No connection to the inspector.' }),
        ` Reconnecting in ${secs} s (attempt ${s.attempt + 1}). `,
        h('button', { text: 'Reconnect now', onclick: reconnectNow }),
      ],
    };
  }
  if (s.connection === 'connecting') {
    const again = s.attempt > 1;
    return {
      kind: again ? 'disconnected' : 'info',
      nodes: [again ? `Reconnecting to the inspector (attempt ${s.attempt})…` : 'Connecting to the inspector…'],
    };
  }
  if (s.status?.qemu === 'dead') {
    return {
      kind: 'dead',
      nodes: [
        h('strong', { text: 'QEMU has stopped.' }),
        ` ${s.status.message ?? ''} `,
        s.role === 'controller' && h('button', { text: 'Restart the guest', onclick: () => act('restart') }),
      ],
    };
  }
  if (s.status?.qemu === 'starting') return { kind: 'info', nodes: ['QEMU is starting…'] };
  if (s.status?.qemu === 'not responding') {
    return { kind: 'info', nodes: ['QEMU is not responding (stopped, or the machine is overloaded); the inspector waits for it.'] };
  }
  return null;
}
