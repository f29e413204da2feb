// Under the toolbar: what the stop's event did, in one sentence, and the
// changes it made (explain.js), each a link to the page, frame or process it
// is about. Only at a stop on an event; the guided demos sit beside it.

import { h, fill } from '../lib/dom.js';
import { eventLabel } from '../lib/format.js';
import { explainEvent } from '../lib/explain.js';

export function mountStory(el, { store, select }) {
  function open(change) {
    if (change.page) {
      select(change.page.pid, 'a');
      store.set({ tab: 'memory', page: change.page });
    } else if (change.frame != null) {
      store.set({ tab: 'frames', frame: change.frame });
    } else if (change.pid != null) {
      select(change.pid, 'a');
      store.set({ tab: 'memory' });
    }
  }

  // While the guest runs the last stop's sentence stays, dimmed as the
  // past: the bar keeping its height, the views under it do not jump up and
  // down with every Run and stop.
  store.on(['focus', 'snapshot', 'status'], ({ focus, snapshot, status }) => {
    const running = status?.guest === 'running' && status?.qemu === 'running';
    el.classList.toggle('past', running);
    if (running && !el.hidden) return;
    el.hidden = !focus || !snapshot || status?.guest !== 'stopped';
    if (el.hidden) return fill(el);
    const { sentence, changes } = explainEvent(focus.event, snapshot);
    fill(el,
      h('p', { class: 'story-sentence' },
        h('span', { class: `badge ev-${focus.event.kind}`, text: eventLabel(focus.event.kind) }), ' ',
        h('span', { 'data-testid': 'stop-explain', text: sentence })),
      changes.length > 0 && h('p', { class: 'story-changes', 'data-testid': 'stop-changes' },
        changes.map((c) => h('button', { class: 'link', text: c.text, onclick: () => open(c) }))));
  });
}
