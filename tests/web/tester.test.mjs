// What a tester using the page found, each checked where it showed:
// - a long stop location (a breakpoint in mailbox_recv) is cut with an
//   ellipsis, its title in full, and the top line stays one row at 1280 × 720
//   and at 125 % (the page under it does not move);
// - underscores show in the stop line and the breakpoints' chips at every zoom;
// - a stop is worded with the kinds' human labels ("COW fault"), as the "Run
//   to next" menu has them, in the stop line and the history strip;
// - the Frames tab opens at the frame the stop's event changed (else the
//   first user frame), and stays where the user scrolled it;
// - a rewind from the history strip marks nothing changed against the state
//   before it, and tells the event of the stop rewound to;
// - a restart ends a guided demo and says why; closing a demo cancels its wait.
// Screenshots: build/screenshots/tester-*.png.
//
// Run: node --test tests/web/tester.test.mjs   (after make)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openWorkbench, screenshot, waitForStop, paintedSeq, runTo } from './harness.mjs';

const atPrompt = (page) => page.waitForFunction(() => /\$ ?$/.test(window.glassbox.terminalText()), null, { timeout: 60_000 });
const text = (page, id) => page.innerText(`[data-testid=${id}]`);

async function typeLine(page, line) {
  await page.click('[data-testid=terminal]');
  await page.keyboard.type(`${line}\n`);
  await page.keyboard.press('Escape');
}

async function press(page, id) {
  const before = await paintedSeq(page);
  await page.click(`[data-testid=${id}]`);
  return waitForStop(page, { afterSeq: before });
}

// The main area's top (it moves when the top bar changes height), and
// whether the top line is one row: the badge, the zoom, Restart and ? level.
const topBar = (page) => page.evaluate(() => {
  const top = (sel) => Math.round(document.querySelector(sel).getBoundingClientRect().top);
  const where = document.querySelector('[data-testid=stop-where]');
  return {
    layout: document.querySelector('main.layout').getBoundingClientRect().top,
    tops: ['[data-testid=guest-state]', '[data-testid=zoom-in]', '[data-testid=restart]', '[data-testid=help-button]'].map(top),
    where: where.textContent,
    whereTitle: where.title,
  };
});
const oneRow = (bar) => Math.max(...bar.tops) - Math.min(...bar.tops) < 12;

async function zoomTo(page, percent) {
  await page.keyboard.press('Control+0');
  const key = percent < 100 ? 'Control+-' : 'Control+=';
  for (let i = 0; i < 10 && (await text(page, 'zoom-level')) !== `${percent}%`; i++) await page.keyboard.press(key);
  assert.equal(await text(page, 'zoom-level'), `${percent}%`);
  await page.waitForTimeout(100); // (laid out again)
}

// Whether the underscores of el's text make a difference to the pixels
// (el as it is against el with its underscores made spaces) above its
// bottom border, and the pixel row next to it: an underscore on the
// border line is not seen.
async function underscoresShow(page, selector) {
  const el = page.locator(selector).first();
  const swap = (from, to) => el.evaluate((e, [a, b]) => {
    const node = [...e.childNodes].find((c) => c.nodeType === Node.TEXT_NODE && c.data.includes(a));
    node.data = node.data.replaceAll(a, b);
  }, [from, to]);
  const border = await el.evaluate((e) => parseFloat(getComputedStyle(e).borderBottomWidth));
  const box = await el.boundingBox();
  const clip = { ...box, height: box.height - (border > 0 ? border + 1 : 0) };
  const withThem = await page.screenshot({ clip });
  await swap('_', '\u2002'); // an en space: the width of "_" in a monospace font
  const without = await page.screenshot({ clip });
  await swap('\u2002', '_');
  return !withThem.equals(without);
}

