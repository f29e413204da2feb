// The workbench in a real lecture (issue 9, a teacher's unscripted tour),
// each checked where it showed, with one daemon and one browser:
// - the help says the keys as pressed (Shift+S, not S), each as the key
//   handling takes it;
// - a viewer follows the teacher's guided demo (which demo, which step, its
//   sentence) and the stop of the history the teacher shows, read-only,
//   breaks away and rejoins;
// - the pages of a new process show which are COW and which changed at once;
// - a stop is named by what it stopped at ("rewound to the COW fault in
//   cowtest (#18)"), never by a number alone, and a rewind to a stop reached
//   by a rewind tells that stop's story;
// - projector mode at 1920 × 1080 is the 1280 × 720 page scaled by 1.5;
// - projector mode at 100, 110 and 125 % keeps an 80-column console of 8
//   rows and the views 18 lines, no text under 16 px, and its zoom does not
//   go below 100 %;
// - the banner of a page whose control was taken is one sentence and the
//   button to take it back;
// - after a restart the history strip marks where the new QEMU begins, and
//   a stop of the QEMU before says it cannot be gone back to.
// Screenshots: build/screenshots/room-*.png.
//
// Run: node --test tests/web/room.test.mjs   (after make)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openWorkbench, screenshot, waitForStop, paintedSeq, textSizes } from './harness.mjs';

const text = (page, id) => page.innerText(`[data-testid=${id}]`);
const atPrompt = (page) => page.waitForFunction(() => /\$ ?$/.test(window.glassbox.terminalText()), null, { timeout: 60_000 });

async function press(page, selector) {
  const before = await paintedSeq(page);
  await page.click(selector);
  return waitForStop(page, { afterSeq: before });
}

// The key a help row names, as pressed on the keyboard: a letter alone is
// that key without Shift.
function physicalKey(label) {
  const shifted = /^Shift\+([A-Z])$/.exec(label);
  if (shifted) return `Shift+Key${shifted[1]}`;
  if (/^[a-z]$/i.test(label)) return `Key${label.toUpperCase()}`;
  if (/^\d$/.test(label)) return `Digit${label}`;
  return label;
}

const demoReady = (page, step) => page.waitForFunction((n) =>
  document.querySelector('[data-testid=demo-step]')?.textContent.startsWith(`Step ${n} of`) &&
  !document.querySelector('[data-testid=demo-next]').disabled, step, { timeout: 60_000 });
const shownSeq = (page) => page.evaluate(() => window.glassbox.snapshot.seq);
const story = (page) => page.evaluate(() => document.querySelector('[data-testid=stop-explain]')?.textContent ?? null);

async function openHistory(page) {
  if ((await page.getAttribute('[data-testid=history-toggle]', 'aria-expanded')) !== 'true') await page.click('[data-testid=history-toggle]');
}
async function historyChip(page, seq) {
  await openHistory(page);
  const chip = page.locator(`[data-testid=history-stops] [data-seq="${seq}"]`);
  await chip.waitFor({ timeout: 5000 });
  return chip;
}
async function showHistoryStop(page, seq) {
  await (await historyChip(page, seq)).click();
  await page.waitForFunction((s) => window.glassbox.snapshot?.seq === s, seq, { timeout: 5000 });
}

