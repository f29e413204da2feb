// How the page names stops (web/lib/stops.js): by what the guest stopped at
// and in which program, the same on every page; the stop the guest is still
// at is the present, not the past (issue 9, a teacher's tour).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { learnStops, sawStop, sawPastStop, stopName, processAt, pastShown } from '../../web/lib/stops.js';

const snapshotAt = (seq, running) => ({ seq, processes: running ? [{ pid: 8, name: running, state: 'running' }] : [] });
const cowFault = { seq: 12, reason: 'event', detail: 'cow_fault', pid: 8, from: 1 };
learnStops([{ seq: 1, reason: 'start', detail: 'QEMU waits at reset', pid: 0 }, cowFault]);

test('a past stop is named by what it stopped at, never "at reset: press Run"', () => {
  assert.equal(stopName(1), 'QEMU\'s reset (#1)');
  assert.equal(processAt(1), '', 'no process ran at reset');
});

test('the process of a stop is named by its program once a snapshot of the stop is seen', () => {
  assert.equal(processAt(12), 'pid 8', 'from the history alone');
  sawPastStop(cowFault, snapshotAt(12, 'cowtest'));
  assert.equal(processAt(12), 'cowtest (pid 8)');
  assert.equal(stopName(12), 'the COW fault in cowtest (#12)');
});

test('the stop the guest is still at is the present; a recorded one is the past', () => {
  const stopped = { guest: 'stopped' };
  sawStop({ reason: 'pause' }, snapshotAt(14));
  assert.equal(pastShown({ replay: null, snapshot: snapshotAt(14), status: stopped }), null);
  assert.equal(pastShown({ replay: { historyStop: { seq: 14 } }, snapshot: snapshotAt(14), status: stopped }), null,
    'the present stop shown from the history');
  assert.equal(pastShown({ replay: { historyStop: { seq: 14 } }, snapshot: snapshotAt(14), status: { guest: 'running' } }), 14,
    'once the guest runs on, it is the past');
  assert.equal(pastShown({ replay: { stop: cowFault }, snapshot: snapshotAt(12), status: stopped }), 12, 'a demo step gone back to');
});
