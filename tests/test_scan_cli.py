"""`tsfix scan`, `list` and `show` end to end with real TypeScript: formats, exit codes, bad input."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from tsfix.errors import TscFailed
from tsfix.scan import record_tsc_output
from tsfix.store import open_store
from tsfix.tsc import TscProcess, find_tsc, tsc_arguments

BROKEN = {
    "src/math.ts": textwrap.dedent(
        """\
        export function add(a: number, b: number): number {
          return a + b;
        }

        export const total: number = add(1, "2");
        """
    ),
    "src/user.ts": textwrap.dedent(
        """\
        interface User { name: string; email: string }

        export function describe(user: User): string {
          return `${user.name} <${user.emial}>`;
        }
        """
    ),
}


def no_traceback(output: str) -> None:
    assert "Traceback" not in output


def test_scan_records_errors_and_exits_1(make_project, cli, ts_version: str) -> None:
    root = make_project(BROKEN, ts=ts_version)
    result = cli("scan", str(root))
    assert result.exit_code == 1, result.output
    assert f"TypeScript {ts_version}" in result.output
    assert "2 new" in result.output and "TS2345" in result.output and "TS2551" in result.output
    assert (root / ".tsfix" / "tsfix.db").is_file()
    assert (root / ".tsfix" / ".gitignore").is_file()
    assert sorted(p.name for p in root.iterdir()) == [".tsfix", "node_modules", "src", "tsconfig.json"]


def test_clean_project_exits_0(make_project, cli, ts_version: str) -> None:
    root = make_project({"src/ok.ts": "export const ok: number = 1;\n"}, ts=ts_version)
    result = cli("scan", str(root))
    assert result.exit_code == 0, result.output
    assert "No errors" in result.output


def test_json_format(make_project, cli, ts_version: str) -> None:
    root = make_project(BROKEN, ts=ts_version)
    result = cli("scan", str(root), "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["scan"]["typescript_version"] == ts_version
    assert data["scan"]["counts"]["errors"] == 2 and data["scan"]["complete"] is True
    by_file = {e["file"]: e for e in data["errors"]}
    math = by_file["src/math.ts"]
    assert (math["line"], math["code"], math["status"], math["change"]) == (5, "TS2345", "new", "new")
    assert math["context"]["kind"] == "variable" and math["context"]["name"] == "total"
    assert math["code_snippet"] == 'export const total: number = add(1, "2");'
    assert len(math["file_hash"]) == 64 and isinstance(math["id"], int)
    user = by_file["src/user.ts"]
    assert user["context"]["symbol_path"] == "describe" and user["code"] == "TS2551"
    assert data["fixed"] == []


def test_github_format(make_project, cli) -> None:
    root = make_project({"src/a,b.ts": 'export const n: number = "x";\n'})
    result = cli("scan", str(root), "--format", "github")
    assert result.exit_code == 1
    (line,) = [ln for ln in result.stdout.splitlines() if ln.startswith("::")]
    assert line == (
        "::error file=src/a%2Cb.ts,line=1,col=14,title=TS2322::Type 'string' is not assignable to type 'number'."
    )


def test_multiline_messages_are_escaped_for_github(make_project, cli) -> None:
    root = make_project(
        {"src/a.ts": "function f(o: { a: number; b: string }) {}\nf({ a: 1 });\n"}, ts="5.9.3"
    )
    result = cli("scan", str(root), "--format", "github")
    (line,) = [ln for ln in result.stdout.splitlines() if ln.startswith("::")]
    assert "%0A  Property 'b' is missing" in line


def test_rescan_tracks_new_open_fixed_and_reopened(make_project, cli, ts_version: str) -> None:
    root = make_project(BROKEN, ts=ts_version)
    first = json.loads(cli("scan", str(root), "-f", "json").stdout)
    ids = {e["file"]: e["id"] for e in first["errors"]}

    # unrelated edits above the errors shift lines: same rows, still open
    math = root / "src/math.ts"
    math.write_text("// a comment\n// another\n" + math.read_text())
    second = json.loads(cli("scan", str(root), "-f", "json").stdout)
    assert {e["file"]: (e["id"], e["change"], e["line"]) for e in second["errors"]} == {
        "src/math.ts": (ids["src/math.ts"], "open", 7),
        "src/user.ts": (ids["src/user.ts"], "open", 4),
    }

    # fix one error
    user = root / "src/user.ts"
    broken_user = user.read_text()
    user.write_text(broken_user.replace("emial", "email"))
    third = cli("scan", str(root), "-f", "json")
    data = json.loads(third.stdout)
    assert [f["id"] for f in data["fixed"]] == [ids["src/user.ts"]]
    assert data["scan"]["counts"]["fixed"] == 1

    # it comes back: the same row reopens
    user.write_text(broken_user)
    fourth = json.loads(cli("scan", str(root), "-f", "json").stdout)
    reopened = [e for e in fourth["errors"] if e["file"] == "src/user.ts"]
    assert [(e["id"], e["change"], e["status"]) for e in reopened] == [
        (ids["src/user.ts"], "reopened", "new")
    ]

    shown = cli("show", str(ids["src/user.ts"]), "--path", str(root), "--json")
    assert shown.exit_code == 0
    assert [h["event"] for h in json.loads(shown.stdout)["history"]] == ["new", "fixed", "reopened"]


def test_list_and_show(make_project, cli) -> None:
    root = make_project(BROKEN)
    cli("scan", str(root))
    listed = cli("list", str(root))
    assert listed.exit_code == 0
    assert "src/math.ts:5:37" in listed.output and "TS2551" in listed.output
    rows = json.loads(cli("list", str(root), "--json", "--code", "2551").stdout)
    assert [r["code"] for r in rows] == ["TS2551"]
    assert json.loads(cli("list", str(root), "--json", "--file", "src/math.ts").stdout)[0]["line"] == 5
    assert json.loads(cli("list", str(root), "--json", "--status", "fixed").stdout) == []

    shown = cli("show", str(rows[0]["id"]), "--path", str(root))
    assert shown.exit_code == 0
    assert "Property 'emial' does not exist on type 'User'" in shown.output
    assert "function describe" in shown.output  # the context, highlighted
    assert "History" in shown.output

    for args, message in [
        (("show", "4242", "--path", str(root)), "error: no error with id 4242"),
        (("show", "x1", "--path", str(root)), "error: 'x1' is not an error id"),
        (("list", str(root), "--status", "open,broken"), "error: unknown status 'broken'"),
    ]:
        result = cli(*args)
        assert result.exit_code == 2
        assert result.output.splitlines()[0].startswith(message)
        assert result.output.splitlines()[1].startswith("hint: ")
        no_traceback(result.output)


def test_list_without_a_store(tmp_path: Path, cli) -> None:
    result = cli("list", str(tmp_path))
    assert result.exit_code == 2
    assert "no tsfix store" in result.output and "tsfix scan" in result.output
    assert not (tmp_path / ".tsfix").exists()  # reading never creates a store


def test_scan_from_a_subfolder_finds_the_project(make_project, cli) -> None:
    root = make_project(BROKEN)
    result = cli("scan", str(root / "src"))
    assert result.exit_code == 1
    assert (root / ".tsfix" / "tsfix.db").is_file() and not (root / "src" / ".tsfix").exists()


def test_project_option_and_tsconfig_path(make_project, cli) -> None:
    root = make_project(BROKEN)
    (root / "tsconfig.math.json").write_text(
        json.dumps({"extends": "./tsconfig.json", "include": ["src/math.ts"]})
    )
    data = json.loads(cli("scan", str(root), "--project", "tsconfig.math.json", "-f", "json").stdout)
    assert [e["file"] for e in data["errors"]] == ["src/math.ts"]
    assert data["scan"]["project"].endswith("#tsconfig.math.json")
    # a tsconfig file as PATH
    data = json.loads(cli("scan", str(root / "tsconfig.math.json"), "-f", "json").stdout)
    assert data["scan"]["tsconfig"] == "tsconfig.math.json"


# ----------------------------------------------------------------------------- bad input


def assert_clean_failure(result, first_line: str, hint: str) -> None:
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2, result.output
    assert lines[0].startswith("error: "), result.output
    assert first_line in lines[0], lines[0]
    assert lines[1].startswith("hint: ") and hint in lines[1], lines[1]
    assert len(lines) == 2, result.output
    no_traceback(result.output)


def test_no_tsconfig(tmp_path: Path, cli) -> None:
    assert_clean_failure(cli("scan", str(tmp_path)), "no tsconfig.json in", "npx tsc --init")
    assert_clean_failure(cli("scan", str(tmp_path / "nope")), "does not exist", "project folder")
    assert_clean_failure(cli("scan", str(tmp_path), "--project", "x.json"), "no tsconfig at", "--project")


def test_invalid_tsconfig_json(make_project, cli, ts_version: str) -> None:
    root = make_project(
        BROKEN, ts=ts_version, tsconfig='{ "compilerOptions": { "strict": true, }\n "include": ["src"] '
    )
    assert_clean_failure(cli("scan", str(root)), "tsconfig.json is invalid: TS1005", "fix the configuration")
    assert not (root / ".tsfix" / "tsfix.db").exists() or _scan_count(root) == 0


def test_unknown_compiler_option(make_project, cli, ts_version: str) -> None:
    root = make_project(
        BROKEN,
        ts=ts_version,
        tsconfig='{"compilerOptions": {"strictt": true, "types": []}, "include": ["src"]}',
    )
    assert_clean_failure(
        cli("scan", str(root)), "Unknown compiler option 'strictt'", "tsc --noEmit -p tsconfig.json"
    )


def test_tsconfig_matching_no_files(make_project, cli, ts_version: str) -> None:
    root = make_project({}, ts=ts_version, tsconfig='{"compilerOptions": {"types": []}, "include": ["src"]}')
    assert_clean_failure(cli("scan", str(root)), "matches no files: TS18003", "'include'/'files'")


def test_missing_type_library_stops_type_checking(make_project, cli, ts_version: str) -> None:
    root = make_project(
        BROKEN, ts=ts_version, tsconfig='{"compilerOptions": {"types": ["nosuch"]}, "include": ["src"]}'
    )
    assert_clean_failure(cli("scan", str(root)), "stopped before type-checking: TS2688", "npm install")


def test_tsc_missing(tmp_path: Path, cli) -> None:
    (tmp_path / "tsconfig.json").write_text("{}")
    assert_clean_failure(
        cli("scan", str(tmp_path)), "no TypeScript compiler in node_modules/.bin", "npm install -D typescript"
    )
    assert_clean_failure(
        cli("scan", str(tmp_path), "--tsc", "/no/such/tsc"),
        "--tsc /no/such/tsc: no such file",
        "tsc executable",
    )


def _scan_count(root: Path) -> int:
    with open_store(None, root, create=False) as store:
        latest = store.latest_scan()
        return 0 if latest is None else int(latest["id"])


def test_tsc_timeout(make_project, cli) -> None:
    root = make_project(BROKEN)
    cli("scan", str(root))
    assert_clean_failure(
        cli("scan", str(root), "--timeout", "0.1"), "did not finish within 0.1 s", "--timeout"
    )
    assert _scan_count(root) == 1  # nothing half-written


def test_tsc_killed(make_project, cli, tmp_path: Path) -> None:
    root = make_project(BROKEN)
    killer = tmp_path / "killed-tsc.sh"  # runs the real tsc, then kills it the way the OOM killer would
    killer.write_text(
        f'#!/bin/sh\n"{root}/node_modules/.bin/tsc" "$@" &\nsleep 0.2\nkill -9 $!\nwait $!\nexit $?\n'
    )
    killer.chmod(0o755)
    assert_clean_failure(
        cli("scan", str(root), "--tsc", str(killer)), "tsc failed (exit status 137)", "by hand"
    )


def test_tsc_crash_without_diagnostics(make_project, cli, tmp_path: Path) -> None:
    root = make_project(BROKEN)
    crash = tmp_path / "crashing-tsc.sh"  # a scripted crash: exits 1 with a stack trace and no diagnostics
    crash.write_text("#!/bin/sh\necho 'TypeError: Cannot read properties of undefined' >&2\nexit 1\n")
    crash.chmod(0o755)
    result = cli("scan", str(root), "--tsc", str(crash))
    assert_clean_failure(
        result, "tsc failed (exit status 1) without reporting diagnostics: TypeError", "by hand"
    )


def test_non_utf8_source_file(make_project, cli, ts_version: str) -> None:
    root = make_project(
        {"src/legacy.ts": "export const caf\xe9: number = 'cr\xe8me br\xfbl\xe9e';\n".encode("latin-1")},
        ts=ts_version,
    )
    result = cli("scan", str(root), "-f", "json")
    assert result.exit_code == 1
    errors = json.loads(result.stdout)["errors"]
    assert errors and all(e["file"] == "src/legacy.ts" for e in errors)
    assert all(e["context"] is not None for e in errors)


def test_file_deleted_between_tsc_and_context(make_project, tmp_path: Path) -> None:
    from storelib import scan_input

    root = make_project(BROKEN)
    tsc = find_tsc(root)
    run = TscProcess(
        tsc_arguments(tsc, root / "tsconfig.json", tmp_path, build=False),
        cwd=root,
        timeout=120,
        scratch=tmp_path,
    ).wait()
    (root / "src/user.ts").unlink()
    with open_store(None, root) as store:
        outcome, errors, files, _ = record_tsc_output(store, scan_input(project_root=str(root)), root, run)
    gone = next(e for e in errors if e.file_path == "src/user.ts")
    assert (
        gone.context == {"problem": "file not found (deleted after tsc ran?)"} and gone.code_snippet is None
    )
    assert files["src/user.ts"].problem and outcome.counts["errors"] == 2


def test_tsc_crash_is_detected_without_output() -> None:
    from tsfix.tsc import TscRun, check_run

    with pytest.raises(TscFailed, match="killed by signal SIGKILL"):
        check_run(TscRun("", "", -9, 10), [])
    with pytest.raises(TscFailed, match="ran out of memory"):
        check_run(
            TscRun(
                "",
                "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
                134,
                10,
            ),
            [],
        )
    check_run(TscRun("", "", 0, 10), [])  # clean


def test_syntax_errors_do_not_mark_type_errors_fixed(make_project, cli) -> None:
    root = make_project(BROKEN)
    cli("scan", str(root))
    (root / "src/extra.ts").write_text("export const x = (1 + ;\n")
    result = cli("scan", str(root), "-f", "json")
    data = json.loads(result.stdout)
    assert data["scan"]["complete"] is False and data["fixed"] == []
    assert [e["code"] for e in data["errors"]] == ["TS1109"]
    listed = json.loads(cli("list", str(root), "--json").stdout)
    assert len(listed) == 3  # the two type errors stay open


def test_read_only_project_folder(make_project, tsfix_cli, tmp_path: Path) -> None:
    root = make_project(BROKEN)
    store = tmp_path / "elsewhere" / "tsfix.db"
    cmd = _read_only(root)
    if cmd is None:
        pytest.skip("cannot make a read-only folder here: running as root without unshare")
    result = subprocess.run(
        [*cmd, "scan", str(root)], capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"}
    )
    assert result.returncode == 2, result.stderr
    assert "cannot create" in result.stderr and "--store" in result.stderr
    no_traceback(result.stderr)
    result = subprocess.run(
        [*cmd, "scan", str(root), "--store", f"sqlite://{store}"], capture_output=True, text=True
    )
    assert result.returncode == 1, result.stderr
    assert store.is_file()
    assert sorted(p.name for p in root.iterdir()) == ["node_modules", "src", "tsconfig.json"]


def _read_only(root: Path) -> list[str] | None:
    """A command prefix that runs `tsfix` with `root` read-only, even for root (a read-only bind mount)."""
    exe = shutil.which("tsfix") or str(Path(sys.executable).parent / "tsfix")
    if os.geteuid() != 0:
        for path in (root, root / "src"):
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        return [exe]
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-rm", "true"]).returncode != 0:
        return None
    script = 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" && exec "$@"'
    return ["unshare", "-rm", "sh", "-c", script, str(root), exe]


def test_two_scans_at_once_on_one_store(make_project, tsfix_cli) -> None:
    root = make_project(BROKEN)
    results: list[subprocess.CompletedProcess[str]] = []

    def run() -> None:
        results.append(tsfix_cli("scan", str(root), "-f", "json"))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.returncode for r in results] == [1, 1, 1], [r.stderr for r in results]
    assert sorted(json.loads(r.stdout)["scan"]["id"] for r in results) == [1, 2, 3]
    with open_store(None, root, create=False) as store:
        rows = store.list_errors()
        assert len(rows) == 2 and {r.occurrences for r in rows} == {3}


def test_debug_shows_a_traceback(tmp_path: Path, tsfix_cli) -> None:
    result = tsfix_cli("scan", str(tmp_path), env={"TSFIX_DEBUG": "1"})
    assert result.returncode == 2
    assert "Traceback" in result.stderr and "error: no tsconfig.json" in result.stderr
