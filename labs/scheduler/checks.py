"""The scheduler lab's checks (labs/grade.py runs them; labs/scheduler/README.md
says what each means)."""

import re

from checklib import Check, all_of, answers, usertests

TOLERANCE = 0.08     # how far a child's share of the work may be from its due
WINDOW = 200         # ticks in schedcheck's window (labs/scheduler/grading/schedcheck.c)


def shares(ctx, mode, children):
    """[(child, share of the work)] from `/grade/schedcheck MODE`, or (None, why)."""
    out = ctx.shell(f"/grade/schedcheck {mode}")
    found = re.findall(r"schedcheck: child (\d) tickets -?\d+ work (\d+)", out)
    if "schedcheck: done" not in out or len(found) != children:
        return None, f"schedcheck {mode} did not finish: " + out.strip()[-300:]
    work = {int(c): int(w) for c, w in found}
    total = sum(work.values())
    if total == 0:
        return None, f"schedcheck {mode}: no child did any work in the window"
    return [(c, work[c] / total) for c in sorted(work)], None


def shares_near(*runs):
    """A check's run: for each (mode, due, what) of runs, child n of
    `schedcheck MODE` gets due[n] of the work done in the window, within
    TOLERANCE."""
    def run(ctx):
        for mode, due, what in runs:
            got, why = shares(ctx, mode, len(due))
            if why:
                return why
            if any(abs(share - due[c]) > TOLERANCE for c, share in got):
                said = ", ".join(f"child {c} {share:.2f} (due {due[c]:.2f})" for c, share in got)
                return f"{what}: the shares of the CPU were {said}"
        return None
    return run


def naps_are_free(ctx):
    """A child that naps a tick after each unit of work never uses up a
    quantum, so it is never charged: beside a CPU-bound child with 10 times
    its tickets it still runs at (nearly) every wake-up, once a tick. A
    kernel that charges at the pick makes it wait for its turn, 1 in 11."""
    out = ctx.shell("/grade/schedcheck naps")
    m = re.search(r"schedcheck: child 1 tickets 1 work (\d+)", out)
    if "schedcheck: done" not in out or not m:
        return "schedcheck naps did not finish: " + out.strip()[-300:]
    if int(m.group(1)) < WINDOW // 2:
        return (f"a child that naps a tick after each unit of work did {m.group(1)} units in "
                f"{WINDOW} ticks beside a CPU-bound one with 10 times its tickets: it was "
                "charged for quanta it never used up (charge in yield(), not in pick())")
    return None


CHECKS = [
    Check("fair", "tickets 1:2:3 get the CPU in the ratio 1:2:3; ties go to the smaller pid", 3,
          all_of(shares_near(("fair", [1 / 6, 2 / 6, 3 / 6],
                              "three CPU-bound children with 1, 2 and 3 tickets")),
                 answers("schedcheck", "ties", [("ties go to", "older")])), limit=25),
    Check("late", "a process forked late gets its share, not the CPU", 2,
          shares_near(("late", [1 / 4, 1 / 4, 1 / 2],
                       "a child with 2 tickets forked after two with 1 ran for 1.5 s")),
          limit=20),
    Check("sleep", "a process that slept gets its share, not the CPU, and naps are free", 2,
          all_of(shares_near(("sleep", [1 / 2, 1 / 4, 1 / 4],
                              "a child with 2 tickets woken after 1.5 s asleep, beside two "
                              "with 1"),
                             ("woken", [1 / 2, 1 / 2],
                              "a child woken after 1.5 s asleep, beside one running child")),
                 naps_are_free),
          limit=35),
    Check("equal", "equal tickets share equally (already true)", 1,
          shares_near(("equal", [1 / 3, 1 / 3, 1 / 3],
                       "three CPU-bound children with the same tickets")),
          limit=20, regression=True),
    Check("usertests", "usertests sleep kill preempt forkfull pipe pipeeof", 1,
          usertests("sleep", "kill", "preempt", "forkfull", "pipe", "pipeeof"),
          limit=30, regression=True),
]
