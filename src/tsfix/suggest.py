"""`tsfix suggest`: candidate fixes for recorded errors, each verified by the compiler and scored.

For each selected error: re-locate it in the language service's diagnostics (the file may have been
edited since the scan), ask the deterministic fixers (TypeScript's quick fixes, repair templates),
and — only when none of their candidates verifies — the model. Every candidate is verified in memory
(tsfix.verify), scored (tsfix.confidence), and the best are recorded in ai_suggestions with the diff,
the structured edits and the content hash of every file they were made against.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from tsfix.budget import Budget
from tsfix.chain import continue_chains
from tsfix.confidence import TIER, confidence, evidence
from tsfix.context import file_hash
from tsfix.edits import changed_size, unified_diff
from tsfix.errors import TsfixError
from tsfix.fixers import FixContext, Fixer, build_fixers
from tsfix.fixers.candidate import Candidate
from tsfix.formatter import Formatter, find_formatter
from tsfix.gathering import Gathering
from tsfix.groups import verify_across_files, verify_in_groups
from tsfix.langserver import LanguageService, LanguageServiceError, LsDiagnostic
from tsfix.langserver.factory import TS6_VERSION, open_language_service, typescript6
from tsfix.locate import locate
from tsfix.outcomes import ErrorOutcome, Scored, SuggestReport, not_reached
from tsfix.progress import ErrorsSelected, Progress, ServiceStarting, Suggested, Suggesting, quiet
from tsfix.project import ProgramSources, Project
from tsfix.records import OPEN_STATUSES, ErrorRow, ErrorStatus, SuggestionInput
from tsfix.store import Store
from tsfix.style import Normaliser
from tsfix.tsc import TscInfo
from tsfix.verify import Verification, Verifier, layout_free, merge_identical
from tsfix.vocabulary import Vocabulary

#: the least rank of a step a chain continues once another candidate verified
WEAK_RANK = 0.5


@dataclass(slots=True)
class SuggestOptions:
    ids: list[str] = field(default_factory=list)
    limit: int | None = None
    statuses: list[str] | None = field(default_factory=lambda: [ErrorStatus.NEW.value])
    codes: list[str] | None = None
    files: list[str] | None = None
    fixers: list[str] | None = None  # None: quickfix + repair, and the model when one is configured
    model: str | None = None  # a GGUF path (llama) or a model name (openai)
    engine: str | None = None  # llama | openai
    base_url: str | None = None
    api_key_env: str = "TSFIX_OPENAI_API_KEY"
    candidates: int = 3
    concurrency: int = 4
    no_llm: bool = False
    n_gpu_layers: int | None = None
    ctx: int = 4096
    threads: int | None = None
    timeout: float = 60.0  # per error, for the model
    ls_timeout: float = 120.0
    allow_suppressions: bool = False
    ts6: bool = True
    keep: int = 5
    max_candidates: int = 24  # per error: verified best first, the rest reported as not tried
    error_seconds: float = 30.0  # per error, for verification
    #: for the whole run: errors not reached when it is spent are left as they are (reported)
    max_seconds: float | None = None
    #: prettier | biome: the project's own formatter on the lines a verified fix changed (formatter.py)
    format_with: str | None = None


# ----------------------------------------------------------------------------- one error


class Suggester:
    """One run of `tsfix suggest`: a language service, fixers and a verifier, reused for every error."""

    def __init__(
        self,
        root: Path,
        service: LanguageService,
        deterministic: list[Fixer],
        models: list[Fixer],
        options: SuggestOptions,
        helper: LanguageService | None = None,
    ) -> None:
        self.root = root
        self.service = service
        self.helper = helper
        self.deterministic = deterministic
        self.models = models
        self.options = options
        self.verifier = Verifier(service, options.allow_suppressions)
        self.vocabulary = Vocabulary(root)
        self.normaliser = Normaliser(root, self.service.disk_text)
        self.formatter = (
            Formatter.of(root, options.format_with, self.service.disk_text) if options.format_with else None
        )
        self._strengths: dict[tuple[int, int], float] = {}  # for the error being scored
        self.verify_ms: list[float] = []
        self.project_errors: list[ErrorRow] = []
        #: verified fixes that removed more errors than their own, tried first on those errors:
        #: (candidate, its verification, the verified strength of its error's candidates, the error
        #: it was found for)
        self.shared: list[tuple[Candidate, Verification, float, int | str]] = []
        #: errors prepared together (prepare): their target, context, candidates and notes
        self._prepared: dict[int | str, tuple[LsDiagnostic, FixContext, list[Candidate], list[str]]] = {}
        #: verifications already made by prepare, by id(candidate)
        self._known: dict[int, Verification] = {}
        self._work: dict[int | str, tuple[LsDiagnostic, list[Candidate]]] = {}
        self._gathering = Gathering(deterministic, self.normaliser.candidate)
        self._setups: dict[int | str, tuple[LsDiagnostic, FixContext]] = {}  # for the gathering
        self._grouped: set[str] = set()  # the files prepare_files verified in groups
        self._seconds = 0.0  # what one verification takes lately (a moving average)

    def compiler_options(self) -> dict:
        """The program's effective compiler options, {} when no program is known (a bare Suggester)."""
        return self.verifier.sources.compiler_options() if self.verifier.sources is not None else {}

    @property
    def tier(self) -> int:
        """How far this suggester goes (recorded per error; see sql/0006_queue.sql): 2 with a model."""
        return 2 if self.models else 1

    @property
    def model_name(self) -> str | None:
        return next((getattr(m, "model_name", None) for m in self.models), None)

    def _candidates(
        self, fixers: Sequence[Fixer], ctx: FixContext, notes: list[str], styled: bool = True
    ) -> list[Candidate]:
        """What the fixers propose, each in the file's style (not the steps of a chain: they apply
        to the chain's text in memory, and the chain is styled once it is composed)."""
        out: list[Candidate] = []
        for fixer in fixers:
            try:
                out.extend(fixer.candidates(ctx))
            except LanguageServiceError as exc:
                notes.append(f"{fixer.name}: {exc.message}")
        return [self.normaliser.candidate(c) for c in out] if styled else out

    def _ranked(self, candidates: list[Candidate]) -> list[Candidate]:
        """Best first: the fixer's tier times the candidate's rank."""
        return sorted(candidates, key=lambda c: -TIER.get(c.fixer, 0.6) * c.rank)

    def _verify(
        self,
        candidates: list[Candidate],
        target: LsDiagnostic,
        budget: Budget,
        known: dict[int, Verification] | None = None,
        later: bool = False,
    ) -> list[tuple[Candidate, Verification]]:
        """Verify candidates best first, while the error's budget lasts; once one verifies, long
        shots (Candidate.long_shot) are not tried. Those `known` (verified with other errors' by
        prepare, by id) are taken as they are: their check is paid for. An alternative to a verified
        fix, or one asked for `later` (long shots), is begun only where it fits the budget."""
        results = []
        found = False
        for c in self._ranked(candidates):
            if found and c.long_shot:
                continue
            v = (known or {}).get(id(c))
            # an alternative to a verified fix only where it fits: it changes the confidence only
            if v is None and not (budget.fits(self._seconds) if found or later else budget.allows()):
                budget.untried += 1
                continue
            budget.used += 1
            if v is None:
                v = self.verifier.verify(c, target)
                self._seconds = 0.7 * self._seconds + 0.3 * v.elapsed_ms / 1000
            if not v.invalid and not (v.suppression and not self.options.allow_suppressions):
                self.verify_ms.append(v.elapsed_ms)
            results.append((c, v))
            found = found or v.verified
        return results

    def _setup(self, error: ErrorRow) -> tuple[LsDiagnostic, FixContext] | str:
        """The error as the language service reports it now, and the fixers' context; or why not."""
        if error.file_path is None:
            return "no fix: the error belongs to no file"
        if not (self.root / error.file_path).is_file():
            return "no fix: the file no longer exists (rescan)"
        diagnostics = [d for d in self.verifier.baseline(error.file_path) if d.is_problem]
        target = locate(error, diagnostics)
        if target is None:
            return "no fix: the error is no longer reported (rescan)"
        ctx = FixContext(
            error,
            target,
            self.service,
            self.root,
            diagnostics,
            self.helper,
            self.project_errors,
            self.compiler_options,
            self.vocabulary,
        )
        return target, ctx

    def _contexts(self, errors: Sequence[ErrorRow]) -> dict[int | str, FixContext]:
        """The errors' fixer contexts (those that can be set up), kept with their targets."""
        for e in errors:
            if e.id not in self._setups and not isinstance(setup := self._setup(e), str):
                self._setups[e.id] = setup
        return {e.id: self._setups[e.id][1] for e in errors if e.id in self._setups}

    def _gather(self, errors: Sequence[ErrorRow]) -> None:
        """The errors' candidates, best first (kept for suggest() and the group checks)."""
        for key, (found, notes) in self._gathering.finish(self._contexts(errors)).items():
            target, ctx = self._setups.pop(key)
            merged = merge_identical(found, self.verifier)
            self._prepared[key] = (target, ctx, merged, notes)
            self._work[key] = (target, [c for c in self._ranked(merged) if not c.long_shot])

    def prepare(self, path: str, errors: Sequence[ErrorRow], until: float | None = None) -> None:
        """Several errors of one file: every one's candidates first, then the best of each verified
        together (tsfix.groups), so that suggest() finds most of them checked already."""
        if path in self._grouped:  # prepare_files did
            return
        self._gather([e for e in errors if e.id not in self._work])
        work = [self._work[e.id] for e in errors if e.id in self._work]
        if len(work) > 1:
            self._known.update(verify_in_groups(self.verifier, path, work, until))

    def prepare_files(self, errors: dict[str, list[ErrorRow]], until: float | None = None) -> None:
        """The errors of many files, as prepare() does for one, with the files checked in lockstep
        (groups.verify_across_files): their problems first (one program, before any probe edits
        it), then every error's candidates, then each step of the passes in one program — in
        parts, when finding the candidates takes much of the time left."""
        paths = [p for p in errors if (self.root / p).is_file()]
        for path in paths:
            if until is not None and time.monotonic() > until:
                return
            self.verifier.baseline(path)
        self._gathering.ask(self._contexts([e for p in paths for e in errors[p]]), until)
        gathered: list[str] = []
        since = time.monotonic()
        for n, path in enumerate(paths):
            if until is not None and time.monotonic() > until:
                break
            self._gather(errors[path])
            gathered.append(path)
            now = time.monotonic()
            # when finding candidates takes a large part of the time left, the files found so far
            # are checked first: what is left may not be reached
            if n < len(paths) - 1 and (until is None or now - since < (until - now) / 2):
                continue
            work = {p: [self._work[e.id] for e in errors[p] if e.id in self._work] for p in gathered}
            self._known.update(verify_across_files(self.verifier, work, until))
            self._grouped.update(gathered)
            gathered, since = [], time.monotonic()

    def verified_before(self, error: ErrorRow) -> bool:
        """Whether a candidate of the error is verified already (by the group checks)."""
        prepared = self._prepared.get(error.id)
        return prepared is not None and any(
            id(c) in self._known and self._known[id(c)].verified for c in prepared[2]
        )

    def suggest(self, error: ErrorRow, late: bool = False) -> ErrorOutcome:
        """The error's candidates verified best first, within its budget, and scored; `late`: the
        run's time is spent, so only what is verified already is taken (no check)."""
        started = time.perf_counter()
        prepared = self._prepared.pop(error.id, None)
        known = (
            {id(c): self._known.pop(id(c)) for c in prepared[2] if id(c) in self._known} if prepared else {}
        )
        if prepared is None:
            setup = self._setup(error)
            if isinstance(setup, str):
                return ErrorOutcome(error, [], [], setup, 0, 0.0)
            target, ctx = setup
        else:
            target, ctx, found, notes = prepared
        same = self._same_cause(error, target, started)
        if same is not None:
            return same
        if prepared is None:
            notes = []
            found = merge_identical(self._candidates(self.deterministic, ctx, notes), self.verifier)
        # the seconds are for verification: asking the fixers (a language server's first answers
        # on a large project take seconds) is not charged to the error that happens to be first
        budget = Budget(self.options.max_candidates, 0.0 if late else self.options.error_seconds)
        results = self._verify(found, target, budget, known)
        # with a verified fix at hand, only strong steps are continued (the last argument dropped,
        # then the import it leaves unused): weak ones (another value in place of one that may be
        # undefined) cost seconds an error on a large project, and find less
        found_one = any(v.verified for _, v in results)
        seeds = [(c, v) for c, v in results if not found_one or c.rank >= WEAK_RANK]
        if budget.allows() and seeds:
            results += continue_chains(
                self.verifier,
                ctx,
                seeds,
                lambda sub: self._candidates(self.deterministic, sub, [], styled=False),
                budget,
                self.normaliser.candidate,
            )
        deferring = [f for f in self.deterministic if f.defers_long_shots]
        if deferring and not any(v.verified for _, v in results) and budget.allows():
            later = self._candidates(deferring, replace(ctx, long_shots=True), notes)
            tried = {id(c) for c in found}
            found = merge_identical([*found, *later], self.verifier)
            results += self._verify([c for c in found if id(c) not in tried], target, budget, later=True)
        if self.models and not late and not any(v.verified for _, v in results):
            budget.renew()  # the model's candidates get a budget of their own
            models = self._candidates(self.models, ctx, notes)
            merged = merge_identical([*found, *models], self.verifier)
            tried = {id(c) for c in found}
            results += self._verify([c for c in merged if id(c) not in tried], target, budget)
        if self.formatter is not None:
            results = [self._formatted(c, v, target, notes) for c, v in results]
        mass = self._mass(results)
        kept = self._score(error, results, mass)
        best = kept[0] if kept else None
        if best is not None and best.verification.verified and best.verification.removed.total() > 1:
            self.shared.append((best.candidate, best.verification, mass, error.id))
        if budget.untried:
            notes.append(budget.report())
        note = None
        if not kept:
            reasons = sorted({v.summary for _, v in results}) or ["no candidates"]
            note = "no fix found: " + "; ".join(reasons + notes)[:500]
        elif budget.untried:
            note = budget.report()
        return ErrorOutcome(
            error, kept, [], note, len(results), time.perf_counter() - started, budget.untried
        )

    def _formatted(
        self, c: Candidate, v: Verification, target: LsDiagnostic, notes: list[str]
    ) -> tuple[Candidate, Verification]:
        """A verified candidate as the project's formatter writes its lines, verified again; the
        candidate as it was when the formatter fails or its version does not verify."""
        assert self.formatter is not None
        if not v.verified:
            return c, v
        failures = len(self.formatter.failures)
        formatted = self.formatter.candidate(c)
        if len(self.formatter.failures) > failures:
            notes.append(self.formatter.failures[-1])
        if formatted is c:
            return c, v
        again = self.verifier.verify(formatted, target)
        if not again.verified:
            notes.append(f"{self.formatter.name}'s version of a fix did not verify; kept as tsfix wrote it")
            return c, v
        return formatted, again

    def _same_cause(self, error: ErrorRow, target: LsDiagnostic, started: float) -> ErrorOutcome | None:
        """The fix already found for another error, when it removes this one too (one cause, many
        errors: a missing import used three times), recorded with the same diff, so that `apply`
        applies it once for all of them. Its verification holds for this error as it is: the files
        checked include this error's (it is among those removed) and none of them gained an error."""
        for candidate, verification, mass, origin in self.shared:
            if verification.removed[target.key] == 0:
                continue
            v = replace(verification, target_gone=True, elapsed_ms=0.0)
            if v.verified:
                kept = self._score(error, [(candidate, v)], mass, {"same_cause_as": origin})
                note = f"the same fix as error {origin} (one cause)"
                return ErrorOutcome(error, kept, [], note, 1, time.perf_counter() - started)
        return None

    def _usable(self, results: list[tuple[Candidate, Verification]]) -> list[tuple[Candidate, Verification]]:
        allowed = self.options.allow_suppressions
        return [(c, v) for c, v in results if not v.invalid and (not v.suppression or allowed)]

    def _alone(self, c: Candidate, v: Verification) -> float:
        """A candidate's strength before it is compared with the others (ambiguity 1), once each."""
        key = (id(c), id(v))
        if key not in self._strengths:
            before, after = self.verifier.result_texts(c.edits)
            share = self.vocabulary.share(before, after)
            self._strengths[key] = evidence(c, v, changed_size(before, c.edits), 1, share).strength
        return self._strengths[key]

    def _mass(self, results: list[tuple[Candidate, Verification]]) -> float:
        """The strength of the distinct verified results together (results that differ only in
        layout count once, at their strongest); a guessed value does not make a found one less likely."""
        verified = [(c, v) for c, v in self._usable(results) if v.verified]
        found = [(c, v) for c, v in verified if not c.guess] or verified
        strongest: dict[tuple[tuple[str, str], ...], float] = {}
        for c, v in found:
            key = layout_free(self.verifier.result_texts(c.edits)[1])
            strongest[key] = max(strongest.get(key, 0.0), self._alone(c, v))
        return sum(strongest.values())

    def _score(
        self,
        error: ErrorRow,
        results: list[tuple[Candidate, Verification]],
        mass: float,
        extra: dict[str, object] | None = None,
    ) -> list[Scored]:
        usable = self._usable(results)
        scored = []
        for c, v in usable:
            before, after = self.verifier.result_texts(c.edits)
            # how many verified alternatives as strong as this one the others amount to
            alone = self._alone(c, v) if v.verified else 0.0
            alternatives = max(1.0, (mass if not c.guess or mass > 0 else alone) / alone) if alone else 1.0
            ev = evidence(
                c, v, changed_size(before, c.edits), alternatives, self.vocabulary.share(before, after)
            )
            value = confidence(v.verified, ev)
            details = (
                v.as_json()
                | {
                    "fix_name": c.fix_name,
                    "description": c.description,
                    "also_from": c.also_from,
                    "mean_logprob": c.mean_logprob,
                    "samples": c.samples,
                    "of_samples": c.of_samples,
                    "evidence": {
                        "tier": ev.tier,
                        "size": round(ev.size, 4),
                        "ambiguity": round(ev.ambiguity, 4),
                        "model": round(ev.model, 4),
                        "collateral": ev.collateral,
                        "suppression": ev.suppression,
                        "rank": round(ev.rank, 4),
                        "guess": ev.guess,
                        "vocabulary": round(ev.vocabulary, 4),
                    },
                }
                | (extra or {})
            )
            hashes = {path: file_hash(self.service.absolute(path).read_bytes()) for path in before}
            scored.append(
                Scored(
                    c,
                    v,
                    value,
                    SuggestionInput(
                        fixer=c.fixer,
                        model_name=c.model_name,
                        suggestion=unified_diff(before, after),
                        edits=[e.as_json() for e in c.edits],
                        explanation=c.description,
                        confidence=value,
                        verified=v.verified,
                        verification=details,
                        base_hashes=hashes,
                        tokens_in=c.tokens_in,
                        tokens_out=c.tokens_out,
                        latency_ms=c.latency_ms,
                    ),
                )
            )
        self._strengths.clear()  # ids are reused once the error's candidates are gone
        scored.sort(key=lambda s: (-s.confidence, s.candidate.fixer))
        return scored[: self.options.keep]


