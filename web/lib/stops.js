// The stops of the session, named as the user can recognise them: by what
// the guest stopped at and in which program ("the COW fault in cowtest
// (#18)", #18 being the stop's label in the history strip), never by a
// number alone. The daemon's details name stops by seq ("to stop 18", "17
// steps from stop 325"): stopName() words them. What a stop was comes from
// the daemon's history (learnStops) and, for the program, from the snapshot
// this page showed at it (sawStop).

import { eventLabel } from './format.js';
import { stopKind } from './model.js';

const known = new Map(); // seq → {reason, detail, pid, from, program?}

// The stops of a `history` reply.
export function learnStops(stops) {
  for (const stop of stops) known.set(stop.seq, { ...known.get(stop.seq), ...stop });
}

// A stop this page showed: its status's stop and its snapshot (whose seq is
// the stop's), which names the program of the process running at it (the
// history's pid).
export function sawStop(stop, snapshot) {
  const running = snapshot.processes.find((p) => p.state === 'running');
  const at = running ? { pid: running.pid, program: running.name } : {};
  known.set(snapshot.seq, { ...known.get(snapshot.seq), ...stop, seq: snapshot.seq, ...at });
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
