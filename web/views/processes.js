// The processes: a table and a parent → children tree. Click one to show it
// in the left address-space pane, Shift+click for the right one.

import { h, fill, keepInView, beforeNextFrame } from '../lib/dom.js';
import { bytes } from '../lib/format.js';

export function mountProcesses(el, { store, select }) {
  let mode = 'table';
  const toggle = h('button', {
    class: 'small', 'data-testid': 'process-mode',
    onclick: () => { mode = mode === 'table' ? 'tree' : 'table'; render(store.state); },
  });
  const body = h('div', { class: 'scroll' });
  // The process the stop is about stays in view: at its stop, and when the
  // panel gets shorter (the story bar or the history strip above grows).
  const revealFocus = beforeNextFrame(() => keepInView(body, body.querySelector('.focus')));
  new ResizeObserver(revealFocus).observe(body);
  fill(el, h('header', { class: 'panel-head' }, h('h2', { text: 'Processes' }),
    h('span', { class: 'hint', text: 'click: left pane · shift+click: right' }), toggle), body);

  // What the body shows, as the inputs it was drawn from: a step that
  // changes none of them draws nothing again (64 rows are most of a stop's
  // layout work).
  let drawn = null;
  let revealed = null; // the stop whose process was last scrolled into view

  function render({ snapshot, selection, focus }) {
    toggle.textContent = mode === 'table' ? 'Show tree' : 'Show table';
    if (!snapshot) {
      drawn = null;
      return fill(body, h('p', { class: 'empty', text: 'No snapshot yet.' }));
    }
    const diff = snapshot.diff?.processes;
    const inputs = JSON.stringify([mode, snapshot.processes, diff?.born, diff?.changed,
      selection.a, selection.b, focus?.pid]);
    if (focus?.event.seq !== revealed) revealFocus(); // a new stop's (not as the user picks processes)
    revealed = focus?.event.seq;
    if (inputs === drawn) return;
    drawn = inputs;
    const rowClass = (p) => [
      `state-${p.state}`,
      p.pid === selection.a && 'sel-a',
      p.pid === selection.b && 'sel-b',
      diff?.born.includes(p.pid) && 'born',
      diff?.changed.includes(p.pid) && 'changed',
      p.pid === focus?.pid && 'focus',
    ].filter(Boolean).join(' ');
    const marks = (p) => ({
      class: rowClass(p),
      'data-pid': p.pid,
      onclick: (e) => select(p.pid, e.shiftKey ? 'b' : 'a'),
    });
    const slot = (p) => h('span', { class: 'slot', text: slotText(p, selection) });
    const state = (p) => h('span', { class: 'state', text: stateText(p) });
    if (mode === 'table') rows.draw(snapshot.processes, rowClass, selection);
    else fill(body, tree(snapshot, marks, slot, state));
  }

  // The table's rows are kept, one per pid, and only what changed in them is
  // written: a stop in a busy guest changes a few cells, and a table built
  // anew is laid out anew, all of it.
  const rows = tableRows(body, select);

  store.on(['snapshot', 'selection', 'focus'], render);
  render(store.state);
}

const slotText = (p, selection) => (p.pid === selection.a ? 'L' : p.pid === selection.b ? 'R' : '');
const stateText = (p) => (p.killed ? `${p.state} (killed)` : p.state);

// The cells of a row, as text.
const cells = (p, selection) => [slotText(p, selection), String(p.pid), p.name, stateText(p),
  String(p.parent || ''), String(Math.ceil(p.size / 1024)), String(p.mailbox_depth || '')];
const CELL_CLASS = [null, 'num', 'name', null, 'num', 'num', 'num'];
const CELL_INNER = ['slot', null, null, 'state', null, null, null]; // a span inside, of that class

function tableRows(body, select) {
  const tbody = h('tbody');
  const table = h('table', { class: 'procs', 'data-testid': 'process-table' },
    // (numbers right-aligned under headers that are too)
    h('thead', {}, h('tr', {}, ['', 'PID', 'Name', 'State', 'PPID', 'KiB', 'Mail']
      .map((t) => h('th', { text: t, class: ['PID', 'PPID', 'KiB', 'Mail'].includes(t) ? 'num' : null })))),
    tbody);
  const byPid = new Map(); // pid -> {tr, texts: the element holding each cell's text}

  function row(pid) {
    const tds = CELL_CLASS.map((cls) => h('td', { class: cls }));
    const texts = tds.map((td, i) => (CELL_INNER[i] ? td.appendChild(h('span', { class: CELL_INNER[i] })) : td));
    const tr = h('tr', { 'data-pid': pid, 'data-testid': `proc-${pid}`, onclick: (e) => select(pid, e.shiftKey ? 'b' : 'a') }, tds);
    return { tr, texts };
  }

  return {
    draw(processes, rowClass, selection) {
      if (table.parentNode !== body) fill(body, table);
      const seen = new Set();
      processes.forEach((p, i) => {
        seen.add(p.pid);
        let r = byPid.get(p.pid);
        if (!r) byPid.set(p.pid, (r = row(p.pid)));
        const cls = rowClass(p);
        if (r.tr.className !== cls) r.tr.className = cls;
        cells(p, selection).forEach((text, k) => {
          if (r.texts[k].textContent !== text) r.texts[k].textContent = text;
        });
        const size = bytes(p.size);
        if (r.texts[5].title !== size) r.texts[5].title = size;
        if (tbody.children[i] !== r.tr) tbody.insertBefore(r.tr, tbody.children[i] ?? null);
      });
      for (const [pid, r] of byPid) {
        if (!seen.has(pid)) {
          r.tr.remove();
          byPid.delete(pid);
        }
      }
    },
  };
}

function tree(snapshot, marks, slot, state) {
  const pids = new Set(snapshot.processes.map((p) => p.pid));
  const children = (pid) => snapshot.processes.filter((p) => p.parent === pid);
  const node = (p) => {
    const m = marks(p);
    const kids = children(p.pid);
    return h('li', {},
      h('div', { ...m, class: `tree-node ${m.class}` }, slot(p),
        h('span', { class: 'num', text: p.pid }), ' ', h('span', { class: 'name', text: p.name }), ' ', state(p)),
      kids.length > 0 && h('ul', {}, kids.map(node)));
  };
  // Roots: processes whose parent is not (or no longer) in the table.
  return h('ul', { class: 'proc-tree', 'data-testid': 'process-tree' },
    snapshot.processes.filter((p) => !pids.has(p.parent)).map(node));
}
