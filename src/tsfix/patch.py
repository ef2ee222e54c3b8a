"""From suggestions to new file contents: which fixes go together, and what the files become.

Pure functions over texts; writing files (atomically, never over a user's edit) is `tsfix apply`'s
job. Several fixes in one file are applied together; when two overlap, the more confident one wins
and the other is reported; a fix that edits several files is taken whole or not at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from tsfix.edits import TextEdit, apply_edits, edits_by_file, index_of, line_starts
from tsfix.models import SuggestionRow
from tsfix.verify import Verifier


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


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    if a[0] == a[1] or b[0] == b[1]:  # insertions collide only strictly inside the other span
        return b[0] < a[0] < b[1] or a[0] < b[0] < a[1] or (a == b)
    return a[0] < b[1] and b[0] < a[1]


def verify_together(
    verifier: Verifier, suggestions: Sequence[SuggestionRow], read: Callable[[str], str]
) -> Plan:
    """Choose, in priority order, the suggestions that are still right together.

    Each suggestion was verified on its own; two can contradict each other (one renames a
    declaration, another renames a use to the old name). So they are added one at a time to what is
    already chosen, and one is taken only if, with everything chosen so far, no error appears that
    the project did not have and the number of errors still goes down. The rest are skipped with
    the reason. Nothing is written; the language service's copies are restored.
    """
    chosen: list[SuggestionRow] = []
    skipped: list[tuple[SuggestionRow, str]] = []
    net = 0  # errors added minus errors removed by what is chosen, over the files checked
    touched: set[str] = set()
    try:
        for s in suggestions:
            attempt = plan([*chosen, s], read)
            if len(attempt.chosen) != len(chosen) + 1:
                reasons = {id(x): r for x, r in attempt.skipped}
                skipped.append((s, reasons.get(id(s), "cannot be combined with more confident fixes")))
                continue
            files: set[str] = set(attempt.after)
            for path in attempt.after:
                files |= verifier.graph.importers(path)
            checked = sorted(files)
            old = Counter(
                d.key for path in checked for d in verifier.baseline(path) if d.is_problem
            )  # before edits
            for path, text in attempt.after.items():
                verifier.service.set_text(path, text)
            touched |= set(attempt.after)
            new = Counter(
                d.key for path in checked for d in verifier.service.diagnostics(path) if d.is_problem
            )
            added = new - old
            change = sum(new.values()) - sum(old.values())
            if added:
                skipped.append((s, f"together with more confident fixes it adds {_describe(added)}"))
            elif change >= net:
                skipped.append((s, "together with more confident fixes it removes no further error"))
            else:
                chosen.append(s)
                net = change
                continue
            for path in touched:  # back to the chosen ones only
                verifier.service.reset(path)
            for path, text in plan(chosen, read).after.items():
                verifier.service.set_text(path, text)
    finally:
        for path in touched:
            verifier.service.reset(path)
    result = plan(chosen, read)
    result.skipped = skipped + result.skipped
    return result


def _describe(added: Counter) -> str:
    (file, code, message), _ = next(iter(added.items()))
    more = sum(added.values()) - 1
    return f"{code} in {file} ({message.split(chr(10), 1)[0][:80]})" + (f" and {more} more" if more else "")
