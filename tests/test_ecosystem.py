"""The ecosystem's own forms: action.yml, the example CI files and .pre-commit-hooks.yaml, validated
against SchemaStore's published JSON schemas (from npm, nothing fetched at run time), with every
tsfix option they use checked against the real command; and the action's `tsfix ci` step run for real
(bash, the installed tsfix, real tsc) with GitHub's step files, its outputs and its job summary."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import NPM_DIR, npm_install

REPO = Path(__file__).resolve().parent.parent
ACTION = REPO / "action.yml"
HOOKS = REPO / ".pre-commit-hooks.yaml"
EXAMPLES = REPO / "examples" / "ci"

FILES = {
    "src/models.ts": "export interface User { name: string; email: string }\n",
    "src/format.ts": (
        'import type { User } from "./models";\n\n'
        "export function formatName(user: User): string {\n"
        "  return `${user.name} <${user.emial}>`;\n"
        "}\n"
    ),
}


@pytest.fixture(scope="module")
def schemas() -> dict[str, dict]:
    modules = npm_install(NPM_DIR / "ci-schemas", "ci-schemas")
    folder = modules / "schemastore" / "schemas" / "json"
    names = ("github-action", "github-workflow", "pre-commit-hooks")
    return {name: json.loads((folder / f"{name}.json").read_text()) for name in names}


class Yaml12Loader(yaml.SafeLoader):
    """YAML 1.2 booleans, as GitHub and pre-commit read them: only true/false, so `on:` stays a key."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load(path: Path) -> object:
    return yaml.load(path.read_text(), Loader=Yaml12Loader)


def validate(schema: dict, document: object) -> None:
    import jsonschema

    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def tsfix_options(command: str) -> set[str]:
    import typer.main

    from tsfix.cli import app

    click_command = typer.main.get_command(app).commands[command]  # type: ignore[attr-defined]
    return {opt for param in click_command.params for opt in param.opts}


def flags(text: str) -> list[str]:
    return re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", text)


def action() -> dict:
    return load(ACTION)


def ci_step() -> dict:
    return next(step for step in action()["runs"]["steps"] if step.get("id") == "tsfix")


# ----------------------------------------------------------------------------- schemas and options


