// Whose events "Run to next" waits for (issue 9, the tour's second and fourth
// defects): by default those of the program last started at the console. A
// reloaded page must not take the old page's menus (it said hello after its
// first command, so the daemon took it for a viewer and relayed the old view
// to it); a program typed after "any process" is what the menu is about again,
// also when its line is recalled with ↑; and after a rewind it is the program
// of the state gone back to, with the panes that stop showed.
//
// Run: node --test tests/web/whose.test.mjs   (after make)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openWorkbench, screenshot, waitForStop, runTo, clickPause, clickRun } from './harness.mjs';

const atPrompt = (page) => page.waitForFunction(() => /\$ ?$/.test(window.glassbox.terminalText()), null, { timeout: 60_000 });
const panes = (page) => page.evaluate(() => ['a', 'b'].map((s) => document.querySelector(`[data-testid=as-pane-${s}]`).dataset.pid ?? null));
const whose = (page) => page.evaluate(() => {
  const menu = document.querySelector('[data-testid=run-to-process]');
  return { value: menu.value, text: menu.selectedOptions[0]?.textContent };
});

async function typeLine(page, line) {
  await page.click('[data-testid=terminal]');
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
}

// The name of the process whose event the guest stopped at.
const stoppedIn = (page) => page.evaluate(() => {
  const { snapshot, status } = window.glassbox;
  const event = snapshot.events.find((e) => e.seq === status.stop.event) ?? snapshot.events.at(-1);
  return snapshot.processes.find((p) => p.pid === event.pid)?.name;
});

test('whose events Run to next waits for', { timeout: 600_000 }, async (t) => {
  const { daemon, browser, page } = await openWorkbench(t);
  if (await page.evaluate(() => window.glassbox.status.guest === 'stopped')) await clickRun(page);
  await atPrompt(page);

  await t.test('a reloaded page says hello first and keeps its own menus', async () => {
    await page.selectOption('[data-testid=run-to-kind]', 'exec');
    await page.selectOption('[data-testid=run-to-process]', '');
    await page.waitForTimeout(300); // the view sent and relayed
    const sent = [];
    page.on('websocket', (ws) => ws.on('framesent', (f) => sent.push(JSON.parse(f.payload).type)));
    await page.reload();
    await page.waitForFunction(() => window.glassbox.role === 'controller' && window.glassbox.snapshot);
    assert.equal(sent[0], 'hello', `the first message: ${sent.join(', ')}`);
    assert.equal(await page.inputValue('[data-testid=run-to-kind]'), 'fork', 'the menu as a new page has it');
  });

  await t.test('a program typed after "any process" is what Run to next is about again', async () => {
    await page.selectOption('[data-testid=run-to-process]', '');
    await clickPause(page);
    await typeLine(page, 'cowtest');
    assert.deepEqual(await whose(page), { value: 'foreground', text: 'in cowtest' });
    assert.ok(await page.isVisible('[data-testid=terminal-paused]'), 'typed while stopped: the console says the guest reads it when it runs');
    const before = await runTo(page, 'cow_fault');
    await waitForStop(page, { detail: 'cow_fault', afterSeq: before });
    assert.ok(!(await page.isVisible('[data-testid=terminal-paused]')), 'the note goes once the guest ran');
    assert.equal(await stoppedIn(page), 'cowtest', 'the COW fault is cowtest\'s, not the shell\'s');
    await clickRun(page);
    await page.waitForFunction(() => /cowtest: OK[^]*\$ ?$/.test(window.glassbox.terminalText()), null, { timeout: 60_000 });
  });

  await t.test('a line recalled with ↑ names its program', async () => {
    await typeLine(page, 'echo hi');
    await page.waitForFunction(() => /hi\n\$ ?$/.test(window.glassbox.terminalText()), null, { timeout: 30_000 });
    assert.equal((await whose(page)).text, 'in echo');
    await page.click('[data-testid=terminal]');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await page.waitForFunction(() => /\$ cowtest$/.test(window.glassbox.terminalText()), null, { timeout: 10_000 });
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    assert.deepEqual(await whose(page), { value: 'foreground', text: 'in cowtest' });
    await page.waitForFunction(() => /cowtest: OK[^]*cowtest: OK[^]*\$ ?$/.test(window.glassbox.terminalText()), null, { timeout: 60_000 });
  });

  await t.test('after a rewind: the program of then, and the panes of then', async () => {
    await clickPause(page);
    await typeLine(page, 'cowtest');
    const before = await runTo(page, 'fork');
    const fork = await waitForStop(page, { detail: 'fork', afterSeq: before });
    const forkPanes = await panes(page);
    assert.equal(await stoppedIn(page), 'cowtest');
    await clickRun(page);
    await page.waitForFunction(() => /(cowtest: OK[^]*){3}\$ ?$/.test(window.glassbox.terminalText()), null, { timeout: 60_000 });
    await typeLine(page, 'sleep 1');
    await page.waitForFunction(() => /sleep 1\n\$ ?$/.test(window.glassbox.terminalText()), null, { timeout: 30_000 });
    assert.equal((await whose(page)).text, 'in sleep');

    const seqBefore = await clickPause(page);
    const reply = await (await fetch(new URL('/api/command', daemon.url), {
      method: 'POST', body: JSON.stringify({ cmd: 'rewind', to: fork }),
    })).json();
    assert.ok(reply.ok, JSON.stringify(reply));
    await waitForStop(page, { afterSeq: seqBefore });
    await page.waitForFunction(() => window.glassbox.status.stop.reason === 'rewind');
    assert.deepEqual(await whose(page), { value: 'foreground', text: 'in cowtest' }, 'the program in the foreground then');
    assert.deepEqual(await panes(page), forkPanes, 'the panes the fork showed');
    await screenshot(page, 'whose-after-rewind.png');

    const again = await runTo(page, 'cow_fault');
    await waitForStop(page, { detail: 'cow_fault', afterSeq: again });
    assert.equal(await stoppedIn(page), 'cowtest');

    // While the guest runs, the fork picked in the history is told as the
    // fork, not as the COW fault of the stop before the Run.
    await clickRun(page);
    if ((await page.getAttribute('[data-testid=history-toggle]', 'aria-expanded')) !== 'true') {
      await page.click('[data-testid=history-toggle]');
    }
    await page.click(`[data-testid=history-stops] [data-seq="${fork}"]`);
    await page.waitForFunction(() => /^past: /.test(document.querySelector('[data-testid=stop-why]').textContent));
    assert.match(await page.innerText('[data-testid=story] .badge'), /^fork$/, 'the story bar tells the stop shown');
    await page.click('[data-testid=history-live]');

    // A page opened now names that stop by its program too, though it
    // never saw the stop's snapshot (the daemon's history says it).
    const late = await browser.newPage(`${daemon.url}?viewer=1`);
    await late.waitForFunction(() => window.glassbox.role === 'viewer' && window.glassbox.snapshot);
    await late.click('[data-testid=history-toggle]');
    const chip = late.locator(`[data-testid=history-stops] [data-seq="${fork}"]`);
    await chip.waitFor();
    assert.match(await chip.innerText(), /cowtest \(pid \d+\)/, 'the late page names the fork stop\'s program');
    await late.close();
  });
  assert.deepEqual(page.errors, []);
});
