// Glassbox workbench: wires the connection to the inspector, the page state
// and the views. See docs/protocol.md for the messages.
//
// URL parameters: ?viewer=1 connects read-only; ?token=T presents the control
// token of a daemon that does not bind to loopback only.
//
// For tests and benchmarks: window.glassbox.{snapshot, status, role} and
// lastPaintMs, the time from a snapshot's arrival to the page repainted with it.

import { createStore } from './lib/store.js';
import { connect } from './lib/connection.js';
import { mergeEvents, stopFocus, focusPair, diffSnapshots, withEventFrames } from './lib/model.js';
import { eventTouches } from './lib/explain.js';
import { commandLine } from './lib/cmdline.js';
import { mountState } from './views/state.js';
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
  replay: null, // a guided demo showing a step it recorded: {snapshot, fresh, focus}
  walk: null, // the address walked: {pid, va}
  runToAsked: null, // the last run_to this page sent: {event, syscall}
  room: initialRoom(params), // zoom and projector (views/room.js)
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
const $ = (id) => document.getElementById(id);
// Console input, also read for the program each command line starts.
const typed = commandLine((program) => store.set({ foreground: program }));
function typeIntoConsole(data) {
  typed.feed(data);
  return link.console(data);
}
const ctx = { store, command: link.command, reconnectNow: link.reconnectNow, select, typeIntoConsole };
mountRoom($('room'), ctx);
mountLive($('live'), ctx);
const terminal = mountTerminal($('terminal'), { store, send: typeIntoConsole });
ctx.terminalText = terminal.text;
mountState($('state'), $('banner'), ctx);
mountControls($('controls'), ctx);
mountTabs($('tabs'), ctx);
mountProcesses($('processes'), ctx);
mountAddressSpaces($('tab-memory'), ctx);
mountFrames($('tab-frames'), ctx);
mountMailboxes($('tab-mailboxes'), ctx);
mountTimeline($('tab-timeline'), ctx);
mountCpu($('tab-cpu'), ctx);
mountSource($('tab-source'), ctx);
mountWalk($('tab-walk'), ctx);
mountHelp($('help'), ctx);
mountStory($('story'), ctx);
mountDemos($('demos'), ctx);

const glassbox = {
  get snapshot() { return store.state.snapshot; },
  get status() { return store.state.status; },
  get role() { return store.state.role; },
  terminalText: terminal.text,
  terminalColumns: terminal.columns,
  lastPaintMs: null,
  lastPaintSeq: null,
};
window.glassbox = glassbox;

function onMessage(msg, receivedAt) {
  switch (msg.type) {
    case 'hello':
      store.set({ hello: msg, role: msg.role });
      break;
    case 'status':
      onStatus(msg);
      break;
    case 'snapshot':
      onSnapshot(msg, receivedAt);
      break;
    case 'console':
      terminal.write(msg.data);
      break;
    case 'error':
      store.set({ message: msg.error });
      break;
  }
}

function onStatus(status) {
  // A guest that runs again makes the last stop's new events old news.
  const fresh = status.guest === 'running' ? [] : store.state.fresh;
  store.set({ status, fresh, ...refocus({ ...store.state, status, fresh }) });
}

// The snapshot as the page shows it: its diff is since the state shown before
// (none on a first load), and at an event's stop the frames the event touched
// are told as the event says.
function onSnapshot(message, receivedAt) {
  const s = store.state;
  const fresh = message.events ?? [];
  const focus = stopFocus(s.status, fresh);
  const diff = diffSnapshots(firstLoad ? null : s.snapshot, message);
  const snapshot = { ...message, diff: focus ? withEventFrames(diff, eventTouches(focus.event, message).frames) : diff };
  const next = { ...s, snapshot, fresh, ...keepSelection(snapshot, s) };
  store.set({ snapshot, fresh, replay: null, history: mergeEvents(s.history, fresh), selection: next.selection, page: next.page, ...refocus(next) });
  afterPaint(() => {
    glassbox.lastPaintMs = performance.now() - receivedAt;
    glassbox.lastPaintSeq = snapshot.seq;
  });
}

// A new stop focus selects the processes and page it is about.
function refocus(s) {
  if (s.status?.guest !== 'stopped' || !s.snapshot) return {};
  const focus = stopFocus(s.status, s.fresh);
  if (focus?.event.seq === s.focus?.event.seq) return {};
  if (!focus) return { focus };
  return {
    focus,
    selection: focusPair(s.snapshot, focus),
    ...(focus.va ? { page: { pid: focus.pid, va: focus.va } } : {}),
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
// parent), and so does a page of theirs.
function keepSelection(snapshot, { selection: { a, b }, page }) {
  const alive = (pid) => snapshot.processes.some((p) => p.pid === pid);
  const newest = snapshot.processes.at(-1);
  return {
    selection: alive(a) ? { a, b: alive(b) ? b : null }
      : { a: newest?.pid ?? null, b: alive(newest?.parent) ? newest.parent : null },
    page: page && alive(page.pid) ? page : null,
  };
}

// Runs f once the browser has painted what the current task changed.
function afterPaint(f) {
  requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = f;
    channel.port2.postMessage(null);
  });
}
