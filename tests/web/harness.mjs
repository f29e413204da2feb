// Helpers for the browser tests: start the real inspector daemon (which starts
// QEMU), start Debian's Chromium through playwright-core, and drive the page.

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(new URL('../..', import.meta.url).pathname);
export const BUILD = path.resolve(ROOT, process.env.BUILD ?? 'build');
export const SCREENSHOTS = path.join(BUILD, 'screenshots');

// playwright-core is a devDependency of web/ (web/package.json).
const { chromium } = createRequire(path.join(ROOT, 'web/package.json'))('playwright-core');

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// GLASSBOX_TEST_PORTS=LOW-HIGH: ports from that range only (a shared machine
// where each user has a range), for the daemon and its QEMU's gdbstub.
const PORTS = process.env.GLASSBOX_TEST_PORTS?.split('-').map(Number);
let nextPort = PORTS?.[0];

function listenOn(port) {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: got } = server.address();
      server.close(() => resolve(got));
    });
  });
}

// A TCP port nobody listens on right now.
export async function freePort() {
  if (!PORTS) return listenOn(0);
  for (let tries = PORTS[1] - PORTS[0] + 1; tries > 0; tries--) {
    const port = nextPort;
    nextPort = port === PORTS[1] ? PORTS[0] : port + 1;
    try {
      return await listenOn(port);
    } catch {
      // taken: the next one
    }
  }
  throw new Error(`no free port in ${process.env.GLASSBOX_TEST_PORTS}`);
}

// Starts build/inspector/glassbox-inspector on port (on disk, default
// build/fs.img, with more daemon options in args) and resolves once it prints
// its URL. stop() ends it with SIGTERM (SIGKILL after 5 s) and waits.
export async function startDaemon(port, { timeoutMs = 60_000, disk = path.join(BUILD, 'fs.img'), args: more = [] } = {}) {
  const binary = path.join(BUILD, 'inspector/glassbox-inspector');
  const args = ['--port', String(port), '--kernel', path.join(BUILD, 'kernel/kernel.elf'), '--disk', disk, ...more];
  if (PORTS && !more.includes('--gdb-port')) args.push('--gdb-port', String(await freePort()));
  for (const file of [binary, args[3], args[5]]) {
    if (!fs.existsSync(file)) throw new Error(`${path.relative(ROOT, file)} is missing: run make first`);
  }
  const child = spawn(binary, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the daemon did not print its URL within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const wanted = `Glassbox workbench: http://127.0.0.1:${port}/`;
    const listen = (chunk) => {
      output += chunk;
      if (output.includes(wanted)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.setEncoding('utf8').on('data', listen);
    child.stderr.setEncoding('utf8').on('data', listen);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the daemon exited (code ${code}, signal ${signal}) before it was ready:\n${output}`));
    });
  });
  return ready.then(() => ({
    url: `http://127.0.0.1:${port}/`,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  }));
}

// Chromium with a fresh profile, 1280×720 like a projector. close() removes the profile.
export async function launchBrowser() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 720 },
  });
  // The pages of a test stand for people at their own screens: each in a
  // window of its own (a tab behind another is hidden: its frames wait, and a
  // click on it takes two seconds). The first is the window Chromium opened.
  const first = context.pages()[0];
  let opener = null;
  async function openWindow() {
    if (!opener) {
      opener = await context.newCDPSession(first);
      return first;
    }
    const opened = context.waitForEvent('page');
    await opener.send('Target.createTarget', { url: 'about:blank', newWindow: true });
    return opened;
  }
  return {
    context,
    async newPage(url) {
      const page = await openWindow();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.errors = errors;
      await page.goto(url);
      return page;
    },
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, name) });
}

