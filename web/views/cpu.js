// The CPU at the stop: pc with its kernel function and line, privilege mode,
// the trap CSRs decoded, and the registers.

import { h, fill } from '../lib/dom.js';
import { where, PRIVILEGE } from '../lib/format.js';

const SSTATUS_BITS = [
  ['SIE', 'supervisor interrupts enabled'],
  ['SPIE', 'SIE before the last trap'],
  ['SUM', 'S-mode may touch user pages'],
];

export function mountCpu(el, { store }) {
  const body = h('div', { class: 'scroll cpu', 'data-testid': 'cpu' });
  fill(el, h('header', { class: 'panel-head' }, h('h2', { text: 'CPU' })), body);

  store.on(['snapshot'], ({ snapshot }) => {
    const cpu = snapshot?.cpu;
    if (!cpu) {
      const why = snapshot?.sample ? 'The guest is running: its registers are read when it stops.' : 'No snapshot yet.';
      return fill(body, h('p', { class: 'empty', text: why }));
    }
    const { sstatus, scause, satp } = cpu;
    const row = (name, ...value) => [h('dt', { text: name }), h('dd', {}, ...value)];
    const bit = (name, on, title) => h('span', { class: `bit ${on ? 'on' : 'off'}`, title, text: `${name} ${on ? '1' : '0'}` });
    fill(body,
      h('dl', { class: 'csrs' },
        row('pc', h('span', { class: 'mono', text: cpu.pc }), ' ', h('strong', { text: where(cpu) })),
        row('privilege', h('strong', { 'data-testid': 'cpu-priv', text: `${cpu.priv} — ${PRIVILEGE[cpu.priv] ?? '?'} mode` })),
        row('scause', h('strong', { 'data-testid': 'cpu-scause', text: scause.name }),
          ` (${scause.interrupt ? 'interrupt' : 'exception'} ${scause.code}) `, h('span', { class: 'mono dim', text: scause.raw })),
        row('stval', h('span', { class: 'mono', text: cpu.stval })),
        row('sepc', h('span', { class: 'mono', text: cpu.sepc })),
        row('stvec', h('span', { class: 'mono', text: cpu.stvec })),
        row('satp', `${satp.mode}, root table `, h('span', { class: 'mono', text: satp.root }), ' ',
          h('span', { class: 'mono dim', text: satp.raw })),
        row('sstatus', ...SSTATUS_BITS.map(([name, title]) => bit(name, sstatus[name], title)),
          h('span', { class: 'bit', title: 'privilege before the last trap', text: `SPP ${sstatus.SPP}` }), ' ',
          h('span', { class: 'mono dim', text: sstatus.raw }))),
      h('div', { class: 'regs' }, Object.entries(cpu.regs).map(([name, value]) =>
        h('span', { class: 'reg' }, h('span', { class: 'name', text: name }), h('span', { class: 'mono', text: value })))));
  });
}
