// The lab checks the page can judge from a snapshot (the daemon's hello names
// the lab and its checks: docs/protocol.md, "lab"). A check whose "live" is
// one of RULES here is judged at every snapshot; the grader's own check
// (labs/LAB/checks.py) stays the grade.
//
// A rule takes a snapshot and returns null when there is nothing to judge
// yet, or { ok, why }.

export const RULES = {
  // Every user frame's refcount is the number of page-table entries that
  // map it (the cow lab: copy-on-write forks and faults keep them in step);
  // a named shared region's frame holds one more, the region's.
  refcounts(snap) {
    const frames = snap.frames?.user ?? [];
    if (!frames.some((f) => f.mapped_by.length > 1)) return null;
    const shared = new Set(leaves(snap).filter((e) => e.shared).map((e) => e.pa));
    const bad = frames.find((f) => f.refcount !== f.mapped_by.length &&
      !(shared.has(f.pa) && f.refcount === f.mapped_by.length + 1));
    return bad
      ? { ok: false, why: `frame ${bad.pa} has refcount ${bad.refcount} but ${bad.mapped_by.length} mappings` }
      : { ok: true, why: `${frames.length} user frames: refcount = mappings` };
  },

  // No shared page (PTE_SHARED) is copy-on-write, and its frame counts its
  // mappings, plus one if a named region holds it (the mmap lab).
  shared(snap) {
    const shared = leaves(snap).filter((e) => e.shared);
    if (!shared.length) return null;
    const cow = shared.find((e) => e.cow);
    if (cow) return { ok: false, why: `pid ${cow.pid}'s shared page ${cow.va} is copy-on-write` };
    const frames = new Map((snap.frames?.user ?? []).map((f) => [f.pa, f]));
    for (const e of shared) {
      const f = frames.get(e.pa);
      const extra = f ? f.refcount - f.mapped_by.length : 0;
      if (f && extra !== 0 && extra !== 1) {
        return { ok: false, why: `shared frame ${f.pa} has refcount ${f.refcount} but ${f.mapped_by.length} mappings` };
      }
    }
    return { ok: true, why: `${shared.length} shared pages: not COW, refcounts = mappings` };
  },
};

// Every user leaf of every address space, with its pid.
function leaves(snap) {
  return Object.entries(snap.address_spaces ?? {}).flatMap(([pid, space]) =>
    (space.tables ?? []).flatMap((t) => (t.entries ?? []).map((e) => ({ pid: Number(pid), ...e }))));
}

// The verdict of one check so far: what it was at the last snapshot that had
// something to judge, and whether it ever failed (a failure stays shown).
export function judge(previous, rule, snap) {
  const now = RULES[rule]?.(snap);
  if (!now) return previous;
  const seen = (previous?.seen ?? 0) + 1;
  if (previous?.failed) return { ...previous, seen, last: now };
  return now.ok ? { seen, last: now } : { seen, last: now, failed: { ...now, seq: snap.seq } };
}
