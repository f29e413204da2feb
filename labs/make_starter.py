#!/usr/bin/env python3
"""make_starter.py LAB DEST: a starter tree for a lab (or LAB=semester, for
every lab) made from this tree, the solution, as a new git repository with
one commit in DEST. DEST must not exist yet, or be an empty directory:
nothing is ever overwritten.

Every file git tracks is copied, except tests/labs/ (the graders' proofs,
whose mutants hold the solutions) and labs/*/teacher/ (what only the course
may see, e.g. the forensics lab's seeded bugs). In each source file every region

    // LAB <lab>-<part> begin
    ...the solution...
    // LAB <lab>-<part> end

of every lab is replaced by labs/<lab>/starter/<lab>-<part>.c (in a .txt
file the markers start with "#", and the starter is <lab>-<part>.txt), so no tree
holds any lab's solution and one tree serves the whole semester (the lab
trees differ only in the handout they point at). A region with no starter
file is an error, and so is a starter file no region uses."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGION = re.compile(r"^[ \t]*(?://|#) LAB (\S+) begin\n(.*?)^[ \t]*(?://|#) LAB \1 end\n",
                    re.M | re.S)
MARKED = (".c", ".h", ".S", ".txt")     # the files that may hold regions
LEFT_OUT = re.compile(r"tests/labs/|labs/[^/]+/teacher/")


def lab_names():
    return sorted(p.parent.name for p in (ROOT / "labs").glob("*/starter"))


def snippets():
    """{region name: starter text} for every lab."""
    return {p.stem: p.read_text() for lab in lab_names()
            for p in (ROOT / "labs" / lab / "starter").glob("*.*")}


def tracked_files():
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    return [f for f in out.split("\0") if f and not LEFT_OUT.match(f)]


def regions(text):
    """The (name, solution) of every lab region in text."""
    return [(m.group(1), m.group(2)) for m in REGION.finditer(text)]


def write_tree(out):
    starters, used = snippets(), set()

    def replace(m):
        name = m.group(1)
        if name not in starters:
            sys.exit(f"make_starter: region {name} has no starter "
                     f"(labs/{name.split('-')[0]}/starter/{name}.c)")
        used.add(name)
        return starters[name]

    for name in tracked_files():
        src, dst = ROOT / name, out / name
        if not src.is_file():       # deleted but not yet committed
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)          # times kept: make rebuilds only what changed
        if src.suffix in MARKED:
            text = src.read_text()
            starter = REGION.sub(replace, text)
            if starter != text:
                dst.write_text(starter)
    unused = set(starters) - used
    if unused:
        sys.exit(f"make_starter: starter files with no region: {sorted(unused)}")


def commit(out, lab):
    env_args = ["-c", "user.name=Glassbox", "-c", "user.email=glassbox@localhost",
                "-c", "commit.gpgsign=false"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 env_args + ["commit", "-q", "-m", f"Glassbox starter: lab {lab}"]):
        subprocess.run(["git"] + args, cwd=out, check=True, capture_output=True)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: make_starter.py LAB DEST")
    lab, out = sys.argv[1], Path(sys.argv[2]).expanduser().resolve()
    if lab != "semester" and lab not in lab_names():
        sys.exit(f"make_starter: no lab {lab!r}; labs: {', '.join(lab_names())}, or semester")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        sys.exit(f"make_starter: {out} already exists; nothing was written (your work there "
                 "is safe). Give another DEST=dir, or move it away first.")
    try:
        out.mkdir(parents=True, exist_ok=True)
        write_tree(out)
        commit(out, lab)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    handout = "labs/README.md" if lab == "semester" else f"labs/{lab}/README.md"
    print(f"The starter for {'every lab' if lab == 'semester' else 'lab ' + lab} is in {out}\n"
          f"(a git repository with one commit: commit your work as you go).\n"
          f"Next: cd {out} && make qemu; the handout is {handout}.")


if __name__ == "__main__":
    main()
