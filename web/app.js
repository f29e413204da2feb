// Glassbox workbench: wires the connection to the inspector, the page state
// and the views. See docs/protocol.md for the messages.
//
// URL parameters: ?viewer=1 connects read-only; ?token=T presents the control
// token of a daemon that does not bind to loopback only.
//
// For tests and benchmarks: window.glassbox.{snapshot, status, role} and
// lastPaintMs, the time from a snapshot's arrival to the page repainted with it
// (lastPaintAt: when, on performance.now()'s clock).

import { createStore } from './lib/store.js';
import { connect } from './lib/connection.js';
import { mergeEvents, stopFocus, focusPair, diffSnapshots, withEventFrames, frameOfPa, findPage } from './lib/model.js';
import { createDetail, applyDelta } from './lib/detail.js';
import { learnMachine } from './lib/machine.js';
import { eventTouches } from './lib/explain.js';
import { commandLine } from './lib/cmdline.js';
import { learnStops, sawStop, originOf, namesUnknownStops, nameStops } from './lib/stops.js';
import { eventLabel, labelKinds } from './lib/format.js';
import { mountState, WENT_BACK } from './views/state.js';
import { mountControls } from './views/controls.js';
import { mountTerminal } from './views/terminal.js';
import { mountTabs } from './views/tabs.js';
import { mountProcesses } from './views/processes.js';
import { mountAddressSpaces } from './views/addrspace.js';
import { mountFrames } from './views/frames.js';
import { mountMailboxes } from './views/mailboxes.js';
import { mountTimeline } from './views/timeline.js';
import { mountCpu } from './views/cpu.js';
import { mountSource } from './views/source.js';
import { mountWalk } from './views/walk.js';
import { mountHelp } from './views/help.js';
import { mountStory } from './views/story.js';
import { mountDemos } from './views/demos.js';
import { mountRoom, initialRoom } from './views/room.js';
import { mountLab } from './views/lab.js';
import { mountHistory } from './views/history.js';
import { mountClassroom } from './views/classroom.js';
import { mountLive } from './views/live.js';

const params = new URLSearchParams(location.search);

const store = createStore({
  connection: 'connecting', attempt: 0, retryAt: 0, // the WebSocket
  hello: null, role: null, status: null, message: null, // what the daemon said
  snapshot: null, fresh: [], history: [], // the latest snapshot, its new events, all events
  focus: null, // what the last stop points at: {event, pid, va}
  selection: { a: null, b: null }, // the processes shown side by side
  page: null, frame: null, event: null, // the page {pid, va}, frame and event seq picked
  tab: 'memory', help: false, sourceFrame: 0, // the backtrace frame the source view shows
  foreground: null, // the program of the last command line typed at the console
  replay: null, // a recorded state shown: a guided demo's step {stop}, a stop of the history {historyStop}
  demoView: null, // the guided demo as its bar shows it (views/demos.js), the teacher's on a viewer
  walk: null, // the address walked: {pid, va}
  runToChoice: { event: 'fork', syscall: '', whose: 'foreground' }, // "Run to next"'s menus (views/controls.js)
  room: initialRoom(params), // zoom and projector (views/room.js)
  follow: true, control: null, // a viewer follows the teacher; why we lost control (views/classroom.js)
});

const link = connect({
  role: params.has('viewer') ? 'viewer' : 'controller',
  token: params.get('token'),
  onState(patch) {
    store.set(patch);
    if (patch.connection !== 'open') return;
    // The daemon sends its latest snapshot after hello (taken at the last stop,
    // stale if the guest runs since), then ours comes: both are the first load.
    firstLoad = true;
    link.command('snapshot').then(() => { firstLoad = false; });
  },
  onMessage,
});

