"""Boot, console and shell: what a person does first at the Glassbox prompt."""

import os
import random
import re
import time

from glassbox import BOOT_TIMEOUT, PROMPT_RE, image_file, test

ANY_PROMPT = re.compile(r"\$ ")   # a prompt, even right after "^C" on the same line


def words(text):
    """Whitespace-separated words of text, with any directory prefix dropped."""
    return {os.path.basename(w) for w in text.split()}


def no_process_named(g, name):
    out = g.run("ps")
    g.check(name not in words(out), f"`{name}` is still in the process list (see `ps` below)")


@test(boot=False)
def boot_banner(g):
    """The banner names Glassbox, the RAM size and the free frames; then the shell prompt."""
    g.boot(BOOT_TIMEOUT)
    lines = [ln for ln in g.boot_text.splitlines() if "Glassbox" in ln]
    g.check(lines, "no boot line contains 'Glassbox'")
    ram = re.compile(r"\b128\s*(MiB|MB|M)\b|\b131072\s*(KiB|KB|K)\b|\b134217728\b", re.I)
    free = re.compile(r"\bfree\b", re.I)
    number = re.compile(r"\d{3,}")
    good = [ln for ln in lines if ram.search(ln) and free.search(ln)
            and len(number.findall(ln)) >= 2]
    g.check(good, "the 'Glassbox' banner line does not give the RAM size (128 MiB) and the "
            f"number of free frames: {lines!r}")


@test()
def echo_hello(g):
    out = g.run("echo hello world")
    g.check("hello world" in [ln.strip() for ln in out.splitlines()],
            f"`echo hello world` printed {out!r}")


@test()
def ls_bin(g):
    out = g.run("ls /bin")
    have = words(out)
    missing = [p for p in ("init", "sh", "echo", "cat", "ls", "ps", "usertests") if p not in have]
    g.check(not missing, f"`ls /bin` does not list {', '.join(missing)}")


@test()
def cat_readme(g):
    want = image_file("/README")
    if want is None:
        out = g.run("cat /README")
        g.check(out.strip() and "No such" not in out and "rror" not in out,
                f"`cat /README` printed {out!r}")
        return
    want = want.replace("\r", "")
    g.check(want.strip(), "/README in build/fs.img is empty")
    g.expect_nothing_pending()
    g.send("cat /README\n")
    g.expect("cat /README\n", 5)
    g.expect(want, 30, what="the contents of /README (as debugfs reads them from build/fs.img)")
    g.expect(ANY_PROMPT, 10, what="the prompt after `cat /README`")


@test()
def ps_lists_init_and_sh(g):
    out = g.run("ps")
    have = words(out)
    g.check("init" in have and "sh" in have, "`ps` does not show both init and sh")


@test()
def command_not_found(g):
    out = g.run("nosuchcommand")
    g.check("command not found" in out, f"`nosuchcommand` printed {out!r}")
    out = g.run("echo still here")
    g.check("still here" in out, "the shell does not work after an unknown command")


@test()
def exit_restarts_shell(g):
    g.expect_nothing_pending()
    g.send("exit\n")
    g.expect(PROMPT_RE, 10, what="a new prompt from the shell init restarts")
    out = g.run("echo back again")
    g.check("back again" in out, f"the restarted shell printed {out!r}")


@test()
def line_edit_backspace(g):
    # DEL (what terminals send for Backspace) and ^H both erase one character.
    out = g.run("echo helpp\x7f\x7flo woX\x08rld")
    g.check("hello world" in [ln.strip() for ln in out.splitlines()],
            f"backspace editing: `echo hello world` expected, got {out!r}")


@test()
def line_edit_ctrl_u(g):
    out = g.run("garbage words\x15echo fine")
    g.check("command not found" not in out and "fine" in [ln.strip() for ln in out.splitlines()],
            f"^U did not erase the line: got {out!r}")


def start_cat(g):
    """Start `cat` reading the console and check that it echoes a line back."""
    g.expect_nothing_pending()
    g.send("cat\n")
    g.expect("cat\n", 5)
    g.send("ping\n")
    g.expect(re.compile(r"ping\n(?:[\s\S]*\n)?ping\n"), 10, what="cat copying 'ping' back")


@test()
def ctrl_c_kills_cat(g):
    start_cat(g)
    g.send("\x03")
    g.expect(ANY_PROMPT, 10, what="the prompt after ^C killed cat")
    no_process_named(g, "cat")
    out = g.run("echo after")
    g.check("after" in out, "the shell does not work after ^C")


@test()
def ctrl_d_ends_cat(g):
    start_cat(g)
    g.send("\x04")
    g.expect(ANY_PROMPT, 10, what="the prompt after ^D ended cat")
    no_process_named(g, "cat")


@test()
def ctrl_p_process_list(g):
    g.expect_nothing_pending()
    g.send("\x10")
    g.expect(re.compile(r"\binit\b[\s\S]*\bsh\b|\bsh\b[\s\S]*\binit\b"), 5,
             what="a process list (init and sh) after ^P")
    out = g.run("echo ok")
    g.check("ok" in out, "the shell does not work after ^P")


