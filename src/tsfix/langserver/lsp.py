"""TypeScript 7.x: the native compiler's language server, `tsc --lsp --stdio` (LSP over stdio).

Diagnostics are pulled (`textDocument/diagnostic`), quick fixes are code actions of kind quickfix,
types come from hover. LSP lines and characters are 0-based; tsfix's positions are 1-based.

No code of the project runs in it. TypeScript 7 loads no language-service plugins (it is a Go binary;
`compilerOptions.plugins` is parsed and ignored), but it does acquire typings: for a project whose
tsconfig says `"typeAcquisition": {"enable": true}` it runs `npm install` unless the client's
workspace configuration turns that off, so tsfix's configuration always does.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from tsfix.edits import Position, TextEdit
from tsfix.langserver import (
    DEFAULT_TIMEOUT_S,
    CodeFix,
    Completion,
    LanguageService,
    Location,
    LsDiagnostic,
    is_local_sort,
)
from tsfix.langserver.framing import LanguageServiceError, ServerCrashed, ServerProcess

_SEVERITY = {1: "error", 2: "warning", 3: "message", 4: "suggestion"}

#: What tsfix answers to `workspace/configuration`, by section (TypeScript 7 asks for "js/ts",
#: "typescript", "javascript" and "editor"). Automatic typing acquisition is off under both the unified
#: setting and the older per-language one.
WORKSPACE_CONFIGURATION: dict[str, Any] = {
    "js/ts": {"tsserver": {"automaticTypeAcquisition": {"enabled": False}}},
    "typescript": {"disableAutomaticTypeAcquisition": True},
    "javascript": {"disableAutomaticTypeAcquisition": True},
}


def workspace_configuration(items: list[dict[str, Any]]) -> list[Any]:
    """The answer to a `workspace/configuration` request: one value per requested item."""
    return [WORKSPACE_CONFIGURATION.get(str(item.get("section", ""))) for item in items]


def path_to_uri(path: Path) -> str:
    return "file://" + urllib.request.pathname2url(str(path))


def uri_to_path(uri: str) -> Path:
    return Path(urllib.request.url2pathname(urllib.parse.urlparse(uri).path))


#: LSP CompletionItemKind -> the kind names tsserver uses (TypeScript 7 reports parameters and locals
#: as Variable, type aliases as Class)
_COMPLETION_KINDS = {
    2: "method", 3: "function", 4: "constructor", 5: "property", 6: "var", 7: "class", 8: "interface",
    9: "module", 10: "property", 13: "enum", 14: "keyword", 20: "enum member", 21: "const",
    22: "type", 25: "type parameter",
}  # fmt: skip


def _pos(p: dict[str, int]) -> Position:
    return Position(p["line"] + 1, p["character"] + 1)


def _lsp(p: Position) -> dict[str, int]:
    return {"line": p.line - 1, "character": p.col - 1}


class LspServer(LanguageService):
    """An LSP language server for TypeScript (the TypeScript 7 native `tsc --lsp --stdio`)."""

    def __init__(
        self,
        root: Path,
        command: list[str],
        version: str | None,
        timeout: float = DEFAULT_TIMEOUT_S,
        log: Path | None = None,
    ) -> None:
        super().__init__(root, timeout)
        self.name = f"typescript-{version or '?'}"
        self._argv = [*command, "--lsp", "--stdio"]
        self._log = log
        self._id = 0
        self._versions: dict[str, int] = {}
        self._server: ServerProcess | None = None
        self._start()

    # ------------------------------------------------------------------ wire

    def _start(self) -> None:
        self._server = ServerProcess(
            self._argv,
            self.root,
            key_of=lambda m: m.get("id") if "method" not in m and ("result" in m or "error" in m) else None,
            on_other=self._on_server_message,
            stderr_path=self._log,
        )
        self._versions.clear()
        self._request(
            "initialize",
            {
                "processId": os.getpid(),
                # read by servers that do not ask for workspace configuration
                "initializationOptions": {"userPreferences": WORKSPACE_CONFIGURATION["js/ts"]},
                "rootUri": path_to_uri(self.root),
                "workspaceFolders": [{"uri": path_to_uri(self.root), "name": self.root.name}],
                "capabilities": {
                    "general": {"positionEncodings": ["utf-16"]},
                    "workspace": {"workspaceEdit": {"documentChanges": True}, "configuration": True},
                    "textDocument": {
                        "synchronization": {"dynamicRegistration": False},
                        "diagnostic": {"dynamicRegistration": False},
                        "hover": {"contentFormat": ["markdown", "plaintext"]},
                        "codeAction": {
                            "dataSupport": True,
                            "resolveSupport": {"properties": ["edit"]},
                            "codeActionLiteralSupport": {
                                "codeActionKind": {"valueSet": ["quickfix", "source.fixAll"]}
                            },
                        },
                    },
                },
            },
        )
        self._notify("initialized", {})

    def _stop(self) -> None:
        if self._server is not None:
            if self._server.alive:
                try:
                    self._request("shutdown", None, timeout=5)
                    self._notify("exit", None)
                except LanguageServiceError:
                    pass
            self._server.kill()
            self._server = None

    def _send(self, message: dict[str, Any]) -> None:
        assert self._server is not None
        body = json.dumps(message).encode("utf-8")
        self._server.send(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def _request(self, method: str, params: Any, timeout: float | None = None) -> Any:
        assert self._server is not None
        self._id += 1
        key = self._id
        q = self._server.expect(key)
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": key, "method": method}
        if params is not None:
            message["params"] = params
        self._send(message)
        response = self._server.wait_for(q, key, method, timeout or self.timeout)
        if "error" in response:
            raise LanguageServiceError(
                f"{method}: {str(response['error'].get('message', 'failed'))[:300]}", hint="TSFIX_DEBUG=1"
            )
        return response.get("result")

    def _notify(self, method: str, params: Any) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self._send(message)

    def _on_server_message(self, message: dict[str, Any]) -> None:
        if "id" in message and "method" in message:  # a request from the server: answer benignly
            method = message["method"]
            result: Any = None
            if method == "workspace/configuration":
                result = workspace_configuration(message.get("params", {}).get("items", []))
            elif method == "workspace/applyEdit":
                result = {"applied": False}
            with contextlib.suppress(ServerCrashed):  # gone: the request waiting on it says so
                self._send({"jsonrpc": "2.0", "id": message["id"], "result": result})

    def _uri(self, path: str) -> str:
        return path_to_uri(self.absolute(path))

    # ------------------------------------------------------------------ protocol

    def _open(self, path: str, text: str) -> None:
        self._versions[path] = 1
        language = "typescriptreact" if path.endswith(".tsx") else "typescript"
        if path.endswith((".js", ".mjs", ".cjs")):
            language = "javascript"
        elif path.endswith(".jsx"):
            language = "javascriptreact"
        self._notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": self._uri(path), "languageId": language, "version": 1, "text": text}},
        )

    def _change(self, path: str, old: str, new: str) -> None:
        self._versions[path] = self._versions.get(path, 1) + 1
        self._notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": self._uri(path), "version": self._versions[path]},
                "contentChanges": [{"text": new}],
            },
        )

    def _diagnostics(self, path: str) -> list[LsDiagnostic]:
        result = self._request("textDocument/diagnostic", {"textDocument": {"uri": self._uri(path)}}) or {}
        return [
            LsDiagnostic(
                path,
                _pos(d["range"]["start"]),
                _pos(d["range"]["end"]),
                f"TS{d.get('code', 0)}",
                _SEVERITY.get(d.get("severity", 1), "error"),
                d.get("message", ""),
                d,
            )
            for d in result.get("items", [])
        ]

    def _workspace_edits(self, edit: dict[str, Any]) -> tuple[TextEdit, ...]:
        out: list[TextEdit] = []
        for uri, edits in (edit.get("changes") or {}).items():
            for e in edits:
                out.append(self._text_edit(uri, e))
        for change in edit.get("documentChanges") or []:
            if "textDocument" in change:
                for e in change.get("edits", []):
                    out.append(self._text_edit(change["textDocument"]["uri"], e))
        return tuple(out)

    def _text_edit(self, uri: str, e: dict[str, Any]) -> TextEdit:
        return TextEdit(
            self.relative(uri_to_path(uri)), _pos(e["range"]["start"]), _pos(e["range"]["end"]), e["newText"]
        )

    def _code_fixes(self, diagnostic: LsDiagnostic) -> list[CodeFix]:
        raw = diagnostic.raw or {
            "range": {"start": _lsp(diagnostic.start), "end": _lsp(diagnostic.end)},
            "code": int(diagnostic.code[2:]),
            "message": diagnostic.message,
            "severity": 1,
        }
        actions = self._request(
            "textDocument/codeAction",
            {
                "textDocument": {"uri": self._uri(diagnostic.file)},
                "range": raw["range"],
                "context": {"diagnostics": [raw], "only": ["quickfix"], "triggerKind": 1},
            },
        )
        fixes = []
        for action in actions or []:
            if "title" not in action or (
                action.get("command") and "edit" not in action and "data" not in action
            ):
                continue
            edit = action.get("edit")
            if edit is None and "data" in action:
                try:
                    edit = (self._request("codeAction/resolve", action) or {}).get("edit")
                except LanguageServiceError:
                    edit = None
            if not edit:
                continue
            name = _fix_name(action)
            fixes.append(CodeFix(action["title"], name, self._workspace_edits(edit), None))
        return fixes

    def _fix_all(self, path: str, fix: CodeFix) -> tuple[TextEdit, ...]:
        return ()

    def _quick_info(self, path: str, at: Position) -> str | None:
        result = self._request(
            "textDocument/hover", {"textDocument": {"uri": self._uri(path)}, "position": _lsp(at)}
        )
        if not result:
            return None
        contents = result.get("contents")
        value = contents.get("value", "") if isinstance(contents, dict) else str(contents or "")
        m = re.search(r"```\w*\n(.*?)\n```", value, re.S)
        return (m.group(1) if m else value).strip() or None

    def _definition(self, path: str, at: Position) -> list[tuple[str, Position, Position]]:
        result = self._request(
            "textDocument/definition", {"textDocument": {"uri": self._uri(path)}, "position": _lsp(at)}
        )
        if not result:
            return []
        items = result if isinstance(result, list) else [result]
        out = []
        for item in items:
            uri = item.get("uri") or item.get("targetUri")
            rng = item.get("range") or item.get("targetSelectionRange") or item.get("targetRange")
            if uri and rng:
                out.append((self.relative(uri_to_path(uri)), _pos(rng["start"]), _pos(rng["end"])))
        return out

    def _completions(self, path: str, at: Position) -> list[Completion]:
        result = self._request(
            "textDocument/completion", {"textDocument": {"uri": self._uri(path)}, "position": _lsp(at)}
        )
        items = result.get("items", []) if isinstance(result, dict) else (result or [])
        out = []
        for item in items:
            data = item.get("data") if isinstance(item.get("data"), dict) else {}
            imported = bool(data.get("autoImport") or data.get("source") or item.get("additionalTextEdits"))
            label = str(item["label"])
            out.append(
                Completion(
                    label.rstrip("?"),
                    _COMPLETION_KINDS.get(int(item.get("kind") or 0), ""),
                    is_local_sort(item.get("sortText")) and not imported,
                    label.endswith("?"),
                )
            )
        return out

    def _references(self, path: str, at: Position) -> list[Location]:
        result = self._request(
            "textDocument/references",
            {
                "textDocument": {"uri": self._uri(path)},
                "position": _lsp(at),
                "context": {"includeDeclaration": True},
            },
        )
        return [
            Location(self.relative(uri_to_path(r["uri"])), _pos(r["range"]["start"]), _pos(r["range"]["end"]))
            for r in result or []
        ]

    def _rename(self, path: str, at: Position, new_name: str) -> tuple[TextEdit, ...]:
        try:
            result = self._request(
                "textDocument/rename",
                {"textDocument": {"uri": self._uri(path)}, "position": _lsp(at), "newName": new_name},
            )
        except LanguageServiceError:
            return ()  # "cannot rename this element"
        return self._workspace_edits(result) if isinstance(result, dict) else ()


def _fix_name(action: dict[str, Any]) -> str:
    data = action.get("data")
    if isinstance(data, dict):
        for key in ("fixName", "fixId", "kind"):
            if isinstance(data.get(key), str):
                return data[key]
    return str(action.get("kind") or "quickfix")
