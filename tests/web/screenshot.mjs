// The README's screenshot (make screenshot), the unscripted COW demo: a fresh
// page at 1280×720, type `cowtest` at the console (it runs to its end), press
// "Run to next" with "COW fault" (in cowtest, the default: it waits for
// cowtest to run), type `cowtest` again, and press "Run to next" until a
// fault copies a frame. Saved
// as build/screenshots/readme-workbench.png and copied to
// docs/images/workbench.png; nothing else writes that file.
//
// Run: node tests/web/screenshot.mjs   (after make)

import fs from 'node:fs';
import path from 'node:path';
import { ROOT, SCREENSHOTS, openWorkbench, screenshot, waitForStop, paintedSeq } from './harness.mjs';

const after = [];
const t = { after: (f) => after.push(f) }; // openWorkbench's clean-up, as node:test would run it
try {
  const { page } = await openWorkbench(t);
  await page.waitForFunction(() => /\$$/.test(window.glassbox.terminalText()), null, { timeout: 60_000 });
  const typeCowtest = async () => {
    await page.click('[data-testid=terminal]');
    await page.keyboard.type('cowtest');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
  };
  await typeCowtest();
  await page.waitForFunction(() => /cowtest: OK\n\$ ?$/.test(window.glassbox.terminalText()), null, { timeout: 60_000 });
  await page.selectOption('[data-testid=run-to-kind]', 'cow_fault');
  let copied = null;
  for (let i = 0; i < 30 && !copied; i++) {
    const before = await paintedSeq(page);
    await page.click('[data-testid=run-to]');
    if (i === 0) {
      await page.waitForFunction(() => window.glassbox.status?.run_to === 'cow_fault');
      await typeCowtest();
    }
    await waitForStop(page, { detail: 'cow_fault', afterSeq: before });
    copied = await page.evaluate(() => {
      const e = window.glassbox.snapshot.events.findLast((ev) => ev.kind === 'cow_fault');
      return e && e.old_pa !== e.new_pa ? e : null;
    });
  }
  if (!copied) throw new Error('no COW fault of cowtest copied a frame within 30 stops');
  await page.mouse.move(0, 0);
  await screenshot(page, 'readme-workbench.png');
  fs.copyFileSync(path.join(SCREENSHOTS, 'readme-workbench.png'), path.join(ROOT, 'docs/images/workbench.png'));
  console.log(`screenshot: docs/images/workbench.png (pid ${copied.pid}, page ${copied.va})`);
} finally {
  for (const f of after) await f();
}
