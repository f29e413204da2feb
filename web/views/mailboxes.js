// Each process's mailbox queue: the messages waiting in it and who sent them.

import { h, fill } from '../lib/dom.js';
import { procName } from '../lib/model.js';

export function mountMailboxes(el, { store }) {
  const body = h('div', { class: 'scroll mailboxes', 'data-testid': 'mailboxes' });
  fill(el, h('header', { class: 'panel-head' }, h('h2', { text: 'Mailboxes' })), body);

  store.on(['snapshot'], ({ snapshot }) => {
    const boxes = snapshot?.mailboxes ?? [];
    if (!boxes.length) return fill(body, h('p', { class: 'empty', text: 'No process has mail waiting.' }));
    fill(body, boxes.map((box) => h('section', { class: 'mailbox', 'data-pid': box.pid },
      h('h3', { text: `pid ${box.pid} ${procName(snapshot, box.pid)} — ${box.depth} waiting` }),
      h('table', {},
        h('thead', {}, h('tr', {}, ['#', 'From', 'Bytes', 'Data'].map((t) => h('th', { text: t })))),
        h('tbody', {}, box.messages.map((m, i) => h('tr', {},
          h('td', { class: 'num', text: i + 1 }),
          h('td', { text: `pid ${m.from} ${procName(snapshot, m.from)}` }),
          h('td', { class: 'num', text: m.len }),
          h('td', { class: 'mono data', text: JSON.stringify(m.data) }))))))));
  });
}
