// What a teacher met using the page with no script (issue 9): each subtest
// is one broken state found by hand, checked where it showed: the stop line at
// 1280 px, the panes and "Run to next" after a restart, the "as of" tick and
// the complaint once QEMU is killed, the VA walk of a process that exited, the
// history strip of a long session, the processes a 1280 × 720 table shows (and
// their numbers under their headers), the process on the CPU at a breakpoint,
// the timeline's event detail, and the tabs at 1920 × 1080. The daemon runs
// as `make workbench LAB=cow` starts it, so the page has its Lab tab.
//
// Run: node --test tests/web/teacher.test.mjs   (after make)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ROOT, BUILD, freePort, startDaemon, launchBrowser, screenshot, waitForStop, paintedSeq, runTo, clickPause, clickRun } from './harness.mjs';

// The workbench as `make workbench LAB=cow` starts it: with the lab's checklist.
const CHECKLIST = path.join(BUILD, 'labs/cow/checklist.json');

const atPrompt = (page) => page.waitForFunction(() => /^\$ ?$/m.test(window.glassbox.terminalText().split('\n').at(-1)),
  null, { timeout: 60_000 });
const panes = (page) => page.evaluate(() => ['a', 'b'].map((s) => document.querySelector(`[data-testid=as-pane-${s}]`).dataset.pid ?? null));

async function type(page, line) {
  await page.click('[data-testid=terminal]');
  await page.keyboard.type(`${line}\n`);
}

