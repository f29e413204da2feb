// The kernel's events: a strip over time (one lane per kind) and a scrolling
// list; clicking either shows an event's details.

import { h, fill, cssVar } from '../lib/dom.js';
import { num, hex, EVENT_LABEL } from '../lib/format.js';
import { procName } from '../lib/model.js';
import { eventSummary } from '../lib/explain.js';

const SHOWN = 400; // rows in the list; the strip shows the whole history
const LANE = 18;
const LABEL_WIDTH = 130;
const KINDS = Object.keys(EVENT_LABEL);

export function mountTimeline(el, { store, select }) {
  const colors = Object.fromEntries(KINDS.map((k) => [k, cssVar(`--ev-${k}`)]));
  const ink = cssVar('--ink');
  const strip = h('canvas', { class: 'strip', 'data-testid': 'timeline-strip' });
  const list = h('div', { class: 'events', 'data-testid': 'event-list', role: 'list' });
  const detail = h('section', { class: 'event-detail', 'data-testid': 'event-detail' });
  fill(el, h('header', { class: 'panel-head' }, h('h2', { text: 'Timeline' })),
    h('div', { class: 'strip-wrap' }, strip), h('div', { class: 'timeline-body' }, list, detail));
  let scale = null; // tick → x of the strip as drawn

  function drawStrip({ history, event: selected }) {
    const width = strip.parentElement.clientWidth;
    if (!width) return;
    const dpr = window.devicePixelRatio || 1;
    strip.width = width * dpr;
    strip.height = KINDS.length * LANE * dpr;
    strip.style.height = `${KINDS.length * LANE}px`;
    const g = strip.getContext('2d');
    g.scale(dpr, dpr);
    g.font = `${LANE - 4}px ${cssVar('--sans')}`;
    g.textBaseline = 'middle';
    KINDS.forEach((k, i) => {
      g.fillStyle = ink;
      g.fillText(EVENT_LABEL[k], 4, i * LANE + LANE / 2);
    });
    const first = history[0]?.tick ?? 0;
    const span = Math.max(1, (history.at(-1)?.tick ?? 0) - first);
    const usable = width - LABEL_WIDTH - 8;
    scale = { first, span, usable };
    for (const e of history) {
      const lane = KINDS.indexOf(e.kind);
      if (lane < 0) continue;
      const x = LABEL_WIDTH + ((e.tick - first) / span) * usable;
      const big = e.seq === selected;
      g.fillStyle = big ? ink : colors[e.kind];
      g.fillRect(x - (big ? 2 : 1), lane * LANE + (big ? 0 : 2), big ? 4 : 2, big ? LANE : LANE - 4);
    }
  }

  strip.addEventListener('click', (e) => {
    const { history } = store.state;
    if (!scale || !history.length) return;
    const r = strip.getBoundingClientRect();
    const kind = KINDS[Math.floor((e.clientY - r.top) / LANE)];
    const tick = scale.first + ((e.clientX - r.left - LABEL_WIDTH) / scale.usable) * scale.span;
    const lane = history.filter((ev) => ev.kind === kind);
    const nearest = lane.reduce((best, ev) => (!best || Math.abs(ev.tick - tick) < Math.abs(best.tick - tick) ? ev : best), null);
    if (nearest) store.set({ event: nearest.seq });
  });

  function renderList({ history, snapshot, fresh, event: selected }) {
    const stick = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
    const freshSeqs = new Set(fresh.map((e) => e.seq));
    fill(list, history.slice(-SHOWN).map((e) => h('button', {
      class: ['event', `ev-${e.kind}`, freshSeqs.has(e.seq) && 'fresh', e.seq === selected && 'selected'].filter(Boolean).join(' '),
      role: 'listitem', 'data-seq': e.seq,
      onclick: () => store.set({ event: e.seq }),
    },
    h('span', { class: 'num dim', text: `t${e.tick}` }),
    h('span', { class: 'kind', text: EVENT_LABEL[e.kind] ?? e.kind }),
    h('span', { text: `pid ${e.pid} ${procName(snapshot, e.pid)}` }),
    h('span', { class: 'dim', text: eventSummary(e) }))));
    if (stick) list.scrollTop = list.scrollHeight;
  }

  function renderDetail({ history, snapshot, event: seq }) {
    const e = history.find((ev) => ev.seq === seq);
    if (!e) return fill(detail, h('p', { class: 'empty', text: 'Click an event for its details.' }));
    const fault = e.kind === 'cow_fault' || e.kind === 'page_fault';
    fill(detail,
      h('h3', { text: `#${e.seq} ${EVENT_LABEL[e.kind] ?? e.kind}` }),
      h('p', { text: eventSummary(e) }),
      h('dl', {}, Object.entries(e).map(([k, v]) => [h('dt', { text: k }), h('dd', { class: 'mono', text: String(v) })])),
      snapshot?.processes.some((p) => p.pid === e.pid) && h('button', {
        class: 'small', text: fault ? 'Show the page' : `Show pid ${e.pid}'s address space`,
        onclick: () => {
          select(e.pid, 'a');
          store.set({ tab: 'memory', ...(fault ? { page: { pid: e.pid, va: hex(num(e.va) & ~0xfff) } } : {}) });
        },
      }));
  }

  new ResizeObserver(() => drawStrip(store.state)).observe(strip.parentElement);
  store.on(['history', 'event'], drawStrip);
  store.on(['history', 'event', 'fresh'], renderList);
  store.on(['history', 'event'], renderDetail);
  renderDetail(store.state);
}
