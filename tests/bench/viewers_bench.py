#!/usr/bin/env python3
"""Viewers benchmark (issue 10): 500 WebSocket viewers on loopback read while
the controller stops the guest every 100 ms, once with usertests running and
once with memhog holding 100 MiB. Figures: controller click (pause sent) to
its stop status, p50 and p95; the daemon's RSS before the viewers and at
most during the run; bytes each viewer got per stop and the largest message;
viewers dropped. Goals: p95 <= 100 ms, RSS <= 300 MB, no reading viewer
dropped, <= 256 KB per stop. Writes build/bench/viewers.txt."""

import json
import os
import selectors
import socket
import struct
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "inspector"))
from harness import BUILD, Daemon  # noqa: E402
from run import wait_console  # noqa: E402

VIEWERS = int(os.environ.get("VIEWERS", "500"))
SECONDS = float(os.environ.get("SECONDS", "15"))
PERIOD = 0.1


class Reader:
    """Counts the messages of one viewer's socket as they come (server frames
    are unmasked; a message may be fragmented)."""

    def __init__(self, ws, keep=False):
        self.keep, self.stopped = keep, 0   # keep: decode statuses and snapshots
        self.taken = []                     # the snapshots' taken_ms
        self.sock, self.buf = ws.sock, bytearray(ws.buf)
        self.parts = []
        self.sock.setblocking(False)
        self.head, self.size = b"", 0
        self.statuses = self.bytes = self.largest = 0
        self.closed = False

    def feed(self):
        try:
            data = self.sock.recv(1 << 20)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self.closed = True
            return
        self.buf += data
        self.bytes += len(data)
        while len(self.buf) >= 2:
            b0, b1 = self.buf[0], self.buf[1]
            n, at = b1 & 0x7f, 2
            if n == 126:
                if len(self.buf) < 4:
                    return
                n, at = struct.unpack(">H", self.buf[2:4])[0], 4
            elif n == 127:
                if len(self.buf) < 10:
                    return
                n, at = struct.unpack(">Q", self.buf[2:10])[0], 10
            if len(self.buf) < at + n:
                return
            payload = bytes(self.buf[at:at + n])
            del self.buf[:at + n]
            if b0 & 0x0f == 8:
                self.closed = True
                return
            if b0 & 0x0f in (0, 1):
                if not self.head:
                    self.head = payload[:20]
                self.size += n
                is_status = self.head.startswith(b'{"type":"status"')
                kept = self.keep and (is_status or self.head.startswith(b'{"type":"snapshot"'))
                if kept:
                    self.parts.append(payload)
                if b0 & 0x80:
                    self.statuses += is_status
                    m = json.loads(b"".join(self.parts)) if kept else {}
                    self.stopped += m.get("guest") == "stopped"
                    if "taken_ms" in m:
                        self.taken.append(m["taken_ms"])
                    self.parts = []
                    self.largest = max(self.largest, self.size)
                    self.head, self.size = b"", 0


def rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))] if values else float("nan")


def scenario(name, command, ready):
    with Daemon(f"bench-{name}") as d:
        ctl = d.ws(role="controller")
        wait_console(ctl, "$ ", 30)
        ctl.send({"type": "console", "data": command + "\n"})
        if ready:
            wait_console(ctl, ready, 120)
        pid = d.proc.pid
        rss_before = rss_mb(pid)
        sel = selectors.DefaultSelector()
        readers = []
        for _ in range(VIEWERS):
            r = Reader(d.ws(role="viewer"))
            readers.append(r)
            sel.register(r.sock, selectors.EVENT_READ, r)

        def pump(until, done=lambda: False):
            """Read what comes, every socket in turn, until then or until done()."""
            while not done():
                left = until - time.monotonic()
                if left <= 0:
                    return
                for key, _ in sel.select(min(left, 0.05)):
                    key.data.feed()

        control = Reader(ctl, keep=True)
        sel.register(control.sock, selectors.EVENT_READ, control)
        pump(time.monotonic() + 2)   # the catch-up at hello
        base = [r.statuses for r in readers]
        bytes_base = [r.bytes for r in readers]
        clicks, rss_max, stops = [], rss_before, 0
        ids = iter(range(1, 1 << 30))
        end = time.monotonic() + SECONDS
        while time.monotonic() < end:
            t0 = time.monotonic()
            n0 = control.stopped
            ctl.send({"type": "command", "id": next(ids), "cmd": "pause"})
            pump(t0 + 10, lambda: control.stopped > n0)
            clicks.append((time.monotonic() - t0) * 1000)
            stops += 1
            ctl.send({"type": "command", "id": next(ids), "cmd": "continue"})
            rss_max = max(rss_max, rss_mb(pid))
            pump(t0 + PERIOD)
        pump(time.monotonic() + 3)
        web = d.get("/api/status")["web"]
        got = [r.statuses - b for r, b in zip(readers, base)]
        per_stop = [(r.bytes - b) / max(stops, 1) for r, b in zip(readers, bytes_base)]
        largest = max((r.largest for r in readers), default=0)
        closed = sum(r.closed for r in readers)
        return (f"{name}: {VIEWERS} viewers, {stops} stops in {SECONDS:.0f} s; click to stop "
                f"status p50 {pct(clicks, 0.5):.1f} ms, p95 {pct(clicks, 0.95):.1f} ms (the "
                f"snapshot in it: p50 {pct(control.taken, 0.5):.1f} ms, p95 "
                f"{pct(control.taken, 0.95):.1f} ms); daemon RSS "
                f"{rss_before:.0f} MB before the viewers, {rss_max:.0f} MB at most; "
                f"{sum(per_stop) / max(len(per_stop), 1) / 1024:.1f} KB per stop per viewer, largest "
                f"message {largest / 1024:.1f} KB; statuses per viewer {min(got, default=0)}-{max(got, default=0)}; "
                f"{web['dropped']} dropped, {closed} closed")


def main():
    lines = [scenario("usertests", "usertests &", None),
             scenario("memhog", "memhog 100 &", "holding it until killed")]
    report = "\n".join(lines)
    print(report)
    (BUILD / "bench").mkdir(parents=True, exist_ok=True)
    (BUILD / "bench" / "viewers.txt").write_text(report + "\n")


if __name__ == "__main__":
    main()
