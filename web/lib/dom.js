// Building DOM nodes without innerHTML: h('td', {class: 'x', onclick: f}, child, ...).
// Props: class, text, dataset (an object of data-* values), on<event> handlers;
// anything else becomes an attribute (true -> present, null/false -> absent).

export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : value);
  }
  el.append(...children.flat(Infinity).filter((c) => c != null && c !== false));
  return el;
}

// Replace all of el's children.
export function fill(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c != null && c !== false));
  return el;
}

// A select's options, [{value, text, title?}], written only when they differ
// from those it has (a menu of 64 processes built anew at each stop is work,
// and a menu that changes is laid out again). Keeps the value chosen when it
// is still there.
const optionsShown = new WeakMap();
export function setOptions(select, options) {
  const key = JSON.stringify(options);
  if (optionsShown.get(select) === key) return;
  optionsShown.set(select, key);
  const value = select.value;
  fill(select, options.map((o) => h('option', o)));
  if (options.some((o) => String(o.value) === value)) select.value = value;
}

// Read a CSS custom property of the page (so canvases use the palette in style.css).
export function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

// A length custom property in px, resolved: cssVar gives a calc() of other
// properties as written ("calc(16px * var(--zoom))"), which no parseFloat reads.
export function cssPx(name) {
  const probe = document.createElement('div');
  probe.style.cssText = `position: absolute; visibility: hidden; width: var(${name})`;
  document.body.append(probe);
  const px = probe.getBoundingClientRect().width;
  probe.remove();
  return px;
}

// Scroll el into view in its scrolling ancestor scroll, a third down it,
// if it is not in view there (a stop's fault page, the process a stop is
// about).
export function keepInView(scroll, el) {
  if (!scroll?.isConnected || !el) return;
  const box = scroll.getBoundingClientRect();
  const at = el.getBoundingClientRect();
  if (at.top < box.top || at.bottom > box.bottom) scroll.scrollTop += at.top - box.top - box.height / 3;
}

// A function that runs fn once before the next frame is drawn, however often
// it is called until then (for drawing that reads the layout: then it costs
// no layout of its own).
export function beforeNextFrame(fn) {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      fn();
    });
  };
}
