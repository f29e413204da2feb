"""Boot, console and shell: what a person does first at the Glassbox prompt."""

import os
import re

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
