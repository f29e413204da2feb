// The Sv32 walk of web/lib/walk.js in the kernel half: through the kernel's
// tables (the snapshot's kernel_space), from the process's root; and where
// the daemon found the process's root entry not the kernel's, that entry and
// no walk. (The page test of the real thing is in views.test.mjs.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { walk, kernelHalfNote } from '../../web/lib/walk.js';
import { learnMachine } from '../../web/lib/machine.js';

// As the daemon's hello says (its kernel object).
const HELLO = {
  page_size: 4096, user_top: '0x80000000',
  pte_bits: [...'VRWXUGAD'].map((name, bit) => ({ name, bit })).concat([{ name: 'COW', bit: 8 }, { name: 'shared', bit: 9 }]),
  frame_kinds: ['free', 'kernel', 'pagetable', 'user'],
  devices: [{ name: 'uart', pa: '0x10000000', va: '0xf0000000', size: '0x00001000' }],
};
learnMachine(HELLO);

const kernelSpace = {
  root: '0x800c3000',
  tables: [{ index: 512, va: '0x80000000', pte: '0x20031401', table: '0x800c5000', pages: 2,
    entries: [{ index: 0, va: '0x80000000', pa: '0x80000000', pte: '0x200000eb', flags: 'VR-X-GAD' }] }],
  superpages: [{ index: 513, va: '0x80400000', pa: '0x80400000', pte: '0x201000e7', flags: 'VRW--GAD' }],
  errors: [],
};
const space = { root: '0x800d6000', tables: [], superpages: [], errors: [] };
// The kernel's device page (docs/memory-map.md): 0xf0000000 maps the UART.
kernelSpace.tables.push({ index: 960, va: '0xf0000000', pte: '0x20031001', table: '0x800c4000', pages: 1,
  entries: [{ index: 0, va: '0xf0000000', pa: '0x10000000', pte: '0x040000c7', flags: 'VRW--GAD' }] });

test('a kernel address is walked through the kernel half, from the process\'s root', () => {
  const text = walk(space, '0x80000010', kernelSpace);
  assert.equal(text.fault, null);
  assert.equal(text.pa, '0x80000010');
  assert.equal(text.kernel, true);
  assert.deepEqual(text.steps.map((s) => s.address), ['0x800d6800', '0x800c5000']);
  const mega = walk(space, '0x80401234', kernelSpace);
  assert.equal(mega.pa, '0x80401234');
  assert.equal(mega.steps.length, 1, 'a megapage ends the walk at L1');
  assert.match(walk(space, '0xe0000000', kernelSpace).fault, /L1\[896\] is not valid/);
  assert.match(walk(space, '0x80001000', kernelSpace).fault, /L0\[1\] is not valid/);
});