test('what a teacher found by hand', { timeout: 600_000 }, async (t) => {
  execFileSync('python3', ['labs/checklist.py', 'cow', CHECKLIST], { cwd: ROOT });
  const daemon = await startDaemon(await freePort(), { args: ['--lab', CHECKLIST] });
  const browser = await launchBrowser();
  t.after(async () => {
    await browser.close();
    await daemon.stop();
  });
  const page = await browser.newPage(daemon.url);
  await page.waitForFunction(() => window.glassbox.role === 'controller' && window.glassbox.status?.qemu === 'running');
  await atPrompt(page);

  await t.test('at 1280 px the stop line shows why in full and the function with its file and line', async () => {
    await clickPause(page);
    const line = await page.evaluate(() => {
      const why = document.querySelector('[data-testid=stop-why]');
      const where = document.querySelector('[data-testid=stop-where]');
      const { stop } = window.glassbox.status;
      const text = where.firstChild;
      const end = where.textContent.indexOf(`:${stop.line}`) + `:${stop.line}`.length;
      const range = document.createRange();
      range.setStart(text, 0);
      range.setEnd(text, end);
      return {
        why: [why.scrollWidth, why.clientWidth], where: where.textContent, shown: where.getBoundingClientRect().right,
        needed: range.getBoundingClientRect().right, stop,
      };
    });
    assert.ok(line.stop.function && line.stop.line, `a stop in a kernel function: ${JSON.stringify(line.stop)}`);
    assert.ok(line.why[0] <= line.why[1], `why is cut: ${line.why}`);
    assert.ok(line.needed <= line.shown + 0.5, `"${line.where}" is cut before its line number (${line.needed} > ${line.shown})`);
    await screenshot(page, 'teacher-stop-line.png');
    await clickRun(page);
  });

  await t.test('after Restart: sh and init in the panes, and Run to next no longer narrowed to the old program', async () => {
    await type(page, 'cowtest');
    await page.waitForFunction(() => document.querySelector('[data-testid=run-to-process]').value === 'foreground');
    await atPrompt(page);
    const old = await page.evaluate(() => window.glassbox.status.qemu_pid);
    await page.click('[data-testid=restart]');
    await page.waitForFunction((pid) => window.glassbox.status?.qemu === 'running' && window.glassbox.status.qemu_pid !== pid, old);
    await page.waitForFunction(() => /restarting QEMU[^]*\$ ?$/.test(window.glassbox.terminalText()), null, { timeout: 60_000 });
    await page.waitForFunction(() => window.glassbox.snapshot?.processes.some((p) => p.name === 'sh'));
    await page.waitForTimeout(600); // a few live samples
    assert.deepEqual(await panes(page), ['2', '1'], 'the panes: sh and init');
    assert.equal(await page.inputValue('[data-testid=run-to-process]'), '', 'Run to next is for any process');
    assert.equal(await page.locator('[data-testid=run-to-process] option[value=foreground]').count(), 0);
  });

  await t.test('a breakpoint stop shows the process on the CPU', async () => {
    await clickPause(page);
    await page.click('[data-testid=proc-1]'); // init left, sh right: picked, so kept
    assert.deepEqual(await panes(page), ['1', '2']);
    await page.fill('[data-testid=break-function]', 'exec');
    await page.press('[data-testid=break-function]', 'Enter');
    await page.locator('[data-testid=breakpoints] .chip').waitFor();
    await clickRun(page);
    const before = await paintedSeq(page);
    await type(page, 'echo hi'); // sh's child runs exec
    await waitForStop(page, { afterSeq: before });
    assert.equal(await page.evaluate(() => window.glassbox.status.stop.reason), 'breakpoint');
    const onCpu = await page.evaluate(() => window.glassbox.snapshot.processes.find((p) => p.state === 'running')?.pid);
    assert.ok(onCpu > 2, `the child is on the CPU (${onCpu})`);
    assert.deepEqual(await panes(page), [String(onCpu), '1'], 'the child in the left pane');
    await screenshot(page, 'teacher-breakpoint.png');
    await page.click('[data-testid=breakpoints] .unbreak');
    await page.locator('[data-testid=breakpoints] .chip').waitFor({ state: 'detached' });
    await clickRun(page);
    await atPrompt(page);
  });

  await t.test('at 1280 × 720 the process table shows four processes', async () => {
    await clickPause(page);
    await type(page, 'cowtest'); // read once the guest runs
    const before = await runTo(page, 'fork'); // narrowed to cowtest
    await waitForStop(page, { detail: 'fork', afterSeq: before });
    const rows = await page.evaluate(() => {
      const box = document.querySelector('#processes .scroll').getBoundingClientRect();
      return [...document.querySelectorAll('[data-testid=process-table] tbody tr')]
        .map((r) => ({ pid: r.dataset.pid, seen: r.getBoundingClientRect().bottom <= box.bottom + 0.5 }));
    });
    assert.equal(rows.length, 4, JSON.stringify(rows));
    assert.deepEqual(rows.filter((r) => !r.seen), [], 'rows below the fold');
    await screenshot(page, 'teacher-processes.png');
  });

  await t.test('the timeline\'s event detail has the height of the list beside it', async () => {
    await page.click('[data-testid=tab-timeline]');
    await page.locator('[data-testid=event-list] .event').last().click();
    const [detail, list] = await page.evaluate(() => ['event-detail', 'event-list']
      .map((id) => document.querySelector(`[data-testid=${id}]`).clientHeight));
    assert.ok(detail >= list - 2, `the detail is ${detail} px high beside a list of ${list} px`);
    await page.click('[data-testid=tab-memory]');
  });

  await t.test('the VA walk leaves an address of a process that exited', async () => {
    await clickRun(page);
    await atPrompt(page);
    await clickPause(page);
    await type(page, 'crash');
    const before = await runTo(page, 'page_fault');
    await waitForStop(page, { detail: 'page_fault', afterSeq: before });
    const crash = await page.evaluate(() => window.glassbox.status.stop && window.glassbox.snapshot.processes.find((p) => p.name === 'crash').pid);
    await page.click('[data-testid=tab-walk]');
    assert.match(await page.innerText('[data-testid=walk-result]'), new RegExp(`pid ${crash} crash`));
    await clickRun(page);
    await atPrompt(page);
    await clickPause(page);
    const shown = await page.innerText('[data-testid=walk-result]');
    assert.doesNotMatch(shown, new RegExp(`pid ${crash}\\b`), 'the walk of a process that is gone');
    await page.click('[data-testid=tab-memory]');
  });

  await t.test('the history strip of a long session stays two rows high', async () => {
    for (let i = 0; i < 30; i++) {
      const before = await paintedSeq(page);
      await page.click('[data-testid=step]');
      await waitForStop(page, { afterSeq: before });
    }
    const console0 = await page.evaluate(() => document.querySelector('[data-testid=terminal]').getBoundingClientRect().height);
    await page.click('[data-testid=history-toggle]');
    await page.locator('[data-testid=history-stops] .history-stop').nth(30).waitFor();
    const strip = await page.evaluate(() => {
      const stops = document.querySelector('[data-testid=history-stops]');
      const chip = stops.querySelector('.history-stop').getBoundingClientRect().height;
      const last = stops.lastElementChild.getBoundingClientRect();
      const box = stops.getBoundingClientRect();
      return { rows: stops.clientHeight / chip, newest: last.bottom <= box.bottom + 0.5 && last.top >= box.top - 0.5 };
    });
    assert.ok(strip.rows < 3, `the strip is ${strip.rows.toFixed(1)} chips high`);
    assert.ok(strip.newest, 'the newest stop is in view');
    const console1 = await page.evaluate(() => document.querySelector('[data-testid=terminal]').getBoundingClientRect().height);
    assert.ok(console1 >= console0 - 60, `the console shrank from ${console0} to ${console1} px`);
    await screenshot(page, 'teacher-history.png');
    await page.click('[data-testid=history-toggle]');
  });

  await t.test('live off, or QEMU killed: the tick is no longer "live"; Restart from the banner clears the complaint', async () => {
    await clickRun(page);
    await page.waitForFunction(() => window.glassbox.snapshot?.sample);
    assert.match(await page.textContent('[data-testid=as-of]'), / · live$/);
    await page.selectOption('[data-testid=sample-rate]', '0');
    await page.waitForFunction(() => window.glassbox.status?.sampling?.hz === 0);
    assert.doesNotMatch(await page.textContent('[data-testid=as-of]'), /live/);
    await page.selectOption('[data-testid=sample-rate]', '4');
    await page.waitForFunction(() => / · live$/.test(document.querySelector('[data-testid=as-of]').textContent));

    const status = await (await fetch(new URL('/api/status', daemon.url))).json();
    process.kill(status.qemu_pid, 'SIGKILL');
    await page.waitForFunction(() => document.querySelector('[data-testid=guest-state]').dataset.guest === 'dead');
    assert.doesNotMatch(await page.textContent('[data-testid=as-of]'), /live/);
    assert.equal(await page.isDisabled('[data-testid=break]'), true, 'Break with no QEMU');
    await page.fill('[data-testid=break-function]', 'fork');
    await page.press('[data-testid=break-function]', 'Enter'); // refused: a complaint
    await page.waitForFunction(() => document.querySelector('[data-testid=message]').textContent !== '');
    await screenshot(page, 'teacher-qemu-dead.png');
    await page.click('[data-testid=banner] button');
    await page.waitForFunction(() => window.glassbox.status?.qemu === 'running');
    assert.equal(await page.textContent('[data-testid=message]'), '', 'the complaint about the dead QEMU stays');
  });

  await t.test('at 1920 × 1080 the tabs are one row, the processes\' numbers under their headers', async () => {
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.waitForFunction(() => document.documentElement.classList.contains('side'));
    const tops = await page.evaluate(() => [...document.querySelectorAll('#tabs [role=tab]')].map((b) => Math.round(b.getBoundingClientRect().top)));
    assert.equal(tops.length, 8, 'the eight tabs, Lab the last');
    assert.equal(new Set(tops).size, 1, `tab rows at ${[...new Set(tops)]}`);
    // (wide columns there: a number under the next header, unless it is aligned as its header)
    await page.locator('[data-testid=proc-1]').waitFor(); // (the QEMU restarted just now)
    const columns = await page.evaluate(() => {
      const heads = [...document.querySelectorAll('[data-testid=process-table] thead th')];
      const cells = [...document.querySelector('[data-testid=process-table] tbody tr').children];
      return ['PID', 'KiB'].map((name) => {
        const i = heads.findIndex((th) => th.textContent === name);
        const right = (el) => {
          const text = document.createRange();
          text.selectNodeContents(el);
          return Math.round(text.getBoundingClientRect().right);
        };
        return { name, head: right(heads[i]), cell: right(cells[i]) };
      });
    });
    for (const c of columns) assert.ok(Math.abs(c.head - c.cell) <= 2, `${c.name}: the numbers end at ${c.cell}, the header at ${c.head}`);
    await screenshot(page, 'teacher-1920.png');
    await page.setViewportSize({ width: 1280, height: 720 });
    assert.deepEqual(page.errors, []);
  });
});
