// The history strip (issue 12, points 1 and 2): stop a few times, open the
// history, click an earlier stop: the page shows that stop's snapshot (its pc
// in the CPU view) and its console read-only while the guest stays where it
// is; "Back to live" shows the present again. A viewer's page does the same on
// its own, and keeps the past shown while the guest runs. The controller steps
// one instruction back, then rewinds the guest to an earlier stop from the
// strip, which then shows the branch.
//
// Run: node --test tests/web/history.test.mjs   (after make)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openWorkbench, screenshot, waitForStop, paintedSeq } from './harness.mjs';

const cpuPc = (page) => page.locator('[data-testid=cpu] .csrs dd .mono').first().innerText();

async function lookBack(page, seq, pc) {
  await page.click('[data-testid=tab-cpu]');
  if ((await page.getAttribute('[data-testid=history-toggle]', 'aria-expanded')) !== 'true') {
    await page.click('[data-testid=history-toggle]');
  }
  await page.click(`[data-testid=history-stops] [data-seq="${seq}"]`);
  await page.waitForFunction((s) => window.glassbox.snapshot?.seq === s, seq);
  await page.locator('[data-testid=history-note]').waitFor();
  assert.equal(await cpuPc(page), pc, 'the CPU view shows the pc of the stop clicked');
}

