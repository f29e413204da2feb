// The processes: a table and a parent → children tree. Click one to show it
// in the left address-space pane, Shift+click for the right one.

import { h, fill } from '../lib/dom.js';
import { bytes } from '../lib/format.js';

export function mountProcesses(el, { store, select }) {
  let mode = 'table';
  const toggle = h('button', {
    class: 'small', 'data-testid': 'process-mode',
    onclick: () => { mode = mode === 'table' ? 'tree' : 'table'; render(store.state); },
  });
  const body = h('div', { class: 'scroll' });
  fill(el, h('header', { class: 'panel-head' }, h('h2', { text: 'Processes' }),
    h('span', { class: 'hint', text: 'click: left pane · shift+click: right' }), toggle), body);

  // What the body shows, as the inputs it was drawn from: a step that
  // changes none of them draws nothing again (64 rows are most of a stop's
  // layout work).
  let drawn = null;

  function render({ snapshot, selection, focus }) {
    toggle.textContent = mode === 'table' ? 'Show tree' : 'Show table';
    if (!snapshot) {
      drawn = null;
      return fill(body, h('p', { class: 'empty', text: 'No snapshot yet.' }));
    }
    const diff = snapshot.diff?.processes;
    const inputs = JSON.stringify([mode, snapshot.processes, diff?.born, diff?.changed,
      selection.a, selection.b, focus?.pid]);
    if (inputs === drawn) return;
    drawn = inputs;
    const marks = (p) => ({
      class: [
        `state-${p.state}`,
        p.pid === selection.a && 'sel-a',
        p.pid === selection.b && 'sel-b',
        diff?.born.includes(p.pid) && 'born',
        diff?.changed.includes(p.pid) && 'changed',
        p.pid === focus?.pid && 'focus',
      ].filter(Boolean).join(' '),
      'data-pid': p.pid,
      onclick: (e) => select(p.pid, e.shiftKey ? 'b' : 'a'),
    });
    const slot = (p) => h('span', { class: 'slot', text: p.pid === selection.a ? 'L' : p.pid === selection.b ? 'R' : '' });
    const state = (p) => h('span', { class: 'state', text: p.killed ? `${p.state} (killed)` : p.state });
    fill(body, mode === 'table' ? table(snapshot, marks, slot, state) : tree(snapshot, marks, slot, state));
  }

  store.on(['snapshot', 'selection', 'focus'], render);
  render(store.state);
}

function table(snapshot, marks, slot, state) {
  return h('table', { class: 'procs', 'data-testid': 'process-table' },
    // (numbers right-aligned under headers that are too)
    h('thead', {}, h('tr', {}, ['', 'PID', 'Name', 'State', 'PPID', 'KiB', 'Mail']
      .map((t) => h('th', { text: t, class: ['PID', 'PPID', 'KiB', 'Mail'].includes(t) ? 'num' : null })))),
    h('tbody', {}, snapshot.processes.map((p) => h('tr', { ...marks(p), 'data-testid': `proc-${p.pid}` },
      h('td', {}, slot(p)),
      h('td', { class: 'num', text: p.pid }),
      h('td', { class: 'name', text: p.name }),
      h('td', {}, state(p)),
      h('td', { class: 'num', text: p.parent || '' }),
      h('td', { class: 'num', title: bytes(p.size), text: Math.ceil(p.size / 1024) }),
      h('td', { class: 'num', text: p.mailbox_depth || '' })))));
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
