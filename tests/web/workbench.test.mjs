// The browser view against the real inspector daemon and QEMU (issue 4):
// boot to the shell, run cowtest from the terminal, run to its fork and to the
// next COW fault and check what the address-space view and the frame grid show,
// a read-only viewer, and a daemon restart. Screenshots go to build/screenshots/.
//
// Run: node --test tests/web/   (after make; needs web/node_modules: make setup)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  SCREENSHOTS, freePort, startDaemon, launchBrowser, screenshot, waitForStop, paintedSeq, runTo,
  hoverFrame, terminalText,
} from './harness.mjs';

const names = (page) => page.locator('[data-testid=process-table] tbody .name').allInnerTexts();

test('the workbench against the real daemon and QEMU', { timeout: 600_000 }, async (t) => {
  const port = await freePort();
  let daemon = await startDaemon(port);
  const browser = await launchBrowser();
  t.after(async () => {
    await browser.close();
    await daemon.stop();
  });
  const page = await browser.newPage(daemon.url);

  await t.test('the page loads, boots the guest and lists init and sh', async () => {
    await page.waitForFunction(() => window.glassbox.role === 'controller' && window.glassbox.status?.qemu === 'running');
    if (await page.evaluate(() => window.glassbox.status.guest === 'stopped')) await page.click('[data-testid=run]');
    await page.waitForFunction(() => /^\$$/m.test(window.glassbox.terminalText()), null, { timeout: 60_000 });
    const before = await paintedSeq(page);
    await page.click('[data-testid=pause]');
    await waitForStop(page, { afterSeq: before });
    await page.waitForFunction(() => ['init', 'sh'].every((n) => window.glassbox.snapshot.processes.some((p) => p.name === n)));
    const listed = await names(page);
    assert.ok(listed.includes('init') && listed.includes('sh'), `process table: ${listed}`);
    assert.equal(await page.getAttribute('[data-testid=guest-state]', 'data-guest'), 'stopped');
    await screenshot(page, '01-booted.png');
  });

  await t.test('typing cowtest in the terminal runs it', async () => {
    await page.click('[data-testid=terminal]');
    await page.keyboard.type('cowtest');
    await page.keyboard.press('Enter');
    const before = await runTo(page, 'exec');
    await waitForStop(page, { detail: 'exec', afterSeq: before });
    assert.ok((await names(page)).includes('cowtest'), 'cowtest is in the process table');
    assert.match(await terminalText(page), /\$ cowtest/);
    await screenshot(page, '02-cowtest-exec.png');
  });

  let shared; // tooltips of the frames with refcount 2 at cowtest's fork, by frame
  await t.test('at cowtest\'s fork the frame grid shows shared frames with refcount 2', async () => {
    const before = await runTo(page, 'fork');
    await waitForStop(page, { detail: 'fork', afterSeq: before });
    const frames = await page.evaluate(() => window.glassbox.snapshot.frames.user
      .filter((f) => f.refcount === 2 && f.mapped_by.some((m) => m.cow)).map((f) => f.frame));
    assert.ok(frames.length > 0, 'fork left frames shared copy-on-write');
    await page.click('[data-testid=tab-frames]');
    shared = new Map();
    for (const n of frames) shared.set(n, await hoverFrame(page, n));
    for (const [n, tip] of shared) assert.match(tip, /refcount 2\b/, `frame ${n}: ${tip}`);
    await screenshot(page, '03-fork-frames.png');
  });

  await t.test('run to the next COW fault marks the page and its frame goes from refcount 2 to 1', async () => {
    await page.click('[data-testid=tab-memory]');
    const before = await runTo(page, 'cow_fault');
    await waitForStop(page, { detail: 'cow_fault', afterSeq: before });

    const fault = page.locator('[data-testid=as-pane-a] [data-testid=page].fault');
    await fault.waitFor();
    assert.equal(await fault.count(), 1, 'one page is marked as the fault');
    const focus = await page.evaluate(() => {
      const e = window.glassbox.snapshot.events.findLast((ev) => ev.kind === 'cow_fault');
      return { pid: e.pid, va: e.va };
    });
    assert.equal(await fault.getAttribute('data-va'), focus.va);
    assert.equal(await fault.getAttribute('data-pid'), String(focus.pid));
    assert.equal(await fault.getAttribute('data-was-cow'), 'true', 'the page was COW before the stop');
    assert.equal(await fault.getAttribute('data-cow'), 'false', 'the fault made it private');
    const explain = await page.innerText('[data-testid=stop-explain]'); // the story bar tells the event
    assert.match(explain, /copy-on-write/);

    // The frame the page had before: refcount 2 at the fork, 1 now.
    const old = await page.innerText('[data-testid=page-frame-before]');
    const frame = Number(/frame (\d+)/.exec(old)[1]);
    assert.match(old, /refcount 1 \(was 2\)/);
    assert.ok(shared.has(frame), `frame ${frame} was shared at the fork`);
    assert.match(shared.get(frame), /refcount 2\b/);
    await screenshot(page, '04-cow-fault.png');
    fs.copyFileSync(path.join(SCREENSHOTS, '04-cow-fault.png'), path.join(SCREENSHOTS, 'workbench.png'));

    await page.click('[data-testid=tab-frames]');
    const tip = await hoverFrame(page, frame);
    assert.match(tip, /refcount 1 \(was 2\)/, `frame ${frame} after the fault: ${tip}`);
    await screenshot(page, '05-cow-fault-frames.png');
    await page.click('[data-testid=tab-memory]');
  });

  await t.test('a read-only viewer sees the controls disabled', async () => {
    const viewer = await browser.newPage(`${daemon.url}?viewer=1`);
    await viewer.waitForFunction(() => window.glassbox.role === 'viewer' && window.glassbox.snapshot);
    assert.ok(await viewer.locator('[data-testid=controls]').evaluate((f) => f.disabled), 'the controls fieldset is disabled');
    for (const id of ['run', 'pause', 'step', 'step-line', 'run-to', 'break', 'restart']) {
      assert.ok(await viewer.isDisabled(`[data-testid=${id}]`), `${id} is disabled`);
    }
    assert.match(await viewer.innerText('[data-testid=role]'), /read-only/);
    assert.ok((await names(viewer)).includes('cowtest'), 'the viewer sees the same processes');
    await screenshot(viewer, '06-viewer.png');
    await viewer.close();
    assert.ok(await page.isEnabled('[data-testid=run]'), 'the controller still controls');
  });

  await t.test('a daemon restart shows the banner, then the page reconnects', async () => {
    await daemon.stop();
    const banner = page.locator('[data-testid=banner][data-kind=disconnected]');
    await banner.waitFor({ timeout: 10_000 });
    assert.match(await banner.innerText(), /No connection|Reconnecting/);
    await screenshot(page, '07-disconnected.png');

    daemon = await startDaemon(port);
    await page.locator('[data-testid=banner]').waitFor({ state: 'hidden', timeout: 30_000 });
    await page.waitForFunction(() => window.glassbox.role === 'controller' && window.glassbox.status?.qemu === 'running');
    assert.ok(await page.isEnabled('[data-testid=restart]'), 'the controls are back');
    await screenshot(page, '08-reconnected.png');
  });

  assert.deepEqual(page.errors, [], 'no uncaught errors in the page');
});
