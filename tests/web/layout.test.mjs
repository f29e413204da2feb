// The page's layout where a teacher's unscripted tour found it wanting
// (issue 9), each checked where it showed, with one daemon and one browser:
// - the story's changes are each in sight, the frame link clickable;
// - a watch chip's × is in sight at 1280 px, and its pid and page whole;
// - the help fits 1280 × 720;
// - a refusal is said on a line of its own, in full, naming the command as
//   its button does, and the stop line keeps its room;
// - with the history strip open and a stop of it shown, the process the
//   stop is about is in the processes' table, and the strip's rows of stops
//   are whole;
// - at 1024 × 600 the page is no wider than the window, every control of
//   the top bar in it;
// - a viewer's top line shows its stop line whole at 1280 and 1024 px;
// - with a past stop's "Console then" open at 1280 × 720 the live terminal
//   keeps 4 rows (the page scrolls down to it);
// - more stops than the strip lists: "N earlier…" lists the first ones too,
//   and QEMU's reset, never saved, says so where it cannot be rewound to;
// - 1280 × 720 at 100 % is one screen; at 1024 × 600 and at 125 % the page
//   scrolls to a console of 8 rows and address spaces' panes of 8 rows;
// - projector mode at 125 % leaves the address spaces' panes 8 rows.
// Screenshots: build/screenshots/layout-*.png.
//
// Run: node --test tests/web/layout.test.mjs   (after make)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openWorkbench, screenshot, waitForStop, paintedSeq } from './harness.mjs';

const atPrompt = (page) => page.waitForFunction(() => /\$ ?$/.test(window.glassbox.terminalText()), null, { timeout: 60_000 });
const demoReady = (page, step) => page.waitForFunction((n) =>
  document.querySelector('[data-testid=demo-step]')?.textContent.startsWith(`Step ${n} of`) &&
  !document.querySelector('[data-testid=demo-next]').disabled, step, { timeout: 60_000 });

// Whether the element selector names is drawn whole inside the window and
// the boxes of its ancestors that clip it (none if floating: positioned
// over the page), and is what a click at its centre hits.
const inSight = (page, selector, { floating = false } = {}) => page.$eval(selector, (el, floats) => {
  const box = el.getBoundingClientRect();
  let clip = { left: 0, top: 0, right: innerWidth, bottom: innerHeight };
  for (let a = el.parentElement; a && !floats; a = a.parentElement) {
    if (!['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) continue;
    const r = a.getBoundingClientRect();
    clip = { left: Math.max(clip.left, r.left), top: Math.max(clip.top, r.top), right: Math.min(clip.right, r.right), bottom: Math.min(clip.bottom, r.bottom) };
  }
  const whole = box.left >= clip.left - 0.5 && box.right <= clip.right + 0.5 && box.top >= clip.top - 0.5 && box.bottom <= clip.bottom + 0.5;
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return { whole, hit: el.contains(hit), box: [box.left, box.right, box.top, box.bottom].map(Math.round), clip: Object.values(clip).map(Math.round) };
}, floating);
// Whether the text of the element is cut (an ellipsis, or clipped).
const cut = (page, selector) => page.$eval(selector, (el) => el.scrollWidth > el.clientWidth + 1);

// The rows of pages' lines each address space's pane shows, and whether
// it is in the window.
const paneRows = (page) => page.$$eval('[data-testid^=as-pane-] .scroll', (els) => els.map((el) => {
  const box = el.getBoundingClientRect();
  const line = 1.2 * parseFloat(getComputedStyle(el.querySelector('.pt-l1') ?? el).fontSize);
  return { rows: +(box.height / line).toFixed(1), inWindow: box.top >= 0 && box.bottom <= innerHeight, box: [box.top, box.bottom] };
}));
// The terminal's rows, whether it is in the window, and how far the page scrolls.
const consoleRows = (page) => page.evaluate(() => {
  const box = document.querySelector('[data-testid=terminal]').getBoundingClientRect();
  return { rows: document.querySelector('.xterm-rows').children.length, inWindow: box.top >= 0 && box.bottom <= innerHeight,
    scrolls: document.scrollingElement.scrollHeight - innerHeight };
});
const historyLength = (page) => page.evaluate(() => fetch('/api/command', {
  method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ cmd: 'history' }),
}).then((r) => r.json()).then((r) => r.stops.length));

