"""The user test programs: cowtest, forktest and usertests."""

from glassbox import test


@test(timeout=90)
def cowtest(g):
    out = g.run("cowtest", timeout=60)
    g.check("cowtest: OK" in out, "`cowtest` did not print 'cowtest: OK'")


@test(timeout=90)
def forktest(g):
    out = g.run("forktest", timeout=60)
    g.check("forktest: OK" in out, "`forktest` did not print 'forktest: OK'")


@test(timeout=150)
def usertests(g):
    # User faults inside usertests print one line each and kill only the
    # offender; a kernel panic anywhere fails every test (run.py checks).
    out = g.run("usertests", timeout=120)
    g.check("ALL TESTS PASSED" in out, "`usertests` did not print 'ALL TESTS PASSED'")


@test(timeout=60)
def pingpong(g):
    out = g.run("pingpong 6", timeout=30)
    lines = [ln for ln in out.splitlines() if " got " in ln]
    g.check(len(lines) == 7, f"expected 7 'got' lines (balls 0..6), saw {len(lines)}")
    for n, line in enumerate(lines):
        g.check(f"got {n} from pid" in line, f"ball {n} out of order: {line!r}")
    g.check("pingpong: done" in out, "pingpong did not finish")


@test(timeout=60)
def shmdemo(g):
    out = g.run("shmdemo 40", timeout=30)
    took = [int(ln.split("took ")[1].split()[0]) for ln in out.splitlines() if "took " in ln]
    g.check(took == [n * n for n in range(40)],
            f"the consumer took {took[:10]}..., expected the squares 0, 1, 4, ... in order")
    g.check("shmdemo: done, 40 items" in out, "shmdemo did not finish")


@test(timeout=60)
def crash_is_killed_by_its_page_fault(g):
    out = g.run("crash", timeout=30)
    g.check("killed by store page fault" in out and "stval=0x00000000" in out,
            f"crash was not killed by a store page fault at 0: {out!r}")
    g.check("went through" not in out, "the store to address 0 went through")
