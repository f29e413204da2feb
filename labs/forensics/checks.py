"""The forensics lab's checks (labs/grade.py runs them; labs/forensics/README.md
says what each means).

The seeded kernel is this tree's kernel with one bug of
labs/forensics/teacher/*.patch applied (seed modulo their number, in name
order). Those patches are the course's: no starter has labs/*/teacher/, so
nothing in a student's tree says which bug a seed gets, and each patch says
its own kind (a first line "# kind: KIND"). The submission gives only
labs/forensics/answer.txt: its seed, the kind of bug, and the events (by
kind and fields) and the frame or page that show it. The grader runs
/grade/suspect on the seeded kernel under the inspector and checks every
cited fact against what the kernel did.

    python3 labs/forensics/checks.py SEED    # build the seeded kernel, print its path"""

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for _d in ("labs", "tests/integration", "tests/inspector"):    # as grade.py has them
    sys.path.insert(0, str(ROOT / _d))
from checklib import Check, field, prediction_lines  # noqa: E402
from inspect_session import frame, mapping  # noqa: E402

BUGS = sorted((ROOT / "labs" / "forensics" / "teacher").glob("*.patch"))
KIND_LINE = re.compile(r"^# kind: (\S+)$", re.M)
# the event kind at whose stops the grader looks at the kernel's state, for
# each kind of bug (the answer's "bug" line)
STOP = {"refcount": "cow_fault", "permission": "exec", "message": "mail_recv"}
LINE = re.compile(r"(seed|bug|event|frame|page)\s+(.+)$")
# the fields of an event that are the same in every run: a citation gives
# every one of them that its event has
STABLE = ("pid", "va", "to", "from", "len")
FORM = "seed N | bug KIND | event KIND field=value ... | frame FIELD | page VA"
_lock = threading.Lock()


def seeded(seed):
    """The seed's bug (a patch); AssertionError in a tree without them (a
    student's: they are the course's)."""
    if not BUGS:
        raise AssertionError("this tree has no seeded bugs (labs/forensics/teacher/): the "
                             "forensics lab is graded in the course's tree")
    return BUGS[seed % len(BUGS)]


def kind_of(seed):
    """The kind of the seed's bug, from its patch's "# kind:" line."""
    bug = seeded(seed)
    m = KIND_LINE.search(bug.read_text())
    if not m or m.group(1) not in STOP:
        raise AssertionError(f"{bug.name} has no '# kind: {' | '.join(sorted(STOP))}' line")
    return m.group(1)


def bug_kernel(seed):
    """The kernel with the seed's bug, built in BUILD/labs/forensics/bug-HASH
    (the patch's digest: the path a student is given names no bug; only what
    the patch touches is compiled again); (path, None) or (None, why). A tree
    built already from the same patch and this tree's kernel is left as it
    is: another check's (or grader's) daemon may be running its kernel."""
    import make_starter
    from grade import BUILD, quiet_make
    bug = seeded(seed)
    base = BUILD / "kernel" / "kernel.elf"
    if not base.is_file():
        return None, f"this tree's kernel is not built ({base}): make first"
    key = "bug-" + hashlib.sha256(bug.read_bytes()).hexdigest()[:12]
    tree = BUILD / "labs" / "forensics" / key
    kernel, stamp = tree / "build" / "kernel" / "kernel.elf", tree / "build" / "built-from"
    source = hashlib.sha256(base.read_bytes()).hexdigest()
    tree.parent.mkdir(parents=True, exist_ok=True)
    with _lock, open(tree.parent / f"{key}.lock", "w") as held:   # other threads, other graders
        fcntl.flock(held, fcntl.LOCK_EX)
        if kernel.is_file() and stamp.is_file() and stamp.read_text() == source:
            return kernel, None
        for name in make_starter.tracked_files():
            if (ROOT / name).is_file():
                (tree / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, tree / name)
        shutil.copytree(BUILD / "kernel", tree / "build" / "kernel", copy_function=shutil.copy2,
                        dirs_exist_ok=True)
        # (tree is inside this repository: without the ceiling git apply would
        # patch relative to it, and skip every path outside tree)
        r = subprocess.run(["git", "apply", str(bug)], cwd=tree, capture_output=True, text=True,
                           env={**os.environ, "GIT_CEILING_DIRECTORIES": str(tree.parent)})
        why = (f"the seeded bug {bug.name} does not apply: {r.stderr}" if r.returncode else
               quiet_make(["BUILD=build", "kernel"], tree, tree / "build" / "grade-build.log"))
        if why:
            return None, why
        stamp.write_text(source)
        return kernel, None


