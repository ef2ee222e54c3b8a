"""Fingerprints identify an error across scans: stable under unrelated edits and other checkouts,
different when the error itself changes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tsfix.fingerprint import fingerprint, fingerprints, normalise_message

SOURCE = """\
import * as helpers from "./helpers";

export class Cart {
  total(): number {
    return "0";
  }
}

export function count(items: string[]): number {
  return items.join(",");
}

export const asNumber: number = helpers;
"""
FILES = {"src/cart.ts": SOURCE, "src/helpers.ts": "export const one = 1;\n"}


def scan_prints(cli, root: Path) -> dict[tuple[str, str], str]:
    data = json.loads(cli("scan", str(root), "-f", "json").stdout)
    return {(e["context"]["symbol_path"], e["code"]): e["fingerprint"] for e in data["errors"]}


def test_unrelated_edits_keep_fingerprints(make_project, cli, ts_version: str) -> None:
    root = make_project(FILES, ts=ts_version)
    before = scan_prints(cli, root)
    assert len(before) == 3
    cart = root / "src/cart.ts"
    edited = SOURCE.replace(
        "export class Cart {", "// Shopping cart.\n\nexport class Cart {\n  items: string[] = [];\n"
    )
    edited = edited.replace(
        "export function count", "export function unrelated(): void {}\n\nexport function count"
    )
    cart.write_text("/* licence header */\n" + edited)
    after = scan_prints(cli, root)
    assert after == before


def test_the_error_line_changing_changes_the_fingerprint(make_project, cli) -> None:
    root = make_project(FILES)
    before = scan_prints(cli, root)
    cart = root / "src/cart.ts"
    cart.write_text(SOURCE.replace('return "0";', 'return "zero";'))
    after = scan_prints(cli, root)
    assert after[("Cart.total", "TS2322")] != before[("Cart.total", "TS2322")]
    assert after[("count", "TS2322")] == before[("count", "TS2322")]


def test_another_checkout_path_gives_the_same_fingerprints(make_project, cli, tmp_path: Path) -> None:
    # TS2322 on `asNumber` prints the module's absolute path: typeof import("/…/src/helpers")
    root = make_project(FILES, name="checkout-a")
    first = scan_prints(cli, root)
    message = json.loads(cli("list", str(root), "--json").stdout)
    assert any(str(root) in m["message"] for m in message), "the message should hold an absolute path"
    moved = tmp_path / "somewhere-else" / "checkout-b"
    shutil.copytree(root, moved, symlinks=True, ignore=shutil.ignore_patterns(".tsfix"))
    assert scan_prints(cli, moved) == first


def test_identical_errors_get_distinct_fingerprints() -> None:
    key = ("src/a.ts", "TS2304", "Cannot find name 'foo'.", "f", "foo();")
    prints = fingerprints([key, key, key])
    assert len(set(prints)) == 3
    assert prints[0] == fingerprint(*key)  # the first keeps the plain fingerprint


def test_normalisation() -> None:
    assert normalise_message("Type 'x'   is\tbad.\n  because reasons") == "Type 'x' is bad."
    assert (
        normalise_message('typeof import("/home/me/app/src/a")', "/home/me/app")
        == 'typeof import("<root>/src/a")'
    )
    assert fingerprint("a.ts", "TS1", "m", "s", "  let  x = 1; ") == fingerprint(
        "a.ts", "TS1", "m", "s", "let x = 1;"
    )
    assert fingerprint("a.ts", "TS1", "m", "s", "x") != fingerprint("b.ts", "TS1", "m", "s", "x")
    assert fingerprint("a.ts", "TS1", "m", "s", "x") != fingerprint("a.ts", "TS2", "m", "s", "x")
    assert fingerprint("a.ts", "TS1", "m", "s", "x") != fingerprint("a.ts", "TS1", "m", "t", "x")


def test_rescans_reuse_only_what_cannot_have_changed(make_project, cli) -> None:
    """An unchanged file with identical diagnostics keeps its records; any change recomputes them."""
    root = make_project(FILES)
    first = json.loads(cli("scan", str(root), "-f", "json").stdout)["errors"]
    again = json.loads(cli("scan", str(root), "-f", "json").stdout)["errors"]
    strip = ("status", "change")
    assert [{k: v for k, v in e.items() if k not in strip} for e in again] == [
        {k: v for k, v in e.items() if k not in strip} for e in first
    ]

    # same positions, codes and messages, but the enclosing function is renamed: context must follow
    cart = root / "src/cart.ts"
    cart.write_text(SOURCE.replace("export function count(", "export function countItems("))
    renamed = json.loads(cli("scan", str(root), "-f", "json").stdout)["errors"]
    counted = next(e for e in renamed if e["line"] == 10)
    assert counted["context"]["symbol_path"] == "countItems"
    assert counted["code_snippet"].startswith("export function countItems(")

    # the file stays the same but its diagnostics change because another file did
    cart.write_text(cart.read_text() + "export const first: string = helpers.one;\n")
    typed = json.loads(cli("scan", str(root), "-f", "json").stdout)["errors"]
    assert (
        next(e for e in typed if e["line"] == 14)["message"]
        == "Type 'number' is not assignable to type 'string'."
    )
    (root / "src/helpers.ts").write_text("export const one = true;\n")
    changed = json.loads(cli("scan", str(root), "-f", "json").stdout)["errors"]
    after = next(e for e in changed if e["line"] == 14)
    assert after["message"] == "Type 'boolean' is not assignable to type 'string'."
    assert after["fingerprint"] != next(e for e in typed if e["line"] == 14)["fingerprint"]
