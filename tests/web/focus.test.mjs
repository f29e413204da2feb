// The event a stop is explained from (web/lib/model.js, stopFocus): the one
// the stop names by seq, wherever the page first saw it. A live sample can
// bring the event before the stop's own snapshot (QEMU stopped at the event,
// the daemon not told yet): the guided demos then said "stopped by something
// else" at the very fork they waited for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stopFocus } from '../../web/lib/model.js';

const fork = { seq: 41, kind: 'fork', pid: 7, child: 8 };
const olderFork = { seq: 30, kind: 'fork', pid: 2, child: 7 };
const stopped = (stop) => ({ guest: 'stopped', stop });

test('a stop that names its event is explained from it, also when a sample brought it first', () => {
  const stop = { reason: 'event', detail: 'fork', event: 41 };
  assert.equal(stopFocus(stopped(stop), [fork], [])?.event, fork, 'in the stop\'s snapshot');
  assert.equal(stopFocus(stopped(stop), [], [olderFork, fork])?.event, fork, 'seen in a sample before');
  assert.equal(stopFocus(stopped(stop), [olderFork], [fork])?.event, fork, 'not an older one of its kind');
});

test('a stop that names no event is at the newest new one of its kind; other stops have none', () => {
  assert.equal(stopFocus(stopped({ reason: 'event', detail: 'fork' }), [olderFork, fork])?.event, fork);
  assert.equal(stopFocus(stopped({ reason: 'reverse_continue', detail: 'fork (event 30, as the first time)' }),
    [olderFork])?.event, olderFork);
  assert.equal(stopFocus(stopped({ reason: 'pause' }), [fork], [fork]), null);
  assert.equal(stopFocus({ guest: 'running' }, [fork], [fork]), null);
});
