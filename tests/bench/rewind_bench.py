#!/usr/bin/env python3
"""The measurements that chose the time-travel design (docs/time-travel.md).

QEMU is started by hand here, with the machine of scripts/qemu.args and the
options each way of going back needs:

  savevm    the disk as a qcow2 overlay; `savevm`/`loadvm` through QMP's
            human-monitor-command: time and bytes per saved state.
  migrate   guest RAM in a shared memory-backend-file, migration capability
            x-ignore-shared: `migrate "exec:cat > F"` saves the device state
            only; time, size, and whether the guest runs on after it.
  hybrid    the design chosen: shared RAM kept by a page store (a Python
            model of inspector/pagestore.c), the devices and the disk by
            savevm with x-ignore-shared, QEMU without -kernel (the kernel
            written into the RAM file); 101 stops, rewinds 1 and 100 back.
  slowdown  `bench` in the guest, wall time, plain and with shared RAM.
  icount    the same with -icount shift=4,sleep=off (a virtual clock that
            follows the instructions).
  record    the same while record/replay records (-icount shift=auto,
            rr=record, the disk through blkreplay).

Each part prints its figures; nothing here is a test.
Usage: python3 tests/bench/rewind_bench.py [savevm] [migrate] [hybrid] [slowdown]
       [icount] [record]   (default: all but record, which takes over 10 minutes)
"""

import hashlib
import json
import mmap
import os
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integration"))
import glassbox  # noqa: E402
from glassbox import Guest  # noqa: E402

RAM = 128 << 20
PAGE = 4096
_machine_args = glassbox.machine_args


class Qmp:
    def __init__(self, path, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(path)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        self.f = self.s.makefile("rwb", buffering=0)
        self._read()  # greeting
        self.cmd("qmp_capabilities")

    def _read(self):
        while True:
            m = json.loads(self.f.readline())
            if "event" not in m:
                return m

    def cmd(self, name, **args):
        self.f.write(json.dumps({"execute": name, "arguments": args}).encode() + b"\n")
        r = self._read()
        if "error" in r:
            raise RuntimeError(f"{name}: {r['error']}")
        return r["return"]

    def hmp(self, line):
        out = self.cmd("human-monitor-command", **{"command-line": line})
        if out.strip():
            raise RuntimeError(f"{line}: {out.strip()}")

    def wait_migration(self):
        while True:
            st = self.cmd("query-migrate")
            if st.get("status") in ("completed", "failed", "cancelled"):
                return st
            time.sleep(0.002)


def with_args(transform):
    """Start Guests with machine_args passed through transform."""
    glassbox.machine_args = lambda k, d: transform(_machine_args(k, d), d)


def qcow2_disk(args, disk):
    ov = str(disk) + ".qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-b", str(disk), "-F", "raw",
                    ov], check=True)
    return [a.replace(f"file={disk},", f"file={ov},").replace("format=raw", "format=qcow2")
            for a in args]


def boot_and_load(g):
    g.boot()
    g.run("ls > /tmp.txt", timeout=20)  # some disk and RAM activity
    return g


def part_savevm(tmp):
    mon = os.path.join(tmp, "qmp.sock")
    with_args(lambda a, d: qcow2_disk(a, d))
    with Guest("rewind-savevm", extra_args=["-qmp", f"unix:{mon},server=on,wait=off"]) as g:
        boot_and_load(g)
        q = Qmp(mon)
        q.cmd("stop")
        saves, loads = [], []
        ov = str(g.image) + ".qcow2"
        sizes = [os.path.getsize(ov)]
        for i in range(5):
            t = time.monotonic()
            q.hmp(f"savevm s{i}")
            saves.append(time.monotonic() - t)
            sizes.append(os.path.getsize(ov))
        # Two loadvm in a row without running in between made QEMU 7.2 die of
        # SIGSEGV at the next `cont`: the guest runs a moment after each one.
        for i in range(5):
            t = time.monotonic()
            q.hmp(f"loadvm s{i}")
            loads.append(time.monotonic() - t)
            q.cmd("cont")
            time.sleep(0.05)
            q.cmd("stop")
        q.cmd("cont")
        g.run("echo after-loadvm", timeout=20)
    per = [b - a for a, b in zip(sizes, sizes[1:])]
    print(f"savevm: {ms(saves)}; loadvm: {ms(loads)}; overlay grows "
          f"{min(per) / 2**20:.1f}-{max(per) / 2**20:.1f} MiB per saved state")


