#!/usr/bin/env python3
"""Glassbox against xv6-riscv on the same QEMU: tests/bench/xv6bench.c, one
program built for both kernels, and boot to the first prompt, with the two
kernels booted in turn so that both see the same load on the host. Figures,
not pass/fail (docs/benchmarks.md); not part of `make test` or `make bench`.

    XV6=/path/to/xv6-riscv python3 tests/bench/xv6_compare.py [--rounds N] [--seconds S]

XV6 is a built xv6-riscv tree (`make kernel/kernel fs.img` there). The tree is
not changed: the script copies it to a scratch directory, adds the program and
makes a new fs.img there. Glassbox comes from $(BUILD) (run `make` first); its
fs.img is copied too, with the program added as /bin/xv6bench by debugfs.
Both kernels run on scripts/qemu.args (-smp 1, 128 MiB): Glassbox on
qemu-system-riscv32, xv6 on qemu-system-riscv64.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integration"))
import glassbox  # noqa: E402
from glassbox import BUILD, KERNEL, FSIMG, LOGDIR, ROOT, Guest  # noqa: E402

BENCH_SRC = ROOT / "tests" / "bench" / "xv6bench.c"
ROWS = ["getpid", "fork+exit+wait", "fork+exec", "sbrk", "cow", "pipe",
        "create+write+unlink", "file write", "file read"]
ROW_RE = re.compile(r"^xv6bench: (.+) (\d+) (\d+)$", re.M)
QEMU_TIMEBASE = 10_000_000   # QEMU virt's timer (the time CSR) runs at 10 MHz
GOAL = 0.5                   # issue 13: every Glassbox/xv6 ratio at or below


def run(cmd, cwd):
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"xv6_compare: `{' '.join(cmd)}` failed in {cwd}:\n{r.stdout}{r.stderr}")
    return r.stdout


def glassbox_hz():
    m = re.search(r"#define\s+TICK_HZ\s+(\d+)", (ROOT / "kernel" / "param.h").read_text())
    return int(m.group(1))


def xv6_hz(tree):
    """xv6 sets its next timer interrupt that many time-CSR cycles ahead."""
    for name in ("start.c", "trap.c"):
        src = (tree / "kernel" / name).read_text()
        m = re.search(r"r_time\(\)\s*\+\s*(\d+)", src) or re.search(r"interval\s*=\s*(\d+)", src)
        if m:
            return QEMU_TIMEBASE / int(m.group(1))
    sys.exit(f"xv6_compare: no timer interval found in {tree}/kernel/start.c or trap.c")


def glassbox_disk(scratch):
    """A copy of Glassbox's fs.img with the program as /bin/xv6bench."""
    for f in (KERNEL, FSIMG):
        if not f.is_file():
            sys.exit(f"xv6_compare: {f} is missing: run `make` first")
    run(["make", "-s", "-f", "Makefile", "-f", "tests/bench/xv6bench.mk", f"BUILD={BUILD}",
         str(BUILD / "bench" / "xv6bench")], ROOT)
    disk = scratch / "glassbox-fs.img"
    shutil.copyfile(FSIMG, disk)
    debugfs = shutil.which("debugfs") or "/sbin/debugfs"
    run([debugfs, "-w", "-R", f"write {BUILD / 'bench' / 'xv6bench'} bin/xv6bench", str(disk)], ROOT)
    return disk


def xv6_build(xv6, scratch):
    """Copy the xv6 tree, add the program, and make a new fs.img in the copy."""
    for f in ("Makefile", "kernel/kernel", "mkfs/mkfs.c", "user/user.h"):
        if not (xv6 / f).exists():
            sys.exit(f"xv6_compare: {xv6} is not a built xv6-riscv tree ({f} is missing; "
                     "run `make kernel/kernel fs.img` there)")
    tree = scratch / "xv6"
    shutil.copytree(xv6, tree, symlinks=True)
    shutil.copyfile(BENCH_SRC, tree / "user" / "xv6bench.c")
    uprogs = run(["make", "-s", "--eval", "xv6cmp-uprogs: ; @echo $(UPROGS)",
                  "xv6cmp-uprogs"], tree).split()
    run(["make", "-s", "kernel/kernel", "mkfs/mkfs", "user/_xv6bench"] + uprogs, tree)
    (tree / "fs.img").unlink(missing_ok=True)
    run(["mkfs/mkfs", "fs.img", "README"] + uprogs + ["user/_xv6bench"], tree)
    return tree


