// Address spaces of two processes side by side: the Sv32 tree (root table →
// L0 tables → pages) or the VA ranges. COW pages, shared pages, what changed at
// the last stop and the page a fault hit stand out; clicking a page shows its
// frame and everyone who maps it.

import { h, fill, keepInView } from '../lib/dom.js';
import { bytes, num, hex, eventLabel } from '../lib/format.js';
import {
  frameFacts, frameOfPa, frameSummary, ownerText, procName, pteChanges, pteCow, ptePa, findPage,
} from '../lib/model.js';
import { spaceCounts } from '../lib/walk.js';
import { eventPageChange } from '../lib/explain.js';
import { machine } from '../lib/machine.js';
import { flagsInWords } from './ptebits.js';

export function mountAddressSpaces(el, { store, select }) {
  let mode = 'tree';
  const modeButtons = ['tree', 'ranges'].map((m) => h('button', {
    class: 'small', 'data-mode': m, text: m === 'tree' ? 'Sv32 tree' : 'VA ranges',
    onclick: () => { mode = m; render(store.state); },
  }));
  const panes = { a: h('section', { class: 'as-pane', 'data-testid': 'as-pane-a' }),
                  b: h('section', { class: 'as-pane', 'data-testid': 'as-pane-b' }) };
  const detail = h('section', { class: 'page-detail', 'data-testid': 'page-detail' });
  const scrolled = { a: null, b: null }; // each pane's scroll position: {top, left}
  const reveal = { a: false, b: false }; // a new stop's fault to scroll into view
  fill(el,
    h('header', { class: 'panel-head' }, h('h2', { text: 'Address spaces' }), ...modeButtons, legend()),
    h('div', { class: 'as-panes' }, panes.a, panes.b),
    detail);

  function render(s) {
    for (const b of modeButtons) b.setAttribute('aria-pressed', String(b.dataset.mode === mode));
    for (const slot of ['a', 'b']) renderPane(panes[slot], slot, s);
    renderDetail(detail, s, { store, select });
  }

  function renderPane(pane, slot, s) {
    const pid = s.selection[slot];
    const pick = h('select', {
      'aria-label': `process in the ${slot === 'a' ? 'left' : 'right'} pane`,
      onchange: () => select(Number(pick.value) || null, slot),
    }, h('option', { value: '', text: '— process —' }),
    (s.snapshot?.processes ?? []).map((p) => h('option', { value: p.pid, text: `${p.pid} ${p.name}`, selected: p.pid === pid })));
    pane.dataset.pid = pid ?? '';
    const space = s.snapshot?.address_spaces[pid];
    if (!space) {
      const why = pid == null ? 'Pick a process to compare.' : 'No user address space.';
      delete pane.dataset.content;
      return fill(pane, h('header', {}, pick), h('p', { class: 'empty', text: why }));
    }
    const ctx = pageContext(s, pid);
    // A pane whose content is what it shows already is left as it is: the
    // live samples of a big process that holds still (memhog's 25,600
    // pages, 4 times a second) would else keep the page busy drawing.
    const content = paneContent(pid, mode, space, ctx, s);
    if (pane.dataset.content === content) return;
    pane.dataset.content = content;
    // The same process in the same mode keeps its scroll position across
    // stops. It is noted as the user scrolls: reading it here would force a
    // layout of the whole page in the middle of the repaint.
    const view = `${pid}:${mode}`;
    if (pane.dataset.view !== view) scrolled[slot] = null;
    const keep = scrolled[slot];
    pane.dataset.view = view;
    fill(pane,
      // (the tree's first line names the root table: not said twice)
      h('header', {}, pick, mode === 'ranges' && h('span', { class: 'mono dim', text: `root ${space.root}` }),
        countsLine(space, s.snapshot)),
      space.errors?.length > 0 && h('ul', { class: 'errors' },
        space.errors.map((e) => h('li', { class: 'mono', text: [e.va, e.pte && `PTE ${e.pte}`, e.problem].filter(Boolean).join(' ') }))),
      h('div', {
        class: 'scroll',
        onscroll: (e) => { scrolled[slot] = { top: e.target.scrollTop, left: e.target.scrollLeft }; },
      }, mode === 'tree' ? sv32Tree(space, ctx) : rangeMap(space, ctx)),
      changeList(ctx));
    const scroll = pane.querySelector('.scroll');
    // Before the next frame is drawn (once, with the layout that frame needs):
    // the scroll position back, and a new stop's fault into view once every
    // view has drawn (the story bar above may change the pane's height).
    // Another render before that frame does it for its own content.
    const stop = `${s.focus?.event.seq}`;
    if (pane.dataset.stop !== stop) reveal[slot] = true;
    pane.dataset.stop = stop;
    if (keep || reveal[slot]) {
      requestAnimationFrame(() => {
        if (!scroll.isConnected) return;
        if (keep) Object.assign(scroll, { scrollTop: keep.top, scrollLeft: keep.left });
        if (!reveal[slot]) return;
        reveal[slot] = false;
        keepInView(scroll, pane.querySelector('.fault'));
        scrolled[slot] = { top: scroll.scrollTop, left: scroll.scrollLeft };
      });
    }
  }

  function pageContext(s, pid) {
    // The frame behind the page picked, and the one it had before this stop.
    const selected = s.page && findPage(s.snapshot, s.page.pid, s.page.va);
    const change = s.page && pteChanges(s.snapshot, s.page.pid).get(s.page.va);
    return {
      pid,
      changes: pteChanges(s.snapshot, pid),
      faultVa: s.focus?.pid === pid ? s.focus.va : null,
      page: s.page?.pid === pid ? s.page.va : null,
      samePa: new Set([selected?.pa, change && ptePa(change.before)]),
      open: (va) => store.set({ page: { pid, va } }),
    };
  }

  store.on(['snapshot', 'selection', 'focus', 'page'], render);
  render(store.state);
}

