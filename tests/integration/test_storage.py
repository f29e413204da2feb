"""Storage: what the guest writes is on the disk, byte for byte, and the disk
stays consistent for e2fsck; what mke2fs put on the disk reads back exactly in
the guest; halt powers off cleanly; the shell's pipelines, redirections and
background jobs; the file tools; usertests' file-system cases, including a
full disk and running out of inodes, leave a clean disk."""

import re
import shutil
import subprocess
import time

from cachedisk import CacheDisk
from glassbox import BUILD, FSIMG, Guest, test

USER = BUILD / "user"
FSROOT = BUILD / "fsroot"

# usertests' file-system cases (the rest of usertests runs in test_programs).
FS_TESTS = ("bigfile maxfile manyfiles deepdirs unlinkopen appendtwo sharedfd concreate "
            "truncate append holes rename rmdir linkcount names mknod mtime badwrite createdir unlinkdir "
            "fsync deaddir streams readahead")


# ---------------------------------------------------------------------------
# Helpers


def debugfs(image, request):
    """Runs one debugfs request on image, read-only: (status, stdout bytes, stderr text)."""
    prog = shutil.which("debugfs") or "/sbin/debugfs"
    r = subprocess.run([prog, "-R", request, str(image)], capture_output=True, timeout=60)
    return r.returncode, r.stdout, r.stderr.decode("utf-8", errors="replace")


def guest_file(g, path):
    """The bytes of path on the guest's own disk (QEMU must be stopped), or
    None if debugfs cannot find it."""
    g.check(g.proc is None or g.proc.poll() is not None, "guest_file: QEMU still runs")
    rc, out, err = debugfs(g.image, f"cat {path}")
    if rc != 0 or "not found" in err or "File not found" in err:
        return None
    return out


def guest_links(g, path):
    """The link count debugfs reports for path on the guest's disk."""
    _, out, _ = debugfs(g.image, f"stat {path}")
    m = re.search(rb"Links:\s*(\d+)", out)
    return int(m.group(1)) if m else None


def cksum(data):
    """POSIX cksum: CRC-32 (polynomial 0x04c11db7, MSB first) of the data and
    then of its length, complemented: what the guest's cksum prints."""
    crc = 0
    length = len(data)
    tail = []
    while length:
        tail.append(length & 0xFF)
        length >>= 8
    for b in bytes(data) + bytes(tail):
        crc ^= b << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return ~crc & 0xFFFFFFFF


def expect_clean(g, when):
    rc, out = g.fsck()
    g.check(rc == 0, f"e2fsck -fn {when} exited {rc}:\n{out.strip()}")


def halt(g, timeout=15):
    """Types halt and waits for QEMU to exit; returns its exit status."""
    g.send("halt\n")
    try:
        rc = g.proc.wait(timeout)
    except subprocess.TimeoutExpired:
        g.fail(f"QEMU still runs {timeout}s after `halt`")
    g.stop()                    # lets the console reader finish
    return rc


def lines(out):
    return [ln.strip() for ln in out.splitlines() if ln.strip()]


def run_quiet(g, cmd, timeout=30.0):
    """Runs cmd, which must print nothing (no error message)."""
    out = g.run(cmd, timeout)
    g.check(out.strip() == "", f"`{cmd}` printed {out.strip()!r}")
    return out


# ---------------------------------------------------------------------------
# The disk, seen from both sides


