// Live refresh while the guest runs (issue 9 point 6), against the real daemon
// and QEMU: nothing marked on first load, the "as of" tick moving with each
// sample while the guest stays RUNNING, a program started at the console
// appearing (marked new) without a stop, the rate control turning samples off,
// and a viewer that cannot change the rate. Screenshot: build/screenshots/live.png.
//
// Run: node --test tests/web/live.test.mjs   (after make)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, startDaemon, launchBrowser, screenshot } from './harness.mjs';

const asOf = (page) => page.textContent('[data-testid=as-of]');
const guest = (page) => page.getAttribute('[data-testid=guest-state]', 'data-guest');

test('the views refresh while the guest runs', { timeout: 300_000 }, async (t) => {
  const port = await freePort();
  const daemon = await startDaemon(port);
  const browser = await launchBrowser();
  t.after(async () => {
    await browser.close();
    await daemon.stop();
  });
  const page = await browser.newPage(daemon.url);
  await page.waitForFunction(() => window.glassbox.status?.guest === 'running' && window.glassbox.snapshot);
  await page.waitForFunction(() => /^\$ ?$/m.test(window.glassbox.terminalText()), null, { timeout: 60_000 });

  await t.test('first load marks nothing new or changed', async () => {
    const marked = await page.locator('[data-testid=process-table] tbody tr.born').count();
    assert.equal(marked, 0, 'processes marked new on first load');
  });

  await t.test('the "as of" tick moves while the guest runs', async () => {
    await page.waitForFunction(() => window.glassbox.snapshot?.sample);
    const first = await asOf(page);
    assert.match(first, /^as of \d\d:\d\d:\d\d\.\d · live$/);
    await page.waitForFunction((was) => document.querySelector('[data-testid=as-of]').textContent !== was, first);
    assert.equal(await guest(page), 'running');
    assert.equal(await page.inputValue('[data-testid=sample-rate]'), '4');
  });

  await t.test('a program started while running appears, marked new, with no stop', async () => {
    await page.click('[data-testid=terminal]');
    await page.keyboard.type('sleep 1000 &');
    await page.keyboard.press('Enter');
    // marked new in the sample that first shows it (since the state shown before)
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=process-table] tbody tr.born')]
      .some((r) => r.textContent.includes('sleep')), null, { timeout: 20_000 });
    assert.equal(await guest(page), 'running');
    assert.equal(await page.evaluate(() => window.glassbox.status.guest), 'running');
    await screenshot(page, 'live.png');
  });

  await t.test('samples that change nothing a pane shows leave the pane as it was drawn', async () => {
    // (memhog's 25,600 pages drawn again 4 times a second kept the page from
    // taking a click for seconds: issue 9)
    const samples = async (n) => {
      for (let i = 0; i < n; i++) {
        const was = await asOf(page);
        await page.waitForFunction((w) => document.querySelector('[data-testid=as-of]').textContent !== w, was);
      }
    };
    await page.waitForSelector('[data-testid=as-pane-a] [data-testid=page]');
    await samples(2); // (the one after sleep's first: its pages no longer "changed")
    await page.evaluate(() => { document.querySelector('[data-testid=as-pane-a] [data-testid=page]').dataset.drawn = 'before'; });
    await samples(3);
    assert.equal(await page.locator('[data-testid=as-pane-a] [data-testid=page][data-drawn=before]').count(), 1,
      'the pane was drawn again for samples of processes that stood still');
  });

  await t.test('live off: the tick stops', async () => {
    await page.selectOption('[data-testid=sample-rate]', '0');
    await page.waitForFunction(() => window.glassbox.status?.sampling?.hz === 0);
    const frozen = await asOf(page);
    await page.waitForTimeout(1500);
    assert.equal(await asOf(page), frozen, 'samples still arrive with live refresh off');
    await page.selectOption('[data-testid=sample-rate]', '4');
    await page.waitForFunction((was) => document.querySelector('[data-testid=as-of]').textContent !== was, frozen);
  });

  await t.test('a viewer sees the tick but cannot change the rate', async () => {
    const viewer = await browser.newPage(`${daemon.url}?viewer=1`);
    await viewer.waitForFunction(() => window.glassbox.role === 'viewer' && window.glassbox.snapshot?.sample);
    assert.equal(await viewer.isDisabled('[data-testid=sample-rate]'), true);
    const seen = await asOf(viewer);
    await viewer.waitForFunction((was) => document.querySelector('[data-testid=as-of]').textContent !== was, seen);
    assert.deepEqual(page.errors, []);
    assert.deepEqual(viewer.errors, []);
  });
});
