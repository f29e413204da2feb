// Other web pages in the teacher's browser (issue 10, docs/security.md): a
// page on another origin, in the real Chromium, tries what any page can do to
// a daemon on loopback: a no-cors POST of commands (pause, a breakpoint,
// restart), reading the snapshot, opening the WebSocket with and without the
// subprotocol; and a DNS-rebinding page (a name that resolves to loopback,
// here Chromium's *.localhost, on the daemon's own port, so that its requests
// are same-origin to it). None of it may have an effect or read anything.
//
// Run: node --test tests/web/origin.test.mjs   (after make)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { freePort, startDaemon, launchBrowser } from './harness.mjs';

async function status(daemon) {
  const r = await fetch(`${daemon.url}api/status`);
  return r.json();
}

// What the other page tries, in the page; what it learnt comes back.
async function attack(page, target) {
  return page.evaluate(async (base) => {
    const said = {};
    const post = (cmd) => fetch(`${base}api/command`, {
      method: 'POST', mode: 'no-cors', body: JSON.stringify(cmd),
    }).then((r) => r.type, (e) => `error: ${e.message}`);
    said.pause = await post({ cmd: 'pause' });
    said.break = await post({ cmd: 'break', function: 'cow_fault' });
    said.restart = await post({ cmd: 'restart' });
    said.snapshot = await fetch(`${base}api/snapshot`).then((r) => r.text(), (e) => `error: ${e.message}`);
    const ws = (protocols) => new Promise((resolve) => {
      const s = protocols ? new WebSocket(`${base.replace('http', 'ws')}ws`, protocols)
        : new WebSocket(`${base.replace('http', 'ws')}ws`);
      const heard = [];
      s.onmessage = (m) => heard.push(String(m.data).slice(0, 80));
      s.onopen = () => s.send(JSON.stringify({ type: 'hello', role: 'controller' }));
      s.onclose = () => resolve({ opened: heard.length > 0 || s.protocol !== '', heard });
      setTimeout(() => { s.close(); resolve({ opened: s.readyState === 1, heard }); }, 3000);
    });
    said.ws = await ws('glassbox');
    said.wsBare = await ws(null);
    return said;
  }, target);
}

test('a page on another origin, and a rebinding page, can do nothing to the daemon', { timeout: 180_000 }, async (t) => {
  const port = await freePort();
  const daemon = await startDaemon(port);
  const otherPort = await freePort();
  const other = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<!doctype html><title>another site</title><p>nothing to see</p>');
  });
  await new Promise((resolve) => other.listen(otherPort, '127.0.0.1', resolve));
  const browser = await launchBrowser();
  t.after(async () => {
    await browser.close();
    other.close();
    await daemon.stop();
  });
  let before;
  for (let i = 0; i < 200; i++) {
    before = await status(daemon);
    if (before.qemu === 'running' && before.guest === 'running') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(before.guest, 'running', `the guest never ran: ${JSON.stringify(before)}`);

  await t.test('another origin: no command runs, nothing is read, no WebSocket', async () => {
    const page = await browser.newPage(`http://127.0.0.1:${otherPort}/`);
    const said = await attack(page, daemon.url);
    await new Promise((r) => setTimeout(r, 500));
    const after = await status(daemon);
    assert.equal(after.guest, 'running', `a cross-origin pause ran: ${JSON.stringify(after)}`);
    assert.equal(after.qemu_pid, before.qemu_pid, 'a cross-origin restart ran');
    assert.deepEqual(after.breakpoints, [], 'a cross-origin breakpoint was set');
    assert.match(said.snapshot, /^error/, `the other page read the snapshot: ${said.snapshot.slice(0, 80)}`);
    assert.deepEqual(said.ws.heard, [], `the other page's WebSocket heard: ${said.ws.heard}`);
    assert.deepEqual(said.wsBare.heard, [], `the other page's bare WebSocket heard: ${said.wsBare.heard}`);
    assert.equal(said.ws.opened || said.wsBare.opened, false, 'a cross-origin WebSocket stayed open');
  });

  await t.test('a rebinding name on the daemon\'s port: refused for its Host', async () => {
    const page = await browser.context.newPage();
    const response = await page.goto(`http://rebind.localhost:${port}/`);
    assert.notEqual(response.status(), 200, 'the workbench was served to a foreign Host');
    const said = await attack(page, `http://rebind.localhost:${port}/`);
    await new Promise((r) => setTimeout(r, 500));
    const after = await status(daemon);
    assert.equal(after.guest, 'running', `a rebinding page paused the guest: ${JSON.stringify(said)}`);
    assert.equal(after.qemu_pid, before.qemu_pid, 'a rebinding page restarted QEMU');
    assert.deepEqual(after.breakpoints, [], 'a rebinding page set a breakpoint');
    assert.doesNotMatch(said.snapshot, /"type":\s*"snapshot"/, 'a rebinding page read the snapshot');
    assert.deepEqual(said.ws.heard, [], `the rebinding page's WebSocket heard: ${said.ws.heard}`);
  });
});