# ----------------------------------------------------------------------------- the command


def select_errors(store: Store, options: SuggestOptions, project: str | None) -> list[ErrorRow]:
    if options.ids:
        return [store.get_error(i) for i in options.ids]
    return store.list_errors(
        project=project,
        statuses=options.statuses,
        codes=options.codes,
        files=options.files,
        limit=options.limit,
    )


def suggest_errors(
    project: Project,
    options: SuggestOptions,
    progress: Progress = quiet,
    *,
    service: LanguageService | None = None,
    errors: list[ErrorRow] | None = None,
) -> SuggestReport:
    """Suggest fixes for the selected errors of a project and record them in its store.

    `service` reuses a language service the caller has open (tsfix ci); `errors` replaces the
    selection by options (rows the caller already has)."""
    root, tsconfig, tsc = project.root, project.tsconfig, project.tsc
    project.require_store()
    if options.format_with:  # a missing formatter fails now, before the language service starts
        find_formatter(root, options.format_with)
    with project.open_store(create=False) as store:
        store.check_writable()  # a read-only store fails now, not after all the work
        deterministic, models, hint = build_fixers(options, progress)
        try:
            if errors is None:
                errors = select_errors(store, options, project.key)
            progress(ErrorsSelected(errors=len(errors)))
            if not errors:
                return SuggestReport([], store.display_url, "", None, None, hint)
            with suggestion_session(
                root, tsc, options, deterministic, models, progress, service
            ) as suggester:
                suggester.verifier.sources = ProgramSources(root, tsc, tsconfig)
                suggester.project_errors = store.list_errors(
                    project=project.key, statuses=list(OPEN_STATUSES)
                )
                outcomes = []
                started = time.monotonic()
                until = None if options.max_seconds is None else started + options.max_seconds
                files = _by_file(errors)
                by_file = {path: found for path, found in files.items() if len(found) > 1}
                order = {id(e): n for n, e in enumerate(errors)}
                # files with the most errors first: one check of such a file verifies many
                errors = sorted(errors, key=lambda e: -len(by_file.get(e.file_path or "", ())))
                if len(files) > 1:
                    suggester.prepare_files(files, until)
                for n, error in enumerate(errors, 1):
                    # once the run's time is spent, what is verified already is still recorded
                    late = until is not None and time.monotonic() >= until
                    if late and not suggester.verified_before(error):
                        outcomes.append(not_reached(error, options.max_seconds or 0))
                        continue
                    progress(Suggesting(n=n, of=len(errors), error=error))
                    if error.file_path in by_file and not late:  # its file's errors, verified together
                        suggester.prepare(error.file_path, by_file.pop(error.file_path), until)
                    outcome = suggester.suggest(error, late)
                    outcome.ids = store.record_suggestions(
                        error.id, [s.suggestion for s in outcome.kept], outcome.note, suggester.tier
                    )
                    outcomes.append(outcome)
                    progress(Suggested(n=n, of=len(errors), outcome=outcome, tokens=_tokens(models)))
                outcomes.sort(key=lambda o: order[id(o.error)])  # as selected
                tokens, seconds = _tokens(models)
                return SuggestReport(
                    outcomes,
                    store.display_url,
                    suggester.service.name,
                    suggester.helper.name if suggester.helper else None,
                    suggester.model_name,
                    hint,
                    tokens,
                    seconds,
                    suggester.verify_ms,
                )
        finally:
            for fixer in [*deterministic, *models]:
                fixer.close()