class PageStore:
    """What the daemon would keep: every distinct 4 KiB page once (by hash),
    and per stop the list of page ids (here a full list; see the doc)."""

    def __init__(self):
        self.pages = {}
        self.stops = []
        self.prev = None

    def save(self, ram):
        if self.prev is None:
            ids = [self._put(ram[o:o + PAGE]) for o in range(0, len(ram), PAGE)]
        else:
            ids = list(self.prev)
            for i, o in enumerate(range(0, len(ram), PAGE)):
                # The compare is against the page the previous stop had.
                if ram[o:o + PAGE] != self.pages[ids[i]]:
                    ids[i] = self._put(ram[o:o + PAGE])
        self.stops.append(ids)
        self.prev = ids

    def _put(self, data):
        h = hashlib.blake2b(data, digest_size=16).digest()
        self.pages.setdefault(h, bytes(data))
        return h

    def restore(self, n, ram):
        for i, h in enumerate(self.stops[n]):
            o = i * PAGE
            if ram[o:o + PAGE] != self.pages[h]:
                ram[o:o + PAGE] = self.pages[h]

    def bytes(self):
        return len(self.pages) * PAGE

    def trimmed_bytes(self):
        """What the pages take with their leading and trailing zero bytes left
        out (a free frame is one link word and zeros)."""
        total = 0
        for p in self.pages.values():
            s = p.strip(b"\0")
            total += len(s) + 8 if s else 8
        return total


def load_kernel(path, ramfile):
    """Put the kernel ELF's segments into a new RAM file, as the daemon would:
    QEMU then runs without -kernel, and its reset (loadvm does one) leaves RAM
    alone. A ROM blob for the kernel is written again at every reset, its bss
    zeroed: the virtio rings there no longer matched the saved device."""
    data = Path(path).read_bytes()
    phoff, = struct.unpack_from("<I", data, 0x1c)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x2a)
    with open(ramfile, "wb") as f:
        f.truncate(RAM)
        for i in range(phnum):
            kind, off, _va, pa, filesz, _memsz = struct.unpack_from("<6I", data, phoff + i * phentsize)
            if kind == 1:  # PT_LOAD
                f.seek(pa - 0x80000000)
                f.write(data[off:off + filesz])


def no_kernel(args):
    i = args.index("-kernel")
    return args[:i] + args[i + 2:]


def shared_ram(args, d, ramfile):
    return args + ["-object", f"memory-backend-file,id=glassbox-ram,size=128M,"
                   f"mem-path={ramfile},share=on", "-machine", "memory-backend=glassbox-ram"]


def part_migrate(tmp):
    """Migration of device state only: it works, but the source's disk hangs
    after `cont` (the shell's next exec never returns)."""
    ramfile = os.path.join(tmp, "ram")
    mon = os.path.join(tmp, "qmp.sock")
    with_args(lambda a, d: shared_ram(a, d, ramfile))
    with Guest("rewind-migrate", extra_args=["-qmp", f"unix:{mon},server=on,wait=off"]) as g:
        boot_and_load(g)
        q = Qmp(mon)
        q.cmd("migrate-set-capabilities", capabilities=[
            {"capability": "x-ignore-shared", "state": True}])
        q.cmd("stop")
        st = os.path.join(tmp, "dev")
        t = time.monotonic()
        q.cmd("migrate", uri=f"exec:cat > {st}")
        r = q.wait_migration()
        took = time.monotonic() - t
        q.cmd("cont")
        try:
            g.run("echo after-migrate", timeout=10)
            after = "runs on"
        except glassbox.GuestError:
            after = "the guest's next command did not finish in 10 s"
    print(f"migrate (device state only): {took * 1000:.0f} ms, {os.path.getsize(st)} bytes, "
          f"{r['ram']['transferred']} bytes of RAM blocks not shared; source after cont: {after}")


