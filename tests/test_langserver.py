"""The language service over the project's own TypeScript: tsserver (5.9.3) and `tsc --lsp` (7.0.2)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tsfix.edits import Position
from tsfix.langserver import LanguageServiceError
from tsfix.langserver.factory import open_language_service
from tsfix.langserver.framing import RequestTimeout
from tsfix.tsc import find_tsc

FILES = {
    "src/models.ts": "export interface User { name: string; email: string }\n",
    "src/util.ts": "export function shout(text: string): string { return text.toUpperCase(); }\n",
    "src/main.ts": (
        'import type { User } from "./models";\n'
        "export function label(user: User): string {\n"
        "  return user.emial;\n"
        "}\n"
        "export const loud: string = shout('hi');\n"
    ),
}


@pytest.fixture
def service(make_project, ts_version: str):
    root = make_project(FILES, ts=ts_version)
    ls = open_language_service(root, find_tsc(root), timeout=60)
    yield ls
    ls.close()


def codes(diagnostics) -> list[tuple[str, int]]:
    return sorted((d.code, d.start.line) for d in diagnostics)


def test_diagnostics_match_tsc(service) -> None:
    diagnostics = service.diagnostics("src/main.ts")
    assert codes(diagnostics) == [("TS2304", 5), ("TS2551", 3)]
    spelling = next(d for d in diagnostics if d.code == "TS2551")
    assert (spelling.start, spelling.end) == (Position(3, 15), Position(3, 20))
    assert spelling.message.startswith(
        "Property 'emial' does not exist on type 'User'. Did you mean 'email'?"
    )


def test_what_if_text_and_reset(service) -> None:
    original = service.text("src/main.ts")
    service.set_text("src/main.ts", original.replace("emial", "email"))
    assert codes(service.diagnostics("src/main.ts")) == [("TS2304", 5)]
    assert Path(service.root, "src/main.ts").read_text() == original  # nothing on disk changed
    service.reset("src/main.ts")
    assert codes(service.diagnostics("src/main.ts")) == [("TS2304", 5), ("TS2551", 3)]


def test_quick_fixes(service, ts_version: str) -> None:
    diagnostics = service.diagnostics("src/main.ts")
    missing = next(d for d in diagnostics if d.code == "TS2304")
    fixes = service.code_fixes(missing)
    imports = [f for f in fixes if "import" in f.description.lower()]
    assert imports, [f.description for f in fixes]
    (edit,) = imports[0].edits
    assert edit.file == "src/main.ts" and 'from "./util"' in edit.new_text
    if ts_version.startswith("5."):  # TypeScript 7 has not ported the spelling fix
        spelling = service.code_fixes(next(d for d in diagnostics if d.code == "TS2551"))
        assert any(f.fix_name == "spelling" and f.edits[0].new_text == "email" for f in spelling)


def test_types_and_members(service) -> None:
    info = service.quick_info("src/main.ts", Position(2, 23))
    assert info is not None and "user: User" in info
    members = {m.name for m in service.completions("src/main.ts", Position(3, 15))}
    assert {"name", "email"} <= members
    places = service.definition("src/main.ts", Position(5, 30))
    assert places == [] or places[0][0] in ("src/util.ts", "src/main.ts")


def test_answers_are_kept_while_every_file_is_as_on_disk(service) -> None:
    """A question asked again of the program as on disk is answered from memory (asked after an
    edit, TypeScript would answer from a new checker); with a file edited in memory, it is asked."""
    sent: list[str] = []
    real = service._quick_info
    service._quick_info = lambda path, at: sent.append(path) or real(path, at)
    at = Position(2, 23)
    first = service.quick_info("src/main.ts", at)
    assert first is not None and "user: User" in first
    assert service.quick_info("src/main.ts", at) == first and len(sent) == 1
    service.set_text("src/models.ts", "export interface User { name: string }\n")
    assert service.quick_info("src/main.ts", at) == first and len(sent) == 2  # asked: models edited
    service.reset("src/models.ts")
    assert service.quick_info("src/main.ts", at) == first and len(sent) == 2  # as on disk again
    service.forget()  # a fresh program asked in a given order (tsfix.verify): asked anew, and kept
    assert service.quick_info("src/main.ts", at) == first and len(sent) == 3
    assert service.quick_info("src/main.ts", at) == first and len(sent) == 4  # until an edit
    service.set_text("src/models.ts", "export interface User { name: string }\n")
    service.reset("src/models.ts")
    assert service.quick_info("src/main.ts", at) == first and len(sent) == 4
    (service.root / "src/main.ts").write_text("// moved\n" + FILES["src/main.ts"], encoding="utf-8")
    service.reload("src/main.ts")  # the file changed on disk: what was kept is not its answer
    assert service.quick_info("src/main.ts", at) != first and len(sent) == 5


SCOPE = {
    "src/lib.ts": "export function shout(text: string): string { return text.toUpperCase(); }\n",
    "src/main.ts": (
        'import { shout } from "./lib";\n'
        "export function greet(userName: string, times: number): string {\n"
        "  const greeting = shout(userName);\n"
        "  return greeting.repeat(times) + userNam;\n"
        "}\n"
    ),
}


def test_completions_say_kind_and_whether_the_name_is_local(make_project, ts_version: str) -> None:
    root = make_project(SCOPE, ts=ts_version)
    with open_language_service(root, find_tsc(root), timeout=60) as ls:
        at = Position(4, 34)  # the unknown `userNam`
        found = {c.name: c for c in ls.completions("src/main.ts", at)}
        local = {name for name, c in found.items() if c.local}
        assert {"userName", "times", "greeting", "shout", "greet"} <= local
        assert "Math" in found and not found["Math"].local  # a global of the standard library
        assert not found["return"].is_value  # a keyword
        assert found["greet"].kind == "function" and found["greeting"].is_value
        members = {c.name: c for c in ls.completions("src/main.ts", Position(4, 19))}
        assert members["repeat"].kind == "method" and members["length"].local


def test_references_and_rename_cover_every_file(make_project, ts_version: str) -> None:
    root = make_project(SCOPE, ts=ts_version)
    with open_language_service(root, find_tsc(root), timeout=60) as ls:
        refs = ls.references("src/main.ts", Position(3, 20))  # `shout(` in main.ts
        assert sorted((r.file, r.start.line) for r in refs) == [
            ("src/lib.ts", 1),
            ("src/main.ts", 1),
            ("src/main.ts", 3),
        ]
        edits = ls.rename("src/lib.ts", Position(1, 17), "yell")
        assert {(e.file, e.start.line, e.new_text) for e in edits} >= {
            ("src/lib.ts", 1, "yell"),
            ("src/main.ts", 3, "yell"),
        }
        assert ls.rename("src/main.ts", Position(4, 3), "x") == ()  # `return` cannot be renamed


def test_a_crashed_server_is_restarted_once_then_reported(service) -> None:
    service.set_text("src/main.ts", service.text("src/main.ts").replace("emial", "email"))
    os.killpg(service._server.proc.pid, signal.SIGKILL)
    service._server.proc.wait()
    # the restart re-sends the documents as they are in memory
    assert codes(service.diagnostics("src/main.ts")) == [("TS2304", 5)]
    os.killpg(service._server.proc.pid, signal.SIGKILL)
    service._server.proc.wait()
    with pytest.raises(LanguageServiceError, match="crashed again after a restart"):
        service.diagnostics("src/main.ts")


def test_requests_time_out(make_project) -> None:
    root = make_project(FILES, ts="7.0.2")
    ls = open_language_service(root, find_tsc(root), timeout=1.5)
    try:
        ls.diagnostics("src/main.ts")
        os.kill(ls._server.proc.pid, signal.SIGSTOP)  # a hung server
        started = time.monotonic()
        with pytest.raises(RequestTimeout, match="did not answer"):
            ls.diagnostics("src/util.ts")
        assert time.monotonic() - started < 10
    finally:
        os.kill(ls._server.proc.pid, signal.SIGCONT)
        ls.close()


def test_missing_typescript_package(tmp_path: Path) -> None:
    from tsfix.langserver.tsserver import TsServer

    with pytest.raises(LanguageServiceError, match="no tsserver"):
        TsServer(tmp_path, tmp_path / "not-typescript", "5.9.3")
