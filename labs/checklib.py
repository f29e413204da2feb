"""What a lab's checks.py builds its checks from (labs/grade.py runs them)."""

import os
import re
import shutil
import subprocess

CROSS = os.environ.get("CROSS", "riscv64-unknown-elf-")


class Check:
    """One graded check. run(ctx) returns None when it passes, else the
    reason (a sentence a student can act on); ctx is a grade.Context.
    limit: seconds. regression: the starter already passes it (the rest of
    the kernel must keep working); the other checks are the lab's own work,
    and the starter must fail them. live: the rule of web/lib/labrules.js
    by which the workbench's Lab tab judges the check at each snapshot
    (labs/checklist.py), or None."""

    def __init__(self, name, title, points, run, limit=30, regression=False, live=None):
        self.name, self.title, self.points, self.run = name, title, points, run
        self.limit, self.regression, self.live = limit, regression, live


FAILED = re.compile(r"test \S+: FAILED.*")
KILLED = re.compile(r"pid \d+ \(.*\): killed by .*")


def usertests_failures(out):
    """usertests' own line for each test that failed (it says what the test
    saw), after the kernel's line that says what killed the test's process
    when it was killed."""
    lines = out.replace("\r", "").split("\n")
    found = []
    for before, line in zip([""] + lines, lines):
        failed = FAILED.search(line)
        if failed:
            killed = "was killed" in line and KILLED.search(before)
            found += ([killed.group(0)] if killed else []) + [failed.group(0)]
    return found


def usertests(*cases):
    """A check's run: `usertests CASES` in a fresh boot must pass them all."""
    def run(ctx):
        out = ctx.shell("usertests " + " ".join(cases))
        failed = usertests_failures(out)
        if failed:
            return "usertests failed:\n" + "\n".join(failed)
        if "ALL TESTS PASSED" in out:
            return None
        return "usertests did not finish: " + out.strip()[-300:]
    return run


def all_of(*runs):
    """A check's run: each of runs in turn; the first reason to fail fails it."""
    def run(ctx):
        return next((why for why in (r(ctx) for r in runs) if why), None)
    return run


def program_facts(ctx, program, mode):
    """{fact: answer} from a grading program that prints `PROGRAM: FACT =
    ANSWER` lines and `PROGRAM: done` (`/grade/PROGRAM MODE`), or (None, why)."""
    out = ctx.shell(f"/grade/{program} {mode}")
    if f"{program}: done" not in out:
        return None, f"{program} {mode} did not finish: " + out.strip()[-300:]
    found = dict(re.findall(rf"^{program}: (.*?) = (-?\w+)\r?$", out, re.M))
    return found, None


def answers(program, mode, want):
    """A check's run: each fact of `/grade/PROGRAM MODE` must have its answer
    (want: [(fact, answer)])."""
    def run(ctx):
        found, why = program_facts(ctx, program, mode)
        if why:
            return why
        wrong = [f"{fact}: {found.get(fact, 'not printed')} (should be {answer})"
                 for fact, answer in want if found.get(fact) != answer]
        return "; ".join(wrong) if wrong else None
    return run

def prediction_lines(ctx, lab, line_re, form, name="prediction.txt"):
    """The matches of line_re for the lines of the submission's
    labs/LAB/NAME (prediction.txt) that are not blank or "#" comments;
    raises AssertionError naming the first line that does not match (form:
    what a line should look like)."""
    path = ctx.submission / "labs" / lab / name
    if not path.is_file():
        raise AssertionError(f"no {name}: {path} is missing")
    found = []
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = line_re.match(line.strip())
        if not m:
            raise AssertionError(f"{name} line {n}: expected '{form}', got {line.strip()!r}")
        found.append((n, m))
    return found


def matches(predict, observe, differ):
    """A check's run for a prediction lab: predict(ctx) (from the student's
    file, read first so a bad file fails fast) must equal observe(ctx)
    (from the running kernel); differ(predicted, observed) says how not."""
    def run(ctx):
        want = predict(ctx)
        got = observe(ctx)
        return None if want == got else differ(want, got)
    return run


def field(ev, name):
    """An event's payload field (docs/protocol.md) as a number: addresses come
    as "0x..." strings, counts and pids as numbers."""
    v = ev[name]
    return int(v, 16) if isinstance(v, str) else int(v)


def tool(name):
    """An e2fsprogs tool (in /sbin, which a user's PATH may lack)."""
    return shutil.which(name) or "/sbin/" + name


def debugfs(image, request, write=False):
    """debugfs -R request on image (-w: it may change it); its output."""
    return subprocess.run([tool("debugfs")] + (["-w"] if write else []) + ["-R", request,
                          str(image)], capture_output=True, timeout=60).stdout