// What a pane draws, as text: the same text, the same pane. A level-0
// table's hash changes with any of its entries (docs/protocol.md).
function paneContent(pid, mode, space, ctx, s) {
  const tables = (space.tables ?? []).map((t) => `${t.table}:${t.hash}:${t.entries ? t.entries.length : '-'}`);
  return JSON.stringify([pid, mode, space.root, tables, space.superpages, space.ranges, space.errors,
    [...ctx.changes.values()], ctx.faultVa, ctx.page, [...ctx.samePa], s.focus?.event.seq,
    (s.snapshot?.processes ?? []).map((p) => `${p.pid} ${p.name}`), counts(space, s.snapshot)]);
}

function counts(space, snapshot) {
  return spaceCounts(space, (pa) => frameFacts(snapshot, frameOfPa(snapshot, pa))?.refcount ?? 0);
}

// "12 pages · frames: 6 private, 2 shared, 4 COW · 3 page-table pages"
function countsLine(space, snapshot) {
  const c = counts(space, snapshot);
  return h('span', { class: 'counts', 'data-testid': 'space-counts' },
    `${c.pages} pages · frames: `,
    h('span', { 'data-count': 'private', text: `${c.private} private` }), ', ',
    h('span', { 'data-count': 'shared', text: `${c.shared} shared` }), ', ',
    h('span', { 'data-count': 'cow', class: c.cow ? 'cow-count' : null, text: `${c.cow} COW` }), ' · ',
    h('span', { 'data-count': 'tables', text: `${c.tables} page-table pages` }));
}

function legend() {
  return h('span', { class: 'legend' },
    h('span', { class: 'page cow', text: 'COW' }), h('span', { class: 'page shared', text: 'shared' }),
    h('span', { class: 'page changed', text: 'changed' }), h('span', { class: 'page fault', text: 'fault' }),
    h('span', { class: 'page same-frame', text: 'same frame' }));
}

