"""Project references: `--build` (and solution-style configs) check every project without writing
declarations or .tsbuildinfo files into the user's tree."""

from __future__ import annotations

import json
from pathlib import Path

COMPILER = {"strict": True, "types": [], "lib": ["es2022"], "target": "es2022", "module": "esnext",
            "moduleResolution": "bundler", "jsx": "react-jsx"}  # fmt: skip

WORKSPACE = {
    "packages/core/tsconfig.json": json.dumps(
        {"compilerOptions": {**COMPILER, "composite": True, "outDir": "dist"}, "include": ["src"]}
    ),
    "packages/core/src/index.ts": "export function add(a: number, b: number): number { return a + b; }\n"
    "export const broken: string = 1;\n",
    "packages/app/tsconfig.json": json.dumps(
        {
            "compilerOptions": {
                **COMPILER,
                "composite": True,
                "outDir": "dist",
                "rootDir": "src",
                "types": ["react"],
            },
            "include": ["src"],
            "references": [{"path": "../core"}],
        }
    ),
    "packages/app/src/main.tsx": 'import { add } from "../../core/src/index";\n'
    "export const total: string = add(1, 2);\n"
    "export const view = <p>{total}</p>;\n",
}
SOLUTION = json.dumps({"files": [], "references": [{"path": "packages/core"}, {"path": "packages/app"}]})


def tree(root: Path) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if "node_modules" not in p.parts and ".tsfix" not in p.parts
    )


def test_solution_config_is_checked_in_build_mode_without_writing_outputs(
    make_project, cli, ts_version: str
) -> None:
    root = make_project(WORKSPACE, ts=ts_version, tsconfig=SOLUTION)
    before = tree(root)
    result = cli("scan", str(root), "-f", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["scan"]["build"] is True
    assert [(e["file"], e["line"], e["code"]) for e in data["errors"]] == [
        ("packages/app/src/main.tsx", 2, "TS2322"),
        ("packages/core/src/index.ts", 2, "TS2322"),
    ]
    assert tree(root) == before  # no dist/, no .d.ts, no .tsbuildinfo


def test_build_flag_on_a_project_with_references(make_project, cli, ts_version: str) -> None:
    root = make_project(WORKSPACE, ts=ts_version, tsconfig=SOLUTION)
    before = tree(root)
    app = root / "packages" / "app"
    result = cli("scan", str(app), "--build", "-f", "json")
    assert result.exit_code == 1, result.output
    files = [e["file"] for e in json.loads(result.stdout)["errors"]]
    assert files == ["../core/src/index.ts", "src/main.tsx"]
    assert tree(root) == before


def test_references_without_build_ask_for_build(make_project, cli, ts_version: str) -> None:
    root = make_project(WORKSPACE, ts=ts_version, tsconfig=SOLUTION)
    result = cli("scan", str(root / "packages" / "app"))
    assert result.exit_code == 2
    assert "project references whose outputs are not built" in result.output
    assert "hint: scan with --build" in result.output


def test_incremental_configs_do_not_leave_tsbuildinfo(make_project, cli, ts_version: str) -> None:
    config = {"compilerOptions": {**COMPILER, "incremental": True}, "include": ["src"]}
    root = make_project({"src/a.ts": "export const a: number = 'x';\n"}, ts=ts_version, tsconfig=config)
    before = tree(root)
    assert cli("scan", str(root)).exit_code == 1
    assert tree(root) == before
