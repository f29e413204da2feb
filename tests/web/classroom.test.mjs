// The classroom (issue 9, point 7), against the real daemon and QEMU: a
// viewer's page follows the teacher's tab, the processes in its panes and its
// selected page and frame; it breaks away when its user navigates and rejoins
// with "Follow teacher"; a second page that takes control tells the first one
// why, and the first takes it back; with a daemon that wants a token, the
// page without it asks for it, and takes control once given it.
// Screenshots: build/screenshots/classroom-*.png.
//
// Run: node --test tests/web/classroom.test.mjs   (after make)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  freePort, startDaemon, launchBrowser, openWorkbench, screenshot, waitForStop, paintedSeq,
} from './harness.mjs';

const selectedTab = (page) => page.evaluate(() => document.querySelector('[role=tab][aria-selected=true]').dataset.testid);
const waitForTab = (page, tab) => page.waitForFunction((t) =>
  document.querySelector('[role=tab][aria-selected=true]')?.dataset.testid === `tab-${t}`, tab, { timeout: 5000 });
const panes = (page) => page.evaluate(() => ({
  a: document.querySelector('.procs .sel-a')?.dataset.pid, b: document.querySelector('.procs .sel-b')?.dataset.pid,
}));

test('viewers follow the teacher; control taken and taken back', { timeout: 300_000 }, async (t) => {
  const { daemon, browser, page: teacher } = await openWorkbench(t);
  if (await teacher.evaluate(() => window.glassbox.status.guest === 'stopped')) await teacher.click('[data-testid=run]');
  await teacher.waitForFunction(() => /^\$$/m.test(window.glassbox.terminalText()), null, { timeout: 60_000 });
  const before = await paintedSeq(teacher);
  await teacher.click('[data-testid=pause]');
  await waitForStop(teacher, { afterSeq: before });
  const viewer = await browser.newPage(`${daemon.url}?viewer=1`);
  await viewer.waitForFunction((seq) => window.glassbox.role === 'viewer' && window.glassbox.lastPaintSeq >= seq,
    await paintedSeq(teacher));
  assert.equal(await viewer.getAttribute('[data-testid=follow]', 'aria-pressed'), 'true', 'a viewer follows by default');

  await t.test('the viewer follows the tab, the panes\' processes, the page and the frame', async () => {
    await teacher.click('[data-testid=tab-cpu]');
    await waitForTab(viewer, 'cpu');
    await teacher.click('[data-testid=tab-memory]');
    await waitForTab(viewer, 'memory');

    // init in the left pane, sh in the right.
    await teacher.click('[data-testid=proc-1]');
    await teacher.click('[data-testid=proc-2]', { modifiers: ['Shift'] });
    assert.deepEqual(await panes(teacher), { a: '1', b: '2' });
    await viewer.waitForFunction(() => document.querySelector('.procs .sel-a')?.dataset.pid === '1' &&
      document.querySelector('.procs .sel-b')?.dataset.pid === '2', null, { timeout: 5000 });
    assert.equal(await viewer.getAttribute('[data-testid=as-pane-b]', 'data-pid'), '2');

    // A page of sh.
    const chip = teacher.locator('[data-testid=as-pane-b] [data-testid=page]').nth(1);
    const va = await chip.getAttribute('data-va');
    await chip.click();
    await viewer.waitForFunction((v) => document.querySelector(`[data-testid=as-pane-b] [data-testid=page].selected[data-va="${v}"]`),
      va, { timeout: 5000 });

    // A frame, picked in the frame map with the arrow keys.
    await teacher.click('[data-testid=tab-frames]');
    await waitForTab(viewer, 'frames');
    await teacher.waitForFunction(() => document.querySelector('[data-testid=frame-grid]')?.dataset.cell);
    await teacher.locator('[data-testid=frame-grid]').focus();
    await teacher.keyboard.press('ArrowRight');
    await teacher.keyboard.press('ArrowRight');
    const detail = await teacher.innerText('[data-testid=frame-detail]');
    assert.match(detail, /^frame \d+/);
    await viewer.waitForFunction((d) => document.querySelector('[data-testid=frame-detail]')?.innerText === d, detail, { timeout: 5000 });
    await screenshot(viewer, 'classroom-viewer-following.png');
  });

  await t.test('the viewer breaks away by navigating, and rejoins', async () => {
    await viewer.click('[data-testid=tab-timeline]');
    await viewer.waitForFunction(() => document.querySelector('[data-testid=follow]').getAttribute('aria-pressed') === 'false');
    assert.match(await viewer.innerText('[data-testid=follow]'), /^Follow teacher$/);
    await teacher.click('[data-testid=tab-source]');
    await teacher.click('[data-testid=proc-2]');
    await viewer.waitForTimeout(500); // what would have come has come
    assert.equal(await selectedTab(viewer), 'tab-timeline', 'a viewer that broke away keeps its own tab');
    assert.equal((await panes(viewer)).a, '1');
    await viewer.click('[data-testid=follow]');
    await waitForTab(viewer, 'source');
    assert.deepEqual(await panes(viewer), await panes(teacher), 'rejoining shows the teacher\'s panes');
    assert.equal(await viewer.getAttribute('[data-testid=follow]', 'aria-pressed'), 'true');
    // Following again: the next change comes through.
    await teacher.click('[data-testid=tab-walk]');
    await waitForTab(viewer, 'walk');
    await teacher.click('[data-testid=tab-memory]');
  });

  await t.test('a second page takes control: the first is told why and takes it back', async () => {
    const second = await browser.newPage(daemon.url);
    await second.waitForFunction(() => window.glassbox.role === 'controller');
    const banner = teacher.locator('[data-testid=control-banner]');
    await banner.waitFor({ state: 'visible', timeout: 5000 });
    assert.match(await banner.innerText(), /^Another client took control: you are a viewer\.\s*Take control back$/);
    assert.equal(await teacher.evaluate(() => window.glassbox.role), 'viewer');
    assert.ok(await teacher.isDisabled('[data-testid=step]'), 'the old controller\'s Step is disabled');
    await screenshot(teacher, 'classroom-control-taken.png');

    await teacher.click('[data-testid=take-control]');
    await teacher.waitForFunction(() => window.glassbox.role === 'controller', null, { timeout: 5000 });
    await banner.waitFor({ state: 'hidden', timeout: 5000 });
    assert.ok(!(await teacher.isDisabled('[data-testid=step]')), 'Step works again');
    await second.locator('[data-testid=control-banner]').waitFor({ state: 'visible', timeout: 5000 });
    assert.equal(await second.evaluate(() => window.glassbox.role), 'viewer');
    // The viewer follows the controller that took control back.
    await teacher.click('[data-testid=tab-mailboxes]');
    await waitForTab(viewer, 'mailboxes');
    const stepped = await paintedSeq(teacher);
    await teacher.click('[data-testid=step]');
    await waitForStop(teacher, { afterSeq: stepped });
    assert.deepEqual(second.errors, []);
  });

  assert.deepEqual(teacher.errors, [], 'no uncaught errors in the teacher\'s page');
  assert.deepEqual(viewer.errors, [], 'no uncaught errors in the viewer\'s page');
});

