// The kernel source at the stop: the call stack (from the snapshot's
// cpu.backtrace) and the file of the frame picked, its line highlighted. Files
// come from the daemon (GET /api/source/FILE), which serves only the files of
// the kernel build.

import { h, fill } from '../lib/dom.js';
import { where } from '../lib/format.js';

const files = new Map(); // file -> Promise of its lines (or of an Error)

function loadFile(file) {
  if (!files.has(file)) {
    files.set(file, fetch(`/api/source/${file}`).then(async (r) => {
      if (!r.ok) throw new Error(`the daemon does not serve ${file} (HTTP ${r.status})`);
      return (await r.text()).split('\n');
    }).catch((e) => {
      files.delete(file); // try again next time
      return e instanceof Error ? e : new Error(String(e));
    }));
  }
  return files.get(file);
}

export function mountSource(el, { store }) {
  const stack = h('ol', { class: 'backtrace', 'data-testid': 'backtrace', 'aria-label': 'call stack, innermost first' });
  const title = h('span', { class: 'mono', 'data-testid': 'source-file' });
  const code = h('div', { class: 'source scroll', 'data-testid': 'source', tabindex: 0, role: 'region', 'aria-label': 'source file' });
  fill(el, h('header', { class: 'panel-head' }, h('h2', { text: 'Kernel source' }), title),
    h('div', { class: 'source-body' }, h('nav', { class: 'stack-pane' }, h('h3', { text: 'Call stack' }), stack), code));
  let shown = null; // "file:line" now in the listing

  function frames(snapshot) {
    return snapshot?.cpu?.backtrace ?? [];
  }

  function render({ snapshot, sourceFrame, tab }) {
    const list = frames(snapshot);
    fill(stack, list.map((f, i) => h('li', {},
      h('button', {
        class: ['frame', i === sourceFrame && 'selected'].filter(Boolean).join(' '),
        'data-testid': 'backtrace-frame', 'aria-current': i === sourceFrame ? 'true' : null,
        disabled: !f.file, title: f.file ? `open ${f.file}:${f.line}` : 'no source line for this address',
        onclick: () => store.set({ sourceFrame: i }),
      }, h('span', { class: 'dim num', text: `#${i}` }), ' ', h('strong', { text: f.function ? `${f.function}()` : f.pc }),
      h('span', { class: 'mono where', text: f.file ? ` ${f.file}:${f.line}` : ` ${f.pc}` })))));
    const frame = list[sourceFrame] ?? list[0];
    if (!snapshot) return showMessage('No snapshot yet.');
    if (!frame) {
      const cpu = snapshot.cpu;
      return showMessage(cpu?.priv === 'U'
        ? `The CPU is in user mode (pc ${cpu.pc}): the kernel is not running, so there is no kernel source line. Step, or run to an event or a breakpoint in the kernel.`
        : `No call stack at pc ${cpu?.pc ?? '?'}.`);
    }
    if (!frame.file) return showMessage(`${where(frame)}: no source line for this address.`);
    title.textContent = `${frame.file}:${frame.line}`;
    const key = `${frame.file}:${frame.line}`;
    if (key === shown) return;
    shown = key;
    loadFile(frame.file).then((lines) => {
      if (shown !== key) return; // another stop came meanwhile
      if (lines instanceof Error) return showMessage(lines.message);
      fill(code, h('pre', { class: 'listing' }, lines.map((text, i) => h('div', {
        class: i + 1 === frame.line ? 'line current' : 'line',
        'data-line': i + 1, 'aria-current': i + 1 === frame.line ? 'true' : null,
      }, h('span', { class: 'lineno', 'aria-hidden': 'true', text: i + 1 }), h('code', { text: text || ' ' })))));
      if (tab === 'source' || store.state.tab === 'source') centre();
    });
  }

  function centre() {
    const line = code.querySelector('.line.current');
    if (line) code.scrollTop = line.offsetTop - code.clientHeight / 2 + line.clientHeight / 2;
  }

  function showMessage(text) {
    shown = null;
    title.textContent = '';
    fill(code, h('p', { class: 'empty', text }));
  }

  store.on(['snapshot'], () => store.set({ sourceFrame: 0 }));
  store.on(['sourceFrame'], render);
  store.on(['tab'], ({ tab }) => tab === 'source' && requestAnimationFrame(centre));
  // A new size (the zoom, the projector layout, the window) keeps the line in view.
  let height = 0;
  new ResizeObserver(() => {
    if (code.clientHeight !== height) centre();
    height = code.clientHeight;
  }).observe(code);
  render(store.state);
}