let firstLoad = true; // until the reply to the snapshot asked for on connecting
let live = null; // the present, while a stop of the history is shown (showPast)
const $ = (id) => document.getElementById(id);
// Console input, also read for the program each command line starts.
// The programs started at the console, each with the guest's ticks when its
// line was typed: going back in time undoes the lines typed since
// (programsUntil).
let typedPrograms = [];
// A new program at the console is what "Run to next" is about again, whatever
// process its menu named before (a pid of the last program, any process). A
// line recalled from the console's history is read as the screen shows it
// (the guest echoes it only while it runs: else the program is not known).
const typed = commandLine((program) => {
  if (store.state.status?.qemu !== 'running') return; // (no guest to read it)
  const started = program ?? programOnScreen();
  typedPrograms.push({ program: started, ticks: store.state.snapshot?.ticks ?? 0 });
  store.set({
    foreground: started,
    ...(started ? { runToChoice: { ...store.state.runToChoice, whose: 'foreground' } } : {}),
  });
});
function programOnScreen() {
  if (store.state.status?.guest !== 'running') return null;
  const word = /^\$ +(\S+)/.exec(terminal.cursorLine())?.[1];
  return word ? word.split('/').at(-1) : null;
}
// The guest back at ticks: the program in the foreground then.
function programsUntil(ticks) {
  typedPrograms = typedPrograms.filter((p) => p.ticks < ticks);
  return typedPrograms.at(-1)?.program ?? null;
}
function typeIntoConsole(data) {
  typed.feed(data);
  return link.console(data);
}
const detail = createDetail(link.command);
// The commands the buttons send, named as the buttons say them.
const COMMAND_NAME = {
  continue: 'Run', pause: 'Pause', step: 'Step', reverse_step: 'Step back', step_line: 'Step line',
  run_to: 'Run to next', reverse_continue: 'Back to the last', break: 'Break', unbreak: 'Remove the breakpoint',
  unwatch: 'Remove the watch', restart: 'Restart', rewind: 'Rewind',
};
// "Run to next COW fault", "Back to the last fork", "Step back".
function commandName(cmd, args) {
  const name = COMMAND_NAME[cmd] ?? cmd;
  return args?.event ? `${name} ${eventLabel(args.event)}` : name;
}
// A command a button sends: the last complaint goes, a refusal is the new
// one, the stops it names named as the history strip names them.
async function act(cmd, args) {
  store.set({ message: null });
  const reply = await link.command(cmd, args);
  if (!reply.ok) store.set({ message: `${commandName(cmd, args)}: ${labelKinds(nameStops(reply.error))}` });
  return reply.ok;
}
const ctx = { store, command: link.command, act, reconnectNow: link.reconnectNow, select, typeIntoConsole };
mountRoom($('room'), ctx);
mountLive($('live'), ctx);
const terminal = mountTerminal($('terminal'), { store, send: typeIntoConsole });
ctx.terminalText = terminal.text;
mountState($('state'), $('banner'), ctx);
mountControls($('controls'), $('controls-end'), ctx);
mountTabs($('tabs'), ctx);
mountProcesses($('processes'), ctx);
mountAddressSpaces($('tab-memory'), ctx);
mountFrames($('tab-frames'), ctx);
mountMailboxes($('tab-mailboxes'), ctx);
mountTimeline($('tab-timeline'), ctx);
mountCpu($('tab-cpu'), ctx);
mountSource($('tab-source'), ctx);
mountWalk($('tab-walk'), ctx);
mountLab($('tab-lab'), ctx);
mountHelp($('help'), ctx);
mountStory($('story'), ctx);
mountDemos($('demos'), ctx);
const history = mountHistory($('history'), { ...ctx, showPast, backToLive });
const classroom = mountClassroom($('classroom'), $('control-banner'), { store, link, history, backToLive });

const glassbox = {
  get snapshot() { return store.state.snapshot; },
  get status() { return store.state.status; },
  get role() { return store.state.role; },
  get events() { return store.state.history; }, // every event the page has heard of
  terminalText: terminal.text,
  terminalColumns: terminal.columns,
  lastPaintMs: null,
  lastPaintAt: null,
  lastPaintSeq: null,
};
window.glassbox = glassbox;

