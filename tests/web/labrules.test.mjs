// The lab checklist's rules (web/lib/labrules.js) on small snapshots: a rule
// judges nothing without its subject, holds on a right state, fails on a
// wrong one, and a failure stays failed. The page with the real daemon is
// in lab.test.mjs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RULES, judge } from '../../web/lib/labrules.js';

const leaf = (va, pa, { cow = false, shared = false, flags = 'VRW-U-AD' } = {}) =>
  ({ va, pa, flags, cow, shared });
const snap = (seq, spaces, user) => ({
  seq,
  address_spaces: Object.fromEntries(Object.entries(spaces).map(([pid, entries]) =>
    [pid, { tables: [{ entries }] }])),
  frames: { user },
});
const frame = (pa, refcount, ...pids) =>
  ({ pa, refcount, mapped_by: pids.map((pid) => ({ pid, va: '0x00005000', cow: true })) });

test('refcounts: nothing shared yet, right, wrong, a region', () => {
  const alone = snap(1, { 3: [leaf('0x00005000', '0x80300000')] }, [frame('0x80300000', 1, 3)]);
  assert.equal(RULES.refcounts(alone), null);
  const forked = snap(2, { 3: [leaf('0x00005000', '0x80300000', { cow: true })],
                           4: [leaf('0x00005000', '0x80300000', { cow: true })] },
                     [frame('0x80300000', 2, 3, 4)]);
  assert.equal(RULES.refcounts(forked).ok, true);
  const leaked = snap(3, {}, [frame('0x80300000', 3, 3, 4)]);
  assert.equal(RULES.refcounts(leaked).ok, false);
  assert.match(RULES.refcounts(leaked).why, /refcount 3 but 2 mappings/);
  const region = snap(4, { 3: [leaf('0x40000000', '0x80310000', { shared: true })],
                           4: [leaf('0x40000000', '0x80310000', { shared: true })] },
                      [frame('0x80310000', 3, 3, 4)]);
  assert.equal(RULES.refcounts(region).ok, true, 'a region holds one reference of its own');
});

test('shared: nothing shared, right, made COW, a frame counted wrong', () => {
  assert.equal(RULES.shared(snap(1, { 3: [leaf('0x00005000', '0x80300000')] }, [])), null);
  const two = (opts, refcount) => snap(2, { 3: [leaf('0x40000000', '0x80310000', opts)],
                                            4: [leaf('0x40000000', '0x80310000', opts)] },
                                       [frame('0x80310000', refcount, 3, 4)]);
  assert.equal(RULES.shared(two({ shared: true }, 2)).ok, true);
  assert.equal(RULES.shared(two({ shared: true }, 3)).ok, true);
  assert.match(RULES.shared(two({ shared: true, cow: true, flags: 'VR--U-A-' }, 2)).why, /copy-on-write/);
  assert.equal(RULES.shared(two({ shared: true }, 5)).ok, false);
});

test('judge: waits, holds, and a failure stays', () => {
  const ok = snap(1, { 3: [leaf('0x40000000', '0x80310000', { shared: true })] }, [frame('0x80310000', 1, 3)]);
  const bad = snap(2, { 3: [leaf('0x40000000', '0x80310000', { shared: true, cow: true })] }, []);
  let v = judge(undefined, 'shared', snap(0, {}, []));
  assert.equal(v, undefined);
  v = judge(v, 'shared', ok);
  assert.deepEqual([v.seen, v.failed], [1, undefined]);
  v = judge(v, 'shared', bad);
  assert.equal(v.failed.seq, 2);
  v = judge(v, 'shared', ok);
  assert.equal(v.seen, 3);
  assert.equal(v.failed.seq, 2, 'a failure stays shown after the state is right again');
});
