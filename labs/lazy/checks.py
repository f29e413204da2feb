"""The lazy lab's checks (labs/grade.py runs them; labs/lazy/README.md says
what each means)."""

from checklib import Check, answers, program_facts, usertests

NPAGES, NTOUCHED = 256, 10     # labs/lazy/grading/lazycheck.c


def sbrk_takes_nothing(ctx):
    facts, why = program_facts(ctx, "lazycheck", "sbrk")
    if why:
        return why
    for fact, why in (("sbrk of the free frames but LAZY_RESERVE worked",
                       "sbrk refused pages that were free (beyond LAZY_RESERVE)"),
                      ("sbrk of a byte more failed",
                       "from a page boundary, sbrk of the free frames but LAZY_RESERVE and one "
                       "byte more worked: that is one page more than may be promised (every "
                       "page the new size reaches into counts)")):
        if facts.get(fact) != "yes":
            return f"{why} ({fact}: {facts.get(fact, 'not printed')})"
    n = int(facts.get(f"frames taken by sbrk of {NPAGES} pages", NPAGES))
    if n > 1:
        return f"sbrk of {NPAGES} pages took {n} frames: it allocates instead of growing the size"
    reserve = facts.get("sbrk with fewer than LAZY_RESERVE frames free failed", "not printed")
    if reserve != "yes":
        return (f"with fewer than LAZY_RESERVE frames free, sbrk of one page did not fail "
                f"({reserve}): does kfree_count() - LAZY_RESERVE wrap around?")
    return None


def touch_takes_a_page(ctx):
    facts, why = program_facts(ctx, "lazycheck", "touch")
    if why:
        return why
    n = int(facts.get(f"frames taken by stores to {NTOUCHED} pages", -1))
    if not NTOUCHED <= n <= NTOUCHED + 1:      # + a level-0 table at most
        return (f"stores to {NTOUCHED} pages of a lazy heap took {n} frames, not one each "
                "(and they should take none before)")
    for fact in ("stored data kept", "the other bytes read zero"):
        if facts.get(fact) != "yes":
            return f"lazycheck touch: {fact}: {facts.get(fact, 'not printed')}"
    return None


OUTSIDE = [(f, "yes") for f in ("store at the break killed",
                                 "load 10 pages above the break killed",
                                 "store just below the mmap area killed",
                                 "store to a page sbrk(-n) gave back killed",
                                 "load from page 0 killed",
                                 "running code stored in the heap killed",
                                 "sbrk of more than the machine has failed")]
FORK = [("the child saw the parent's data and zeros", "yes"), ("the parent kept its data", "yes")]
COPY = [("read into an untouched page (4 bytes) right", "yes"),
        ("write from an untouched page (16 bytes) right", "yes"),
        ("sysinfo into an untouched page", "0"), ("fstat into an untouched page", "0"),
        ("read into the page at the break", "-14"), ("write from above the break", "-14")]

CHECKS = [
    Check("sbrk", "sbrk grows the size only: no frame taken; it promises whole pages, no "
          "more than are free", 2, sbrk_takes_nothing),
    Check("touch", "a store to a heap page takes one zeroed frame; data kept", 2,
          touch_takes_a_page),
    Check("outside", "accesses outside the heap still kill; sbrk beyond memory fails", 1,
          answers("lazycheck", "outside", OUTSIDE), regression=True),
    Check("fork", "fork of a half-touched heap: each keeps its data", 1, answers("lazycheck", "fork", FORK),
          regression=True),
    Check("copy", "system calls read and write untouched heap pages, not those above it", 1, answers("lazycheck", "copy", COPY),
          regression=True),
    Check("usertests", "usertests sbrkneg sbrkfull faults cowcopyout", 1,
          usertests("sbrkneg", "sbrkfull", "faults", "cowcopyout"), limit=90,
          regression=True),
]