test('with a token: the page asks for it, and takes control with it', { timeout: 120_000 }, async (t) => {
  const daemon = await startDaemon(await freePort(), { args: ['--bind', '0.0.0.0'] });
  const browser = await launchBrowser();
  t.after(async () => {
    await browser.close();
    await daemon.stop();
  });
  const token = /Control token: (\S+)/.exec(daemon.output())?.[1];
  assert.ok(token, `no token printed:\n${daemon.output()}`);

  const page = await browser.newPage(daemon.url);
  const banner = page.locator('[data-testid=control-banner]');
  await banner.waitFor({ state: 'visible', timeout: 10_000 });
  assert.match(await banner.innerText(), /^Control needs the token/);
  assert.equal(await page.evaluate(() => window.glassbox.role), 'viewer');
  await page.fill('[data-testid=control-token]', 'not-the-token');
  await page.click('[data-testid=take-control]');
  await page.waitForTimeout(500); // the daemon's answer: a hello, still a viewer
  assert.equal(await page.evaluate(() => window.glassbox.role), 'viewer');
  assert.ok(await banner.isVisible(), 'a wrong token leaves the page a viewer, and says so');
  await page.fill('[data-testid=control-token]', token);
  await page.click('[data-testid=take-control]');
  await page.waitForFunction(() => window.glassbox.role === 'controller', null, { timeout: 5000 });
  await banner.waitFor({ state: 'hidden', timeout: 5000 });

  // A page opened with ?token= takes control; the first enters the token again.
  const second = await browser.newPage(`${daemon.url}?token=${token}`);
  await second.waitForFunction(() => window.glassbox.role === 'controller');
  await banner.waitFor({ state: 'visible', timeout: 5000 });
  assert.match(await banner.innerText(), /^Another client took control: you are a viewer\.\s*Take control back$/);
  await screenshot(page, 'classroom-token.png');
  await page.click('[data-testid=take-control]'); // the token given before is kept
  await page.waitForFunction(() => window.glassbox.role === 'controller', null, { timeout: 5000 });
  assert.equal(await second.evaluate(() => window.glassbox.role), 'viewer');
  assert.deepEqual(page.errors, []);
});
