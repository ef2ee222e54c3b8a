"""TypeScript 5.x/6.x: `node typescript/lib/tsserver.js` over the tsserver protocol.

Requests are one JSON object per line on stdin; responses and events come back Content-Length framed.
tsserver picks the project of a file itself (the nearest tsconfig.json), as editors do.

No code of the project runs in it: tsserver would load the language-service plugins a tsconfig names
(`compilerOptions.plugins`) from the project's node_modules, and there is no flag that stops it, so
Node starts with tsfix's module guard (module_guard.cjs: TypeScript's plugin loader removed, no module
outside the TypeScript package, no child processes) and typings acquisition is off.
"""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

from tsfix.edits import Position, TextEdit, end_position
from tsfix.langserver import (
    DEFAULT_TIMEOUT_S,
    CodeFix,
    Completion,
    LanguageService,
    Location,
    LsDiagnostic,
    is_local_sort,
    script_kind,
)
from tsfix.langserver.framing import LanguageServiceError, ServerProcess, server_environment

PREFERENCES = {
    "quotePreference": "auto",
    "importModuleSpecifierPreference": "project-relative",  # a project file by its relative path
    "includeCompletionsForModuleExports": False,
    "providePrefixAndSuffixTextForRename": True,
}


#: tsserver flags: no typings acquisition (it forks a process that runs npm), no background work.
#: There is no flag against plugins; the module guard handles them. tsfix never passes
#: --globalPlugins, --pluginProbeLocations or --allowLocalPluginLoads.
TSSERVER_FLAGS = (
    "--disableAutomaticTypingAcquisition",
    "--suppressDiagnosticEvents",
    "--noGetErrOnBackgroundUpdate",
    "--locale",
    "en",
)


def tsserver_script(package_dir: Path) -> Path | None:
    script = package_dir / "lib" / "tsserver.js"
    return script if script.is_file() else None


def module_guard() -> Path:
    """The preload (`node --require`) that keeps the project's code out of tsserver's Node process."""
    guard = Path(str(resources.files("tsfix.langserver").joinpath("module_guard.cjs")))
    if not guard.is_file():
        raise LanguageServiceError(
            f"tsfix's module guard is missing ({guard})",
            hint="reinstall tsfix (pip install --force-reinstall tsfix)",
        )
    return guard


def guarded_tsserver(node: str, package_dir: Path) -> tuple[list[str], dict[str, str]]:
    """argv and environment that run a TypeScript package's tsserver with the module guard."""
    script = package_dir / "lib" / "tsserver.js"
    argv = [node, "--require", str(module_guard()), str(script), *TSSERVER_FLAGS]
    return argv, server_environment({"TSFIX_TYPESCRIPT_DIR": str(package_dir.resolve())})