# ---- line editing: cursor, history, ^W (kernel/console_line.c) ----------------
# Keys as a terminal (xterm, the workbench's terminal) sends them.
UP, DOWN, RIGHT, LEFT = "\x1b[A", "\x1b[B", "\x1b[C", "\x1b[D"
HOME, END, DELETE = "\x1b[H", "\x1b[F", "\x1b[3~"
CTRL_W, CTRL_U, BACKSPACE = "\x17", "\x15", "\x7f"


def printed_lines(out):
    return [ln.strip() for ln in out.splitlines()]


@test()
def line_edit_history_up(g):
    """↑ recalls the last command, ↑ ↑ the one before, ↓ goes back down."""
    g.run("echo first")
    g.run("echo second")
    out = g.run(UP)
    g.check("second" in printed_lines(out), f"↑ did not run `echo second` again: got {out!r}")
    out = g.run(UP + UP + DOWN)   # history: first, second (a repeat is not kept)
    g.check("second" in printed_lines(out), f"↑ ↑ ↓ did not give `echo second`: got {out!r}")
    out = g.run(UP + UP + UP)     # stops at the oldest
    g.check("first" in printed_lines(out), f"↑ ↑ ↑ did not reach `echo first`: got {out!r}")
    out = g.run("echo draft" + UP + DOWN)
    g.check("draft" in printed_lines(out), f"↓ did not bring back the line being typed: {out!r}")


@test()
def line_edit_cursor_insert(g):
    """← moves into the line, typing inserts there, → and End go back to its end;
    Home and ^A reach the start; Delete erases under the cursor."""
    out = g.run("echo wrld" + LEFT * 3 + "o" + RIGHT * 3 + "!")
    g.check("world!" in printed_lines(out), f"←-insert-→: `echo world!` expected, got {out!r}")
    out = g.run("cho hi" + HOME + "e" + END + "!")
    g.check("hi!" in printed_lines(out), f"Home/End: `echo hi!` expected, got {out!r}")
    out = g.run("echo abXc" + LEFT * 2 + DELETE)
    g.check("abc" in printed_lines(out), f"Delete: `echo abc` expected, got {out!r}")
    out = g.run("echo b" + "\x01" + "x" + "\x05" + "y")   # ^A / ^E
    g.check("xecho" in out and "command not found" in out,
            f"^A/^E: `xecho by` (not found) expected, got {out!r}")


@test()
def line_edit_ctrl_w(g):
    """^W erases the word before the cursor (and the spaces after it)."""
    out = g.run("echo keep garbage  " + CTRL_W + "words")
    g.check("keep words" in printed_lines(out), f"^W: `echo keep words` expected, got {out!r}")
    out = g.run("echo one two" + LEFT * 3 + CTRL_W + "2")
    g.check("2two" in printed_lines(out), f"^W inside a line: `echo 2two` expected, got {out!r}")


@test()
def line_edit_escape_robust(g):
    """Sequences split across writes, unknown ones, application-mode arrows, a
    lone ESC, and one cut short by another control key leave the line intact."""
    g.expect_nothing_pending()
    start = g.mark()
    for piece in ("echo ac", "\x1b", "[", "D", "b"):   # ← in three separate writes
        g.send(piece)
        time.sleep(0.15)
    g.send("\n")
    g.expect(PROMPT_RE, 10, what="the prompt after a split ←")
    out = g.output_since(start)
    g.check("abc" in printed_lines(out), f"split ESC [ D: `echo abc` expected, got {out!r}")
    out = g.run("echo ab\x1b[99;7Xcd\x1b[200~ef")       # unknown sequences are dropped whole
    g.check("abcdef" in printed_lines(out), f"unknown CSI: `echo abcdef` expected, got {out!r}")
    out = g.run("echo xz\x1bOD" + "y")                   # ← in application mode (ESC O D)
    g.check("xyz" in printed_lines(out), f"ESC O D: `echo xyz` expected, got {out!r}")
    out = g.run("echo lone\x1b")                         # a lone ESC, then Enter
    g.check("lone" in printed_lines(out), f"lone ESC: `echo lone` expected, got {out!r}")
    out = g.run("echo cut\x1b[\x7f\x7fs")                # ESC [ cut short by Backspace
    g.check("cs" in printed_lines(out), f"ESC [ then Backspace: `echo cs` expected, got {out!r}")
    out = g.run("echo ctl" + CTRL_W + "\x07\x0b\x0e" + "ok")   # other control keys do nothing
    g.check("ok" in printed_lines(out), f"control keys inserted something: got {out!r}")


@test()
def line_edit_long_line(g):
    """A line longer than a screen line can be edited; past 510 characters
    (what sh reads) more are dropped, and the line still runs."""
    out = g.run("echo " + "x" * 300 + LEFT * 150 + "y")
    want = "x" * 150 + "y" + "x" * 150
    g.check(want in printed_lines(out), f"a 300-character line edited in the middle: got {out!r}")
    out = g.run("echo " + "z" * 600)
    g.check("z" * 505 in printed_lines(out),
            f"a 605-character line: `echo` and 505 z's (510 in all) expected, got {out!r}")


