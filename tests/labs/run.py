#!/usr/bin/env python3
"""The labs' tests: every grader proven on right and wrong kernels, and the
starters and the teacher's tools (labs/README.md).

For each lab (labs/*/checks.py): the solution (this tree) gets full marks;
the semester starter tree (every lab's starter in place) builds, boots and
loses exactly the lab's own checks (the "regression" ones still pass); each
wrong kernel tests/labs/mutants/LAB/*.patch, applied to a copy of this tree,
loses points (a patch that no longer applies fails loudly). Then: the
starters hold no solution and are git repositories; `make lab` never
overwrites; a starter whose user/cowtest.c prints what the grader once
wanted scores no more than the starter; `make grade-all` writes the CSV.

    python3 tests/labs/run.py [NAME-SUBSTRING...]    (LABS_JOBS mutants at once, default 2)

Ends with "labs totals: passed=N failed=N". Needs `make` first."""

import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

sys.dont_write_bytecode = True
ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("BUILD", "build"))
if not BUILD.is_absolute():
    BUILD = ROOT / BUILD
sys.path.insert(0, str(ROOT / "labs"))
import make_starter  # noqa: E402

WORK = Path(tempfile.mkdtemp(prefix="glassbox-labs-"))
LINE = re.compile(r"^(PASS|FAIL)\s+(\d+)/(\d+)  ", re.M)
TOTAL = re.compile(r"^lab \S+: (\d+)/(\d+) points", re.M)
LABS = sorted(p.parent.name for p in (ROOT / "labs").glob("*/checks.py"))


def run(args, cwd=ROOT, timeout=600, **kw):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "BUILD": str(BUILD)}, **kw)


def checks_of(lab):
    """[(name, points, regression)] in the grader's order."""
    code = ("import sys; sys.path.insert(0, 'labs'); import grade; "
            f"print('\\n'.join(f'{{c.name}} {{c.points}} {{int(c.regression)}}' "
            f"for c in grade.load_checks('{lab}')))")
    r = run([sys.executable, "-c", code])
    assert r.returncode == 0, r.stderr
    return [(n, int(p), r == "1") for n, p, r in (ln.split() for ln in r.stdout.split("\n") if ln)]


def grade(lab, tree=None, grader=ROOT, until_lost=False):
    """Grade tree with grader's labs/grade.py: (per-check points, total, output).
    until_lost: only until a check loses points (the points of those run)."""
    args = [sys.executable, str(grader / "labs" / "grade.py"), lab]
    if tree is not None:
        args += ["--submission", str(tree)]
    if until_lost:
        args.append("--until-lost")
    r = subprocess.run(args, cwd=grader, capture_output=True, text=True, timeout=600,
                       env={**os.environ, "BUILD": str(grader / "build")})
    out = r.stdout + r.stderr
    got = [int(m.group(2)) for m in LINE.finditer(r.stdout)]
    total = TOTAL.search(r.stdout)
    assert total, f"the grader printed no total:\n{out[-3000:]}"
    return got, int(total.group(1)), out


def copy_tree(dest, build=("kernel",)):
    """This tree's tracked files, and the parts of its build/ named, copied
    with their times, so that make rebuilds only what a test changes."""
    for name in make_starter.tracked_files():
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    copy_build(dest, build)
    return dest


def copy_build(dest, parts):
    """The parts of this tree's build/ named, into dest's build/. A
    dependency file names its object by the path this tree was built with
    (absolute when BUILD was): it is rewritten to dest's build/, where the
    grader builds a submission, or a patched header rebuilds nothing."""
    for part in parts:
        src = BUILD / part
        if src.is_dir():
            shutil.copytree(src, dest / "build" / part, copy_function=shutil.copy2,
                            dirs_exist_ok=True)
            for dep in (dest / "build" / part).rglob("*.d"):
                text = dep.read_text()
                if f"{BUILD}/" in text:
                    stat = dep.stat()
                    dep.write_text(text.replace(f"{BUILD}/", "build/"))
                    os.utime(dep, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        elif src.is_file():
            (dest / "build").mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / "build" / part)


_starter = None


