// The history strip (issue 12): the stops of this session, as the daemon keeps
// them (docs/protocol.md, "History of stops"). Clicking one shows the page as
// it was at that stop, read-only, with the console's last lines of then
// (shift+click another: what changed between the two is marked); "Back to
// live", or the guest's next stop, shows the present again. Reading the
// history never moves the guest, so a viewer may look back on its own; the
// controller may also take the guest back to the stop shown (rewind), and
// run on from there: a branch. The stops a rewind left behind, off the
// guest's way to its present, are dimmed, and a stop that went back to an
// earlier one is marked where its branch starts. A restart (a new QEMU)
// is marked between the stops of the QEMU before and those of the new one:
// those of an earlier QEMU can be looked at, not gone back to.

import { h, fill } from '../lib/dom.js';
import { stopText } from './state.js';
import { learnStops, stopName, processAt, sawPastStop, pastShown } from '../lib/stops.js';

const SHOWN = 40; // the newest stops listed, until "N earlier…" lists them all
const CONSOLE_LINES = 12; // of the console as it was, under a past stop

// "#4 event: COW fault · cowtest (pid 3)", as the stop line said it and the
// processes table names the process running at it (the first stop: "start").
function label(stop) {
  const why = stop.reason === 'start' ? 'start' : stopText(stop);
  const who = processAt(stop.seq);
  return `#${stop.seq} ${why}${who ? ` · ${who}` : ''}`;
}

// The seqs on the guest's way to its present: from the newest stop, each
// stop's `from` back.
function presentWay(stops) {
  const bySeq = new Map(stops.map((s) => [s.seq, s]));
  const way = new Set();
  for (let s = stops.at(-1); s && !way.has(s.seq); s = bySeq.get(s.from)) way.add(s.seq);
  return way;
}

// The index in stops of the newest QEMU's first stop (the one stop of a
// QEMU with no `from`): the stops before it are an earlier QEMU's.
const sessionStart = (stops) => Math.max(0, stops.findLastIndex((s) => s.from === undefined));
const OLD_SESSION = 'from before the restart: an earlier QEMU\'s stop, which the guest cannot go back to (the daemon keeps the states of the running QEMU only)';

// Why the guest cannot go back to stop (not `saved`, docs/protocol.md): an
// earlier QEMU's; the running QEMU's reset, which is never saved (its first
// stop, no `from`); else a stop whose state the daemon dropped.
function notSaved(stop, current) {
  if (stop.seq < current) return OLD_SESSION;
  if (stop.from === undefined) return 'QEMU\'s reset is not saved, so the guest cannot go back to it: Restart boots the guest afresh';
  return 'This stop is no longer kept for going back (the daemon keeps the newest states only)';
}

