// The command lines typed at the console, as the shell will see them: the
// keys sent go into a line (backspace, Ctrl-U and Ctrl-W edit it, ↑ and ↓
// recall the lines entered before, as the console's line editor does:
// kernel/console_line.c), and at Enter the line's program (its first word,
// without a directory) is reported. A line edited with keys this cannot
// follow (the cursor moved, a recall past the lines this page entered)
// reports null: the program is then not known.

const BACKSPACE = ['\x7f', '\b'];
const UP = /^\x1b[[O]A/;
const DOWN = /^\x1b[[O]B/;

export function commandLine(onProgram) {
  const entered = []; // the lines entered, oldest first
  let line = '';
  let known = true;
  let back = 0; // how many lines back ↑ went (0: the line being typed)
  let draft = ''; // the line being typed, while an older one is shown
  function enter() {
    const word = line.trim().split(/\s+/)[0] ?? '';
    if (word || !known) onProgram(known ? word.split('/').at(-1) : null);
    if (known && line.trim()) entered.push(line);
    line = '';
    known = true;
    back = 0;
  }
  // ↑ (-1 … older) or ↓ (+1): the line recalled, or not known past ours.
  function recall(step) {
    if (back === 0) draft = line;
    back = Math.max(0, back - step);
    if (back > entered.length) known = false;
    line = back === 0 ? draft : entered[entered.length - back] ?? '';
  }
  return {
    feed(data) {
      for (let i = 0; i < data.length; i++) {
        const c = data[i];
        const rest = data.slice(i, i + 3);
        if (c === '\r' || c === '\n') enter();
        else if (UP.test(rest) || DOWN.test(rest)) {
          recall(UP.test(rest) ? -1 : 1);
          i += 2;
        } else if (BACKSPACE.includes(c)) line = line.slice(0, -1);
        else if (c === '\x15') line = ''; // Ctrl-U
        else if (c === '\x17') line = line.replace(/\S*\s*$/, ''); // Ctrl-W
        else if (c === '\x1b') known = false; // another escape sequence: the cursor moved
        else if (c >= ' ') line += c;
      }
    },
  };
}
