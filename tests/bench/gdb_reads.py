# Run inside gdb-multiarch (see inspector_bench.py). Two ways to get what one
# inspector snapshot gets, each repeated ROUNDS times, median printed:
#  - raw: the same guest reads as a snapshot from scratch (READS:
#    {"globals": [[physical address, length]...], "tables": [...]}) and the
#    registers, through gdb's Python API: gdb sends the same 'm' packets,
#    one at a time, in QEMU's physical-memory mode;
#  - print: the way one scripts gdb by hand or a gdb front end does, with
#    print and x commands that decode and format the same memory.
import json
import os
import time

import gdb

plan = json.load(open(os.environ["GLASSBOX_READS"]))
reads = plan["globals"] + plan["tables"]
rounds = int(os.environ.get("GLASSBOX_ROUNDS", "5"))
gdb.execute("maintenance packet Qqemu.PhyMemMode:1", to_string=True)
inferior = gdb.selected_inferior()
times = []
for _ in range(rounds):
    gdb.execute("flushregs", to_string=True)
    start = time.monotonic()
    frame = gdb.selected_frame()
    for reg in ["pc", "satp", "sstatus", "scause", "stval", "sepc", "stvec"] + \
               [f"x{i}" for i in range(1, 32)]:
        frame.read_register(reg)
    for addr, length in reads:
        inferior.read_memory(addr, length)
    times.append((time.monotonic() - start) * 1000)
times.sort()
print(f"gdb: median {times[len(times) // 2]:.2f} ms for the same reads "
      f"({len(reads)} ranges, {sum(r[1] for r in reads)} bytes)")

# The print/x way: the kernel's tables by name, the page tables as words.
tables = plan["tables"]
printed = []
for _ in range(rounds):
    gdb.execute("flushregs", to_string=True)
    start = time.monotonic()
    gdb.execute("info registers pc satp sstatus scause stval sepc stvec", to_string=True)
    gdb.execute("info registers general", to_string=True)
    for expr in ["proc", "frames[0]@frames_high_water", "ftable", "event_ring", "ticks"]:
        gdb.execute(f"print {expr}", to_string=True)
    for addr, length in tables:
        gdb.execute(f"x/{length // 4}wx {addr}", to_string=True)
    printed.append((time.monotonic() - start) * 1000)
printed.sort()
print(f"gdb print/x: median {printed[len(printed) // 2]:.2f} ms decoding the same state "
      f"with print and x")
gdb.execute("maintenance packet Qqemu.PhyMemMode:0", to_string=True)
