// The classroom: viewers follow what the teacher's page shows, and a page
// that another took control from is told so and may take it back.
//
// The controller sends a `view` message (docs/protocol.md) when its tab, the
// processes in its panes, its selected page, frame or event, its guided
// demo's bar, or the stop of the history it shows change; the daemon relays
// it to the viewers. A viewer follows it until its user navigates by
// themselves (a click, a key, a choice that changes what it shows), and
// rejoins with "Follow teacher", which shows the teacher's view at once.

import { h, fill } from '../lib/dom.js';

const VIEW_KEYS = ['tab', 'selection', 'page', 'frame', 'event', 'demoView'];
// And the teacher's "Run to next" menus, which a viewer always shows (its own
// are read-only): run_to {event, syscall, whose, program}, program being the
// one "in …" names (the teacher's last command line).
const CONTROL_KEYS = ['runToChoice', 'foreground'];

// The stop shown in place of the present (a stop of the history, a guided
// demo's step gone back to): its seq, and the stop whose changes since are
// marked (null: none). null while the present is shown.
const pastOf = ({ replay, snapshot }) => (replay && snapshot ? { seq: snapshot.seq, since: replay.since ?? null } : null);
const samePast = (a, b) => a?.seq === b?.seq && a?.since === b?.since;

const viewOf = (state) => ({
  ...Object.fromEntries(VIEW_KEYS.map((k) => [k, state[k]])),
  past: pastOf(state),
  run_to: { ...state.runToChoice, program: state.foreground },
});

// history.show(seq, since) and backToLive() show a stop of the history and
// the present again (views/history.js, app.js).
export function mountClassroom(el, banner, { store, link, history, backToLive }) {
  let teacher = null; // the last view the teacher's page sent
  let applying = false; // the store changes below are the teacher's, not ours
  let gesture = false; // within a task started by the user (a click, a key)
  for (const type of ['pointerdown', 'click', 'keydown', 'change', 'input']) {
    document.addEventListener(type, (e) => {
      if (!e.isTrusted) return;
      gesture = true;
      setTimeout(() => { gesture = false; });
    }, true);
  }

  // The teacher's view: the stop it shows first (that changes the panes),
  // then the rest over it.
  async function apply() {
    if (!teacher) return;
    const { past } = teacher;
    if (!samePast(past ?? null, pastOf(store.state))) {
      if (past) await history.show(past.seq, past.since);
      else asTeacher(backToLive);
    }
    if (!store.state.follow) return; // (the user navigated meanwhile)
    const shown = Object.fromEntries(VIEW_KEYS.filter((k) => k in teacher).map((k) => [k, teacher[k]]));
    asTeacher(() => store.set(shown));
  }
  function asTeacher(change) {
    applying = true;
    try {
      change();
    } finally {
      applying = false;
    }
  }

  // The controller: one message per task that changed the view, none when
  // nothing it shows changed.
  let sent = null;
  let queued = false;
  function sendView() {
    queued = false;
    const { role, connection } = store.state;
    if (role !== 'controller' || connection !== 'open') return;
    const text = JSON.stringify(viewOf(store.state));
    if (text === sent) return;
    if (link.send({ type: 'view', view: JSON.parse(text) })) sent = text;
  }

  const queueView = (s) => {
    if (s.role === 'controller' && !queued) {
      queued = true;
      queueMicrotask(sendView);
    }
  };
  store.on(CONTROL_KEYS, queueView);
  store.on([...VIEW_KEYS, 'replay'], (s) => {
    if (s.role === 'controller') {
      queueView(s);
    } else if (s.role === 'viewer' && s.follow && gesture && !applying) {
      store.set({ follow: false });
    }
  });

  // Our own role, and what the daemon said when it changed it.
  let role = null;
  store.on(['hello'], ({ hello }) => {
    const was = role;
    role = hello?.role ?? null;
    if (role === 'controller') {
      sent = null;
      store.set({ control: null });
      sendView();
    } else if (hello?.message) {
      // Demoted, or control refused: the page keeps what it shows.
      store.set({ control: { message: hello.message, wasController: was === 'controller' }, follow: false });
    }
  });

  // Viewers: the teacher's view, followed or not.
  const follow = h('button', {
    class: 'small follow', 'data-testid': 'follow',
    title: 'Show what the teacher\'s page shows, and follow it',
    onclick: () => {
      store.set({ follow: !store.state.follow });
      if (store.state.follow) apply();
    },
  });
  fill(el, follow);
  store.on(['role', 'follow'], ({ role: r, follow: on }) => {
    follow.hidden = r !== 'viewer';
    follow.setAttribute('aria-pressed', String(on));
    follow.textContent = on ? 'Following teacher' : 'Follow teacher';
  });

  // The banner: why this page is a viewer, and how to take control.
  const token = h('input', {
    type: 'password', 'data-testid': 'control-token', 'aria-label': 'control token',
    placeholder: 'control token', size: 24, autocomplete: 'off',
  });
  const take = () => link.hello('controller', token.value.trim() || undefined);
  token.addEventListener('keydown', (e) => e.key === 'Enter' && take());
  store.on(['control', 'hello', 'connection'], ({ control, hello, connection }) => {
    banner.hidden = !control || connection !== 'open';
    if (banner.hidden) return;
    const needsToken = hello?.token_required;
    // One sentence, the daemon's ("another client took control: you are a
    // viewer"), then what takes control (back).
    const sentence = `${control.message[0].toUpperCase()}${control.message.slice(1)}.`;
    fill(banner,
      h('span', { 'data-testid': 'control-message', text: sentence }),
      needsToken && token,
      h('button', {
        'data-testid': 'take-control', text: control.wasController ? 'Take control back' : 'Take control',
        title: needsToken ? 'Ask for control with the token the daemon printed' : 'Ask for control (the other page becomes a viewer)',
        onclick: take,
      }));
  });

  return {
    // A view message from the daemon (the teacher's page).
    onView(view) {
      if (!view || typeof view !== 'object') return;
      teacher = view;
      if (store.state.role !== 'viewer') return;
      if (view.run_to) {
        const { program, ...choice } = view.run_to;
        store.set({ runToChoice: { ...store.state.runToChoice, ...choice }, foreground: program ?? null });
      }
      if (store.state.follow) apply();
    },
  };
}
