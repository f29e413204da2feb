// Benchmark (make bench): from a stop to the page repainted with the new
// snapshot, measured in Chromium with the Performance API (window.glassbox.
// lastPaintMs), against the real daemon and QEMU with at least 16 processes.
// Goal: ≤ 100 ms. Prints one line per figure; exit status 1 over the goal.
//
// Run: node tests/web/bench.mjs   (after make)

import { freePort, startDaemon, launchBrowser, waitForStop, paintedSeq } from './harness.mjs';

const GOAL_MS = 100;
const STOPS = 30;
// In the shell, a pipeline of n commands is n processes and n - 1 waiting
// pipe runners: 8 cats, with init and sh, make 17 processes.
const PIPELINE = Array(8).fill('cat').join(' | ');

const daemon = await startDaemon(await freePort());
const browser = await launchBrowser();
try {
  const page = await browser.newPage(daemon.url);
  await page.waitForFunction(() => window.glassbox.role === 'controller' && window.glassbox.status?.qemu === 'running');
  if (await page.evaluate(() => window.glassbox.status.guest === 'stopped')) await page.click('[data-testid=run]');
  await page.waitForFunction(() => /^\$$/m.test(window.glassbox.terminalText()), null, { timeout: 60_000 });
  await page.click('[data-testid=terminal]');
  await page.keyboard.type(PIPELINE);
  await page.keyboard.press('Enter');
  await page.waitForTimeout(2000); // the shell starts the pipeline
  await page.keyboard.press('Escape');

  let seq = await paintedSeq(page);
  await page.click('[data-testid=pause]');
  seq = await waitForStop(page, { afterSeq: seq });
  const processes = await page.evaluate(() => window.glassbox.snapshot.processes.length);

  const times = [];
  for (let i = 0; i < STOPS; i++) {
    await page.click('[data-testid=step]');
    seq = await waitForStop(page, { afterSeq: seq });
    times.push(await page.evaluate(() => window.glassbox.lastPaintMs));
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(`web: processes in the snapshot: ${processes}`);
  console.log(`web: stop to repaint: median ${median.toFixed(1)} ms, max ${times.at(-1).toFixed(1)} ms over ${STOPS} stops (goal ≤ ${GOAL_MS} ms)`);
  process.exitCode = median <= GOAL_MS && processes >= 16 ? 0 : 1;
} finally {
  await browser.close();
  await daemon.stop();
}