test('a root entry of the kernel half that is not the kernel\'s stops the walk there', () => {
  const alien = { ...space, errors: [{ index: 513, va: '0x80400000', pte: '0x0000000f', problem: 'not the kernel\'s entry: ...' }] };
  const r = walk(alien, '0x80401234', kernelSpace);
  assert.equal(r.pa, null);
  assert.match(r.fault, /^L1\[513\] is not the kernel's entry/);
  assert.equal(r.steps[0].pte, '0x0000000f');
  assert.equal(walk(alien, '0x80000010', kernelSpace).pa, '0x80000010', 'the other entries still walk');
});

test('a user address does not use the kernel half', () => {
  assert.match(walk(space, '0x00001000', kernelSpace).fault, /L1\[0\] is not valid/);
  assert.match(walk(space, '0x80000010', undefined).fault, /not made its page table/);
});

test('where the kernel half starts is what hello says, not a constant of the page', () => {
  learnMachine({ ...HELLO, user_top: '0x40000000' });
  try {
    assert.equal(walk(space, '0x50000000', kernelSpace).kernel, true);
  } finally {
    learnMachine(HELLO);
  }
  assert.equal(walk(space, '0x50000000', kernelSpace).kernel, false);
});

test('a kernel address that maps a device is the device, not a frame', () => {
  const uart = walk(space, '0xf0000004', kernelSpace);
  assert.equal(uart.pa, '0x10000004');
  assert.match(uart.device, /UART/);
  assert.equal(walk(space, '0x80000010', kernelSpace).device, null, 'RAM is no device');
  learnMachine({ ...HELLO, devices: [{ name: 'uart2', pa: '0x10000000', va: '0xf0000000', size: '0x00001000' }] });
  try {
    assert.equal(walk(space, '0xf0000004', kernelSpace).device, 'the device "uart2"', 'the devices are the kernel\'s, as hello lists them');
  } finally {
    learnMachine(HELLO);
  }
});

test('the kernel half\'s note: mapped in every process, or where the walk fails', () => {
  assert.match(kernelHalfNote(walk(space, '0x80000010', kernelSpace)), /every process's root table holds the same entries/);
  const unmapped = kernelHalfNote(walk(space, '0xe0000000', kernelSpace));
  assert.match(unmapped, /the walk fails at L1\[896\]/);
  assert.doesNotMatch(unmapped, /holds the same entries|runs in any address space/);
  assert.match(kernelHalfNote(walk(space, '0x80001000', kernelSpace)), /the walk fails at L0\[1\]/);
  const alien = { ...space, errors: [{ index: 513, va: '0x80400000', pte: '0x0000000f', problem: 'not the kernel\'s entry: ...' }] };
  assert.match(kernelHalfNote(walk(alien, '0x80401234', kernelSpace)), /root entry L1\[513\] is not the kernel's: the walk fails there/);
  assert.equal(kernelHalfNote(walk(space, '0x00001000', kernelSpace)), null, 'a user address has no kernel note');
});

test('a PTE\'s bits are those hello names: a kernel with COW at bit 9 is read so', async () => {
  const { pteCow, diffSnapshots } = await import('../../web/lib/model.js');
  const { pteBitList } = await import('../../web/lib/walk.js');
  const hardware = [...'VRWXUGAD'].map((name, bit) => ({ name, bit }));
  const kernel = HELLO;
  const leaf = (pte) => ({ address_spaces: { 3: { tables: [{ entries: [{ va: '0x00001000', pte }] }] } },
    processes: [{ pid: 3 }], frames: { base: '0x80000000', count: 0, runs: [] }, seq: pte });
  try {
    learnMachine({ ...kernel, pte_bits: [...hardware, { name: 'COW', bit: 9 }, { name: 'shared', bit: 8 }] });
    assert.equal(pteCow('0x00000215'), true, 'bit 9 is COW');
    assert.equal(pteCow('0x00000115'), false, 'bit 8 is shared here');
    assert.deepEqual(pteBitList().slice(8).map((b) => [b.name, b.bit]), [['COW', 9], ['shared', 8]]);
    assert.match(pteBitList()[8].says, /^Copy-on-write/);
    const changed = diffSnapshots(leaf('0x00000217'), leaf('0x00000017')).ptes[0];
    assert.deepEqual(changed.what, ['COW'], 'the bit that went is named by the kernel\'s list');
    learnMachine({ ...kernel, pte_bits: hardware });
    assert.equal(pteCow('0x00000315'), false, 'a kernel with no COW bit has no COW page');
  } finally {
    learnMachine(HELLO);
  }
});

test('a frame\'s kind is named as hello names the kernel\'s enum frame_kind, in its order', async () => {
  const { frameFacts, diffSnapshots } = await import('../../web/lib/model.js');
  const kernel = HELLO;
  const at = (runs, seq) => ({ seq, processes: [], address_spaces: {},
    frames: { base: '0x80000000', count: 4, runs, user: [] } });
  try {
    learnMachine({ ...kernel, frame_kinds: ['user', 'free', 'dma', 'kernel', 'pagetable'] });
    const before = at([{ first: 0, count: 4, kind: 'free', refcount: 0 }], 1);
    const after = at([{ first: 0, count: 1, kind: 'dma', refcount: 0 }, { first: 1, count: 1, kind: 'user', refcount: 1 },
      { first: 2, count: 2, kind: 'free', refcount: 0 }], 2);
    assert.deepEqual([0, 1, 2].map((n) => frameFacts(after, n).kind), ['dma', 'user', 'free']);
    assert.deepEqual(diffSnapshots(before, after).frames.allocated, [0, 1], 'free is found by its name, not as 0');
  } finally {
    learnMachine(HELLO);
  }
});
