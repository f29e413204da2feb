"""The mmap lab's checks (labs/grade.py runs them; labs/mmap/README.md says
what each means)."""

from checklib import Check, answers, program_facts
from inspect_session import frame, frame_kind, mapping

PGSIZE = 4096
EINVAL = "-22"


PROT = [("load from a PROT_READ mapping killed", "no"),
        ("store to a PROT_READ mapping killed", "yes"),
        ("store to a PROT_READ|PROT_EXEC mapping killed", "yes"),
        ("store and load in a PROT_WRITE mapping killed", "no"),
        ("load from a PROT_EXEC mapping killed", "no"),
        ("store to a PROT_READ|PROT_WRITE mapping kept", "yes")]
UNMAP = [("munmap of 3 pages freed", "3"), ("munmap of 100 bytes freed", "1"),
         ("load from an unmapped page killed", "yes"),
         ("the pages left keep their data", "yes"),
         ("munmap of a page of the program", EINVAL),
         ("munmap at an address not on a page", EINVAL),
         ("munmap of 0 bytes", EINVAL), ("munmap past the mappings", EINVAL),
         ("munmap of a page above the mappings", EINVAL),
         ("munmap of a length that wraps", EINVAL),
         ("munmap of everything mapped", "0"), ("frames not given back", "0"),
         ("a page touched, unmapped, touched killed", "yes")]
SHM = [("shmat by two processes", "yes"), ("the two see each other's stores", "yes"),
       ("a forked child's store reaches its parent", "yes"),
       ("the region is gone after its last mapping", "yes"),
       ("a region half unmapped can be attached again", "yes"), ("frames not given back", "0")]


def pages(snap, pid, base, n):
    """pid's entries for the n pages from base (None where unmapped)."""
    return [mapping(snap, pid, base + i * PGSIZE) for i in range(n)]


def held(snap, pids, base, holders_extra, what):
    """Both processes map each page from base to one frame, writable and
    shared; its refcount is its mappings (+ holders_extra: a named region
    holds one reference of its own). Returns the frames, or raises."""
    frames = []
    for i, entries in enumerate(zip(*(pages(snap, pid, base, 2) for pid in pids))):
        va = base + i * PGSIZE
        if any(e is None for e in entries):
            raise AssertionError(f"{what} page {va:#010x} is not mapped in both pids {pids}")
        pas = {int(e["pa"], 16) for e in entries}
        if len(pas) != 1:
            raise AssertionError(f"{what} page {va:#010x}: the two processes map different "
                                 f"frames {sorted(hex(p) for p in pas)}: it was copied, not shared")
        for pid, e in zip(pids, entries):
            if not e["shared"] or e["cow"] or e["flags"][2] != "W":
                raise AssertionError(f"{what} page {va:#010x} in pid {pid} is {e['flags']}"
                                     f"{' COW' if e['cow'] else ''}"
                                     f"{'' if e['shared'] else ' without PTE_SHARED'}: "
                                     "a shared page must stay writable and PTE_SHARED")
        pa = pas.pop()
        f = frame(snap, pa)
        want = len(f["mapped_by"]) + holders_extra if f else None
        if f is None or f["refcount"] != want:
            raise AssertionError(f"{what} frame {pa:#010x} has refcount "
                                 f"{f and f['refcount']}, but {f and len(f['mapped_by'])} "
                                 f"mappings{' + the region' if holders_extra else ''}")
        frames.append(pa)
    return frames


# The pages mmapcheck hold maps from its "prot" address, in order: the
# protection asked for and the PTE's R W X it must give (W and X each imply R).
PROT_PTES = [("PROT_READ", "R--"), ("PROT_WRITE", "RW-"), ("PROT_READ|PROT_EXEC", "R-X"),
             ("PROT_EXEC", "R-X")]


def prot_bits(snap, pid, base):
    """Raises unless each protection's page in pid has the R W X it asks for."""
    for i, (prot, want) in enumerate(PROT_PTES):
        va = base + i * PGSIZE
        e = mapping(snap, pid, va)
        if e is None:
            raise AssertionError(f"the {prot} page {va:#010x} of pid {pid} is not mapped")
        if e["flags"][1:4] != want or e["flags"][4] != "U":
            raise AssertionError(f"the {prot} page {va:#010x} of pid {pid} has PTE bits "
                                 f"{e['flags']}: {prot} should give {want} (R W X) and U")


def seen_by_the_inspector(ctx):
    """At a stop while two processes map a shared mapping and a named
    region: the PTEs are PTE_SHARED and writable in both, to the same
    frames, and the refcounts are the mappings (+1 for the region); a page
    mapped with each protection has the R W X it asked for. At a stop after both unmapped them: the frames are free."""
    s = ctx.inspect()
    s.type("/grade/mmapcheck hold\n")
    m = s.wait_match(r"mmapcheck: (done|holding pids (\d+) (\d+) shared 0x([0-9a-f]+) "
                     r"region 0x([0-9a-f]+) prot 0x([0-9a-f]+))")
    if m.group(1) == "done":
        return "mmapcheck hold did not get to map both: " + s.console.strip()[-200:]
    pids = [int(m.group(2)), int(m.group(3))]
    snap = s.pause()
    frames = (held(snap, pids, int(m.group(4), 16), 0, "the MAP_SHARED") +
              held(snap, pids, int(m.group(5), 16), 1, "the shmat region"))
    prot_bits(snap, pids[0], int(m.group(6), 16))
    s.command("continue")
    s.type("\n")
    if s.wait_match(r"mmapcheck: (unmapped|done)").group(1) == "done":
        return "mmapcheck hold did not get to unmap: " + s.console.strip()[-200:]
    snap = s.pause()
    mapped = [hex(pa) for pa in frames if frame(snap, pa)]
    if mapped:
        return (f"after both processes unmapped the shared mapping and the region, the "
                f"inspector still sees frames {', '.join(mapped)} mapped (PTEs not cleared "
                "through set_pte?)")
    kept = [hex(pa) for pa in frames if frame_kind(snap, pa) != "free"]
    if kept:
        return (f"after both processes unmapped the shared mapping and the region, frames "
                f"{', '.join(kept)} are not free (references not dropped, or the region "
                "not freed with its last mapping)")
    s.command("continue")
    s.type("\n")
    s.wait_console("mmapcheck: done")
    return None if "both unmapped = yes" in s.console else "munmap failed in mmapcheck hold"


def shared_anon_works(ctx):
    out = ctx.shell("shmdemo")
    return None if "shmdemo: done, 8 items" in out else "shmdemo did not finish: " + out.strip()[-200:]


CHECKS = [
    Check("prot", "mappings have the protection asked for", 2, answers("mmapcheck", "prot", PROT)),
    Check("unmap", "munmap frees exactly its pages and refuses bad ranges", 2,
          answers("mmapcheck", "unmap", UNMAP)),
    Check("shm", "named regions are shared, across fork too, and freed with their last "
          "mapping", 2, answers("mmapcheck", "shm", SHM)),
    Check("inspect", "PTE_SHARED in both processes, refcounts = mappings, R W X as asked, "
          "munmap frees the frames (seen by the inspector)", 2, seen_by_the_inspector, limit=40, live="shared"),
    Check("anon", "shared anonymous memory survives fork (shmdemo; already true)", 1,
          shared_anon_works, regression=True),
]