function sv32Tree(space, ctx) {
  return h('div', { class: 'sv32' },
    h('div', { class: 'pt-root mono', text: `satp → root table ${space.root}` }),
    h('ol', { class: 'pt-tables' },
      (space.tables ?? []).map((t) => h('li', {},
        h('div', { class: 'pt-l1 mono' }, `L1[${t.index}] ${t.va} → L0 table ${t.table}`),
        h('div', { class: 'pages' }, t.entries ? t.entries.map((e) => pageChip(e, ctx))
          : h('span', { class: 'dim', text: `${t.pages} pages, on their way from the inspector` })))),
      (space.superpages ?? []).map((sp) => h('li', {},
        h('div', { class: 'pt-l1 mono', text: `L1[${sp.index}] 4 MiB superpage ${sp.va} → ${sp.pa} ${sp.flags}` })))));
}

function pageChip(entry, ctx) {
  const change = ctx.changes.get(entry.va);
  const classes = [
    'page',
    entry.cow && 'cow',
    entry.shared && 'shared',
    change && 'changed',
    entry.va === ctx.faultVa && 'fault',
    entry.va === ctx.page && 'selected',
    entry.va !== ctx.page && ctx.samePa.has(entry.pa) && 'same-frame',
  ];
  const badges = [entry.cow && 'COW', entry.shared && 'SHM', entry.va === ctx.faultVa && 'FAULT'].filter(Boolean);
  return h('button', {
    class: classes.filter(Boolean).join(' '),
    'data-testid': 'page', 'data-pid': ctx.pid, 'data-va': entry.va,
    'data-cow': String(entry.cow), 'data-was-cow': change ? String(pteCow(change.before)) : null,
    title: `${entry.va} → ${entry.pa}  PTE ${entry.pte}\n${flagsInWords(entry.pte)}`,
    onclick: () => ctx.open(entry.va),
  },
  h('span', { class: 'va', text: entry.va.slice(2) }),
  h('span', { class: 'flags', text: entry.flags }),
  badges.length > 0 && h('span', { class: 'badges', text: badges.join(' ') }));
}

// The VA ranges in order with the unmapped gaps between them.
function rangeMap(space, ctx) {
  const rows = [];
  let at = 0;
  const gap = (end) => end > at && rows.push(h('tr', { class: 'gap' },
    h('td', { colspan: 5, text: `unmapped ${hex(at)}–${hex(end - 1)} (${bytes(end - at)})` })));
  for (const r of space.ranges ?? []) {
    gap(num(r.start));
    const changed = [...ctx.changes.keys()].some((va) => num(va) >= num(r.start) && num(va) < num(r.end));
    const hasFault = ctx.faultVa && num(ctx.faultVa) >= num(r.start) && num(ctx.faultVa) < num(r.end);
    rows.push(h('tr', {
      class: ['range', r.cow && 'cow', changed && 'changed', hasFault && 'fault'].filter(Boolean).join(' '),
      onclick: () => ctx.open(r.start),
    },
    // Start and end on two lines: the table fits half the tab at 1280 px.
    h('td', { class: 'mono range-span' }, h('span', { text: r.start }), h('span', { class: 'dim', text: `–${hex(num(r.end) - 1)}` })),
    h('td', { class: 'num', text: r.pages }),
    h('td', { class: 'mono', text: r.flags }),
    h('td', { class: 'mono', text: r.pa ?? 'scattered' }),
    h('td', { text: r.cow ? 'COW' : r.shared ? 'shared' : '' })));
    at = num(r.end);
  }
  gap(machine.userTop);
  return h('table', { class: 'ranges' },
    h('thead', {}, h('tr', {}, ['Range', 'Pages', 'Flags', 'Frame', ''].map((t) => h('th', { text: t })))),
    h('tbody', {}, rows));
}

const CHANGES_SHOWN = 2;

