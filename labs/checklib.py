"""What a lab's checks.py builds its checks from (labs/grade.py runs them)."""

import os
import re

CROSS = os.environ.get("CROSS", "riscv64-unknown-elf-")


class Check:
    """One graded check. run(ctx) returns None when it passes, else the
    reason (a sentence a student can act on); ctx is a grade.Context.
    limit: seconds. regression: the starter already passes it (the rest of
    the kernel must keep working); the other checks are the lab's own work,
    and the starter must fail them."""

    def __init__(self, name, title, points, run, limit=30, regression=False):
        self.name, self.title, self.points, self.run = name, title, points, run
        self.limit, self.regression = limit, regression


def usertests(*cases):
    """A check's run: `usertests CASES` in a fresh boot must pass them all."""
    def run(ctx):
        out = ctx.shell("usertests " + " ".join(cases))
        failed = re.findall(r"test (\S+): FAILED[^\n]*", out)
        if failed:
            return "usertests failed: " + "; ".join(failed)
        return None if "ALL TESTS PASSED" in out else "usertests did not finish"
    return run
