"""The mailbox lab's checks (labs/grade.py runs them; labs/mailbox/README.md
says what each means)."""

import re

from checklib import Check, all_of, answers, field, usertests

NOTES = 3   # labs/mailbox/grading/mailcheck.c


def queue(snap, pid):
    """The texts queued in pid's mailbox, oldest first, as the inspector reads them."""
    box = next((b for b in snap["mailboxes"] if b["pid"] == pid), None)
    return [(m["from"], m["text"]) for m in box["messages"]] if box else []


def inspector_sees_the_queue(ctx):
    """Run to every send and receive of mailcheck: each is in the event
    ring with its partner and the message's length, and at each stop the
    parent's queue (read from kernel memory) holds exactly the notes sent
    and not yet received, in order."""
    s = ctx.inspect()
    s.type("/grade/mailcheck\n")
    notes = [f"note {i}" for i in range(NOTES)]
    sends = list(s.events("mail_send", until="mailcheck: child", most=NOTES))
    if len(sends) != NOTES:
        return (f"the child sent {NOTES} messages but the inspector stopped at {len(sends)} "
                "sends: log each with event_log(EV_MAIL_SEND, ...)")
    child = sends[0][1]["pid"]
    for k, (snap, ev) in enumerate(sends):
        parent = field(ev, "to")
        if ev["pid"] != child or field(ev, "len") != len(notes[k]):
            return f"send event {k}: {ev} (expected pid {child}, length {len(notes[k])})"
        if queue(snap, parent) != [(child, n) for n in notes[:k + 1]]:
            return (f"after send {k} the receiver's queue holds {queue(snap, parent)}, "
                    f"expected {notes[:k + 1]} from pid {child}")
    recvs = list(s.events("mail_recv", until="mailcheck: done", most=NOTES))
    if len(recvs) != NOTES:
        return (f"the parent received {NOTES} messages but the inspector stopped at "
                f"{len(recvs)} receives: log each with event_log(EV_MAIL_RECV, ...)")
    for k, (snap, ev) in enumerate(recvs):
        # logged just before or just after the message leaves the queue
        held = queue(snap, ev["pid"])
        if field(ev, "len") != len(notes[k]):
            return (f"receive event {k}: {ev} (expected length {len(notes[k])}, the "
                    "message's length, not the buffer's)")
        if field(ev, "from") != child or held not in ([(child, n) for n in notes[k:]],
                                                        [(child, n) for n in notes[k + 1:]]):
            return (f"at receive {k} ({ev}) the queue holds {held}, expected "
                    f"{notes[k + 1:]} (or {notes[k:]} if logged first) from pid {child}")
    s.command("continue")
    s.wait_console("mailcheck: done")
    got = re.findall(r"mailcheck: got '([^']*)' from (\d+)", s.console)
    if [g for g, _ in got] != notes or any(int(p) != child for _, p in got):
        return f"mailcheck received {got}, expected {notes} from pid {child}"
    return None


def pingpong_plays(ctx):
    out = ctx.shell("pingpong 6")
    got = len([ln for ln in out.splitlines() if " got " in ln])
    if got == 7 and "pingpong: done" in out:
        return None
    return f"pingpong: {got} of 7 balls received: " + out.strip()[-200:]


CHECKS = [
    Check("semantics", "send and recv: queues, MSG_DONTWAIT, errors, order (usertests "
          "mailbox); a bad pointer keeps the message", 2,
          all_of(usertests("mailbox"),
                 answers("mailcheck", "badptr",
                         [("recv into a bad buffer", "-14"),
                          ("recv with a bad sender pointer", "-14"),
                          ("the message after both", "kept")]))),
    Check("blocking", "a full queue blocks, a dead receiver releases its senders, a killed "
          "receiver or sender dies (usertests mailboxblock mailboxdead)", 2,
          all_of(usertests("mailboxblock", "mailboxdead"),
                 answers("mailcheck", "killsender",
                         [("a killed sender blocked on a full queue", "died")]))),
    Check("many", "many senders: nothing lost or duplicated (usertests mailboxmany)", 1,
          usertests("mailboxmany")),
    Check("inspect", "every send and receive is logged; the queue in kernel memory matches",
          2, inspector_sees_the_queue, limit=40),
    Check("pingpong", "pingpong bats a counter through two mailboxes", 1, pingpong_plays),
]
