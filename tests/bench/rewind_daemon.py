#!/usr/bin/env python3
"""The daemon's rewind, measured over the protocol (docs/time-travel.md,
"What is built"): twenty steps (each stop is saved), 30 stops each after a
shell command that writes a file, then a rewind to the previous stop and
one to the first of them. Prints the step round trip, the save times, the
page store's bytes, the daemon's RSS and the rewind times. Nothing here is
a test. Usage: python3 tests/bench/rewind_daemon.py (after make)."""

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "inspector"))
import run as T  # noqa: E402
from harness import Daemon  # noqa: E402


def rss_mib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) // 1024
    return 0


def timed(ws, *args, **kw):
    t = time.monotonic()
    r = ws.command(*args, **kw)
    return r, (time.monotonic() - t) * 1000


def main():
    with Daemon("rewind-bench") as d:
        ws = d.ws(role="controller")
        T.wait_console(ws, T.PROMPT, 30)
        ws.command("pause", 1)
        print(f"daemon RSS at the prompt: {rss_mib(d.proc.pid)} MiB (the guest's RAM mapped)")
        steps = [timed(ws, "step", 100 + i)[1] for i in range(20)]
        print(f"step round trip, each stop saved: median {statistics.median(steps):.1f} ms, "
              f"max {max(steps):.1f}")
        saves, pages, seqs = [], [], []
        for i in range(30):
            ws.command("continue", 200 + i)
            T.typed(ws, f"echo m{i} > /m{i}; ls\n", f"m{i}")
            r = ws.command("pause", 300 + i)
            seqs.append(T.stop_snapshot(ws, r)["seq"])
            time.sleep(0.15)  # the save is in by then
            h = ws.command("history", 400 + i)["rewind"]
            saves.append(h["save_ms"])
            pages.append(h["pages_ms"])
        print(f"savevm at a stop: median {statistics.median(saves)} ms, max {max(saves)}; "
              f"page store: median {statistics.median(pages)} ms, max {max(pages)}")
        print(f"saved states: {json.dumps(h)}; daemon RSS {rss_mib(d.proc.pid)} MiB")
        for n, to in enumerate([seqs[-2], seqs[0]]):
            ws.command("continue", 500 + n)  # QEMU cannot load two states in a row
            time.sleep(0.2)
            ws.command("pause", 510 + n)
            r, ms = timed(ws, "rewind", 520 + n, to=to)
            h = ws.command("history", 530 + n)["rewind"]
            print(f"rewind to stop {to} ({'ok' if r['ok'] else r['error']}): "
                  f"{h['rewind_ms']} ms in the daemon, {ms:.0f} ms round trip")
        ws.command("continue", 600)
        T.typed(ws, "echo back-on\n", "back-on")


if __name__ == "__main__":
    main()
