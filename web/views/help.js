// The help overlay: every keyboard shortcut, and what the mouse does.

import { h, fill } from '../lib/dom.js';
import { addShortcut, listShortcuts, keyLabel } from '../lib/keys.js';
import { ZOOM_KEYS } from './room.js';

const MOUSE = [
  ['Click a process', 'show it in the left address-space pane'],
  ['Shift+click a process', 'show it in the right pane'],
  ['Click a page', 'its frame and every process that maps it'],
  ['Hover over a frame', 'its kind, refcount and owners'],
  ['Click an event', 'its details'],
];

const halves = (list) => [list.slice(0, Math.ceil(list.length / 2)), list.slice(Math.ceil(list.length / 2))];

export function mountHelp(el, { store }) {
  addShortcut({ key: '?', label: 'Show or hide this help', run: () => store.set({ help: !store.state.help }) });
  addShortcut({ key: 'Escape', label: 'Close this help; in the terminal: leave it', run: () => store.set({ help: false }) });
  el.addEventListener('click', (e) => e.target === el && store.set({ help: false }));

  store.on(['help'], ({ help }) => {
    el.hidden = !help;
    if (!help) return;
    const rows = (pairs) => h('tbody', {}, pairs.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', { text: v }))));
    fill(el, h('div', { class: 'dialog', role: 'dialog', 'aria-label': 'Help' },
      h('header', { class: 'panel-head' }, h('h2', { text: 'Keyboard and mouse' }),
        h('button', { class: 'small', text: 'Close', onclick: () => store.set({ help: false }) })),
      h('p', { class: 'hint', text: 'Shortcuts work when the terminal does not have the focus: press Escape to leave it.' }),
      // The keys in two columns, the mouse below them: all of it in sight
      // at 1280×720.
      h('div', { class: 'help-columns' },
        halves([...listShortcuts().map((s) => [keyLabel(s.key), s.label]), ...ZOOM_KEYS.map((z) => [z.keys, z.label])]
          .map(([key, label]) => [h('kbd', { text: key }), label])).map((half) => h('table', {}, rows(half))),
        h('table', {}, rows(MOUSE)))));
  });
}
