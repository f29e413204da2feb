#!/usr/bin/env python3
"""The daemon's share of a stop (issue 9's click-to-paint): with 64 processes
in the guest (`sleepers`), the time from sending `step`, and `run_to`
syscall, over the WebSocket to the stop's status and to its snapshot, 30 of
each; and the snapshot's own `taken_ms`. Before that, in a fresh guest,
`bench`'s time while a Run to next waits for an event that never comes, and
while a page every process writes at its address is watched. What the page adds on top is
tests/web/bench.mjs's "snapshot arrival to paint". Writes build/bench/stop.txt.

    python3 tests/bench/stop_bench.py      (after make)"""

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "inspector"))
from harness import BUILD, Daemon  # noqa: E402
from run import PROMPT, wait_console  # noqa: E402

STOPS = 30
ROUNDS = 3


def bench_seconds(ws):
    """Type `bench` in the guest; seconds until its prompt comes back."""
    text = ""
    ws.send({"type": "console", "data": "bench\n"})
    t0 = time.monotonic()
    while not ("bench:" in text and text.endswith("\n$ ")):
        m = ws.recv(300)
        ws.log.clear()
        text += m.get("data", "") if m.get("type") == "console" else ""
    return time.monotonic() - t0


def waiting_cost(ws):
    """The guest's speed while a Run to next waits for an event that does
    not come (a fault that kills: bench has none), against running free:
    the kernel logs bench's thousands of system calls and switches all the
    same, and only the kind waited for may stop it."""
    free, waiting = [], []
    for _ in range(ROUNDS):
        free.append(bench_seconds(ws))
        r = ws.command("run_to", "wait", event="page_fault")
        if not r.get("ok"):
            sys.exit(f"run_to: {r}")
        waiting.append(bench_seconds(ws))
        r = ws.command("pause", "p")
        if not r.get("ok"):
            sys.exit(f"pause: {r}")
        ws.command("continue", "c")
    return (f"bench in the guest, median of {ROUNDS}: running free "
            f"{statistics.median(free):.2f} s, while a Run to next page_fault waits "
            f"{statistics.median(waiting):.2f} s")


def watching_cost(ws):
    """The guest's speed while init's stack page is watched: every process
    has its stack at that address, and bench's processes never share the
    CPU with init, which sleeps in wait."""
    r = ws.command("pause", "wp")
    snap = ws.wait(lambda m: m.get("type") == "snapshot", 20, "the pause's snapshot")
    init = next(p for p in snap["processes"] if p["pid"] == 1)
    va = int(init["trapframe"]["sp"], 16) & ~0xFFF
    r = ws.command("watch", "w", pid=1, va=f"0x{va:08x}")
    if not r.get("ok"):
        sys.exit(f"watch: {r}")
    ws.command("continue", "wc")
    watched = [bench_seconds(ws) for _ in range(ROUNDS)]
    ws.command("unwatch", "uw")
    return (f"bench in the guest, median of {ROUNDS}, while init's stack page "
            f"0x{va:08x} is watched: {statistics.median(watched):.2f} s")


def quantiles(xs):
    xs = sorted(xs)
    return f"median {statistics.median(xs):.1f} ms, p95 {xs[max(0, round(0.95 * len(xs)) - 1)]:.1f} ms"


def main():
    lines = []
    with Daemon("stop-bench") as d:
        ws = d.ws(role="controller")
        wait_console(ws, PROMPT, 60)
        lines.append("stop: " + waiting_cost(ws))
        lines.append("stop: " + watching_cost(ws))
        ws.send({"type": "console", "data": "sleepers\n"})
        wait_console(ws, "children asleep", 60)
        r = ws.command("pause", 1)
        if not r.get("ok"):
            sys.exit(f"pause: {r}")
        procs = len(d.get("/api/snapshot")["processes"])
        lines.append(f"stop: {procs} processes in the guest")
        for kind, args in (("step", {}), ("run_to", {"event": "syscall"})):
            status, snapshot, taken = [], [], []
            for i in range(STOPS):
                ws.pending.clear()
                t0 = time.monotonic()
                ws.send({"type": "command", "id": 100 + i, "cmd": kind, **args})
                ws.wait(lambda m: m.get("type") == "status" and m.get("guest") == "stopped"
                        and m.get("stop"), 20, "the stop's status")
                status.append((time.monotonic() - t0) * 1000)
                s = ws.wait(lambda m: m.get("type") == "snapshot", 20, "the stop's snapshot")
                snapshot.append((time.monotonic() - t0) * 1000)
                taken.append(s.get("taken_ms", 0))
            lines.append(f"stop: {kind} {' '.join(f'{k}={v}' for k, v in args.items())}: "
                         f"to the status {quantiles(status)}; to the snapshot "
                         f"{quantiles(snapshot)}; the snapshot taken in {quantiles(taken)}")
    report = "\n".join(lines)
    print(report)
    (BUILD / "bench").mkdir(parents=True, exist_ok=True)
    (BUILD / "bench" / "stop.txt").write_text(report + "\n")


if __name__ == "__main__":
    main()
