"""The reports of `tsfix ci`: SARIF 2.1.0, GitHub workflow annotations, JSON, Markdown and JUnit XML.

Every path is relative to the repository root (the git top level), which is what code scanning,
annotations and merge-request comments resolve against. Nothing here depends on the clock, so the
same run gives byte-identical reports (the Markdown and JUnit ones are checked against golden files).

A file name can hold any character but `/` and NUL, and each format has its own grammar to keep:
SARIF URIs are percent-encoded (`_sarif_uri`), JUnit text has the characters XML 1.0 cannot hold
replaced visibly (`_xml_safe`), Markdown puts names in code spans and escapes messages
(`_md_code`, `_md_text`), annotations use the workflow-command escapes (`ui.scan.annotation`).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from typing import Any
from urllib.parse import quote

from tsfix import __version__
from tsfix.ci import CiError, CiReport
from tsfix.edits import diff_lines, diff_path
from tsfix.safe_text import escape_unsafe
from tsfix.ui.scan import annotation

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TS_DOCS = "https://typescript.tv/errors/#ts{number}"
LEVELS = {"error": "error", "warning": "warning"}


def _level(category: str) -> str:
    return LEVELS.get(category, "note")


def _first_line(message: str) -> str:
    return message.splitlines()[0] if message else ""


def _fix_summary(e: CiError) -> str:
    assert e.fix is not None
    return e.fix.explanation or f"{e.fix.fixer} fix"


# ----------------------------------------------------------------------------- SARIF


def _sarif_uri(path: str) -> str:
    """A repository path as a relative URI reference that decodes back to exactly that path.

    Everything but the unreserved characters and `/` is percent-encoded (UTF-8; a byte that was not
    UTF-8 is encoded as itself): a space, `%`, `#` and `?` would otherwise end or change the path,
    and a `:` in the first segment would read as a URI scheme (`c:` / `a:b.ts`).
    """
    return quote(path.encode("utf-8", errors="surrogateescape"), safe="/")


def sarif(report: CiReport) -> dict[str, Any]:
    """One run: tool driver `tsfix` with a rule per TypeScript code, a result per error, and the
    verified suggestion of each fixable error as a SARIF fix (artifact changes with replacements)."""
    codes = sorted({e.error.code for e in report.errors}, key=lambda c: (len(c), c))
    rule_index = {code: n for n, code in enumerate(codes)}
    examples: dict[str, str] = {}
    for e in report.errors:
        examples.setdefault(e.error.code, _first_line(e.error.message))
    rules = [
        {
            "id": code,
            "name": f"TypeScript{code}",
            "shortDescription": {"text": f"TypeScript error {code}"},
            "fullDescription": {"text": f"TypeScript {code}, for example: {examples[code]}"},
            "helpUri": TS_DOCS.format(number=code.removeprefix("TS")),
            "help": {"text": f"TypeScript compiler diagnostic {code}. `tsfix show` lists candidate fixes."},
            "defaultConfiguration": {"level": "error"},
            "properties": {"tags": ["typescript", "compile-error"]},
        }
        for code in codes
    ]
    results = [_sarif_result(report, e, rule_index) for e in report.errors]
    scan = report.scan.scan
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "tsfix",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": "https://github.com/tsfix/tsfix",
                "rules": rules,
            }
        },
        "originalUriBaseIds": {"SRCROOT": {"uri": report.repo_root.as_uri() + "/"}},
        "results": results,
        "invocations": [
            {
                "executionSuccessful": True,
                "exitCode": 1 if report.failed else 0,
                "properties": {
                    "typescriptVersion": scan.typescript_version,
                    "tsconfig": report.repo_path(scan.tsconfig),
                    "failOn": report.fail_on,
                    "gate": report.reason,
                },
            }
        ],
        "columnKind": "utf16CodeUnits",
    }
    if scan.git_commit:
        run["versionControlProvenance"] = [
            {
                "repositoryUri": report.repo_root.as_uri(),
                "revisionId": scan.git_commit,
                **({"branch": scan.git_branch} if scan.git_branch else {}),
                "mappedTo": {"uriBaseId": "SRCROOT"},
            }
        ]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _sarif_result(report: CiReport, e: CiError, rule_index: dict[str, int]) -> dict[str, Any]:
    err = e.error
    result: dict[str, Any] = {
        "ruleId": err.code,
        "ruleIndex": rule_index[err.code],
        "level": _level(err.category),
        "message": {"text": err.message},
        "partialFingerprints": {"tsfix/v1": err.fingerprint},
        "baselineState": "new" if e.new else "unchanged",
        "properties": {"status": e.status, "id": str(e.id)},
    }
    if err.file_path:
        region: dict[str, Any] = {}
        if err.line:
            region["startLine"] = err.line
            if err.col:
                region["startColumn"] = err.col
        if err.context and err.context.get("error_line"):
            region["snippet"] = {"text": err.context["error_line"]}
        location: dict[str, Any] = {
            "artifactLocation": {"uri": _sarif_uri(report.repo_path(err.file_path)), "uriBaseId": "SRCROOT"}
        }
        if region:
            location["region"] = region
        result["locations"] = [{"physicalLocation": location}]
    if e.fix is not None:
        result["fixes"] = [_sarif_fix(report, e)]
    return result


def _sarif_fix(report: CiReport, e: CiError) -> dict[str, Any]:
    assert e.fix is not None
    by_file: dict[str, list[dict[str, Any]]] = {}
    for edit in e.fix.edits:
        by_file.setdefault(edit["file"], []).append(
            {
                "deletedRegion": {
                    "startLine": edit["start"]["line"],
                    "startColumn": edit["start"]["col"],
                    "endLine": edit["end"]["line"],
                    "endColumn": edit["end"]["col"],
                },
                "insertedContent": {"text": edit["new_text"]},
            }
        )
    return {
        "description": {"text": f"{_fix_summary(e)} (confidence {e.fix.confidence:.2f}, verified by tsc)"},
        "artifactChanges": [
            {
                "artifactLocation": {"uri": _sarif_uri(report.repo_path(path)), "uriBaseId": "SRCROOT"},
                "replacements": replacements,
            }
            for path, replacements in sorted(by_file.items())
        ],
        "properties": {"suggestion": str(e.fix.id), "fixer": e.fix.fixer, "confidence": e.fix.confidence},
    }


# ----------------------------------------------------------------------------- GitHub


def github(report: CiReport) -> str:
    """Workflow commands; a fixable error's annotation says what the fix is."""
    lines = []
    for e in report.errors:
        err = e.error
        title = err.code + (" (new)" if e.new and report.fail_on == "new" else "")
        message = err.message
        if e.fix is not None:
            message += f"\ntsfix: verified fix ({e.fix.confidence:.2f}): {_fix_summary(e)}"
        path = report.repo_path(err.file_path) if err.file_path else None
        lines.append(annotation(err.category, path, err.line, err.col, title, message))
    for entry in report.fixed_since:
        where = f"{report.repo_path(entry['file'])}:{entry['line']}" if entry.get("file") else "(no file)"
        message = f"fixed since the baseline: {where}"
        lines.append(annotation("notice", None, None, None, f"{entry['code']} fixed", message))
    return "\n".join(lines) + ("\n" if lines else "")


