// Guided demos: each types a command into the guest's console, then runs to
// one kernel event after another (run_to, narrowed to the demo's program) and
// stops there; the stop's sentence (views/story.js) explains it. Back shows
// the state recorded at the step before (the guest is not rewound: it stays
// at the newest step), Next goes forward again and then on to the next step.
// At a step gone back to, "Again from here" takes the guest back to it (the
// daemon's rewind): Next then runs the steps after it again.

import { h, fill } from '../lib/dom.js';
import { eventLabel } from '../lib/format.js';
import { stopText } from './state.js';

// Each step runs to the next event of its kind in the demo's program (or the
// step's own); the title names the step, the event's sentence explains it.
// Each step is shown in its demo's tab: Address spaces, or the one it names
// (the mailbox demo: the Mail tab, the mailbox with the step's message on
// screen), whatever tab was open before.
const DEMOS = [
  {
    id: 'cow', title: 'Copy-on-write fork', command: 'cowtest', program: 'cowtest',
    steps: [['fork', 'fork shares the pages'], ['cow_fault', 'a store to a shared page'], ['cow_fault', 'the next store']],
  },
  {
    id: 'exec', title: 'exec: a new address space', command: 'echo hello', program: 'echo',
    steps: [['fork', 'the shell forks a child for the command', 'sh'], ['exec', 'the child runs exec'], ['exit', 'echo is done']],
  },
  {
    id: 'fault', title: 'A fatal page fault', command: 'crash', program: 'crash',
    steps: [['exec', 'crash starts'], ['page_fault', 'a store through a null pointer'], ['exit', 'the kernel ends it']],
  },
  {
    id: 'mail', title: 'Mailbox round trip', command: 'pingpong 1', program: 'pingpong', tab: 'mailboxes',
    steps: [['mail_send', 'the parent serves'], ['mail_recv', 'the child receives'], ['mail_send', 'the child returns it'],
      ['mail_recv', 'the parent receives']],
  },
  {
    id: 'shm', title: 'Shared memory', command: 'shmdemo 2', program: 'shmdemo',
    steps: [['fork', 'fork keeps shared memory shared'], ['mail_send', 'an item is in the shared ring: a signal'],
      ['mail_recv', 'a signal arrives']],
  },
].map((d) => ({ ...d, steps: d.steps.map(([event, title, program = d.program]) => ({ event, title, program })) }));

const PROMPT_WAIT_MS = 10_000;

