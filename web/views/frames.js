// The physical frames on one canvas, coloured by kind and refcount; frames that
// changed at the last stop are ringed. By default the map shows the range in
// use (from frame 0 to the last frame that is not free), large enough to
// read and click, each row labelled with its first frame; "All frames" shows
// every frame of RAM. Click (or arrow keys) to pick a frame, hover for a
// quick look. The map opens at the frame that matters at the stop (the one
// its event changed, else the first user frame), not at the kernel's.

import { h, fill, cssVar, cssPx, beforeNextFrame } from '../lib/dom.js';
import { frameTable, frameFacts, frameSummary, ownerText } from '../lib/model.js';
import { eventTouches } from '../lib/explain.js';
import { machine } from '../lib/machine.js';

const ALL_COLUMNS = 256; // 1 MiB a row
const MARGIN = 6; // room for the rings around frames at the edges
const MAX_CELL = 40;

// Colour classes: kind, and for user frames the refcount; a letter for cells
// large enough to carry one.
const CLASSES = [
  { label: 'free', color: '--frame-free', mark: '' },
  { label: 'kernel', color: '--frame-kernel', mark: 'K' },
  { label: 'page table', color: '--frame-pagetable', mark: 'T' },
  { label: 'user, refcount 1', color: '--frame-user1', mark: '1' },
  { label: 'user, refcount 2', color: '--frame-user2', mark: '2' },
  { label: 'user, refcount ≥ 3', color: '--frame-user3', mark: '3' },
];

// A frame's class: by its kind's name (hello's frame_kinds, machine.js), by
// its refcount for a user frame; a kind the page has no colour for (a
// kernel with more of them) is drawn as the kernel's, its tooltip naming it.
const KIND_CLASS = { free: 0, kernel: 1, pagetable: 2, user: -1 };
const kindClasses = () => machine.frameKinds.map((name) => KIND_CLASS[name] ?? 1);
function classOf(kindClass, refcount) {
  return kindClass >= 0 ? kindClass : 2 + Math.min(3, Math.max(1, refcount));
}

// The frame to show first: the one the stop's event changed, else the first
// user frame (-1: none).
function frameThatMatters(snapshot, focus) {
  const touched = focus && eventTouches(focus.event, snapshot).frames.keys().next().value;
  return touched ?? frameTable(snapshot).kind.indexOf(machine.frameKinds.indexOf('user'));
}

// The frames the map shows: every one, or those up to the last one in use.
function shownRange(t, all) {
  if (all) return { count: t.count, columns: ALL_COLUMNS };
  let last = t.count - 1;
  const free = machine.frameKinds.indexOf('free');
  while (last > 0 && t.kind[last] === free) last--;
  const columns = last < 1024 ? 32 : 64;
  return { count: Math.min(t.count, Math.ceil((last + 1) / columns) * columns), columns };
}

