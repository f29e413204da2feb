// The command lines typed at the console, as the shell will see them: the
// keys sent go into a line (backspace, Ctrl-U and Ctrl-W edit it), and at
// Enter the line's program (its first word, without a directory) is reported.
// A line edited with keys this cannot follow (arrows, history) reports null:
// the program is then not known.

const BACKSPACE = ['\x7f', '\b'];

export function commandLine(onProgram) {
  let line = '';
  let known = true;
  function enter() {
    const word = line.trim().split(/\s+/)[0] ?? '';
    if (word) onProgram(known ? word.split('/').at(-1) : null);
    line = '';
    known = true;
  }
  return {
    feed(data) {
      for (let i = 0; i < data.length; i++) {
        const c = data[i];
        if (c === '\r' || c === '\n') enter();
        else if (BACKSPACE.includes(c)) line = line.slice(0, -1);
        else if (c === '\x15') line = ''; // Ctrl-U
        else if (c === '\x17') line = line.replace(/\S*\s*$/, ''); // Ctrl-W
        else if (c === '\x1b') known = false; // an escape sequence: arrows, history
        else if (c >= ' ') line += c;
      }
    },
  };
}