def test_action_yml_is_a_valid_composite_action_using_only_real_tsfix_ci_options(schemas) -> None:
    data = action()
    validate(schemas["github-action"], data)
    assert data["runs"]["using"] == "composite"
    assert {"fail-on", "baseline", "min-confidence", "patch", "sarif", "model", "args"} <= set(data["inputs"])
    assert {"errors", "new-errors", "fixable"} <= set(data["outputs"])
    script = ci_step()["run"]
    built = " ".join(re.findall(r"command\+?=\(([^)]*)\)", script))
    used = flags(built)
    assert set(used) <= tsfix_options("ci"), set(used) - tsfix_options("ci")
    assert len(used) >= 9
    # no input is spliced into a script: each reaches the shell as an environment variable
    for step in data["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step.get("name")


def test_example_workflows_are_valid_and_use_the_action_and_tsfix_as_they_exist(schemas) -> None:
    inputs = set(action()["inputs"])
    outputs = set(action()["outputs"])
    ci, worker = tsfix_options("ci"), tsfix_options("worker")
    github = load(EXAMPLES / "github-actions.yml")
    validate(schemas["github-workflow"], github)
    uses = [
        s for job in github["jobs"].values() for s in job["steps"] if s.get("uses", "").startswith("tsfix/")
    ]
    assert len(uses) == 2
    used = 0
    for step in uses:
        assert set(step.get("with", {})) <= inputs, set(step["with"]) - inputs
        given = flags(step.get("with", {}).get("args", ""))
        assert set(given) <= ci, set(given) - ci
        used += len(given)
    text = (EXAMPLES / "github-actions.yml").read_text()
    for name in re.findall(r"steps\.tsfix\.outputs\.([\w-]+)", text):
        assert name in outputs, name
    for name in ("github-actions.yml", "gitlab-ci.yml"):
        text = (EXAMPLES / name).read_text()
        yaml.safe_load(text)
        for command, args in re.findall(r"tsfix (ci|worker)((?:\s+(?:--?[\w-]+|[^\s-][^\s]*))*)", text):
            for flag in flags(args):
                assert flag in (ci if command == "ci" else worker), f"{name}: tsfix {command} has no {flag}"
                used += 1
    assert used >= 10


def test_pre_commit_hooks_are_valid_and_run_real_tsfix_ci_options(schemas) -> None:
    hooks = load(HOOKS)
    validate(schemas["pre-commit-hooks"], hooks)
    assert [h["id"] for h in hooks] == ["tsfix", "tsfix-patch"]
    ci = tsfix_options("ci")
    for hook in hooks:
        assert hook["entry"].startswith("tsfix ci --fail-on new")
        assert set(flags(hook["entry"])) <= ci
        assert hook["pass_filenames"] is False  # tsc checks the whole project
        for name in ("src/app.ts", "web/View.tsx", "tsconfig.json", "packages/a/tsconfig.build.json"):
            assert re.search(hook["files"], name), (hook["id"], name)
        assert not re.search(hook["files"], "README.md")
    assert "--patch" in hooks[1]["entry"]


def test_a_schema_violation_is_caught(schemas) -> None:
    """The validation above can fail: an action without `runs`, a hook without an entry."""
    import jsonschema

    with pytest.raises(AssertionError):
        validate(schemas["github-action"], {"name": "x", "description": "y"})
    with pytest.raises(AssertionError):
        validate(schemas["pre-commit-hooks"], [{"id": "tsfix", "name": "tsfix", "language": "python"}])
    assert jsonschema  # imported for the validators above


# ----------------------------------------------------------------------------- the action's step, run


def run_ci_step(project: Path, tmp_path: Path, **given: str) -> tuple[int, dict[str, str], str, str]:
    """Run the action's `tsfix ci` step as the runner would: its env with the inputs put in, bash,
    the working directory, $GITHUB_OUTPUT / $GITHUB_STEP_SUMMARY / $RUNNER_TEMP."""
    step = ci_step()
    values = {name: str(spec.get("default", "")) for name, spec in action()["inputs"].items()}
    values.update(given)

    def expand(text: str) -> str:
        return re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", lambda m: values[m.group(1)], text)

    runner = tmp_path / "runner"
    runner.mkdir(exist_ok=True)
    output, summary = runner / "output", runner / "summary.md"
    output.write_text("")
    summary.write_text("# earlier steps' summary\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TSFIX_", "SUPABASE_"))}
    env.update({k: expand(str(v)) for k, v in step["env"].items()})
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}",
        GITHUB_OUTPUT=str(output),
        GITHUB_STEP_SUMMARY=str(summary),
        RUNNER_TEMP=str(runner),
        COLUMNS="200",
    )
    cwd = project / expand(step["working-directory"])
    result = subprocess.run(
        ["bash", "-e", "-c", step["run"]], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return result.returncode, outputs, summary.read_text(), result.stdout + result.stderr


def test_the_action_step_gates_reports_and_sets_its_outputs(make_project, tmp_path) -> None:
    project = make_project(FILES)
    status, outputs, summary, log = run_ci_step(
        project,
        tmp_path,
        **{
            "fail-on": "any",
            "sarif": "tsfix.sarif",
            "patch": "fixes.patch",
            "min-confidence": "0",  # the patch holds what --min-confidence lets through
            "args": "--output 'junit=test report.xml'",  # quotes honoured: one file with a space
        },
    )
    assert status == 1, log  # an error, and --fail-on any
    assert outputs["errors"] == "1" and outputs["fixable"] == "1" and outputs["passed"] == "false", outputs
    assert outputs["new-errors"] == "1"
    assert json.loads(Path(outputs["report"]).read_text())["counts"]["errors"] == 1
    assert summary.startswith("# earlier steps' summary\n")  # appended to, not replaced
    assert "TS2551" in summary and "email" in summary  # the Markdown report with the fix's diff
    assert "::error file=" in log  # annotations for the pull request
    assert json.loads((project / "tsfix.sarif").read_text())["version"] == "2.1.0"
    assert "+  return `${user.name} <${user.email}>`;" in (project / "fixes.patch").read_text()
    assert (project / "test report.xml").is_file()
    assert "emial" in (project / "src/format.ts").read_text()  # --patch leaves the sources alone


def test_the_action_step_passes_with_fail_on_none_and_runs_no_input_as_code(make_project, tmp_path) -> None:
    project = make_project(FILES)
    status, outputs, _, log = run_ci_step(project, tmp_path, **{"fail-on": "none", "suggest": "false"})
    assert status == 0, log
    assert outputs["passed"] == "true" and outputs["errors"] == "1" and outputs["fixable"] == "0"

    # a pull request's text in an input stays text: nothing in it runs
    hostile = '--baseline "$(touch pwned)" `touch pwned2`; touch pwned3'
    status, _, _, log = run_ci_step(project, tmp_path, **{"args": hostile, "patch": "$(touch pwned4)"})
    assert status == 2, log  # tsfix's own usage error for the odd arguments
    assert not [p.name for p in project.iterdir() if p.name.startswith("pwned")]


# ----------------------------------------------------------------------------- pre-commit, run


def pre_commit(project: Path, hook: str, home: Path) -> subprocess.CompletedProcess[str]:
    """`pre-commit try-repo` of this checkout: pre-commit builds the hook's environment from the repository
    (pip install of tsfix into its own virtualenv, as for a user's `rev:`) and runs the hook."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TSFIX_", "SUPABASE_", "GIT_"))}
    env |= {"PRE_COMMIT_HOME": str(home), "COLUMNS": "200"}
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), hook, "--files", "src/format.ts"]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=900)


def test_the_pre_commit_hooks_run_for_real_and_gate_on_new_errors(make_project, tmp_path) -> None:
    if subprocess.run(
        ["git", "ls-files", "--error-unmatch", HOOKS.name], cwd=REPO, capture_output=True
    ).returncode:
        pytest.fail(".pre-commit-hooks.yaml is not tracked: pre-commit builds hooks from what git has")
    project = make_project(FILES)
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run([*git, "add", "-A"], cwd=project, check=True)
    subprocess.run([*git, "commit", "-qm", "start"], cwd=project, check=True)
    home = tmp_path / "pre-commit-home"

    first = pre_commit(project, "tsfix-patch", home)
    assert first.returncode == 1, first.stdout + first.stderr  # a new error: the commit is refused
    assert "TS2551" in first.stdout and "verified fix" in first.stdout
    patch = (project / ".tsfix" / "fixes.patch").read_text()
    assert "+  return `${user.name} <${user.email}>`;" in patch
    assert "emial" in (project / "src/format.ts").read_text()  # the sources are left alone
    check = subprocess.run(
        ["git", "apply", "--check", ".tsfix/fixes.patch"], cwd=project, capture_output=True
    )
    assert check.returncode == 0, check.stderr

    # without a baseline, "new" is new since the previous run: the same error no longer fails
    again = pre_commit(project, "tsfix", home)
    assert again.returncode == 0, again.stdout + again.stderr
