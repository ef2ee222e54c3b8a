"""Repairs of names: TypeScript's own "Did you mean …?", and a declaration renamed when its uses
agree on another spelling."""

from __future__ import annotations

import re
from typing import Any

from tsfix.edits import TextEdit
from tsfix.fixers import FixContext
from tsfix.fixers.candidate import Candidate
from tsfix.fixers.syntax import Doc, candidate, headline, walk
from tsfix.importgraph import source_files

_DECLARATION_NODES = {
    "interface_declaration",
    "type_alias_declaration",
    "class_declaration",
    "abstract_class_declaration",
}


def did_you_mean(ctx: FixContext, doc: Doc) -> list[Candidate]:
    """Apply the suggestion in TypeScript's own message ("Did you mean 'email'?") to the error's span."""
    m = re.search(r"Did you mean (?:to write |the (?:instance|static) member )?'(.+)'\?$", headline(ctx))
    if not m:
        return []
    suggestion = m.group(1)
    current = doc.span(ctx.target.start, ctx.target.end)
    if not current or current == suggestion or "\n" in current:
        return []
    edit = TextEdit(ctx.target.file, ctx.target.start, ctx.target.end, suggestion)
    return [candidate("did-you-mean", f"Change '{current}' to '{suggestion}', as TypeScript suggests", edit)]


def declaration_rename(ctx: FixContext, doc: Doc) -> list[Candidate]:
    """Uses of `T.a` where T declares a similar `b`: rename the declaration, when the uses agree.

    When at least two errors in the project say "Property 'a' does not exist on type 'T'. Did you
    mean 'b'?", the code consistently uses `a`, so the declaration is the likelier mistake.
    """
    triple = _misnamed_member(headline(ctx))
    if triple is None:
        return []
    used, type_name, declared = triple
    places: set[tuple[str | None, int | None]] = {
        (d.file, d.start.line)
        for d in ctx.file_diagnostics
        if _misnamed_member(d.message.split("\n", 1)[0]) == triple
    }
    places |= {
        (e.file_path, e.line)
        for e in ctx.project_errors
        if e.file_path != ctx.target.file and _misnamed_member(e.message.split("\n", 1)[0]) == triple
    }
    if len(places) < 2:
        return []
    edits = []
    for path in _declaration_files(ctx, type_name):
        try:
            other = Doc(path, ctx.service.disk_text(path))
        except OSError:
            continue
        for node in walk(other.tree.root_node):
            if node.type in _DECLARATION_NODES and _name(other, node) == type_name:
                for member in walk(node):
                    if member.type in ("property_signature", "public_field_definition", "method_signature"):
                        name = member.child_by_field_name("name")
                        if name is not None and other.src(name) == declared:
                            edits.append(other.replace(name, used))
    if len(edits) != 1:
        return []
    return [
        candidate(
            "rename-declaration", f"Rename {type_name}.{declared} to '{used}', as its uses spell it", edits[0]
        )
    ]


_MISNAMED = [
    re.compile(
        r"^Property '([^']+)' does not exist on type '([A-Za-z_$][\w$]*)(?:<.*>)?'\. Did you mean '([^']+)'\?$"
    ),
    re.compile(
        r"^Object literal may only specify known properties, but '([^']+)' does not exist in type "
        r"'([A-Za-z_$][\w$]*)(?:<.*>)?'\. Did you mean to write '([^']+)'\?$"
    ),
]


def _misnamed_member(text: str) -> tuple[str, str, str] | None:
    """(name used, type, name declared) from "does not exist on type 'T'. Did you mean 'b'?" messages."""
    for pattern in _MISNAMED:
        m = pattern.match(text)
        if m:
            return m.group(1), m.group(2), m.group(3)
    return None


def _declaration_files(ctx: FixContext, type_name: str) -> list[str]:
    pattern = re.compile(rf"\b(?:interface|type|class)\s+{re.escape(type_name)}\b")
    files = []
    for path in source_files(ctx.root):
        try:
            if pattern.search((ctx.root / path).read_text(encoding="utf-8", errors="replace")):
                files.append(path)
        except OSError:
            continue
    return files


def _name(doc: Doc, node: Any) -> str | None:
    name = node.child_by_field_name("name")
    return doc.src(name) if name is not None else None