def part_hybrid(tmp, stops=101):
    """The design chosen: RAM in a shared file kept by a page store, the
    devices and the disk by savevm with x-ignore-shared (qcow2 internal
    snapshots), rewind = RAM pages back, then loadvm."""
    ramfile = os.path.join(tmp, "ram")
    mon = os.path.join(tmp, "qmp.sock")
    load_kernel(glassbox.KERNEL, ramfile)
    with_args(lambda a, d: shared_ram(qcow2_disk(no_kernel(a), d), d, ramfile))
    store = PageStore()
    saves, ram_saves, grow = [], [], []
    with Guest("rewind-hybrid", extra_args=["-qmp", f"unix:{mon},server=on,wait=off"]) as g:
        boot_and_load(g)
        q = Qmp(mon)
        q.cmd("migrate-set-capabilities", capabilities=[
            {"capability": "x-ignore-shared", "state": True}])
        fd = os.open(ramfile, os.O_RDWR)
        ram = mmap.mmap(fd, RAM)
        ov = str(g.image) + ".qcow2"
        for i in range(stops):
            g.run(f"echo stop{i} > /s{i}", timeout=30)
            q.cmd("stop")
            size = os.path.getsize(ov)
            t = time.monotonic()
            q.hmp(f"savevm s{i}")
            saves.append(time.monotonic() - t)
            grow.append(os.path.getsize(ov) - size)
            t = time.monotonic()
            store.save(ram)
            ram_saves.append(time.monotonic() - t)
            q.cmd("cont")
        g.run("echo later > /later", timeout=30)
        results = []
        for back in (1, stops - 1):
            n = stops - 1 - back
            q.cmd("stop")
            t = time.monotonic()
            store.restore(n, ram)
            t1 = time.monotonic()
            q.hmp(f"loadvm s{n}")
            # The reset in loadvm wrote the device tree blob at the top of
            # RAM again: put back what the stop had there.
            store.restore(n, ram)
            t2 = time.monotonic()
            q.cmd("cont")
            out = g.run("ls", timeout=30)
            names = out.replace("\r", "").split("\n")
            ok = f"s{n}" in names and f"s{n + 1}" not in names
            results.append(f"{back} back: {(t2 - t) * 1000:.0f} ms (RAM {(t1 - t) * 1000:.0f} ms, "
                           f"loadvm {(t2 - t1) * 1000:.0f} ms), disk as it was: {ok}")
        out = g.run("echo new-input", timeout=30)
        ram.close()
        os.close(fd)
    changed = [sum(a != b for a, b in zip(x, y)) for x, y in zip(store.stops, store.stops[1:])]
    print(f"hybrid, {stops} stops: savevm {ms(saves)}, qcow2 grows {min(grow) // 1024}-"
          f"{max(grow) // 1024} KiB per stop; RAM page store (Python) {ms(ram_saves)} per stop, "
          f"{store.bytes() / 2**20:.1f} MiB of distinct pages ({store.trimmed_bytes() / 2**20:.1f} MiB "
          f"with their zero ends left out), {statistics.median(changed)} "
          f"pages changed per stop (median)")
    print("rewind " + "; ".join(results) + f"; new input after: {'new-input' in out}")


def ms(xs):
    xs = sorted(xs)
    return f"median {xs[len(xs) // 2] * 1000:.0f} ms (min {xs[0] * 1000:.0f}, max {xs[-1] * 1000:.0f})"


def bench_wall(name, transform):
    with_args(transform)
    with Guest(name) as g:
        g.boot(timeout=60)
        t = time.monotonic()
        g.run("bench", timeout=600)
        return time.monotonic() - t


def record_args(a, d, log):
    """The disk through blkreplay, instructions counted and recorded."""
    out = [x.replace(",id=hd0", ",id=hd0-raw") if x.startswith("file=") else x for x in a]
    return out + ["-drive", "driver=blkreplay,if=none,image=hd0-raw,id=hd0",
                  "-icount", f"shift=auto,rr=record,rrfile={log}"]


def part_slowdown(tmp):
    """`bench` with the guest's RAM in a shared file, against plain."""
    plain = bench_wall("rewind-plain", lambda a, d: a)
    shared = bench_wall("rewind-shared", lambda a, d: shared_ram(a, d, os.path.join(tmp, "r2")))
    print(f"`bench` wall time: plain {plain:.2f} s, shared RAM file {shared:.2f} s "
          f"({shared / plain:.2f}x)", flush=True)


def part_record(tmp):
    """`bench` while record/replay records (it did not finish in 600 s)."""
    log = os.path.join(tmp, "rr.log")
    try:
        rec = f"{bench_wall('rewind-record', lambda a, d: record_args(a, d, log)):.2f} s"
    except glassbox.GuestError:
        rec = "not finished in 600 s"
    print(f"`bench` wall time while recording: {rec}, log {os.path.getsize(log) / 1024:.0f} KiB")


def part_icount(tmp):
    """Instruction counting with a fixed rate and no sleeping: the virtual
    clock (and so the timer interrupts) follows the instructions run, which
    a replay from a saved state to the same point needs."""
    plain = bench_wall("rewind-plain2", lambda a, d: a)
    counted = bench_wall("rewind-icount", lambda a, d: a + ["-icount", "shift=4,sleep=off"])
    print(f"`bench` wall time: plain {plain:.2f} s, -icount shift=4,sleep=off {counted:.2f} s "
          f"({counted / plain:.2f}x)")


class Tee:
    """stdout, and a copy for build/bench/rewind.txt."""

    def __init__(self, out):
        self.out, self.text = out, []

    def write(self, s):
        self.text.append(s)
        return self.out.write(s)

    def flush(self):
        self.out.flush()


def main():
    parts = sys.argv[1:] or ["savevm", "migrate", "hybrid", "slowdown", "icount"]
    tmp = tempfile.mkdtemp(prefix="glassbox-rewind-", dir="/dev/shm")
    sys.stdout = tee = Tee(sys.stdout)
    try:
        for p in parts:
            globals()["part_" + p](tmp)
    finally:
        sys.stdout = tee.out
        shutil.rmtree(tmp, ignore_errors=True)
        out = glassbox.BUILD / "bench"
        out.mkdir(parents=True, exist_ok=True)
        (out / "rewind.txt").write_text("".join(tee.text))


if __name__ == "__main__":
    main()
