// Virtual → physical for any address of a process: the address split into
// VPN[1], VPN[0] and offset, the L1 and L0 entries read (with their bits), and
// the physical address, or the step where the walk fails.

import { h, fill, setOptions } from '../lib/dom.js';
import { hex, num } from '../lib/format.js';
import { frameFacts, frameOfPa, frameSummary, procName } from '../lib/model.js';
import { walk, kernelHalfNote } from '../lib/walk.js';
import { machine } from '../lib/machine.js';
import { pteBits } from './ptebits.js';

export function mountWalk(el, { store, command }) {
  const pid = h('select', { 'data-testid': 'walk-pid', 'aria-label': 'process' });
  const va = h('input', {
    type: 'text', 'data-testid': 'walk-va', 'aria-label': 'virtual address', placeholder: '0x00005000',
    size: 12, spellcheck: 'false', class: 'mono',
  });
  const form = h('form', { class: 'walk-form', onsubmit: (e) => { e.preventDefault(); go(); } },
    h('label', {}, 'Process ', pid), h('label', {}, ' virtual address (hex) ', va),
    h('button', { type: 'submit', 'data-testid': 'walk-go', text: 'Walk' }));
  const result = h('div', { class: 'walk scroll', 'data-testid': 'walk-result', 'aria-live': 'polite' });
  fill(el, h('header', { class: 'panel-head' }, h('h2', { text: 'Virtual → physical' }), form), result);

  function go() {
    const text = va.value.trim();
    if (!/^(0x)?[0-9a-f]{1,8}$/i.test(text)) {
      return fill(result, h('p', { class: 'errors', text: `"${text}" is not an address: up to 8 hex digits, like 0x00005000.` }));
    }
    // Typed without 0x and all decimal digits ("4096"), it is still read as
    // hex, as the label says: the walk says so, with the hex of the decimal.
    const decimal = /^[0-9]+$/.test(text) && Number(text) <= 0xffffffff ? hex(Number(text)) : null;
    store.set({ walk: { pid: Number(pid.value), va: hex(parseInt(text, 16)), decimal } });
  }

  function renderPids({ snapshot, walk: w }) {
    const chosen = w?.pid ?? store.state.selection.a;
    setOptions(pid, (snapshot?.processes ?? []).map((p) => ({ value: p.pid, text: `${p.pid} ${p.name}` })));
    if (chosen != null && pid.value !== String(chosen)) pid.value = String(chosen);
  }

  function render(s) {
    renderPids(s);
    const { snapshot } = s;
    const w = s.walk ?? (snapshot && guess(snapshot, s.selection));
    if (!snapshot || !w) return fill(result, h('p', { class: 'empty', text: 'Pick a process and type an address, or click a page in Address spaces.' }));
    if (document.activeElement !== va) va.value = w.va;
    const space = snapshot.address_spaces[w.pid];
    const r = walk(space, w.va, snapshot.kernel_space);
    const field = (label, value, bits, cls) => h('div', { class: `vafield ${cls}` },
      h('div', { class: 'vabits mono', text: bits }), h('div', { class: 'valabel', text: label }), h('div', { class: 'mono', text: value }));
    const bin = (v, n) => v.toString(2).padStart(n, '0');
    const steps = r.steps.map((st) => h('li', { class: 'walk-step', 'data-level': st.level, 'data-testid': `walk-l${st.level}` },
      h('div', {}, h('strong', { text: st.level === 1 ? `1. Root table L1[${st.index}]` : `2. L0 table L0[${st.index}]` }),
        ' at ', h('span', { class: 'mono', text: st.address }),
        st.level === 1 ? h('span', { class: 'dim', text: ` (satp → root ${space?.root} + ${st.index} × 4)` })
          : h('span', { class: 'dim', text: ` (table ${st.table} + ${st.index} × 4)` })),
      st.pte ? h('div', {}, 'PTE ', h('span', { class: 'mono', text: st.pte }), ' ', pteBits(st.pte),
        h('span', { class: 'dim', text: nextText(st) })) : h('div', { class: 'dim', text: 'no valid entry' })));
    const frame = r.pa && frameFacts(snapshot, frameOfPa(snapshot, r.pa));
    fill(result,
      h('p', {}, `pid ${w.pid} ${procName(snapshot, w.pid)} · virtual address `, h('strong', { class: 'mono', text: r.va }),
        w.decimal && w.decimal !== r.va && h('span', { class: 'dim', 'data-testid': 'walk-read-as',
          text: ` (read as hex; the decimal number ${parseInt(w.decimal, 16)} is ${w.decimal})` })),
      h('div', { class: 'vasplit', 'data-testid': 'walk-split' },
        field('VPN[1] (bits 31–22)', `${r.vpn1}`, bin(r.vpn1, 10), 'vpn1'),
        field('VPN[0] (bits 21–12)', `${r.vpn0}`, bin(r.vpn0, 10), 'vpn0'),
        field('offset (bits 11–0)', hex(r.offset).replace(/^0x0+(?=.{3}$)/, '0x'), bin(r.offset, 12), 'offset')),
      h('ol', { class: 'walk-steps' }, steps),
      r.fault
        ? h('p', { class: 'walk-fault', 'data-testid': 'walk-fault' }, h('strong', { text: 'The walk fails: ' }), r.fault)
        : h('p', { class: 'walk-pa', 'data-testid': 'walk-pa' }, h('strong', { text: '3. Physical address ' }),
          h('span', { class: 'mono', text: r.pa }),
          r.device ? `: no frame of RAM but a device, ${r.device}: loads and stores here reach its registers`
            : ` = frame ${hex(num(r.pa) & ~0xfff)} + offset ${hex(r.offset)}`,
          r.leaf?.cow && h('span', { class: 'walk-note', 'data-testid': 'walk-cow', text: cowNote(frame) }),
          frame && h('span', { class: 'dim', text: ` · ${frameSummary(frame)}` })),
      r.kernel && h('p', { class: 'walk-note', 'data-testid': 'walk-kernel', text: kernelHalfNote(r) }),
      r.pa && !r.kernel && watchButton(w));
  }

  // watch (docs/protocol.md): stop on the next write to the page, by the
  // process or by the kernel through its frame.
  function watchButton(w) {
    const page = hex(num(w.va) & ~0xfff);
    const watching = store.state.status?.watch;
    const same = watching?.pid === w.pid && watching.va === page;
    return h('p', {}, h('button', {
      'data-testid': 'walk-watch', disabled: same || store.state.role !== 'controller',
      text: same ? `Watching writes to page ${page}` : `Stop on the next write to page ${page}`,
      title: 'The daemon sets watchpoints on the page and on its frame; one watch at a time',
      onclick: async () => {
        const reply = await command('watch', { pid: w.pid, va: page });
        store.set({ message: reply.ok ? null : `watch: ${reply.error}` });
      },
    }));
  }

  // Before anything is picked: the running process at the address of the
  // last trap (stval), when that is a user address.
  function guess(snapshot, selection) {
    const running = snapshot.processes.find((p) => p.state === 'running');
    const stval = num(snapshot.cpu?.stval ?? 0);
    const pid = running?.pid ?? selection.a;
    if (pid == null || stval === 0 || stval >= machine.userTop) return null;
    return { pid, va: hex(stval) };
  }

  function nextText(st) {
    const leaf = (num(st.pte) & 0xe) !== 0;
    if (st.level === 1) return leaf ? ' → a 4 MiB superpage (R, W or X set: a leaf)' : ' → R, W, X clear: points to an L0 table';
    return ' → a leaf: the 4 KiB page';
  }

  // A page clicked in Address spaces is the address to walk.
  store.on(['page'], ({ page }) => page && store.set({ walk: { pid: page.pid, va: page.va } }));
  store.on(['snapshot', 'walk', 'status', 'role'], render);
  render(store.state);
}

// What a store to a COW page does, as the kernel's cow_fault decides it by
// the frame's refcount: a copy while others hold the frame, else the page
// made writable in place.
function cowNote(frame) {
  if (!frame) return ' · COW: a load reads this frame; a store faults into the kernel.';
  return frame.refcount > 1
    ? ` · COW: a load reads this frame; a store faults and the kernel copies it first (${frame.refcount} processes hold it).`
    : ' · COW: a load reads this frame; a store faults and the kernel makes the page writable in place (no one else holds the frame).';
}
