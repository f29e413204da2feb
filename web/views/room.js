// Made for the room: a zoom that scales the whole page (the terminal and the
// canvases too: they read their sizes from the CSS), Ctrl +/− and Ctrl 0, and
// a projector setting (no text under 16 px). Both are remembered in this
// browser. And the arrangement: the console is 80 columns wide; beside the
// views where the window leaves them room, else above them.

import { h, fill, cssPx } from '../lib/dom.js';

const ZOOMS = [0.8, 0.9, 1, 1.1, 1.25, 1.4, 1.6, 1.8, 2];
const VIEWS_MIN_REM = 40; // the tabbed views' width, at the least, beside the console
const SAVED = 'glassbox.room';
// Ctrl (or ⌘) with a key: the zoom a step larger (1), smaller (−1), or 100 % (0).
const ZOOM_BY = { '+': 1, '=': 1, '-': -1, _: -1, 0: 0 };
export const ZOOM_KEYS = [
  { keys: 'Ctrl +', label: 'Larger text (the page\'s zoom, also in the terminal)' },
  { keys: 'Ctrl −', label: 'Smaller text' },
  { keys: 'Ctrl 0', label: 'Text at 100 %' },
];

// In projector mode the smallest text is 16 px times the zoom (--min-text,
// style.css): below 100 % some text would be under 16 px.
const lowestZoom = (room) => (room.projector ? 1 : ZOOMS[0]);
// And the page is drawn as in a 1280 × 720 window, scaled to the window:
// a projector of 1920 × 1080 shows the room the page half as large again,
// not more of it in text of the same size.
const PROJECTED = { width: 1280, height: 720 };
const windowScale = (room) => (room.projector
  ? Math.max(1, Math.min(innerWidth / PROJECTED.width, innerHeight / PROJECTED.height)) : 1);
const withinReach = (room) => ({ ...room, zoom: Math.max(room.zoom, lowestZoom(room)) });

export function initialRoom(params) {
  let saved = {};
  try {
    saved = JSON.parse(localStorage.getItem(SAVED)) ?? {};
  } catch { /* nothing saved, or not readable: the defaults */ }
  const zoom = ZOOMS.includes(saved.zoom) ? saved.zoom : 1;
  const projector = params.has('projector') ? params.get('projector') !== '0' : saved.projector === true;
  return withinReach({ zoom, projector });
}

export function mountRoom(el, { store }) {
  const label = h('span', { class: 'zoom-level', 'data-testid': 'zoom-level', 'aria-live': 'polite' });
  const step = (by) => {
    const { room } = store.state;
    const i = ZOOMS.indexOf(room.zoom);
    const zoom = ZOOMS[Math.min(ZOOMS.length - 1, Math.max(ZOOMS.indexOf(lowestZoom(room)), i + by))];
    store.set({ room: { ...room, zoom } });
  };
  const smaller = h('button', { class: 'small', text: 'A−', 'data-testid': 'zoom-out', title: 'Smaller (Ctrl −)', 'aria-label': 'zoom out', onclick: () => step(-1) });
  const larger = h('button', { class: 'small', text: 'A+', 'data-testid': 'zoom-in', title: 'Larger (Ctrl +)', 'aria-label': 'zoom in', onclick: () => step(1) });
  const projector = h('button', {
    class: 'small', text: 'Projector', 'data-testid': 'projector',
    title: 'Projector: no text under 16 px, an 80-column console above the views, the page scaled up in windows larger than 1280 × 720',
    onclick: () => store.set({ room: withinReach({ ...store.state.room, projector: !store.state.room.projector }) }),
  });
  fill(el, h('span', { class: 'group', role: 'group', 'aria-label': 'text size' }, smaller, label, larger), projector);

  // Ctrl +/−/0 zoom the page, not the browser (even from inside the terminal).
  window.addEventListener('keydown', (e) => {
    if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
    const by = ZOOM_BY[e.key];
    if (by === undefined) return;
    e.preventDefault();
    e.stopPropagation();
    if (by === 0) store.set({ room: { ...store.state.room, zoom: 1 } });
    else step(by);
  }, true);

  const apply = (room) => {
    const root = document.documentElement;
    const scale = windowScale(room);
    root.style.setProperty('--zoom', String(room.zoom * scale));
    root.classList.toggle('projector', room.projector);
    root.classList.toggle('zoomed', room.zoom > 1); // (the window's scale leaves the layout as at 1280)
    label.textContent = `${Math.round(room.zoom * scale * 100)}%`;
    label.title = scale > 1 ? `${Math.round(room.zoom * 100)} %, scaled ×${scale.toFixed(2)} to the window (Projector)` : '';
    smaller.disabled = room.zoom <= lowestZoom(room);
    larger.disabled = room.zoom === ZOOMS.at(-1);
    projector.setAttribute('aria-pressed', String(room.projector));
    try {
      localStorage.setItem(SAVED, JSON.stringify(room));
    } catch { /* private mode: not remembered */ }
    arrange();
  };
  store.on(['room'], ({ room }) => apply(room));
  window.addEventListener('resize', () => apply(store.state.room));
  store.set({ room: store.state.room });
}

// The console and the processes beside the views (:root.side) when the
// console's 80 columns and VIEWS_MIN_REM of views fit across the window.
// Else the console is on top, with the processes beside it where their table
// fits there (--procs-width, style.css), or (:root.narrow: a large zoom)
// beside the views below it. The console's panel is as wide in every
// arrangement (the terminal's width is 80ch of its own font), so the choice
// does not feed back on itself.
function arrange() {
  const root = document.documentElement;
  const layout = document.querySelector('.layout');
  const consolePanel = document.querySelector('.terminal-panel');
  if (!layout || !consolePanel) return;
  const style = getComputedStyle(layout);
  const rem = parseFloat(getComputedStyle(root).fontSize);
  const inner = layout.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const needed = consolePanel.offsetWidth + parseFloat(style.columnGap) + VIEWS_MIN_REM * rem;
  const side = inner >= needed;
  root.classList.toggle('side', side);
  root.classList.toggle('narrow', !side && inner < consolePanel.offsetWidth + parseFloat(style.columnGap) + cssPx('--procs-width'));
}
