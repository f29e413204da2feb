// The history strip (issue 12): the stops of this session, as the daemon keeps
// them (docs/protocol.md, "History of stops"). Clicking one shows the page as
// it was at that stop, read-only, with the console's last lines of then
// (shift+click another: what changed between the two is marked); "Back to live", or the guest's next stop,
// shows the present again. Reading the history never moves the guest, so a
// viewer may look back on its own.

import { h, fill } from '../lib/dom.js';

const SHOWN = 40; // the newest stops listed
const CONSOLE_LINES = 12; // of the console as it was, under a past stop

function label(stop) {
  const why = stop.detail && stop.reason !== 'start' ? `${stop.reason}: ${stop.detail}` : stop.reason;
  return `#${stop.seq} ${why}${stop.pid ? ` · pid ${stop.pid}` : ''}`;
}

// showPast(stop, snapshot) and backToLive() are app.js's: they swap what
// every view draws from.
export function mountHistory(el, { store, command, showPast, backToLive }) {
  let open = false;
  let stops = [];
  let note = '';
  let consoleThen = ''; // the console up to the stop shown

  async function refresh() {
    const r = await command('history');
    stops = r.ok ? r.stops : [];
    note = r.ok ? (r.dropped ? `${r.dropped} older stops dropped` : '') : r.error;
    render();
  }

  // Shift+click: compare with the stop shown (its changes since it marked).
  async function pick(stop, compare) {
    const shown = store.state.replay?.historyStop ? store.state.snapshot : null;
    const r = await command('history_get', { seq: stop.seq });
    if (!r.ok) {
      note = r.error;
      return render();
    }
    consoleThen = r.console.split('\n').slice(-CONSOLE_LINES).join('\n');
    showPast(stop, r.snapshot, compare ? shown : null);
  }

  function render() {
    const past = store.state.replay?.historyStop ?? null;
    const since = store.state.replay?.since ?? null;
    el.classList.toggle('open', open || past !== null);
    const toggle = h('button', {
      class: 'small', 'data-testid': 'history-toggle', 'aria-expanded': String(open),
      text: open ? 'History ▾' : 'History ▸', title: 'The stops of this session',
      onclick: () => { open = !open; if (open) refresh(); else render(); },
    });
    const chips = open && h('span', { class: 'history-stops', 'data-testid': 'history-stops' },
      stops.slice(-SHOWN).map((stop) => h('button', {
        class: `chip history-stop${stop.seq === past?.seq ? ' shown' : ''}`, text: label(stop),
        dataset: { seq: String(stop.seq) },
        title: `${new Date(stop.time_ms).toLocaleTimeString()} · shift+click: what changed since the stop shown`,
        onclick: (e) => pick(stop, e.shiftKey),
      })));
    fill(el, toggle, chips,
      past && h('span', { class: 'history-note', 'data-testid': 'history-note', role: 'status' },
        `Stop #${past.seq} as it was (read-only)`,
        h('span', { 'data-testid': 'history-since', text: since !== null ? `, changes since #${since} marked` : '' }),
        '; the guest has not moved. ',
        h('button', { class: 'small', 'data-testid': 'history-live', text: '● Back to live', onclick: backToLive })),
      past && h('details', { class: 'history-console' },
        h('summary', { text: 'Console then' }),
        h('pre', { class: 'mono', 'data-testid': 'history-console', text: consoleThen })),
      note && h('span', { class: 'dim', text: note }));
    // In view: the stop shown, else the newest.
    if (chips) chips.scrollTop = chips.querySelector('.shown')?.offsetTop ?? chips.scrollHeight;
  }

  // A new stop adds to the list; leaving or entering the past redraws.
  store.on(['snapshot'], () => { if (open) refresh(); });
  store.on(['replay'], render);
  render();
}
