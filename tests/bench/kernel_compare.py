#!/usr/bin/env python3
"""Compare two kernels on the same QEMU: boot to the first prompt and the
4 MiB file rows of `bench`, with the two booted in turn so that both see the
same load on the host. Figures, not pass/fail (docs/benchmarks.md).

    python3 tests/bench/kernel_compare.py [--rounds N] DIR_A DIR_B

Each DIR holds kernel/kernel.elf and fs.img, as a build directory does (copy
build/kernel/kernel.elf and build/fs.img aside before changing the kernel).
"""

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integration"))
from glassbox import LOGDIR, Guest  # noqa: E402

FILE_ROW = re.compile(r"bench: (file write|file read) \(4 MiB\): ([0-9.]+) MiB/s")


def run_once(build, name):
    """(boot ms, {row: MiB/s}, bench wall s) for one boot of the kernel in build."""
    with Guest(name, kernel=build / "kernel" / "kernel.elf", disk=build / "fs.img") as g:
        g.boot(timeout=60)
        start = time.monotonic()
        out = g.run("bench", timeout=300)
        wall = time.monotonic() - start
        rows = {m.group(1): float(m.group(2)) for m in FILE_ROW.finditer(out)}
        return g.boot_seconds * 1000, rows, wall


def spread(values, fmt):
    return (f"median {fmt.format(statistics.median(values))} "
            f"({fmt.format(min(values))}-{fmt.format(max(values))})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("builds", nargs=2, type=Path)
    args = ap.parse_args()
    results = {b: {"boot": [], "wall": [], "file write": [], "file read": []} for b in args.builds}
    for i in range(args.rounds):
        for b in args.builds:
            boot, rows, wall = run_once(b, f"compare-{b.name}-{i}")
            r = results[b]
            r["boot"].append(boot)
            r["wall"].append(wall)
            for k, v in rows.items():
                r[k].append(v)
    for b, r in results.items():
        print(f"{b}: boot {spread(r['boot'], '{:.0f}')} ms; "
              f"4 MiB write {spread(r['file write'], '{:.2f}')} MiB/s; "
              f"read {spread(r['file read'], '{:.2f}')} MiB/s; "
              f"bench wall {spread(r['wall'], '{:.1f}')} s  "
              f"({args.rounds} boots; transcripts in {LOGDIR})")


if __name__ == "__main__":
    main()