test('the workbench in a real lecture', { timeout: 300_000 }, async (t) => {
  const { daemon, browser, page } = await openWorkbench(t);
  const viewer = await browser.newPage(`${daemon.url}?viewer=1`);
  await viewer.waitForFunction(() => window.glassbox.role === 'viewer' && window.glassbox.snapshot);

  await t.test('the help says each key as it is pressed, and that key does what the row says', async () => {
    await page.keyboard.press('?');
    await page.locator('[data-testid=help] .dialog').waitFor();
    const rows = await page.$$eval('[data-testid=help] tr', (trs) => trs.map((tr) => [tr.querySelector('th').textContent, tr.querySelector('td').textContent]));
    await page.keyboard.press('Escape');
    const wanted = await page.evaluate(async () => (await import('/lib/keys.js')).listShortcuts().map((s) => [s.label, s.key]));
    const keyOf = new Map(wanted);
    // What each row's key gives the page (caught before any shortcut runs).
    await page.evaluate(() => {
      window.pressedKeys = [];
      window.catchKey = (e) => { window.pressedKeys.push(e.key); e.stopImmediatePropagation(); e.preventDefault(); };
      window.addEventListener('keydown', window.catchKey, true);
    });
    const wrong = [];
    for (const [label, what] of rows.filter(([, what]) => keyOf.has(what))) {
      await page.keyboard.press(physicalKey(label));
      const got = await page.evaluate(() => window.pressedKeys.pop());
      if (got !== keyOf.get(what)) wrong.push(`"${label}" (${what}) gives ${got}, the shortcut is ${keyOf.get(what)}`);
    }
    await page.evaluate(() => window.removeEventListener('keydown', window.catchKey, true));
    assert.equal(rows.filter(([, what]) => keyOf.has(what)).length, wanted.length, 'every shortcut is in the help');
    assert.deepEqual(wrong, []);
    for (const keys of ['Ctrl +', 'Ctrl −', 'Ctrl 0']) assert.ok(rows.some(([k]) => k === keys), `the help lists ${keys}`);
  });

  if (await page.evaluate(() => window.glassbox.status.guest === 'stopped')) await page.click('[data-testid=run]');
  await atPrompt(page);

  let forkSeq = null; // the demo's step 1, cowtest's fork
  let faultSeq = null; // its step 2, the COW fault
  await t.test('a viewer follows the guided demo: the demo, the step, its sentence, a step gone back to', async () => {
    await page.selectOption('[data-testid=demo-pick]', 'cow');
    await page.click('[data-testid=demo-start]');
    await demoReady(page, 1);
    forkSeq = await shownSeq(page);
    const step1 = await text(page, 'demo-step');
    await viewer.waitForFunction((s) => document.querySelector('[data-testid=demo-step]')?.textContent === s, step1, { timeout: 5000 });
    assert.equal(await text(viewer, 'demo-title'), await text(page, 'demo-title'));
    assert.equal(await viewer.locator('[data-testid=demo-next]').count(), 0, 'read-only: no Next on the viewer');

    // The new process's pages: COW and changed, both seen.
    const child = await page.evaluate(() => window.glassbox.status.stop && window.glassbox.focus?.event?.child);
    const pages = await page.$$eval('[data-testid=page].cow.changed', (els) => els.map((el) => ({
      fill: getComputedStyle(el).backgroundImage, mark: getComputedStyle(el, '::after').content, pid: el.dataset.pid,
    })));
    await screenshot(page, 'room-fork-pages.png');
    assert.ok(pages.length > 0, `COW pages marked changed at the fork (child ${child})`);
    for (const p of pages) {
      assert.match(p.fill, /repeating-linear-gradient/, `a changed COW page of pid ${p.pid} still has the COW fill`);
      assert.notEqual(p.mark, 'none', 'and the change mark');
    }

    await page.click('[data-testid=demo-next]');
    await demoReady(page, 2);
    faultSeq = await shownSeq(page);
    await viewer.waitForFunction((s) => window.glassbox.snapshot?.seq === s &&
      /^Step 2 of 3/.test(document.querySelector('[data-testid=demo-step]')?.textContent), faultSeq, { timeout: 10_000 });
    assert.equal(await story(viewer), await story(page), 'the step\'s sentence');

    await page.click('[data-testid=demo-back]');
    await viewer.waitForFunction((s) => window.glassbox.snapshot?.seq === s &&
      /^Step 1 of 3.*\(recorded\)$/.test(document.querySelector('[data-testid=demo-step]')?.textContent), forkSeq, { timeout: 10_000 });
    await viewer.locator('[data-testid=stop-explain]').waitFor({ timeout: 5000 });
    assert.equal(await story(viewer), await story(page), 'the recorded step\'s sentence');
    await screenshot(viewer, 'room-viewer-demo-back.png');
    await page.click('[data-testid=demo-next]');
    await viewer.waitForFunction((s) => window.glassbox.snapshot?.seq === s && !/recorded/.test(document.querySelector('[data-testid=demo-step]')?.textContent),
      faultSeq, { timeout: 10_000 });
    await page.click('[data-testid=demo-close]');
    await viewer.locator('[data-testid=demo-start]').waitFor({ timeout: 5000 });
  });

  await t.test('a viewer follows the stop of the history the teacher shows; breaks away and rejoins', async () => {
    await showHistoryStop(page, forkSeq);
    await viewer.waitForFunction((s) => window.glassbox.snapshot?.seq === s && document.querySelector('[data-testid=history-note]'), forkSeq, { timeout: 10_000 });
    assert.equal(await text(viewer, 'stop-why'), await text(page, 'stop-why'));
    assert.equal(await story(viewer), await story(page));
    assert.equal(await viewer.locator('[data-testid=history-rewind]').count(), 0, 'read-only: no rewind on the viewer');
    await screenshot(viewer, 'room-viewer-history.png');
    await page.click('[data-testid=history-live]');
    await viewer.waitForFunction((s) => window.glassbox.snapshot?.seq === s && !document.querySelector('[data-testid=history-note]'), faultSeq, { timeout: 10_000 });

    await viewer.click('[data-testid=tab-timeline]'); // the viewer goes its own way
    await viewer.waitForFunction(() => document.querySelector('[data-testid=follow]').getAttribute('aria-pressed') === 'false');
    await showHistoryStop(page, forkSeq);
    await viewer.waitForTimeout(500);
    assert.equal(await shownSeq(viewer), faultSeq, 'a viewer that broke away stays where it is');
    await viewer.click('[data-testid=follow]');
    await viewer.waitForFunction((s) => window.glassbox.snapshot?.seq === s, forkSeq, { timeout: 10_000 });
    await page.click('[data-testid=history-live]');
    await viewer.waitForFunction((s) => window.glassbox.snapshot?.seq === s, faultSeq, { timeout: 10_000 });
  });

  await t.test('stops are named by what they stopped at; a rewind to a rewind tells the stop\'s story', async () => {
    await press(page, '[data-testid=step]');
    await press(page, '[data-testid=step]');
    await press(page, '[data-testid=step-back]');
    assert.match(await text(page, 'stop-why'), /^stepped one instruction back: to a single step in cowtest \(#\d+\)$/);

    await showHistoryStop(page, faultSeq);
    await press(page, '[data-testid=history-rewind]');
    const rewound = await shownSeq(page);
    assert.equal(await text(page, 'stop-why'), `rewound to the COW fault in cowtest (#${faultSeq})`);
    const wentBack = (await page.evaluate(() => window.glassbox.terminalText())).split('\n').filter((l) => l.includes('⟲')).at(-1);
    assert.match(wentBack, new RegExp(`⟲ rewound to the COW fault in cowtest \\(#${faultSeq}\\)`));

    await press(page, '[data-testid=step]');
    await showHistoryStop(page, rewound);
    assert.match(await text(page, 'history-note'), new RegExp(`^the COW fault in cowtest \\(#${rewound}\\) as it was`));
    assert.match(await story(page) ?? '', /copied frame \d+|kept the frame in place/, 'the stop of the history shown tells its story');
    await press(page, '[data-testid=history-rewind]');
    assert.equal(await text(page, 'stop-why'), `rewound to the COW fault in cowtest (#${rewound})`);
    await page.locator('[data-testid=stop-explain]').waitFor({ timeout: 5000 });
    assert.match(await story(page), /copied frame \d+|kept the frame in place/);
    await screenshot(page, 'room-rewound-twice.png');
    const worded = await page.$$eval('[data-testid=stop-why], [data-testid=history-stops] .chip, [data-testid=history-note]',
      (els) => els.map((el) => `${el.textContent} ${el.title}`));
    assert.deepEqual(worded.filter((w) => /\bstop #?\d+/.test(w)), [], 'no stop named by its number alone');
    await page.click('[data-testid=history-toggle]');
  });

  await t.test('projector at 100, 110 and 125 %: 8 console rows of 80 columns, the views 18 lines, nothing under 16 px', async () => {
    await page.click('[data-testid=projector]');
    const problems = [];
    for (const percent of [100, 110, 125]) {
      if (percent > 100) await page.keyboard.press('Control+=');
      assert.equal(await text(page, 'zoom-level'), `${percent}%`);
      await page.waitForTimeout(300); // (the terminal is fitted again)
      const got = await page.evaluate(() => {
        const box = (sel) => document.querySelector(sel).getBoundingClientRect();
        const em = parseFloat(getComputedStyle(document.documentElement).fontSize);
        return {
          columns: window.glassbox.terminalColumns(), rows: document.querySelector('.xterm-rows').children.length,
          termInPanel: box('[data-testid=terminal]').bottom <= box('.terminal-panel').bottom + 0.5,
          views: box('.layout > .column:last-child').height / em,
          tabs: new Set([...document.querySelectorAll('.tabs button:not([hidden])')].map((b) => Math.round(b.getBoundingClientRect().top))).size,
        };
      });
      await screenshot(page, `room-projector-${percent}.png`);
      const small = (await textSizes(page)).filter((s) => s.size < 16);
      if (got.columns < 80 || got.rows < 8 || !got.termInPanel || got.views < 17.9 || got.tabs !== 1 || small.length) {
        problems.push(`${percent} %: ${JSON.stringify(got)} ${JSON.stringify(small.slice(0, 3))}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  await t.test('projector: the zoom stops at 100 %, where the smallest text is 16 px', async () => {
    await page.keyboard.press('Control+0');
    await page.keyboard.press('Control+-');
    await page.click('[data-testid=zoom-out]', { force: true });
    assert.equal(await text(page, 'zoom-level'), '100%');
    assert.ok(await page.isDisabled('[data-testid=zoom-out]'));
    assert.ok(Math.min(...(await textSizes(page)).map((s) => s.size)) >= 16);
    await page.click('[data-testid=projector]'); // off: smaller is allowed again
    await page.keyboard.press('Control+-');
    assert.equal(await text(page, 'zoom-level'), '90%');
    await page.click('[data-testid=projector]'); // on: back to 100 %
    assert.equal(await text(page, 'zoom-level'), '100%');
    await page.click('[data-testid=projector]');
  });

  await t.test('projector at 1920 × 1080: the 1280 × 720 page, half as large again', async () => {
    const layout = () => page.evaluate(() => ({
      columns: window.glassbox.terminalColumns(),
      rows: document.querySelector('.xterm-rows').children.length,
      side: document.documentElement.classList.contains('side'),
      topRows: new Set([...document.querySelectorAll('.topbar button:not([hidden])')]
        .map((b) => Math.round(b.getBoundingClientRect().top))).size,
    }));
    await page.keyboard.press('Control+0');
    await page.click('[data-testid=projector]');
    await page.waitForTimeout(300);
    const at1280 = await layout();
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.waitForTimeout(300); // (the terminal is fitted again)
    assert.equal(await text(page, 'zoom-level'), '150%');
    assert.deepEqual(await layout(), at1280, 'laid out as at 1280 × 720');
    const smallest = Math.min(...(await textSizes(page)).map((s) => s.size));
    assert.ok(smallest >= 24, `the smallest text at 1920 is ${smallest} px, not 16 × 1.5`);
    await screenshot(page, 'room-projector-1920.png');
    await page.click('[data-testid=projector]'); // off: the window's scale goes
    assert.equal(await text(page, 'zoom-level'), '100%');
    await page.setViewportSize({ width: 1280, height: 720 });
  });

  await t.test('a page whose control is taken says so in one sentence, with the button to take it back', async () => {
    const second = await browser.newPage(daemon.url);
    await second.waitForFunction(() => window.glassbox.role === 'controller');
    const banner = page.locator('[data-testid=control-banner]');
    await banner.waitFor({ state: 'visible', timeout: 5000 });
    await screenshot(page, 'room-control-taken.png');
    assert.equal((await banner.innerText()).replace(/\s+/g, ' '), 'Another client took control: you are a viewer. Take control back');
    await page.click('[data-testid=take-control]');
    await page.waitForFunction(() => window.glassbox.role === 'controller', null, { timeout: 5000 });
    await second.close();
  });

  await t.test('after a restart the history marks the new QEMU; a stop of the one before cannot be gone back to', async () => {
    const qemu = await page.evaluate(() => window.glassbox.status.qemu_pid);
    await page.click('[data-testid=restart]');
    await page.waitForFunction((pid) => window.glassbox.status?.qemu === 'running' && window.glassbox.status.qemu_pid !== pid, qemu,
      { timeout: 60_000 });
    await openHistory(page);
    const marks = page.locator('[data-testid=history-stops] [data-testid=history-restarted]');
    await marks.waitFor({ timeout: 10_000 });
    const around = await page.$$eval('[data-testid=history-stops] > *', (els) => {
      const i = els.findIndex((el) => el.dataset.testid === 'history-restarted');
      return { before: els[i - 1]?.textContent, after: els[i + 1]?.textContent, old: els[i - 1]?.classList.contains('old-session') };
    });
    assert.match(around.after, /^#\d+ start/, 'the new QEMU\'s first stop after the mark');
    assert.ok(around.old, `the stop before the mark is the QEMU before's: ${around.before}`);
    await showHistoryStop(page, faultSeq);
    assert.match(await text(page, 'history-note'), /before the restart: an earlier QEMU's stop, which the guest cannot go back to/);
    assert.ok(await page.isDisabled('[data-testid=history-rewind]'));
    assert.match(await page.getAttribute('[data-testid=history-rewind]', 'title'), /earlier QEMU/);
    // (what the daemon answers if asked anyway)
    const reply = await page.evaluate(async (to) => (await fetch('/api/command', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ cmd: 'rewind', to }),
    })).json(), faultSeq);
    assert.equal(reply.ok, false);
    assert.match(reply.error, /only stops kept since QEMU started/);
    await screenshot(page, 'room-restarted-history.png');
  });

  assert.deepEqual(page.errors, [], 'no uncaught errors in the teacher\'s page');
  assert.deepEqual(viewer.errors, [], 'no uncaught errors in the viewer\'s page');
});