@test(timeout=90)
def guest_writes_reach_the_disk_exactly(g):
    """Files the guest makes (echo, cat, cp, mkdir, ln, mv) read back on the
    host, after sync, with exactly the bytes written; e2fsck finds the disk
    clean."""
    big = b"".join((USER / p).read_bytes() for p in ("usertests", "sh", "cat"))
    g.check(len(big) > (12 + 256) * 1024, "the test file should reach double-indirect blocks")
    run_quiet(g, "echo hello > /tmp.txt")
    run_quiet(g, "mkdir -p /d1/d2")
    run_quiet(g, "echo nested >> /d1/d2/n.txt; echo again >> /d1/d2/n.txt")
    run_quiet(g, "cp /bin/cat /catcopy")
    run_quiet(g, "mv /catcopy /d1/cat2")
    run_quiet(g, "ln /tmp.txt /d1/link.txt")
    run_quiet(g, "cat /bin/usertests /bin/sh /bin/cat > /d1/big", timeout=60)
    run_quiet(g, "echo gone > /gone.txt; rm /gone.txt")
    run_quiet(g, "sync")
    g.stop()

    g.check(guest_file(g, "/tmp.txt") == b"hello\n", "/tmp.txt on the disk is not 'hello\\n'")
    g.check(guest_file(g, "/d1/link.txt") == b"hello\n", "/d1/link.txt is not 'hello\\n'")
    g.check(guest_links(g, "/tmp.txt") == 2, "/tmp.txt should have 2 links after ln")
    g.check(guest_file(g, "/d1/d2/n.txt") == b"nested\nagain\n",
            "/d1/d2/n.txt does not hold the two appended lines")
    cat = guest_file(g, "/d1/cat2")
    g.check(cat == (USER / "cat").read_bytes(),
            f"/d1/cat2 differs from build/user/cat ({None if cat is None else len(cat)} bytes)")
    g.check(guest_file(g, "/catcopy") is None, "/catcopy is still there after mv")
    g.check(guest_file(g, "/gone.txt") is None, "/gone.txt is still there after rm")
    got = guest_file(g, "/d1/big")
    g.check(got == big, f"/d1/big ({None if got is None else len(got)} bytes) differs "
                        f"from the {len(big)} bytes written")
    expect_clean(g, "after the guest wrote files and synced")


@test(timeout=60)
def symbolic_links_are_followed_and_removed(g):
    """ln -s makes links that cat follows (a relative one from the link's
    directory); on the host debugfs reads the fast one's target; rm removes
    links themselves, a dangling one and one to a directory too; e2fsck finds
    the disk clean."""
    run_quiet(g, "mkdir /s; ln -s /README /s/abs; ln -s ../README /s/rel")
    run_quiet(g, "ln -s /nowhere /s/dangling; ln -s /bin /s/dir; ln -s /s/abs /s/chain")
    readme = (FSROOT / "README").read_text()
    for link in ("abs", "rel", "chain"):
        out = g.run(f"cat /s/{link}")
        g.check(out.replace("\r", "").strip() == readme.strip(), f"cat /s/{link}: {out[:200]!r}")
    g.check("no such file" in g.run("cat /s/dangling"), "cat of a dangling link did not fail")
    run_quiet(g, "rm /s/dangling /s/dir")
    g.check("sh" in g.run("ls /bin/sh"), "rm of a link to /bin touched /bin")
    run_quiet(g, "sync")
    g.stop()
    out = debugfs(g.image, "stat /s/abs")[1].decode()
    g.check('Fast link dest: "/README"' in out, f"debugfs does not read /s/abs as a fast link:\n{out}")
    out = debugfs(g.image, "ls /s")[1].decode()
    g.check("dangling" not in out and "dir" not in out.split(), f"rm left links in /s: {out}")
    rc, out = g.fsck()
    g.check(rc == 0, f"e2fsck -fn exits {rc}:\n{out}")


@test(timeout=60)
def mke2fs_files_read_back_exactly(g):
    """Files that mke2fs -d put on the disk read back in the guest exactly:
    the same cksum and byte count as on the host, and /README's text."""
    names = ["README", "bin/cat", "bin/sh", "bin/usertests"]
    out = g.run("cksum " + " ".join("/" + n for n in names), timeout=60)
    got = {}
    for ln in lines(out):
        parts = ln.split()
        if len(parts) == 3:
            got[parts[2]] = (int(parts[0]), int(parts[1]))
    for n in names:
        data = (FSROOT / n).read_bytes()
        g.check(got.get("/" + n) == (cksum(data), len(data)),
                f"cksum /{n} in the guest gave {got.get('/' + n)}, "
                f"the host file has {(cksum(data), len(data))}")
    text = (FSROOT / "README").read_text()
    # run() drops the newline before the prompt, which is the file's last
    g.check(g.run("cat /README") + "\n" == text, "cat /README differs from the host's file")
    wc = lines(g.run("wc /README"))
    want = f"{text.count(chr(10))} {len(text.split())} {len(text.encode())} /README"
    g.check(len(wc) == 1 and " ".join(wc[0].split()) == want,
            f"wc /README printed {wc}, expected {want!r}")


