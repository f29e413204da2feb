// The guest's console: what the serial port prints, and typing sent to it
// (controller only). Escape leaves the terminal so that shortcuts work again.

import { Terminal } from '../node_modules/@xterm/xterm/lib/xterm.mjs';
import { FitAddon } from '../node_modules/@xterm/addon-fit/lib/addon-fit.mjs';
import { cssVar } from '../lib/dom.js';
import { stopText, WENT_BACK } from './state.js';

export function mountTerminal(el, { store, send }) {
  const term = new Terminal({
    convertEol: true, // the kernel prints bare \n
    cursorBlink: true,
    disableStdin: true,
    fontFamily: cssVar('--mono'),
    fontSize: parseFloat(getComputedStyle(el).fontSize),
    scrollback: 5000,
    theme: { background: cssVar('--term-bg'), foreground: cssVar('--term-fg'), cursor: cssVar('--term-fg') },
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(el);
  // Programs print 80-column lines: below that, say what the projector gives.
  const columns = document.getElementById('terminal-columns');
  term.onResize(({ cols }) => {
    columns.textContent = cols < 80 ? `· ${cols} cols (Projector: 80)` : '';
  });
  // The zoom, the projector setting and the window's width (the root's font
  // size) change the size the CSS gives the terminal.
  const refit = () => {
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (term.options.fontSize !== size) term.options.fontSize = size;
    fit.fit();
  };
  new ResizeObserver(refit).observe(el);
  store.on(['room'], refit);

  term.attachCustomKeyEventHandler((e) => {
    if (e.key !== 'Escape') return true;
    if (e.type === 'keydown') term.blur();
    return false;
  });
  // Typed while the guest is stopped, nothing is echoed until it runs: the
  // header says why, until it runs again.
  const paused = document.getElementById('terminal-paused');
  term.onData((data) => {
    if (store.state.role !== 'controller') return;
    send(data);
    if (store.state.status?.guest === 'stopped') paused.hidden = false;
  });
  store.on(['status'], ({ status }) => {
    if (status?.guest !== 'stopped') paused.hidden = true;
  });
  store.on(['role'], ({ role }) => {
    term.options.disableStdin = role !== 'controller';
  });

  // The guest gone back in time: the console's later lines stay on screen,
  // so a dim line says where the guest went (what follows comes from then).
  let wentBack = '';
  store.on(['status'], ({ status }) => {
    const stop = status?.guest === 'stopped' && status.qemu === 'running' ? status.stop : null;
    const back = WENT_BACK.has(stop?.reason);
    const key = back ? JSON.stringify([status.qemu_pid, stop]) : '';
    if (back && key !== wentBack) {
      // (the detail's first words only: "back to the last fork", not its events)
      const where = stopText({ ...stop, detail: stop.detail?.split(' (')[0] });
      term.write(`\r\n\x1b[2m── ⟲ ${where}; the lines above may be later\x1b[0m\r\n`);
    }
    wentBack = key;
  });

  return {
    write: (data) => term.write(data),
    columns: () => term.cols,
    // The line the cursor is on, as shown.
    cursorLine() {
      const buffer = term.buffer.active;
      return buffer.getLine(buffer.baseY + buffer.cursorY)?.translateToString(true) ?? '';
    },
    // The whole buffer as text, for tests.
    text() {
      const buffer = term.buffer.active;
      const lines = [];
      for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i).translateToString(true));
      return lines.join('\n').trimEnd();
    },
  };
}