export function mountFrames(el, { store, select }) {
  const colors = CLASSES.map((c) => cssVar(c.color));
  const ink = cssVar('--ink');
  const paper = cssVar('--panel');
  const canvas = h('canvas', { 'data-testid': 'frame-grid', tabindex: 0, role: 'img' });
  const tip = h('div', { class: 'tooltip', 'data-testid': 'frame-tooltip', hidden: true });
  const wrap = h('div', { class: 'grid-wrap' }, canvas, tip);
  const legend = h('div', { class: 'legend', 'data-testid': 'frame-legend' });
  const range = h('span', { class: 'dim', 'data-testid': 'frame-range' });
  let all = false;
  const toggle = h('button', {
    class: 'small', 'data-testid': 'frame-all', 'aria-pressed': 'false', text: 'All frames',
    title: 'Every frame of RAM, or only the range in use',
    onclick: () => {
      all = !all;
      toggle.setAttribute('aria-pressed', String(all));
      draw(store.state);
    },
  });
  const detail = h('section', { class: 'frame-detail', 'data-testid': 'frame-detail' });
  fill(el, h('header', { class: 'panel-head' }, h('h2', { text: 'Physical frames' }), range, toggle, legend), wrap, detail);
  let geometry = null; // {cell, left, columns, count} as drawn

  // The map is scrolled to the frame that matters until the user scrolls
  // it; then it stays where they put it (across redraws and tabs: a hidden
  // tab forgets its scroll position) until another frame matters.
  let target = null; // the frame that matters, as last drawn
  let userTop = null; // where the user scrolled to
  let setTop = null; // where the map scrolled itself to
  function keepScroll(n) {
    if (n !== target) [target, userTop] = [n, null];
    if (n < 0 && userTop === null) return;
    const row = MARGIN + Math.floor(n / geometry.columns) * geometry.cell;
    const top = userTop ?? Math.max(0, row - wrap.clientHeight / 3);
    if (Math.abs(wrap.scrollTop - top) > 1) wrap.scrollTop = top;
    setTop = wrap.scrollTop;
  }
  wrap.addEventListener('scroll', () => {
    if (!el.hidden && Math.abs(wrap.scrollTop - setTop) > 1) userTop = wrap.scrollTop;
  }, { passive: true });

  // The grid reads the layout (its width): drawn before the next frame, and
  // not while the tab is hidden (the ResizeObserver draws it when shown).
  const drawSoon = beforeNextFrame(() => draw(store.state));

  function draw({ snapshot, frame: selected, focus }) {
    if (!snapshot || el.hidden || wrap.clientWidth === 0) return;
    const t = frameTable(snapshot);
    const kc = kindClasses();
    const { count, columns } = shownRange(t, all);
    const font = parseFloat(getComputedStyle(el).fontSize);
    const labelFont = Math.max(cssPx('--min-text'), font * 0.8);
    const gutter = all ? 0 : Math.ceil(labelFont * 3.4);
    const cell = Math.min(MAX_CELL, Math.max(2, Math.floor((wrap.clientWidth - 2 * MARGIN - gutter - 16) / columns)));
    const left = MARGIN + gutter;
    geometry = { cell, left, columns, count };
    const rows = Math.ceil(count / columns);
    const dpr = window.devicePixelRatio || 1;
    const width = left + columns * cell + MARGIN;
    const height = rows * cell + 2 * MARGIN;
    canvas.width = width * dpr;
    canvas.height = height * dpr;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    Object.assign(canvas.dataset, { cell, left, top: MARGIN, columns });
    canvas.setAttribute('aria-label', `frames 0 to ${count - 1}, ${columns} a row`);
    keepScroll(frameThatMatters(snapshot, focus));
    range.textContent = all ? `all ${t.count} frames` : `frames 0–${count - 1} (in use) of ${t.count}`;
    const g = canvas.getContext('2d');
    g.scale(dpr, dpr);

    // Row labels: the first frame of each row.
    g.fillStyle = ink;
    g.font = `${labelFont}px ${cssVar('--mono')}`;
    canvas.dataset.labelPx = String(labelFont); // canvas text is not in the DOM: for the tests
    g.textBaseline = 'middle';
    g.textAlign = 'right';
    const labelEvery = Math.max(1, Math.ceil(labelFont * 1.1 / cell));
    if (gutter) for (let row = 0; row < rows; row += labelEvery) g.fillText(String(row * columns), left - 6, MARGIN + row * cell + cell / 2);
    g.translate(left, MARGIN);

    // Runs of one class within a row become one rectangle.
    const counts = new Array(CLASSES.length).fill(0);
    for (let row = 0; row < rows; row++) {
      let start = row * columns;
      const end = Math.min(start + columns, count);
      while (start < end) {
        const c = classOf(kc[t.kind[start]], t.refcount[start]);
        let stop = start + 1;
        while (stop < end && classOf(kc[t.kind[stop]], t.refcount[stop]) === c) stop++;
        g.fillStyle = colors[c];
        g.fillRect((start % columns) * cell, row * cell, (stop - start) * cell, cell);
        counts[c] += stop - start;
        start = stop;
      }
    }
    if (cell >= 16) {
      // Grid lines and letters, so that the colours are not the only sign.
      g.strokeStyle = paper;
      g.lineWidth = 1;
      g.font = `700 ${Math.round(cell * 0.55)}px ${cssVar('--sans')}`;
      g.textAlign = 'center';
      for (let n = 0; n < count; n++) {
        const c = classOf(kc[t.kind[n]], t.refcount[n]);
        const x = (n % columns) * cell;
        const y = Math.floor(n / columns) * cell;
        g.strokeRect(x + 0.5, y + 0.5, cell - 1, cell - 1);
        if (!CLASSES[c].mark) continue;
        g.fillStyle = c === 1 || c === 3 ? '#fff' : '#000';
        g.fillText(CLASSES[c].mark, x + cell / 2, y + cell / 2 + 1);
      }
    }

    const ring = (n, pad, lineWidth, color) => {
      if (n >= count) return;
      g.lineWidth = lineWidth;
      g.strokeStyle = color;
      g.strokeRect((n % columns) * cell - pad, Math.floor(n / columns) * cell - pad, cell + 2 * pad, cell + 2 * pad);
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
    // Counts over all of RAM, whichever range is shown.
    const total = new Array(CLASSES.length).fill(0);
    for (let n = 0; n < t.count; n++) total[classOf(kc[t.kind[n]], t.refcount[n])]++;
    fill(legend, CLASSES.map((c, i) => h('span', { class: 'swatch-item' }, swatch(colors[i]),
      cell >= 16 && c.mark ? h('strong', { text: c.mark }) : null, `${c.label} ${total[i]}`)),
    h('span', { class: 'swatch-item' }, h('span', { class: 'swatch ringed' }), 'changed at this stop'));
  }

  function frameAt(e) {
    if (!geometry) return -1;
    const { cell, left, columns, count } = geometry;
    const r = canvas.getBoundingClientRect();
    const col = Math.floor((e.clientX - r.left - left) / cell);
    const row = Math.floor((e.clientY - r.top - MARGIN) / cell);
    const n = row * columns + col;
    return col >= 0 && col < columns && row >= 0 && n < count ? n : -1;
  }

  // Arrow keys move the frame picked; Home goes to frame 0.
  canvas.addEventListener('keydown', (e) => {
    const { snapshot, frame } = store.state;
    if (!snapshot || !geometry) return;
    const by = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -geometry.columns, ArrowDown: geometry.columns }[e.key];
    if (by === undefined && e.key !== 'Home') return;
    e.preventDefault();
    const n = e.key === 'Home' ? 0 : Math.min(geometry.count - 1, Math.max(0, (frame ?? -by) + by));
    store.set({ frame: n });
  });

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
  store.on(['room', 'focus'], drawSoon);
  store.on(['snapshot', 'frame'], (s) => {
    drawSoon();
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
