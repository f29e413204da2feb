// The lab in the page (issue 11, point 6), against the real daemon and QEMU
// in Debian's Chromium: with --lab (the checklist labs/checklist.py writes
// from labs/mmap/checks.py) the page has a Lab tab listing every check with
// its points; the one the page can judge from the kernel's state waits until
// there is something to judge, then, while the guest runs and nobody
// pauses, turns to "holding" as the grader's own program maps shared memory
// in two processes. Without --lab there is no Lab tab (views.test.mjs and
// the other tests run without it).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, BUILD, freePort, startDaemon, launchBrowser, screenshot } from './harness.mjs';

const LAB = path.join(BUILD, 'labs/mmap');

test('the lab checklist follows the kernel while programs run', { timeout: 300_000 }, async (t) => {
  execFileSync('make', ['-s', 'lab-image', 'LAB=mmap'], { cwd: ROOT, stdio: 'inherit' });
  execFileSync('python3', ['labs/checklist.py', 'mmap', path.join(LAB, 'checklist.json')], { cwd: ROOT });
  const checklist = JSON.parse(fs.readFileSync(path.join(LAB, 'checklist.json'), 'utf8'));
  const daemon = await startDaemon(await freePort(), {
    disk: path.join(LAB, 'fs.img'), args: ['--lab', path.join(LAB, 'checklist.json')],
  });
  const browser = await launchBrowser();
  t.after(async () => {
    await browser.close();
    await daemon.stop();
  });
  const page = await browser.newPage(daemon.url);
  await page.waitForFunction(() => window.glassbox.role === 'controller' && window.glassbox.snapshot);
  await page.waitForFunction(() => /\$$/.test(window.glassbox.terminalText()), null, { timeout: 60_000 });

  const state = (name) => page.getAttribute(`[data-check=${name}]`, 'data-state');
  const live = checklist.checks.find((c) => c.live);
  assert.ok(live, 'the mmap lab has a check the page can judge');

  await t.test('the Lab tab lists every check with its points', async () => {
    await page.click('[data-testid=tab-lab]');
    const items = await page.$$eval('[data-testid=lab-checks] li', (lis) => lis.map((li) => li.innerText));
    assert.equal(items.length, checklist.checks.length);
    checklist.checks.forEach((c, i) => {
      assert.match(items[i], new RegExp(`${c.points} pt`));
      assert.ok(items[i].includes(c.title), `${items[i]} names ${c.title}`);
    });
    const total = checklist.checks.reduce((n, c) => n + c.points, 0);
    assert.match(await page.innerText('#tab-lab h2'), new RegExp(`Lab mmap: ${total} points`));
    assert.equal(await state(live.name), 'waiting', 'nothing shared is mapped at the prompt');
    assert.equal(await state(checklist.checks.find((c) => !c.live).name), 'graded');
  });

  await t.test('running, unpaused: the live check holds once two processes share pages', async () => {
    // With the daemon's live samples off, the Lab tab asks for its own
    // snapshots (with them on, it judges each sample like any snapshot).
    await page.selectOption('[data-testid=sample-rate]', '0');
    await page.waitForFunction(() => window.glassbox.status.sampling?.hz === 0);
    await page.click('[data-testid=terminal]');
    await page.keyboard.type('/grade/mmapcheck hold');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => /mmapcheck: holding/.test(window.glassbox.terminalText()), null, { timeout: 30_000 });
    await page.waitForFunction((name) =>
      document.querySelector(`[data-check=${name}]`)?.dataset.state === 'holding', live.name, { timeout: 15_000 });
    assert.equal(await page.evaluate(() => window.glassbox.status.guest), 'running', 'nobody paused');
    assert.match(await page.innerText(`[data-check=${live.name}]`), /holds \(\d+ snapshots\): \d+ shared pages/);
    await screenshot(page, '40-lab-checklist.png');
    for (const wanted of [/mmapcheck: unmapped/, /mmapcheck: done/]) {
      await page.click('[data-testid=terminal]');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Escape');
      await page.waitForFunction((re) => new RegExp(re).test(window.glassbox.terminalText()), wanted.source, { timeout: 30_000 });
    }
    assert.equal(await state(live.name), 'holding');
    assert.deepEqual(page.errors, []);
  });
});
