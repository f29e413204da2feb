"""The fs lab's checks (labs/grade.py runs them; labs/fs/README.md says what
each means). /grade/symcheck (labs/fs/grading/symcheck.c) makes the links in
the guest; the disk is then read from the host with e2fsck -fn and debugfs,
which must agree with the kernel on what each link is."""

import re
import shutil
from pathlib import Path

import checklib
from checklib import Check, usertests

ROOT = Path(__file__).resolve().parents[2]
ERRNO = dict((name, -int(n)) for name, n in re.findall(
    r"^\s*(E[A-Z0-9]+) = (\d+),", (ROOT / "kernel" / "errno.h").read_text(), re.M))
MAXSYMLINKS = int(re.search(r"#define MAXSYMLINKS (\d+)",
                            (ROOT / "kernel" / "param.h").read_text()).group(1))
LONG = "/dfs/" + "z" * 95          # a slow link's target (debugfs's links)


def debugfs(image, request, write=False):
    return checklib.debugfs(image, request, write).decode(errors="replace")


def symcheck(ctx, mode):
    """Boot, run symcheck MODE: (its results {what: text}, the guest, or
    the reason it failed)."""
    g = ctx.boot()
    out = g.run(f"/grade/symcheck {mode}", timeout=ctx.left())
    if "symcheck: done" not in out:
        return None, g, f"symcheck {mode} did not finish: " + out.strip()[-300:]
    made = re.findall(r"symcheck: ((?:symlink|unlink) \S+ = error -?\d+)", out)
    if made:
        return None, g, "; ".join(made)
    return dict(re.findall(r"symcheck: (.+?) = (.*)", out)), g, None


def error(name):
    return f"error {ERRNO[name]}"


def expect(mode, want, disk=None):
    """A check's run: symcheck MODE's results must include want; then
    disk(guest), if given, checks the disk it left (None: fine)."""
    def run(ctx):
        got, g, why = symcheck(ctx, mode)
        if why:
            return why
        wrong = [f"{what}: {got.get(what, 'nothing')!r}, expected {text!r}"
                 for what, text in want.items() if got.get(what) != text]
        if wrong:
            return f"symcheck {mode}: " + "; ".join(wrong)
        return disk(g) if disk else None
    return run


def clean(g):
    rc, out = g.fsck()
    if rc:
        said = [ln for ln in out.splitlines() if not ln.startswith(("Pass ", "e2fsck "))]
        return f"e2fsck -fn exits {rc} on the disk:\n" + "\n".join(said[:8])
    return None


def stored(links):
    """A disk check: clean, and each link {path: (target, fast)} is stored
    as ext2 stores it (debugfs: "Fast link dest" for a fast one, the target
    as the data of a slow one)."""
    def disk(g):
        why = clean(g)
        if why:
            return why
        for path, (target, fast) in links.items():
            stat = debugfs(g.image, f"stat {path}")
            if "Type: symlink" not in stat:
                return f"debugfs says {path} is not a symbolic link:\n{stat[:300]}"
            m = re.search(r'Fast link dest: "(.*)"', stat)
            if fast and (m is None or m.group(1) != target):
                return (f"{path}: a {len(target)}-byte target must be a fast symlink (in "
                        f"i_block); debugfs reads {m.group(1) if m else 'no fast link'!r}")
            if not fast and m:
                return (f"{path}: a {len(target)}-byte target does not fit in i_block's 60 "
                        "bytes with its NUL: it must be a slow symlink (a data block)")
            if not fast and debugfs(g.image, f"cat {path}") != target:
                return f"{path}: debugfs reads its data block as something else than {target!r}"
        return None
    return disk


def long_name(n):
    return "/sym/" + "x" * (n - 5)


def theirs(ctx):
    """Links that debugfs made (a fast and a slow one) in a copy of the
    grading image: the kernel must follow both."""
    image = ctx.log.parent / f"{ctx.log.stem}.img"
    shutil.copyfile(ctx.image, image)
    data = ctx.log.parent / f"{ctx.log.stem}.txt"
    data.write_text("made by debugfs\n")
    for req in ("mkdir /dfs", f"write {data} /dfs/file", f"write {data} {LONG}",
                "symlink /dfs/fast /dfs/file", f"symlink /dfs/slow {LONG}"):
        debugfs(image, req, write=True)
    data.unlink()
    try:
        g = ctx.boot(disk=image)
        out = g.run("cat /dfs/fast /dfs/slow", timeout=ctx.left())
    finally:
        image.unlink()
    if out.count("made by debugfs") != 2:
        return ("cat /dfs/fast /dfs/slow (a fast and a slow link debugfs made) should print the "
                "file twice: " + out.strip()[-200:])
    return None


CHECKS = [
    Check("fast", "a short target: a fast symlink, followed by open", 2,
          expect("fast", {"fast": "the file"}, stored({"/sym/fast": ("/sym/file", True)}))),
    Check("slow", "59, 60 and 120-byte targets: fast, then slow symlinks", 2,
          expect("slow", {"/sym/l59": "target 59", "/sym/l60": "target 60",
                          "/sym/l120": "target 120"},
                 stored({"/sym/l59": (long_name(59), True), "/sym/l60": (long_name(60), False),
                         "/sym/l120": (long_name(120), False)}))),
    Check("theirs", "links debugfs made, fast and slow, are followed", 1, theirs),
    Check("relative", "a relative target is taken from the link's directory (joined, up to "
          "255 bytes; longer: ENAMETOOLONG)", 1,
          expect("relative", {"d/rel": "the file in d", "d/up": "the file",
                              "rel in cwd": "the file in d", "up in cwd": "the file",
                              "ta/l1": "the file in tb", "joined 255": "the file at 255 bytes",
                              "joined 256": error("ENAMETOOLONG")})),
    Check("chain", f"a chain of {MAXSYMLINKS} links is followed, of {MAXSYMLINKS + 1}: ELOOP", 1,
          expect("chain", {f"chain of {MAXSYMLINKS}": "end of the chain",
                           f"chain of {MAXSYMLINKS + 1}": error("ELOOP")})),
    Check("dangling", "a link to nothing: made, and open says ENOENT", 1,
          expect("dangling", {"dangling": error("ENOENT")},
                 stored({"/sym/dangling": ("/sym/nothing", True)}))),
    Check("loop", "links in a cycle: open says ELOOP; removed, the disk is clean", 1,
          expect("loop", {"a": error("ELOOP"), "self": error("ELOOP")}, clean), limit=12),
    Check("nofollow", "O_NOFOLLOW: a link is not opened (ELOOP), a file is", 1,
          expect("nofollow", {"link nofollow": error("ELOOP"), "file nofollow": "the file",
                              "link": "the file"})),
    Check("create", "O_CREATE follows a link: writes its file; a dangling link's target is "
          "created", 1,
          expect("create", {"write to-old": "written", "old": "new",
                            "write to-made": "written", "made": "made through the link",
                            "write d/to-rel": "written",
                            "d/rel-made": "made beside the link",
                            "to-made nofollow": error("ELOOP")}, clean)),
    Check("unlink", "60 links made and removed: the disk is clean (nothing leaked)", 1,
          expect("unlink", {}, clean)),
    Check("files", "usertests of the file system still pass", 1,
          usertests("fs", "bigfile", "manyfiles", "unlinkopen"), limit=60, regression=True),
]