def starter_tree():
    """The semester starter (made once), with this tree's kernel objects."""
    global _starter
    if _starter is None:
        tree = WORK / "semester"
        r = run([sys.executable, str(ROOT / "labs" / "make_starter.py"), "semester", str(tree)])
        assert r.returncode == 0, f"make_starter failed: {r.stdout}{r.stderr}"
        copy_build(tree, ["kernel"])
        _starter = tree
    return _starter


# ---------------------------------------------------------------------------
# Per lab


def solution_gets_full_marks(lab):
    got, total, out = grade(lab)
    want = sum(p for _, p, _ in checks_of(lab))
    assert total == want and "FAIL" not in out, f"the solution scored {total}/{want}:\n{out}"


def starter_loses_exactly_the_labs_points(lab):
    checks = checks_of(lab)
    got, total, out = grade(lab, starter_tree())
    assert len(got) == len(checks), f"{len(got)} check lines for {len(checks)} checks:\n{out}"
    wrong = [name for (name, points, regression), g in zip(checks, got)
             if g != (points if regression else 0)]
    assert not wrong, (f"on the starter only the regression checks should pass; these did "
                       f"not follow that: {wrong}\n{out}")


def mutant_loses_points(lab, patch):
    tree = copy_tree(WORK / f"{lab}-{patch.stem}")
    r = run(["git", "apply", "--verbose", str(patch)], cwd=tree)
    assert r.returncode == 0, (f"{patch.relative_to(ROOT)} no longer applies to the solution "
                               f"(the kernel changed: update the patch):\n{r.stderr}")
    checks = checks_of(lab)
    want = sum(p for _, p, _ in checks)
    # A wrong kernel has only to lose points: the checks after the first it
    # fails are not run (about half the time of the whole grade).
    got, total, out = grade(lab, tree, until_lost=True)
    shutil.rmtree(tree, ignore_errors=True)
    assert "FAIL  build" not in out, f"the wrong kernel does not even build:\n{out}"
    assert total < want, f"the grader gave the wrong kernel full marks:\n{out}"
    lost = [name for (name, points, _), g in zip(checks, got) if g < points]
    return f"{total}/{want}, lost {', '.join(lost)}"


# ---------------------------------------------------------------------------
# Starters and the teacher's tools


def starters_hold_no_solution():
    tree = starter_tree()
    texts = {p: p.read_text(errors="replace") for p in tree.rglob("*")
             if p.is_file() and ".git" not in p.parts and "build" not in p.parts}
    marker = re.compile(r"^[ \t]*(//|#) LAB [a-z]+-[a-z-]+ (begin|end)", re.M)
    for p, text in texts.items():
        assert not marker.search(text), f"{p.relative_to(tree)} still has a lab region"
    for name in make_starter.tracked_files():
        if not name.endswith(make_starter.MARKED):
            continue
        for region, solution in make_starter.regions((ROOT / name).read_text()):
            body = solution.strip()
            assert not any(body in t for t in texts.values()), \
                f"the solution of region {region} is in the starter"
    assert not (tree / "tests" / "labs").exists(), "the starter holds the mutants"
    assert not list(tree.glob("labs/*/teacher")), "the starter holds a lab's teacher/"
    log = run(["git", "log", "--oneline"], cwd=tree).stdout.splitlines()
    assert len(log) == 1, f"the starter should be a repository with one commit: {log}"
    assert run(["git", "status", "--porcelain"], cwd=tree).stdout == "", "uncommitted files"


def forensics_starter_names_no_bug():
    """Nothing in a student's forensics tree, nor the path of the seeded
    kernel a student is given, names a seeded bug."""
    bugs = [p.stem for p in (ROOT / "labs" / "forensics" / "teacher").glob("*.patch")]
    assert bugs, "labs/forensics/teacher/ has no seeded bugs"
    tree = WORK / "forensics-student"
    r = run(["make", "-s", "lab", "LAB=forensics", f"DEST={tree}"])
    assert r.returncode == 0, r.stdout + r.stderr
    for p in tree.rglob("*"):
        if p.is_file() and ".git" not in p.parts:
            text = p.read_text(errors="replace")
            named = [b for b in bugs if b in text]
            assert not named, f"the student's {p.relative_to(tree)} names the bug {named[0]}"
    for seed in range(len(bugs)):
        r = run([sys.executable, "labs/forensics/checks.py", str(seed)])
        assert r.returncode == 0, r.stdout + r.stderr
        named = [b for b in bugs if b in r.stdout]
        assert not named, f"seed {seed}'s kernel is {r.stdout.strip()}: it names {named[0]}"