async function press(page, selector) {
  const before = await paintedSeq(page);
  await page.click(selector);
  return waitForStop(page, { afterSeq: before });
}

test('the layout where a teacher\'s tour found it wanting', { timeout: 180_000 }, async (t) => {
  const { daemon, browser, page } = await openWorkbench(t);
  if (await page.evaluate(() => window.glassbox.status.guest === 'stopped')) await page.click('[data-testid=run]');
  await atPrompt(page);
  await page.selectOption('[data-testid=demo-pick]', 'cow');
  await page.click('[data-testid=demo-start]');
  await demoReady(page, 1);
  await page.click('[data-testid=demo-next]');
  await demoReady(page, 2); // cowtest's COW fault
  const faultSeq = await page.evaluate(() => window.glassbox.snapshot.seq);

  await t.test('the story\'s changes are each in sight, and the frame link opens its frame', async () => {
    await page.locator('[data-testid=stop-changes]').waitFor({ timeout: 5000 });
    await screenshot(page, 'layout-story.png');
    const links = await page.$$eval('[data-testid=stop-changes] button', (els) => els.map((el) => el.textContent));
    assert.ok(links.some((l) => /^frame \d+/.test(l)), `a frame among the changes: ${links}`);
    for (let i = 0; i < links.length; i++) {
      const seen = await inSight(page, `[data-testid=stop-changes] button:nth-of-type(${i + 1})`);
      assert.ok(seen.whole && seen.hit, `"${links[i]}" is in sight: ${JSON.stringify(seen)}`);
    }
    const frame = links.findIndex((l) => /^frame \d+/.test(l));
    await page.click(`[data-testid=stop-changes] button:nth-of-type(${frame + 1})`);
    await page.waitForFunction(() => !document.querySelector('#tab-frames').hidden, null, { timeout: 5000 });
    await page.click('[data-testid=tab-memory]');
  });

  await t.test('a watch chip\'s × is in sight at 1280 px, and removes the watch', async () => {
    const { pid, va } = await page.evaluate(() => window.glassbox.snapshot.events.findLast((e) => e.kind === 'cow_fault'));
    const reply = await page.evaluate((body) => fetch('/api/command', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    }).then((r) => r.json()), { cmd: 'watch', pid, va });
    assert.equal(reply.ok, true, JSON.stringify(reply));
    await page.locator('[data-testid=watch-chip]').waitFor({ timeout: 5000 });
    await screenshot(page, 'layout-watch-chip.png');
    const seen = await inSight(page, '[data-testid=watch-chip] .unbreak');
    assert.ok(seen.whole && seen.hit, `the × is in sight: ${JSON.stringify(seen)}`);
    // The pid and page are whole; the word "watch" gives way first.
    assert.ok(!(await cut(page, '[data-testid=watch-chip] > span:not(.chip-label)')), 'the watched pid:page is cut');
    const shown = await page.$eval('[data-testid=watch-chip] > span:not(.chip-label)', (el) => {
      const chip = el.closest('.chip').getBoundingClientRect();
      const box = el.getBoundingClientRect();
      const x = el.closest('.chip').querySelector('.unbreak').getBoundingClientRect();
      return { whole: box.left >= chip.left - 0.5 && box.right <= x.left + 0.5, text: el.textContent };
    });
    assert.ok(shown.whole, `the watched pid:page is in its chip, clear of the ×: ${JSON.stringify(shown)}`);
    assert.equal(shown.text, `${pid}:${va.replace(/^0x/, '')}`);
    await page.$eval('[data-testid=watch-chip] .unbreak', (b) => b.click()); // (where it is: no scrolling it into view first)
    await page.locator('[data-testid=watch-chip]').waitFor({ state: 'detached', timeout: 5000 });
  });

  await t.test('the help shows every key and the mouse at 1280 × 720 without scrolling', async () => {
    await page.keyboard.press('Escape'); // (out of the terminal, if it had the focus)
    await page.keyboard.press('?');
    const dialog = page.locator('[data-testid=help] .dialog');
    await dialog.waitFor();
    await screenshot(page, 'layout-help.png');
    const fits = await dialog.evaluate((el) => ({ scrolls: el.scrollHeight > el.clientHeight + 1, rows: el.querySelectorAll('tr').length }));
    assert.ok(!fits.scrolls, `the help scrolls: ${JSON.stringify(fits)}`);
    assert.ok(fits.rows > 25, `the help lists the keys and the mouse: ${fits.rows} rows`);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  await t.test('a refusal is said in full on its own line, named as its button says; the stop line keeps its room', async () => {
    const stopLine = () => page.$eval('[data-testid=stop-text]', (el) => Math.round(el.getBoundingClientRect().width));
    const width = await stopLine();
    await page.selectOption('[data-testid=run-to-kind]', 'mail_send'); // (none yet: cowtest sends no mail)
    await page.click('[data-testid=back-to]');
    const message = page.locator('[data-testid=message]');
    await page.waitForFunction(() => document.querySelector('[data-testid=message]').textContent !== '', null, { timeout: 10_000 });
    await screenshot(page, 'layout-message.png');
    const said = await message.textContent();
    assert.match(said, /^Back to the last mail sent: /, 'named as the button says, with the kind chosen');
    assert.doesNotMatch(said, /reverse_continue|mail_send|\bstop \d/, 'no protocol names, no stop by its number');
    assert.equal(await message.getAttribute('title'), said, 'its title is the message in full');
    assert.ok(!(await cut(page, '[data-testid=message]')), 'the message is not cut');
    const seen = await inSight(page, '[data-testid=message]', { floating: true });
    assert.ok(seen.whole && seen.hit, `the message is in sight: ${JSON.stringify(seen)}`);
    assert.equal(await stopLine(), width, 'the stop line is as wide as without a message');
    assert.equal(await page.innerText('[data-testid=guest-state]'), 'STOPPED');

    await page.fill('[data-testid=break-function]', 'no_such_function');
    await page.click('[data-testid=break]');
    await page.waitForFunction(() => /^Break: /.test(document.querySelector('[data-testid=message]').textContent), null, { timeout: 5000 });
    await page.click('[data-testid=message-dismiss]');
    assert.equal(await message.textContent(), '', 'dismissed');
    assert.ok(!(await message.isVisible()));
    await page.fill('[data-testid=break-function]', '');
    await page.selectOption('[data-testid=run-to-kind]', 'cow_fault');
  });

  await t.test('history open, a stop of it shown: the process it is about is in sight, the strip\'s rows whole', async () => {
    for (let i = 0; i < 8; i++) await press(page, '[data-testid=step]'); // stops enough for two rows of chips
    await page.click('[data-testid=history-toggle]');
    const chip = page.locator(`[data-testid=history-stops] [data-seq="${faultSeq}"]`);
    await chip.waitFor({ timeout: 5000 });
    await chip.click();
    await page.waitForFunction((s) => window.glassbox.snapshot?.seq === s && document.querySelector('[data-testid=stop-explain]'), faultSeq, { timeout: 5000 });
    await page.waitForTimeout(200); // (laid out, and the table scrolled)
    await screenshot(page, 'layout-history-open.png');
    const seen = await inSight(page, '[data-testid=process-table] tr.focus');
    assert.ok(seen.whole, `the row of the stop's process is in sight: ${JSON.stringify(seen)}`);
    const rows = await page.$eval('[data-testid=history-stops]', (strip) => {
      const box = strip.getBoundingClientRect();
      const chips = [...strip.children].map((c) => c.getBoundingClientRect());
      return {
        rows: new Set(chips.map((c) => Math.round(c.top))).size,
        halves: chips.filter((c) => c.top < box.bottom - 0.5 && c.bottom > box.bottom + 0.5).length,
      };
    });
    assert.ok(rows.rows > 2, `more stops than two rows hold: ${rows.rows} rows`);
    assert.equal(rows.halves, 0, 'no row of stops is cut in half');
    await page.click('[data-testid=history-live]');
    await page.click('[data-testid=history-toggle]');
  });

  await t.test('"Console then" open at 1280 × 720: the live terminal keeps 4 rows, the page scrolls to it', async () => {
    await page.click('[data-testid=history-toggle]');
    const chip = page.locator(`[data-testid=history-stops] [data-seq="${faultSeq}"]`);
    await chip.waitFor({ timeout: 5000 });
    await chip.click();
    await page.locator('.history-console summary').click();
    await page.waitForTimeout(300); // (the terminal is fitted again)
    await page.locator('[data-testid=terminal]').scrollIntoViewIfNeeded();
    await screenshot(page, 'layout-console-then.png');
    const got = await consoleRows(page);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.click('[data-testid=history-live]');
    await page.click('[data-testid=history-toggle]');
    assert.ok(got.rows >= 4 && got.inWindow, `the terminal: ${JSON.stringify(got)}`);
  });

  await t.test('older stops than the strip lists: "N earlier…" lists them, QEMU\'s reset says it is not saved', async () => {
    while (await historyLength(page) <= 41) await press(page, '[data-testid=step]');
    const stops = await historyLength(page);
    await page.click('[data-testid=history-toggle]');
    const earlier = page.locator('[data-testid=history-earlier]');
    await earlier.waitFor({ timeout: 5000 });
    assert.equal(await earlier.textContent(), `${stops - 40} earlier…`);
    assert.equal(await page.locator('[data-testid=history-stops] .history-stop').count(), 40, 'the newest 40 listed');
    await earlier.click();
    const first = page.locator('[data-testid=history-stops] .history-stop').first();
    assert.match(await first.textContent(), /^#\d+ start/, 'QEMU\'s reset, the first stop, is listed');
    assert.equal(await page.locator('[data-testid=history-stops] .history-stop').count(), stops);
    assert.ok(!(await earlier.isVisible()), 'no more earlier stops');
    assert.ok((await inSight(page, '[data-testid=history-stops] .history-stop:first-of-type')).whole, 'the first stop in sight');
    await first.click();
    const rewind = page.locator('[data-testid=history-rewind]');
    await rewind.waitFor({ timeout: 5000 });
    await screenshot(page, 'layout-history-earlier.png');
    assert.ok(await rewind.isDisabled(), 'the reset cannot be gone back to');
    const title = await rewind.getAttribute('title');
    assert.match(title, /reset is not saved.*Restart boots the guest afresh/);
    assert.doesNotMatch(title, /no longer kept/);
    await page.click('[data-testid=history-live]');
    await page.click('[data-testid=history-toggle]');
  });

  await t.test('1280 × 720 is one screen; 1024 × 600 and 125 % scroll to 8 console rows and panes of 8 rows', async () => {
    const problems = [];
    for (const [width, height, zoomIn] of [[1280, 720, 0], [1024, 600, 0], [1280, 720, 2]]) {
      await page.setViewportSize({ width, height });
      for (let i = 0; i < zoomIn; i++) await page.keyboard.press('Control+=');
      await page.waitForTimeout(300);
      const where = `${width} × ${height} at ${await page.innerText('[data-testid=zoom-level]')}`;
      const terminal = await consoleRows(page);
      await page.evaluate(() => window.scrollTo(0, document.scrollingElement.scrollHeight));
      await screenshot(page, `layout-short-${width}-${zoomIn}.png`);
      const panes = await paneRows(page);
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.keyboard.press('Control+0');
      if (zoomIn === 0 && width === 1280) {
        if (terminal.scrolls > 0) problems.push(`${where}: the page scrolls ${terminal.scrolls} px`);
        continue;
      }
      if (terminal.rows < 8 || !terminal.inWindow) problems.push(`${where}: the terminal ${JSON.stringify(terminal)}`);
      for (const p of panes) if (p.rows < 8 || !p.inWindow) problems.push(`${where}: a pane ${JSON.stringify(p)}`);
    }
    await page.setViewportSize({ width: 1280, height: 720 });
    assert.deepEqual(problems, []);
  });

  await t.test('at 1024 × 600 the page is as wide as the window, every control of the top bar in it', async () => {
    await page.setViewportSize({ width: 1024, height: 600 });
    await page.waitForTimeout(300);
    await screenshot(page, 'layout-1024.png');
    const got = await page.evaluate(() => ({
      width: document.documentElement.scrollWidth,
      out: [...document.querySelectorAll('.topbar button, .topbar select, .topbar input')]
        .filter((el) => el.offsetParent && el.getBoundingClientRect().right > innerWidth + 0.5)
        .map((el) => el.dataset.testid ?? el.textContent),
    }));
    await page.setViewportSize({ width: 1280, height: 720 });
    assert.ok(got.width <= 1024, `the page is ${got.width} px wide`);
    assert.deepEqual(got.out, [], 'controls past the window\'s edge');
  });

  await t.test('a viewer\'s top line: the stop line whole at 1280 and 1024 px, beside the role', async () => {
    const viewer = await browser.newPage(`${daemon.url}?viewer=1`);
    await viewer.waitForFunction(() => window.glassbox.role === 'viewer' && window.glassbox.status?.guest === 'stopped' && window.glassbox.snapshot);
    const problems = [];
    for (const [width, height] of [[1280, 720], [1024, 600]]) {
      await viewer.setViewportSize({ width, height });
      await viewer.waitForTimeout(300);
      await screenshot(viewer, `layout-viewer-${width}.png`);
      for (const id of ['stop-why', 'stop-where']) if (await cut(viewer, `[data-testid=${id}]`)) problems.push(`${width} px: ${id} is cut`);
      for (const id of ['role', 'follow', 'as-of', 'zoom-in', 'help-button']) {
        const seen = await inSight(viewer, `[data-testid=${id}]`);
        if (!seen.whole) problems.push(`${width} px: ${id} out of sight ${JSON.stringify(seen)}`);
      }
      if (await viewer.evaluate(() => document.documentElement.scrollWidth > innerWidth)) problems.push(`${width} px: wider than the window`);
    }
    await viewer.close();
    assert.deepEqual(problems, []);
  });

  await t.test('projector at 125 %: the address spaces\' panes show 8 rows', async () => {
    await page.click('[data-testid=projector]');
    await page.keyboard.press('Control+=');
    await page.keyboard.press('Control+=');
    assert.equal(await page.innerText('[data-testid=zoom-level]'), '125%');
    await page.waitForTimeout(300);
    // Scrolled down to the views (the page scrolls in projector mode).
    await page.evaluate(() => window.scrollTo(0, document.scrollingElement.scrollHeight));
    await screenshot(page, 'layout-projector-125.png');
    const panes = await paneRows(page);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.keyboard.press('Control+0');
    await page.click('[data-testid=projector]');
    assert.equal(panes.length, 2);
    for (const p of panes) assert.ok(p.rows >= 8 && p.inWindow, `a pane: ${JSON.stringify(p)}`);
  });

  assert.deepEqual(page.errors, [], 'no uncaught errors in the page');
});
