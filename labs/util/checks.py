"""The util lab's checks: the student's user/primes.c (built by the grader
with its own user library, over /bin/primes) run on the grading kernel
(labs/util/README.md)."""

import re

from checklib import Check
from glassbox import GuestError

STUDENT_PROGRAMS = ["primes"]


def primes_below(limit):
    return [n for n in range(2, limit) if all(n % d for d in range(2, int(n ** 0.5) + 1))]


PRIMES = primes_below(100)   # 25 of them
BIG = 10000                  # more primes below it than processes (NPROC is 64)


def printed(out):
    return [int(n) for n in re.findall(r"^prime (\d+)$", out, re.M)]


def done_once(out):
    """None if 'primes: done' comes once, after the last prime; else why not."""
    done = [m.start() for m in re.finditer(r"^primes: done$", out, re.M)]
    if len(done) != 1:
        return f"primes printed 'primes: done' {len(done)} times, expected once, at the end"
    last = [m.start() for m in re.finditer(r"^prime \d+$", out, re.M)]
    return "'primes: done' came before the last prime" if last and last[-1] > done[0] else None


def prints_the_primes(ctx):
    out = ctx.shell("primes")
    got = printed(out)
    if got != PRIMES:
        return f"primes printed {got}, expected the 25 primes below 100 in order"
    return done_once(out)


def prints_them_for_other_limits(ctx):
    g = ctx.boot()
    for limit in (2, 3, 12, 50):
        out = g.run(f"primes {limit}", timeout=ctx.left())
        want = [p for p in PRIMES if p < limit]
        if printed(out) != want:
            return f"primes {limit} printed {printed(out)}, expected {want}"
        if done_once(out):
            return f"primes {limit}: {done_once(out)}"
    return None


def one_process_per_prime(ctx):
    """Through the inspector: every fork while primes runs is made by a
    primes process, and there is one per prime (the first process starts
    the pipeline, each of the 25 stages starts the next)."""
    s = ctx.inspect()
    s.type("primes\n")
    forks = []
    for snap, ev in s.events("fork", until="primes: done", most=80):
        me = next((p for p in snap["processes"] if p["pid"] == ev["pid"]), None)
        if me and me["name"] == "primes":
            forks.append(ev["pid"])
    # the last stage may start one more, which reads nothing and exits
    if len(forks) not in (len(PRIMES), len(PRIMES) + 1):
        return (f"primes forked {len(forks)} times for the {len(PRIMES)} primes below 100: "
                "one process per prime, each starting the next")
    return None


def all_gone_after(ctx):
    """Once primes has printed them all and the shell's prompt is back, no
    primes process is left (every one exited and was waited for)."""
    s = ctx.inspect()
    s.type("primes\n")
    s.wait_console("primes: done\n$ ")
    if printed(s.console) != PRIMES:
        return f"primes printed {printed(s.console)}, expected the 25 primes below 100"
    snap = s.pause()
    left = [(p["pid"], p["state"]) for p in snap["processes"] if p["name"] == "primes"]
    return f"after primes the process table still holds {left}" if left else None


def ends_when_fork_fails(ctx):
    """primes 10000 needs more processes than NPROC: the pipeline stops
    growing where a fork fails, and must still end. The stage whose fork
    failed writes into a pipe no other process reads: its writes fail, and
    it gets to the end of its input, only if it closed that pipe's read end
    (else it fills the pipe and waits for ever)."""
    g = ctx.boot()
    try:
        out = g.run(f"primes {BIG}", timeout=ctx.left() - 5)
    except GuestError as e:
        if "timed out" not in e.message:
            raise
        return (f"primes {BIG} never ended: once the process table is full a fork fails, "
                "and a stage that holds a pipe end it does not use can wait for ever")
    got, want = printed(out), primes_below(BIG)
    wrong = next((i for i, n in enumerate(got) if i >= len(want) or n != want[i]), None)
    if wrong is not None:
        return (f"primes {BIG} printed {got[max(0, wrong - 3):wrong + 1]}, the last out of "
                "place: expected the primes from 2 on, in order")
    if len(got) < len(PRIMES):
        return (f"primes {BIG} printed only {got}: the process table has room for the "
                f"{len(PRIMES)} primes below 100 at least")
    return done_once(out)


CHECKS = [
    Check("primes", "primes prints the 25 primes below 100, in order", 2, prints_the_primes,
          limit=15),
    Check("limits", "primes 2, 3, 12 and 50", 1, prints_them_for_other_limits, limit=15),
    Check("pipeline", "one process per prime (the inspector counts the forks)", 2,
          one_process_per_prime, limit=30),
    Check("reaped", "every primes process exits and is waited for", 1, all_gone_after,
          limit=15),
    Check("table-full", f"primes {BIG}: cut short where fork fails, the pipeline still ends", 1,
          ends_when_fork_fails, limit=20),
]