def make_lab_never_overwrites():
    dest = WORK / "mine"
    r = run(["make", "-s", "lab", "LAB=cow", f"DEST={dest}"])
    assert r.returncode == 0 and (dest / ".git").is_dir(), r.stdout + r.stderr
    (dest / "kernel" / "vm.c").write_text("my work\n")
    r = run(["make", "-s", "lab", "LAB=cow", f"DEST={dest}"])
    assert r.returncode != 0 and "already exists" in r.stdout + r.stderr, r.stdout + r.stderr
    assert (dest / "kernel" / "vm.c").read_text() == "my work\n", "the student's work was lost"
    r = run(["make", "-n", "lab", "LAB=cow"])
    default = r.stdout.split()[-1]
    assert not Path(default).resolve().is_relative_to(BUILD), \
        f"the default DEST is under build/ (make clean would delete it): {default}"
    r = run(["make", "-s", "lab", "LAB=nosuchlab", f"DEST={WORK / 'none'}"])
    assert r.returncode != 0 and not (WORK / "none").exists(), "an unknown lab made a tree"


def faked_cowtest_gains_nothing():
    """The starter with user/cowtest.c printing what a cowtest-trusting
    grader wanted, graded in the tree itself (`make grade`)."""
    tree = WORK / "cheat"
    r = run([sys.executable, str(ROOT / "labs" / "make_starter.py"), "cow", str(tree)])
    assert r.returncode == 0, r.stderr
    copy_build(tree, ["kernel", "user", "fsroot", "fs.img", "inspector"])
    (tree / "user" / "cowtest.c").write_text(
        '#include "user/user.h"\n\nint\nmain(void)\n{\n'
        '  printf("cowtest: fork shared 16 frames, child\'s writes copied 16 frames\\n");\n'
        '  printf("cowtest: OK\\n");\n  return 0;\n}\n')
    got, total, out = grade("cow", grader=tree)
    regression = sum(p for _, p, r in checks_of("cow") if r)
    assert total == regression, f"a printf cowtest scored {total}, the starter {regression}:\n{out}"


