// The tabs of the right-hand column; keys 1–8 switch between them. The Lab
// tab shows only when the daemon names a lab (views/lab.js).

import { h, fill } from '../lib/dom.js';
import { addShortcut } from '../lib/keys.js';

const TABS = [
  { id: 'memory', label: 'Address spaces' },
  { id: 'frames', label: 'Frames' },
  { id: 'mailboxes', label: 'Mail' },
  { id: 'timeline', label: 'Timeline' },
  { id: 'cpu', label: 'CPU' },
  { id: 'source', label: 'Source' },
  { id: 'walk', label: 'VA walk' },
  { id: 'lab', label: 'Lab', hidden: true },
];

export function mountTabs(nav, { store }) {
  const buttons = TABS.map(({ id, label, hidden }, i) => {
    const key = String(i + 1);
    // (A tab hidden now, the Lab tab without a lab, does not open, and the
    // help does not list it.)
    const shown = () => !buttons[i].hidden;
    addShortcut({ key, label: `Show ${label}`, run: () => shown() && store.set({ tab: id }), listed: shown });
    return h('button', {
      role: 'tab', 'data-testid': `tab-${id}`, title: `${label} (${key})`, hidden,
      onclick: () => store.set({ tab: id }),
    }, h('kbd', { text: key }), ` ${label}`);
  });
  fill(nav, buttons);

  store.on(['tab'], ({ tab }) => {
    TABS.forEach(({ id }, i) => {
      buttons[i].setAttribute('aria-selected', String(id === tab));
      document.getElementById(`tab-${id}`).hidden = id !== tab;
    });
  });
  store.set({ tab: store.state.tab });
}
