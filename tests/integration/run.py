#!/usr/bin/env python3
"""Run Glassbox's integration tests (every test_*.py beside this file).

    python3 tests/integration/run.py              # all of them
    python3 tests/integration/run.py echo 'ctrl_*' # by name: exact, substring or glob
    python3 tests/integration/run.py --list

Prints "PASS name" / "FAIL name: reason" (with the transcript's tail) per test,
and last "integration totals: passed=N failed=N" (tests/run.sh adds these up).
Exit status 1 if any test failed. Needs `make` first (build/kernel/kernel.elf,
build/fs.img). Transcripts: build/test-logs/<name>.log.
"""

import argparse
import fnmatch
import importlib
import os
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.dont_write_bytecode = True   # keep the source tree clean
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import glassbox  # noqa: E402
from glassbox import PANIC_RE, Guest, GuestError, panic_line, tail  # noqa: E402


def load_tests():
    for path in sorted(HERE.glob("test_*.py")):
        importlib.import_module(path.stem)
    return glassbox.TESTS


def selected(tests, patterns):
    if not patterns:
        return tests
    out = []
    for t in tests:
        if any(p == t.name or p in t.name or fnmatch.fnmatchcase(t.name, p) for p in patterns):
            out.append(t)
    return out


def on_signal(signum, frame):
    raise SystemExit(128 + signum)


def run_one(t):
    """Returns (ok, message, transcript)."""
    scratch = None
    if t.disk is not None:
        fd, scratch = tempfile.mkstemp(prefix=f"glassbox-{t.name}-disk-", suffix=".img")
        os.close(fd)
        t.disk(scratch)
    g = Guest(t.name, hard_timeout=t.timeout, **({"disk": scratch} if scratch else {}))
    try:
        g.start()
        if t.boot:
            g.boot()
        t.func(g)
        text = g.transcript
        m = PANIC_RE.search(text)
        if m:
            return False, panic_line(text, m), text
        extra = f", boot {g.boot_seconds:.2f}s" if g.boot_seconds is not None else ""
        return True, extra, text
    except GuestError as e:
        return False, e.message, e.transcript or g.transcript
    except Exception:
        return False, "harness error:\n" + traceback.format_exc().rstrip(), g.transcript
    finally:
        g.close()
        if scratch:
            os.unlink(scratch)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", help="tests to run (exact name, substring or glob)")
    ap.add_argument("-l", "--list", action="store_true", help="list the tests and exit")
    ap.add_argument("--tail", type=int, default=40,
                    help="transcript lines to show for a failure (default 40)")
    args = ap.parse_args()

    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, on_signal)

    tests = load_tests()
    if args.list:
        for t in tests:
            print(t.name)
        return 0
    tests = selected(tests, args.names)
    if not tests:
        print(f"no integration test matches {' '.join(args.names)}")
        print("integration totals: passed=0 failed=1")
        return 1

    passed = failed = 0
    try:
        for t in tests:
            t0 = time.monotonic()
            ok, msg, text = run_one(t)
            secs = time.monotonic() - t0
            if ok:
                passed += 1
                print(f"PASS {t.name} ({secs:.1f}s{msg})", flush=True)
            else:
                failed += 1
                print(f"FAIL {t.name} ({secs:.1f}s): {msg}", flush=True)
                if text:
                    print(f"  --- last {args.tail} lines of the console "
                          f"(all of it: {Guest._rel(glassbox.LOGDIR / (t.name + '.log'))}) ---")
                    for line in tail(text, args.tail).splitlines():
                        print("  | " + line)
                    print("  ---", flush=True)
    finally:
        glassbox.close_all()
    print(f"integration totals: passed={passed} failed={failed}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
