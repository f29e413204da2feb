#!/usr/bin/env python3
"""grade.py LAB [--submission DIR] [--jobs N]
   grade.py LAB --all DIR [--csv FILE] [--jobs N]

Grades a lab (labs/README.md). The grader is this tree: its labs/LAB/checks.py
says what is checked and for how many points, its labs/LAB/grading/*.c are the
test programs (under /grade/ in the disk image), its user programs fill the
image's /bin, and its inspector daemon reads the kernel's state. From the
submission (DIR, default this tree) only the kernel is taken (built quietly
in its own build/, the compiler's output in a log there), and the user
programs a lab grades (STUDENT_PROGRAMS: built with this tree's library
over the image's /bin/), and a prediction lab's prediction.txt.

Every check boots its own QEMU, has its own time limit and its own
transcript; a failure prints the reason and the transcript's path. Prints
"lab LAB: P/M points" last; exit status 0 only with full marks.

With --all, every directory in DIR is a submission: one line per student on
screen, and a CSV (default build/labs/LAB/grades.csv) with one row per
student and one column of points per check."""

import argparse
import csv
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.dont_write_bytecode = True
sys.path.insert(0, str(ROOT / "tests" / "integration"))
sys.path.insert(0, str(ROOT / "tests" / "inspector"))
sys.path.insert(0, str(ROOT / "labs"))
from glassbox import Guest, GuestError  # noqa: E402

BUILD = Path(os.environ.get("BUILD", "build"))
if not BUILD.is_absolute():
    BUILD = ROOT / BUILD


class Context:
    """What a check may use: a fresh boot (boot()), the inspector (inspect(),
    labs/inspect_session.py), the kernel ELF, the submission's tree. Everything it starts is closed when the
    check ends, or when its time limit runs out."""

    def __init__(self, lab, submission, kernel, image, log):
        self.lab, self.submission, self.kernel = lab, submission, kernel
        self.image, self.log = image, log
        self.deadline = None
        self._open = []
        self._lock = threading.Lock()

    def _track(self, thing):
        with self._lock:
            self._open.append(thing)
        return thing

    def left(self):
        return max(0.0, self.deadline - time.monotonic())

    def boot(self, disk=None, extra_args=(), part=""):
        """A booted Guest on a copy of the grading image, or of disk, or with
        the disk extra_args give (e.g. a CacheDisk's); its transcript is the
        check's (another boot of the check names its part: NAME-part.log)."""
        g = self._track(Guest(self.log.stem + (part and "-" + part), kernel=self.kernel,
                              disk=disk or (None if extra_args else self.image),
                              extra_args=extra_args,
                              log_dir=self.log.parent, hard_timeout=self.left()))
        g.boot()
        return g

    def shell(self, cmd, timeout=None):
        """Boot, run one shell command, return its output."""
        g = self.boot()
        return g.run(cmd, timeout=timeout or self.left())

    def inspect(self):
        from inspect_session import Session
        return self._track(Session(self))

    def close(self):
        with self._lock:
            things, self._open = self._open, []
        for t in things:
            t.close()


def load_checks(lab):
    return load_lab(lab).CHECKS