test('the history strip shows earlier stops read-only', { timeout: 300_000 }, async (t) => {
  const { daemon, browser, page } = await openWorkbench(t);
  await page.waitForFunction(() => window.glassbox.role === 'controller' && window.glassbox.status?.qemu === 'running');
  if (await page.evaluate(() => window.glassbox.status.guest === 'stopped')) await page.click('[data-testid=run]');
  await page.waitForFunction(() => /^\$$/m.test(window.glassbox.terminalText()), null, { timeout: 60_000 });

  // Three stops: a pause and two steps.
  const stops = [];
  let before = await paintedSeq(page);
  await page.click('[data-testid=pause]');
  for (let i = 0; i < 3; i++) {
    before = await waitForStop(page, { afterSeq: before });
    stops.push(await page.evaluate(() => ({ seq: window.glassbox.snapshot.seq, pc: window.glassbox.snapshot.cpu.pc })));
    if (i < 2) await page.click('[data-testid=step]');
  }
  // A fourth after typing a command: the console of then differs.
  await page.click('[data-testid=run]');
  await page.click('[data-testid=terminal]');
  await page.keyboard.type('echo later-text');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /later-text\n\$ ?$/.test(window.glassbox.terminalText()), null, { timeout: 30_000 });
  await page.click('[data-testid=pause]');
  await waitForStop(page, { afterSeq: before });
  stops.push(await page.evaluate(() => ({ seq: window.glassbox.snapshot.seq, pc: window.glassbox.snapshot.cpu.pc })));
  const now = stops.at(-1);
  const consoleThen = () => page.locator('[data-testid=history-console]').textContent();

  await t.test('clicking an earlier stop shows it; the guest does not move', async () => {
    await lookBack(page, stops[0].seq, stops[0].pc);
    await screenshot(page, 'history-past.png');
    const status = await page.evaluate(() => window.glassbox.status);
    assert.equal(status.guest, 'stopped');
    assert.equal(status.stop.pc, now.pc, 'the guest is still at the last stop');
    assert.ok(!(await consoleThen()).includes('later-text'), 'the console of the first stop');
    await lookBack(page, stops[1].seq, stops[1].pc);
    await lookBack(page, now.seq, now.pc);
    assert.match(await consoleThen(), /later-text/, 'the console of the last stop');
  });

  await t.test('shift+click compares two stops', async () => {
    await lookBack(page, stops[0].seq, stops[0].pc);
    await page.click(`[data-testid=history-stops] [data-seq="${now.seq}"]`, { modifiers: ['Shift'] });
    await page.waitForFunction((s) => window.glassbox.snapshot?.seq === s, now.seq);
    assert.equal(await page.evaluate(() => window.glassbox.snapshot.diff.since), stops[0].seq);
    assert.match(await page.locator('[data-testid=history-since]').innerText(), new RegExp(`since #${stops[0].seq}`));
    await lookBack(page, stops[1].seq, stops[1].pc); // a plain click marks nothing
    assert.equal(await page.evaluate(() => window.glassbox.snapshot.diff.since), null);
  });

  await t.test('Back to live shows the present again', async () => {
    await page.click('[data-testid=history-live]');
    await page.waitForFunction((s) => window.glassbox.snapshot?.seq === s, now.seq);
    assert.equal(await cpuPc(page), now.pc);
    assert.equal(await page.locator('[data-testid=history-note]').count(), 0);
  });

  await t.test('a viewer looks back on its own', async () => {
    const viewer = await browser.newPage(`${daemon.url}?viewer=1`);
    await viewer.waitForFunction((s) => window.glassbox.role === 'viewer' && window.glassbox.snapshot?.seq === s, now.seq);
    await lookBack(viewer, stops[0].seq, stops[0].pc);
    // The controller's page still shows the present.
    assert.equal(await page.evaluate(() => window.glassbox.snapshot.seq), now.seq);
    assert.deepEqual(viewer.errors, []);

    // While the guest runs, the live samples go on behind the stop shown;
    // the guest's next stop brings the present back.
    await page.click('[data-testid=run]');
    await viewer.waitForFunction(() => window.glassbox.status?.guest === 'running');
    await viewer.waitForTimeout(1500);
    assert.equal(await viewer.evaluate(() => window.glassbox.snapshot.seq), stops[0].seq, 'the past stays shown while the guest runs');
    assert.ok(await viewer.locator('[data-testid=history-note]').isVisible());
    assert.ok(await page.evaluate(() => window.glassbox.snapshot.sample), 'the controller shows live samples meanwhile');
    await page.click('[data-testid=pause]');
    await viewer.locator('[data-testid=history-note]').waitFor({ state: 'detached' });
    const paused = await waitForStop(page, { afterSeq: now.seq });
    await viewer.waitForFunction((s) => window.glassbox.snapshot?.seq === s, paused);
    await viewer.close();
  });

  await t.test('back one step, then the guest rewound from the strip: a branch', async () => {
    let seq = await paintedSeq(page);
    const at = await page.evaluate(() => window.glassbox.snapshot.cpu.pc);
    assert.ok(await page.isDisabled('[data-testid=step-back]'), 'no step back from a stop reached by running');
    await page.click('[data-testid=step]');
    seq = await waitForStop(page, { afterSeq: seq });
    await page.click('[data-testid=step-back]');
    seq = await waitForStop(page, { afterSeq: seq });
    assert.equal(await page.evaluate(() => window.glassbox.snapshot.cpu.pc), at, 'one step back is where the step began');
    assert.match(await page.locator('[data-testid=stop-why]').innerText(), /one instruction back/);

    await lookBack(page, stops[0].seq, stops[0].pc);
    await page.click('[data-testid=history-rewind]');
    await page.locator('[data-testid=history-note]').waitFor({ state: 'detached' });
    await waitForStop(page, { afterSeq: seq });
    const status = await page.evaluate(() => window.glassbox.status);
    assert.equal(status.stop.reason, 'rewind');
    assert.equal(status.stop.pc, stops[0].pc, 'the guest is back at the stop chosen');
    assert.match(await page.locator('[data-testid=stop-why]').innerText(), new RegExp(`^rewound to .* \\(#${stops[0].seq}\\)$`));
    assert.equal(await cpuPc(page), stops[0].pc);
    // The console's later lines stay: a line says the guest went back.
    const lines = (await page.evaluate(() => window.glassbox.terminalText())).split('\n');
    assert.match(lines.at(-1), new RegExp(`⟲ rewound to .* \\(#${stops[0].seq}\\); the lines above may be later$`));

    // The strip: the rewind's stop starts a branch from the stop gone back
    // to; the stops after that one, before the rewind, are off the way.
    const chip = page.locator('[data-testid=history-stops] .history-stop').last();
    await page.waitForFunction((s) => document.querySelector('[data-testid=history-stops] .history-stop:last-child')?.dataset.from === String(s), stops[0].seq);
    assert.match(await chip.getAttribute('class'), /branch/);
    for (const left of [stops[1], stops[2], now]) {
      assert.match(await page.getAttribute(`[data-testid=history-stops] [data-seq="${left.seq}"]`, 'class'), /off-way/, `stop ${left.seq} was left by the rewind`);
    }
    assert.doesNotMatch(await page.getAttribute(`[data-testid=history-stops] [data-seq="${stops[0].seq}"]`, 'class'), /off-way/);
    await screenshot(page, 'history-branch.png');
  });
  assert.deepEqual(page.errors, []);
});
