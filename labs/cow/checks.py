"""The cow lab's checks (labs/grade.py runs them; labs/cow/README.md says
what each means)."""

import re
import subprocess

from checklib import CROSS, Check, field, usertests
from inspect_session import frame, mapping

NPAGES = 32       # cowcheck's buffer (labs/cow/grading/cowcheck.c)
NWRITTEN = 5      # pages its child stores into in "write"


def number(out, fact):
    m = re.search(r"cowcheck: " + re.escape(fact) + r" (-?\d+)", out)
    return int(m.group(1)) if m else None


def fork_shares(ctx):
    out = ctx.shell("/grade/cowcheck share")
    n = number(out, "frames taken by fork")
    if n is None:
        return "cowcheck share did not finish: " + out.strip()[-200:]
    if n > NPAGES // 2:
        return (f"fork of a process with a {NPAGES}-page buffer took {n} frames: "
                "it copies the pages instead of sharing them")
    return None


def stores_copy_one_page(ctx):
    out = ctx.shell("/grade/cowcheck write")
    n = number(out, f"frames taken by the child's stores to {NWRITTEN} pages")
    if "cowcheck: done" not in out or n is None:
        return "cowcheck write did not finish: " + out.strip()[-200:]
    if "child saw its own data and the parent's yes" not in out:
        return "after fork the child did not see the parent's data, or not its own stores"
    if "parent kept its data yes" not in out:
        return "the child's stores changed the parent's memory"
    if n != NWRITTEN:
        return f"the child's stores to {NWRITTEN} shared pages took {n} frames, not one per page"
    return None


def event_tells_the_fault(snap, ev, new_pa):
    """The workbench explains a COW fault from its event: old_pa and
    refcount_before must agree with the frames at the stop. A page kept in
    place had a frame nobody else held (refcount 1 before and after); a
    page copied left its old frame one reference fewer than before."""
    old_pa, before = field(ev, "old_pa"), field(ev, "refcount_before")
    where = f"the COW fault event of pid {ev['pid']} at {field(ev, 'va'):#010x}"
    old = frame(snap, old_pa)
    refs_now = old["refcount"] if old else 0
    if old_pa == new_pa:
        if before != 1:
            return (f"{where} says the page kept its frame {old_pa:#010x} (old_pa = new_pa) "
                    f"though it had refcount_before {before}: a frame others hold is copied "
                    "(is old_pa read after the PTE was changed?)")
    elif refs_now != before - 1:
        return (f"{where} says frame {old_pa:#010x} had refcount {before} before the copy, but "
                f"at the stop it has {refs_now}, not {before - 1} (refcount_before read after "
                "kfree? old_pa not the frame the page had?)")
    return None


def faults_seen_by_the_inspector(ctx):
    """Run to every COW fault of `cowcheck write`: each is in the event ring,
    and at the stop the page table (as the inspector reads it: only PTEs
    written through set_pte are seen) maps the page writable, without COW,
    to the frame the event names; the event's old frame and refcount agree
    with the frames; every user frame's refcount equals the number of
    page-table entries that map it."""
    s = ctx.inspect()
    s.type("/grade/cowcheck write\n")
    faults = 0
    for snap, ev in s.events("cow_fault", until="cowcheck: done"):
        faults += 1
        pid, va, pa = ev["pid"], field(ev, "va") & ~0xFFF, field(ev, "new_pa")
        e = mapping(snap, pid, va)
        if e is None or int(e["pa"], 16) != pa or e["cow"] or e["flags"][2] != "W":
            return (f"at the COW fault of pid {pid} at {va:#010x} the event says frame {pa:#010x}, "
                    f"but the page table the inspector reads has {e and (e['pa'], e['flags'])}"
                    f"{' with COW' if e and e['cow'] else ''}: write PTEs with set_pte()")
        why = event_tells_the_fault(snap, ev, pa)
        if why:
            return why
        for f in snap["frames"]["user"]:
            if f["refcount"] != len(f["mapped_by"]):
                return (f"at a COW fault frame {f['pa']} has refcount {f['refcount']} but "
                        f"{len(f['mapped_by'])} mappings: {f['mapped_by']}")
    if faults < NWRITTEN:
        return (f"cowcheck write stores into {NWRITTEN} shared pages, but the inspector stopped "
                f"at {faults} COW faults: log each with event_log(EV_COW_FAULT, ...)")
    return None


