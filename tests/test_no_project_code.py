"""No code of the project runs inside tsfix's language service (issue 9, item 2).

A project names a language-service plugin in its tsconfig (`compilerOptions.plugins`) and ships it in
node_modules; the plugin leaves a marker file when it is loaded and when tsserver calls its `create`.
The tsconfig also turns typings acquisition on, and a fake `npm` first on PATH leaves a marker when
anything runs it. `suggest`, `apply --dry-run` and `ci` must leave neither marker, on both TypeScript
versions, and still produce the verified fix. The controls show the markers do appear without tsfix's
protections: tsserver 5.9 loads the plugin when started plainly, and TypeScript 7 runs npm when the
client's configuration does not turn typings acquisition off.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tsfix.langserver import lsp, tsserver
from tsfix.langserver.factory import open_language_service, tsfix_cache, typescript6
from tsfix.langserver.framing import server_environment
from tsfix.tsc import find_tsc

SOURCE = (
    "export interface User { name: string; email: string }\n"
    "export function contact(u: User): string {\n"
    "  return u.emial;\n"
    "}\n"
)
PLUGIN = """\
const fs = require("fs");
fs.appendFileSync({marker}, "loaded\\n");
module.exports = function init() {{
  return {{
    create(info) {{
      fs.appendFileSync({marker}, "create\\n");
      return info.languageService;
    }},
  }};
}};
"""
FAKE_NPM = '#!/bin/sh\necho "npm $*" >> {marker}\nexit 1\n'


def tsconfig() -> dict:
    return {
        "compilerOptions": {
            "strict": True,
            "target": "es2022",
            "lib": ["es2022"],
            "types": [],
            "noEmit": True,
            "plugins": [{"name": "evil-plugin"}],
        },
        "typeAcquisition": {"enable": True},
        "include": ["src"],
    }


@pytest.fixture
def hostile_project(make_project, typescript, tmp_path: Path):
    """hostile_project(ts) -> the project with the plugin, a fake npm, and the environment to run in.

    node_modules is a real folder (a hard-linked copy of the cached install) so that tsserver finds the
    plugin there exactly as it would in a project npm installed: from `typescript/lib/../../..`.
    """

    def make(ts: str) -> dict:
        root = make_project({"src/user.ts": SOURCE}, ts=ts, tsconfig=tsconfig())
        (root / "node_modules").unlink()
        shutil.copytree(typescript(ts), root / "node_modules", symlinks=True, copy_function=os.link)
        plugin_marker = tmp_path / "plugin-marker"
        plugin = root / "node_modules" / "evil-plugin"
        plugin.mkdir()
        (plugin / "package.json").write_text(
            '{"name": "evil-plugin", "version": "1.0.0", "main": "index.js"}'
        )
        (plugin / "index.js").write_text(PLUGIN.format(marker=json.dumps(str(plugin_marker))))
        npm_marker = tmp_path / "npm-marker"
        bin_dir = tmp_path / "fake-bin"
        bin_dir.mkdir()
        (bin_dir / "npm").write_text(FAKE_NPM.format(marker=json.dumps(str(npm_marker))))
        (bin_dir / "npm").chmod(0o755)
        if ts.startswith("7."):
            assert typescript6(lambda *_: None) is not None  # the TypeScript 6 helper, before npm is faked
        env = {
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "XDG_CACHE_HOME": str(tmp_path / "cache"),  # where TypeScript would put acquired typings
            "TSFIX_CACHE": str(tsfix_cache()),
        }
        return {"root": root, "plugin_marker": plugin_marker, "npm_marker": npm_marker, "env": env}

    return make


def no_markers(hostile: dict, after: str) -> None:
    for key in ("plugin_marker", "npm_marker"):
        marker: Path = hostile[key]
        assert not marker.exists(), f"{after} ran project code: {marker.read_text()!r}"


def test_suggest_apply_and_ci_run_no_project_code(hostile_project, cli, ts_version: str) -> None:
    hostile = hostile_project(ts_version)
    root, env = hostile["root"], hostile["env"]
    assert cli("scan", str(root), env=env).exit_code == 1
    result = cli("suggest", "--path", str(root), "--format", "json", "--no-llm", env=env)
    assert result.exit_code == 0, result.output
    no_markers(hostile, "suggest")
    data = json.loads(result.stdout)
    assert data["language_service"] == f"typescript-{ts_version}"
    (error,) = [e for e in data["errors"] if e["code"] == "TS2551"]
    best = error["suggestions"][0]
    assert best["verified"], best
    assert "+  return u.email;" in best["suggestion"]

    result = cli("apply", "--min-confidence", "0", "--all", "--dry-run", "--path", str(root), env=env)
    assert result.exit_code == 0, result.output
    assert "u.email" in result.output
    no_markers(hostile, "apply --dry-run")
    assert "u.emial" in (root / "src/user.ts").read_text()

    result = cli("ci", str(root), "-f", "json", env=env)
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)
    no_markers(hostile, "ci")


def test_control_a_plain_tsserver_loads_the_plugin(hostile_project, monkeypatch) -> None:
    """Without the module guard, tsserver 5.9 runs the plugin: the test above can fail."""

    def plain_tsserver(node: str, package_dir: Path) -> tuple[list[str], dict[str, str]]:
        script = str(package_dir / "lib" / "tsserver.js")
        return [node, script, *tsserver.TSSERVER_FLAGS], server_environment()

    hostile = hostile_project("5.9.3")
    monkeypatch.setattr(tsserver, "guarded_tsserver", plain_tsserver)
    root = hostile["root"]
    with open_language_service(root, find_tsc(root), timeout=60) as service:
        assert any(d.code == "TS2551" for d in service.diagnostics("src/user.ts"))
    assert hostile["plugin_marker"].read_text() == "loaded\ncreate\n"


def test_typescript_7_acquires_no_typings(hostile_project, monkeypatch) -> None:
    """TypeScript 7 loads no plugin, but runs npm for a tsconfig that enables typeAcquisition unless
    the client turns that off.

    The control answers `workspace/configuration` as tsfix did before (nothing for every section): npm
    runs. With tsfix's answer it does not, waited for as long as the control took and a second more.
    """
    hostile = hostile_project("7.0.2")
    root, npm_marker = hostile["root"], hostile["npm_marker"]
    for key, value in hostile["env"].items():
        monkeypatch.setenv(key, value)

    with monkeypatch.context() as unprotected:
        unprotected.setattr(lsp, "WORKSPACE_CONFIGURATION", {"js/ts": None})
        started = time.monotonic()
        with open_language_service(root, find_tsc(root), timeout=60) as service:
            service.diagnostics("src/user.ts")
            while not npm_marker.exists() and time.monotonic() - started < 30:
                time.sleep(0.1)
        took = time.monotonic() - started
    assert "install" in npm_marker.read_text()
    npm_marker.unlink()
    # unprotected, and still no plugin: TypeScript 7 (a Go binary) loads none at all
    assert not hostile["plugin_marker"].exists()

    started = time.monotonic()
    with open_language_service(root, find_tsc(root), timeout=60) as service:
        assert any(d.code == "TS2551" for d in service.diagnostics("src/user.ts"))
        time.sleep(max(0.0, took + 1.0 - (time.monotonic() - started)))
    no_markers(hostile, "the TypeScript 7 language server")


def test_the_module_guard_refuses_outside_modules_and_processes(tmp_path: Path, typescript) -> None:
    """Each layer of module_guard.cjs on its own, under real Node."""
    package = typescript("5.9.3") / "typescript"
    outside = tmp_path / "outside.js"
    outside.write_text(f"require('fs').writeFileSync({json.dumps(str(tmp_path / 'ran'))}, 'x');\n")
    script = f"""
    const results = {{}};
    const attempt = (name, fn) => {{ try {{ fn(); results[name] = "ok"; }} catch (e) {{ results[name] = e.code || String(e); }} }};
    attempt("builtin", () => require("node:path").join("a"));
    attempt("inside", () => require({json.dumps(str(package / "package.json"))}));
    attempt("outside", () => require({json.dumps(str(outside))}));
    attempt("spawn", () => require("child_process").spawnSync("true"));
    attempt("fork", () => require("child_process").fork({json.dumps(str(outside))}));
    attempt("worker", () => new (require("worker_threads").Worker)({json.dumps(str(outside))}));
    const ts = require({json.dumps(str(package / "lib" / "typescript.js"))});
    results.sysRequire = typeof ts.sys.require;
    process.stdout.write(JSON.stringify(results));
    """
    argv, env = tsserver.guarded_tsserver(shutil.which("node") or "node", package)
    result = subprocess.run(
        [argv[0], "--require", argv[2], "-e", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "builtin": "ok",
        "inside": "ok",
        "outside": "TSFIX_REFUSED",
        "spawn": "TSFIX_REFUSED",
        "fork": "TSFIX_REFUSED",
        "worker": "TSFIX_REFUSED",
        "sysRequire": "undefined",
    }
    assert not (tmp_path / "ran").exists()

    unset = {k: v for k, v in env.items() if k != "TSFIX_TYPESCRIPT_DIR"}
    refused = subprocess.run(
        [argv[0], "--require", argv[2], "-e", "1"], capture_output=True, text=True, env=unset
    )
    assert refused.returncode != 0 and "TSFIX_TYPESCRIPT_DIR" in refused.stderr


def test_node_options_cannot_preload_code(monkeypatch) -> None:
    """Yarn puts `--require <project>/.pnp.cjs` in NODE_OPTIONS; only memory limits reach the server."""
    monkeypatch.setenv("NODE_OPTIONS", "--require /p/.pnp.cjs --max-old-space-size=4096 --import=x -r y")
    monkeypatch.setenv("NODE_PATH", "/p/node_modules")
    env = server_environment({"EXTRA": "1"})
    assert env["NODE_OPTIONS"] == "--max-old-space-size=4096"
    assert "NODE_PATH" not in env and env["EXTRA"] == "1"
    monkeypatch.setenv("NODE_OPTIONS", "--require /p/.pnp.cjs")
    assert "NODE_OPTIONS" not in server_environment()