function onMessage(msg, receivedAt) {
  switch (msg.type) {
    case 'hello':
      learnMachine(msg.kernel);
      store.set({ hello: msg, role: msg.role });
      break;
    case 'status':
      onStatus(msg);
      break;
    case 'snapshot': {
      // Applied as it comes, so that the next delta finds its base.
      const full = applyDelta(lastFull, msg);
      if (full) {
        lastFull = full;
        onSnapshot(full, receivedAt, takeHeld());
      } else {
        showHeld();
        resync(); // not from the snapshot this page has
      }
      break;
    }
    case 'console':
      terminal.write(msg.data);
      break;
    case 'events': // at hello: the newest events, before the catch-up snapshot
      store.set({ history: mergeEvents(store.state.history, msg.events) });
      break;
    case 'view':
      classroom.onView(msg.view);
      break;
    case 'error':
      store.set({ message: msg.error });
      break;
  }
}

// What a status changes in state s, the focus included.
function statusPatch(status, s) {
  const patch = statusFacts(status, s);
  return { ...patch, ...refocus({ ...s, ...patch }) };
}
// The same but the focus: a stop shown with its snapshot is focused on in
// that snapshot (showSnapshot), not in the one shown before it (where the
// processes of a rewind's stop may be gone).
function statusFacts(status, s) {
  // A guest that runs again makes the last stop's new events old news.
  const fresh = status.guest === 'running' ? [] : s.fresh;
  // A new QEMU (a restart), or none: the program last typed runs no more.
  const was = s.status;
  const newQemu = status.qemu !== 'running' || (was && was.qemu_pid !== status.qemu_pid);
  if (newQemu) typedPrograms = [];
  // (the frame picked too: it was the old QEMU's)
  return { status, fresh, ...(newQemu ? { foreground: null, frame: null } : {}) };
}

// A new stop's status comes just before its snapshot (the daemon sends them
// back to back): the page shows the two at once, one render and one layout
// instead of two (the first of which held the snapshot back). A stop with no
// snapshot (the guest exited, or could not be read) is shown on its own after
// HOLD_MS.
const HOLD_MS = 50;
let held = null; // {status, timer}: a stop's status waiting for its snapshot

const sameStop = (a, b) => a?.guest === 'stopped' && b?.guest === 'stopped' &&
  ['reason', 'pc', 'detail', 'from'].every((k) => a.stop?.[k] === b.stop?.[k]);

function onStatus(status) {
  showHeld();
  if (status.guest === 'stopped' && status.qemu === 'running' && !sameStop(status, store.state.status)) {
    held = { status, timer: setTimeout(showHeld, HOLD_MS) };
    return;
  }
  store.set(statusPatch(status, store.state));
}

// The status held for a snapshot, taken (null if none).
function takeHeld() {
  const h = held;
  held = null;
  if (h) clearTimeout(h.timer);
  return h?.status ?? null;
}
function showHeld() {
  const status = takeHeld();
  if (status) store.set(statusPatch(status, store.state));
}

// A stop that names earlier stops (a rewind's "to stop 12") is worded and
// told as those stops were (lib/stops.js): the daemon's history is asked
// for them, before the stop is shown, when this page has not seen them.
async function learnNamedStops(status) {
  if (status?.guest !== 'stopped' || !namesUnknownStops(status.stop)) return;
  const reply = await link.command('history');
  if (reply.ok) learnStops(reply.stops);
}
// What a status's stop focuses on (model.js, stopFocus); a rewind's is that
// of the stop it went back to, as that stop was originally.
function focusOf(status, fresh, history) {
  return stopFocus(status?.stop ? { ...status, stop: originOf(status.stop) } : status, fresh, history);
}

// The processes whose pages a state shows, and the frames whose owners.
function shownPids(s, snapshot, event) {
  const newest = snapshot.processes.at(-1);
  return [s.selection.a, s.selection.b, s.page?.pid, s.walk?.pid, event?.pid, event?.child,
    event?.to, event?.from, newest?.pid, newest?.parent, onCpu(snapshot)?.pid];
}

function shownFrames(s, event) {
  return (snapshot) => {
    const entry = s.page && findPage(snapshot, s.page.pid, s.page.va);
    return [s.frame, entry?.pa, event?.old_pa, event?.new_pa]
      .map((f) => (typeof f === 'string' ? frameOfPa(snapshot, f) : f)).filter((f) => f != null);
  };
}

