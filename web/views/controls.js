// Driving the guest: run, pause, step, step back, step a line, run to the next
// event of a kind or back to the last, breakpoints at kernel functions,
// restart. Only the controller may; a viewer sees them disabled.

import { h, fill, setOptions } from '../lib/dom.js';
import { eventLabel } from '../lib/format.js';
import { addShortcut } from '../lib/keys.js';

// The kinds "run to next" offers first, with their shortcut keys; the
// menu holds those the kernel has (hello's event_kinds), then its others.
const RUN_TO = [
  { event: 'fork', key: 'f' },
  { event: 'cow_fault', key: 'c' },
  { event: 'exec', key: 'x' },
  { event: 'exit', key: 'q' },
  { event: 'switch', key: 'k' },
  { event: 'syscall', key: 'y' },
  { event: 'page_fault' },
  { event: 'trap' },
  { event: 'mail_send' },
  { event: 'mail_recv' },
];

const STEP_BACK = 'One instruction back (Shift+S)';

// el: the toolbar; end: the top line's end, for Restart and help (kept
// away from Step, and off the toolbar, which must not wrap at 1280 px).
export function mountControls(el, end, { store, act: run }) {

  const kind = h('select', { 'data-testid': 'run-to-kind', 'aria-label': 'event kind' }); // filled at hello
  const syscall = h('select', { 'data-testid': 'run-to-syscall', 'aria-label': 'system call' });
  // Whose events: by default those of the program last started at the console
  // (typing `cowtest` means "show me cowtest", not the shell forking it), or
  // any process's, or one process's.
  const whose = h('select', { 'data-testid': 'run-to-process', 'aria-label': 'whose events' });
  // The three menus are the store's runToChoice, so that a viewer's show the
  // teacher's (views/classroom.js relays it).
  const choose = (patch) => store.set({ runToChoice: { ...store.state.runToChoice, ...patch } });
  kind.addEventListener('change', () => choose({ event: kind.value }));
  syscall.addEventListener('change', () => choose({ syscall: syscall.value }));
  whose.addEventListener('change', () => choose({ whose: whose.value }));
  const narrowing = () => {
    if (whose.value === 'foreground') return { program: store.state.foreground };
    return whose.value ? { pid: Number(whose.value) } : {};
  };
  const runTo = (event) => {
    const args = { event, ...(event === 'syscall' && syscall.value ? { syscall: syscall.value } : {}), ...narrowing() };
    return run('run_to', args);
  };
  // Back to the last event of the kind chosen, of the process chosen ("in
  // cowtest": of a live process of that name).
  const backTo = (event) => run('reverse_continue', { event, ...narrowing() });
  function showChoice({ foreground, snapshot, runToChoice: chosen }) {
    setOptions(whose, [
      ...(foreground ? [{ value: 'foreground', text: `in ${foreground}`, title: 'the program last started at the console' }] : []),
      { value: '', text: 'any process' },
      ...(snapshot?.processes ?? []).map((p) => ({ value: p.pid, text: `in pid ${p.pid} ${p.name}` }))]);
    whose.value = [...whose.options].some((o) => o.value === chosen.whose) ? chosen.whose : '';
    kind.value = chosen.event;
    syscall.hidden = chosen.event !== 'syscall';
    syscall.value = chosen.syscall;
  }
  store.on(['foreground', 'snapshot', 'runToChoice'], showChoice);
  showChoice(store.state);

  const fn = h('input', {
    type: 'text', placeholder: 'function', 'data-testid': 'break-function',
    'aria-label': 'kernel function', size: 14, spellcheck: 'false',
  });
  const chips = h('span', { class: 'breakpoints', 'data-testid': 'breakpoints' });
  async function addBreak() {
    const name = fn.value.trim();
    // Cleared only if it still holds that name: what was typed while the
    // reply was on its way stays.
    if (name && (await run('break', { function: name })) && fn.value.trim() === name) fn.value = '';
  }
  fn.addEventListener('keydown', (e) => e.key === 'Enter' && addBreak());
  // The daemon's breakpoints and watch, from its status.
  const chip = (content, title, remove, testid = null) => h('span', { class: 'chip mono', title, 'data-testid': testid }, content,
    h('button', { class: 'unbreak', text: '×', title: `remove: ${title}`, 'aria-label': `remove: ${title}`, onclick: remove }));
  store.on(['status'], ({ status }) => {
    const watch = status?.watch;
    fill(chips, (status?.breakpoints ?? []).map((name) => chip(name, `the breakpoint at ${name}`, () => run('unbreak', { function: name }))),
      watch && chip([h('span', { class: 'chip-label', text: 'watch ' }), h('span', { text: `${watch.pid}:${watch.va.replace(/^0x/, '')}` })],
        watch.error ? `the watch on pid ${watch.pid} page ${watch.va}: ${watch.error}`
          : `stop on writes to pid ${watch.pid}'s page ${watch.va} (frame ${watch.pa})`, () => run('unwatch'), 'watch-chip'));
  });

  const button = (text, testid, title, onclick) => h('button', { text, title, onclick, 'data-testid': testid });
  // A control going back in time, joined to its twin going forward.
  const pair = (back, label, forward) => {
    back.classList.add('back');
    back.setAttribute('aria-label', label);
    return h('span', { class: 'pair' }, back, forward);
  };
  const buttons = {
    run: button('▶ Run', 'run', 'Run the guest (r)', () => run('continue')),
    pause: button('‖ Pause', 'pause', 'Stop the guest (p)', () => run('pause')),
    step: button('Step', 'step', 'One instruction (s)', () => run('step')),
    back: button('◀', 'step-back', STEP_BACK, () => run('reverse_step')),
    line: button('Step line', 'step-line', 'To the next kernel source line (n)', () => run('step_line')),
    runTo: button('Run to next', 'run-to', 'Run until the next event of this kind (e)', () => runTo(kind.value)),
    backTo: button('◀', 'back-to', 'Back to the last event of this kind: the guest goes back in time (Shift+E)', () => backTo(kind.value)),
    brk: button('Break', 'break', 'Stop when the kernel enters this function (b to type one)', addBreak),
    restart: button('⟲ Restart', 'restart', 'A fresh QEMU with the original disk (Shift+R)', () => run('restart')),
  };

  const fieldset = h('fieldset', { class: 'controls', 'data-testid': 'controls' },
    h('span', { class: 'group' }, buttons.run, buttons.pause, pair(buttons.back, 'Step back one instruction', buttons.step), buttons.line),
    h('span', { class: 'group' }, pair(buttons.backTo, 'Back to the last event of the kind chosen', buttons.runTo), kind, syscall, whose),
    h('span', { class: 'group breaks' }, fn, buttons.brk, chips));
  fill(el, fieldset);
  fill(end, buttons.restart, h('button', {
    class: 'help-button', text: '?', title: 'Keyboard shortcuts (?)', 'data-testid': 'help-button',
    onclick: () => store.set({ help: !store.state.help }),
  }));

  const canControl = () => store.state.role === 'controller' && store.state.connection === 'open';
  const alive = () => canControl() && store.state.status?.qemu === 'running';
  const stopped = () => alive() && store.state.status.guest === 'stopped';
  const running = () => alive() && store.state.status.guest === 'running';
  const stepsBack = () => (stopped() ? store.state.status.stop?.steps_back ?? 0 : 0);

  store.on(['role', 'connection', 'status'], () => {
    fieldset.disabled = !canControl();
    fieldset.title = fieldset.disabled ? 'Read-only: only the controller drives the guest' : '';
    buttons.restart.disabled = !canControl();
    buttons.restart.title = canControl() ? 'A fresh QEMU with the original disk (Shift+R)' : fieldset.title;
    for (const b of [buttons.run, buttons.step, buttons.line]) b.disabled = !stopped();
    buttons.pause.disabled = !running();
    buttons.back.disabled = stepsBack() === 0;
    buttons.back.title = !stopped() || stepsBack() > 0 ? STEP_BACK
      : `${STEP_BACK}: this stop was reached by running, so the instruction before it is not known (History: rewind to an earlier stop, and step from there)`;
    buttons.runTo.disabled = !alive(); // a running guest goes on until the event
    buttons.backTo.disabled = !alive(); // a running guest is paused first
    buttons.brk.disabled = !alive(); // a dead QEMU takes no breakpoints
  });
  store.on(['hello'], ({ hello }) => {
    const kinds = (hello?.kernel?.event_kinds ?? []).filter((k) => k !== 'none');
    const order = [...RUN_TO.map((r) => r.event).filter((k) => kinds.includes(k)),
      ...kinds.filter((k) => !RUN_TO.some((r) => r.event === k))];
    fill(kind, order.map((k) => h('option', { value: k, text: eventLabel(k) })));
    kind.value = store.state.runToChoice.event;
    const names = Object.values(hello?.kernel?.syscalls ?? {}).sort();
    fill(syscall, h('option', { value: '', text: 'any' }), names.map((n) => h('option', { value: n, text: n })));
    syscall.value = store.state.runToChoice.syscall;
  });

  addShortcut({ key: 'r', label: 'Run', run: () => run('continue'), enabled: stopped });
  addShortcut({ key: 'p', label: 'Pause', run: () => run('pause'), enabled: running });
  addShortcut({ key: 's', label: 'Step one instruction', run: () => run('step'), enabled: stopped });
  addShortcut({ key: 'S', label: 'Step back one instruction', run: () => run('reverse_step'), enabled: () => stepsBack() > 0 });
  addShortcut({ key: 'n', label: 'Step one kernel source line', run: () => run('step_line'), enabled: stopped });
  addShortcut({ key: 'e', label: 'Run to the next event of the kind chosen', run: () => runTo(kind.value), enabled: alive });
  addShortcut({ key: 'E', label: 'Back to the last event of the kind chosen', run: () => backTo(kind.value), enabled: alive });
  for (const { event, key } of RUN_TO.filter((r) => r.key)) {
    const label = `Run to the next ${eventLabel(event)}${event === 'syscall' ? ' (of the name chosen)' : ''}`;
    addShortcut({ key, label, run: () => runTo(event), enabled: alive });
  }
  addShortcut({ key: 'b', label: 'Type a function to break at', run: () => fn.focus(), enabled: canControl });
  addShortcut({ key: 'R', label: 'Restart the guest (a fresh QEMU)', run: () => run('restart'), enabled: canControl });
}
