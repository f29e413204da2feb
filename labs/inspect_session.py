"""A grader's view of the kernel's state: the inspector daemon (this tree's
build/inspector/glassbox-inspector, docs/protocol.md) running the graded
kernel on the grading image, driven over its WebSocket.

    s = ctx.inspect()                  # daemon up, guest at the shell prompt
    s.type("/grade/cowcheck write\\n")
    for snap, event in s.events("cow_fault", until="cowcheck: done"):
        ...                            # the guest is stopped at each event

The console output goes to the check's transcript, and the daemon's own
messages next to it (inspector-NAME.log)."""

import re

from harness import Daemon, TestFailure

PROMPT = "$ "


class Session:
    def __init__(self, ctx):
        self.ctx = ctx
        self.console = ""
        self.kept = []
        self.seen = {}         # every event of every snapshot (stops and live samples), by seq
        self._arrived = 0      # messages so far (each gets its number as "_arrived")
        self._id = 0
        self._log = open(ctx.log, "w", encoding="utf-8", errors="replace")
        self.daemon = Daemon(ctx.log.stem, kernel=ctx.kernel, disk=ctx.image,
                             log_dir=ctx.log.parent, start_timeout=min(30, ctx.left()))
        self.daemon.start()
        self.ws = self.daemon.ws(role="controller")
        self.wait_console(PROMPT)

    def close(self):
        self.daemon.close()
        if not self._log.closed:
            self._log.close()

    def _take(self, m):
        """Keep the console text of message m; True if it was console output."""
        if m.get("type") != "console":
            return False
        self.console += m.get("data", "")
        if not self._log.closed:
            self._log.write(m.get("data", ""))
            self._log.flush()
        return True

    def _next(self, pred, what):
        """The first message, kept or new, for which pred holds. Console
        output goes to self.console as it comes; other messages that do not
        match are kept for later (a stop may come before the reply to the
        command that caused it), but live samples (snapshots taken while
        the guest runs) are not: no check reads them."""
        for i, m in enumerate(self.kept):
            if pred(m):
                return self.kept.pop(i)
        while True:
            try:
                m = self.ws.wait(lambda m: True, self.ctx.left(), what)
            except TestFailure:
                raise TestFailure(f"time limit reached waiting for {what}; the console ends: "
                                  f"{self.console[-200:]!r}") from None
            self._arrived += 1
            m["_arrived"] = self._arrived
            if m.get("type") == "snapshot":
                self.seen.update((e["seq"], e) for e in m.get("events", []))
            console = self._take(m)
            if pred(m):
                return m
            if not console and not m.get("sample"):
                self.kept.append(m)

    def wait_console(self, text):
        while text not in self.console:
            self._next(lambda m: m.get("type") == "console", f"{text!r} on the console")

    def wait_match(self, pattern):
        """The first match of regular expression pattern in the console
        output, waiting for it as wait_console() does."""
        while (m := re.search(pattern, self.console)) is None:
            self._next(lambda m: m.get("type") == "console", f"{pattern!r} on the console")
        return m

    def all_events(self):
        """Every event the snapshots so far carried, oldest first: a
        snapshot has only the events since the one before, and that may
        have been a live sample."""
        return [self.seen[k] for k in sorted(self.seen)]

    def type(self, text):
        self.ws.send({"type": "console", "data": text})

    def command(self, cmd, **args):
        self._id += 1
        n = self._id
        self.ws.send({"type": "command", "id": n, "cmd": cmd, **args})
        r = self._next(lambda m: m.get("type") == "reply" and m.get("id") == n,
                       f"the reply to {cmd}")
        if not r.get("ok"):
            raise TestFailure(f"the inspector refused {cmd}: {r.get('error')}")
        return r

    def pause(self):
        """Stop the guest; returns the snapshot taken at that stop."""
        mark = self._arrived
        self.command("pause")
        return self._next(lambda m: m.get("type") == "snapshot" and not m.get("sample") and
                          m["_arrived"] > mark, "the snapshot at the pause")

    def events(self, kind, until, most=64, **args):
        """Run to each event of kind, at most `most` of them, until `until`
        shows on the console; yields (snapshot at the stop, the event). After
        the last of `most` the guest stays stopped. args go to run_to (e.g.
        syscall="write")."""
        mark = len(self.console)
        for _ in range(most):
            self.command("run_to", event=kind, **args)
            m = self._next(lambda m: is_event_stop(m) or until in self.console[mark:],
                           f"a {kind} event or {until!r}")
            if not is_event_stop(m):
                return
            snap = self._next(lambda s: s.get("type") == "snapshot" and
                              s["_arrived"] > m["_arrived"], "the stop's snapshot")
            # the event the stop names: a live sample may have carried it
            # before the stop's snapshot (QEMU stopped, the daemon not told yet)
            ev = self.seen.get(m["stop"].get("event"))
            evs = [e for e in snap["events"] if e["kind"] == kind]
            if not ev and not evs:
                raise TestFailure(f"stopped at a {kind} event that is not in the event ring")
            yield snap, ev or evs[-1]


def is_event_stop(m):
    return (m.get("type") == "status" and m.get("guest") == "stopped" and
            (m.get("stop") or {}).get("reason") == "event")


def mapping(snap, pid, va):
    """pid's entry for page va in a snapshot: {"pa", "flags", "cow", ...} or None."""
    space = snap["address_spaces"].get(str(pid))
    for table in (space or {}).get("tables", []):
        for e in table.get("entries", []):
            if int(e["va"], 16) == va:
                return e
    return None


def frame(snap, pa):
    """The snapshot's user frame at pa, or None (free, or not a user frame)."""
    return next((f for f in snap["frames"]["user"] if int(f["pa"], 16) == pa), None)


def frame_kind(snap, pa):
    """What the frame at pa is in a snapshot: "free", "user", "pagetable", ...
    (docs/protocol.md: frames.runs covers every frame that is not free)."""
    frames = snap["frames"]
    i = (pa - int(frames["base"], 16)) // 4096
    run = next((r for r in frames["runs"] if r["first"] <= i < r["first"] + r["count"]), None)
    return run["kind"] if run else "free"