// A big snapshot comes without some page tables and frame owners
// (detail.js); what the page shows is asked for before it is drawn. arrivals
// counts snapshots: detail that comes after a newer snapshot is dropped.
let arrivals = 0;
let lastFull = null; // the latest snapshot as the daemon sent it, in full

// The daemon's latest snapshot in full, over REST: the next delta is from it.
async function resync() {
  const reply = await fetch(new URL('/api/snapshot', location.href)).catch(() => null);
  const full = reply?.ok ? await reply.json() : null;
  if (full && !(lastFull?.seq >= full.seq)) {
    lastFull = full;
    onSnapshot(full, performance.now());
  }
}
// The events of the snapshots that came since the one shown last, merged in
// the order they came: a snapshot a newer one overtook (while its detail
// was asked for) is never shown, and its events come with the next one
// shown, as new since the state shown before.
let unshownEvents = [];
// status: the stop's, held for this snapshot (or null).
async function onSnapshot(message, receivedAt, status = null) {
  unshownEvents = mergeEvents(unshownEvents, message.events ?? []);
  const mine = ++arrivals;
  const first = firstLoad; // as it was when the snapshot came
  const now = status ? { ...store.state, status } : store.state;
  await learnNamedStops(now.status);
  const event = focusOf(now.status, message.events ?? [], now.history)?.event;
  const filled = await detail.fill(message, shownPids(now, message, event), shownFrames(now, event), now.walk);
  if (mine === arrivals) showSnapshot(filled, receivedAt, first, status);
  else if (status) store.set(statusPatch(status, store.state)); // a newer snapshot came
}

// A view that picks another process, page or frame gets its detail.
store.on(['selection', 'page', 'walk', 'frame'], async (s) => {
  const shown = s.snapshot;
  if (!shown || s.replay) return;
  const filled = await detail.fill(shown, shownPids(s, shown, s.focus?.event), shownFrames(s, s.focus?.event), s.walk);
  if (filled !== shown && store.state.snapshot === shown) store.set({ snapshot: filled });
});

// The snapshot as the page shows it: its diff is since the state shown before
// (none on a first load, nor after the guest went back in time: that state
// is another time's), and at an event's stop the frames the event touched
// are told as the event says.
function showSnapshot(message, receivedAt, first, status) {
  const withStatus = status ? statusFacts(status, store.state) : {};
  const s = { ...store.state, ...withStatus };
  const fresh = unshownEvents;
  unshownEvents = [];
  if (s.replay?.historyStop && message.sample) {
    // A past stop is shown: the present moves on behind it (only a stop
    // brings the page back to live, so the history can be read while the
    // guest runs).
    live = { ...live, snapshot: { ...message, diff: diffSnapshots(live.snapshot, message) }, fresh };
    store.set({ ...withStatus, history: mergeEvents(s.history, fresh) });
    return;
  }
  if (s.status?.guest === 'stopped' && !message.sample) sawStop(s.status.stop, message);
  const focus = focusOf(s.status, fresh, s.history);
  // Shown in place of the present, a stop of the history is not what changed.
  const shown = s.replay?.historyStop ? live?.snapshot : s.snapshot;
  live = null;
  const jumped = WENT_BACK.has(s.status?.stop?.reason);
  const diff = diffSnapshots(first || jumped ? null : shown, message);
  const snapshot = { ...message, diff: focus ? withEventFrames(diff, eventTouches(focus.event, message).frames) : diff };
  const kept = keepSelection(snapshot, s);
  if (['pause', 'breakpoint', 'watchpoint'].includes(s.status?.stop?.reason) && !message.sample) {
    kept.selection = withOnCpu(snapshot, kept.selection);
  }
  const next = { ...s, snapshot, fresh, ...kept };
  store.set({
    ...withStatus, ...(jumped ? { foreground: programsUntil(snapshot.ticks) } : {}), snapshot, fresh, replay: null, history: mergeEvents(s.history, fresh), ...kept, ...refocus(next),
  });
  afterPaint(() => {
    glassbox.lastPaintAt = performance.now();
    glassbox.lastPaintMs = glassbox.lastPaintAt - receivedAt;
    glassbox.lastPaintSeq = snapshot.seq;
  });
}