// showPast(stop, snapshot) and backToLive() are app.js's: they swap what
// every view draws from.
export function mountHistory(el, { store, command, act, showPast, backToLive }) {
  let open = false;
  let stops = [];
  let note = '';
  let consoleThen = ''; // the console up to the stop shown
  let all = false; // every stop listed, not the newest SHOWN only

  async function refresh() {
    const r = await command('history');
    stops = r.ok ? r.stops : [];
    learnStops(stops);
    note = r.ok ? (r.dropped ? `${r.dropped} older stops dropped` : '') : r.error;
    render();
  }

  // The stop shown in place of the present, with what changed since base
  // (a snapshot, or null) marked.
  async function showStop(stop, base) {
    const r = await command('history_get', { seq: stop.seq });
    if (!r.ok) {
      note = r.error;
      return render();
    }
    consoleThen = r.console.split('\n').slice(-CONSOLE_LINES).join('\n');
    sawPastStop(stop, r.snapshot);
    showPast(stop, r.snapshot, base);
  }

  // Shift+click: compare with the stop shown (its changes since it marked).
  // A viewer that looks back by itself no longer follows the teacher.
  function pick(stop, e) {
    if (e.isTrusted && store.state.role === 'viewer') store.set({ follow: false });
    const shown = store.state.replay?.historyStop ? store.state.snapshot : null;
    return showStop(stop, e.shiftKey ? shown : null);
  }

  // The stop seq as the teacher's page shows it (views/classroom.js), with
  // the changes since stop since (or null) marked.
  async function show(seq, since) {
    const listed = () => stops.find((s) => s.seq === seq);
    if (!listed()) await refresh();
    const base = since === null ? null : await command('history_get', { seq: since });
    if (listed()) await showStop(listed(), base?.ok ? base.snapshot : null);
  }

  // What the strip draws from: the same again draws nothing (the chips stay
  // as they are under the pointer).
  let drawn = '';
  function render() {
    const past = store.state.replay?.historyStop ?? null;
    const since = store.state.replay?.since ?? null;
    const now = past && pastShown(store.state) === null; // the stop the guest is still at
    const key = JSON.stringify([open, all, stops, stops.map((stop) => processAt(stop.seq)), note, past?.seq, now, since,
      consoleThen, store.state.role, store.state.connection]);
    if (key === drawn) return;
    drawn = key;
    el.classList.toggle('open', open || past !== null);
    const toggle = h('button', {
      class: 'small', 'data-testid': 'history-toggle', 'aria-expanded': String(open),
      text: open ? 'History ▾' : 'History ▸', title: 'The stops of this session',
      onclick: () => { open = !open; all = false; if (open) refresh(); else render(); },
    });
    const way = presentWay(stops);
    const current = stops[sessionStart(stops)]?.seq ?? 0;
    const shown = all ? stops : stops.slice(-SHOWN);
    const earlier = stops.length - shown.length;
    const chips = open && h('span', { class: 'history-stops', 'data-testid': 'history-stops' },
      earlier > 0 && h('button', {
        class: 'chip history-earlier', 'data-testid': 'history-earlier', text: `${earlier} earlier…`,
        title: `${earlier} older stops of this session are kept too: list them`,
        onclick: showEarlier,
      }),
      shown.map((stop, i) => {
        const before = shown[i - 1] ?? stops[stops.length - shown.length - 1];
        const restarted = before && stop.from === undefined;
        const branch = !restarted && stop.from !== undefined && before && stop.from !== before.seq;
        const old = stop.seq < current;
        const off = !old && !way.has(stop.seq);
        return [
          restarted && h('span', {
            class: 'history-restarted', 'data-testid': 'history-restarted', text: '⟲ restarted',
            title: `a new QEMU from here on (${new Date(stop.time_ms).toLocaleTimeString()}): the stops before are the QEMU's before`,
          }),
          h('button', {
            class: `chip history-stop${stop.seq === past?.seq ? ' shown' : ''}${off ? ' off-way' : ''}${old ? ' old-session' : ''}${branch ? ' branch' : ''}`,
            text: `${branch ? '↶ ' : ''}${label(stop)}`,
            dataset: { seq: String(stop.seq), ...(branch ? { from: String(stop.from) } : {}) },
            title: [new Date(stop.time_ms).toLocaleTimeString(),
              branch && `a branch: the guest went back to ${stopName(stop.from)} and on from there`,
              off && 'a rewind left this stop: it is not on the guest\'s way to now',
              old && OLD_SESSION,
              'shift+click: what changed since the stop shown'].filter(Boolean).join(' · '),
            onclick: (e) => pick(stop, e),
          })];
      }));
    const listed = past && stops.find((s) => s.seq === past.seq);
    const controller = store.state.role === 'controller' && store.state.connection === 'open';
    const before = past && past.seq < current;
    const rewind = past && controller && h('button', {
      class: 'small', 'data-testid': 'history-rewind', text: `⟲ Rewind the guest to #${past.seq}`,
      disabled: !listed?.saved,
      title: listed?.saved ? 'The guest goes back to this stop (RAM, CPU, devices, disk) and waits there: run on from it'
        : notSaved(listed ?? past, current),
      onclick: () => act('rewind', { to: past.seq }),
    });
    fill(el, toggle, chips,
      past && h('span', { class: 'history-note', 'data-testid': 'history-note', role: 'status' },
        `${stopName(past.seq)}${now ? ', the stop the guest is at now' : ' as it was'} (read-only)`,
        h('span', { 'data-testid': 'history-since', text: since !== null ? `, changes since #${since} marked` : '' }),
        before ? `, ${OLD_SESSION}. ` : now ? '. ' : '; the guest has not moved. ',
        h('button', { class: 'small', 'data-testid': 'history-live', text: '● Back to live', onclick: backToLive }),
        rewind && ' ', rewind),
      past && h('details', { class: 'history-console' },
        h('summary', { text: 'Console then' }),
        h('pre', { class: 'mono', 'data-testid': 'history-console', text: consoleThen })),
      note && h('span', { class: 'dim', text: note }));
    // In view: the stop shown, else the newest.
    if (chips) chips.scrollTop = chips.querySelector('.shown')?.offsetTop ?? chips.scrollHeight;
  }

  // Every stop listed, the oldest in view.
  function showEarlier() {
    all = true;
    render();
    el.querySelector('.history-stops').scrollTop = 0;
  }

  // A new stop adds to the list (a live sample is no stop: the chips stay
  // as they are under the pointer); leaving or entering the past redraws.
  store.on(['snapshot'], ({ snapshot }) => { if (open && !snapshot?.sample) refresh(); });
  store.on(['replay', 'role', 'connection', 'status'], render);
  render();
  return { show };
}
