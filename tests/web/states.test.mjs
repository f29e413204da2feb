// The page's state against the daemon's, as a random walk (issue 9, point 1):
// from whatever state the guest is in (running; stopped at a pause, a step,
// an event, a breakpoint; waiting for "run to next"; QEMU dead; after a
// restart) the test presses one of the controls the page has enabled, then
// checks that within 1 s the controller's page and a viewer's page beside it
// show what GET /api/status says: the badge, the stop line, the breakpoint
// chips, and (on the controller) which buttons are enabled. The walk comes
// from a fixed seed, so a failure can be replayed.
//
// Run: node --test tests/web/states.test.mjs   (after make)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openWorkbench, screenshot } from './harness.mjs';

const SEED = Number(process.env.STATES_SEED ?? 20261201);
const TRANSITIONS = Number(process.env.STATES_TRANSITIONS ?? 200);
const WITHIN_MS = 1000;

// mulberry32: a small seeded generator.
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (v) => '0x' + (Number(v) >>> 0).toString(16).padStart(8, '0');

// What a page must show for a status.
function expected(status) {
  const guest = status.qemu === 'running' ? status.guest : status.qemu;
  const stop = guest === 'stopped' ? status.stop : null;
  return {
    guest,
    pc: stop?.pc ? hex(stop.pc) : '',
    atReset: stop?.reason === 'start',
    breakpoints: status.breakpoints ?? [],
    stopped: guest === 'stopped',
    running: guest === 'running',
    alive: status.qemu === 'running',
    stepsBack: guest === 'stopped' && status.stop?.steps_back > 0,
  };
}

// What a page shows.
const shown = (page) => page.evaluate(() => {
  const q = (id) => document.querySelector(`[data-testid=${id}]`);
  return {
    guest: q('guest-state').dataset.guest,
    why: q('stop-why').textContent,
    where: q('stop-where').textContent,
    breakpoints: [...q('breakpoints').querySelectorAll('.chip')].map((c) => c.firstChild.textContent),
    enabled: Object.fromEntries(['run', 'pause', 'step', 'step-back', 'step-line', 'run-to', 'back-to', 'restart']
      .map((id) => [id, !q(id).disabled && !q('controls').disabled])),
    connected: window.glassbox.status !== undefined && window.glassbox.status !== null,
  };
});

// The differences between what a page shows and what it should, or [].
function mismatches(view, want, controller) {
  const out = [];
  if (view.guest !== want.guest) out.push(`badge says ${view.guest}, status says ${want.guest}`);
  if (want.pc && !view.where.includes(want.pc)) out.push(`stop line "${view.where}" lacks pc ${want.pc}`);
  if (!want.pc && view.where) out.push(`stop line "${view.where}" while the status has no stop`);
  if (/at reset/.test(view.why) !== want.atReset) out.push(`stop reason "${view.why}" (at reset: ${want.atReset})`);
  if (JSON.stringify(view.breakpoints) !== JSON.stringify(want.breakpoints)) {
    out.push(`chips ${JSON.stringify(view.breakpoints)}, status ${JSON.stringify(want.breakpoints)}`);
  }
  if (controller) {
    const buttons = {
      run: want.stopped, pause: want.running, step: want.stopped, 'step-back': want.stepsBack,
      'step-line': want.stopped, 'run-to': want.alive, 'back-to': want.alive, restart: true,
    };
    for (const [id, on] of Object.entries(buttons)) {
      if (view.enabled[id] !== on) out.push(`${id} is ${view.enabled[id] ? 'enabled' : 'disabled'}, should be ${on ? 'enabled' : 'disabled'}`);
    }
  }
  return out;
}

