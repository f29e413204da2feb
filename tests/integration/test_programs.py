"""The user test programs: cowtest, forktest, usertests, pingpong, shmdemo, memhog."""

import re
import time

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


def ps_rows(g):
    """`ps` as {name: [(pid, size in bytes), ...]}."""
    rows = {}
    for ln in g.run("ps").splitlines():
        f = ln.split()
        if len(f) == 5 and f[0].isdigit():
            rows.setdefault(f[4], []).append((int(f[0]), int(f[3])))
    return rows


@test(timeout=60)
def memhog_holds_until_killed(g):
    """`memhog 24 &` says it holds 24 MiB, `ps` shows a process that big until
    `kill`; in the foreground ^C ends it; more than the RAM is refused with a
    clear message and given back; a bad argument gets the usage line."""
    g.expect_nothing_pending()
    g.send("memhog 24 &\n")
    g.expect(re.compile(r"memhog: 24 MiB allocated and touched \(6144 pages"), 20,
             what="memhog saying it holds 24 MiB")
    hogs = ps_rows(g).get("memhog", [])
    g.check(len(hogs) == 1 and hogs[0][1] >= 24 * 1024 * 1024,
            f"`ps` does not show one memhog of at least 24 MiB: {hogs!r}")
    g.run(f"kill {hogs[0][0]}")
    # kill returns before the process has run to its exit (on a busy host
    # the `ps` after it may come first)
    deadline = time.monotonic() + 10
    while "memhog" in ps_rows(g) and time.monotonic() < deadline:
        time.sleep(0.2)
    g.check("memhog" not in ps_rows(g), "memhog still runs 10 s after `kill`")

    g.expect_nothing_pending()
    g.send("memhog 4\n")
    g.expect("memhog: 4 MiB allocated and touched", 20, what="memhog 4 in the foreground")
    g.send("\x03")
    g.expect(re.compile(r"\$ "), 10, what="the prompt after ^C ended memhog")
    g.check("memhog" not in ps_rows(g), "memhog still runs after ^C")

    out = g.run("memhog 200", timeout=30)
    m = re.search(r"memhog: out of memory after (\d+) of 200 MiB", out)
    g.check(m and 64 < int(m.group(1)) < 128,
            f"memhog 200 on 128 MiB of RAM: expected 'out of memory after N of 200 MiB': {out!r}")
    out = g.run("memhog 24 &")
    g.expect("memhog: 24 MiB allocated and touched", 20,
             what="memhog 24 again: the memory memhog 200 took was given back")
    for bad in ("memhog", "memhog lots", "memhog -1", "memhog 99999"):
        out = g.run(bad)
        g.check("usage: memhog MiB" in out, f"`{bad}` printed {out!r}, not the usage line")


@test(timeout=60)
def crash_is_killed_by_its_page_fault(g):
    out = g.run("crash", timeout=30)
    g.check("killed by store page fault" in out and "stval=0x00000000" in out,
            f"crash was not killed by a store page fault at 0: {out!r}")
    g.check("went through" not in out, "the store to address 0 went through")