def load_lab(lab):
    """labs/LAB/checks.py: CHECKS, and STUDENT_PROGRAMS if the lab grades
    user programs of the submission."""
    path = ROOT / "labs" / lab / "checks.py"
    if not path.is_file():
        sys.exit(f"grade: no lab {lab!r} (labs/{lab}/checks.py); labs: {', '.join(labs())}")
    spec = importlib.util.spec_from_file_location(f"checks_{lab}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def labs():
    return sorted(p.parent.name for p in (ROOT / "labs").glob("*/checks.py"))


def run_check(check, ctx):
    ctx.deadline = time.monotonic() + check.limit
    result = {}

    def body():
        try:
            result["why"] = check.run(ctx)
        except GuestError as e:
            result["why"] = e.message
        except AssertionError as e:      # the inspector session's failures
            result["why"] = str(e)
        except Exception as e:           # a grader bug must cost one check, not all
            result["why"] = f"the grader failed: {type(e).__name__}: {e}"

    t = threading.Thread(target=body, daemon=True)
    t.start()
    t.join(check.limit + 5)
    ctx.close()
    t.join(10)
    if "why" not in result:
        return f"time limit ({check.limit}s) reached"
    return result["why"]


def quiet_make(args, cwd, log):
    """make, its output to log; None if it worked, else the lines that say why."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as f:
        r = subprocess.run(["make", "-s", "--no-print-directory", "-j2"] + args, cwd=cwd,
                           stdout=f, stderr=subprocess.STDOUT, timeout=900)
    if r.returncode == 0:
        return None
    lines = log.read_text(errors="replace").splitlines()
    errors = [ln for ln in lines if re.search(r"error|Error|undefined", ln)]
    return "\n".join((errors or lines)[-12:])


def prepare_grader(lab, out):
    """Build this tree and its grading image for lab; returns the image."""
    why = quiet_make(["all", "lab-image", f"LAB={lab}"], ROOT, out / "grader-build.log")
    if why:
        sys.exit(f"grade: this tree does not build ({out / 'grader-build.log'}):\n{why}")
    return BUILD / "labs" / lab / "fs.img"


def build_kernel(submission):
    """The submission's kernel, built in its own build/ (as its student
    builds it); (path, None) or (None, why)."""
    if submission == ROOT:
        return BUILD / "kernel" / "kernel.elf", None     # built by prepare_grader
    log = submission / "build" / "grade-build.log"
    why = quiet_make(["BUILD=build", "kernel"], submission, log)
    if why:
        return None, f"the kernel does not build (the compiler's output: {rel(log)}):\n{why}"
    return submission / "build" / "kernel" / "kernel.elf", None


def rel(p):
    try:
        return str(Path(p).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(p)


def student_image(lab, programs, submission, image, out):
    """The grading image with the submission's own user programs in /bin;
    (path, None) or (None, why)."""
    if not programs:
        return image, None
    log = out / "programs-build.log"
    why = quiet_make(["lab-student-image", f"LAB={lab}", f"SUBMISSION={submission}",
                      f"STUDENT_DIR={out}", f"STUDENT_PROGS={' '.join(programs)}"], ROOT, log)
    if why:
        return None, f"your programs do not build (the compiler's output: {rel(log)}):\n{why}"
    return out / "fs.img", None


def grade(lab, checks, submission, logs, image, jobs, show=True, programs=(), until_lost=False):
    """Grade one submission (the transcripts in logs; its user programs
    named in programs go over the image's); returns {check name: points}.
    until_lost: stop at the first check that loses points (the checks not
    started are left out): for proving a wrong kernel, not for grades."""
    if logs.exists():
        shutil.rmtree(logs)
    logs.mkdir(parents=True)
    image, why = student_image(lab, programs, submission, image, logs.parent / "student")
    kernel, why = (None, why) if why else build_kernel(submission)
    if why:
        if show:
            print(f"FAIL  build: {why}")
        return {c.name: 0 for c in checks}
    contexts = [Context(lab, submission, kernel, image, logs / f"{i + 1:02d}-{c.name}.log")
                for i, c in enumerate(checks)]
    got = {}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(run_check, c, ctx) for c, ctx in zip(checks, contexts)]
        for c, ctx, fut in zip(checks, contexts, futures):
            if until_lost and any(got[k.name] < k.points for k in checks if k.name in got):
                for later in futures:
                    later.cancel()   # those running finish (and close their QEMU)
                break
            why = fut.result()
            got[c.name] = 0 if why else c.points
            if show:
                mark = f"{got[c.name]}/{c.points}"
                print(f"{'FAIL' if why else 'PASS'} {mark:>5}  {c.title}", flush=True)
                if why:
                    for line in why.splitlines():
                        print(f"            {line}")
                    print(f"            transcript: {rel(ctx.log)}", flush=True)
    return got


def main():
    ap = argparse.ArgumentParser(description="Grade a Glassbox lab.")
    ap.add_argument("lab")
    ap.add_argument("--submission", type=Path, help="the tree to grade (default: this one)")
    ap.add_argument("--all", type=Path, metavar="DIR", help="grade every repository in DIR")
    ap.add_argument("--csv", type=Path, help="with --all: where the grades go")
    ap.add_argument("--jobs", type=int, default=2, help="checks run at once (default 2)")
    ap.add_argument("--until-lost", action="store_true",
                    help="stop at the first check that loses points (proving a wrong kernel)")
    a = ap.parse_args()
    lab = load_lab(a.lab)
    checks, programs = lab.CHECKS, getattr(lab, "STUDENT_PROGRAMS", ())
    total = sum(c.points for c in checks)
    out = BUILD / "labs" / a.lab
    image = prepare_grader(a.lab, out)

    if a.all is None:
        sub = (a.submission or ROOT).resolve()
        if not (sub / "kernel").is_dir():
            sys.exit(f"grade: {sub} is not a Glassbox tree (no kernel/)")
        logs = out / "logs" if sub == ROOT else out / "submissions" / sub.name / "logs"
        print(f"lab {a.lab}: grading {sub}", flush=True)
        got = grade(a.lab, checks, sub, logs, image, a.jobs, programs=programs,
                    until_lost=a.until_lost)
        print(f"lab {a.lab}: {sum(got.values())}/{total} points" +
              (f" ({len(checks) - len(got)} checks not run)" if len(got) < len(checks) else ""))
        return 0 if sum(got.values()) == total else 1

    subs = sorted(p for p in a.all.iterdir() if p.is_dir()) if a.all.is_dir() else []
    if not subs:
        sys.exit(f"grade: no submissions (directories) in {a.all}")
    table = a.csv or out / "grades.csv"
    table.parent.mkdir(parents=True, exist_ok=True)
    with open(table, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student"] + [c.name for c in checks] + ["total"])
        w.writerow(["(max)"] + [c.points for c in checks] + [total])
        for sub in subs:
            logs = out / "submissions" / sub.name / "logs"
            got = grade(a.lab, checks, sub.resolve(), logs, image, a.jobs, show=False,
                        programs=programs)
            w.writerow([sub.name] + [got[c.name] for c in checks] + [sum(got.values())])
            f.flush()
            lost = [c.name for c in checks if got[c.name] < c.points]
            print(f"{sub.name}: {sum(got.values())}/{total}" +
                  (f" (lost: {', '.join(lost)})" if lost else ""), flush=True)
    print(f"lab {a.lab}: {len(subs)} submissions graded into {rel(table)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
