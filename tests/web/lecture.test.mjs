// What the second walk through the page by hand found (issue 9), each
// checked where it showed: at 1280 × 720 the stop line and the menus in full;
// at 125 % the processes' table whole and the top line one row; a viewer's "Run to next" menus showing
// the teacher's choice; a system call's first argument by its name; a stop of
// the history shown with the top line saying which stop it is, as the past;
// the top line one row while Run to next waits; the help without a Lab tab.
// Screenshots: build/screenshots/lecture-*.png.
//
// Run: node --test tests/web/lecture.test.mjs   (after make)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openWorkbench, screenshot, waitForStop, paintedSeq, runTo, clickPause } from './harness.mjs';

const atPrompt = (page) => page.waitForFunction(() => /^\$ ?$/m.test(window.glassbox.terminalText().split('\n').at(-1)),
  null, { timeout: 60_000 });

// What is cut: the stop line's two lines, and each menu narrower than its
// options need (its width without the page's limits on it).
const cut = (page) => page.evaluate(() => {
  const out = [];
  for (const id of ['stop-why', 'stop-where']) {
    const el = document.querySelector(`[data-testid=${id}]`);
    if (el.scrollWidth > el.clientWidth) out.push(`${id} "${el.textContent}": ${el.scrollWidth} > ${el.clientWidth}`);
  }
  for (const id of ['run-to-kind', 'run-to-process', 'demo-pick', 'sample-rate']) {
    const el = document.querySelector(`[data-testid=${id}]`);
    const shown = el.getBoundingClientRect().width;
    const style = el.getAttribute('style');
    el.style.cssText += ';max-width: none; min-width: 0; width: auto; flex: none';
    const needed = el.getBoundingClientRect().width;
    if (style === null) el.removeAttribute('style');
    else el.setAttribute('style', style);
    if (shown < needed - 0.5) out.push(`${id} "${el.selectedOptions[0]?.text}": ${shown} < ${needed}`);
  }
  return out;
});

