#!/usr/bin/env python3
"""checklist.py LAB OUT: the lab's checklist for the workbench page, as JSON
in OUT, from labs/LAB/checks.py (the one place the checks are named):

    {"lab": "cow", "checks": [{"name": "share", "title": "...", "points": 2,
                               "live": null}, ...]}

`make workbench LAB=cow` writes it and gives it to the daemon (--lab), whose
hello passes it to the page (docs/protocol.md). "live" names the rule of
web/lib/labrules.js that judges the check from each snapshot, or is null
for a check only the grader can run."""

import json
import sys
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
import grade  # noqa: E402


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: checklist.py LAB OUT")
    lab, out = sys.argv[1], Path(sys.argv[2])
    checks = [{"name": c.name, "title": c.title, "points": c.points, "live": c.live}
              for c in grade.load_checks(lab)]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"lab": lab, "checks": checks}, indent=1) + "\n")


if __name__ == "__main__":
    main()
