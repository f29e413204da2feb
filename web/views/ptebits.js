// A PTE's bits as chips, each explained in words on hover and on keyboard
// focus (a tooltip the chip is described by, so screen readers say it too).

import { h } from '../lib/dom.js';
import { num } from '../lib/format.js';
import { pteBitList } from '../lib/walk.js';

let tips = 0;

export function pteBits(pte) {
  const value = num(pte);
  return h('span', { class: 'ptebits', 'data-testid': 'pte-bits' }, pteBitList().map(({ bit, name, says }) => {
    const on = ((value >>> bit) & 1) === 1;
    const id = `pte-tip-${++tips}`;
    return h('span', {
      class: `ptebit ${on ? 'on' : 'off'}`, tabindex: 0, 'data-bit': name,
      'aria-label': `${name} ${on ? 'set' : 'clear'}`, 'aria-describedby': id,
    }, `${name} ${on ? 1 : 0}`, h('span', { class: 'tip', role: 'tooltip', id, text: `${name} = ${on ? 1 : 0}. ${says}` }));
  }));
}

// The flags of a page chip in words, for its title: "V valid · R readable ...".
export function flagsInWords(pte) {
  const value = num(pte);
  return pteBitList().filter(({ bit }) => (value >>> bit) & 1).map(({ name, says }) => `${name}: ${says.split(':')[0].toLowerCase()}`).join(' · ');
}
