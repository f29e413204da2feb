#!/usr/bin/env python3
"""The determinism check of issue 12 (point 3) on the design of
docs/time-travel.md, prototyped outside the daemon.

QEMU is started by hand as the design needs it (RAM in a shared file with
the kernel written into it, no -kernel, the disk as a qcow2 overlay, a QMP
socket) and the real daemon drives it (--attach, --console). At cowtest's
fork this script saves the state (savevm with x-ignore-shared, the RAM in
rewind_bench's page store); the daemon runs to cowtest's first COW fault;
the script rewinds to the fork (RAM back, loadvm, RAM back); the daemon runs
to the next COW fault again. The two stops must show the same process,
page, frames and refcounts; then cowtest runs on live to its end.

Usage: python3 tests/bench/rewind_determinism.py   (after make; ports 18620-18621)
       GLASSBOX_NO_REWIND=1 ...  skips the rewind: the check must then fail
"""

import mmap
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "inspector"))
import rewind_bench as rb  # noqa: E402
from harness import Daemon, TestFailure, check  # noqa: E402
# rewind_bench put tests/integration (which has a run.py too) in front.
sys.path.insert(0, str(HERE.parent / "inspector"))
import run as inspector_tests  # noqa: E402

GDB_PORT, CONSOLE_PORT = 18620, 18621
# GLASSBOX_ICOUNT=1: a virtual clock that follows the instructions
# (docs/time-travel.md, "Determinism"). The daemon's run_to did not stop
# under it with QEMU 7.2 (the guest ran on past the fork).
ICOUNT = ["-icount", "shift=4,sleep=off"] if os.environ.get("GLASSBOX_ICOUNT") == "1" else []


def stop_at(ws, n, event):
    r = ws.command("run_to", n, event=event, program="cowtest")
    check(r["ok"], f"run_to {event}: {r}")
    if n == 1:
        ws.send({"type": "console", "data": "cowtest\n"})
    st = ws.wait(lambda m: inspector_tests.is_status(m, reason="event"), 60, event)
    check(st["stop"]["detail"] == event, f"stopped at {st['stop']}")
    return inspector_tests.snapshot_after(ws, st)


def fault(snap):
    """What the issue's check compares at the two COW faults: the process
    that faulted, the page, and every frame with its refcount and holders."""
    running = [p["pid"] for p in snap["processes"] if p["state"] == "running"]
    return {"process": running, "pc": snap["cpu"]["pc"],
            "address_spaces": snap["address_spaces"], "frames": snap["frames"]}


def others(first, second):
    """How the other processes differ (a timer tick that fell elsewhere lets
    another process run first), as text."""
    a = {p["pid"]: p for p in first["processes"]}
    b = {p["pid"]: p for p in second["processes"]}
    out = []
    for pid in sorted(set(a) | set(b)):
        pa, pb = a.get(pid, {}), b.get(pid, {})
        keys = [k for k in sorted(set(pa) | set(pb)) if pa.get(k) != pb.get(k)]
        if keys:
            out.append(f"pid {pid} " + ", ".join(f"{k} {pa.get(k)} -> {pb.get(k)}"
                                                  for k in keys if k != "trapframe"))
    return "; ".join(out) or "none"


def main():
    tmp = tempfile.mkdtemp(prefix="glassbox-determinism-", dir="/dev/shm")
    ramfile, mon = os.path.join(tmp, "ram"), os.path.join(tmp, "qmp.sock")
    disk = os.path.join(tmp, "disk.img")
    shutil.copyfile(rb.glassbox.FSIMG, disk)
    rb.load_kernel(rb.glassbox.KERNEL, ramfile)
    args = rb.shared_ram(rb.qcow2_disk(rb.no_kernel(rb._machine_args(rb.glassbox.KERNEL, disk)),
                                       disk), disk, ramfile)
    qemu = subprocess.Popen(["setpriv", "--pdeathsig", "KILL", "--", rb.glassbox.QEMU] + args +
                            ["-S", "-gdb", f"tcp:127.0.0.1:{GDB_PORT}", "-monitor", "none",
                             "-serial", f"tcp:127.0.0.1:{CONSOLE_PORT},server=on,wait=off",
                             "-qmp", f"unix:{mon},server=on,wait=off"] + ICOUNT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        q = rb.Qmp(mon)
        q.cmd("migrate-set-capabilities", capabilities=[
            {"capability": "x-ignore-shared", "state": True}])
        fd = os.open(ramfile, os.O_RDWR)
        ram = mmap.mmap(fd, rb.RAM)
        store = rb.PageStore()
        with Daemon("determinism", extra_args=["--attach", f"127.0.0.1:{GDB_PORT}",
                                               "--console", f"127.0.0.1:{CONSOLE_PORT}"]) as d:
            ws = d.ws(role="controller")
            ws.command("continue", 0)
            inspector_tests.wait_console(ws, "$ ", 30)
            fork = stop_at(ws, 1, "fork")
            t = time.monotonic()
            q.hmp("savevm fork")
            store.save(ram)
            saved = time.monotonic() - t
            at_first = stop_at(ws, 2, "cow_fault")
            t = time.monotonic()
            if not os.environ.get("GLASSBOX_NO_REWIND"):
                store.restore(0, ram)
                q.hmp("loadvm fork")
                store.restore(0, ram)
            back = time.monotonic() - t
            at_second = stop_at(ws, 3, "cow_fault")
            first, second = fault(at_first), fault(at_second)
            differ = [k for k in first if first[k] != second[k]]
            ev = [e for e in fork["events"] if e["kind"] == "fork"][-1]
            print(f"fork of pid {ev['pid']} (child {ev['child']}): saved in {saved * 1000:.0f} ms; "
                  f"first COW fault in pid {first['process']} at pc {first['pc']}; rewound to "
                  f"the fork in {back * 1000:.0f} ms; next COW fault in pid {second['process']} "
                  f"at pc {second['pc']}; "
                  + (f"DIFFERENT: {differ}" if differ else
                     "the same process, pc, address spaces, frames and refcounts")
                  + f"; other processes' differences: {others(at_first, at_second)}", flush=True)
            ws.command("continue", 4)
            try:
                inspector_tests.wait_console(ws, "cowtest: OK", 60)
            except TestFailure:
                r = ws.command("pause", 5)
                snap = inspector_tests.stop_snapshot(ws, r)
                print("cowtest did not finish after the rewind; at a pause: " + ", ".join(
                    f"pid {p['pid']} {p['name']} {p['state']} chan {p['chan']}"
                    for p in snap["processes"]) + f"; pc {snap['cpu']['pc']}")
                return 1
            print("cowtest then ran live to 'cowtest: OK'")
        ram.close()
        os.close(fd)
        return 1 if differ else 0
    finally:
        qemu.kill()
        qemu.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
