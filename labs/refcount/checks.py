"""The refcount lab's checks: the student's labs/refcount/prediction.txt
against the COW faults on /grade/refprog's page, watched through the
inspector (labs/refcount/README.md). Needs a working cow lab."""

import re

from checklib import Check, field, matches, prediction_lines
from inspect_session import frame, mapping

LINE = re.compile(r"^([PAGBC])\s+(\d+)\s+(copy|reuse)$")


def predicted(ctx):
    return [(m.group(1), int(m.group(2)), m.group(3))
            for _, m in prediction_lines(ctx, "refcount", LINE, "WHO REFCOUNT copy|reuse")]


def observe(ctx):
    """[(who, refcount before, copy|reuse)] for every COW fault on the page.
    At each stop the frame the page had is the one the previous stop's
    snapshot shows; its refcount just before the fault is its refcount now,
    plus the one reference a copy dropped."""
    s = ctx.inspect()
    s.type("/grade/refprog\n")
    seen, prev = [], None
    for snap, ev in s.events("cow_fault", until="refprog: done", most=256):
        pid, va, pa = ev["pid"], field(ev, "va") & ~0xFFF, field(ev, "new_pa")
        before = mapping(prev, pid, va) if prev else None
        if before is not None:
            old = int(before["pa"], 16)
            held = (frame(snap, old) or {"refcount": 0})["refcount"]
            seen.append((pid, va, held + (pa != old), "copy" if pa != old else "reuse"))
        else:
            seen.append((pid, va, None, None))
        prev = snap
    s.wait_console("refprog: done")     # every "X is pid N" line is in by now
    page = int(re.search(r"refprog: page at 0x([0-9a-f]+)", s.console).group(1), 16)
    names = {int(n): w for w, n in re.findall(r"refprog: (\w) is pid (\d+)", s.console)}
    faults = [(names.get(pid, f"pid {pid}"), count, action)
              for pid, va, count, action in seen if va == page]
    if not faults:
        raise AssertionError("no COW fault on refprog's page: this lab needs the cow lab done")
    if any(count is None for _, count, _ in faults):
        raise AssertionError("the grader could not see the page before one of its faults")
    return faults


def compare(what, part):
    return matches(lambda ctx: [part(f) for f in predicted(ctx)],
                   lambda ctx: [part(f) for f in observe(ctx)],
                   lambda want, got: f"{what}: you predicted {want}; the kernel did {got}")


CHECKS = [
    Check("order", "who faults on the page, in order", 1,
          compare("the processes that fault", lambda f: f[0]), limit=60),
    Check("refcount", "the frame's refcount at each fault", 3,
          compare("the refcounts before each fault", lambda f: (f[0], f[1])), limit=60),
    Check("action", "copy or reuse at each fault", 2,
          compare("what each fault did", lambda f: (f[0], f[2])), limit=60),
]