// The pages changed since the state shown before: the fault's first, a few,
// and how many more (the stop's own changes are in the story bar).
function changeList(ctx) {
  if (!ctx.changes.size) return null;
  const all = [...ctx.changes.values()].sort((a, b) => (b.va === ctx.faultVa) - (a.va === ctx.faultVa));
  const more = all.length - CHANGES_SHOWN;
  return h('footer', { class: 'changes' }, h('strong', { text: 'Changed since the last view: ' }),
    all.slice(0, CHANGES_SHOWN).map((c) => h('button', {
      class: 'link mono', onclick: () => ctx.open(c.va), text: `${c.va} (${c.what.join(', ')})`,
    })),
    more > 0 && h('span', { class: 'dim', text: ` and ${more} more` }));
}

function renderDetail(el, s, { store, select }) {
  const { snapshot, page, focus } = s;
  if (!snapshot || !page) {
    return fill(el, h('p', { class: 'empty', text: 'Click a page to see its frame and who else maps it.' }));
  }
  const entry = findPage(snapshot, page.pid, page.va);
  const change = pteChanges(snapshot, page.pid).get(page.va);
  const isFault = focus?.pid === page.pid && focus.va === page.va;
  const frame = entry && frameFacts(snapshot, frameOfPa(snapshot, entry.pa));
  const beforePa = isFault && focus.event.old_pa ? focus.event.old_pa : change && ptePa(change.before);
  const before = beforePa && frameFacts(snapshot, frameOfPa(snapshot, beforePa));
  // The event's own page is explained in the story bar above, and its
  // change is the event's (the state shown before may be older than the
  // process: its page then looks just mapped).
  const sentence = !isFault && change && explain(entry, change);
  const byEvent = isFault && eventPageChange(focus.event, snapshot, page);
  const showFrame = (f) => h('button', {
    class: 'small', text: `Show frame ${f.frame} in the grid`,
    onclick: () => store.set({ frame: f.frame, tab: 'frames' }),
  });
  const owners = (f) => h('ul', { class: 'owners' }, f.mappedBy.map((m) => h('li', {},
    h('button', {
      class: 'link', text: ownerText(snapshot, m),
      disabled: m.pid === page.pid,
      onclick: () => select(m.pid, 'b'),
    }))));

  fill(el,
    h('h3', {}, `pid ${page.pid} ${procName(snapshot, page.pid)} · page ${page.va}`,
      isFault && h('span', { class: 'badge fault', text: `${eventLabel(focus.event.kind)} here` })),
    sentence && h('p', { class: 'explain', 'data-testid': 'page-explain', text: sentence }),
    h('dl', {},
      h('dt', { text: 'PTE' }),
      h('dd', { class: 'mono' }, entry ? `${entry.pte}  ${entry.flags}${entry.cow ? '  COW' : ''}${entry.shared ? '  shared' : ''}` : 'not mapped'),
      byEvent ? [h('dt', { text: `At this ${eventLabel(focus.event.kind)}` }), h('dd', { 'data-testid': 'page-event-change', text: byEvent })]
        : change && [h('dt', { text: 'Since the last view' }),
          h('dd', { class: 'mono', text: `${change.before} → ${change.after} (${change.what.join(', ')})` })],
      frame && [h('dt', { text: 'Frame' }),
        h('dd', { 'data-testid': 'page-frame' }, frameSummary(frame), ' ', showFrame(frame), owners(frame))],
      before && before.frame !== frame?.frame && [h('dt', { text: 'Frame before' }),
        h('dd', { 'data-testid': 'page-frame-before' }, frameSummary(before), ' ', showFrame(before), owners(before))]));
}

// One sentence on what happened to a page since the state shown before (the
// page of the stop's event is told from the event instead).
function explain(entry, change) {
  const wasCow = pteCow(change.before);
  if (!entry) return 'This page was unmapped since the last view.';
  if (!wasCow && entry.cow) return 'Since the last view this page became copy-on-write: read-only and shared until someone writes.';
  if (wasCow && !entry.cow) return 'Since the last view a store broke this page\'s copy-on-write: it is writable now.';
  if (change.what.includes('mapped')) return 'This page was mapped since the last view.';
  return `Its PTE changed since the last view: ${change.what.join(', ')}.`;
}
