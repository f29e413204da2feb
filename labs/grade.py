#!/usr/bin/env python3
"""grade.py LAB: grade a lab on the kernel built in $BUILD (default build/):
boot it in QEMU, run the lab's checks at the console, print one line per
check and "lab LAB: N/M checks passed"; exit status 0 only if all pass."""

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from glassbox import Guest, GuestError  # noqa: E402


def cowtest_shares_and_copies(g):
    out = g.run("cowtest", timeout=60)
    shared = re.search(r"fork shared (-?\d+) frames, child's writes copied (-?\d+) frames", out)
    if not shared or int(shared.group(1)) <= 0:
        return False, "fork should share the frames, not copy them (see cowtest's first line)"
    if int(shared.group(2)) <= 0:
        return False, "the child's writes should copy the frames they touch"
    return "cowtest: OK" in out, "cowtest did not print 'cowtest: OK'"


def usertests_cases(*names):
    def check(g):
        out = g.run("usertests " + " ".join(names), timeout=120)
        failed = re.findall(r"test (\S+): FAILED[^\n]*", out)
        if failed:
            return False, "failed: " + ", ".join(failed)
        return "ALL TESTS PASSED" in out, "usertests did not finish"
    check.__name__ = "usertests " + " ".join(names)
    return check


def forktest_recovers(g):
    out = g.run("forktest", timeout=60)
    return "forktest: OK" in out, "forktest did not print 'forktest: OK'"


def pingpong_plays(g):
    out = g.run("pingpong 6", timeout=30)
    got = len([ln for ln in out.splitlines() if " got " in ln])
    return got == 7 and "pingpong: done" in out, f"pingpong: {got} of 7 balls received"


LABS = {
    "mailbox": [
        ("send and recv: queues, MSG_DONTWAIT, errors, order", usertests_cases("mailbox")),
        ("blocking: a full queue, a dead receiver, a killed receiver",
         usertests_cases("mailboxblock", "mailboxdead")),
        ("many senders: nothing lost or duplicated", usertests_cases("mailboxmany")),
        ("pingpong bats a counter through two mailboxes", pingpong_plays),
    ],
    "cow": [
        ("fork shares frames and stores copy them (cowtest)", cowtest_shares_and_copies),
        ("parent and child see only their own writes; fork of fork; many children",
         usertests_cases("cowprivate", "cowforkfork", "cowmany")),
        ("the kernel's own stores (copyout) break COW too", usertests_cases("cowcopyout")),
        ("fork until the process table is full, no frame leaked", forktest_recovers),
        ("sbrk, faults and bad pointers still behave", usertests_cases("sbrkneg", "sbrkfull",
                                                                        "faults", "badptr")),
    ],
}


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in LABS:
        sys.exit(f"usage: grade.py LAB   (labs: {', '.join(LABS)})")
    lab = sys.argv[1]
    passed = 0
    checks = LABS[lab]
    with Guest(f"grade-{lab}") as g:
        try:
            g.boot()
        except GuestError as e:
            print(f"FAIL the kernel boots to the shell: {e.message}")
            print(f"lab {lab}: 0/{len(checks)} checks passed")
            return 1
        for title, check in checks:
            try:
                ok, why = check(g)
            except GuestError as e:
                ok, why = False, e.message
            passed += ok
            print(("PASS " if ok else "FAIL ") + title + ("" if ok else f": {why}"), flush=True)
    print(f"lab {lab}: {passed}/{len(checks)} checks passed")
    return 0 if passed == len(checks) else 1


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