def boot_and_bench(name, qemu, kernel, disk, path, ticks):
    """(boot seconds, {row: seconds per operation}) for one boot."""
    glassbox.QEMU = qemu        # the harness's emulator; the machine stays scripts/qemu.args
    with Guest(name, kernel=kernel, disk=disk) as g:
        g.boot(timeout=60)
        out = g.run(f"{path} {ticks} {path}", timeout=900)
        rows = {m.group(1): (int(m.group(2)), int(m.group(3))) for m in ROW_RE.finditer(out)}
        if "xv6bench: done" not in out or set(rows) != set(ROWS):
            sys.exit(f"xv6_compare: {name}: xv6bench did not finish:\n{out}")
        return g.boot_seconds, rows


def fmt_time(s):
    return f"{s * 1e3:.1f} ms" if s >= 1e-3 else f"{s * 1e6:.1f} us"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5, help="boots of each kernel (default 5)")
    ap.add_argument("--seconds", type=float, default=2.0,
                    help="guest seconds each row repeats its operation for (default 2)")
    ap.add_argument("--xv6", default=os.environ.get("XV6"), help="xv6-riscv tree (default $XV6)")
    args = ap.parse_args()
    if not args.xv6:
        print("xv6_compare: XV6 is not set, nothing measured. Give a built xv6-riscv tree: "
              "XV6=/path/to/xv6-riscv python3 tests/bench/xv6_compare.py")
        return 2
    xv6 = Path(args.xv6).resolve()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="xv6cmp-") as tmp:
        scratch = Path(tmp)
        gdisk = glassbox_disk(scratch)
        tree = xv6_build(xv6, scratch)
        kernels = {
            "glassbox": ("qemu-system-riscv32", KERNEL, gdisk, "/bin/xv6bench", glassbox_hz()),
            "xv6": ("qemu-system-riscv64", tree / "kernel" / "kernel", tree / "fs.img",
                    "/xv6bench", xv6_hz(tree)),
        }
        boot = {k: [] for k in kernels}
        per_op = {k: {r: [] for r in ROWS} for k in kernels}
        for i in range(args.rounds):
            for k, (qemu, kernel, disk, path, hz) in kernels.items():
                secs, rows = boot_and_bench(f"xv6cmp-{k}-{i}", qemu, kernel, disk, path,
                                            max(1, round(args.seconds * hz)))
                boot[k].append(secs)
                for r, (ops, ticks) in rows.items():
                    per_op[k][r].append(ticks / hz / ops)
    load_after = os.getloadavg()

    med = statistics.median
    lines = [f"Glassbox/xv6 on the same QEMU, median of {args.rounds} alternated boots "
             f"(-smp 1; rows of {args.seconds:g} s; load {load_before[0]:.2f} before, "
             f"{load_after[0]:.2f} after; transcripts in {LOGDIR})",
             f"{'row':<22}{'Glassbox':>12}{'xv6':>12}{'ratio':>8}  goal <= {GOAL}"]
    table = [(r, med(per_op["glassbox"][r]), med(per_op["xv6"][r])) for r in ROWS]
    table.append(("boot to prompt", med(boot["glassbox"]), med(boot["xv6"])))
    for r, g, x in table:
        ratio = g / x
        lines.append(f"{r:<22}{fmt_time(g):>12}{fmt_time(x):>12}{ratio:>8.2f}  "
                     f"{'met' if ratio <= GOAL else 'MISSED'}")
    for k in kernels:
        lines.append(f"boot to prompt, {k}, each boot: "
                     + ", ".join(f"{b * 1e3:.0f}" for b in boot[k]) + " ms")
    text = "\n".join(lines)
    print(text)
    (BUILD / "bench").mkdir(parents=True, exist_ok=True)
    (BUILD / "bench" / "xv6_compare.txt").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
