// What the page says, as a teacher's unscripted tour read it (issue 9), with
// a viewer's page beside the teacher's:
// - at the headline stop (cowtest typed, Run to next COW fault) the page
//   detail is the fault's page, its change told as the event tells it, not
//   as a diff since a view from before cowtest existed ("(mapped)");
// - the history strip names the program of each stop ("cowtest (pid 8)"),
//   the stop the guest is at is not called the past, a past stop is named
//   by what it stopped at (not "stop #1", not "at reset: press Run"), and a
//   viewer's stop line says what the teacher's says;
// - the VA walk calls the UART a device, not a frame, and an unmapped
//   kernel address a failed walk, not a mapping every process has;
// - the mailbox demo shows the Mail tab at its steps, the mailbox of the
//   step's message in view; a step gone back to is named alike on both pages.
//
// Run: node --test tests/web/wording.test.mjs   (after make)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openWorkbench, screenshot, waitForStop, paintedSeq, terminalText } from './harness.mjs';

const text = (page, id) => page.innerText(`[data-testid=${id}]`);
const pageOf = (va) => `0x${((parseInt(va, 16) & ~0xfff) >>> 0).toString(16).padStart(8, '0')}`;

async function waitForPrompt(page) {
  await page.waitForFunction(() => /\$ ?$/.test(window.glassbox.terminalText()), null, { timeout: 60_000 });
}

async function type(page, line) {
  await page.click('[data-testid=terminal]');
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
}

// Waits until the viewer's stop line says what the teacher's says, and returns it.
async function sameStopLine(page, viewer) {
  const line = await text(page, 'stop-why');
  await viewer.waitForFunction((want) => document.querySelector('[data-testid=stop-why]')?.textContent === want, line,
    { timeout: 10_000 }).catch(async () => assert.equal(await text(viewer, 'stop-why'), line, 'the viewer\'s stop line'));
  return line;
}

// Waits for demo step n of the demo shown, its Next enabled.
async function demoStep(page, n) {
  await page.waitForFunction((want) => document.querySelector('[data-testid=demo-step]')?.textContent.startsWith(want) &&
    !document.querySelector('[data-testid=demo-next]').disabled, `Step ${n} of`, { timeout: 60_000 });
}

