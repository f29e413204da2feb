// The current lab's checklist (the daemon's --lab: hello's "lab"): every
// check with its points; the checks the page can judge from the kernel's
// state (lib/labrules.js) are judged at each snapshot (the daemon's live
// samples too), and while the tab is shown, the guest runs and the daemon
// does not sample, the page asks for a snapshot every second, so they follow
// the programs the student runs. The grade is still
// `make grade LAB=...`.

import { h, fill } from '../lib/dom.js';
import { RULES, judge } from '../lib/labrules.js';

const LIVE_MS = 1000;

export function mountLab(el, { store, command }) {
  const verdicts = new Map(); // check name -> judge() result
  let timer = null;

  store.on(['hello', 'snapshot'], ({ hello, snapshot }) => {
    const lab = hello?.lab;
    document.querySelector('[data-testid="tab-lab"]')?.toggleAttribute('hidden', !lab);
    if (!lab) return fill(el);
    for (const c of lab.checks) {
      if (snapshot && RULES[c.live]) verdicts.set(c.name, judge(verdicts.get(c.name), c.live, snapshot));
    }
    paint(el, lab, verdicts);
  });

  // A snapshot a second while the lab is in view, the guest runs and no
  // live samples come (status.sampling: docs/protocol.md).
  store.on(['tab', 'status', 'hello', 'role'], ({ tab, status, hello, role }) => {
    const live = tab === 'lab' && hello?.lab && status?.guest === 'running' && role === 'controller' &&
      !(status.sampling?.hz > 0);
    if (live && !timer) timer = setInterval(() => command('snapshot').catch(() => {}), LIVE_MS);
    if (!live && timer) {
      clearInterval(timer);
      timer = null;
    }
  });
}

function paint(el, lab, verdicts) {
  const total = lab.checks.reduce((n, c) => n + c.points, 0);
  fill(el,
    h('header', { class: 'panel-head' }, h('h2', { text: `Lab ${lab.lab}: ${total} points` })),
    h('ul', { class: 'scroll lab-checks', 'data-testid': 'lab-checks' }, lab.checks.map((c) => {
      const v = verdicts.get(c.name);
      const state = !RULES[c.live] ? 'graded' : !v ? 'waiting' : v.failed ? 'failed' : 'holding';
      return h('li', { class: `lab-check ${state}`, 'data-check': c.name, 'data-state': state },
        h('span', { class: 'lab-points', text: `${c.points} pt` }),
        h('span', { class: 'lab-title', text: c.title }),
        h('span', { class: 'lab-state', text: said(state, v) }));
    })),
    h('p', { class: 'lab-note', text: `Marked checks are read from the kernel at each stop; the grade is make grade LAB=${lab.lab}.` }));
}

function said(state, v) {
  switch (state) {
    case 'graded': return 'by the grader';
    case 'waiting': return 'nothing to judge yet: run a program';
    case 'failed': return `broken at snapshot ${v.failed.seq}: ${v.failed.why}`;
    default: return `holds (${v.seen} snapshots): ${v.last.why}`;
  }
}