@test(timeout=60)
def halt_powers_off_with_a_clean_disk(g):
    """halt syncs (no sync before it here) and powers QEMU off with status 0;
    what was written is on the disk and e2fsck finds it clean."""
    run_quiet(g, "mkdir /h; echo bye > /h/bye.txt; cp /README /h/readme")
    mark = g.mark()
    rc = halt(g)
    g.check("glassbox: halted" in g.output_since(mark), "halt did not say 'glassbox: halted'")
    g.check(rc == 0, f"QEMU exited with status {rc} after halt, expected 0")
    g.check(guest_file(g, "/h/bye.txt") == b"bye\n", "/h/bye.txt is not on the disk after halt")
    g.check(guest_file(g, "/h/readme") == (FSROOT / "README").read_bytes(),
            "/h/readme is not a copy of /README after halt")
    expect_clean(g, "after halt")


# ---------------------------------------------------------------------------
# The shell


@test(timeout=60)
def shell_pipelines_and_redirections(g):
    out = lines(g.run("ls /bin | grep sh"))
    g.check("sh" in out and "shmdemo" in out and "cat" not in out,
            f"`ls /bin | grep sh` printed {out}")
    g.check(lines(g.run("echo a > f; echo b >> f; cat f")) == ["a", "b"],
            "`echo a > f; echo b >> f; cat f` did not print a, b")
    g.check(lines(g.run("cat < f")) == ["a", "b"], "`cat < f` did not print a, b")
    g.check(lines(g.run("echo c > f; cat f")) == ["c"], "> did not truncate the file")
    out = " ".join(g.run("cat < f | wc").split())
    g.check(out == "1 1 2", f"`cat < f | wc` printed {out!r}, expected 1 1 2")
    out = " ".join(g.run("cat /README | grep -v Glassbox | grep -c Try").split())
    g.check(out == "1", f"a three-command pipeline printed {out!r}, expected 1")
    g.check(lines(g.run("echo \"a  b\" 'c|d;e' > q; cat q")) == ["a  b c|d;e"],
            "quoted words were not kept whole")
    run_quiet(g, "mkdir /cdtest; cd /cdtest; echo x > here; cd /")
    g.check(lines(g.run("cat /cdtest/here; cat here")) ==
            ["x", "cat: here: no such file or directory"], "cd did not change the directory")
    out = g.run("nosuchcommand")
    g.check("sh: nosuchcommand: command not found" in out,
            f"a missing command gave {out.strip()!r}")
    out = g.run("echo x > /nodir/f")
    g.check("/nodir/f: no such file or directory" in out,
            f"redirection into a missing directory gave {out.strip()!r}")
    g.check(lines(g.run("cat < /nonexistent; echo next")) ==
            ["sh: /nonexistent: no such file or directory", "next"],
            "a failed < did not report and carry on with the next command")


@test(timeout=60)
def shell_background_jobs(g):
    """`sleep 1 &` gives the prompt back at once; the job is reaped."""
    t = time.monotonic()
    out = g.run("sleep 1 &", timeout=10)
    took = time.monotonic() - t
    g.check(re.search(r"\[\d+\]", out) is not None, f"`sleep 1 &` printed {out.strip()!r}, not [pid]")
    g.check(took < 0.9, f"the prompt came back {took:.2f}s after `sleep 1 &`")
    listed = re.compile(r" sleep$", re.M)          # ps's NAME column (states say "sleeping")
    g.check(listed.search(g.run("ps")), "the background sleep is not in ps")
    time.sleep(1.5)
    out = g.run("ps")
    g.check(not listed.search(out), f"the finished background job is still listed:\n{out}")
    out = g.run("sleep 1 & echo now")
    g.check("now" in out, "the command after & did not run")


# ---------------------------------------------------------------------------
# The tools


