"""The store contract: the same behaviour from every backend.

The `store` fixture yields a fresh store per backend; every test here must pass unchanged on each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from storelib import error_input, scan_input, snapshot
from tsfix.errors import UsageError
from tsfix.records import ErrorInput
from tsfix.store import Store, open_store

StoreFactory = Callable[[], Store]


BACKENDS = ("sqlite", "postgres", "supabase")


@pytest.fixture(params=BACKENDS)
def store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> StoreFactory:
    """A factory of connections to one fresh store of each backend."""
    if request.param == "sqlite":
        url = f"sqlite://{tmp_path / 'contract.db'}"
    elif request.param == "postgres":
        url = request.getfixturevalue("pg_url")
    else:
        request.getfixturevalue("supabase")
        url = "supabase"

    def make() -> Store:
        return open_store(url)

    return make


@pytest.fixture
def store(store_factory: StoreFactory) -> Iterator[Store]:
    with store_factory() as opened:
        yield opened


def test_first_scan_records_every_error_as_new(store: Store) -> None:
    errors = [
        error_input("f1"),
        error_input("f2", line=7, code="TS2345"),
        error_input("g", file_path=None, line=None),
    ]
    outcome = store.record_scan(scan_input(), errors)
    assert [r.change for r in outcome.errors] == ["new", "new", "new"]
    assert [r.status for r in outcome.errors] == ["new", "new", "new"]
    assert outcome.counts == {
        "errors": 3,
        "warnings": 0,
        "files": 1,
        "new": 3,
        "open": 0,
        "reopened": 0,
        "fixed": 0,
    }
    assert outcome.fixed == []
    rows = store.list_errors()
    assert {r.fingerprint for r in rows} == {"f1", "f2", "g"}
    row = store.get_error(str(outcome.errors[1].id))
    assert (row.file_path, row.line, row.col, row.code, row.status, row.occurrences) == (
        "src/a.ts",
        7,
        5,
        "TS2345",
        "new",
        1,
    )
    assert row.context == {"kind": "variable", "name": "n", "symbol_path": "n"}
    assert row.first_seen_scan == row.last_seen_scan == outcome.scan_id
    latest = store.latest_scan("acme/web")
    assert latest is not None and latest["id"] == outcome.scan_id and latest["new_count"] == 3


def test_rescan_updates_rows_fixes_and_reopens(store: Store) -> None:
    first = store.record_scan(
        scan_input(), [error_input("a"), error_input("b", line=2), error_input("c", line=3)]
    )
    ids = {r.fingerprint: r.id for r in first.errors}

    # a moved down two lines, b disappeared, c stayed, d is new
    second = store.record_scan(
        scan_input(), [error_input("a", line=3), error_input("c", line=5), error_input("d", line=9)]
    )
    assert {r.fingerprint: r.change for r in second.errors} == {"a": "open", "c": "open", "d": "new"}
    assert {r.fingerprint: r.id for r in second.errors if r.fingerprint != "d"} == {
        "a": ids["a"],
        "c": ids["c"],
    }
    assert [(f.fingerprint, f.id) for f in second.fixed] == [("b", ids["b"])]
    assert second.counts["fixed"] == 1 and second.counts["open"] == 2 and second.counts["new"] == 1
    a = store.get_error(str(ids["a"]))
    assert (a.line, a.occurrences, a.last_seen_scan, a.first_seen_scan) == (
        3,
        2,
        second.scan_id,
        first.scan_id,
    )
    b = store.get_error(str(ids["b"]))
    assert (b.status, b.fixed_in_scan) == ("fixed", second.scan_id)

    # b comes back: same row, reopened
    third = store.record_scan(scan_input(), [error_input("a", line=3), error_input("b", line=2)])
    assert {r.fingerprint: r.change for r in third.errors} == {"a": "open", "b": "reopened"}
    b = store.get_error(str(ids["b"]))
    assert (b.status, b.fixed_in_scan, b.occurrences) == ("new", None, 2)
    assert [e.event for e in store.error_history(ids["b"])] == ["new", "fixed", "reopened"]
    assert [(e.from_status, e.to_status) for e in store.error_history(ids["b"])][1:] == [
        ("new", "fixed"),
        ("fixed", "new"),
    ]


def test_clean_scan_fixes_everything_and_empty_rescan_is_stable(store: Store) -> None:
    store.record_scan(scan_input(), [error_input("a"), error_input("b")])
    clean = store.record_scan(scan_input(), [])
    assert clean.counts["fixed"] == 2 and clean.errors == []
    again = store.record_scan(scan_input(), [])
    assert again.counts["fixed"] == 0
    assert {r.status for r in store.list_errors()} == {"fixed"}


def test_incomplete_scan_does_not_mark_unseen_errors_fixed(store: Store) -> None:
    store.record_scan(scan_input(), [error_input("type-error")])
    partial = store.record_scan(scan_input(complete=False), [error_input("syntax", code="TS1109")])
    assert partial.fixed == []
    assert {r.fingerprint: r.status for r in store.list_errors()} == {"type-error": "new", "syntax": "new"}


def test_projects_do_not_touch_each_other(store: Store) -> None:
    store.record_scan(scan_input("acme/web"), [error_input("x")])
    other = store.record_scan(scan_input("acme/api"), [error_input("x"), error_input("y")])
    assert [r.change for r in other.errors] == ["new", "new"]
    assert other.fixed == []
    store.record_scan(scan_input("acme/api"), [])
    assert snapshot(store, "acme/web")[0][1] == "new"
    assert {r.status for r in store.list_errors(project="acme/api")} == {"fixed"}


def test_list_filters(store: Store) -> None:
    store.record_scan(
        scan_input(),
        [
            error_input("1", file_path="src/a.ts", code="TS2322"),
            error_input("2", file_path="src/ab.ts", code="TS2345"),
            error_input("3", file_path="src/components/Button.tsx", code="TS2322"),
            error_input("4", file_path=None, line=None, code="TS2688"),
        ],
    )
    store.record_scan(
        scan_input(),
        [
            error_input("1", file_path="src/a.ts", code="TS2322"),
            error_input("3", file_path="src/components/Button.tsx", code="TS2322"),
            error_input("4", file_path=None, line=None, code="TS2688"),
        ],
    )

    def fps(**kw: object) -> list[str]:
        return [r.fingerprint for r in store.list_errors(**kw)]  # type: ignore[arg-type]

    assert fps() == ["1", "2", "3", "4"]  # by file, file-less last
    assert fps(statuses=["new"]) == ["1", "3", "4"]
    assert fps(statuses=["fixed"]) == ["2"]
    assert fps(codes=["TS2322"]) == ["1", "3"]
    assert fps(files=["src/a.ts"]) == ["1"]  # a file, not a prefix of src/ab.ts
    assert fps(files=["src/components"]) == ["3"]
    assert fps(files=["src/components/", "src/ab.ts"]) == ["2", "3"]
    assert fps(limit=2) == ["1", "2"]
    assert fps(project="someone/else") == []


def test_unknown_ids_are_usage_errors(store: Store) -> None:
    store.record_scan(scan_input(), [error_input("a")])
    with pytest.raises(UsageError, match="no error with id"):
        store.get_error("999999")
    with pytest.raises(UsageError, match="not an error id"):
        store.get_error("banana")


class ExplodingErrors(list):
    """A list of errors whose iteration fails part-way, as an interrupted scan does."""

    def __init__(self, items: list[ErrorInput], fail_at: int, exc: BaseException) -> None:
        super().__init__(items)
        self.fail_at = fail_at
        self.exc = exc

    def __iter__(self):
        for i, item in enumerate(super().__iter__()):
            if i == self.fail_at:
                raise self.exc
            yield item


@pytest.mark.parametrize("exc", [KeyboardInterrupt(), RuntimeError("disk on fire")], ids=["ctrl-c", "error"])
def test_interrupted_scan_leaves_the_previous_state(store: Store, exc: BaseException) -> None:
    store.record_scan(scan_input(), [error_input(f"e{i}", line=i + 1) for i in range(50)])
    before = snapshot(store)
    scans_before = store.latest_scan()
    incoming = [error_input(f"n{i}", line=i + 1) for i in range(500)]
    with pytest.raises(type(exc)):
        store.record_scan(scan_input(), ExplodingErrors(incoming, 250, exc))
    assert snapshot(store) == before
    assert store.latest_scan() == scans_before
    retry = store.record_scan(scan_input(), incoming)  # and a retry succeeds
    assert retry.counts["new"] == 500 and retry.counts["fixed"] == 50


def test_concurrent_connections_serialise(store_factory: StoreFactory) -> None:
    import threading

    results: list[object] = []
    with store_factory() as first:
        first.record_scan(scan_input(), [error_input("base")])

    def scan(tag: str) -> None:
        with store_factory() as st:
            results.append(st.record_scan(scan_input(), [error_input("base"), error_input(tag)]))

    threads = [threading.Thread(target=scan, args=(f"t{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4
    with store_factory() as st:
        rows = st.list_errors(statuses=None)
        assert len([r for r in rows if r.fingerprint == "base"]) == 1
        assert st.get_error(str(rows[0].id)).occurrences >= 1
        base = next(r for r in rows if r.fingerprint == "base")
        assert base.occurrences == 5 and base.status == "new"


def test_unchanged_errors_record_only_their_sighting(store: Store) -> None:
    first = store.record_scan(scan_input(), [error_input("a"), error_input("b", line=2)])
    ids = {r.fingerprint: r.id for r in first.errors}
    # the previous records, reused by a rescan that found the files and diagnostics unchanged
    reused = store.previous_errors("acme/web")
    assert {e.fingerprint for e in reused} == {"a", "b"}
    assert all(e.context == {"kind": "variable", "name": "n", "symbol_path": "n"} for e in reused)
    for e in reused:
        e.unchanged = True
    second = store.record_scan(scan_input(), reused)
    assert {r.fingerprint: (r.id, r.change, r.status) for r in second.errors} == {
        "a": (ids["a"], "open", "new"),
        "b": (ids["b"], "open", "new"),
    }
    row = store.get_error(str(ids["a"]))
    assert (row.occurrences, row.last_seen_scan, row.code_snippet) == (
        2,
        second.scan_id,
        "const n: number = 'x';",
    )
    assert row.context == {"kind": "variable", "name": "n", "symbol_path": "n"}

    # meanwhile another scan saw neither: they are fixed; an unchanged sighting reopens them
    store.record_scan(scan_input(), [])
    third = store.record_scan(scan_input(), reused)
    assert [r.change for r in third.errors] == ["reopened", "reopened"]
    assert store.get_error(str(ids["b"])).status == "new"


def test_unchanged_error_without_a_row_is_recorded_in_full(
    store_factory: StoreFactory, tmp_path: Path
) -> None:
    with store_factory() as st:
        ghost = error_input("ghost", line=4)
        ghost.unchanged = True  # claims to be unchanged, but this store never saw it
        outcome = st.record_scan(scan_input(), [ghost])
        row = st.get_error(str(outcome.errors[0].id))
        assert (row.fingerprint, row.line, row.message, row.code_snippet) == (
            "ghost",
            4,
            "Type 'string' is not assignable to type 'number'.",
            "const n: number = 'x';",
        )
        assert outcome.errors[0].change == "new"


def suggestion(confidence: float, verified: bool = True, fixer: str = "quickfix"):
    from tsfix.records import SuggestionInput

    return SuggestionInput(
        fixer=fixer,
        model_name="typescript-5.9.3",
        suggestion="--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1 +1 @@\n-const n: number = 'x';\n+const n: number = 1;\n",
        edits=[
            {
                "file": "src/a.ts",
                "start": {"line": 1, "col": 19},
                "end": {"line": 1, "col": 22},
                "new_text": "1",
            }
        ],
        explanation="Write 'x' as 1",
        confidence=confidence,
        verified=verified,
        verification={"verified": verified, "errors_before": 1, "errors_after": 0},
        base_hashes={"src/a.ts": "ab" * 32},
        tokens_in=None,
        tokens_out=None,
        latency_ms=12,
    )


def test_suggestions_are_recorded_replaced_and_ranked(store: Store) -> None:
    outcome = store.record_scan(scan_input(), [error_input("a"), error_input("b", line=2)])
    a, b = (r.id for r in outcome.errors)
    ids = store.record_suggestions(
        a, [suggestion(0.62), suggestion(0.91), suggestion(0.2, verified=False, fixer="llama")]
    )
    assert len(ids) == 3
    rows = store.suggestions(a)
    assert [round(r.confidence, 2) for r in rows] == [0.91, 0.62, 0.2]
    best = rows[0]
    assert (best.fixer, best.verified, best.error_id, best.applied_at) == ("quickfix", True, a, None)
    assert best.edits[0]["new_text"] == "1" and best.base_hashes == {"src/a.ts": "ab" * 32}
    assert best.suggestion.startswith("--- a/src/a.ts") and best.latency_ms == 12 and best.generated_at
    assert store.get_error(str(a)).status == "ai_suggested"

    # suggesting again replaces the unapplied suggestions
    store.record_suggestions(a, [suggestion(0.7)])
    assert [round(r.confidence, 2) for r in store.suggestions(a)] == [0.7]

    # no fix: the error stays new and its history says why
    assert store.record_suggestions(b, [], note="no fix found: the error remains") == []
    assert store.get_error(str(b)).status == "new"
    last = store.error_history(b)[-1]
    assert (last.event, last.detail) == ("status", "no fix found: the error remains")
    assert [e.event for e in store.error_history(a)][-1] == "status"


def test_suggestions_are_found_marked_applied_and_unmarked(store: Store) -> None:
    outcome = store.record_scan(scan_input(), [error_input("a"), error_input("b", line=2)])
    a, b = (r.id for r in outcome.errors)
    (sa,) = store.record_suggestions(a, [suggestion(0.9)])
    store.record_suggestions(b, [suggestion(0.5), suggestion(0.8)])
    found = store.get_suggestion(str(sa))
    assert (found.id, found.error_id, found.confidence) == (sa, a, pytest.approx(0.9))
    grouped = store.suggestions_for([a, b])
    assert [round(s.confidence, 2) for s in grouped[a]] == [0.9]
    assert [round(s.confidence, 2) for s in grouped[b]] == [0.8, 0.5]
    for bad in ("s999999", "nope"):
        with pytest.raises(UsageError):
            store.get_suggestion(bad)

    assert store.mark_applied([sa]) == 1
    assert store.get_suggestion(str(sa)).applied_at
    assert store.get_error(str(a)).status == "applied"
    last = store.error_history(a)[-1]
    assert (last.from_status, last.to_status) == ("ai_suggested", "applied") and "applied" in last.detail
    # suggesting again keeps the applied suggestion
    store.record_suggestions(a, [suggestion(0.4)])
    assert sorted(round(s.confidence, 2) for s in store.suggestions(a)) == [0.4, 0.9]
    # the next scan that still sees the error reopens it; one that does not marks it fixed
    store.record_scan(scan_input(), [error_input("b", line=2)])
    assert store.get_error(str(a)).status == "fixed"

    assert store.mark_applied([sa], applied=False) == 1
    assert store.get_suggestion(str(sa)).applied_at is None
    assert store.get_error(str(a)).status == "fixed"  # undo does not unfix what a scan saw fixed
    (sb,) = [s.id for s in store.suggestions(b) if s.confidence > 0.7]
    store.mark_applied([sb])
    store.mark_applied([sb], applied=False)
    assert store.get_error(str(b)).status == "ai_suggested"
