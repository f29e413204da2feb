#!/usr/bin/env python3
"""The labs' machinery: the grader passes the solution (this tree) and the
starter made from it builds, boots and fails exactly the checks the lab asks
the student to make pass. Ends with "labs totals: passed=N failed=N"."""

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


def solution_passes_the_grader():
    r = grade("cow", BUILD)
    assert r.returncode == 0, f"the grader failed the solution:\n{r.stdout}{r.stderr}"
    assert "lab cow: 5/5 checks passed" in r.stdout, r.stdout


def starter_builds_and_fails_only_the_lab_checks():
    work = Path(tempfile.mkdtemp(prefix="glassbox-lab-"))
    try:
        tree = work / "cow"
        subprocess.run([sys.executable, str(ROOT / "labs" / "make_starter.py"), "cow", str(tree)],
                       check=True, capture_output=True, timeout=120)
        vm = (tree / "kernel" / "vm.c").read_text()
        assert "TODO (lab cow)" in vm and "LAB cow" not in vm, "the starter still holds the solution"
        b = subprocess.run(["make", "all", f"BUILD={tree / 'build'}"], cwd=tree,
                           capture_output=True, text=True, timeout=600)
        assert b.returncode == 0, "the starter does not build:\n" + b.stdout[-2000:] + b.stderr[-2000:]
        r = grade("cow", tree / "build")
        assert r.returncode != 0, "the grader passed the starter:\n" + r.stdout
        assert "FAIL fork shares frames and stores copy them" in r.stdout, r.stdout
        assert "PASS the kernel boots" not in r.stdout and r.stdout.count("PASS ") == 4, \
            "the starter should pass every check but the lab's own:\n" + r.stdout
    finally:
        shutil.rmtree(work, ignore_errors=True)


TESTS = [solution_passes_the_grader, starter_builds_and_fails_only_the_lab_checks]


def main():
    passed = failed = 0
    for t in TESTS:
        start = time.monotonic()
        try:
            t()
            passed += 1
            print(f"PASS {t.__name__} ({time.monotonic() - start:.1f}s)", flush=True)
        except Exception as e:   # an assertion, or a tool that timed out
            failed += 1
            print(f"FAIL {t.__name__}: {e}", flush=True)
    print(f"labs totals: passed={passed} failed={failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
