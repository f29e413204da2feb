#!/usr/bin/env bash
# Glassbox test runner, in this order: every host unit test binary
# ($BUILD/tests/unit_*); every QEMU integration test (tests/integration/run.py);
# the inspector daemon's tests (tests/inspector/run.py: the real daemon driving
# the real QEMU over REST and WebSockets); the labs' grader and starter
# (tests/labs/); the page's tests (tests/web/: the real daemon and Debian's
# Chromium through playwright-core). Prints each
# test's result as it goes and, as its very last line, "N passed, N failed".
# Exit status 1 if anything failed (or nothing ran), else 0.
#
# Usage: tests/run.sh            (after `make all unit-tests`; `make test` does both)
# Environment: BUILD (default build), UNIT_TIMEOUT (s, per binary, default 300),
#              INTEGRATION_TIMEOUT (s, the whole integration run, default 840),
#              INSPECTOR_TIMEOUT (s, the whole inspector run, default 600),
#              LABS_TIMEOUT (s, the whole labs run, default 900),
#              WEB_TIMEOUT (s, the whole page run, default 720).
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
LOGDIR=$BUILD/test-logs
UNIT_TIMEOUT=${UNIT_TIMEOUT:-300}
INTEGRATION_TIMEOUT=${INTEGRATION_TIMEOUT:-840}
mkdir -p "$LOGDIR"

passed=0
failed=0

# ---- host unit tests (cmocka) ------------------------------------------------
# cmocka prints, per group, "[  PASSED  ] N test(s)." and, when some failed,
# "[  FAILED  ] N test(s), listed below:". A binary that exits non-zero with no
# failure counted (a crash, a sanitizer report, a timeout) counts as 1 failure,
# and so does one that prints no summary at all.
shopt -s nullglob
unit_bins=("$BUILD"/tests/unit_*)
shopt -u nullglob

echo "== unit tests: ${#unit_bins[@]} binaries"
for bin in "${unit_bins[@]}"; do
  [[ -f "$bin" && -x "$bin" ]] || continue
  name=$(basename "$bin")
  log=$LOGDIR/$name.log
  # Per-test lines as they come: "PASS binary: test" / "FAIL binary: test".
  # (sh -c: a crash is reported by that shell, into the log, not by this one)
  # shellcheck disable=SC2016
  CMOCKA_MESSAGE_OUTPUT=stdout timeout -k 5 "$UNIT_TIMEOUT" \
    sh -c '"$0"; exit $?' "$bin" 2>&1 | tee "$log" |
    awk -v n="$name" '
      /^\[==========\] [0-9]+ test\(s\) run\./ { done = 1 }
      /^\[==========\] Running/ { done = 0 }
      /^\[       OK \] /  { sub(/^\[       OK \] /, "");  print "PASS " n ": " $0; fflush() }
      /^\[  SKIPPED \] / && !done { sub(/^\[  SKIPPED \] /, ""); print "SKIP " n ": " $0; fflush() }
      /^\[  FAILED  \] / && !done && !/test\(s\)/ { sub(/^\[  FAILED  \] /, ""); print "FAIL " n ": " $0; fflush() }
    '
  rc=${PIPESTATUS[0]}
  p=$(sed -n 's/^\[  PASSED  \] \([0-9][0-9]*\) test(s)\..*/\1/p' "$log" | awk '{s += $1} END {print s + 0}')
  f=$(sed -n 's/^\[  FAILED  \] \([0-9][0-9]*\) test(s).*/\1/p' "$log" | awk '{s += $1} END {print s + 0}')
  summaries=$(grep -c '^\[==========\] [0-9]* test(s) run\.' "$log")
  reason=""
  if ((rc != 0 && f == 0)); then
    f=1
    if ((rc == 124 || rc == 137)); then
      reason="timed out after ${UNIT_TIMEOUT}s"
    elif ((summaries == 0)); then
      reason="exited with status $rc before its summary (crash?)"
    else
      reason="exited with status $rc after its summary (sanitizer report?)"
    fi
  elif ((summaries == 0 && f == 0)); then
    f=1
    reason="printed no cmocka summary (ran no test?)"
  fi
  passed=$((passed + p))
  failed=$((failed + f))
  if ((f > 0)); then
    echo "FAIL $name: $f failed, $p passed${reason:+ ($reason)}; output ($log):"
    tail -n 60 "$log" | sed 's/^/    | /'
  else
    echo "ok   $name: $p passed"
  fi
done

# ---- suites that print their own totals --------------------------------------
# run_suite TITLE TIMEOUT PASS_SED FAIL_SED COMMAND...: run one suite, log it
# to $LOGDIR/TITLE.log and add its counts. PASS_SED and FAIL_SED are sed -E
# scripts printing the counts from the suite's closing lines. A suite that
# ends without them (a crash, a timeout), or exits non-zero with no failure
# counted, counts as one failure.
run_suite() {
  local title=$1 limit=$2 pass_sed=$3 fail_sed=$4
  shift 4
  local log=$LOGDIR/$title.log p f rc
  echo "== $title tests"
  timeout -k 10 "$limit" "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  p=$(sed -nE "$pass_sed" "$log" | tail -n 1)
  f=$(sed -nE "$fail_sed" "$log" | tail -n 1)
  if [[ -z "$p" || -z "$f" ]]; then
    echo "FAIL $title: exited with status $rc without its totals (status 124: timed out after ${limit}s)"
    p=0
    f=1
  elif ((rc != 0 && f == 0)); then
    echo "FAIL $title: exited with status $rc"
    f=1
  fi
  passed=$((passed + p))
  failed=$((failed + f))
}

PYTHON=python3
[[ -x /usr/bin/python3 ]] && PYTHON=/usr/bin/python3   # Debian's, standard library only
INSPECTOR_TIMEOUT=${INSPECTOR_TIMEOUT:-600}
WEB_TIMEOUT=${WEB_TIMEOUT:-720}

# QEMU integration tests; run.py ends with "integration totals: passed=N failed=N".
run_suite integration "$INTEGRATION_TIMEOUT" \
  's/^integration totals: passed=([0-9]+) failed=[0-9]+$/\1/p' \
  's/^integration totals: passed=[0-9]+ failed=([0-9]+)$/\1/p' \
  "$PYTHON" tests/integration/run.py

# The daemon on QEMU; run.py ends with "inspector totals: passed=N failed=N".
run_suite inspector "$INSPECTOR_TIMEOUT" \
  's/^inspector totals: passed=([0-9]+) failed=[0-9]+$/\1/p' \
  's/^inspector totals: passed=[0-9]+ failed=([0-9]+)$/\1/p' \
  "$PYTHON" tests/inspector/run.py

# The labs: every grader on the solution, the starter and wrong kernels.
LABS_TIMEOUT=${LABS_TIMEOUT:-900}
run_suite labs "$LABS_TIMEOUT" \
  's/^labs totals: passed=([0-9]+) failed=[0-9]+$/\1/p' \
  's/^labs totals: passed=[0-9]+ failed=([0-9]+)$/\1/p' \
  "$PYTHON" tests/labs/run.py

# The page in Chromium; node's TAP reporter ends with "# pass N" and "# fail N".
run_suite web "$WEB_TIMEOUT" 's/^# pass ([0-9]+)$/\1/p' 's/^# fail ([0-9]+)$/\1/p' \
  node --test --test-reporter=tap tests/web/

if ((passed + failed == 0)); then
  echo "no test ran"
  failed=1
fi
echo "$passed passed, $failed failed"
((failed == 0))