@test(timeout=90)
def file_tools(g):
    run_quiet(g, "mkdir -p /t/a/b; mkdir -p /t/a/b; touch /t/a/b/f")
    g.check(lines(g.run("ls /t/a/b")) == [".", "..", "f"], "mkdir -p or touch went wrong")
    st = g.run("stat /t/a/b/f")
    for want in ("type: regular file", "links: 1", "size: 0", "mode: 0100644"):
        g.check(want in st, f"stat of an empty file lacks {want!r}:\n{st}")
    g.check("type: directory" in g.run("stat /t/a") and "links: 3" in g.run("stat /t/a"),
            "stat /t/a should say directory with 3 links")
    g.check(re.search(r"mtime: \d{9,}", st) is not None, f"stat shows no RTC mtime:\n{st}")

    run_quiet(g, "echo hello > /t/x; cp /t/x /t/y; cp /t/x /t/a")
    g.check(lines(g.run("cat /t/y /t/a/x")) == ["hello", "hello"], "cp did not copy")
    g.check("same file" in g.run("cp /t/x /t/x"), "cp of a file onto itself should refuse")
    g.check(lines(g.run("cat /t/x")) == ["hello"], "cp onto itself damaged the file")
    run_quiet(g, "ln /t/x /t/z")
    g.check("links: 2" in g.run("stat /t/x"), "ln did not make a second link")
    run_quiet(g, "mv /t/z /t/a/b; mv /t/y /t/w")
    g.check(lines(g.run("cat /t/a/b/z /t/w")) == ["hello", "hello"], "mv did not move")
    g.check("no such file" in g.run("cat /t/y"), "mv left the old name")
    wc = [" ".join(ln.split()) for ln in lines(g.run("wc /t/x /t/w"))]
    g.check(wc == ["1 1 6 /t/x", "1 1 6 /t/w", "2 2 12 total"], f"wc printed {wc}")

    run_quiet(g, "echo apple > /t/g; echo banana >> /t/g; echo cherry >> /t/g; echo a.b >> /t/g")
    for cmd, want in [("grep an /t/g", ["banana"]),
                      ("grep '^c.*y$' /t/g", ["cherry"]),
                      ("grep -v a /t/g", ["cherry"]),
                      ("grep -c a /t/g", ["3"]),
                      ("grep -n e /t/g", ["1:apple", "3:cherry"]),
                      ("grep 'a\\.b' /t/g", ["a.b"]),
                      ("grep -F . /t/g", ["a.b"]),
                      ("grep 'ba*n' /t/g", ["banana"]),
                      ("cat /t/g | grep ^b", ["banana"]),
                      ("grep x /t/g /t/x; echo status", ["status"])]:
        got = lines(g.run(cmd))
        g.check(got == want, f"`{cmd}` printed {got}, expected {want}")

    before = re.search(r"mtime: (\d+)", g.run("stat /t/x")).group(1)
    run_quiet(g, "sleep 1.2; touch /t/x")
    after = re.search(r"mtime: (\d+)", g.run("stat /t/x")).group(1)
    g.check(int(after) > int(before), f"touch left the mtime at {after} (was {before})")
    g.check(lines(g.run("cat /t/x")) == ["hello"], "touch changed the file's contents")

    g.check("rm: /t/a: is a directory" in g.run("rm /t/a"), "rm of a directory should refuse")
    g.check("rmdir: /t/a: directory not empty" in g.run("rmdir /t/a"), "rmdir of a full directory")
    g.check("rm: /nothing: no such file or directory" in g.run("rm /nothing"), "rm of nothing")
    run_quiet(g, "rm -f /nothing")
    run_quiet(g, "rm -r /t")
    g.check("t" not in lines(g.run("ls /")), "rm -r /t left /t")
    run_quiet(g, "sync")
    expect_clean(g, "after the file tools ran")


# ---------------------------------------------------------------------------
# usertests' file-system cases and a disk that is full


@test(timeout=180)
def usertests_fs_cases_leave_a_clean_disk(g):
    out = g.run("usertests " + FS_TESTS, timeout=150)
    g.check("ALL TESTS PASSED" in out, "usertests' file-system cases did not all pass")
    run_quiet(g, "sync")
    expect_clean(g, "after usertests' file-system cases")


@test(timeout=60)
def file_unlinked_while_open_is_freed_after_a_crash(g):
    """A file removed while a process still has it open, the removal synced,
    then QEMU killed: the next boot frees the file (the orphan list) and
    e2fsck finds no lost inode or blocks."""
    run_quiet(g, "cp /bin/sh /orphan")
    g.run("sleep 1000 < /orphan &")
    run_quiet(g, "rm /orphan")
    run_quiet(g, "sync")
    g.stop()    # killed with /orphan still open
    after = Guest(g.name + "-after", disk=g.image, hard_timeout=30)
    try:
        boot = after.boot()
        g.check("freed 1 inodes unlinked while open" in boot,
                "the boot after the crash should say it freed the orphan")
        out = after.run("ls /orphan")
        g.check("no such file" in out, f"/orphan should be gone, ls says: {out.strip()}")
        run_quiet(after, "sync")
        expect_clean(after, "after the boot that followed the crash")
    finally:
        after.close()