def answer(ctx):
    """The submission's answer: {"seed", "bug", "events": [(kind, {field: text})],
    "frame" (the name of a cited event's field: the frame it names), "page"};
    raises AssertionError for a malformed file."""
    got = {"events": []}
    for n, m in prediction_lines(ctx, "forensics", LINE, FORM, "answer.txt"):
        key, rest = m.group(1), m.group(2).split("#")[0].split()
        if key == "event":
            fields = dict(f.split("=", 1) for f in rest[1:] if "=" in f)
            got["events"].append((rest[0], fields))
        elif key in ("seed", "page"):
            try:
                got[key] = int(rest[0], 0)
            except ValueError:
                raise AssertionError(f"answer.txt line {n}: {rest[0]!r} is not a number")
        else:
            got[key] = rest[0]
    if "seed" not in got:
        raise AssertionError("answer.txt has no 'seed N' line")
    return got


def run(ctx, seed):
    """Run /grade/suspect on the seeded kernel under the inspector; returns
    (stops [(snapshot, event)] at the seed's bug's STOP kind, every event)."""
    kernel, why = bug_kernel(seed)
    if why:
        raise AssertionError(why)
    ctx.kernel = kernel
    s = ctx.inspect()
    s.type("/grade/suspect\n")
    stops = list(s.events(STOP[kind_of(seed)], until="suspect: done", program="suspect"))
    s.wait_console("suspect: done")
    s.pause()
    return stops, s.all_events()


def matches(ev, kind, fields):
    if ev["kind"] != kind:
        return False
    for name, want in fields.items():
        try:
            if name not in ev or field(ev, name) != int(want, 0):
                return False
        except ValueError:
            return False
    return True


def cited(line):
    kind, fields = line
    return " ".join([kind] + [f"{k}={v}" for k, v in fields.items()])


def the_bug(ctx):
    a = answer(ctx)
    want = kind_of(a["seed"])
    if a.get("bug") != want:
        return (f"the kernel of seed {a['seed']} has a bug of another kind than "
                f"{a.get('bug', 'none')!r} (kinds: {', '.join(sorted(STOP))})")
    return None


def the_events(ctx):
    a = answer(ctx)
    if not a["events"]:
        return "answer.txt cites no event"
    _, events = run(ctx, a["seed"])
    missing = [cited(c) for c in a["events"] if not any(matches(e, *c) for e in events)]
    if missing:
        return ("the seeded kernel running suspect logs no event like: " + "; ".join(missing))
    vague = []
    for c in a["events"]:
        found = [e for e in events if matches(e, *c)]
        lacking = [f for f in STABLE if f in found[0] and f not in c[1]]
        if len(found) > 1 or lacking:
            vague.append(f"{cited(c)} (names {len(found)} event{'s' * (len(found) > 1)}"
                         f"{'; cite its ' + ', '.join(lacking) if lacking else ''})")
    if vague:
        return ("cite each event by every one of " + ", ".join(STABLE) + " that it has, "
                "so that the line names one event: " + "; ".join(vague))
    return None


def the_proof(ctx):
    """The cited events show the bug: the state at them, or their fields."""
    a = answer(ctx)
    kind = kind_of(a["seed"])
    stops, events = run(ctx, a["seed"])
    if kind == "message":
        sends = [e for e in events for c in a["events"] if c[0] == "mail_send" and matches(e, *c)]
        recvs = [e for e in events for c in a["events"] if c[0] == "mail_recv" and matches(e, *c)]
        for s in sends:
            for r in recvs:
                if s["to"] == r["pid"] and r["from"] == s["pid"] and s["len"] != r["len"]:
                    return None
        return ("cite a mail_send and the mail_recv of the same message (to, from) whose lengths "
                "differ")
    at = [(snap, ev) for snap, ev in stops for c in a["events"] if matches(ev, *c)]
    if not at:
        return f"answer.txt cites no {STOP[kind]} event that the seeded kernel logs"
    for snap, ev in at:
        if kind == "refcount" and a.get("frame") in ev:
            f = frame(snap, field(ev, a["frame"]))
            if f and f["refcount"] != len(f["mapped_by"]):
                return None
        if kind == "permission" and "page" in a:
            e = mapping(snap, ev["pid"], a["page"] & ~0xFFF)
            if e and "W" in e["flags"] and "X" in e["flags"]:
                return None
    what = {"refcount": f"frame (the event's {a.get('frame', '?')}) with a refcount other "
                        "than its mappings",
            "permission": f"page {a.get('page', 0):#010x} both writable and executable"}[kind]
    return f"at the cited events the inspector shows no {what}"


CHECKS = [
    Check("bug", "the kind of bug the seeded kernel has", 2, the_bug),
    Check("events", "each cited event happens, once, when the seeded kernel runs suspect", 2,
          the_events, limit=90),
    Check("proof", "at the cited events the kernel's state (or the events) shows the bug", 2,
          the_proof, limit=90),
]

if __name__ == "__main__":
    try:
        path, why = bug_kernel(int(sys.argv[1]))
    except AssertionError as e:
        path, why = None, str(e)
    sys.exit(why) if why else print(path)