def grade_all_writes_the_csv():
    subs = WORK / "submissions"
    subs.mkdir()
    (subs / "ada").symlink_to(ROOT)
    (subs / "bob").symlink_to(starter_tree())
    carl = copy_tree(subs / "carl")
    r = run(["git", "apply", str(ROOT / "tests/labs/mutants/cow/no-event.patch")], cwd=carl)
    assert r.returncode == 0, r.stderr
    table = WORK / "grades.csv"
    r = run(["make", "-s", "grade-all", "LAB=cow", f"SUBMISSIONS={subs}", f"CSV={table}"],
            timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    rows = list(csv.reader(open(table)))
    checks = checks_of("cow")
    assert rows[0] == ["student"] + [n for n, _, _ in checks] + ["total"], rows[0]
    full = sum(p for _, p, _ in checks)
    by = {row[0]: [int(x) for x in row[1:]] for row in rows[1:]}
    assert by["(max)"][-1] == full
    assert by["ada"][-1] == full, f"the solution: {by['ada']}\n{r.stdout}"
    assert by["bob"] == [p if reg else 0 for _, p, reg in checks] + \
        [sum(p for _, p, reg in checks if reg)], f"the starter: {by['bob']}"
    assert by["carl"][-1] < full and by["carl"][checks.index(
        next(c for c in checks if c[0] == "inspect"))] == 0, f"the mutant: {by['carl']}"


ANSWER_REGION = re.compile(r"(# LAB forensics-answer begin\n).*?(# LAB forensics-answer end)", re.S)


def forensics_bug_answer_gets_full_marks(index, bug):
    """The course's answer for one seeded bug (labs/forensics/teacher/BUG.answer,
    given a seed that picks that bug) gets full marks: every bug can be found
    and proven from what the inspector shows, not only the solution's."""
    tree = copy_tree(WORK / f"forensics-{bug.stem}")
    answer = tree / "labs" / "forensics" / "answer.txt"
    facts = bug.with_suffix(".answer").read_text()
    answer.write_text(ANSWER_REGION.sub(lambda m: f"{m.group(1)}seed {index}\n{facts}{m.group(2)}",
                                        answer.read_text()))
    checks = checks_of("forensics")
    want = sum(p for _, p, _ in checks)
    got, total, out = grade("forensics", tree)
    shutil.rmtree(tree, ignore_errors=True)
    assert total == want and "FAIL" not in out, f"seed {index} ({bug.stem}) scored {total}/{want}:\n{out}"


def enough_mutants(patches):
    assert len(patches) >= 5, f"only {len(patches)} wrong kernels prove the grader"


TESTS = []
for lab in LABS:
    TESTS.append((f"{lab}: the solution gets full marks", solution_gets_full_marks, (lab,)))
    TESTS.append((f"{lab}: the starter loses exactly the lab's own points",
                  starter_loses_exactly_the_labs_points, (lab,)))
    patches = sorted((ROOT / "tests" / "labs" / "mutants" / lab).glob("*.patch"))
    TESTS.append((f"{lab}: at least 5 mutants", enough_mutants, (patches,)))
    for patch in patches:
        TESTS.append((f"{lab}: mutant {patch.stem} loses points", mutant_loses_points,
                      (lab, patch)))
for index, bug in enumerate(sorted((ROOT / "labs" / "forensics" / "teacher").glob("*.patch"))):
    TESTS.append((f"forensics: the course's answer for seeded bug {bug.stem} gets full marks",
                  forensics_bug_answer_gets_full_marks, (index, bug)))
TESTS += [
    ("starters hold no solution and are repositories of one commit",
     starters_hold_no_solution, ()),
    ("forensics: the student's tree and kernel path name no seeded bug",
     forensics_starter_names_no_bug, ()),
    ("make lab never overwrites a tree", make_lab_never_overwrites, ()),
    ("a printf cowtest in the starter gains nothing", faked_cowtest_gains_nothing, ()),
    ("make grade-all writes one CSV row per student", grade_all_writes_the_csv, ()),
]


def run_one(name, test, args):
    """(passed, its line): the test run, its result in one line."""
    start = time.monotonic()
    try:
        note = test(*args)
        return True, f"PASS {name} ({time.monotonic() - start:.1f}s)" + (f": {note}" if note else "")
    except Exception as e:   # an assertion, or a tool that timed out
        return False, f"FAIL {name}: {e}"


def main(argv):
    """The mutants (each in its own copy of the tree, graded by this tree's
    grader once the solution's test has built it) run LABS_JOBS at a time;
    the rest, which share this tree or the semester starter, one by one."""
    wanted = argv[1:]
    chosen = [t for t in TESTS if not wanted or any(w in t[0] for w in wanted)]
    # (each in its own copy of the tree too)
    mutants = [t for t in chosen if t[1] in (mutant_loses_points, forensics_bug_answer_gets_full_marks)]
    first = [t for t in chosen if t[1] is not mutant_loses_points and t[2] and t[2][0] in LABS]
    last = [t for t in chosen if t not in mutants and t not in first]
    results = []

    def report(result):
        results.append(result[0])
        print(result[1], flush=True)

    try:
        for t in first:
            report(run_one(*t))
        with ThreadPoolExecutor(max_workers=int(os.environ.get("LABS_JOBS", "2"))) as pool:
            for fut in as_completed([pool.submit(run_one, *t) for t in mutants]):
                report(fut.result())
        for t in last:
            report(run_one(*t))
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
    passed = sum(results)
    failed = len(results) - passed
    print(f"labs totals: passed={passed} failed={failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
