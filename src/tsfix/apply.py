"""`tsfix apply`: suggestions become edits on disk, without ever clobbering a user's work.

The steps, each in its own module:
- select the fixes (tsfix.plan.select_fixes) and confine them to source files of the program tsc
  checks: never configuration, lockfiles, node_modules, .git, .tsfix or anything outside the root;
- rebase each onto the files as they are now (tsfix.rebase): a file changed since the suggestion was
  made gets the suggestion's hunks re-located by their context (tsfix.hunks), or the fix is skipped
  with a message — the user's change always survives;
- combine them: overlapping ones give way to the more confident, fixes that touch several files are
  all-or-nothing, and the combination is verified by the compiler before anything is written
  (tsfix.plan.verify_together);
- write every file or none, even on a full disk (tsfix.writes.write_all), keeping the originals for
  `tsfix undo` (tsfix.undo); files keep their mode, encoding, byte-order mark and line endings;
- re-check the touched files (tsfix.checkers) and roll back, here, the files that got a new error.
"""

from __future__ import annotations

import shutil
import stat
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from tsfix.checkers import Checker, ServiceChecker, TscChecker, problems
from tsfix.edits import unified_diff
from tsfix.errors import TsfixError, UsageError
from tsfix.files import DiskFile, Workspace, atomic_write, confined, restore_copy
from tsfix.importgraph import ImportGraph
from tsfix.langserver import LanguageService, LanguageServiceError, LsDiagnostic
from tsfix.langserver.factory import open_language_service
from tsfix.locate import locate
from tsfix.plan import APPLIED, FAILED, PENDING, PLANNED, Fix, Plan, plan, select_fixes, verify_together
from tsfix.progress import (
    CheckingFiles,
    Combining,
    Fallback,
    FixesSelected,
    Progress,
    RecheckingFiles,
    ServiceStarting,
    WritingFiles,
    quiet,
)
from tsfix.project import ProgramSources, Project
from tsfix.rebase import confine_to_program, rebase
from tsfix.tsc import TscInfo
from tsfix.undo import UndoRecord, check_undo_writable, start_undo
from tsfix.verify import Verifier
from tsfix.writes import ApplyWriteFailed, write_all

Answer = str  # y | n | a | q
Confirm = Callable[["Fix", str], Answer]


@dataclass(slots=True)
class ApplyOptions:
    """What `tsfix apply` was asked to do."""

    ids: list[str] = field(default_factory=list)
    all: bool = False
    min_confidence: float | None = None  # None: tsfix.plan.APPLY_THRESHOLD
    fixers: list[str] | None = None
    codes: list[str] | None = None
    files: list[str] | None = None
    include_unverified: bool = False
    dry_run: bool = False
    patch: Path | None = None
    check_with: str = "service"  # service | tsc
    ls_timeout: float = 120.0
    tsc_timeout: float | None = None

    @property
    def writes(self) -> bool:
        return not self.dry_run and self.patch is None


@dataclass(slots=True)
class ApplyReport:
    """What `tsfix apply` did (or, with --dry-run / --patch, would do) with each selected fix."""

    fixes: list[Fix]
    mode: str  # apply | dry-run | patch
    diff: str  # what was (or would be) applied, one unified diff
    written: list[str] = field(default_factory=list)
    rolled_back: list[str] = field(default_factory=list)
    patch_path: Path | None = None
    undo_id: str | None = None
    checked_with: str | None = None  # the language service or tsc that re-checked
    problems_before: int | None = None  # errors in the re-checked files
    problems_after: int | None = None
    store_url: str = ""
    warnings: list[str] = field(default_factory=list)

    def count(self, state: str) -> int:
        return sum(1 for f in self.fixes if f.state == state)