test('a lecture\'s page, walked by hand', { timeout: 600_000 }, async (t) => {
  const { daemon, browser, page } = await openWorkbench(t);
  await atPrompt(page);

  await t.test('at 1280 × 720 the stop line and the menus are whole, at a pause and at an event', async () => {
    await clickPause(page);
    const atPause = await cut(page);
    await page.click('[data-testid=terminal]');
    await page.keyboard.type('cowtest\n');
    await page.keyboard.press('Escape');
    const before = await runTo(page, 'cow_fault');
    await waitForStop(page, { detail: 'cow_fault', afterSeq: before });
    await screenshot(page, 'lecture-1280.png');
    assert.deepEqual(atPause, [], 'at a pause');
    assert.deepEqual(await cut(page), [], 'at a COW fault');
  });

  await t.test('at 125 % the processes\' table is whole', async () => {
    await page.keyboard.press('Control+=');
    await page.keyboard.press('Control+=');
    assert.equal(await page.textContent('[data-testid=zoom-level]'), '125%');
    await page.waitForTimeout(300); // (the terminal is fitted again)
    const table = await page.evaluate(() => {
      const box = document.querySelector('#processes .scroll').getBoundingClientRect();
      const rows = [...document.querySelectorAll('[data-testid=process-table] tr')].map((r) => r.getBoundingClientRect());
      return {
        rows: rows.length,
        cut: rows.filter((r) => r.right > box.right + 0.5 || r.bottom > box.bottom + 0.5).length,
        width: [document.querySelector('[data-testid=process-table]').scrollWidth, box.width],
      };
    });
    // The stop line may be cut there (the top line stays one row): its title is whole.
    const stopLine = await page.evaluate(() => ['stop-why', 'stop-where']
      .map((id) => document.querySelector(`[data-testid=${id}]`)).filter((el) => el.title !== el.textContent).map((el) => el.textContent));
    const tops = await page.evaluate(() => ['guest-state', 'restart', 'zoom-in']
      .map((id) => Math.round(document.querySelector(`[data-testid=${id}]`).getBoundingClientRect().top)));
    await screenshot(page, 'lecture-125.png');
    await page.keyboard.press('Control+0');
    assert.ok(table.rows >= 4, `the header and three processes at least: ${table.rows} rows`);
    assert.equal(table.cut, 0, `rows cut by the panel: ${JSON.stringify(table)}`);
    assert.deepEqual(stopLine, [], 'the stop line\'s titles at 125 %');
    assert.ok(Math.max(...tops) - Math.min(...tops) < 12, `the badge, zoom and Restart at ${tops} at 125 %`);
    // Back at 100 %: the processes beside the console again.
    await page.waitForFunction(() => !document.documentElement.classList.contains('narrow'), null, { timeout: 2000 });
  });

  await t.test('a viewer\'s "Run to next" menus show the teacher\'s choice', async () => {
    const viewer = await browser.newPage(`${daemon.url}?viewer=1`);
    await viewer.waitForFunction(() => window.glassbox.role === 'viewer' && window.glassbox.snapshot);
    const menus = (p) => p.evaluate(() => ['run-to-kind', 'run-to-syscall', 'run-to-process'].map((id) => {
      const el = document.querySelector(`[data-testid=${id}]`);
      return el.hidden ? null : el.selectedOptions[0]?.text;
    }));
    // The viewer's menus come to show the teacher's (within 5 s).
    const same = async () => {
      const want = await menus(page);
      for (let end = Date.now() + 5000; Date.now() < end; await viewer.waitForTimeout(100)) {
        if (JSON.stringify(await menus(viewer)) === JSON.stringify(want)) return;
      }
      assert.deepEqual(await menus(viewer), want, 'the viewer\'s menus');
    };
    assert.deepEqual(await menus(page), ['COW fault', null, 'in cowtest']);
    await same(); // a viewer that came later
    await page.selectOption('[data-testid=run-to-kind]', 'syscall');
    await page.selectOption('[data-testid=run-to-syscall]', 'write');
    await page.selectOption('[data-testid=run-to-process]', '');
    await same();
    assert.deepEqual(await menus(viewer), ['syscall', 'write', 'any process']);
    assert.equal(await viewer.isDisabled('[data-testid=run-to-kind]'), true, 'read-only');
    await screenshot(viewer, 'lecture-viewer-menus.png');
    await viewer.close();
  });

  await t.test('a system call\'s first argument is named as the kernel names it', async () => {
    // (Run to next as the teacher left it: the next write, in any process)
    const before = await paintedSeq(page);
    await page.click('[data-testid=run-to]');
    await waitForStop(page, { detail: 'syscall', afterSeq: before });
    assert.match(await page.innerText('[data-testid=story]'), /made the system call write \(fd=[0-9]\)/);
    await page.click('[data-testid=tab-timeline]');
    const rows = await page.locator('[data-testid=event-list] .event.ev-syscall').allInnerTexts();
    assert.ok(rows.some((r) => /write, fd=[0-9]/.test(r)), `a write among ${rows.length}: ${rows.slice(-4).join(' | ')}`);
    assert.ok(!rows.some((r) => /a0=/.test(r)), 'a0= for a call the kernel names');
    await page.click('[data-testid=syscall-trace]');
    const calls = await page.locator('[data-testid=syscall-row]').allInnerTexts();
    assert.ok(calls.some((r) => /write\s[\s\S]*fd=[0-9] /.test(r)), calls.slice(-4).join(' | '));
    await screenshot(page, 'lecture-syscalls.png');
    await page.click('[data-testid=syscall-trace]');
    await page.click('[data-testid=tab-memory]');
  });

  await t.test('a stop of the history shown: the top line is that stop\'s, marked as the past', async () => {
    for (let i = 0; i < 3; i++) {
      const before = await paintedSeq(page);
      await page.click('[data-testid=step]');
      await waitForStop(page, { afterSeq: before });
    }
    const now = await page.evaluate(() => ({ why: document.querySelector('[data-testid=stop-why]').textContent, seq: window.glassbox.snapshot.seq }));
    await page.click('[data-testid=history-toggle]');
    const chip = page.locator('[data-testid=history-stops] .history-stop[data-seq]').filter({ hasText: 'COW fault' }).last();
    const seq = Number(await chip.getAttribute('data-seq'));
    await chip.click();
    await page.waitForFunction((s) => window.glassbox.snapshot.seq === s, seq);
    const line = await page.evaluate(() => ({
      why: document.querySelector('[data-testid=stop-why]').textContent,
      where: document.querySelector('[data-testid=stop-where]').textContent,
      past: document.querySelector('[data-testid=stop-text]').classList.contains('past'),
      pill: document.querySelector('[data-testid=guest-state]').textContent,
      cpu: window.glassbox.snapshot.cpu,
    }));
    assert.ok(seq < now.seq, `an earlier stop (#${seq}, now #${now.seq})`);
    assert.match(line.why, new RegExp(`^past: the COW fault in \\S+ \\(#${seq}\\)$`), line.why);
    assert.ok(line.where.startsWith(`${line.cpu.function}() ${line.cpu.file}:${line.cpu.line} · pc ${line.cpu.pc}`), line.where);
    assert.ok(line.past, 'marked as the past');
    assert.equal(line.pill, 'STOPPED', 'the badge is the guest\'s, now');
    await screenshot(page, 'lecture-history-past.png');
    await page.click('[data-testid=history-live]');
    await page.waitForFunction(() => !document.querySelector('[data-testid=stop-text]').classList.contains('past'));
    assert.equal(await page.textContent('[data-testid=stop-why]'), now.why, 'the present again');
    await page.click('[data-testid=history-toggle]');
  });
  await t.test('back to the last write: a long stop line is cut, the top line stays one row at 1280 px', async () => {
    await page.click('[data-testid=back-to]');
    await page.waitForFunction(() => window.glassbox.status?.stop?.reason === 'reverse_continue', null, { timeout: 60_000 });
    const top = await page.evaluate(() => {
      const why = document.querySelector('[data-testid=stop-why]');
      return { why: why.textContent, title: why.title, cut: why.scrollWidth > why.clientWidth,
        tops: ['guest-state', 'restart', 'zoom-in'].map((id) => Math.round(document.querySelector(`[data-testid=${id}]`).getBoundingClientRect().top)) };
    });
    await screenshot(page, 'lecture-back-to.png');
    assert.match(top.why, /^back to the last syscall/, top.why);
    assert.equal(top.title, top.why, 'the title has the line in full');
    assert.ok(Math.max(...top.tops) - Math.min(...top.tops) < 12, `the badge, zoom and Restart at ${top.tops} (${top.why})`);
  });
  await t.test('while Run to next waits, the top line at 1280 px is one row (what it waits for wraps)', async () => {
    await page.click('[data-testid=terminal]');
    await page.keyboard.type('nosuchprogram\n'); // a program that never starts
    await page.keyboard.press('Escape');
    await page.selectOption('[data-testid=run-to-kind]', 'exit');
    await page.selectOption('[data-testid=run-to-process]', 'foreground');
    await page.click('[data-testid=run-to]');
    await page.waitForFunction(() => /^waiting for nosuchprogram to start/.test(document.querySelector('[data-testid=stop-why]').textContent));
    const tops = await page.evaluate(() => ['guest-state', 'restart', 'zoom-in']
      .map((id) => Math.round(document.querySelector(`[data-testid=${id}]`).getBoundingClientRect().top)));
    await screenshot(page, 'lecture-waiting.png');
    await clickPause(page);
    assert.ok(Math.max(...tops) - Math.min(...tops) < 12, `the badge, zoom and Restart at ${tops}`);
  });
  await t.test('the help lists no Lab tab where there is none', async () => {
    await page.click('[data-testid=help-button]');
    const help = await page.innerText('[data-testid=help]');
    await page.keyboard.press('Escape');
    assert.match(help, /Show VA walk/);
    assert.doesNotMatch(help, /Show Lab/, 'a daemon without --lab has no Lab tab');
  });
  assert.deepEqual(page.errors, []);
});
