#!/usr/bin/env python3
"""Live refresh's cost to the guest (issue 9): the user `bench` program run
in the guest under the real daemon, with a page's WebSocket connected and
reading, with live samples at 4 a second and with them off, alternately,
ROUNDS times each. Compares the medians of bench's wall time (from typing
`bench` to the next prompt) and of each of its figures, and the two costs
that do not depend on what else the host runs: the daemon's extra CPU time
(a share of a core the guest may have to compete for) and QEMU's own CPU
time for the same run of bench. Goal: <= 5 % slower at 4 Hz. Writes
build/bench/live.txt."""

import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "inspector"))
from harness import BUILD, Daemon  # noqa: E402

ROUNDS = int(os.environ.get("LIVE_BENCH_ROUNDS", "5"))
FIGURE = re.compile(r"bench: (.+?): ([\d.]+) (us/op|MiB/s)")


def run_bench(ws):
    """Type `bench`, read everything (samples too) until its prompt; the
    wall time in s, and bench's output."""
    text = ""
    ws.send({"type": "console", "data": "bench\n"})
    t0 = time.monotonic()
    while True:
        m = ws.recv(120)
        ws.log.clear()   # samples: keep memory flat
        if m.get("type") == "snapshot":
            ws.samples += 1
            ws.taken.append(m.get("taken_ms", 0))
        text += m.get("data", "") if m.get("type") == "console" else ""
        if "bench:" in text and text.endswith("\n$ "):
            return time.monotonic() - t0, text


def cpu_seconds(pid):
    """User + system CPU time of process pid so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    results = {0: [], 4: []}
    figures = {0: {}, 4: {}}
    samples = {0: 0, 4: 0}
    cpu = {0: 0.0, 4: 0.0}
    qemu_cpu = {0: [], 4: []}
    taken = []
    with Daemon("live-bench") as d:
        ws = d.ws(role="controller")
        deadline = time.monotonic() + 60
        while "$ " not in "".join(m.get("data", "") for m in ws.log if m.get("type") == "console"):
            if time.monotonic() > deadline:
                sys.exit("no prompt")
            ws.recv(60)
        for _ in range(ROUNDS):
            for hz in (0, 4):
                r = ws.command("sample", f"hz{hz}-{time.monotonic()}", hz=hz)
                if not r.get("ok"):
                    sys.exit(f"sample {hz}: {r}")
                ws.pending = []
                ws.samples, ws.taken = 0, taken
                c0, q0 = cpu_seconds(d.proc.pid), cpu_seconds(d.qemu_pid())
                secs, out = run_bench(ws)
                cpu[hz] += cpu_seconds(d.proc.pid) - c0
                qemu_cpu[hz].append(cpu_seconds(d.qemu_pid()) - q0)
                samples[hz] += ws.samples
                results[hz].append(secs)
                for name, value, unit in FIGURE.findall(out):
                    figures[hz].setdefault(f"{name} ({unit})", []).append(float(value))
    off, on = statistics.median(results[0]), statistics.median(results[4])
    lines = [f"bench in the guest, median of {ROUNDS} runs each: live off {off:.2f} s, "
             f"live 4 Hz {on:.2f} s: {100 * (on - off) / off:+.1f} % (goal <= +5 %); "
             f"samples received at 4 Hz: {samples[4]} (off: {samples[0]})",
             f"  the runs (s): off {', '.join(f'{x:.2f}' for x in results[0])}; "
             f"4 Hz {', '.join(f'{x:.2f}' for x in results[4])}",
             f"  the daemon's CPU time while bench ran: off {cpu[0]:.2f} s, 4 Hz {cpu[4]:.2f} s "
             f"({1000 * (cpu[4] - cpu[0]) / max(samples[4], 1):.1f} ms per sample); "
             f"a sample's snapshot: median {statistics.median(taken or [0]):.2f} ms",
             # The samples never stop the guest: what they can take from it is
             # the daemon's CPU time (a core it competes for) and whatever
             # makes QEMU itself work more for the same run of bench.
             f"  the daemon's extra CPU at 4 Hz: {100 * (cpu[4] - cpu[0]) / sum(results[4]):.2f} % "
             f"of a core while bench ran; QEMU's CPU time per run of bench: median off "
             f"{statistics.median(qemu_cpu[0]):.2f} s, 4 Hz {statistics.median(qemu_cpu[4]):.2f} s "
             f"({100 * (statistics.median(qemu_cpu[4]) - statistics.median(qemu_cpu[0])) / statistics.median(qemu_cpu[0]):+.1f} %)"]
    for key in figures[0]:
        a, b = statistics.median(figures[0][key]), statistics.median(figures[4].get(key, [0]))
        worse = (b - a) / a if "us/op" in key else (a - b) / a
        lines.append(f"  {key}: off {a:g}, 4 Hz {b:g} ({100 * worse:+.1f} % slower)")
    report = "\n".join(lines)
    print(report)
    (BUILD / "bench").mkdir(parents=True, exist_ok=True)
    (BUILD / "bench" / "live.txt").write_text(report + "\n")


if __name__ == "__main__":
    main()