test('what a tester found, fixed', { timeout: 600_000 }, async (t) => {
  const { page } = await openWorkbench(t);
  if (await page.evaluate(() => window.glassbox.status.guest === 'stopped')) await page.click('[data-testid=run]');
  await atPrompt(page);
  const running = await topBar(page);

  await t.test('a long stop location is cut, its title in full; the top line is one row at 100 % and 125 %', async () => {
    for (const fn of ['sys_fork', 'mailbox_recv']) {
      await page.fill('[data-testid=break-function]', fn);
      await page.click('[data-testid=break]');
    }
    await page.waitForFunction(() => window.glassbox.status?.breakpoints?.length === 2);
    let before = await paintedSeq(page);
    await typeLine(page, 'pingpong 1');
    before = await waitForStop(page, { afterSeq: before });
    for (let i = 0; i < 6 && (await page.evaluate(() => window.glassbox.status.stop.detail)) !== 'mailbox_recv'; i++) {
      before = await press(page, 'run');
    }
    const at100 = await topBar(page);
    await screenshot(page, 'tester-long-where.png');
    assert.match(at100.where, /^mailbox_recv\(\) kernel\/mailbox\.c:\d+ · pc 0x/);
    assert.equal(at100.whereTitle, at100.where, 'the title has the line in full');
    assert.ok(oneRow(at100), `one row at 100 %: ${at100.tops}`);
    assert.ok(Math.abs(at100.layout - running.layout) < 1, `the page under the top bar stays at ${running.layout}: ${at100.layout}`);
    await zoomTo(page, 125);
    const at125 = await topBar(page);
    await screenshot(page, 'tester-long-where-125.png');
    await page.keyboard.press('Control+0');
    assert.ok(oneRow(at125), `one row at 125 %: ${at125.tops}`);
  });

  await t.test('underscores show in the stop line and the breakpoints\' chips at every zoom', async () => {
    const hidden = [];
    for (const percent of [80, 90, 100, 110, 125, 140, 160, 180, 200]) {
      await zoomTo(page, percent);
      for (const selector of ['[data-testid=stop-where]', '[data-testid=breakpoints] .chip']) {
        const box = await page.locator(selector).first().boundingBox();
        if (!(box.width > 0 && box.x + box.width <= 1280)) hidden.push(`${selector} at ${percent} %: out of the window`);
        else if (!(await underscoresShow(page, selector))) hidden.push(`${selector} at ${percent} %`);
      }
    }
    await page.keyboard.press('Control+0');
    await screenshot(page, 'tester-underscores.png');
    for (const fn of ['sys_fork', 'mailbox_recv']) await page.click(`[data-testid=breakpoints] .chip[title$=" ${fn}"] .unbreak`);
    await page.waitForFunction(() => window.glassbox.status?.breakpoints?.length === 0);
    await page.click('[data-testid=run]');
    await page.waitForFunction(() => /pingpong: done/.test(window.glassbox.terminalText()), null, { timeout: 60_000 });
    await atPrompt(page);
    assert.deepEqual(hidden, [], 'no underscore hidden');
  });

  let firstFault = null; // the stop at cowtest's first COW fault
  await t.test('a stop is worded with the kinds\' labels; the Frames tab opens at the event\'s frame', async () => {
    await typeLine(page, 'cowtest'); // (the program of "in cowtest")
    await page.waitForFunction(() => /cowtest: OK\n\$ ?$/.test(window.glassbox.terminalText()), null, { timeout: 60_000 });
    const before = await runTo(page, 'cow_fault');
    await page.waitForFunction(() => window.glassbox.status?.run_to === 'cow_fault');
    await typeLine(page, 'cowtest');
    firstFault = await waitForStop(page, { detail: 'cow_fault', afterSeq: before });
    assert.equal(await text(page, 'stop-why'), 'event: COW fault');

    await page.click('[data-testid=tab-frames]');
    const frame = await page.evaluate(() => {
      const e = window.glassbox.snapshot.events.findLast((x) => x.kind === 'cow_fault');
      return Math.floor((parseInt(e.old_pa, 16) - parseInt(window.glassbox.snapshot.frames.base, 16)) / 4096);
    });
    // Frame n's row, and the part of the grid in view.
    const view = (n) => page.evaluate((f) => {
      const c = document.querySelector('[data-testid=frame-grid]');
      const wrap = c.parentElement;
      const y = Number(c.dataset.top) + Math.floor(f / Number(c.dataset.columns)) * Number(c.dataset.cell);
      return { y, top: wrap.scrollTop, bottom: wrap.scrollTop + wrap.clientHeight, scrolls: wrap.scrollHeight > wrap.clientHeight };
    }, n);
    await page.waitForFunction(() => document.querySelector('[data-testid=frame-grid]')?.dataset.cell);
    await page.waitForTimeout(200);
    const shown = await view(frame);
    await screenshot(page, 'tester-frames.png');
    assert.ok(shown.scrolls, 'the grid is taller than its pane (else this checks nothing)');
    assert.ok(shown.y >= shown.top && shown.y < shown.bottom, `frame ${frame} in view: ${JSON.stringify(shown)}`);

    // Scrolled by the user: it stays there, across another tab and back.
    await page.hover('[data-testid=frame-grid]');
    await page.mouse.wheel(0, -5000);
    await page.waitForFunction(() => document.querySelector('.grid-wrap').scrollTop === 0);
    await page.click('[data-testid=tab-memory]');
    await page.click('[data-testid=tab-frames]');
    await page.waitForTimeout(200);
    assert.equal((await view(frame)).top, 0, 'where the user scrolled it');
    await page.click('[data-testid=tab-memory]');
  });

  await t.test('a rewind from the history strip marks nothing against the state before it, and tells the stop\'s event', async () => {
    const first = await page.evaluate(() => window.glassbox.snapshot.events.at(-1).seq);
    await press(page, 'run-to'); // the next COW fault
    await press(page, 'step');
    await page.click('[data-testid=history-toggle]');
    const chip = page.locator(`[data-testid=history-stops] [data-seq="${firstFault}"]`);
    assert.match(await chip.innerText(), /COW fault/, 'the history words the stop as the menu does');
    assert.doesNotMatch(await chip.innerText(), /cow_fault/);
    await chip.click();
    await page.waitForFunction((s) => window.glassbox.snapshot?.seq === s, firstFault);
    const before = await paintedSeq(page);
    await page.click('[data-testid=history-rewind]');
    await waitForStop(page, { afterSeq: before });
    await page.waitForFunction(() => window.glassbox.status.stop.reason === 'rewind');
    const diff = await page.evaluate(() => window.glassbox.snapshot.diff);
    await screenshot(page, 'tester-rewound.png');
    assert.deepEqual(diff.processes, { born: [], gone: [], changed: [] }, 'no process new or changed');
    assert.deepEqual(diff.ptes, [], 'no page changed');
    assert.equal(await page.locator('[data-testid=process-table] tr.born').count(), 0);
    assert.equal(await page.locator('[data-testid=page].changed').count(), 0);
    await page.locator('[data-testid=stop-explain]').waitFor({ timeout: 5000 });
    assert.match(await text(page, 'stop-explain'), /copied frame \d+|kept the frame in place/);
    assert.equal(await page.evaluate(() => window.glassbox.snapshot.events.findLast((e) => e.kind === 'cow_fault').seq), first,
      'the event told is the one of the stop rewound to');
    await page.click('[data-testid=history-toggle]');
  });

  await t.test('back to the last COW fault is worded with its label', async () => {
    await press(page, 'run-to');
    await page.click('[data-testid=back-to]');
    await page.waitForFunction(() => window.glassbox.status?.stop?.reason === 'reverse_continue', null, { timeout: 60_000 });
    const why = await text(page, 'stop-why');
    assert.match(why, /^back to the last COW fault \(event \d+/, why);
    await page.click('[data-testid=run]');
    await page.waitForFunction(() => /cowtest: OK/.test(window.glassbox.terminalText()), null, { timeout: 60_000 });
    await atPrompt(page);
  });

  await t.test('closing a demo that waits for the prompt cancels the wait: nothing typed, no error', async () => {
    await typeLine(page, 'cat'); // reads the console until ^D
    await page.selectOption('[data-testid=demo-pick]', 'mail');
    await page.click('[data-testid=demo-start]');
    await page.waitForFunction(() => /Waiting for the shell/.test(document.querySelector('[data-testid=demo-note]')?.textContent ?? ''));
    await page.click('[data-testid=demo-close]');
    await page.click('[data-testid=terminal]');
    await page.keyboard.press('Control+D');
    await page.keyboard.press('Escape');
    await atPrompt(page);
    await page.waitForTimeout(1500);
    const since = (await page.evaluate(() => window.glassbox.terminalText())).split('$ cat').at(-1);
    assert.doesNotMatch(since, /pingpong/, 'the closed demo typed its command');
    assert.equal(await page.evaluate(() => window.glassbox.status.run_to ?? null), null, 'the closed demo runs to its step');
    assert.deepEqual(page.errors, []);
  });

  await t.test('a restart in the middle of a demo ends it and says why', async () => {
    await page.selectOption('[data-testid=demo-pick]', 'mail');
    await page.click('[data-testid=demo-start]');
    await page.waitForFunction(() => document.querySelector('[data-testid=demo-step]')?.textContent.startsWith('Step 1 of 4') &&
      !document.querySelector('[data-testid=demo-next]').disabled, null, { timeout: 60_000 });
    const qemu = await page.evaluate(() => window.glassbox.status.qemu_pid);
    await page.click('[data-testid=restart]');
    await page.waitForFunction((pid) => window.glassbox.status?.qemu === 'running' && window.glassbox.status.qemu_pid !== pid, qemu,
      { timeout: 60_000 });
    await page.locator('[data-testid=demo-start]').waitFor({ timeout: 5000 });
    await screenshot(page, 'tester-demo-restarted.png');
    assert.match(await text(page, 'demo-note'), /restart/i);
    assert.equal(await page.locator('[data-testid=demo-next]').count(), 0);
  });
  assert.deepEqual(page.errors, []);
});
