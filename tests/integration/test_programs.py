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
