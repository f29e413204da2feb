#!/usr/bin/env python3
"""The daemon's rewind, measured over the protocol (docs/time-travel.md,
"What is built"): twenty steps, then STOPS stops (default 1,000, the
issue's figure) each after a shell command that writes a file, then
rewinds to the previous stop, to one 100 stops back and to the oldest kept.
Prints the step round trip, the save times, the page store's and the
history's bytes, the daemon's RSS, the scratch disk's size and the rewind
times. Nothing here is a test. Usage: python3 tests/bench/rewind_daemon.py
(after make); STOPS=N for another count."""

import json
import os
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
        stops = int(os.environ.get("STOPS", "1000"))
        for i in range(stops):
            ws.command("continue", 1000 + 4 * i)
            T.typed(ws, f"echo w{i}x > /m{i % 50}; echo w{i}x\n", f"w{i}x")
            r = ws.command("pause", 1001 + 4 * i)
            seqs.append(T.stop_snapshot(ws, r)["seq"])
            time.sleep(0.05)  # the save is in by then
            h = ws.command("history", 1002 + 4 * i)
            saves.append(h["rewind"]["save_ms"])
            pages.append(h["rewind"]["pages_ms"])
            del ws.log[:-20]  # the console's end (with the prompt) is kept
            if (i + 1) % 100 == 0:  # does the disk level off past the states kept?
                print(f"after {i + 1} stops: scratch disk {scratch_mib(d)} MiB, "
                      f"{h['rewind'].get('states')} states, savevm {saves[-1]} ms")
        print(f"{stops} stops: savevm median {statistics.median(saves)} ms, max {max(saves)}; "
              f"page store: median {statistics.median(pages)} ms, max {max(pages)}")
        print(f"saved states: {json.dumps(h['rewind'])}; history {h['bytes']} bytes "
              f"({len(h['stops'])} stops, {h['dropped']} dropped); daemon RSS "
              f"{rss_mib(d.proc.pid)} MiB (the guest's 128 MiB RAM mapped in it)")
        print(f"scratch disk: {scratch_mib(d)} MiB")
        for n, (what, to) in enumerate([("the previous stop", seqs[-2]),
                                        ("100 stops back", seqs[-101] if stops > 100 else seqs[0]),
                                        ("the oldest kept", None)]):
            ws.command("continue", 500 + n)  # QEMU cannot load two states in a row
            time.sleep(0.2)
            ws.command("pause", 510 + n)
            if to is None:  # asked now: each pause's state may push the oldest out
                to = next(s["seq"] for s in ws.command("history", 540)["stops"] if s.get("saved"))
            r, ms = timed(ws, "rewind", 520 + n, to=to)
            h = ws.command("history", 530 + n)["rewind"]
            print(f"rewind to {what} (stop {to}, {'ok' if r['ok'] else r['error']}): "
                  f"{h['rewind_ms']} ms in the daemon, {ms:.0f} ms round trip")
        ws.command("continue", 600)
        T.typed(ws, "echo back-on\n", "back-on")


def scratch_mib(d):
    """The size of the qcow2 scratch disk QEMU has open (unlinked: its name
    ends in " (deleted)")."""
    qemu = d.get("/api/status").get("qemu_pid")
    for fd in os.listdir(f"/proc/{qemu}/fd"):
        if ".qcow2" in os.readlink(f"/proc/{qemu}/fd/{fd}"):
            return os.stat(f"/proc/{qemu}/fd/{fd}").st_size // (1 << 20)
    return -1


if __name__ == "__main__":
    main()
