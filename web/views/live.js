// Live refresh while the guest runs: when the state shown was read ("as of",
// a tick that moves with each sample), and how often the daemon samples a
// running guest (the controller picks off, 1, 4 or 10 a second; the daemon's
// status says the rate, the most it allows and where samples come from).

import { h, fill } from '../lib/dom.js';

const RATES = [0, 1, 4, 10];

// 14:03:27.4, the browser's local time to a tenth of a second.
function clock(ms) {
  const d = new Date(ms);
  const two = (n) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${Math.floor(d.getMilliseconds() / 100)}`;
}

export function mountLive(el, { store, command }) {
  const asOf = h('span', { class: 'as-of mono', 'data-testid': 'as-of', title: 'When the state shown was read from the guest' });
  const rate = h('select', { 'data-testid': 'sample-rate', 'aria-label': 'refresh while running' });
  rate.addEventListener('change', async () => {
    const reply = await command('sample', { hz: Number(rate.value) });
    if (!reply.ok) store.set({ message: `sample: ${reply.error}` });
  });
  fill(el, asOf, rate);

  // "live" only while samples come: not once QEMU is dead or sampling is
  // off, when the last sample stays on screen and its time says how old it is.
  store.on(['snapshot', 'status'], ({ snapshot, status }) => {
    const live = snapshot?.sample && status?.qemu === 'running' && status.guest === 'running' && status.sampling?.hz > 0;
    asOf.textContent = snapshot?.as_of ? `as of ${clock(snapshot.as_of)}${live ? ' · live' : ''}` : '';
    asOf.dataset.sample = live ? 'yes' : 'no';
  });
  store.on(['status', 'role', 'connection'], ({ status, role, connection }) => {
    const s = status?.sampling;
    rate.disabled = role !== 'controller' || connection !== 'open' || !s;
    if (!s) return;
    const rates = RATES.includes(s.hz) ? RATES : [...RATES, s.hz].sort((a, b) => a - b);
    fill(rate, rates.map((hz) => h('option', {
      value: hz, text: hz ? `live ${hz}/s` : 'live off', disabled: hz > s.max_hz,
    })));
    rate.value = String(s.hz);
    rate.title = s.from === 'shared memory'
      ? 'Refresh the views while the guest runs, read from its memory without stopping it'
      : `This QEMU was started by hand: each refresh stops the guest for a moment (at most ${s.max_hz} a second)`;
  });
}
