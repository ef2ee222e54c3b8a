"""What the search costs: seconds and candidates per error, verification time by stage, against a
full `tsc --noEmit` of the same project (issue 11's targets).

    python bench/search_bench.py PROJECT [--node-modules DIR] [--tsc-runs 3] [--json out.json]

PROJECT is copied to a temporary folder first (its store is written there, never into PROJECT);
`node_modules` is linked, not copied. tsfix runs without a model (quick fixes, repairs, search) and
without the TypeScript 6 helper, so that the figures are the project's own compiler's. Each
candidate's Verification is collected as the suggester makes it (a wrapper around Verifier.verify,
for measurement only).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from tsfix.project import resolve_project
from tsfix.scan import scan_project
from tsfix.suggest import SuggestOptions, suggest_errors
from tsfix.verify import Verification, Verifier


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("project", type=Path)
    ap.add_argument("--tsc-runs", type=int, default=3)
    ap.add_argument("--node-modules", type=Path, help="link this node_modules (default: the project's)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        shutil.copytree(args.project, root, ignore=shutil.ignore_patterns("node_modules", ".tsfix", ".git"))
        modules = args.node_modules or args.project / "node_modules"
        if modules.exists():
            (root / "node_modules").symlink_to(modules.resolve())
        project = resolve_project(root)
        tsc_ms = []
        for _ in range(args.tsc_runs):
            started = time.perf_counter()
            subprocess.run([*project.tsc.command, "--noEmit", "-p", str(project.tsconfig)], cwd=root,
                           capture_output=True, check=False)  # fmt: skip
            tsc_ms.append((time.perf_counter() - started) * 1000)
        scan_project(project)

        seen: list[Verification] = []
        original = Verifier.verify

        def measured(self: Verifier, candidate, target) -> Verification:  # type: ignore[no-untyped-def]
            result = original(self, candidate, target)
            seen.append(result)
            return result

        Verifier.verify = measured  # type: ignore[method-assign]
        try:
            report = suggest_errors(project, SuggestOptions(no_llm=True, ts6=False))
        finally:
            Verifier.verify = original  # type: ignore[method-assign]

    compiled = [v for v in seen if not v.invalid and not v.suppression]
    stages = {
        stage: [v.stage_ms[stage] for v in compiled if stage in v.stage_ms]
        for stage in ("files", "exports", "importers")
    }
    out = {
        "project": str(args.project),
        "typescript": project.tsc.version,
        "errors": len(report.outcomes),
        "fixed": sum(1 for o in report.outcomes if o.verified),
        "seconds_per_error_median": median([o.seconds * 1000 for o in report.outcomes]),
        "candidates_per_error_median": median([float(o.tried) for o in report.outcomes]),
        "verify_ms_median": median([v.elapsed_ms for v in compiled]),
        "stage_ms_median": {stage: median(values) for stage, values in stages.items()},
        "candidates_compiled": len(compiled),
        "reached_importers": len(stages["importers"]),
        "importers_skipped": sum(1 for v in compiled if v.importers_skipped),
        "tsc_ms_median": median(tsc_ms),
    }
    if out["verify_ms_median"] and out["tsc_ms_median"]:
        out["verify_share_of_tsc"] = round(out["verify_ms_median"] / out["tsc_ms_median"], 4)
    out["seconds_per_error_median"] = (
        round(out["seconds_per_error_median"] / 1000, 2) if out["seconds_per_error_median"] else None
    )
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
