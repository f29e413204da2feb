// Keyboard shortcuts: views register them here, the help overlay lists them.
// They act when focus is not in a text field or the terminal (Escape leaves it).

const shortcuts = [];

// {key, label, run, enabled?, listed?} — key as KeyboardEvent.key ('r', 'R',
// '1', '?'); listed() false: the help leaves it out for now.
export function addShortcut(shortcut) {
  shortcuts.push(shortcut);
}

// A key as it is pressed: 'S' is Shift+S (e.key is upper case only with Shift).
export const keyLabel = (key) => (/^[A-Z]$/.test(key) ? `Shift+${key}` : key);

export function listShortcuts() {
  return shortcuts.filter((s) => !s.listed || s.listed());
}

function typing(target) {
  return target.closest?.('input, select, textarea, [contenteditable], .xterm');
}

document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
  const shortcut = shortcuts.find((s) => s.key === e.key);
  if (!shortcut || (shortcut.enabled && !shortcut.enabled())) return;
  e.preventDefault();
  shortcut.run();
});
