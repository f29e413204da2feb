// web/lib/cmdline.js: the program of each command line typed, as the
// console's line editor will read it, ↑ and ↓ recalls included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandLine } from '../../web/lib/cmdline.js';

function programs(...keys) {
  const seen = [];
  const typed = commandLine((p) => seen.push(p));
  for (const k of keys) typed.feed(k);
  return seen;
}

test('a line typed, edited with backspace, Ctrl-U and Ctrl-W', () => {
  assert.deepEqual(programs('cowtest\r'), ['cowtest']);
  assert.deepEqual(programs('ls\x7f\x7fcat x\r'), ['cat']);
  assert.deepEqual(programs('echo a\x15/bin/cowtest\r'), ['cowtest']);
  assert.deepEqual(programs('echo a\x17\x17pingpong 1\r'), ['pingpong']);
});

test('↑ and ↓ recall the lines entered, as the console does', () => {
  assert.deepEqual(programs('cowtest\r', 'echo hi\r', '\x1b[A\r'), ['cowtest', 'echo', 'echo']);
  assert.deepEqual(programs('cowtest\r', 'echo hi\r', '\x1b[A\x1b[A\r'), ['cowtest', 'echo', 'cowtest']);
  assert.deepEqual(programs('cowtest\r', 'echo hi\r', '\x1b[A\x1b[A\x1b[B\r'), ['cowtest', 'echo', 'echo']);
  assert.deepEqual(programs('cowtest\r', 'ls', '\x1b[A\x1b[B\r'), ['cowtest', 'ls'], '↓ back to the line being typed');
  assert.deepEqual(programs('cowtest\r', '\x1bOA &\r'), ['cowtest', 'cowtest'], 'application mode, and typed after the recall');
});

test('keys it cannot follow make the program unknown', () => {
  assert.deepEqual(programs('cowtest\r', '\x1b[A\x1b[A\r'), ['cowtest', null], 'a recall past the lines this page entered');
  assert.deepEqual(programs('cowtest\x1b[Dx\r'), [null], 'the cursor moved');
  assert.deepEqual(programs('cowtest\x1b[D\r', 'ls\r'), [null, 'ls'], 'known again on the next line');
});