class TsServer(LanguageService):
    """The tsserver of a TypeScript package (its folder holds lib/tsserver.js)."""

    def __init__(
        self,
        root: Path,
        package_dir: Path,
        version: str | None,
        timeout: float = DEFAULT_TIMEOUT_S,
        log: Path | None = None,
    ) -> None:
        super().__init__(root, timeout)
        script = tsserver_script(package_dir)
        node = shutil.which("node")
        if script is None or node is None:
            raise LanguageServiceError(
                f"no tsserver in {package_dir}" if script is None else "Node.js is not installed",
                hint="tsfix uses the project's TypeScript (npm install -D typescript) and Node.js",
            )
        self.name = f"typescript-{version or '?'}"
        self._argv, self._env = guarded_tsserver(node, package_dir)
        self._log = log
        self._seq = 0
        self._server: ServerProcess | None = None
        self._start()

    # ------------------------------------------------------------------ wire

    def _start(self) -> None:
        self._server = ServerProcess(
            self._argv,
            self.root,
            key_of=lambda m: m.get("request_seq") if m.get("type") == "response" else None,
            stderr_path=self._log,
            env=self._env,
        )
        self._request("configure", {"hostInfo": "tsfix", "preferences": PREFERENCES})
        self._formatted: set[str] = set()

    def _format_like(self, path: str) -> None:
        """Tell tsserver how the file is written before it prints code for it: tabs or spaces and
        semicolons, per file (tsfix.style). The indentation width stays TypeScript's own, which the
        normaliser re-indents from; quotes are inferred by tsserver itself (quotePreference auto)."""
        if path in self._formatted:
            return
        from tsfix.style import PRINTED_UNIT, detect

        options = detect(self.text(path), path).format_options()
        options.update(indentSize=PRINTED_UNIT, tabSize=PRINTED_UNIT)
        self._request("configure", {"file": self._file(path), "formatOptions": options})
        self._formatted.add(path)

    def _stop(self) -> None:
        if self._server is not None:
            self._server.kill()
            self._server = None

    def _request(self, command: str, arguments: dict[str, Any], timeout: float | None = None) -> Any:
        assert self._server is not None
        self._seq += 1
        seq = self._seq
        q = self._server.expect(seq)
        message = {"seq": seq, "type": "request", "command": command, "arguments": arguments}
        self._server.send((json.dumps(message) + "\n").encode("utf-8"))
        response = self._server.wait_for(q, seq, command, timeout or self.timeout)
        if not response.get("success", False):
            text = str(response.get("message") or "failed")
            if "No content available" in text or "No Project" in text:
                return None
            raise LanguageServiceError(
                f"tsserver {command}: {text.splitlines()[0][:300]}", hint="TSFIX_DEBUG=1"
            )
        return response.get("body")

    def _file(self, path: str) -> str:
        return str(self.absolute(path))

    # ------------------------------------------------------------------ protocol

    def _open(self, path: str, text: str) -> None:
        self._request(
            "updateOpen",
            {
                "openFiles": [
                    {
                        "file": self._file(path),
                        "fileContent": text,
                        "projectRootPath": str(self.root),
                        "scriptKindName": script_kind(path),
                    }
                ]
            },
        )

    def _change(self, path: str, old: str, new: str) -> None:
        end = end_position(old)
        change = {
            "start": {"line": 1, "offset": 1},
            "end": {"line": end.line, "offset": end.col},
            "newText": new,
        }
        self._request(
            "updateOpen", {"changedFiles": [{"fileName": self._file(path), "textChanges": [change]}]}
        )

    def _diagnostics(self, path: str) -> list[LsDiagnostic]:
        out: list[LsDiagnostic] = []
        for command in ("syntacticDiagnosticsSync", "semanticDiagnosticsSync"):
            body = self._request(command, {"file": self._file(path), "includeLinePosition": False}) or []
            for d in body:
                out.append(
                    LsDiagnostic(
                        path,
                        Position(d["start"]["line"], d["start"]["offset"]),
                        Position(d["end"]["line"], d["end"]["offset"]),
                        f"TS{d.get('code', 0)}",
                        d.get("category", "error"),
                        d.get("text", ""),
                        d,
                    )
                )
        return out

    def _edits(self, changes: list[dict[str, Any]]) -> tuple[TextEdit, ...]:
        return tuple(
            TextEdit(
                self.relative(change["fileName"]),
                Position(tc["start"]["line"], tc["start"]["offset"]),
                Position(tc["end"]["line"], tc["end"]["offset"]),
                tc["newText"],
            )
            for change in changes
            for tc in change.get("textChanges", [])
        )

    def _code_fixes(self, diagnostic: LsDiagnostic) -> list[CodeFix]:
        self._format_like(diagnostic.file)
        body = self._request(
            "getCodeFixes",
            {
                "file": self._file(diagnostic.file),
                "startLine": diagnostic.start.line,
                "startOffset": diagnostic.start.col,
                "endLine": diagnostic.end.line,
                "endOffset": diagnostic.end.col,
                "errorCodes": [int(diagnostic.code[2:])],
            },
        )
        return [
            CodeFix(
                fix.get("description", ""),
                fix.get("fixName", ""),
                self._edits(fix.get("changes", [])),
                fix.get("fixId"),
            )
            for fix in body or []
            if not fix.get("commands")  # fixes that need a command run (e.g. install @types) are not edits
        ]

    def _fix_all(self, path: str, fix: CodeFix) -> tuple[TextEdit, ...]:
        self._format_like(path)
        body = self._request(
            "getCombinedCodeFix",
            {"scope": {"type": "file", "args": {"file": self._file(path)}}, "fixId": fix.fix_id},
        )
        return self._edits((body or {}).get("changes", []))

    def _quick_info(self, path: str, at: Position) -> str | None:
        body = self._request("quickinfo", {"file": self._file(path), "line": at.line, "offset": at.col})
        return (body or {}).get("displayString") or None

    def _definition(self, path: str, at: Position) -> list[tuple[str, Position, Position]]:
        body = (
            self._request("definition", {"file": self._file(path), "line": at.line, "offset": at.col}) or []
        )
        return [
            (
                self.relative(d["file"]),
                Position(d["start"]["line"], d["start"]["offset"]),
                Position(d["end"]["line"], d["end"]["offset"]),
            )
            for d in body
        ]

    def _completions(self, path: str, at: Position) -> list[Completion]:
        body = self._request(
            "completionInfo",
            {
                "file": self._file(path),
                "line": at.line,
                "offset": at.col,
                "includeExternalModuleExports": False,
            },
        )
        return [
            Completion(
                entry["name"],
                str(entry.get("kind") or ""),
                is_local_sort(entry.get("sortText"))
                and not entry.get("source")
                and not entry.get("hasAction"),
                "optional" in str(entry.get("kindModifiers") or ""),
            )
            for entry in (body or {}).get("entries", [])
        ]

    def _references(self, path: str, at: Position) -> list[Location]:
        body = self._request("references", {"file": self._file(path), "line": at.line, "offset": at.col})
        return [
            Location(
                self.relative(ref["file"]),
                Position(ref["start"]["line"], ref["start"]["offset"]),
                Position(ref["end"]["line"], ref["end"]["offset"]),
                bool(ref.get("isDefinition")),
            )
            for ref in (body or {}).get("refs", [])
        ]

    def _rename(self, path: str, at: Position, new_name: str) -> tuple[TextEdit, ...]:
        body = self._request(
            "rename",
            {
                "file": self._file(path),
                "line": at.line,
                "offset": at.col,
                "findInStrings": False,
                "findInComments": False,
            },
        )
        if not body or not (body.get("info") or {}).get("canRename"):
            return ()
        return tuple(
            TextEdit(
                self.relative(group["file"]),
                Position(loc["start"]["line"], loc["start"]["offset"]),
                Position(loc["end"]["line"], loc["end"]["offset"]),
                f"{loc.get('prefixText', '')}{new_name}{loc.get('suffixText', '')}",
            )
            for group in body.get("locs", [])
            for loc in group.get("locs", [])
        )
