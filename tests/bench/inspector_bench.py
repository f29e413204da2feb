#!/usr/bin/env python3
"""Inspector benchmark: the cost of one full snapshot after a stop with 16
processes (CPU, page tables, frames, mailboxes, events), in milliseconds, RSP
round trips and bytes; then the same guest reads done by gdb-multiarch with
a script, against the same QEMU in the same run, and the ratio.
Goals (issue 3): <= 10 ms per snapshot, >= 10x faster than the gdb script.
Then, with a 100 MiB process (memhog 100) beside them, the snapshot after a
stop read through the gdbstub and from the guest's RAM shared with the
reader (as the daemon reads the QEMU it starts: inspector/qemu.c).
Writes build/bench/inspector.txt."""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from glassbox import machine_args  # noqa: E402  (scripts/qemu.args)
BUILD = ROOT / os.environ.get("BUILD", "build")
KERNEL = BUILD / "kernel" / "kernel.elf"
BENCH = BUILD / "tests" / "snapshot-bench"
BACKGROUND_SLEEPS = 14        # plus init and sh: 16 processes
ROUNDS = 30


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shared_ram_args(path):
    """QEMU's options that put the guest's RAM in the file path, shared with
    whoever maps it; the size is scripts/qemu.args' -m."""
    args = machine_args(KERNEL)
    size = args[args.index("-m") + 1]
    return ["-object", f"memory-backend-file,id=ram,size={size},mem-path={path},share=on",
            "-machine", "memory-backend=ram"]


def boot_with_processes(disk, port, commands=("sleep 1000000 &",) * BACKGROUND_SLEEPS, ram=None):
    """QEMU on disk with its GDB stub on port, booted to the shell, which
    has been given commands (by default: 14 background sleeps); with ram,
    its RAM in that file (shared_ram_args)."""
    qemu = subprocess.Popen(
        ["qemu-system-riscv32", *machine_args(KERNEL, disk), *(shared_ram_args(ram) if ram else []),
         "-monitor", "none", "-serial", "stdio", "-gdb", f"tcp:127.0.0.1:{port}"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = b""
    deadline = time.monotonic() + 20
    while b"$ " not in out and time.monotonic() < deadline:
        out += qemu.stdout.read1(4096)
    for command in commands:
        qemu.stdin.write(command.encode() + b"\n")
        qemu.stdin.flush()
        time.sleep(0.1)
    time.sleep(1)
    return qemu


def big_process_lines():
    """snapshot-bench's first line through the gdbstub and from shared RAM,
    at stops with memhog 100 and the 14 sleeps."""
    work = Path(tempfile.mkdtemp(prefix="glassbox-bench-"))
    disk = work / "fs.img"
    shutil.copyfile(BUILD / "fs.img", disk)
    ram = Path(tempfile.mkdtemp(prefix="glassbox-bench-", dir="/dev/shm")) / "ram"
    port = free_port()
    commands = ("sleep 1000000 &",) * BACKGROUND_SLEEPS + ("memhog 100 &",)
    qemu = boot_with_processes(disk, port, commands, ram=ram)
    time.sleep(3)   # memhog touches its 25,600 pages
    lines = []
    try:
        for extra in ([], [str(ram)]):
            r = subprocess.run([str(BENCH), str(KERNEL), str(port), "10", str(work / "r.json"), *extra],
                               capture_output=True, text=True, timeout=600)
            if r.returncode != 0:
                sys.exit("snapshot-bench failed:\n" + r.stderr)
            out = r.stdout.splitlines()
            lines += ["with memhog 100: " + ln for ln in (out[:3] if extra else out[:2])]
    finally:
        qemu.kill()
        qemu.wait()
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(ram.parent, ignore_errors=True)
    return lines


def main():
    work = Path(tempfile.mkdtemp(prefix="glassbox-bench-"))
    disk = work / "fs.img"
    shutil.copyfile(BUILD / "fs.img", disk)
    port = free_port()
    qemu = boot_with_processes(disk, port)
    try:
        reads = work / "reads.json"
        ours = subprocess.run([str(BENCH), str(KERNEL), str(port), str(ROUNDS), str(reads)],
                              capture_output=True, text=True, timeout=120)
        if ours.returncode != 0:
            sys.exit("snapshot-bench failed:\n" + ours.stderr)
        gdb = subprocess.run(
            ["gdb-multiarch", "-nx", "-batch", "-ex", "set architecture riscv:rv32",
             "-ex", f"file {KERNEL}", "-ex", f"target remote 127.0.0.1:{port}",
             "-x", str(ROOT / "tests" / "bench" / "gdb_reads.py"), "-ex", "detach"],
            capture_output=True, text=True, timeout=300,
            env={**os.environ, "GLASSBOX_READS": str(reads), "GLASSBOX_ROUNDS": "5"})
    finally:
        qemu.kill()
        qemu.wait()
        shutil.rmtree(work, ignore_errors=True)
    ours_lines = ours.stdout.strip().splitlines() + big_process_lines()
    gdb_lines = [ln for ln in gdb.stdout.splitlines() if ln.startswith("gdb")]
    if len(gdb_lines) != 2:
        sys.exit("the gdb script printed no figures:\n" + gdb.stdout[-2000:] + gdb.stderr[-2000:])

    def median(line):
        return float(re.search(r"median ([\d.]+) ms", line).group(1))
    warm, cold = median(ours_lines[0]), median(ours_lines[1])
    raw, printed = median(gdb_lines[0]), median(gdb_lines[1])
    report = "\n".join(ours_lines + gdb_lines + [
        f"ratio after a stop: {raw / warm:.1f}x faster than gdb's raw reads, "
        f"{printed / warm:.0f}x faster than gdb print/x; from scratch: {raw / cold:.1f}x and "
        f"{printed / cold:.0f}x (goals: <= 10 ms per snapshot, >= 10x)"])
    print(report)
    (BUILD / "bench").mkdir(parents=True, exist_ok=True)
    (BUILD / "bench" / "inspector.txt").write_text(report + "\n")


if __name__ == "__main__":
    main()