@test(timeout=300)
def full_disk_and_no_inodes_fail_cleanly(g):
    """usertests diskfull and inodes (run only by name): -ENOSPC, nothing
    corrupted, all well after deleting; then e2fsck finds the disk clean."""
    out = g.run("usertests diskfull inodes", timeout=270)
    g.check("ALL TESTS PASSED" in out, "usertests diskfull inodes did not pass")
    run_quiet(g, "sync")
    expect_clean(g, "after filling the disk and the inode table")


# ---------------------------------------------------------------------------
# sync and fsync reach the medium (a disk with a write cache)


@test(boot=False, timeout=60)
def sync_and_fsync_leave_nothing_in_the_disk_cache(g):
    """On a disk whose cache keeps writes until a FLUSH, `sync` (and `sync
    FILE`, an fsync) sends a FLUSH and leaves nothing in the cache when the
    command returns. (That writes do wait in the cache, and that the crash
    test fails without the FLUSH: test_crash.py.)"""
    image = g.log_path.with_suffix(".img")
    shutil.copyfile(FSIMG, image)
    with CacheDisk(image, seed=13) as disk:
        cg = Guest(g.name + "-cachedisk", disk=None, extra_args=disk.qemu_args(),
                   hard_timeout=50)
        try:
            cg.boot()
            for path, cmd in (("/f1", "sync"), ("/f2", "sync /f2")):
                writes = disk.writes
                run_quiet(cg, f"echo {path[1:]} > {path}")
                cg.check(disk.writes > writes, f"writing {path} wrote nothing to the disk")
                flushes = disk.flushes
                run_quiet(cg, cmd)
                cg.check(disk.flushes > flushes, f"`{cmd}` sent no FLUSH")
                cg.check(disk.unflushed() == 0,
                         f"{disk.unflushed()} writes still in the disk cache after `{cmd}`")
        finally:
            cg.close()
        disk.crash()       # loses nothing: everything was flushed
    for path in ("/f1", "/f2"):
        rc, out, err = debugfs(image, f"cat {path}")
        g.check(out == path[1:].encode() + b"\n", f"{path} holds {out!r} after the crash")
    rc = subprocess.run(["e2fsck", "-fn", str(image)], capture_output=True, text=True)
    g.check(rc.returncode == 0, f"e2fsck -fn after the crash exited {rc.returncode}:\n{rc.stdout}")
    image.unlink()


@test(boot=False, timeout=120)
def writes_that_fail_are_reported_and_kept(g):
    """A disk that answers every write with EIO: `sync` says it failed; a
    large write fills the buffer cache with data that will not go, and then
    the calls that need a buffer fail with an error instead of hanging in
    the cache; nothing cached is lost: once the disk works again, `sync`
    writes it all and e2fsck finds the disk clean."""
    image = g.log_path.with_suffix(".img")
    shutil.copyfile(FSIMG, image)
    with CacheDisk(image, seed=17) as disk:
        cg = Guest(g.name + "-cachedisk", disk=None, extra_args=disk.qemu_args(),
                   hard_timeout=100)
        try:
            cg.boot()
            disk.fail_writes = True
            run_quiet(cg, "echo kept > /keep")
            out = cg.run("sync")
            cg.check("sync: I/O error" in out, f"`sync` on a failing disk printed {out.strip()!r}")
            cg.check(disk.failed_writes > 0, "the disk refused no write: the test proves nothing")
            out = cg.run("cat /bin/usertests /bin/usertests > /big", timeout=60)
            cg.check("I/O error" in out, f"writing 632 KiB to a failing disk printed {out.strip()!r}")
            disk.fail_writes = False
            run_quiet(cg, "sync")
            cg.check(disk.unflushed() == 0, "writes still in the disk cache after `sync`")
        finally:
            cg.close()
    rc = subprocess.run(["e2fsck", "-fn", str(image)], capture_output=True, text=True)
    g.check(rc.returncode == 0, f"e2fsck -fn exited {rc.returncode}:\n{rc.stdout}")
    _, out, _ = debugfs(image, "cat /keep")
    g.check(out == b"kept\n", f"/keep holds {out!r}")
    _, big, _ = debugfs(image, "cat /big")
    src = (FSROOT / "bin" / "usertests").read_bytes() * 2
    g.check(0 < len(big) < len(src) and big == src[:len(big)],
            f"/big holds {len(big)} bytes, not a prefix of what cat wrote")
    image.unlink()