def _by_file(errors: Sequence[ErrorRow]) -> dict[str, list[ErrorRow]]:
    """The errors by file."""
    files: dict[str, list[ErrorRow]] = {}
    for error in errors:
        if error.file_path is not None:
            files.setdefault(error.file_path, []).append(error)
    return files


@contextmanager
def suggestion_session(
    root: Path,
    tsc: TscInfo,
    options: SuggestOptions,
    deterministic: list[Fixer],
    models: list[Fixer],
    progress: Progress = quiet,
    service: LanguageService | None = None,
) -> Iterator[Suggester]:
    """A Suggester over the project's language service (opened here unless given) and, for
    TypeScript 7, TypeScript 6's tsserver as the quick-fix helper; both closed afterwards."""
    with ExitStack() as stack:
        if service is None:
            progress(ServiceStarting(version=tsc.version))
            service = stack.enter_context(open_language_service(root, tsc, options.ls_timeout))
        helper = None
        if tsc.major is not None and tsc.major >= 7 and options.ts6 and deterministic:
            package = typescript6(progress)
            if package is not None:
                from tsfix.langserver.tsserver import TsServer

                helper = TsServer(root, package, TS6_VERSION, timeout=options.ls_timeout)
                stack.callback(helper.close)
        yield Suggester(root, service, deterministic, models, options, helper)


def _tokens(models: Sequence[Fixer]) -> tuple[int, float]:
    tokens = sum(int(getattr(m, "tokens_out", 0)) for m in models)
    seconds = sum(float(getattr(m, "generation_seconds", 0.0)) for m in models)
    return tokens, seconds


__all__ = ["ErrorOutcome", "SuggestOptions", "SuggestReport", "Suggester", "TsfixError", "suggest_errors"]
