// The same story again (issue 12, point 3), in the page as a student would
// do it, with no stop made since the guest booted: cowtest once (so that
// Run to next offers "in cowtest"), Run to next COW fault, type cowtest
// again: its first COW fault; ◀ back to the last fork (the daemon saved a
// state, unseen, before a command was typed, and types it again); Run to
// next COW fault again. Then pingpong's first mail received the same way, ◀
// back to the last mail sent, Run to next mail received.
//
// What must come again: the fork (its parent and child), and a COW fault of
// cowtest on the same page of the same frame, with the same refcount
// before; pingpong's receiver, sender and length. Which of parent and child
// faults first after the fork is the timer's choice (the guest runs without
// QEMU's instruction counting, docs/time-travel.md): when it is the same
// process, the new frame and the page's sentence must be the same too.
//
// Run: node --test tests/web/again.test.mjs   (after make)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openWorkbench, screenshot, waitForStop, paintedSeq } from './harness.mjs';

// What the page says about the stop's event, and the event's facts that
// must come again (its seq and tick may differ: a switch more or less on
// the way).
const told = (page, fields) => page.evaluate((keep) => {
  const event = window.glassbox.snapshot.events.at(-1);
  const facts = Object.fromEntries(keep.map((f) => [f, event[f]]));
  const name = window.glassbox.snapshot.processes.find((p) => p.pid === event.pid)?.name;
  return {
    facts: { kind: event.kind, name, ...facts },
    sentence: document.querySelector('[data-testid=stop-explain]').innerText,
    reason: window.glassbox.status.stop.reason,
  };
}, fields);

async function press(page, testid, detail) {
  const before = await paintedSeq(page);
  await page.click(`[data-testid=${testid}]`);
  return waitForStop(page, { detail, afterSeq: before });
}

// ◀ beside Run to next: back to the last event of the kind chosen (the
// stop's detail names the event: "fork (event 105, as the first time)").
async function pressBack(page) {
  const before = await paintedSeq(page);
  await page.click('[data-testid=back-to]');
  await page.waitForFunction(() => window.glassbox.status?.stop?.reason === 'reverse_continue' || /^Back to the last/.test(document.querySelector('[data-testid=message]')?.textContent), null, { timeout: 60_000 });
  const error = await page.evaluate(() => document.querySelector('[data-testid=message]')?.textContent);
  assert.ok(!error, `◀ said: ${error}`);
  return waitForStop(page, { afterSeq: before });
}

async function typeLine(page, line) {
  await page.click('[data-testid=terminal]');
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
}

// The program run to its end once, then Run to next (kind) armed while the
// guest runs, then the program typed again: the stop at its first event of
// that kind.
async function firstEventOf(page, program, done, kind) {
  await typeLine(page, program);
  await page.waitForFunction((d) => new RegExp(`${d}[^]*\\$ ?$`).test(window.glassbox.terminalText()), done, { timeout: 60_000 });
  await page.selectOption('[data-testid=run-to-kind]', kind);
  const before = await paintedSeq(page);
  await page.click('[data-testid=run-to]');
  await page.waitForFunction((k) => window.glassbox.status?.run_to === k, kind);
  await typeLine(page, program);
  return waitForStop(page, { detail: kind, afterSeq: before });
}

test('back to the last event, and on to the same story again', { timeout: 600_000 }, async (t) => {
  const { page } = await openWorkbench(t);
  await page.waitForFunction(() => window.glassbox.role === 'controller' && window.glassbox.status?.qemu === 'running');
  if (await page.evaluate(() => window.glassbox.status.guest === 'stopped')) await page.click('[data-testid=run]');
  await page.waitForFunction(() => /\$ ?$/.test(window.glassbox.terminalText()), null, { timeout: 60_000 });

  await t.test('cowtest: a COW fault, back to the fork, the same COW fault', async () => {
    await firstEventOf(page, 'cowtest', 'cowtest: OK', 'cow_fault');
    const fault = ['pid', 'va', 'old_pa', 'new_pa', 'refcount_before'];
    const first = await told(page, fault);
    assert.equal(first.facts.name, 'cowtest', JSON.stringify(first));
    // The last fork before it, as the kernel's ring has it.
    const lastFork = await page.evaluate((before) => window.glassbox.events
      .filter((e) => e.kind === 'fork' && e.seq < before).at(-1), await page.evaluate(() => window.glassbox.snapshot.events.at(-1).seq));

    await page.selectOption('[data-testid=run-to-kind]', 'fork');
    await pressBack(page);
    const fork = await told(page, ['pid', 'child']);
    assert.equal(fork.reason, 'reverse_continue');
    assert.equal(fork.facts.name, 'cowtest', `back at cowtest's fork: ${JSON.stringify(fork)}`);
    assert.deepEqual([fork.facts.pid, fork.facts.child], [lastFork.pid, lastFork.child], 'the same fork as the first time');
    assert.match(await page.innerText('[data-testid=stop-why]'), /^back to the last fork/);
    const lastLine = (await page.evaluate(() => window.glassbox.terminalText())).split('\n').at(-1);
    assert.match(lastLine, /── ⟲ back to the last fork; the lines above may be later$/);
    await screenshot(page, 'again-back-to-fork.png');

    await page.selectOption('[data-testid=run-to-kind]', 'cow_fault');
    await press(page, 'run-to', 'cow_fault');
    const again = await told(page, fault);
    const same = ({ kind, name, va, old_pa: old, refcount_before: before }) => ({ kind, name, va, old, before });
    assert.deepEqual(same(again.facts), same(first.facts), 'a COW fault of cowtest on the same page, frame and refcount');
    if (again.facts.pid === first.facts.pid) {
      assert.equal(again.facts.new_pa, first.facts.new_pa, 'the same new frame');
      assert.equal(again.sentence, first.sentence, 'the page tells it the same way');
    } else {
      t.diagnostic(`the other process faulted first this time: pid ${again.facts.pid}, first pid ${first.facts.pid}`);
    }
    await screenshot(page, 'again-cow-fault.png');
    await page.click('[data-testid=run]');
    await page.waitForFunction(() => /cowtest: OK/.test(window.glassbox.terminalText()), null, { timeout: 60_000 });
  });

  await t.test('pingpong: a mail received, back to the mail sent, the same mail received', async () => {
    await page.waitForFunction(() => /\$ ?$/.test(window.glassbox.terminalText()), null, { timeout: 60_000 });
    await firstEventOf(page, 'pingpong', 'pingpong: done', 'mail_recv');
    const fields = ['pid', 'from', 'len'];
    const first = await told(page, fields);
    assert.equal(first.facts.name, 'pingpong', JSON.stringify(first));

    await page.selectOption('[data-testid=run-to-kind]', 'mail_send');
    await page.selectOption('[data-testid=run-to-process]', '');
    await pressBack(page);
    const sent = await told(page, ['pid', 'to', 'len']);
    assert.equal(sent.reason, 'reverse_continue');
    assert.equal(sent.facts.to, first.facts.pid, `back at the mail to the receiver: ${JSON.stringify(sent)}`);

    await page.selectOption('[data-testid=run-to-kind]', 'mail_recv');
    await press(page, 'run-to', 'mail_recv');
    const again = await told(page, fields);
    assert.deepEqual(again.facts, first.facts, 'the same mail received: receiver, sender, length');
    assert.equal(again.sentence, first.sentence, 'the page tells it the same way');
    await page.click('[data-testid=run]');
    await page.waitForFunction(() => /pingpong: done/.test(window.glassbox.terminalText()), null, { timeout: 60_000 });
  });
  assert.deepEqual(page.errors, []);
});
