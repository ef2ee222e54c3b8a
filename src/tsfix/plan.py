"""Planning `tsfix apply`: which fixes to try, and which of them go together.

- `select_fixes` picks, for the errors asked for (ids, --all, --code, --file), the most confident
  eligible suggestion of each, and says why the others have none.
- `plan` combines suggestions (in priority order) into one set of non-overlapping edits over the
  files' current texts: when two overlap, the more confident one wins and the other is reported; a
  fix that edits several files is taken whole or not at all.
- `verify_together` does the same but asks the project's language service about each addition (in
  memory, nothing is written), so that fixes verified one by one are also right together.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from tsfix.edits import TextEdit, apply_edits, edits_by_file, index_of, line_starts
from tsfix.errors import UsageError
from tsfix.exports import exported_types
from tsfix.records import SUGGESTABLE_STATUSES, ErrorRow, SuggestionRow
from tsfix.store import Store
from tsfix.verify import Verifier, problems, reelaborated, unlike

# What happened to each selected fix. `failed` is a fix tsfix could not apply safely (its file changed
# under it, is read-only or gone, or it broke something and was rolled back); `pending` is one left for
# later (a more confident fix overlaps it, it adds nothing once the others are in, the user said no).
APPLIED, PLANNED, PENDING, FAILED = "applied", "planned", "pending", "failed"

#: What `apply --all` (and --code, --file, `ci --write/--patch`) applies without --min-confidence: the
#: lowest confidence at which at least 90 % of the fixes applied on ../shared/bench dev restore the
#: original code, on both TypeScript versions (bench/threshold.py; bench/RESULTS.md). Fixes below it
#: stay suggestions; fixes named by id are applied whatever their confidence.
APPLY_THRESHOLD = 0.775


@dataclass(slots=True)
class Fix:
    """One selected error, the suggestion chosen for it and what became of it."""

    suggestion: SuggestionRow | None  # None: the error has none to apply
    error: ErrorRow
    state: str = PENDING
    reason: str | None = None
    notes: list[str] = field(default_factory=list)  # re-location of hunks
    error_gone: bool | None = None  # after the re-check
    new_errors: list[str] = field(default_factory=list)
    diff: str = ""  # on the files as they are now

    @property
    def files(self) -> list[str]:
        return sorted({e["file"] for e in self.suggestion.edits}) if self.suggestion else []


class Selection(Protocol):
    """What `select_fixes` is asked for (tsfix.apply.ApplyOptions has these fields)."""

    @property
    def ids(self) -> Sequence[str]: ...
    @property
    def all(self) -> bool: ...
    @property
    def codes(self) -> Sequence[str] | None: ...
    @property
    def files(self) -> Sequence[str] | None: ...
    @property
    def fixers(self) -> Sequence[str] | None: ...
    @property
    def min_confidence(self) -> float | None: ...
    @property
    def include_unverified(self) -> bool: ...


def parse_id(value: str) -> tuple[str, str]:
    """`12` is an error, `s34` a suggestion (as `tsfix show` prints them)."""
    v = value.strip()
    if v[:1] in ("s", "S") and len(v) > 1:
        return "suggestion", v[1:]
    return "error", v


def _eligible(s: SuggestionRow, options: Selection) -> str | None:
    """Why `s` may not be applied under these options, or None."""
    if s.applied_at:
        return "already applied"
    if not s.verified and not options.include_unverified:
        return "not verified by the compiler (--include-unverified to allow it)"
    if options.min_confidence is None and not options.ids and s.confidence < APPLY_THRESHOLD:
        return f"confidence {s.confidence:.2f} is below the default threshold {APPLY_THRESHOLD:g} (see --min-confidence)"
    if options.min_confidence is not None and s.confidence < options.min_confidence:
        return f"confidence {s.confidence:.2f} is below --min-confidence {options.min_confidence:g}"
    if options.fixers and s.fixer not in options.fixers:
        return f"made by {s.fixer}, not by --fixer {', '.join(options.fixers)}"
    return None


def _held_back(candidates: list[SuggestionRow], options: Selection) -> SuggestionRow | None:
    """The best verified suggestion that only the default threshold keeps from being applied."""
    if options.min_confidence is not None:
        return None
    held = [s for s in candidates if s.verified and not s.applied_at and s.confidence < APPLY_THRESHOLD]
    if options.fixers:
        held = [s for s in held if s.fixer in options.fixers]
    return max(held, key=lambda s: s.confidence) if held else None


def select_fixes(store: Store, options: Selection, project: str) -> tuple[list[Fix], list[Fix]]:
    """(the fixes to try, most confident first; the selected errors that have none, with the reason).

    Unknown ids are a usage error before anything happens.
    """
    chosen: list[Fix] = []
    without: list[Fix] = []
    if options.ids:
        errors: list[ErrorRow] = []
        picked: dict[int | str, SuggestionRow] = {}
        for value in options.ids:
            kind, key = parse_id(value)
            if kind == "suggestion":
                s = store.get_suggestion(key)
                error = store.get_error(str(s.error_id))
                picked[error.id] = s
            else:
                error = store.get_error(key)
            if all(e.id != error.id for e in errors):
                errors.append(error)
    else:
        if not (options.all or options.codes or options.files):
            raise UsageError(
                "say which fixes to apply: error or suggestion ids, --all, --code or --file",
                hint="`tsfix list --status ai_suggested` shows errors with suggestions; `tsfix apply --all` applies every verified one",
            )
        errors = store.list_errors(
            project=project, statuses=list(SUGGESTABLE_STATUSES), codes=options.codes, files=options.files
        )
        picked = {}
    by_error = store.suggestions_for([e.id for e in errors]) if errors else {}
    for error in errors:
        if error.id in picked:
            s = picked[error.id]
            why = _eligible(s, options)
            if why is None or (why.startswith("confidence") or why.startswith("made by")):
                chosen.append(Fix(s, error))  # named explicitly: confidence and fixer filters do not apply
            else:
                without.append(Fix(s, error, PENDING, why))
            continue
        candidates = by_error.get(error.id, [])
        eligible = [s for s in candidates if _eligible(s, options) is None]
        if eligible:
            chosen.append(Fix(max(eligible, key=lambda s: s.confidence), error))
        elif not options.ids and (held := _held_back(candidates, options)) is not None:
            without.append(Fix(held, error, PENDING, _eligible(held, options)))  # shown, not applied
        elif options.ids:
            reasons = sorted({r for s in candidates if (r := _eligible(s, options))})
            why = "; ".join(reasons) if reasons else "no suggestion recorded (run `tsfix suggest` first)"
            without.append(Fix(None, error, PENDING, why))
    chosen.sort(key=lambda f: -(f.suggestion.confidence if f.suggestion else 0.0))
    return chosen, without


# ----------------------------------------------------------------------------- combining fixes


@dataclass(slots=True)
class Plan:
    """Suggestions chosen to apply together, those left out and why, and the resulting texts."""

    chosen: list[SuggestionRow] = field(default_factory=list)
    skipped: list[tuple[SuggestionRow, str]] = field(default_factory=list)
    before: dict[str, str] = field(default_factory=dict)
    after: dict[str, str] = field(default_factory=dict)


def best_per_error(
    suggestions: Iterable[SuggestionRow], *, min_confidence: float = 0.0, include_unverified: bool = False
) -> list[SuggestionRow]:
    """The most confident eligible suggestion of each error, most confident first."""
    best: dict[int | str, SuggestionRow] = {}
    for s in suggestions:
        if s.applied_at or s.confidence < min_confidence or not (s.verified or include_unverified):
            continue
        current = best.get(s.error_id)
        if current is None or s.confidence > current.confidence:
            best[s.error_id] = s
    return sorted(best.values(), key=lambda s: -s.confidence)


def plan(suggestions: Sequence[SuggestionRow], read: Callable[[str], str]) -> Plan:
    """Combine suggestions (in priority order) into one set of non-overlapping edits.

    `read(path)` gives a file's current text. A suggestion whose edits overlap a chosen one's, or
    that cannot be applied, is skipped with the reason.
    """
    result = Plan()
    taken: dict[str, list[tuple[int, int]]] = {}
    edits: list[TextEdit] = []
    for s in suggestions:
        if any(same_fix(s, other) for other in result.chosen):
            result.chosen.append(s)  # one cause, several errors: the fix is made once for all
            continue
        mine = [TextEdit.from_json(e) for e in s.edits]
        spans: dict[str, list[tuple[int, int]]] = {}
        problem = None
        for path, file_edits in edits_by_file(mine).items():
            try:
                text = result.before.setdefault(path, read(path))
            except OSError as exc:
                problem = f"cannot read {path}: {exc.strerror}"
                break
            starts = line_starts(text)
            for e in file_edits:
                span = (index_of(text, e.start, starts), index_of(text, e.end, starts))
                if any(_overlap(span, other) for other in taken.get(path, [])):
                    problem = f"overlaps a more confident fix in {path}"
                    break
                spans.setdefault(path, []).append(span)
            if problem:
                break
        if problem:
            result.skipped.append((s, problem))
            continue
        for path, file_spans in spans.items():
            taken.setdefault(path, []).extend(file_spans)
        edits.extend(mine)
        result.chosen.append(s)
    for path, file_edits in edits_by_file(edits).items():
        result.after[path] = apply_edits(result.before[path], file_edits)
    result.before = {p: t for p, t in result.before.items() if p in result.after}
    return result


def same_fix(a: SuggestionRow, b: SuggestionRow) -> bool:
    """Two errors' suggestions that are the same edits (tsfix suggest records the fix of one cause
    for each error it removes)."""
    return sorted(map(_edit_key, a.edits)) == sorted(map(_edit_key, b.edits))


def _edit_key(edit: dict) -> tuple:
    return (edit["file"], edit["start"]["line"], edit["start"]["col"], edit["end"]["line"],
            edit["end"]["col"], edit["new_text"])  # fmt: skip


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    if a[0] == a[1] or b[0] == b[1]:  # insertions collide only strictly inside the other span
        return b[0] < a[0] < b[1] or a[0] < b[0] < a[1] or (a == b)
    return a[0] < b[1] and b[0] < a[1]


def verify_together(
    verifier: Verifier,
    suggestions: Sequence[SuggestionRow],
    read: Callable[[str], str],
    until: float | None = None,
    check_s: float = 0.0,
) -> Plan:
    """Choose, in priority order, the suggestions that are still right together.

    Each suggestion was verified on its own; two can contradict each other (one renames a
    declaration, another a use to the old name). So they are added in order to what is chosen, one
    taken only if with all chosen so far no error appears that the project did not have and fewer
    remain; the rest are skipped with the reason. The language service's copies are restored.

    Each addition re-checks only the files it changes, and their importers where it changes what a
    file exports (as tsfix.verify does): every other file's problems are those of what was chosen
    before (kept per file), so the cost of a round grows with the number of suggestions, not with
    its square. And they are added in batches: all of them first, taken at once when together they
    add nothing and remove as many errors as each did alone (so that no fix rides on another's
    effect); a batch that fails is split — the fixes that edit a file where an error appeared, or a
    file it imports (directly or not), go after the rest, which cannot have caused it and most often
    holds, then as the failed check found it where that is known (_Chosen.known), else checked (a
    conflict of the rest with a more confident one of those leaves that one out); else in halves,
    the more confident half first — down to single suggestions.
    With `until` (a time.monotonic() deadline), a batch is begun only when a check as long as the
    longest so far (`check_s` before the first) ends before it; what is not is left out.
    """
    chosen, skipped = list[SuggestionRow](), list[tuple[SuggestionRow, str]]()
    state, checks = _Chosen(verifier), list[float]()  # and how long each check took
    unique, copies = _unique(suggestions)

    def add(batch: list[SuggestionRow]) -> None:
        """The batch together, with one check of each file it changes; split when that fails."""
        if until is not None and time.monotonic() + max(checks, default=check_s) > until:
            skipped.extend((s, "not combined: the time for combining fixes ran out") for s in batch)
            return
        attempt = plan([*chosen, *batch], read)
        state.added, state.failed = Counter(), None
        if len(attempt.chosen) == len(chosen) + len(batch):
            began = time.monotonic()
            if len(batch) > 1:
                why = state.add(attempt.after, sum(_removes(s) for s in batch), batch=True)
            else:
                why = state.add(attempt.after)
            checks.append(time.monotonic() - began)
            if why is None:
                chosen.extend(batch)
                return
        else:
            reasons = {id(x): r for x, r in attempt.skipped}
            why = reasons.get(id(batch[0]), "cannot be combined with more confident fixes")
        if len(batch) == 1:
            skipped.append((batch[0], why))
            return
        # the new errors' files point at the fixes that edit them or what they import (directly or
        # not): the others cannot have caused them, and go first; then those; else halves
        blamed = {file for file, _, _ in state.added}
        suspects = [s for s in batch if any(blamed & state.reach(e["file"]) for e in s.edits)]
        if suspects and len(suspects) < len(batch):
            if not _taken_as_known(state, chosen, [s for s in batch if s not in suspects], read):
                add([s for s in batch if s not in suspects])
            add(suspects)
            return
        add(batch[: len(batch) // 2])
        add(batch[len(batch) // 2 :])

    try:
        if unique:
            add(unique)
    finally:
        state.restore()
    reasons = {id(s): why for s, why in skipped}
    for s, first in copies:  # it removes this error too
        if any(c is first for c in chosen):
            chosen.append(s)
        else:
            skipped.append((s, reasons.get(id(first), "the same fix as one left out")))
    result = plan(chosen, read)
    result.skipped = skipped + result.skipped
    return result


def _taken_as_known(
    state: _Chosen, chosen: list[SuggestionRow], rest: list[SuggestionRow], read: Callable[[str], str]
) -> bool:
    """The rest of a refused batch, taken without a check where the refused check says what their
    files hold (_Chosen.known)."""
    attempt = plan([*chosen, *rest], read)
    if len(attempt.chosen) == len(chosen) + len(rest) and state.known(
        attempt.after, sum(_removes(s) for s in rest)
    ):
        chosen.extend(rest)
        return True
    return False


def _unique(
    suggestions: Sequence[SuggestionRow],
) -> tuple[list[SuggestionRow], list[tuple[SuggestionRow, SuggestionRow]]]:
    """The suggestions without repeats of a fix, and (a repeat, the same fix before it)."""
    unique: list[SuggestionRow] = []
    copies: list[tuple[SuggestionRow, SuggestionRow]] = []
    for s in suggestions:
        first = next((u for u in unique if same_fix(s, u)), None)
        if first is None:
            unique.append(s)
        else:
            copies.append((s, first))
    return unique, copies


def _removes(s: SuggestionRow) -> int:
    """How many errors the suggestion removed when it was verified (at least its own)."""
    v = s.verification or {}
    return max(1, int(v.get("errors_before", 0) or 0) - int(v.get("errors_after", 0) or 0))


class _Chosen:
    """The language service's copies with the chosen fixes in, and each checked file's problems."""

    def __init__(self, verifier: Verifier) -> None:
        self.verifier = verifier
        self.service = verifier.service
        self.before: dict[str, Counter] = {}  # per file checked: its problems on disk
        self.now: dict[str, Counter] = {}  # per file checked: its problems with what is chosen
        self.texts: dict[str, str] = {}  # the service's copy of each file the chosen ones edit
        self.exports: dict[str, tuple[str, ...] | None] = {}  # the exported types of files with importers
        self.added: Counter = Counter()  # the errors the last refused addition would have added
        #: the last refused addition: its files, each checked file's problems, its exported types
        self.failed: tuple[dict[str, str], dict[str, Counter], dict[str, tuple[str, ...] | None]] | None = (
            None
        )
        self._reach: dict[str, set[str]] = {}

    def add(self, after: dict[str, str], fewer: int = 1, batch: bool = False) -> str | None:
        """Take the files as `after` has them if that adds no error and removes `fewer` more; else
        put them back and say why not. A `batch` (of several fixes, split when it fails) that adds
        an error unlike any it removes fails without asking for the files in order."""
        changed = {p: t for p, t in after.items() if self.texts.get(p) != t}
        for path in changed.keys() - self.exports.keys():
            if self.verifier.graph.importers(path):
                self.exports[path] = self.verifier.baseline_exports(path)
        self._known(changed.keys() - self.before.keys())
        for path, text in changed.items():
            self.service.set_text(path, text)
        exports = {path: exported_types(self.service, path) for path in changed if path in self.exports}
        files: set[str] = set(changed)
        for path, types in exports.items():  # importers see only what a file exports
            if types is None or types != self.exports[path]:
                files |= self.verifier.graph.importers(path)
        if unknown := files - self.before.keys():  # their problems without this edit (what is
            for path in changed:  # chosen does not reach them)
                self._back(path)
            self._known(unknown)
            for path, text in changed.items():
                self.service.set_text(path, text)
        trial = {**self.now, **{path: problems(self.service.diagnostics(path)) for path in sorted(files)}}
        base = sum(self.before.values(), Counter())
        added = sum(trial.values(), Counter()) - base
        removed = base - sum(trial.values(), Counter())
        if added and reelaborated(added, removed) and not (batch and unlike(added, removed)):
            self.before.update(self._in_order(changed, exports, files))  # as Verifier.check does
            base = sum(self.before.values(), Counter())
            added = sum(trial.values(), Counter()) - base
        if not added and _total(trial) <= _total(self.now) - fewer:
            self.now = trial
            self.texts.update(changed)
            self.exports.update(exports)
            return None
        for path in changed:  # back to the chosen ones only
            self._back(path)
        self.added = added
        self.failed = (after, trial, exports)
        if added:
            return f"together with more confident fixes it adds {_describe(added)}"
        return "together with more confident fixes it removes no further error"

    def known(self, after: dict[str, str], fewer: int) -> bool:
        """Take the files as `after` has them without a check, when the last refused addition's
        check says what they hold: `after` is that addition less some of its fixes, every file those
        fixes alone edited exports what it exports as chosen (no other file sees them go), and none
        imports a file whose exports the rest change. Its other files' problems are those that check
        found, those files' are as chosen."""
        if self.failed is None:
            return False
        tried, trial, exports = self.failed
        changed = {p: t for p, t in after.items() if self.texts.get(p) != t}
        dropped = {p for p, t in tried.items() if self.texts.get(p) != t} - changed.keys()
        moved = {p for p in exports if exports[p] is None or exports[p] != self.exports.get(p)}
        if (
            any(tried.get(p) != t for p, t in changed.items())
            or dropped & moved
            or any(dropped & self.verifier.graph.importers(p) for p in moved)
        ):
            return False
        now = {**trial, **{p: self.now[p] for p in dropped}}
        if sum(now.values(), Counter()) - sum(self.before.values(), Counter()):
            return False
        if _total(now) > _total(self.now) - fewer:
            return False
        for path, text in changed.items():
            self.service.set_text(path, text)
        self.now = now
        self.texts.update(changed)
        self.exports.update({p: exports[p] for p in changed if p in exports})
        return True

    def reach(self, path: str) -> set[str]:
        """The file and every file that imports it, directly or through others."""
        if path not in self._reach:
            found, todo = {path}, [path]
            while todo:
                for importer in self.verifier.graph.importers(todo.pop()) - found:
                    found.add(importer)
                    todo.append(importer)
            self._reach[path] = found
        return self._reach[path]

    def _in_order(
        self, changed: dict[str, str], exports: Iterable[str], files: set[str]
    ) -> dict[str, Counter]:
        """The files' problems on disk, asked for in a fresh program in the order add() asked for
        them with the fixes in (Verifier._problems_in_order says why); the fixes are put back."""
        edited = {**self.texts, **changed}
        for path in edited:
            self.service.reset(path)
        self.service.forget()
        for path in exports:
            exported_types(self.service, path)
        found = {path: problems(self.service.diagnostics(path)) for path in sorted(files)}
        for path, text in edited.items():
            self.service.set_text(path, text)
        return found

    def _known(self, paths: Iterable[str]) -> None:
        for path in sorted(paths):
            self.before[path] = self.now[path] = problems(self.verifier.baseline(path))

    def _back(self, path: str) -> None:
        """The file as the chosen ones leave it."""
        if path in self.texts:
            self.service.set_text(path, self.texts[path])
        else:
            self.service.reset(path)

    def restore(self) -> None:
        for path in self.texts.keys() | self.before.keys():
            self.service.reset(path)


def _total(problems: dict[str, Counter]) -> int:
    return sum(c.total() for c in problems.values())


def _describe(added: Counter) -> str:
    (file, code, message), _ = next(iter(added.items()))
    more = sum(added.values()) - 1
    return f"{code} in {file} ({message.split(chr(10), 1)[0][:80]})" + (f" and {more} more" if more else "")