// Waits until the guest is stopped (on an event of kind `detail`, if given) and
// the page has painted a snapshot newer than afterSeq. Returns that seq.
export async function waitForStop(page, { detail, afterSeq = -1, timeout = 60_000 } = {}) {
  await page.waitForFunction(({ detail, afterSeq }) => {
    const g = window.glassbox;
    // (a live sample painted just before the stop is not the stop's snapshot)
    return g.status?.guest === 'stopped' && (!detail || g.status.stop?.detail === detail) &&
      g.lastPaintSeq !== null && g.lastPaintSeq > afterSeq && g.lastPaintSeq === g.snapshot?.seq &&
      !g.snapshot.sample;
  }, { detail, afterSeq }, { timeout });
  return page.evaluate(() => window.glassbox.lastPaintSeq);
}

export const paintedSeq = (page) => page.evaluate(() => window.glassbox.lastPaintSeq ?? -1);

// Presses Pause and waits for the stop painted; returns its seq.
export async function clickPause(page) {
  const before = await paintedSeq(page);
  await page.click('[data-testid=pause]');
  return waitForStop(page, { afterSeq: before });
}

// Presses Run and waits until the page shows the guest running.
export async function clickRun(page) {
  await page.click('[data-testid=run]');
  await page.waitForFunction(() => window.glassbox.status?.guest === 'running');
}

// Chooses an event kind and presses "Run to next"; returns the seq painted before.
export async function runTo(page, event) {
  const before = await paintedSeq(page);
  await page.selectOption('[data-testid=run-to-kind]', event);
  await page.click('[data-testid=run-to]');
  return before;
}

// Hovers over frame n in the frame grid and returns the tooltip's text.
export async function hoverFrame(page, n) {
  const grid = page.locator('[data-testid=frame-grid]');
  await page.mouse.move(0, 0); // off the grid, so that the next hover is a move
  // The grid draws once its tab is laid out (a hidden tab has no width).
  await page.waitForFunction(() => document.querySelector('[data-testid=frame-grid]')?.dataset.cell);
  const { cell, left, top, columns } = await grid.evaluate((c) => ({
    cell: Number(c.dataset.cell), left: Number(c.dataset.left), top: Number(c.dataset.top), columns: Number(c.dataset.columns),
  }));
  await grid.hover({
    position: { x: left + (n % columns) * cell + cell / 2, y: top + Math.floor(n / columns) * cell + cell / 2 },
  });
  const tip = page.locator('[data-testid=frame-tooltip]');
  await tip.waitFor({ state: 'visible' });
  return tip.innerText();
}

export const terminalText = (page) => page.evaluate(() => window.glassbox.terminalText());

// A daemon on a free port and a browser, both ended when test t is.
export async function daemonAndBrowser(t) {
  const daemon = await startDaemon(await freePort());
  const browser = await launchBrowser();
  t.after(async () => {
    await browser.close();
    await daemon.stop();
  });
  return { daemon, browser };
}

// One test's daemon and Chromium, both ended after it (t.after), and the
// controller's page: resolves once it is the controller and QEMU runs.
export async function openWorkbench(t) {
  const { daemon, browser } = await daemonAndBrowser(t);
  const page = await browser.newPage(daemon.url);
  await page.waitForFunction(() => window.glassbox.role === 'controller' && window.glassbox.status?.qemu === 'running');
  return { daemon, browser, page };
}

// The font size of every text the page shows in the window (and of the
// canvases' drawn labels): [{size, text, where}].
export const textSizes = (page) => page.evaluate(() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el) continue;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (style.visibility === 'hidden' || style.display === 'none' || box.width === 0 || box.height === 0) continue;
    if (box.bottom < 0 || box.right < 0 || box.top > innerHeight || box.left > innerWidth) continue;
    if (el.closest('.xterm-helpers, [aria-hidden="true"], .tip')) continue; // xterm's measuring spans; tooltips shown on demand
    out.push({ size: parseFloat(style.fontSize), text: n.textContent.trim().slice(0, 40), where: el.className || el.tagName });
  }
  for (const c of document.querySelectorAll('canvas[data-label-px]')) {
    const box = c.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || c.closest('[hidden]')) continue;
    out.push({ size: parseFloat(c.dataset.labelPx), text: '(labels drawn)', where: `canvas ${c.dataset.testid}` });
  }
  return out;
});
