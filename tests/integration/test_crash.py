"""Crash safety: crashload (a workload of creates, appends, renames,
unlinks and fsyncs) runs on a disk with a write cache (cachedisk.py) and
QEMU is killed with SIGKILL at a random moment; the unflushed writes survive
or not, at random. Then, on what is left:
- e2fsck -fn, before any replay, reports a journal needing recovery
  whenever the journal is not empty;
- e2fsck replays it (-E journal_only: nothing else repaired) to a file
  system e2fsck -fn finds clean;
- the kernel boots, replays it too, and e2fsck -fn finds the disk clean;
- both replays give the same files, and every file crashload last reported
  durable, and did not touch since, holds exactly what it reported.
CRASHES (environment) sets how many crashes: 20 in `make test`, `make
crashtest N=500` for the long run. Seeds are fixed."""

import os
import random
import re
import shutil
import signal
import subprocess
import time

from cachedisk import CacheDisk
from crashreport import expected, fnv
from glassbox import FSIMG, Guest, test

CRASHES = int(os.environ.get("CRASHES", "20"))
SEED = 2026


def tool(name):
    return shutil.which(name) or "/sbin/" + name


def e2fsck(image, mode):
    r = subprocess.run([tool("e2fsck"), mode, str(image)], capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout + r.stderr


def journal_start(image):
    out = subprocess.run([tool("dumpe2fs"), "-h", str(image)], capture_output=True, text=True).stdout
    m = re.search(r"Journal start:\s*(\d+)", out)
    return int(m.group(1)) if m else None


def files_of(image):
    """{name: bytes} of the files in /cl, read with debugfs."""
    ls = subprocess.run([tool("debugfs"), "-R", "ls /cl", str(image)], capture_output=True).stdout
    out = {}
    for name in re.findall(rb"\b(f\d+)\b", ls):
        name = name.decode()
        data = subprocess.run([tool("debugfs"), "-R", f"cat /cl/{name}", str(image)],
                              capture_output=True).stdout
        out[name] = data
    return out


def one_crash(g, n, rng, workdir):
    image = workdir / f"crash{n}.img"
    shutil.copyfile(FSIMG, image)
    seed = rng.randrange(1 << 30)
    # the crash comes at a random write or flush of the workload's
    with CacheDisk(image, seed=seed, freeze_after=rng.randrange(200, 8000)) as disk:
        cg = Guest(f"{g.name}-{n}", disk=None, extra_args=disk.qemu_args(), hard_timeout=60)
        try:
            cg.boot()
            cg.send(f"crashload {seed}\n")
            g.check(disk.frozen.wait(30), f"crash {n}: the workload stopped writing")
            time.sleep(0.2)          # the console shows what was printed before
            os.killpg(cg.proc.pid, signal.SIGKILL)
            cg.proc.wait(10)
            transcript = cg.transcript
        finally:
            cg.close()
        disk.crash()
    g.check("crashload:" not in transcript, f"crash {n}: crashload failed:\n{transcript[-500:]}")
    want = expected(transcript)

    # e2fsck before any replay: it must see the journal that needs it
    start = journal_start(image)
    rc, out = e2fsck(image, "-fn")
    if start:
        g.check("journal recovery" in out, f"crash {n}: journal start {start}, but "
                f"e2fsck -fn does not mention recovery:\n{out}")
    # e2fsck's replay
    fsck_image = workdir / f"crash{n}-e2fsck.img"
    shutil.copyfile(image, fsck_image)
    r = subprocess.run([tool("e2fsck"), "-y", "-E", "journal_only", str(fsck_image)],
                       capture_output=True, text=True, timeout=60)
    g.check(r.returncode in (0, 1), f"crash {n}: e2fsck's replay exited {r.returncode}:\n{r.stdout}")
    rc, out = e2fsck(fsck_image, "-fn")
    g.check(rc == 0, f"crash {n}: after e2fsck's replay e2fsck -fn exited {rc}:\n{out}")

    # the kernel's replay
    kg = Guest(f"{g.name}-{n}-replay", disk=image, hard_timeout=30)
    try:
        kg.boot()
        kg.run("sync")
        rc, out = kg.fsck()
        kernel_image = kg.image
        g.check(rc == 0, f"crash {n}: after the kernel's replay e2fsck -fn exited {rc}:\n{out}")
        got = files_of(kernel_image)
    finally:
        kg.close()
    g.check(got == files_of(fsck_image), f"crash {n}: the kernel's replay and e2fsck's "
            f"differ: {sorted(got)} vs {sorted(files_of(fsck_image))}")
    for name, (size, h) in want.items():
        data = got.get(name)
        g.check(data is not None, f"crash {n}: fsynced /cl/{name} is gone")
        g.check(len(data) == size and fnv(data) == h,
                f"crash {n}: fsynced /cl/{name} holds {len(data)} bytes (hash {fnv(data)}), "
                f"expected {size} (hash {h})")
    for p in (image, fsck_image):
        p.unlink()          # (kept when a check fails, for a look)
    print(f"  crash {n}: journal start {start}, {len(want)} fsynced files")
    return len(want), bool(start)


@test(boot=False, timeout=60 + 12 * CRASHES)
def crashes_leave_a_clean_disk_and_every_fsync(g):
    rng = random.Random(SEED)
    workdir = g.log_path.parent / "crash"
    workdir.mkdir(exist_ok=True)
    checked = replayed = 0
    for n in range(CRASHES):
        files, needed = one_crash(g, n, rng, workdir)
        checked += files
        replayed += needed
    print(f"  {CRASHES} crashes, {replayed} with a journal to replay, "
          f"{checked} fsynced files checked")
    g.check(replayed > 0, "no crash left a journal to replay: the test proves nothing")
