// The kernel's events: a strip over time (one lane per kind) and a scrolling
// list; clicking either shows an event's details.

import { h, fill, cssVar, cssPx, beforeNextFrame } from '../lib/dom.js';
import { num, hex, eventLabel } from '../lib/format.js';
import { procName } from '../lib/model.js';
import { eventSummary, argOf, returnText } from '../lib/explain.js';

const SHOWN = 400; // rows in the list; the strip shows the whole history
const LABEL_FONT = 14; // px at zoom 1, outside projector mode
const LABEL_WIDTH = 130; // px for LABEL_FONT

// The lanes as large as the room asks: the zoom, and in projector mode no
// label under --min-text (views/room.js).
function laneSize() {
  const zoom = parseFloat(cssVar('--zoom')) || 1;
  const font = Math.max(LABEL_FONT * zoom, cssPx('--min-text'));
  return { font, lane: Math.round(font + 4), labels: Math.round((LABEL_WIDTH * font) / LABEL_FONT) };
}
// A lane for each kind of event the kernel has (hello's event_kinds, in its
// order; "none" is no event).
const kindsOf = (hello) => (hello?.kernel?.event_kinds ?? []).filter((k) => k !== 'none');

export function mountTimeline(el, { store, select }) {
  const ink = cssVar('--ink');
  const colors = new Map(); // kind -> its colour (read once: the style is the page's)
  const colorOf = (kind) => {
    if (!colors.has(kind)) colors.set(kind, cssVar(`--ev-${kind}`) || ink);
    return colors.get(kind);
  };
  const strip = h('canvas', { class: 'strip', 'data-testid': 'timeline-strip' });
  const list = h('div', { class: 'events', 'data-testid': 'event-list', role: 'list' });
  const detail = h('section', { class: 'event-detail', 'data-testid': 'event-detail' });
  let calls = false; // the list shows system calls only, each with its return
  const callsButton = h('button', {
    class: 'small', 'data-testid': 'syscall-trace', 'aria-pressed': 'false', text: 'System calls',
    title: 'Only system calls: name, the first argument at the call (a0), and what each returned',
    onclick: () => {
      calls = !calls;
      callsButton.setAttribute('aria-pressed', String(calls));
      renderList(store.state);
      reveal();
    },
  });
  fill(el, h('header', { class: 'panel-head' }, h('h2', { text: 'Timeline' }), callsButton),
    h('div', { class: 'strip-wrap' }, strip), h('div', { class: 'timeline-body' }, list, detail));
  let scale = null; // tick → x of the strip as drawn

  // The strip reads the layout (its width): drawn before the next frame, and
  // not while the tab is hidden (it is drawn when shown).
  const drawSoon = beforeNextFrame(() => drawStrip(store.state));

  function drawStrip({ history, event: selected, hello }) {
    if (el.hidden) return;
    const kinds = kindsOf(hello);
    const width = strip.parentElement.clientWidth;
    if (!width) return;
    const dpr = window.devicePixelRatio || 1;
    const { font, lane: laneHeight, labels } = laneSize();
    strip.dataset.labelPx = String(font); // for the projector test: canvas text is not in the DOM
    strip.width = width * dpr;
    strip.height = kinds.length * laneHeight * dpr;
    strip.style.height = `${kinds.length * laneHeight}px`;
    const g = strip.getContext('2d');
    g.scale(dpr, dpr);
    g.font = `${font}px ${cssVar('--sans')}`;
    g.textBaseline = 'middle';
    kinds.forEach((k, i) => {
      g.fillStyle = ink;
      g.fillText(eventLabel(k), 4, i * laneHeight + laneHeight / 2);
    });
    const first = history[0]?.tick ?? 0;
    const span = Math.max(1, (history.at(-1)?.tick ?? 0) - first);
    const usable = width - labels - 8;
    scale = { first, span, usable, lane: laneHeight, labels };
    for (const e of history) {
      const lane = kinds.indexOf(e.kind);
      if (lane < 0) continue;
      const x = labels + ((e.tick - first) / span) * usable;
      const big = e.seq === selected;
      g.fillStyle = big ? ink : colorOf(e.kind);
      g.fillRect(x - (big ? 2 : 1), lane * laneHeight + (big ? 0 : 2), big ? 4 : 2, big ? laneHeight : laneHeight - 4);
    }
  }

  strip.addEventListener('click', (e) => {
    const { history } = store.state;
    if (!scale || !history.length) return;
    const r = strip.getBoundingClientRect();
    const kind = kindsOf(store.state.hello)[Math.floor((e.clientY - r.top) / scale.lane)];
    const tick = scale.first + ((e.clientX - r.left - scale.labels) / scale.usable) * scale.span;
    const lane = history.filter((ev) => ev.kind === kind);
    const nearest = lane.reduce((best, ev) => (!best || Math.abs(ev.tick - tick) < Math.abs(best.tick - tick) ? ev : best), null);
    if (nearest) store.set({ event: nearest.seq });
  });

  // The list follows its end if it was at its end (noted as the user
  // scrolls: reading it while rendering would force a layout). A hidden tab's
  // list is rendered when the tab is shown.
  let atEnd = true;
  let stale = false;
  list.addEventListener('scroll', () => { atEnd = list.scrollTop + list.clientHeight >= list.scrollHeight - 8; }, { passive: true });
  const stick = () => atEnd && requestAnimationFrame(() => { list.scrollTop = list.scrollHeight; });

  function renderList(state) {
    stale = el.hidden;
    if (!stale) renderRows(state);
  }

  function renderRows({ history, snapshot, fresh, event: selected }) {
    const freshSeqs = new Set(fresh.map((e) => e.seq));
    if (calls) {
      fill(list, syscallTrace(history).slice(-SHOWN).map(({ call, ret }) => h('button', {
        class: ['event', 'ev-syscall', freshSeqs.has(call.seq) && 'fresh', call.seq === selected && 'selected'].filter(Boolean).join(' '),
        role: 'listitem', 'data-seq': call.seq, 'data-testid': 'syscall-row',
        onclick: () => store.set({ event: call.seq }),
      },
      h('span', { class: 'num dim', text: `t${call.tick}` }),
      h('span', { class: 'kind', text: call.name ?? 'syscall' }),
      h('span', { text: `pid ${call.pid} ${procName(snapshot, call.pid)}` }),
      h('span', { class: 'mono', text: callText(call, ret) }))));
      stick();
      return;
    }
    fill(list, history.slice(-SHOWN).map((e) => h('button', {
      class: ['event', `ev-${e.kind}`, freshSeqs.has(e.seq) && 'fresh', e.seq === selected && 'selected'].filter(Boolean).join(' '),
      role: 'listitem', 'data-seq': e.seq,
      onclick: () => store.set({ event: e.seq }),
    },
    h('span', { class: 'num dim', text: `t${e.tick}` }),
    h('span', { class: 'kind', text: eventLabel(e.kind) }),
    h('span', { text: `pid ${e.pid} ${procName(snapshot, e.pid)}` }),
    h('span', { class: 'dim', text: eventSummary(e) }))));
    stick();
  }

  function renderDetail({ history, snapshot, event: seq }) {
    const e = history.find((ev) => ev.seq === seq);
    if (!e) return fill(detail, h('p', { class: 'empty', text: 'Click an event for its details.' }));
    const fault = e.kind === 'cow_fault' || e.kind === 'page_fault';
    fill(detail,
      h('h3', { text: `#${e.seq} ${eventLabel(e.kind)}` }),
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

  // The list opens at the event picked (the stop's, after a stop on an
  // event): before the next frame, after the list has followed its end.
  function reveal() {
    if (el.hidden) return;
    requestAnimationFrame(() => {
      const row = list.querySelector('.event.selected');
      if (row && list.clientHeight) list.scrollTop = row.offsetTop - list.clientHeight / 2;
    });
  }

  new ResizeObserver(() => drawStrip(store.state)).observe(strip.parentElement);
  store.on(['focus'], ({ focus }) => focus?.event && store.set({ event: focus.event.seq }));
  store.on(['history', 'event', 'hello'], drawSoon);
  store.on(['history', 'event', 'fresh'], renderList);
  store.on(['event'], reveal);
  store.on(['tab'], ({ tab }) => {
    if (tab !== 'timeline') return;
    if (stale) renderList(store.state);
    requestAnimationFrame(() => {
      drawStrip(store.state);
      reveal();
    });
  });
  store.on(['history', 'event'], renderDetail);
  renderDetail(store.state);
}

// Each system call with its return (the next syscall_ret of the same process
// and number), or none yet: the call blocks, or never returns (exit).
function syscallTrace(history) {
  const rows = [];
  const open = new Map(); // pid -> the row of its call not returned yet
  for (const e of history) {
    if (e.kind === 'syscall') {
      const row = { call: e, ret: null };
      rows.push(row);
      open.set(e.pid, row);
    } else if (e.kind === 'syscall_ret') {
      const row = open.get(e.pid);
      if (row && row.call.num === e.num) row.ret = e;
      open.delete(e.pid);
    }
  }
  return rows;
}

// "fd=1 → 5", "path=0x00003f10 → -2 ENOENT", "ticks=10 … (not returned)",
// "→ 3" (getpid): the first argument at the call, as the kernel names it,
// and what the call returned.
function callText(call, ret) {
  return [argOf(call), ret ? `→ ${returnText(ret)}` : '… (not returned)'].filter(Boolean).join(' ');
}
