"""The fixer command ../shared/bench/score.py runs for tsfix: scan, suggest, apply the best verified fix
of each error, and repeat while that makes progress (at most --rounds times).

    cd ../shared/bench
    python3 score.py --cases dev/cases.jsonl --ts 7.0.2 --jobs 2 --out /tmp/r.jsonl \\
        --fixer '/path/to/.venv/bin/python /path/to/bench/tsfix_fixer.py --no-llm'

It runs in the case's folder (the scorer's cwd) and uses only tsfix's Python API. Only verified
suggestions are applied, so a round never knowingly introduces an error. Every verified one is applied,
whatever its confidence (no default threshold): the confidences are logged, and bench/threshold.py
turns the scored runs into the threshold `tsfix apply --all` uses.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from tsfix.langserver.factory import open_language_service
from tsfix.plan import best_per_error, verify_together
from tsfix.project import resolve_project
from tsfix.scan import scan_project
from tsfix.suggest import SuggestOptions, suggest_errors
from tsfix.verify import Verifier

STARTED = time.monotonic()


def log(*parts: object) -> None:
    print(f"[tsfix-fixer {time.monotonic() - STARTED:5.1f}s]", *parts, file=sys.stderr, flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--fixer", action="append", help="quickfix, repair, llama, openai (repeatable)")
    ap.add_argument("--no-llm", action="store_true")
    ap.add_argument("--model")
    ap.add_argument("--no-ts6", action="store_true")
    args = ap.parse_args()

    root = Path(os.environ.get("TSFIX_CASE_DIR") or ".").resolve()
    limit = float(os.environ.get("TSFIX_TIMEOUT", "120"))
    deadline = time.monotonic() + limit * 0.8  # no round starts after it
    last = time.monotonic() + limit * 0.9  # what suggesting leaves room for combining before
    end = time.monotonic() + limit - 3  # every check of combining ends before it (writing takes a second)
    project = resolve_project(root)
    waiting: set[str] = set()  # errors the last round did not reach: they go first in the next
    scanned = 0.0  # how long the last scan took: a round that cannot scan before the deadline is not begun
    for round_no in range(1, args.rounds + 1):
        if time.monotonic() + 1.5 * scanned > deadline:
            break
        started = time.monotonic()
        scan = scan_project(project)
        scanned = time.monotonic() - started
        if scan.error_count == 0 or time.monotonic() > deadline:
            break
        with project.open_store() as store:
            todo = store.list_errors(project=project.key, statuses=["new", "ai_suggested"])
        todo.sort(key=lambda e: e.fingerprint not in waiting)  # stable: otherwise in file order
        # what is left until combining must stop, less room for combining (a fifth of it, at
        # least a tenth of the limit): errors not reached wait for the next round, which costs a
        # scan and the language service's first checks again, so this round gets what it can use
        left = last - time.monotonic()
        budget = max(1.0, left - max(0.1 * limit, 0.2 * left))
        with open_language_service(root, project.tsc, timeout=60) as service:  # one per round
            report = suggest_errors(
                project,
                SuggestOptions(
                    statuses=["new", "ai_suggested"],
                    fixers=args.fixer,
                    no_llm=args.no_llm,
                    model=args.model,
                    ts6=not args.no_ts6,
                    max_seconds=budget,
                    # a fair share each (at least 1 s): a migration's many errors are mostly cheap
                    # (and mostly verified together, tsfix.groups), and one that needs many
                    # candidates must not starve the rest (it gets the next round)
                    error_seconds=max(1.0, budget / max(1, len(todo))),
                ),
                service=service,
                errors=todo,
            )
            waiting = {
                o.error.fingerprint for o in report.outcomes if (o.note or "").startswith("not reached")
            }
            verified = sum(o.verified for o in report.outcomes)
            log(
                f"round {round_no}: {scan.error_count} error(s), {len(todo)} selected, {verified} with a verified fix, {len(waiting)} not reached"
            )
            with project.open_store() as store:
                rows = [s for o in report.outcomes for s in store.suggestions(o.error.id)]
            chosen = verify_together(
                Verifier(service),
                best_per_error(rows),
                lambda p: (root / p).read_text(encoding="utf-8"),
                until=end,
                check_s=0.1 * limit,  # until the first check says how long one takes
            )
        for skipped, why in chosen.skipped:
            log(f"round {round_no}: left out suggestion {skipped.id}: {why}")
        if not chosen.chosen:
            log(f"round {round_no}: no verified fix to apply")
            break
        for path, text in chosen.after.items():
            (root / path).write_text(text, encoding="utf-8")
        log(f"round {round_no}: applied {len(chosen.chosen)} fix(es) to {len(chosen.after)} file(s)")
        # what bench/threshold.py reads to choose apply --all's default threshold
        log(f"round {round_no}: confidences {','.join(f'{s.confidence:.4f}' for s in chosen.chosen)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