# ----------------------------------------------------------------------------- JSON


def json_report(report: CiReport) -> dict[str, Any]:
    scan = report.scan
    apply = report.apply
    return {
        "passed": not report.failed,
        "fail_on": report.fail_on,
        "reason": report.reason,
        "baseline": report.baseline_source,
        "project": scan.scan.project,
        "typescript_version": scan.scan.typescript_version,
        "git_commit": scan.scan.git_commit,
        "counts": {
            "errors": report.error_count,
            "new": report.new_count,
            "fixed_since": len(report.fixed_since),
            "fixable": len(report.fixable),
            "applied": sum(1 for e in report.errors if e.applied),
        },
        "errors": [
            {
                "id": e.id,
                "fingerprint": e.error.fingerprint,
                "file": report.repo_path(e.error.file_path) if e.error.file_path else None,
                "line": e.error.line,
                "col": e.error.col,
                "code": e.error.code,
                "category": e.error.category,
                "message": e.error.message,
                "status": e.status,
                "new": e.new,
                "fix": None
                if e.fix is None
                else {
                    "suggestion": e.fix.id,
                    "fixer": e.fix.fixer,
                    "confidence": e.fix.confidence,
                    "explanation": e.fix.explanation,
                    "diff": e.fix.suggestion,
                    "applied": e.applied,
                },
            }
            for e in report.errors
        ],
        "fixed_since": [
            {**entry, "file": report.repo_path(entry["file"]) if entry.get("file") else None}
            for entry in report.fixed_since
        ],
        "patch": str(apply.patch_path) if apply is not None and apply.patch_path else None,
        "written": list(apply.written) if apply is not None else [],
        "rolled_back": list(apply.rolled_back) if apply is not None else [],
        "warnings": report.warnings,
        "timings_ms": {k: round(v, 1) for k, v in report.timings_ms.items()},
    }