test('what the page says at a stop, in the history, the walk and the mailbox demo', { timeout: 240_000 }, async (t) => {
  const { daemon, browser, page } = await openWorkbench(t);
  const viewer = await browser.newPage(`${daemon.url}?viewer=1`);
  await viewer.waitForFunction(() => window.glassbox.role === 'viewer');
  if (await page.evaluate(() => window.glassbox.status.guest === 'stopped')) await page.click('[data-testid=run]');
  await waitForPrompt(page);

  await t.test('the headline COW fault: the page detail is the fault\'s page, told as the event tells it', async () => {
    // A page picked before cowtest exists (a page of the shell).
    await page.click('[data-testid=as-pane-a] [data-testid=page]');
    await page.locator('[data-testid=page-detail] h3').waitFor();
    await type(page, 'cowtest');
    await page.waitForFunction(() => /cowtest: OK\n\$ ?$/.test(window.glassbox.terminalText()), null, { timeout: 60_000 });
    await page.selectOption('[data-testid=run-to-kind]', 'cow_fault');
    const before = await paintedSeq(page);
    await page.click('[data-testid=run-to]');
    await page.waitForFunction(() => window.glassbox.status?.run_to === 'cow_fault');
    await type(page, 'cowtest');
    await waitForStop(page, { detail: 'cow_fault', afterSeq: before });
    const event = await page.evaluate(() => window.glassbox.snapshot.events.findLast((e) => e.kind === 'cow_fault'));
    const detail = await text(page, 'page-detail');
    assert.match(detail, new RegExp(`^pid ${event.pid} cowtest · page ${pageOf(event.va)}`), detail);
    assert.doesNotMatch(detail, /\(mapped\)/, 'the fault\'s page is not told as just mapped');
    assert.match(await text(page, 'page-event-change'), /COW,? read-only → writable/);
    await screenshot(page, 'wording-cow-detail.png');
  });

  await t.test('the history: programs named, the present not the past, a past stop named by what it stopped at', async () => {
    await page.click('[data-testid=history-toggle]');
    const chips = page.locator('[data-testid=history-stops] .history-stop');
    await chips.filter({ hasText: 'COW fault' }).first().waitFor();
    const labels = await chips.allInnerTexts();
    assert.ok(labels.some((l) => /COW fault · cowtest \(pid \d+\)$/.test(l)), labels.join(' | '));
    assert.deepEqual(labels.filter((l) => /· pid \d+$/.test(l)), [], 'no chip names a process by its pid alone');

    const present = await sameStopLine(page, viewer);
    await chips.last().click();
    await page.locator('[data-testid=history-note]').waitFor();
    assert.equal(await text(page, 'stop-why'), present, 'the stop the guest is at, shown from the history, is the present');
    assert.doesNotMatch(await page.getAttribute('[data-testid=stop-text]', 'class'), /\bpast\b/);
    assert.match(await text(page, 'history-note'), /the stop the guest is at now/);
    assert.equal(await sameStopLine(page, viewer), present);

    const start = chips.filter({ hasText: /start$/ }).first();
    const seq = Number(await start.getAttribute('data-seq'));
    await start.click();
    await page.waitForFunction((s) => window.glassbox.snapshot.seq === s, seq);
    const past = await text(page, 'stop-why');
    assert.equal(past, `past: QEMU's reset (#${seq})`);
    assert.equal(await sameStopLine(page, viewer), past, 'the viewer names the stop as the teacher does');
    await screenshot(viewer, 'wording-viewer-past.png');
    await page.click('[data-testid=history-live]');
    await page.click('[data-testid=history-toggle]');
  });

  await t.test('the VA walk: the UART is a device; an unmapped kernel address is a failed walk', async () => {
    await page.click('[data-testid=tab-walk]');
    const walkTo = async (va) => {
      await page.fill('[data-testid=walk-va]', va);
      await page.click('[data-testid=walk-go]');
      await page.waitForFunction((v) => document.querySelector('[data-testid=walk-result] strong.mono')?.textContent === v, va);
    };
    await walkTo('0xf0000000');
    await page.locator('[data-testid=walk-pa]').waitFor(); // (the kernel's device table comes when asked for)
    const pa = await text(page, 'walk-pa');
    assert.match(pa, /0x10000000.*device.*UART/, pa);
    assert.doesNotMatch(pa, /= frame/, 'a device is no frame');
    assert.match(await text(page, 'walk-kernel'), /every process's root table holds the same entries/);
    await walkTo('0xe0000000');
    assert.match(await text(page, 'walk-fault'), /L1\[896\] is not valid/);
    const note = await text(page, 'walk-kernel');
    assert.match(note, /the walk fails at L1\[896\]/, note);
    assert.doesNotMatch(note, /holds the same entries/);
  });

  await t.test('the mailbox demo shows each step\'s mailbox in the Mail tab; a step gone back to is named alike on both pages', async () => {
    await page.click('[data-testid=run]');
    await page.waitForFunction(() => /cowtest: OK\n\$ ?$/.test(window.glassbox.terminalText()), null, { timeout: 60_000 });
    await page.selectOption('[data-testid=demo-pick]', 'mail');
    await page.click('[data-testid=demo-start]');
    await demoStep(page, 1);
    const mailTab = async (p) => (await p.getAttribute('[data-testid=tab-mailboxes]', 'aria-selected')) === 'true';
    assert.ok(await mailTab(page), 'the Mail tab at a mail step');
    const sent = await page.evaluate(() => window.glassbox.snapshot.events.findLast((e) => e.kind === 'mail_send'));
    const box = page.locator(`[data-testid=mailboxes] .mailbox[data-pid="${sent.to}"]`);
    assert.ok(await box.isVisible(), 'the receiver\'s mailbox is on screen');
    assert.match(await box.innerText(), /1 waiting[\s\S]*came in, from pid \d+ pingpong \(4 bytes\)/);
    await screenshot(page, 'wording-mail-sent.png');

    await page.click('[data-testid=tab-memory]'); // the teacher looks elsewhere; the next step shows its mailbox again
    await page.click('[data-testid=demo-next]');
    await demoStep(page, 2);
    assert.ok(await mailTab(page));
    assert.match(await text(page, 'mailbox-event'), /took a message of 4 bytes from pid \d+ pingpong/);

    await page.click('[data-testid=demo-back]');
    const past = await text(page, 'stop-why');
    assert.match(past, /^past: the mail sent in pingpong \(#\d+\)$/);
    assert.equal(await sameStopLine(page, viewer), past, 'the viewer names the step gone back to as the teacher does');
    await viewer.waitForFunction(() => document.querySelector('[data-testid=tab-mailboxes]').getAttribute('aria-selected') === 'true');
    await page.click('[data-testid=demo-close]');
    await page.click('[data-testid=run]');
    await page.waitForFunction(() => /pingpong: done/.test(window.glassbox.terminalText().replace(/\n/g, '')), null, { timeout: 60_000 })
      .catch(async () => assert.fail(`pingpong did not finish: ${(await terminalText(page)).slice(-300)}`));
  });

  await t.test('the shared-memory demo after the mailbox one shows Address spaces, not the Mail tab it left', async () => {
    await waitForPrompt(page);
    await page.click('[data-testid=tab-mailboxes]');
    await page.selectOption('[data-testid=demo-pick]', 'shm');
    await page.click('[data-testid=demo-start]');
    await demoStep(page, 1);
    assert.equal(await page.getAttribute('[data-testid=tab-memory]', 'aria-selected'), 'true');
    await page.click('[data-testid=demo-close]');
    await page.click('[data-testid=run]');
    await waitForPrompt(page);
  });

  await t.test('the VA walk of a COW page says what a store does by its frame\'s refcount', async () => {
    const paused = await paintedSeq(page);
    await page.click('[data-testid=pause]');
    await waitForStop(page, { afterSeq: paused });
    await type(page, 'cowtest'); // (Run to next is then about cowtest)
    await page.selectOption('[data-testid=run-to-kind]', 'fork');
    const before = await paintedSeq(page);
    await page.click('[data-testid=run-to]');
    await waitForStop(page, { detail: 'fork', afterSeq: before });
    const { pid, va, refcount } = await page.evaluate(() => {
      const { snapshot } = window.glassbox;
      const fork = snapshot.events.findLast((e) => e.kind === 'fork');
      const entry = snapshot.address_spaces[fork.pid].tables.flatMap((t) => t.entries ?? []).find((e) => e.cow);
      const frame = snapshot.frames.user.find((f) => f.pa === entry.pa);
      return { pid: fork.pid, va: entry.va, refcount: frame?.refcount };
    });
    assert.equal(refcount, 2, 'a page fork shared');
    await page.click('[data-testid=tab-walk]');
    await page.selectOption('[data-testid=walk-pid]', String(pid));
    await page.fill('[data-testid=walk-va]', va);
    await page.click('[data-testid=walk-go]');
    assert.match(await text(page, 'walk-cow'), /copies it first \(2 processes hold it\)/);
    await page.click('[data-testid=tab-memory]');
    await page.click('[data-testid=run]');
    await waitForPrompt(page);
  });

  assert.deepEqual(page.errors, [], 'no uncaught errors in the teacher\'s page');
  assert.deepEqual(viewer.errors, [], 'no uncaught errors in the viewer\'s page');
});
