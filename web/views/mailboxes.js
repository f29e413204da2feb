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
          h('td', { class: 'mono data', text: payload(m), title: m.hex }))))))));
  });
}

// A message's payload as text when it is printable, else its bytes in hex
// (docs/protocol.md: text shows non-printable bytes as '.').
function payload(m) {
  const printable = m.text && !/^\.*$/.test(m.text) && (m.text.match(/\./g) ?? []).length <= m.len / 4;
  return printable ? JSON.stringify(m.text) : m.hex.replace(/(..)/g, '$1 ').trim();
}