test('the page shows the daemon\'s state after every control, in every state', { timeout: 900_000 }, async (t) => {
  const { daemon, browser, page: controller } = await openWorkbench(t);
  const api = async (path, body) => {
    const r = await fetch(`${daemon.url}api/${path}`, body
      ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {});
    return r.json();
  };
  const viewer = await browser.newPage(`${daemon.url}?viewer=1`);
  await viewer.waitForFunction(() => window.glassbox.role === 'viewer' && window.glassbox.status);

  // Both pages agree with /api/status within WITHIN_MS (the status read
  // again each time: a running guest may stop by itself meanwhile).
  async function agree(what) {
    const end = Date.now() + WITHIN_MS;
    let last;
    for (;;) {
      const status = await api('status');
      const want = expected(status);
      const [c, v] = await Promise.all([shown(controller), shown(viewer)]);
      const again = await api('status');
      const wrong = [...mismatches(c, want, true).map((m) => `controller: ${m}`),
        ...mismatches(v, want, false).map((m) => `viewer: ${m}`)];
      if (!wrong.length && JSON.stringify(expected(again)) === JSON.stringify(want)) return want;
      last = { wrong, status };
      if (Date.now() > end) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await screenshot(controller, 'states-failure-controller.png');
    await screenshot(viewer, 'states-failure-viewer.png');
    assert.fail(`${what}: after ${WITHIN_MS} ms the pages do not show the status ` +
      `${JSON.stringify(last.status)}:\n  ${last.wrong.join('\n  ')}`);
  }

  // A button can go disabled between reading the page and the click (the
  // guest stopped at reset runs on by itself): that is the page following.
  const press = async (selector) => {
    try {
      await controller.click(selector, { timeout: 10_000 });
      return '';
    } catch (e) {
      if (await controller.isDisabled(selector)) return '(disabled meanwhile)';
      throw e;
    }
  };

  const rand = random(SEED);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const kinds = ['trap', 'syscall', 'switch', 'fork', 'exec', 'exit', 'cow_fault'];
  const functions = ['usertrap', 'sys_write', 'cow_fault', 'fork'];
  const commands = ['echo hi', 'cowtest', 'ls', 'forktest'];

  // Run to next, or back to the last, of a kind picked at random.
  const pressForKind = async (selector) => {
    const kind = pick(kinds);
    await controller.selectOption('[data-testid=run-to-kind]', kind);
    return `${kind} ${await press(selector)}`;
  };

  // The moves, each with when it is possible (from what the page shows) and how.
  const moves = [
    { name: 'run', weight: 4, when: (v) => v.enabled.run, go: () => press('[data-testid=run]') },
    { name: 'pause', weight: 4, when: (v) => v.enabled.pause, go: () => press('[data-testid=pause]') },
    { name: 'step', weight: 3, when: (v) => v.enabled.step, go: () => press('[data-testid=step]') },
    { name: 'step line', weight: 2, when: (v) => v.enabled['step-line'], go: () => press('[data-testid=step-line]') },
    { name: 'run to next', weight: 4, when: (v) => v.enabled['run-to'], go: () => pressForKind('[data-testid=run-to]') },
    { name: 'step back', weight: 3, when: (v) => v.enabled['step-back'], go: () => press('[data-testid=step-back]') },
    { name: 'back to last', weight: 2, when: (v) => v.enabled['back-to'], go: () => pressForKind('[data-testid=back-to]') },
    {
      // From the history strip: a stop shown, then the guest taken back to
      // it (or, if it is not kept for that, back to live).
      name: 'rewind', get weight() { return seen.has('stopped at rewind') ? 1 : 3; }, when: (v) => v.enabled['run-to'],
      go: async () => {
        if ((await controller.getAttribute('[data-testid=history-toggle]', 'aria-expanded')) !== 'true') {
          await controller.click('[data-testid=history-toggle]');
        }
        const chips = controller.locator('[data-testid=history-stops] .history-stop');
        await chips.first().waitFor({ timeout: 10_000 });
        const n = await chips.count();
        const chip = chips.nth(Math.floor(rand() * n));
        const seq = await chip.getAttribute('data-seq');
        await chip.click();
        await controller.waitForFunction((q) => window.glassbox.snapshot?.seq === Number(q), seq, { timeout: 10_000 });
        const rewind = controller.locator('[data-testid=history-rewind]');
        if (await rewind.isEnabled()) {
          await rewind.click();
          // The guest's next stop shows the present again.
          await controller.locator('[data-testid=history-note]').waitFor({ state: 'detached', timeout: 10_000 });
          return `to #${seq}`;
        }
        await controller.click('[data-testid=history-live]');
        return `#${seq} not kept: back to live`;
      },
    },
    {
      name: 'break', weight: 2, when: (v) => v.enabled['run-to'] && v.breakpoints.length < 2,
      go: async () => {
        const fn = pick(functions);
        await controller.fill('[data-testid=break-function]', fn);
        return `${fn} ${await press('[data-testid=break]')}`;
      },
    },
    {
      name: 'unbreak', weight: 2, when: (v) => v.enabled['run-to'] && v.breakpoints.length > 0,
      go: () => press('[data-testid=breakpoints] .unbreak'),
    },
    {
      name: 'type a command', weight: 2, when: (v) => v.enabled['run-to'],
      go: async () => {
        const line = pick(commands);
        await controller.click('[data-testid=terminal]');
        await controller.keyboard.type(line);
        await controller.keyboard.press('Enter');
        return line;
      },
    },
    {
      name: 'restart', weight: 0.5, when: (v) => v.enabled.restart && v.guest !== 'starting',
      go: () => press('[data-testid=restart]'),
    },
    {
      // No control to press while QEMU starts: wait.
      name: 'wait', weight: 1, when: (v) => v.guest === 'starting',
      go: () => controller.waitForFunction(() => window.glassbox.status?.qemu !== 'starting', null, { timeout: 60_000 }),
    },
    {
      // Likelier until the walk has seen QEMU dead once: the states a seeded
      // walk reaches depend on timing (live samples, a busy host), and every
      // state must be visited.
      name: 'kill QEMU', get weight() { return seen.has('qemu dead') ? 0.5 : 2; }, when: (v) => v.enabled['run-to'],
      go: async () => {
        const { qemu_pid: pid } = await api('status');
        process.kill(pid, 'SIGKILL');
        // The move is over when the daemon has seen the death (its sockets
        // close at once, the process is reaped within 250 ms): else the next
        // move is picked from a page about to change under it.
        for (let i = 0; i < 200 && (await api('status')).qemu === 'running'; i++) await new Promise((r) => setTimeout(r, 25));
        return `pid ${pid}`;
      },
    },
  ];

  const seen = new Map(); // state the move started from -> count
  const spent = new Map(); // move -> [ms in the move, ms until the pages agreed, times]
  const trail = [];
  await agree('at the start');
  for (let i = 0; i < TRANSITIONS; i++) {
    const view = await shown(controller);
    const status = await api('status');
    const from = status.qemu !== 'running' ? `qemu ${status.qemu}`
      : status.guest === 'running' ? (status.run_to ? 'waiting for run to' : 'running')
        : `stopped at ${status.stop?.reason}`;
    // Nothing here stalls QEMU: a stop it was asked for is never 1 s late.
    assert.notEqual(status.qemu, 'not responding', `QEMU not responding after:\n${trail.slice(-10).join('\n')}`);
    const possible = moves.filter((m) => m.when(view));
    assert.ok(possible.length > 0, `no control is enabled in state ${from}`);
    let r = rand() * possible.reduce((s, m) => s + m.weight, 0);
    const move = possible.find((m) => (r -= m.weight) < 0) ?? possible.at(-1);
    const began = Date.now();
    const arg = move.name === 'wait' ? await move.go() && '' : await move.go();
    const went = Date.now();
    trail.push(`${i}: ${from} --${move.name}${arg ? ` ${arg}` : ''}-->`);
    seen.set(from, (seen.get(from) ?? 0) + 1);
    try {
      await agree(`transition ${i} (${move.name} from ${from})`);
    } catch (e) {
      e.message += `\nthe walk (seed ${SEED}):\n${trail.slice(-15).join('\n')}`;
      throw e;
    }
    const [ms, agreeMs, n] = spent.get(move.name) ?? [0, 0, 0];
    spent.set(move.name, [ms + went - began, agreeMs + Date.now() - went, n + 1]);
  }
  t.diagnostic(`[ms in the move, ms to agree, times] per move: ${JSON.stringify(Object.fromEntries(spent))}`);
  t.diagnostic(`states the moves started from: ${JSON.stringify(Object.fromEntries(seen))}`);
  for (const state of ['running', 'stopped at pause', 'stopped at step', 'stopped at event', 'stopped at breakpoint',
    'waiting for run to', 'qemu dead', 'qemu starting']) {
    assert.ok(seen.has(state), `the walk never started a move from "${state}": ${[...seen.keys()]}`);
  }
  assert.deepEqual(controller.errors, [], 'no uncaught errors in the controller page');
  assert.deepEqual(viewer.errors, [], 'no uncaught errors in the viewer page');
});
