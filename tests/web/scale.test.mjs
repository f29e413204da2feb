// A page on a big stop (issue 10): memhog holds 100 MiB (25,600 pages of one
// process), so the snapshot comes without memhog's page-table entries and
// without the frames' owners; the page asks for what it shows. The VA walk
// of a memhog address, memhog's address space and a frame's owners must show
// what the daemon's "pages" and "frames" commands say.
//
// Run: node --test tests/web/scale.test.mjs   (after make)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { daemonAndBrowser, screenshot, waitForStop, paintedSeq } from './harness.mjs';

test('a page at a stop with 100 MiB held asks for the pages and frames it shows', { timeout: 300_000 }, async (t) => {
  const { daemon, browser } = await daemonAndBrowser(t);
  const ask = async (cmd, args) => (await fetch(new URL('/api/command', daemon.url), {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ cmd, ...args }),
  })).json();
  const page = await browser.newPage(daemon.url);
  await page.waitForFunction(() => /^\$ ?$/m.test(window.glassbox.terminalText()), null, { timeout: 60_000 });
  await page.click('[data-testid=terminal]');
  await page.keyboard.type('memhog 100 &\n');
  // The line is longer than the terminal: read it unwrapped.
  const said = () => page.evaluate(() => window.glassbox.terminalText().replace(/\n/g, ''));
  await page.waitForFunction(() => /holding it until killed/.test(window.glassbox.terminalText().replace(/\n/g, '')), null, { timeout: 120_000 });
  const start = /0x([0-9a-f]+)-0x[0-9a-f]+\); holding/.exec(await said())[1];
  const before = await paintedSeq(page);
  // Paused over REST: what is tested is the page at the big stop. (Clicking
  // Pause timed out in three CI runs of three, the click's hit test waiting
  // on a page busy with 25,600 pages sampled 4 times a second; it passed
  // whenever this file ran alone.)
  assert.ok((await ask('pause')).ok, 'pause');
  await waitForStop(page, { afterSeq: before, timeout: 120_000 });
  const hog = await page.evaluate(() => window.glassbox.snapshot.processes.find((p) => p.name === 'memhog').pid);
  const status = await (await fetch(new URL('/api/snapshot', daemon.url))).json();
  const space = status.address_spaces[hog];
  assert.ok(space.tables.length >= 25 && space.tables.every((t) => !('entries' in t)), 'memhog\'s tables came without entries');

  await t.test('the VA walk of a memhog page shows its PTE and frame as "pages" has them', async () => {
    const va = (parseInt(start, 16) + 50 * 1024 * 1024 + 0x234) >>> 0; // 50 MiB in
    const vaText = '0x' + va.toString(16).padStart(8, '0');
    await page.click('[data-testid=tab-walk]');
    await page.selectOption('[data-testid=walk-pid]', String(hog));
    await page.fill('[data-testid=walk-va]', vaText);
    await page.click('[data-testid=walk-go]');
    await page.waitForSelector('[data-testid=walk-pa]');
    const r = await ask('pages', { pid: hog, l1: va >>> 22 });
    const entry = r.entries.find((e) => e.index === ((va >>> 12) & 0x3ff));
    const pa = '0x' + (parseInt(entry.pa, 16) + 0x234).toString(16).padStart(8, '0');
    assert.match(await page.innerText('[data-testid=walk-pa]'), new RegExp(pa));
    assert.match(await page.innerText('[data-testid=walk-l0]'), new RegExp(entry.pte));
    await screenshot(page, 'scale-walk.png');
  });

  await t.test('memhog\'s address space shows all its pages and ranges', async () => {
    await page.click('[data-testid=tab-memory]');
    await page.click(`[data-testid=proc-${hog}]`);
    await page.waitForFunction((pid) => window.glassbox.snapshot.address_spaces[pid].tables.every((t) => t.entries), hog, { timeout: 60_000 });
    const counted = await page.innerText('[data-testid=space-counts]');
    const pages = space.tables.reduce((n, t) => n + t.pages, 0);
    assert.match(counted, new RegExp(`^${pages} pages`), counted);
    await screenshot(page, 'scale-space.png');
  });

  await t.test('a memhog frame clicked in the frame map names memhog as its owner', async () => {
    const r = await ask('pages', { pid: hog, l1: parseInt(start, 16) >>> 22 });
    const e = r.entries[0];
    const n = (parseInt(e.pa, 16) - parseInt(status.frames.base, 16)) / 4096;
    await page.click('[data-testid=tab-frames]');
    await page.waitForFunction(() => document.querySelector('[data-testid=frame-grid]')?.dataset.cell);
    const grid = page.locator('[data-testid=frame-grid]');
    const { cell, left, top, columns } = await grid.evaluate((c) => ({
      cell: Number(c.dataset.cell), left: Number(c.dataset.left), top: Number(c.dataset.top), columns: Number(c.dataset.columns),
    }));
    await grid.click({ position: { x: left + (n % columns) * cell + cell / 2, y: top + Math.floor(n / columns) * cell + cell / 2 } });
    await page.waitForFunction((want) => document.querySelector('[data-testid=frame-detail]').innerText.includes(want),
      `pid ${hog} memhog at ${e.va}`, { timeout: 30_000 });
  });
  await t.test('after stops sent as deltas the page has the daemon\'s state', async () => {
    for (let i = 0; i < 3; i++) {
      await page.click('[data-testid=run]');
      await page.waitForFunction(() => window.glassbox.status?.guest === 'running');
      const seq = await paintedSeq(page);
      await page.click('[data-testid=pause]');
      await waitForStop(page, { afterSeq: seq });
    }
    const full = await (await fetch(new URL('/api/snapshot', daemon.url))).json();
    const shown = await page.evaluate(() => window.glassbox.snapshot);
    assert.equal(shown.seq, full.seq);
    const headers = (spaces) => Object.fromEntries(Object.entries(spaces).map(([pid, sp]) =>
      [pid, { ranges: sp.ranges, tables: sp.tables.map(({ entries: _, ...t }) => t) }]));
    assert.deepEqual(headers(shown.address_spaces), headers(full.address_spaces));
    assert.deepEqual(shown.processes, full.processes);
  });
  assert.deepEqual(page.errors, []);
});