class LineModel:
    """What the line editor should do, key by key (a model of console_line.c)."""

    def __init__(self, history):
        self.history = list(history)
        self.line, self.cur = "", 0
        self.shown, self.draft = len(self.history), ""

    def key(self, k):
        line, cur = self.line, self.cur
        if k in (LEFT, "\x02"):
            cur = max(cur - 1, 0)
        elif k in (RIGHT, "\x06"):
            cur = min(cur + 1, len(line))
        elif k in (HOME, "\x01"):
            cur = 0
        elif k in (END, "\x05"):
            cur = len(line)
        elif k == BACKSPACE and cur > 0:
            line, cur = line[:cur - 1] + line[cur:], cur - 1
        elif k == DELETE:
            line = line[:cur] + line[cur + 1:]
        elif k == CTRL_U:
            line, cur = line[cur:], 0
        elif k == CTRL_W:
            i = cur
            while i > 0 and line[i - 1] == " ":
                i -= 1
            while i > 0 and line[i - 1] != " ":
                i -= 1
            line, cur = line[:i] + line[cur:], i
        elif k in (UP, DOWN):
            oldest = max(len(self.history) - 16, 0)
            to = self.shown - 1 if k == UP else self.shown + 1
            if oldest <= to <= len(self.history):
                if self.shown == len(self.history):
                    self.draft = line
                self.shown = to
                line = self.history[to] if to < len(self.history) else self.draft
                cur = len(line)
        elif len(k) == 1 and k >= " " and k != BACKSPACE:
            line, cur = line[:cur] + k + line[cur:], cur + 1
        self.line, self.cur = line, cur

    def enter(self):
        if self.line and (not self.history or self.history[-1] != self.line):
            self.history.append(self.line)
        done = self.line
        self.line, self.cur, self.shown = "", 0, len(self.history)
        return done


@test(timeout=120)
def line_edit_random(g):
    """Random editing (fixed seed) typed into `cat`: each line cat copies back is
    the line the model of the editor says. Keys are written in pieces of
    random size, so sequences arrive split."""
    rng = random.Random(1309)
    keys = [LEFT, RIGHT, HOME, END, BACKSPACE, DELETE, CTRL_W, CTRL_U, UP, DOWN,
            "\x01", "\x02", "\x05", "\x06", " ", " "] + list("abcxyz")
    start_cat(g)
    model = LineModel(["cat", "ping"])
    for n in range(40):
        typed = "".join(rng.choice(keys) for _ in range(rng.randint(1, 14)))
        for k in re.findall(r"\x1b\[3~|\x1b\[[A-H]|[\s\S]", typed):
            model.key(k)
        want = model.enter()
        g.expect_nothing_pending()
        data = (typed + "\n").encode()
        i = 0
        while i < len(data):
            step = rng.randint(1, 5)
            g.send(data[i:i + step], chunk=step)
            time.sleep(0.002)
            i += step
        g.expect(re.compile(r"\n" + re.escape(want) + r"\n"), 10,
                 what=f"cat copying back {want!r} (line {n}, typed {typed!r})")
    g.send("\x04")
    g.expect(ANY_PROMPT, 10, what="the prompt after ^D ended cat")


@test()
def ctrl_p_columns_aligned(g):
    """^P prints a table whose columns line up under its header."""
    g.run("sleep 100 &")
    for attempt in range(20):            # until the background child has exec'd sleep
        g.expect_nothing_pending()
        start = g.mark()
        g.send("\x10")
        g.expect(re.compile(r"\bsh\n"), 5, what="the ^P list")
        time.sleep(0.05)
        text = g.output_since(start)
        if re.search(r"\bsleep\n", text):
            break
    g.check(re.search(r"\bsleep\n", text), f"no sleep process in the ^P list: {text!r}")
    rows = [ln for ln in text.splitlines() if ln.strip()]
    header = next((i for i, ln in enumerate(rows) if ln.split()[0] == "PID"), None)
    g.check(header is not None, f"no header line in the ^P list: {text!r}")
    table = rows[header:]
    g.check("\t" not in text, f"^P aligns with tabs (their width depends on the terminal): {text!r}")
    # PID, PPID and SIZE are right-aligned, STATE and NAME left-aligned.
    spans = [m.span() for m in re.finditer(r"\S+", table[0])]
    g.check([table[0][a:b] for a, b in spans] == ["PID", "PPID", "STATE", "SIZE", "NAME"],
            f"^P header: {table[0]!r}")
    for row in table[1:]:
        got = [m.span() for m in re.finditer(r"\S+", row)]
        g.check(len(got) == 5, f"^P row without its five columns: {row!r}")
        aligned = [got[i][1] == spans[i][1] for i in (0, 1, 3)] + \
                  [got[i][0] == spans[i][0] for i in (2, 4)]
        g.check(all(aligned), f"^P row not aligned with its header:\n{table[0]}\n{row}")
