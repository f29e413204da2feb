#!/usr/bin/env python3
"""make_starter.py LAB OUTDIR: the starter tree for a lab, made from the
solution. Every file git tracks is copied to OUTDIR; in each, a region

    // LAB <name> begin
    ...the solution...
    // LAB <name> end

whose <name> starts with LAB is replaced by labs/LAB/starter/<name>.c (and
regions of other labs keep their solution). A region with no starter file
is an error, and so is a starter file no region uses."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGION = re.compile(r"^[ \t]*// LAB (\S+) begin\n(.*?)^[ \t]*// LAB \1 end\n", re.M | re.S)


def starter_tree(lab, out):
    snippets = {p.stem: p.read_text() for p in (ROOT / "labs" / lab / "starter").glob("*.c")}
    used = set()

    def replace(m):
        name = m.group(1)
        if not name.startswith(lab + "-"):
            return m.group(2)          # another lab's region: the solution stays
        if name not in snippets:
            sys.exit(f"make_starter: no labs/{lab}/starter/{name}.c for region {name}")
        used.add(name)
        return snippets[name]

    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    for name in files:
        src, dst = ROOT / name, out / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.suffix in (".c", ".h", ".S"):
            dst.write_text(REGION.sub(replace, src.read_text()))
        else:
            shutil.copyfile(src, dst)
            shutil.copymode(src, dst)
    unused = set(snippets) - used
    if unused:
        sys.exit(f"make_starter: starter files with no region: {sorted(unused)}")


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: make_starter.py LAB OUTDIR")
    lab, out = sys.argv[1], Path(sys.argv[2]).resolve()
    if not (ROOT / "labs" / lab / "starter").is_dir():
        sys.exit(f"make_starter: no lab {lab!r} (labs/{lab}/starter/)")
    if out.exists():
        shutil.rmtree(out)
    starter_tree(lab, out)
    print(f"starter tree for lab {lab} in {out}")


if __name__ == "__main__":
    main()