# ----------------------------------------------------------------------------- Markdown


def markdown(report: CiReport, max_diffs: int = 20) -> str:
    """A summary for $GITHUB_STEP_SUMMARY or a merge-request comment, with the suggested diffs."""
    scan = report.scan.scan
    mark = "❌" if report.failed else "✅"
    out = [f"## {mark} tsfix: {report.reason}", ""]
    facts = [
        f"TypeScript {scan.typescript_version}",
        _md_code(report.repo_path(scan.tsconfig)),
        f"fail on **{report.fail_on}**",
    ]
    if scan.git_commit:
        facts.append(f"commit `{scan.git_commit[:12]}`")
    out += [" · ".join(facts), ""]
    fixable = len(report.fixable)
    applied = sum(1 for e in report.errors if e.applied)
    counts = (
        f"**{report.error_count}** errors, **{report.new_count}** new, **{len(report.fixed_since)}** fixed since "
        f"{'the baseline' if report.baseline_source != 'store' else 'the previous scan'}, "
        f"**{fixable}** with a verified fix"
    )
    if applied:
        counts += f", **{applied}** applied"
    out += [counts, ""]
    if report.errors:
        out += ["| | Location | Code | Message | Fix |", "|---|---|---|---|---|"]
        for e in report.errors:
            err = e.error
            where = report.repo_path(err.file_path) if err.file_path else "(project)"
            if err.line:
                where += f":{err.line}"
                if err.col:
                    where += f":{err.col}"
            badge = "🆕" if e.new else ""
            fix = "—"
            if e.fix is not None:
                fix = ("applied " if e.applied else "") + f"{e.fix.confidence:.2f} {e.fix.fixer}"
            out.append(
                f"| {badge} | {_md_code(where, table=True)} | {_md_text(err.code)} "
                f"| {_md_text(_first_line(err.message))} | {_md_text(fix)} |"
            )
        out.append("")
    if report.fixed_since:
        out += [
            "### Fixed since "
            + ("the baseline" if report.baseline_source != "store" else "the previous scan"),
            "",
        ]
        for entry in report.fixed_since:
            where = report.repo_path(entry["file"]) if entry.get("file") else "(project)"
            where += f":{entry.get('line') or ''}"
            out.append(
                f"- {_md_code(where)} {_md_text(entry['code'])} {_md_text(entry.get('message') or '')}"
            )
        out.append("")
    shown = [e for e in report.errors if e.fix is not None][:max_diffs]
    if shown:
        out += ["### Suggested fixes (verified by the compiler)", ""]
        for e in shown:
            assert e.fix is not None
            where = report.repo_path(e.error.file_path or "")
            out += [
                "<details>",
                f"<summary><code>{_html(where)}:{e.error.line}</code> {_html(e.error.code)}: "
                f"{_html(_fix_summary(e))} ({e.fix.confidence:.2f})</summary>",
                "",
                *_md_fence(_prefixed_diff(e.fix.suggestion, report.prefix).rstrip("\n"), "diff"),
                "",
                "</details>",
                "",
            ]
        hidden = len(report.fixable) - len(shown)
        if hidden > 0:
            out += [f"…and {hidden} more (`tsfix show` or the JSON report).", ""]
    if report.apply is not None and report.apply.patch_path is not None:
        out += [f"Patch: {_md_code(str(report.apply.patch_path))} (`git apply` it to take every fix).", ""]
    for warning in report.warnings:
        out += [f"> note: {_md_text(warning)}", ""]
    return "\n".join(out)


# Markdown (CommonMark + GitHub's tables, strikethrough and math) reads these inline; a message
# such as `Type 'Promise<User>'` would otherwise lose `<User>` as an HTML tag.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~$])")
_BACKTICKS = re.compile(r"`+")


def _md_text(text: str) -> str:
    """Text for a table cell or a line: one line, control characters shown escaped, markup escaped."""
    return _MD_SPECIAL.sub(r"\\\1", escape_unsafe(text))


def _md_code(text: str, table: bool = False) -> str:
    """A code span holding exactly `text` (a file name): one line, as many backticks as it needs.

    In a table a `|` still ends the cell inside a code span unless escaped (GitHub's table rule).
    """
    text = escape_unsafe(text)
    if table:
        text = text.replace("|", "\\|")
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    if text.startswith(("`", " ")) or text.endswith(("`", " ")):
        text = f" {text} "  # one space each side is stripped again by the reader
    return f"{fence}{text}{fence}"


