// Each process's mailbox queue: the messages waiting in it and who sent them.
// At a stop on a mail event the mailbox it is about says so: the one the
// message went into (its last), or the one it was taken from, shown even
// when nothing is left waiting in it.

import { h, fill } from '../lib/dom.js';
import { procName } from '../lib/model.js';

// The mailbox a stop's mail event is about: {pid, sent} (sent: the message
// went in, else one came out), or null.
function mailOf(focus) {
  const e = focus?.event;
  if (e?.kind === 'mail_send') return { pid: e.to, sent: true };
  if (e?.kind === 'mail_recv') return { pid: e.pid, sent: false };
  return null;
}

export function mountMailboxes(el, { store }) {
  const body = h('div', { class: 'scroll mailboxes', 'data-testid': 'mailboxes' });
  fill(el, h('header', { class: 'panel-head' }, h('h2', { text: 'Mailboxes' })), body);

  // (the last stop's event is no news once the guest runs on)
  store.on(['snapshot', 'focus', 'status'], ({ snapshot, focus, status, replay }) => {
    const mail = status?.guest === 'stopped' || replay ? mailOf(focus) : null;
    const boxes = snapshot?.mailboxes ?? [];
    const shown = mail && !boxes.some((b) => b.pid === mail.pid)
      ? [...boxes, { pid: mail.pid, depth: 0, messages: [] }] : boxes;
    if (!shown.length) return fill(body, h('p', { class: 'empty', text: 'No process has mail waiting.' }));
    fill(body, shown.map((box) => mailbox(box, snapshot, box.pid === mail?.pid ? focus.event : null)));
  });
}

// One process's queue; event: the stop's mail event about it, or null.
function mailbox(box, snapshot, event) {
  return h('section', { class: 'mailbox', 'data-pid': box.pid },
    h('h3', { text: `pid ${box.pid} ${procName(snapshot, box.pid)} — ${box.depth} waiting` }),
    event && h('p', { class: 'explain', 'data-testid': 'mailbox-event', text: eventText(event, snapshot) }),
    box.messages.length > 0 && h('table', {},
      h('thead', {}, h('tr', {}, ['#', 'From', 'Bytes', 'Data'].map((t) => h('th', { text: t })))),
      h('tbody', {}, box.messages.map((m, i) => h('tr', {},
        h('td', { class: 'num', text: i + 1 }),
        h('td', { text: `pid ${m.from} ${procName(snapshot, m.from)}` }),
        h('td', { class: 'num', text: m.len }),
        h('td', { class: 'mono data', text: payload(m), title: m.hex }))))));
}

// "At this stop the last message came in, from pid 4 pingpong (4 bytes)."
function eventText(e, snapshot) {
  return e.kind === 'mail_send'
    ? `At this stop the last message came in, from pid ${e.pid} ${procName(snapshot, e.pid)} (${e.len} bytes).`
    : `At this stop pid ${e.pid} took a message of ${e.len} bytes from pid ${e.from} ${procName(snapshot, e.from)} out of this mailbox.`;
}

// A message's payload as text when it is printable, else its bytes in hex
// (docs/protocol.md: text shows non-printable bytes as '.').
function payload(m) {
  const printable = m.text && !/^\.*$/.test(m.text) && (m.text.match(/\./g) ?? []).length <= m.len / 4;
  return printable ? JSON.stringify(m.text) : m.hex.replace(/(..)/g, '$1 ').trim();
}
