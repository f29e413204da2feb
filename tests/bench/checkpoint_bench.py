#!/usr/bin/env python3
"""What a checkpoint costs (docs/time-travel.md, "Checkpoints"): console
input that comes while the guest runs, 2 s or more after the last state
kept, waits for a state saved unseen. A key typed at the shell's prompt is
timed from its send to its echo, after 2.3 s of running (a checkpoint
first) and 0.2 s after that (none), eight times each.

Usage: python3 tests/bench/checkpoint_bench.py   (after make)
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "inspector"))
from harness import Daemon  # noqa: E402

ROUNDS = 8


def echo_ms(ws, key):
    ws.pending.clear()
    t0 = time.monotonic()
    ws.send({"type": "console", "data": key})
    ws.wait(lambda m: m.get("type") == "console" and key in m.get("data", ""), 10, "the echo")
    return (time.monotonic() - t0) * 1000


def main():
    with Daemon("checkpoint-bench") as d:
        ws = d.ws(role="controller")
        text = ""
        while "$ " not in text:
            text += ws.wait(lambda m: m.get("type") == "console", 30, "the prompt").get("data", "")
        after, within = [], []
        for _ in range(ROUNDS):
            time.sleep(2.3)
            after.append(echo_ms(ws, "a"))
            time.sleep(0.2)
            within.append(echo_ms(ws, "b"))
        points = [m for m in ws.log if m.get("type") == "snapshot" and m.get("checkpoint")]
        stats = ws.command("history", 1).get("rewind", {})
    print(f"key to echo, a checkpoint first: median {statistics.median(after):.0f} ms, "
          f"max {max(after):.0f}; 0.2 s later (none): median {statistics.median(within):.0f} ms, "
          f"max {max(within):.0f}")
    print(f"checkpoints taken: {len(points)} of {ROUNDS}; the last save: savevm "
          f"{stats.get('save_ms')} ms, page store {stats.get('pages_ms')} ms")
    return 0 if len(points) == ROUNDS else 1


if __name__ == "__main__":
    sys.exit(main())
