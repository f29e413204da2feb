"""What crashload (user/crashload.c) reports, read from a transcript: the
files a crash must not lose. Used by the crash test (test_crash.py) and the
crash lab's grader (labs/crash/checks.py)."""

import re


def fnv(data):
    """FNV-1a, 32 bits: crashload's hash of a file's bytes."""
    h = 2166136261
    for b in data:
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


def expected(transcript):
    """Files the last complete durable report lists and no later line
    touched: {name: (size, hash)}."""
    lines = transcript.splitlines()
    try:
        last_end = max(i for i, ln in enumerate(lines) if ln.strip() == "end")
    except ValueError:
        return {}
    start = max(i for i in range(last_end) if lines[i].strip() == "durable")
    report = {}
    for ln in lines[start + 1:last_end]:
        path, size, h = ln.split()
        report[path.rsplit("/", 1)[1]] = (int(size), int(h))
    for ln in lines[last_end + 1:]:
        m = re.match(r"touch /cl/(f\d+)", ln.strip())
        if m:
            report.pop(m.group(1), None)
    return report
