"""The traps lab's checks (labs/grade.py runs them; labs/traps/README.md
says what each means)."""

import re

from checklib import Check, usertests

ROUNDS = 6      # labs/traps/grading/alarmcheck.c


def alarmcheck(ctx, mode):
    """The output of `/grade/alarmcheck MODE`, or (None, why)."""
    out = ctx.shell(f"/grade/alarmcheck {mode}")
    if "alarmcheck: done" not in out:
        return None, f"alarmcheck {mode} did not finish: " + out.strip()[-300:]
    refused = re.search(r"alarmcheck: (sigalarm\(\d+\) returned -?\d+)", out)
    if refused:
        return None, f"alarmcheck {mode}: {refused.group(1)}"
    return out, None


def first_call_waits(out):
    """None if sigalarm(50, h) made no call in its first 10 ticks, both in a
    new process and after sigalarm(0, 0); else why."""
    for when in ("in a new process", "after sigalarm(0, 0)"):
        m = re.search(r"alarmcheck: (\d+) calls in the first 10 ticks of sigalarm\(50\) "
                      + re.escape(when), out)
        if not m:
            return "alarmcheck periodic printed no count: " + out.strip()[-300:]
        if int(m.group(1)):
            return (f"sigalarm(50, handler) {when} called the handler within 10 ticks: "
                    "the first call must come n ticks after sigalarm(n, ...)")
    return None


def periodic(ctx):
    out, why = alarmcheck(ctx, "periodic")
    if why:
        return why
    why = first_call_waits(out)
    if why:
        return why
    m = re.search(r"alarmcheck: (\d+) calls in (\d+) ticks", out)
    stopped = re.search(r"alarmcheck: (\d+) calls after sigalarm\(0, 0\)", out)
    if not m or not stopped:
        return "alarmcheck periodic printed no count: " + out.strip()[-300:]
    calls, ticks = int(m.group(1)), int(m.group(2))
    # At most one call per 2 ticks; at least a quarter of them even when the
    # host is so busy that many ticks land while the process is in the kernel.
    if calls > ticks // 2 + 2:
        return (f"sigalarm(2, handler) called the handler {calls} times in {ticks} ticks: "
                "more than once every 2 ticks")
    # The kernel takes interrupts only in the scheduler, so a spinning
    # process takes every tick in user mode: a right kernel makes 50 calls
    # in 100 ticks; one every 3 ticks (a count off by one) makes 33.
    if calls < max(5, ticks * 2 // 5):
        return (f"sigalarm(2, handler) called the handler {calls} times in {ticks} ticks "
                "(expected one every 2 ticks)")
    if int(stopped.group(1)):
        return f"after sigalarm(0, 0) the handler was still called {stopped.group(1)} times"
    failed = re.search(r"alarmcheck: (sigreturn\(\) after sigalarm\(0, 0\) in the handler "
                       r"returned -?\d+)", out)
    if failed:
        return failed.group(1)
    once = re.search(r"alarmcheck: (\d+) calls of a handler that turns the alarm off", out)
    if not once or int(once.group(1)) != 1:
        return ("a handler that calls sigalarm(0, 0) was called "
                f"{once.group(1) if once else 'an unknown number of'} times, not once")
    return None


def registers(ctx):
    out, why = alarmcheck(ctx, "registers")
    if why:
        return why
    wrong = re.findall(r"alarmcheck: round \d+: (x\d+ is \w+, was \w+|the handler never ran)",
                       out)
    if wrong:
        return "after sigreturn: " + "; ".join(wrong[:6])
    intact = len(re.findall(r"round \d+: all registers intact", out))
    if intact != ROUNDS:
        return f"{intact} of {ROUNDS} rounds had all registers intact: " + out.strip()[-300:]
    return None


def reentry(ctx):
    out, why = alarmcheck(ctx, "reentry")
    if "entered again" in (out or why):
        return "the handler was called again while it was running (before its sigreturn)"
    if why:
        return why
    m = re.search(r"alarmcheck: (\d+) slow calls", out)
    if not m or int(m.group(1)) < 3:
        return "a handler that runs for 5 ticks was not called 3 times in 300 ticks: " + \
            out.strip()[-200:]
    return None


def errors(ctx):
    out = ctx.shell("/grade/alarmcheck errors")
    m = re.search(r"sigalarm\(-1\) returned (-?\d+)", out)
    r = re.search(r"sigreturn\(\) outside a handler returned (-?\d+)", out)
    if not m or not r or "the program still runs" not in out:
        return "alarmcheck errors did not finish: " + out.strip()[-300:]
    if int(m.group(1)) != -22:
        return f"sigalarm(-1, handler) returned {m.group(1)}, not -EINVAL (-22)"
    if int(r.group(1)) != -22:
        return f"sigreturn() outside a handler returned {r.group(1)}, not -EINVAL (-22)"
    return None


CHECKS = [
    Check("periodic", "the handler runs every n ticks, the first call n ticks after sigalarm, "
          "and no more after sigalarm(0, 0)", 2, periodic),
    Check("registers", "sigreturn gives back every register as it was", 3, registers),
    Check("reentry", "a running handler is not called again", 2, reentry),
    Check("errors", "sigalarm(-1) and sigreturn() outside a handler are -EINVAL", 1, errors),
    Check("preempt", "timer ticks still preempt and wake (usertests preempt sleep kill)", 1,
          usertests("preempt", "sleep", "kill"), limit=60, regression=True),
]