def apply_fixes(
    project: Project,
    options: ApplyOptions,
    progress: Progress = quiet,
    confirm: Confirm | None = None,
    *,
    service: LanguageService | None = None,
) -> ApplyReport:
    """Apply (or, with --dry-run / --patch, only show) the chosen suggestions of a project.
    `service`: a language service of the project the caller has open (tsfix ci), used to check."""
    root = project.root
    project.require_store()
    mode = "dry-run" if options.dry_run else "patch" if options.patch is not None else "apply"
    with project.open_store(create=False) as store:
        if options.writes:  # a read-only store or undo folder fails now, not after the writes
            store.check_writable()
            check_undo_writable(root)
        fixes, without = select_fixes(store, options, project.key)
        progress(FixesSelected(fixes=len(fixes)))
        report = ApplyReport([*fixes, *without], mode, "", store_url=store.display_url)
        ws = Workspace(root)
        if fixes:  # the TypeScript is found only when there is something to apply
            sources = ProgramSources(root, project.tsc, project.tsconfig, options.tsc_timeout or 120.0)
        for fix in fixes:
            confine_to_program(fix, sources, ws)
            if fix.state == PENDING:
                rebase(fix, ws, writes=options.writes, patch=options.patch is not None)
        ready = [f for f in fixes if f.state == PENDING and f.reason is None]
        if confirm is not None:
            ready = _ask(ready, confirm)
        if not ready:
            if options.patch is not None:
                _write_patch(options.patch, "")
                report.patch_path = options.patch
            return report

        with ExitStack() as stack:
            checker = _checker(options, root, project.tsconfig, project.tsc, stack, progress, service)
            progress(Combining(fixes=len(ready)))
            combined = _combine(ready, ws, checker, options)
            for fix in ready:
                if fix.state == PENDING and fix.reason is None:
                    fix.state = PLANNED if not options.writes else APPLIED
            report.diff = unified_diff(combined.before, combined.after)
            if options.patch is not None:
                before = {p: _with_bom(ws.file(p), t) for p, t in combined.before.items()}
                after = {p: _with_bom(ws.file(p), t) for p, t in combined.after.items()}
                _write_patch(options.patch, unified_diff(before, after))
                report.patch_path = options.patch
            if not options.writes or not combined.after:
                return report
            report.checked_with = checker.name
            _write_and_check(report, combined, ws, checker, root, progress)
        applied = [f for f in report.fixes if f.state == APPLIED]
        if applied:
            try:
                store.mark_applied([f.suggestion.id for f in applied if f.suggestion is not None])
            except TsfixError as exc:  # the files are written; the next scan records what is fixed
                report.warnings.append(
                    f"the fixes are applied but {store.display_url} was not updated: {exc}"
                )
    return report


def _ask(ready: list[Fix], confirm: Confirm) -> list[Fix]:
    """y: take it; n: leave it; a: take it and all the rest; q: leave it and all the rest."""
    taken: list[Fix] = []
    answer = ""
    for n, fix in enumerate(ready):
        if answer != "a":
            answer = confirm(fix, f"{n + 1}/{len(ready)}")
        if answer in ("y", "a"):
            taken.append(fix)
        else:
            fix.reason = "declined" if answer == "n" else "not asked (quit)"
            if answer == "q":
                for rest in ready[n + 1 :]:
                    rest.reason = "not asked (quit)"
                break
    return taken


def _checker(
    options: ApplyOptions,
    root: Path,
    tsconfig: Path,
    tsc: TscInfo,
    stack: ExitStack,
    progress: Progress,
    service: LanguageService | None = None,
) -> Checker:
    """The project's language service, or tsc when asked for or when the service cannot start."""
    if options.check_with == "service" and service is not None:
        return ServiceChecker(service, ImportGraph(root))
    if options.check_with == "service":
        progress(ServiceStarting(version=tsc.version))
        try:
            service = stack.enter_context(open_language_service(root, tsc, options.ls_timeout))
            return ServiceChecker(service, ImportGraph(root))
        except LanguageServiceError as exc:
            progress(Fallback(reason=exc.message))
    return TscChecker(root, tsc, tsconfig, options.tsc_timeout)


def _combine(ready: list[Fix], ws: Workspace, checker: Checker, options: ApplyOptions) -> Plan:
    """The fixes that go together; the others stay pending with the reason."""
    by_suggestion = {id(f.suggestion): f for f in ready}
    suggestions = [f.suggestion for f in ready if f.suggestion is not None]
    if isinstance(checker, ServiceChecker) and not options.include_unverified:
        combined = verify_together(Verifier(checker.service), suggestions, ws.text)
    else:  # the re-check after writing still rolls back whatever breaks something
        combined = plan(suggestions, ws.text)
    for s, why in combined.skipped:
        by_suggestion[id(s)].reason = why
    return combined


def _with_bom(file: DiskFile, text: str) -> str:
    return ("\ufeff" + text) if file.bom else text


def _write_patch(target: Path, diff: str) -> None:
    target = target.expanduser()
    if not target.parent.is_dir():
        raise UsageError(
            f"--patch {target}: no folder {target.parent}", hint="create it or choose another path"
        )
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o644
    try:
        atomic_write(target, diff.encode("utf-8"), mode)
    except OSError as exc:
        raise ApplyWriteFailed(
            f"could not write the patch {target}: {exc.strerror}; the project's files were not changed",
            hint="free some space there, or choose another --patch path",
        ) from None