def alone_reuses(ctx):
    """`cowcheck alone`: the child exits, then the parent stores into pages
    nobody else holds. Each such fault must give the frame back writable,
    not copy it (the frame before the fault is the one at the previous
    stop; its refcount there was 1)."""
    s = ctx.inspect()
    s.type("/grade/cowcheck alone\n")
    prev, seen = None, 0
    for snap, ev in s.events("cow_fault", until="cowcheck: done"):
        pid, va, pa = ev["pid"], field(ev, "va") & ~0xFFF, field(ev, "new_pa")
        before = mapping(prev, pid, va) if prev else None
        if before is not None and before["cow"]:
            old = frame(prev, int(before["pa"], 16))
            if old and old["refcount"] == 1:
                seen += 1
                if pa != int(before["pa"], 16):
                    return (f"pid {pid}'s page {va:#010x} was mapped only by it (refcount 1) "
                            f"but the fault copied it to {pa:#010x} instead of taking "
                            f"{before['pa']} back writable")
        prev = snap
    if seen == 0:
        return ("no COW fault on a page nobody else held was seen (cowcheck alone stores into "
                "its pages after its child exits)")
    return None


def callees(disassembly):
    return set(re.findall(r"\bjalr?\s+(?:ra,)?\s*[0-9a-f]+ <([\w.]+)>", disassembly))


def disassemble(kernel, function):
    r = subprocess.run([CROSS + "objdump", "-d", f"--disassemble={function}", str(kernel)],
                       capture_output=True, text=True, timeout=60)
    return r.stdout


def fault_flushes_tlb(ctx):
    """The TLB may still hold the read-only translation: cow_fault (or a
    function it calls) must execute sfence.vma. (QEMU refills its TLB on
    such a store, so the program alone cannot tell: this reads the
    kernel's code.)"""
    code = disassemble(ctx.kernel, "cow_fault")
    if "<cow_fault>:" not in code:
        return "the kernel has no function cow_fault"
    for fn in callees(code) - {"cow_fault"}:
        code += disassemble(ctx.kernel, fn)
    if "sfence.vma" not in code:
        return "cow_fault changes a live mapping but never flushes it (sfence_vma(va))"
    return None


def shared_stays_shared(ctx):
    """shmdemo's parent and child pass items through a MAP_SHARED ring; made
    COW at fork, the ring stops being shared and shmdemo never ends. (Not
    usertests mmapshared: it needs the mmap lab's munmap.)"""
    out = ctx.shell("shmdemo")
    return None if "shmdemo: done, 8 items" in out else "shmdemo did not finish: " + out.strip()[-200:]


def forktest_no_leak(ctx):
    out = ctx.shell("forktest")
    return None if "forktest: OK" in out else "forktest: " + out.strip()[-200:]


CHECKS = [
    Check("share", "fork shares the parent's frames", 2, fork_shares),
    Check("copy", "a store copies the one page it hits; both keep their data", 2,
          stores_copy_one_page),
    Check("inspect", "every COW fault is logged with its frames and refcount, its PTE set "
          "through set_pte, refcounts = mappings", 2, faults_seen_by_the_inspector, limit=40, live="refcounts"),
    Check("reuse", "a page nobody else holds is taken back, not copied", 1, alone_reuses,
          limit=40),
    Check("tlb", "the fault flushes the TLB entry it changed", 1, fault_flushes_tlb),
    Check("private", "usertests cowprivate cowforkfork cowmany cowcopyout", 1,
          usertests("cowprivate", "cowforkfork", "cowmany", "cowcopyout"), limit=30,
          regression=True),
    Check("shared", "shared mappings stay shared (shmdemo)", 1,
          shared_stays_shared, limit=30, regression=True),
    Check("forktest", "forktest fills the process table and leaks no frame", 1,
          forktest_no_leak, limit=30, regression=True),
    # (not badptr: its recv cases need the mailbox lab done)
    Check("faults", "sbrk and user faults still behave", 1,
          usertests("sbrkneg", "sbrkfull", "faults"), limit=30, regression=True),
]
