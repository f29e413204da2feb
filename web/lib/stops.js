// The stops of the session, named as the user can recognise them: by what
// the guest stopped at and in which program ("the COW fault in cowtest
// (#18)", #18 being the stop's label in the history strip), never by a
// number alone. The daemon's details name stops by seq ("to stop 18", "17
// steps from stop 325"): stopName() words them. What a stop was comes from
// the daemon's history (learnStops) and, for the program, from the snapshot
// taken at it, shown live or from the history (sawStop, sawPastStop). The
// stop the guest is at, while it stays there, is the present, never the
// past (pastShown).

import { eventLabel, processText } from './format.js';
import { stopKind } from './model.js';

const known = new Map(); // seq → {reason, detail, pid, from, program?}
let present = null; // the seq of the stop the guest was at when this page last saw it stop

// The stops of a `history` reply.
export function learnStops(stops) {
  for (const stop of stops) known.set(stop.seq, { ...known.get(stop.seq), ...stop });
}

// A stop of the history and its snapshot (whose seq is the stop's), which
// names the program of the process running at it (the history's pid).
export function sawPastStop(stop, snapshot) {
  const running = snapshot.processes.find((p) => p.state === 'running');
  const at = running ? { pid: running.pid, program: running.name } : {};
  known.set(snapshot.seq, { ...known.get(snapshot.seq), ...stop, seq: snapshot.seq, ...at });
}

// The guest's new stop, shown live: its status's stop and its snapshot.
export function sawStop(stop, snapshot) {
  sawPastStop(stop, snapshot);
  present = snapshot.seq;
}

// The seq of the recorded stop shown in place of the present (a stop of the
// history, a guided demo's step gone back to: the snapshot shown is the
// one taken at it), or null when the present is shown: no recorded stop,
// or the very stop the guest is still stopped at.
export function pastShown({ replay, snapshot, status }) {
  if (!replay || !snapshot) return null;
  const stillThere = status?.guest === 'stopped' && snapshot.seq === present;
  return stillThere ? null : snapshot.seq;
}

// Whether a stop names stops this page does not know yet ("to stop 18",
// "17 steps from stop 325"), or goes back to one it cannot trace to the
// stop it was originally: the daemon's history tells them.
export function namesUnknownStops(stop) {
  const named = [...(stop?.detail ?? '').matchAll(/\bstop (\d+)/g)].map((m) => Number(m[1]));
  return named.some((seq) => !known.has(seq)) || wentTo(originOf(stop));
}

// A stop that put the guest back in the state of an earlier one (a rewind,
// a step back onto a stop of the history) is that stop again: the stop it
// was originally, through any number of rewinds.
export function originOf(stop) {
  const seen = new Set();
  let s = stop;
  while (wentTo(s) && !seen.has(s.from) && known.has(s.from)) {
    seen.add(s.from);
    s = known.get(s.from);
  }
  return s;
}
const wentTo = (stop) => stop?.from != null &&
  (stop.reason === 'rewind' || (stop.reason === 'reverse_step' && /^to stop /.test(stop.detail ?? '')));

// What a stop stopped at, as the user saw it.
const AT = {
  start: () => 'QEMU\'s reset',
  pause: () => 'the pause',
  step: () => 'a single step',
  step_line: () => 'a line step',
  breakpoint: (s) => `the breakpoint at ${s.detail}`,
  watchpoint: () => 'the watchpoint',
  exited: () => 'the guest\'s exit',
  event: (s) => `the ${eventLabel(stopKind(s))}`,
  reverse_continue: (s) => `the ${eventLabel(stopKind(s))}`,
  reverse_step: () => 'a step back',
  rewind: () => 'a rewind',
};

// The process running at a stop: "cowtest (pid 3)", "pid 3" when this page
// has not seen the stop's snapshot, "" when none ran (the kernel idle).
export function processAt(seq) {
  const stop = known.get(seq);
  return stop?.pid ? processText(stop.program, stop.pid) : '';
}

// "the COW fault in cowtest (#18)", "a single step in pid 4 (#19)".
export function stopName(seq) {
  const stop = known.get(seq) && originOf(known.get(seq));
  if (!stop) return `an earlier stop (#${seq})`;
  const at = AT[stop.reason]?.(stop) ?? `the ${stop.reason} stop`;
  const where = stop.program ? ` in ${stop.program}` : stop.pid ? ` in pid ${stop.pid}` : '';
  return `${at}${where} (#${seq})`;
}

// A stop's detail with the stops it names named: "to the COW fault in
// cowtest (#18)".
export const nameStops = (detail) => detail.replace(/\bstop (\d+)/g, (_, seq) => stopName(Number(seq)));
