"""The syscall lab's checks (labs/grade.py runs them; labs/syscall/README.md
says what each means)."""

import re

from checklib import Check, usertests

TRACED = re.compile(r"^(\d+): syscall (\w+) -> (-?\d+)\r?$", re.M)
EXPECT = re.compile(r"^tracecheck: expect (\d+) (\w+) (-?\d+)\r?$", re.M)


def by_pid(pattern, out):
    lines = {}
    for pid, name, result in pattern.findall(out):
        lines.setdefault(int(pid), []).append(f"{name} -> {result}")
    return lines


def tracecheck(mode, what):
    """A check's run: `/grade/tracecheck MODE` must make the kernel print,
    for each process, exactly the traced calls the program says it made."""
    def run(ctx):
        out = ctx.shell(f"/grade/tracecheck {mode}")
        if "tracecheck: done" not in out:
            return f"tracecheck {mode} did not finish: " + out.strip()[-300:]
        failed = re.search(r"^tracecheck: (trace\(.*|exec failed)\r?$", out, re.M)
        if failed:
            return f"tracecheck {mode}: {failed.group(1)}"
        want, got = by_pid(EXPECT, out), by_pid(TRACED, out)
        if not want:
            return f"tracecheck {mode} made no traced call: " + out.strip()[-300:]
        for pid in sorted(set(want) | set(got)):
            if want.get(pid, []) != got.get(pid, []):
                return (f"{what}: for pid {pid} the kernel printed {got.get(pid, [])}, but the "
                        f"traced calls were {want.get(pid, [])} ('tracecheck {mode}')")
        return None
    return run


def untraced_is_silent(ctx):
    out = ctx.shell("ls /grade")
    if TRACED.search(out):
        return "a process that never called trace() had its calls printed: " + out.strip()[-200:]
    return None


CHECKS = [
    Check("mask", "only the calls in the mask are printed, with pid and result", 2,
          tracecheck("only", "trace(1 << SYS_getpid)")),
    Check("results", "results are the call's own, errors as negative numbers", 2,
          tracecheck("results", "open, dup and close traced")),
    Check("names", "every call below 32 is printed with its name", 2,
          tracecheck("names", "every call traced")),
    Check("fork", "a child is traced as its parent; its own trace(0) is its own", 2,
          tracecheck("fork", "getpid and wait traced, then fork")),
    Check("exec", "the mask survives exec, and exec is printed with its result", 1,
          tracecheck("exec", "getpid and exec traced, then exec")),
    Check("silent", "processes that never call trace print nothing", 1, untraced_is_silent,
          regression=True),
    Check("calls", "the other system calls still behave (usertests nosys execargs exitstatus)", 1,
          usertests("nosys", "execargs", "exitstatus"), limit=60, regression=True),
]
