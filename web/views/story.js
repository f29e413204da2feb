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
  // A stop of the history shown (replay) is told as that stop, also while
  // the guest runs.
  let told = null; // the event the bar tells
  store.on(['focus', 'snapshot', 'status', 'replay'], ({ focus, snapshot, status, replay }) => {
    const running = status?.guest === 'running' && status?.qemu === 'running';
    el.classList.toggle('past', running && !replay);
    if (running && !replay && !el.hidden && focus?.event === told) return;
    el.hidden = !focus || !snapshot || (status?.guest !== 'stopped' && !replay && !(running && told));
    told = el.hidden ? null : focus.event;
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