export function mountDemos(el, { store, command, typeIntoConsole, terminalText }) {
  let demo = null; // {def, qemu (its QEMU's pid), recorded: [{snapshot, fresh, focus, selection, page}], shown, busy, note}
  let ended = null; // why the last demo ended before its end, shown until the next one starts
  let waiter = null; // the step being run: {status, seq (the snapshot's before), before (the latest snapshot from before the stop), resolve}

  // A stop after the run_to: a new status, stopped, and the snapshot taken
  // at it (they come in one change of the state, or the status first).
  // Only a snapshot that came with that status or after it is the stop's:
  // one from before it (a sample, the snapshot of the run's own brief stop
  // to set its breakpoint) is the past, though newer than the last stop.
  store.on(['status', 'snapshot'], ({ status, snapshot, replay }) => {
    if (!waiter) return;
    if (status?.qemu !== 'running') return finish(waiter, false);
    const stopped = status !== waiter.status && status?.guest === 'stopped' && !replay;
    if (!stopped) waiter.before = snapshot;
    else if (snapshot && snapshot !== waiter.before && !snapshot.sample && snapshot.seq > waiter.seq) finish(waiter, true);
  });
  function finish(w, ok) {
    waiter = null;
    w.resolve(ok);
  }

  // A restart (a new QEMU), or QEMU gone, ends the demo: its steps were
  // another guest's, and the new one's shell has not typed its command.
  store.on(['status'], ({ status }) => {
    if (!demo || !status) return;
    if (status.qemu === 'dead') end('QEMU has stopped');
    else if (status.qemu === 'running' && status.qemu_pid !== demo.qemu) end('the guest was restarted (a new QEMU)');
  });

  // The demo left (why: null when ✕ was pressed): a step that waits waits no
  // more, and the guest does not go on to stop at it (pause cancels a run_to).
  function end(why) {
    ended = why && `${demo.def.title}: the demo ended, ${why}.`;
    demo = null;
    if (waiter) {
      if (!why) command('pause');
      finish(waiter, false);
    }
    render();
  }
  const nextStop = () => new Promise((resolve) => {
    waiter = { status: store.state.status, seq: store.state.snapshot?.seq ?? -1, before: store.state.snapshot, resolve };
  });

  // The guest running, its shell at the prompt: true, else (a program still
  // in the foreground, a breakpoint that stops it again) false after a while.
  // (d: the demo that waits; one left stops the wait)
  async function atPrompt(d) {
    const atIt = () => /\$$/.test(terminalText()) && store.state.status?.guest === 'running';
    if (store.state.status?.guest === 'stopped') await command('continue');
    const until = Date.now() + PROMPT_WAIT_MS;
    while (!atIt() && Date.now() < until && demo === d) await new Promise((r) => setTimeout(r, 100));
    return atIt();
  }

  // (Each wait may end with the demo left, or another one started: d is
  // the demo the step is of.)
  async function runStep(i) {
    const d = demo;
    const step = d.def.steps[i];
    d.busy = true;
    if (i === 0) {
      d.note = 'Waiting for the shell\'s prompt…';
      render();
      if (!(await atPrompt(d))) {
        const stop = store.state.status?.guest === 'stopped' ? ` (the guest stopped: ${stopText(store.state.status.stop)})` : '';
        return stuck(d, `the shell is not at its prompt${stop}: let the program in the foreground finish ` +
          `(or remove a breakpoint, or Restart), then Next`);
      }
      if (demo !== d) return;
    }
    d.note = `Running to the next ${eventLabel(step.event)} of ${step.program}…`;
    render();
    const stopped = nextStop();
    const reply = await command('run_to', { event: step.event, program: step.program });
    if (!reply.ok) {
      waiter = null;
      return stuck(d, `run to: ${reply.error}`);
    }
    if (i === 0 && demo === d) typeIntoConsole(`${d.def.command}\n`);
    if (!(await stopped)) return stuck(d, 'the guest is gone');
    const { status, snapshot, fresh, focus, selection, page } = store.state;
    if (status.stop?.reason !== 'event' || focus?.event.kind !== step.event) {
      return stuck(d, `stopped by something else (${stopText(status.stop)}); Next tries this step again`);
    }
    d.recorded[i] = { snapshot, fresh, focus, selection, page, stop: status.stop };
    d.shown = i;
    d.busy = false;
    d.note = null;
    showTab(d.def);
    render();
  }

  // The guest back at the step shown: the steps after it are to run again.
  async function again() {
    const d = demo;
    const i = d.shown;
    const was = d.recorded[i];
    d.busy = true;
    d.note = `Taking the guest back to step ${i + 1}…`;
    render();
    const stopped = nextStop();
    const reply = await command('rewind', { to: was.snapshot.seq });
    if (!reply.ok) {
      waiter = null;
      return stuck(d, `rewind: ${reply.error}`);
    }
    if (!(await stopped)) return stuck(d, 'the guest is gone');
    // The step's event told as before, over the guest's state now.
    const { status, snapshot, fresh } = store.state;
    store.set({ focus: was.focus, selection: was.selection, page: was.page });
    showTab(d.def);
    d.recorded = [...d.recorded.slice(0, i), { ...was, snapshot, fresh, stop: status.stop }];
    d.busy = false;
    d.note = null;
    render();
  }

  // Demo d cannot go on for now: why, and Next to try again (if it is still the demo).
  function stuck(d, note) {
    if (demo !== d) return;
    d.busy = false;
    d.note = note;
    render();
  }

  // Show a recorded step: the newest is the guest's own state.
  function show(i) {
    const { stop, ...rec } = demo.recorded[i];
    demo.shown = i;
    store.set({ ...rec, replay: i < demo.recorded.length - 1 ? { stop } : null });
    showTab(demo.def);
    render();
  }

  // The tab the demo's steps are best seen in.
  const showTab = (def) => store.set({ tab: def.tab ?? 'memory' });

  function start(def) {
    demo = { def, qemu: store.state.status.qemu_pid, recorded: [], shown: -1, busy: false, note: null };
    ended = null;
    runStep(0);
  }

  function next() {
    if (demo.shown < demo.recorded.length - 1) return show(demo.shown + 1);
    if (demo.shown < demo.def.steps.length - 1) return runStep(demo.shown + 1);
    demo = null; // the end: the program runs to its end
    command('continue');
    render();
  }

  const pick = h('select', { 'data-testid': 'demo-pick', 'aria-label': 'guided demo' },
    DEMOS.map((d) => h('option', { value: d.id, text: d.title })));

  // What the bar shows of the demo, which viewers show too (the store's
  // demoView, relayed to them: views/classroom.js): null with no demo.
  function barView() {
    if (!demo) return null;
    const { def, shown, recorded, note } = demo;
    return {
      title: def.title, command: def.command, step: shown + 1, steps: def.steps.length,
      stepTitle: def.steps[shown]?.title ?? null, recorded: shown >= 0 && shown < recorded.length - 1, note,
    };
  }
  // "Copy-on-write fork · Step 2 of 3: a store to a shared page (recorded)".
  const heading = (v) => [
    h('span', { class: 'demo-title', 'data-testid': 'demo-title', text: `${v.title} ·` }),
    h('span', { class: 'demo-step', 'data-testid': 'demo-step' },
      v.step > 0 ? `Step ${v.step} of ${v.steps}: ${v.stepTitle}` : `$ ${v.command}`,
      v.recorded && h('span', { class: 'dim', text: ' (recorded)' }))];
  const noteOf = (text) => text && h('span', { class: 'dim', 'data-testid': 'demo-note', text });

  function render() {
    const s = store.state;
    const view = s.role === 'viewer' ? s.demoView : barView();
    if (s.role === 'controller' && JSON.stringify(view) !== JSON.stringify(s.demoView)) store.set({ demoView: view });
    el.classList.toggle('active', view !== null);
    const control = s.role === 'controller' && s.connection === 'open' && s.status?.qemu === 'running';
    if (!view) {
      return fill(el, h('span', { class: 'demo-title', text: 'Demo' }), pick,
        h('button', {
          text: '▶ Start', 'data-testid': 'demo-start', disabled: !control,
          title: 'Types the demo\'s command and stops at each step',
          onclick: () => start(DEMOS.find((d) => d.id === pick.value)),
        }),
        noteOf(ended));
    }
    // A viewer: the teacher's demo, read-only.
    if (!demo) return fill(el, heading(view), noteOf(view.note));
    const { shown, busy, recorded } = demo;
    const last = shown === demo.def.steps.length - 1;
    fill(el, heading(view),
      h('button', { text: '‹ Back', 'data-testid': 'demo-back', disabled: busy || shown <= 0, onclick: () => show(shown - 1) }),
      view.recorded && h('button', {
        text: '⟲ Again from here', 'data-testid': 'demo-rewind', disabled: busy || !control,
        title: 'Take the guest back to this step (a rewind): Next runs the steps after it again', onclick: again,
      }),
      h('button', {
        text: last && shown === recorded.length - 1 ? 'Finish ✓' : 'Next ›', 'data-testid': 'demo-next',
        disabled: busy || !control, onclick: next,
      }),
      h('button', { class: 'small', text: '✕', title: 'Leave the demo', 'data-testid': 'demo-close', onclick: () => end(null) }),
      noteOf(view.note));
  }

  store.on(['role', 'connection', 'status'], render);
  store.on(['demoView'], ({ role }) => role === 'viewer' && render());
  render();
}
