// Every physical frame on one canvas, coloured by kind and refcount; frames that
// changed at the last stop are ringed. Hover for a frame's owners, click to keep
// its details.

import { h, fill, cssVar } from '../lib/dom.js';
import { frameTable, frameFacts, frameSummary, ownerText } from '../lib/model.js';

const COLUMNS = 256; // 1 MiB a row
const MARGIN = 6; // room for the rings around frames at the edges

// Colour classes: kind, and for user frames the refcount.
const CLASSES = [
  { label: 'free', color: '--frame-free' },
  { label: 'kernel', color: '--frame-kernel' },
  { label: 'page table', color: '--frame-pagetable' },
  { label: 'user, refcount 1', color: '--frame-user1' },
  { label: 'user, refcount 2', color: '--frame-user2' },
  { label: 'user, refcount ≥ 3', color: '--frame-user3' },
];

function classOf(kind, refcount) {
  return kind < 3 ? kind : 2 + Math.min(3, Math.max(1, refcount)); // kind: free, kernel, pagetable, user
}

export function mountFrames(el, { store, select }) {
  const colors = CLASSES.map((c) => cssVar(c.color));
  const ink = cssVar('--ink');
  const paper = cssVar('--panel');
  const canvas = h('canvas', { 'data-testid': 'frame-grid', 'data-columns': COLUMNS });
  const tip = h('div', { class: 'tooltip', 'data-testid': 'frame-tooltip', hidden: true });
  const wrap = h('div', { class: 'grid-wrap' }, canvas, tip);
  const legend = h('div', { class: 'legend', 'data-testid': 'frame-legend' });
  const detail = h('section', { class: 'frame-detail', 'data-testid': 'frame-detail' });
  fill(el, h('header', { class: 'panel-head' }, h('h2', { text: 'Physical frames' }), legend), wrap, detail);
  let cell = 0;

  function draw({ snapshot, frame: selected }) {
    cell = Math.max(2, Math.floor((wrap.clientWidth - 2 * MARGIN) / COLUMNS));
    if (!snapshot || wrap.clientWidth === 0) return;
    const t = frameTable(snapshot);
    const rows = Math.ceil(t.count / COLUMNS);
    const dpr = window.devicePixelRatio || 1;
    const width = COLUMNS * cell + 2 * MARGIN;
    const height = rows * cell + 2 * MARGIN;
    canvas.width = width * dpr;
    canvas.height = height * dpr;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    canvas.dataset.cell = cell;
    canvas.dataset.margin = MARGIN;
    const g = canvas.getContext('2d');
    g.scale(dpr, dpr);
    g.translate(MARGIN, MARGIN);

    // Runs of one class within a row become one rectangle.
    const counts = new Array(CLASSES.length).fill(0);
    for (let row = 0; row < rows; row++) {
      let start = row * COLUMNS;
      const end = Math.min(start + COLUMNS, t.count);
      while (start < end) {
        const c = classOf(t.kind[start], t.refcount[start]);
        let stop = start + 1;
        while (stop < end && classOf(t.kind[stop], t.refcount[stop]) === c) stop++;
        g.fillStyle = colors[c];
        g.fillRect((start % COLUMNS) * cell, row * cell, (stop - start) * cell, cell);
        counts[c] += stop - start;
        start = stop;
      }
    }

    const ring = (n, pad, width, color) => {
      g.lineWidth = width;
      g.strokeStyle = color;
      g.strokeRect((n % COLUMNS) * cell - pad, Math.floor(n / COLUMNS) * cell - pad, cell + 2 * pad, cell + 2 * pad);
    };
    for (const n of new Set([...t.allocated, ...t.freed, ...t.was.keys()])) ring(n, 2.5, 2, ink);
    if (selected != null) {
      ring(selected, 5, 4, paper);
      ring(selected, 5, 2, ink);
    }

    const swatch = (color) => {
      const box = h('span', { class: 'swatch' });
      box.style.background = color;
      return box;
    };
    fill(legend, CLASSES.map((c, i) => h('span', { class: 'swatch-item' }, swatch(colors[i]), `${c.label} ${counts[i]}`)),
    h('span', { class: 'swatch-item' }, h('span', { class: 'swatch ringed' }), 'changed at this stop'));
  }

  function frameAt(e) {
    const r = canvas.getBoundingClientRect();
    const col = Math.floor((e.clientX - r.left - MARGIN) / cell);
    const row = Math.floor((e.clientY - r.top - MARGIN) / cell);
    return col >= 0 && col < COLUMNS && row >= 0 ? row * COLUMNS + col : -1;
  }

  canvas.addEventListener('mousemove', (e) => {
    const snapshot = store.state.snapshot;
    const facts = snapshot && frameFacts(snapshot, frameAt(e));
    tip.hidden = !facts;
    if (!facts) return;
    fill(tip, describe(snapshot, facts));
    const w = wrap.getBoundingClientRect();
    tip.style.left = `${Math.min(e.clientX - w.left + 16, w.width - tip.offsetWidth - 4)}px`;
    tip.style.top = `${e.clientY - w.top + wrap.scrollTop + 16}px`;
  });
  canvas.addEventListener('mouseleave', () => { tip.hidden = true; });
  canvas.addEventListener('click', (e) => {
    const n = frameAt(e);
    if (store.state.snapshot && frameFacts(store.state.snapshot, n)) store.set({ frame: n });
  });

  function renderDetail({ snapshot, frame }) {
    const facts = snapshot && frame != null && frameFacts(snapshot, frame);
    fill(detail, facts ? describe(snapshot, facts, (m) => {
        store.set({ page: { pid: m.pid, va: m.va }, tab: 'memory' });
        select(m.pid, 'a');
      })
      : h('p', { class: 'empty', text: 'Hover over a frame for its owners; click one to keep it here.' }));
  }

  new ResizeObserver(() => draw(store.state)).observe(wrap);
  store.on(['snapshot', 'frame'], (s) => {
    draw(s);
    renderDetail(s);
  });
  renderDetail(store.state);
}

// A frame's summary and who maps it; with open(mapping), owners are links to their pages.
function describe(snapshot, facts, open) {
  return [
    h('div', { class: 'summary', text: frameSummary(facts) }),
    facts.mappedBy.length > 0 && h('ul', { class: 'owners' }, facts.mappedBy.map((m) => h('li', {},
      open ? h('button', { class: 'link', text: ownerText(snapshot, m), onclick: () => open(m) })
        : ownerText(snapshot, m)))),
  ];
}
