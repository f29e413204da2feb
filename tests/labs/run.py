#!/usr/bin/env python3
"""The labs' machinery, for every lab in labs/*/starter: the grader passes
the solution (this tree), and the starter made from it builds, boots and
passes exactly the checks that are not the lab's own. Ends with
"labs totals: passed=N failed=N"."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("BUILD", "build"))
if not BUILD.is_absolute():
    BUILD = ROOT / BUILD


def grade(lab, build):
    return subprocess.run([sys.executable, str(ROOT / "labs" / "grade.py"), lab],
                          env={**os.environ, "BUILD": str(build)}, capture_output=True,
                          text=True, timeout=600)


# How many of each lab's checks its starter passes: the lab's own checks
# must fail, and the rest of the kernel must still work around them.
STARTER_PASSES = {"cow": 4, "mailbox": 0}


def solution_passes_the_grader(lab):
    r = grade(lab, BUILD)
    assert r.returncode == 0, f"the grader failed the solution:\n{r.stdout}{r.stderr}"
    assert "FAIL" not in r.stdout, r.stdout


def starter_builds_and_fails_the_lab_checks(lab):
    work = Path(tempfile.mkdtemp(prefix="glassbox-lab-"))
    try:
        tree = work / lab
        subprocess.run([sys.executable, str(ROOT / "labs" / "make_starter.py"), lab, str(tree)],
                       check=True, capture_output=True, timeout=120)
        sources = "".join(p.read_text() for p in (tree / "kernel").glob("*.c"))
        assert f"TODO (lab {lab})" in sources and f"// LAB {lab}-" not in sources, \
            "the starter still holds the solution"
        b = subprocess.run(["make", "all", f"BUILD={tree / 'build'}"], cwd=tree,
                           capture_output=True, text=True, timeout=600)
        assert b.returncode == 0, "the starter does not build:\n" + b.stdout[-2000:] + b.stderr[-2000:]
        r = grade(lab, tree / "build")
        assert r.returncode != 0, "the grader passed the starter:\n" + r.stdout
        assert r.stdout.count("PASS ") == STARTER_PASSES[lab], \
            f"the starter should pass {STARTER_PASSES[lab]} checks:\n" + r.stdout
    finally:
        shutil.rmtree(work, ignore_errors=True)


LABS = sorted(p.parent.name for p in (ROOT / "labs").glob("*/starter"))
TESTS = [(f"{lab}: {t.__name__}", t, lab) for lab in LABS
         for t in (solution_passes_the_grader, starter_builds_and_fails_the_lab_checks)]


def main():
    passed = failed = 0
    for name, test, lab in TESTS:
        start = time.monotonic()
        try:
            test(lab)
            passed += 1
            print(f"PASS {name} ({time.monotonic() - start:.1f}s)", flush=True)
        except Exception as e:   # an assertion, or a tool that timed out
            failed += 1
            print(f"FAIL {name}: {e}", flush=True)
    print(f"labs totals: passed={passed} failed={failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