// A stop of the daemon's history shown in place of the present (views/
// history.js): every view draws the snapshot of then, with what changed
// since base marked (another stop, to compare two; null: nothing marked);
// the present is kept in live to go back to. The guest's next stop shows
// the present again (onSnapshot).
function showPast(stop, message, base = null) {
  const s = store.state;
  if (!s.replay?.historyStop) live = { snapshot: s.snapshot, fresh: s.fresh, focus: s.focus, selection: s.selection, page: s.page };
  const fresh = message.events ?? [];
  const focus = focusOf({ guest: 'stopped', stop }, fresh);
  const snapshot = { ...message, diff: diffSnapshots(base, message) };
  const next = { ...s, snapshot, fresh, ...keepSelection(snapshot, s) };
  store.set({
    snapshot, fresh, focus, selection: focus ? focusPair(snapshot, focus) : next.selection,
    page: focus?.va ? { pid: focus.pid, va: focus.va } : next.page, replay: { historyStop: stop, since: base?.seq ?? null },
  });
}
function backToLive() {
  if (!store.state.replay?.historyStop) return;
  store.set({ ...live, replay: null });
  live = null;
}

// The same event of the kernel: after a restart the kernel numbers its
// events from 1 again, so a seq alone may be another's.
const sameEvent = (a, b) => a === b || (a && b && ['seq', 'kind', 'pid', 'tick'].every((k) => a[k] === b[k]));

// A new stop focus selects the processes and page it is about.
function refocus(s) {
  if (s.status?.guest !== 'stopped' || !s.snapshot) return {};
  const focus = focusOf(s.status, s.fresh, s.history);
  if (sameEvent(focus?.event, s.focus?.event)) return {};
  if (!focus) return { focus };
  // The page shown is the event's, or one of the processes it is about:
  // never a page of a process the stop is not about.
  const selection = focusPair(s.snapshot, focus);
  const about = s.page && [selection.a, selection.b].includes(s.page.pid);
  return {
    focus,
    selection,
    page: focus.va ? { pid: focus.pid, va: focus.va } : about ? s.page : null,
  };
}

// Show pid (or nothing: null) in the left ('a') or right ('b') address-space
// pane; if it was in the other one, the two swap.
function select(pid, slot) {
  const current = store.state.selection;
  const other = slot === 'a' ? 'b' : 'a';
  const swap = pid !== null && current[other] === pid;
  store.set({ selection: { [slot]: pid, [other]: swap ? current[slot] : current[other] } });
}

// Processes that are gone leave the view (with none left, the newest and its
// parent), and so does a page of theirs and an address walked in them. A
// pair chosen that way (auto) is chosen again at each snapshot until one is
// picked (or a stop picks one): after a restart, init alone is the newest
// for a moment, then sh.
function keepSelection(snapshot, { selection: { a, b, auto }, page, walk }) {
  const alive = (pid) => snapshot.processes.some((p) => p.pid === pid);
  const newest = snapshot.processes.at(-1);
  return {
    selection: alive(a) && !auto ? { a, b: alive(b) ? b : null }
      : { a: newest?.pid ?? null, b: alive(newest?.parent) ? newest.parent : null, auto: true },
    page: page && alive(page.pid) ? page : null,
    walk: walk && alive(walk.pid) ? walk : null,
  };
}

// The process on the CPU, if one is (not at a stop in the scheduler).
const onCpu = (snapshot) => snapshot.processes.find((p) => p.state === 'running');

// At a pause, a breakpoint or a watchpoint the process on the CPU is in
// view: in the left pane, unless one pane shows it already (a step stays
// with the panes as they are).
function withOnCpu(snapshot, selection) {
  const pid = onCpu(snapshot)?.pid;
  if (pid == null || pid === selection.a || pid === selection.b) return selection;
  return { a: pid, b: selection.a };
}

// Runs f once the browser has painted what the current task changed.
function afterPaint(f) {
  requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = f;
    channel.port2.postMessage(null);
  });
}
