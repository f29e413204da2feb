"""The pagetable lab's checks: the student's labs/pagetable/prediction.txt
against the address space the inspector reads from the running kernel
(labs/pagetable/README.md)."""

import re

from checklib import Check, matches, prediction_lines

PAGE = 0x1000
MMAP_BASE = 0x40000000     # below: text, data, bss, heap; above: mmap, stack
LINE = re.compile(r"^(exec|write)\s+(?:0x)?([0-9a-fA-F]+)-(?:0x)?([0-9a-fA-F]+)\s+([R-][W-][X-])\s*$")


def prediction(ctx):
    """{"exec": {va: "RWX"}, "write": {...}} from the submission's file;
    raises AssertionError naming the first bad line."""
    pages = {"exec": {}, "write": {}}
    for n, m in prediction_lines(ctx, "pagetable", LINE, "WHEN 0xSTART-0xEND PERMS"):
        line = m.group(0)
        when, start, end, perms = m.group(1), int(m.group(2), 16), int(m.group(3), 16), m.group(4)
        if start % PAGE or end % PAGE or end <= start or end > 0x80000000:
            raise AssertionError(f"prediction.txt line {n}: {line!r} is not a range of "
                                 "whole user pages")
        for va in range(start, end, PAGE):
            pages[when][va] = perms
    return pages


def live_pages(snap, pid):
    """{va: "RWX"} of pid's user pages in a snapshot (flags spell VRWXUGAD)."""
    space = snap["address_spaces"].get(str(pid)) or {}
    return {int(e["va"], 16): e["flags"][1:4]
            for t in space.get("tables", []) for e in t.get("entries", [])}


def observe(ctx):
    """Run /grade/ptlayout under the inspector: its pages at exec and at its
    first write()."""
    s = ctx.inspect()
    s.type("/grade/ptlayout\n")
    stops = list(s.events("exec", until="ptlayout:", most=1))
    if not stops:
        raise AssertionError("/grade/ptlayout ran without an exec event")
    pid = stops[0][1]["pid"]
    at_exec = live_pages(stops[0][0], pid)
    for snap, ev in s.events("syscall", until="ptlayout:", most=1, syscall="write"):
        if ev["pid"] == pid:
            return at_exec, live_pages(snap, pid)
    raise AssertionError("the inspector saw no write() of /grade/ptlayout")


def spans(pages):
    """Pages as 'START-END PERMS' ranges, for a reason a student can read."""
    out, run = [], None
    for va in sorted(pages):
        if run and va == run[1] and pages[va] == run[2]:
            run[1] = va + PAGE
        else:
            run = [va, va + PAGE, pages[va]]
            out.append(run)
    return ", ".join(f"{a:#010x}-{b:#010x} {p}" for a, b, p in out) or "nothing"


def compare(when, which, keep):
    """A check: the pages for which keep(va, perms) holds, predicted and live."""
    def pick(pages):
        return {va: p for va, p in pages.items() if keep(va, p)}
    return matches(lambda ctx: pick(prediction(ctx)[when]),
                   lambda ctx: pick(dict(zip(("exec", "write"), observe(ctx)))[when]),
                   lambda want, got: f"{which} at {when}: you predicted {spans(want)}; "
                                     f"it is {spans(got)}")


CHECKS = [
    Check("text", "at exec: the text pages (X)", 2,
          compare("exec", "the executable pages", lambda va, p: "X" in p), limit=40),
    Check("data", "at exec: data and bss (W, below the mmap region)", 2,
          compare("exec", "the writable pages below 0x40000000",
                  lambda va, p: "W" in p and va < MMAP_BASE), limit=40),
    Check("stack", "at exec: the stack and the guard page under it", 1,
          compare("exec", "the pages above 0x40000000", lambda va, p: va >= MMAP_BASE),
          limit=40),
    Check("exec", "at exec: nothing else mapped, nothing missing", 1,
          compare("exec", "the address space", lambda va, p: True), limit=40),
    Check("heap", "after sbrk, at the first write(): the whole address space", 2,
          compare("write", "the address space", lambda va, p: True), limit=40),
]