def _md_fence(text: str, info: str) -> list[str]:
    """A fenced code block: a fence longer than any run of backticks in the text, so none closes it."""
    text = escape_unsafe(text.replace("\r\n", "\n"), keep="\n\t")
    fence = "`" * max(3, max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    return [fence + info, text, fence]


def _html(text: str) -> str:
    """Text inside raw HTML (`<summary>`): escaped, one line."""
    return escape_unsafe(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _prefixed_diff(diff: str, prefix: str) -> str:
    """A suggestion's diff (paths relative to the project) with paths relative to the repository."""
    if not prefix:
        return diff
    escaped = diff_path("", prefix).strip('"')  # the prefix as it reads inside a quoted name
    lines = []
    for line in diff_lines(diff):
        for marker in ("--- a/", "+++ b/"):
            if line.startswith(marker):
                line = marker[:4] + diff_path(marker[4:], prefix + line[6:].rstrip("\n")) + "\n"
            elif line.startswith(f'{marker[:4]}"{marker[4:]}'):  # a name git-quoted
                line = line[:7] + escaped + line[7:]
        lines.append(line)
    return "".join(lines)


# ----------------------------------------------------------------------------- JUnit


def junit(report: CiReport) -> str:
    """JUnit XML: a test case per error (a failure when the gate counts it, skipped when the baseline
    has it), grouped in a test suite per file; a passing case when there are no errors."""
    root = ET.Element("testsuites", name="tsfix")
    by_file: dict[str, list[CiError]] = {}
    for e in report.errors:
        by_file.setdefault(
            report.repo_path(e.error.file_path) if e.error.file_path else "(project)", []
        ).append(e)
    totals: Counter[str] = Counter()
    if not by_file:
        suite = ET.SubElement(
            root, "testsuite", name="typescript", tests="1", failures="0", errors="0", skipped="0"
        )
        ET.SubElement(suite, "testcase", classname="typescript", name="type-check")
        totals["tests"] += 1
    for path, errors in sorted(by_file.items()):
        counts: Counter[str] = Counter()
        suite = ET.SubElement(root, "testsuite", name=path)
        for e in errors:
            err = e.error
            name = f"{err.code} at {err.line or 0}:{err.col or 0}"
            case = ET.SubElement(suite, "testcase", classname=path, name=name, file=path)
            if err.line:
                case.set("line", str(err.line))
            counts["tests"] += 1
            counted = err.category == "error" and (
                report.fail_on == "any" or (report.fail_on == "new" and e.new)
            )
            if counted:
                failure = ET.SubElement(case, "failure", message=_first_line(err.message), type=err.code)
                failure.text = _case_text(e)
                counts["failures"] += 1
            else:
                why = (
                    "in the baseline"
                    if not e.new
                    else f"{err.category}, not counted (--fail-on {report.fail_on})"
                )
                ET.SubElement(case, "skipped", message=why)
                counts["skipped"] += 1
        for key in ("tests", "failures", "skipped"):
            suite.set(key, str(counts[key]))
        suite.set("errors", "0")
        totals.update(counts)
    for key in ("tests", "failures", "skipped"):
        root.set(key, str(totals[key]))
    root.set("errors", "0")
    _xml_safe(root)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _xml_safe(root: ET.Element) -> None:
    """Replace, visibly, what XML 1.0 cannot hold even as a character reference (ESC and the other
    C0 controls, lone surrogates, U+FFFE/U+FFFF), and the C1 and bidi controls a viewer would act on.

    Tab, line feed and carriage return are XML characters and stay (ElementTree writes them as
    character references in attributes, so a name with a line break survives exactly).
    """
    for element in root.iter():
        if element.text:
            element.text = escape_unsafe(element.text, keep="\t\n\r")
        for key, value in element.attrib.items():
            element.set(key, escape_unsafe(value, keep="\t\n\r"))


def _case_text(e: CiError) -> str:
    text = e.error.message
    if e.error.code_snippet:
        text += "\n\n" + e.error.code_snippet
    if e.fix is not None:
        text += f"\n\ntsfix: verified fix ({e.fix.confidence:.2f}): {_fix_summary(e)}\n{e.fix.suggestion}"
    return text


RENDERERS = {"sarif": sarif, "github": github, "json": json_report, "markdown": markdown, "junit": junit}