def _write_and_check(
    report: ApplyReport, combined: Plan, ws: Workspace, checker: Checker, root: Path, progress: Progress
) -> None:
    """Write the combined fixes (all files or none), re-check, and roll back files that got worse."""
    paths = sorted(combined.after)
    scope = checker.scope(set(paths))
    progress(CheckingFiles(files=len(scope)))
    before = checker.diagnostics(scope)
    applied = [f for f in report.fixes if f.state == APPLIED]
    try:
        record = start_undo(root)
    except OSError as exc:
        raise ApplyWriteFailed(
            f"cannot keep the originals in .tsfix/undo: {exc.strerror}; nothing was changed",
            hint="tsfix needs a writable .tsfix folder in the project to apply fixes (`tsfix undo` uses it)",
        ) from None
    record.suggestions = [{"id": f.suggestion.id, "files": f.files} for f in applied if f.suggestion]
    progress(WritingFiles(files=len(paths)))
    done = write_all(root, record, [(ws.file(p), ws.file(p).encode(combined.after[p])) for p in paths])
    report.written = list(done)
    saved = (list(record.files), list(record.suggestions))  # as the manifest on disk has them
    report.undo_id = record.id
    checker.written(done)
    progress(RecheckingFiles(files=len(scope)))
    after = checker.diagnostics(scope)
    for _ in range(3):
        worse = _worse_files(before, after)
        if not worse:
            break
        rolled = _roll_back(report, record, ws, checker, worse)
        if not rolled:
            break
        after = checker.diagnostics(scope)
    old, new = problems(before), problems(after)
    report.problems_before, report.problems_after = sum(old.values()), sum(new.values())
    for fix in report.fixes:
        if fix.state != APPLIED or fix.error.file_path is None:
            continue
        target = locate(fix.error, before.get(fix.error.file_path, []))
        fix.error_gone = None if target is None else new[target.key] < old[target.key]
    record.suggestions = [
        {"id": f.suggestion.id, "files": f.files} for f in report.fixes if f.state == APPLIED and f.suggestion
    ]
    report.diff = unified_diff(
        {p: combined.before[p] for p in report.written}, {p: combined.after[p] for p in report.written}
    )
    if not record.files:
        shutil.rmtree(record.folder, ignore_errors=True)
        report.undo_id = None
        return
    if (record.files, record.suggestions) == saved:
        return
    try:
        record.save()
    except OSError as exc:  # the manifest synced before the renames still lists every file
        report.warnings.append(
            f"the undo record .tsfix/undo/{record.id} could not be updated ({exc.strerror}); "
            "`tsfix undo` still restores every file"
        )


def _worse_files(
    before: dict[str, list[LsDiagnostic]], after: dict[str, list[LsDiagnostic]]
) -> dict[str, list[str]]:
    """Files with errors they did not have before, each with those errors described."""
    added = problems(after) - problems(before)
    worse: dict[str, list[str]] = {}
    for (file, code, message), n in sorted(added.items()):
        line = next((d.start.line for d in after.get(file, []) if d.key == (file, code, message)), None)
        where = f"{file}:{line}" if line else file
        worse.setdefault(file, []).append(
            f"{code} at {where}: {message.splitlines()[0][:100]}" + (f" (×{n})" if n > 1 else "")
        )
    return worse


def _roll_back(
    report: ApplyReport, record: UndoRecord, ws: Workspace, checker: Checker, worse: dict[str, list[str]]
) -> list[str]:
    """Restore the written files behind new errors, with every file of the fixes in them (a fix
    spanning several files goes back whole); those fixes fail with the errors they brought."""
    written = set(report.written)
    roll = {p for p in written if p in worse or checker.scope({p}) & set(worse)}
    if not roll:  # new errors in files no written file is known to reach (e.g. through a path alias)
        roll = set(written)
    while True:
        hit = [f for f in report.fixes if f.state == APPLIED and set(f.files) & roll]
        more = {p for f in hit for p in f.files if p in written} - roll
        if not more:
            break
        roll |= more
    if not roll:
        return []
    for path in sorted(roll):  # from the kept copy by a rename: no space needed
        restore_copy(record.folder / "files" / path, confined(ws.root, path), ws.file(path).mode)
    checker.written(sorted(roll))
    found = [e for errors in worse.values() for e in errors]
    for fix in hit:
        fix.state = FAILED
        fix.new_errors = found
        fix.reason = (
            "rolled back: with it the project had new errors ("
            + "; ".join(found[:2])
            + (f"; and {len(found) - 2} more" if len(found) > 2 else "")
            + ")"
        )
    report.written = [p for p in report.written if p not in roll]
    report.rolled_back = sorted(set(report.rolled_back) | roll)
    record.files = [e for e in record.files if e["path"] not in roll]
    return sorted(roll)
