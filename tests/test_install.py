"""Installing tsfix without the model runtimes, and what a user is told when a model needs one."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from tsfix.errors import UsageError
from tsfix.models import HfReference, parse_reference, resolve_model

BROKEN = {"src/a.ts": "export const n: number = 'x'.lenght;\n"}


@pytest.mark.parametrize(
    ("module", "args", "said"),
    [
        ("llama_cpp", ["--model", "m.gguf"], "a local GGUF model needs llama-cpp-python"),
        ("openai", ["--engine", "openai", "--base-url", "http://127.0.0.1:9/v1"], "needs the openai client"),
    ],
)
def test_a_model_without_its_extra_is_exit_2_with_the_commands_that_install_it(
    make_project, tsfix_cli, tmp_path, module: str, args: list[str], said: str
) -> None:
    shadow = tmp_path / "shadow"  # on PYTHONPATH, before site-packages: the module is "not installed"
    shadow.mkdir()
    (shadow / f"{module}.py").write_text(
        f"raise ModuleNotFoundError(\"No module named '{module}'\", name='{module}')\n"
    )
    root = make_project(BROKEN)
    (root / "m.gguf").write_bytes(b"GGUF")
    assert tsfix_cli("scan", cwd=root).returncode == 1
    result = tsfix_cli(
        "suggest", "--no-ts6", *args, cwd=root, env={"PYTHONPATH": str(shadow), "COLUMNS": "400"}
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert said in result.stderr and "not installed" in result.stderr
    extra = "llama" if module == "llama_cpp" else "openai"
    assert f"pip install 'tsfix[{extra}]'" in result.stderr
    if module == "llama_cpp":  # the build flags and the prebuilt wheel indexes for each backend
        for part in (
            'CMAKE_ARGS="-DGGML_CUDA=on"',
            'CMAKE_ARGS="-DGGML_METAL=on"',
            "whl/cpu",
            "whl/cu124",
            "whl/metal",
        ):
            assert part in result.stderr
    # nothing was recorded for the error: it is still open for a run that has the model
    listed = tsfix_cli("list", "--json", cwd=root)
    assert '"status": "new"' in listed.stdout


# ----------------------------------------------------------------------------- hf: references


COMMIT = "0123456789abcdef0123456789abcdef01234567"


def hf_cache(cache: Path, repo: str, files: dict[str, bytes]) -> Path:
    """A Hugging Face cache laid out as huggingface_hub writes it (blobs, refs/main, snapshot links)."""
    folder = cache / ("models--" + repo.replace("/", "--"))
    (folder / "refs").mkdir(parents=True, exist_ok=True)
    (folder / "refs" / "main").write_text(COMMIT)
    for name, data in files.items():
        blob = folder / "blobs" / hashlib.sha256(data).hexdigest()
        blob.parent.mkdir(exist_ok=True)
        blob.write_bytes(data)
        link = folder / "snapshots" / COMMIT / name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(os.path.relpath(blob, link.parent))
    return folder / "snapshots" / COMMIT


@pytest.fixture
def offline_hub(tmp_path, monkeypatch, tiny_model: Path) -> Path:
    """An offline Hugging Face cache holding the tiny model as two quantisations, and a split model."""
    cache = tmp_path / "hub"
    data = tiny_model.read_bytes()
    hf_cache(
        cache, "test-org/tiny-GGUF", {"tiny-Q8_0.gguf": data, "tiny-Q4_K_M.gguf": data, "README.md": b"x"}
    )
    hf_cache(
        cache,
        "test-org/split-GGUF",
        {"big-Q4_K_M-00001-of-00002.gguf": data, "big-Q4_K_M-00002-of-00002.gguf": b"rest"},
    )
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("TSFIX_MODEL", raising=False)
    return cache


def test_references_are_parsed_or_refused() -> None:
    assert parse_reference("hf:Qwen/Qwen2.5-Coder-7B-Instruct-GGUF:Q4_K_M") == HfReference(
        "Qwen/Qwen2.5-Coder-7B-Instruct-GGUF", quant="Q4_K_M"
    )
    assert parse_reference("hf:o/r/sub/file.gguf") == HfReference("o/r", filename="sub/file.gguf")
    for bad in ("hf:nothing", "hf:o/r", "hf:o/r/../x.gguf", "hf:o/r/readme.md"):
        with pytest.raises(UsageError, match="not a Hugging Face model reference"):
            parse_reference(bad)


def test_an_hf_reference_resolves_from_the_offline_cache_and_loads_the_real_model(offline_hub: Path) -> None:
    from tsfix.fixers.llama import LlamaFixer
    from tsfix.progress import quiet
    from tsfix.suggest import SuggestOptions

    snapshot = offline_hub / "models--test-org--tiny-GGUF" / "snapshots" / COMMIT
    assert resolve_model("hf:test-org/tiny-GGUF:q8_0") == snapshot / "tiny-Q8_0.gguf"  # any case
    assert resolve_model("hf:test-org/tiny-GGUF/tiny-Q4_K_M.gguf") == snapshot / "tiny-Q4_K_M.gguf"
    split = resolve_model("hf:test-org/split-GGUF:Q4_K_M")  # the first part; llama.cpp finds the rest
    assert split.name == "big-Q4_K_M-00001-of-00002.gguf"
    fixer = LlamaFixer.from_options(SuggestOptions(model="hf:test-org/tiny-GGUF:Q8_0", threads=1), quiet)
    try:
        assert fixer.model_name == "tsfix-tiny-test-llama"
    finally:
        fixer.close()


@pytest.mark.parametrize(
    ("ref", "said"),
    [
        ("hf:test-org/absent-GGUF:Q4_K_M", "is not in the Hugging Face cache, and HF_HUB_OFFLINE is set"),
        ("hf:test-org/tiny-GGUF:Q5_K_S", "has no GGUF files for Q5_K_S"),
        ("hf:test-org/tiny-GGUF/other.gguf", "is not in the Hugging Face cache"),
    ],
)
def test_an_hf_reference_that_cannot_be_resolved_offline_says_why(
    offline_hub: Path, ref: str, said: str
) -> None:
    with pytest.raises(UsageError) as failure:
        resolve_model(ref)
    assert said in failure.value.message and failure.value.hint


def test_models_lists_the_cache_and_the_named_models_with_their_metadata(
    offline_hub: Path, cli, tmp_path, monkeypatch
) -> None:
    shared = Path(__file__).resolve().parents[2] / "shared" / "models" / "stories260K.gguf"
    monkeypatch.setenv("TSFIX_MODEL", "hf:test-org/tiny-GGUF:Q8_0")
    result = cli("models", "--json", env={"HF_HUB_CACHE": str(offline_hub), "HF_HUB_OFFLINE": "1"})
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)["models"]
    by_file = {Path(m["path"]).name: m for m in listed}
    assert by_file["tiny-Q8_0.gguf"]["source"] == "TSFIX_MODEL"
    assert by_file["tiny-Q4_K_M.gguf"]["source"] == "hf:test-org/tiny-GGUF"
    assert "big-Q4_K_M-00002-of-00002.gguf" not in by_file  # a split model is listed once
    tiny = by_file["tiny-Q8_0.gguf"]
    assert (tiny["architecture"], tiny["context_length"], tiny["error"]) == ("llama", 2048, None)
    assert tiny["parameters"] > 0 and tiny["quantisation"]
    # a file that is not GGUF, and one that is missing: reported, exit 1 (it was named)
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"not a model")
    result = cli("models", str(junk), str(tmp_path / "missing.gguf"), env={"HF_HUB_CACHE": str(offline_hub)})
    assert result.exit_code == 1
    assert "not a GGUF file" in result.output and "cannot read it" in result.output
    if shared.is_file():
        table = cli("models", str(shared), env={"HF_HUB_CACHE": str(offline_hub)})
        assert "stories260K.gguf" in table.output and "llama" in table.output and "2048" in table.output


# ----------------------------------------------------------------------------- tsfix doctor


def doctor(cli, root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, dict]:
    result = cli("doctor", "--path", str(root), "--format", "json", *args, env=env)
    return result.exit_code, json.loads(result.stdout)


def test_doctor_on_a_project_says_what_tsfix_will_use(make_project, cli, ts_version: str) -> None:
    root = make_project(BROKEN, ts=ts_version)
    code, report = doctor(cli, root)
    assert code == 0 and report["healthy"], report
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["typescript"]["status"] == "ok" and checks["typescript"]["detail"].startswith(ts_version)
    assert ("native" in checks["typescript"]["detail"]) == ts_version.startswith("7")
    assert ("typescript 6 helper" in checks) == ts_version.startswith("7")
    assert checks["llama-cpp-python"]["needed"] is False  # no model asked for
    text = cli("doctor", "--path", str(root))
    assert text.exit_code == 0 and "ready" in text.output


def test_doctor_without_typescript_is_exit_1_with_the_install_command(tmp_path, cli) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.ts").write_text("export const a = 1;\n")
    (tmp_path / "tsconfig.json").write_text('{"include": ["src"]}\n')
    code, report = doctor(cli, tmp_path)
    assert code == 1 and not report["healthy"]
    (failed,) = [c for c in report["checks"] if c["failed"]]
    assert failed["name"] == "typescript" and "npm install -D typescript" in failed["fix"]


def test_doctor_shows_the_models_metadata(make_project, cli, tiny_model: Path) -> None:
    root = make_project(BROKEN)
    shared = Path(__file__).resolve().parents[2] / "shared" / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"
    model = shared if shared.is_file() else tiny_model
    code, report = doctor(cli, root, "--model", str(model))
    checks = {c["name"]: c for c in report["checks"]}
    assert code == 0, report
    assert checks["model"]["status"] == "ok" and checks["llama-cpp-python"]["needed"] is True
    assert "llama" in checks["model"]["detail"] and "context" in checks["model"]["detail"]
    code, report = doctor(cli, root, "--model", str(root / "absent.gguf"))
    assert code == 1 and {c["name"] for c in report["checks"] if c["failed"]} == {"model"}


def test_doctor_reports_an_unreachable_store_without_its_secret(make_project, cli) -> None:
    root = make_project(BROKEN)
    url = "postgresql://tsfix:s3cret-pass@127.0.0.1:9/db"
    result = cli("doctor", "--path", str(root), "--store", url)
    assert result.exit_code == 1
    assert "s3cret-pass" not in result.output and "store" in result.output
    code, report = doctor(
        cli, root, "--store", url, env={"SUPABASE_SERVICE_ROLE_KEY": "eyJhbGciOi.secret.key"}
    )
    assert code == 1 and "s3cret-pass" not in json.dumps(report) and "secret.key" not in json.dumps(report)
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["store"]["failed"] and "SUPABASE_SERVICE_ROLE_KEY set" in checks["supabase"]["detail"]


def test_doctor_with_a_model_but_no_llama_extra_says_how_to_install_it(
    make_project, tsfix_cli, tmp_path
) -> None:
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "llama_cpp.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'llama_cpp'\", name='llama_cpp')\n"
    )
    root = make_project(BROKEN)
    model = root / "m.gguf"
    model.write_bytes(b"GGUF")
    result = tsfix_cli(
        "doctor", "--model", str(model), "-f", "json", cwd=root, env={"PYTHONPATH": str(shadow)}
    )
    report = json.loads(result.stdout)
    assert result.returncode == 1
    llama = next(c for c in report["checks"] if c["name"] == "llama-cpp-python")
    assert llama["failed"] and 'CMAKE_ARGS="-DGGML_CUDA=on"' in llama["fix"]


# ----------------------------------------------------------------------------- Supabase CLI migrations


def test_db_migrations_writes_supabase_cli_files_that_apply_in_version_order(
    postgres_cluster, cli, tmp_path
) -> None:
    from dataplane import SUPABASE_DATABASE
    from tsfix.store.migrations import POSTGRES_MIGRATIONS
    from tsfix.store.postgres import migration_status
    from tsfix.store.supabase_cli import CLI_NAME

    folder = tmp_path / "supabase" / "migrations"
    folder.mkdir(parents=True)
    (folder / "29990101000000_project_tables.sql").write_text("create table public.project_notes (id int);\n")
    (folder / "README.md").write_text("not a migration\n")
    first = cli("db", "migrations", str(folder), "--json")
    assert first.exit_code == 0, first.output
    written = json.loads(first.stdout)["written"]
    assert len(written) == len(POSTGRES_MIGRATIONS.names())
    assert all(CLI_NAME.match(name) for name in written)  # <YYYYMMDDHHMMSS>_<name>.sql
    assert sorted(written) == written and written[0] > "29990101000000"  # after the project's own
    again = json.loads(cli("db", "migrations", str(folder), "--json").stdout)
    assert again["written"] == [] and again["present"] == written  # the same names: nothing added

    # `supabase db push` order on a fresh Supabase-shaped database: every file, by version
    postgres_cluster.psql("create database tsfix_cli_push")
    postgres_cluster.psql(SUPABASE_DATABASE, "tsfix_cli_push")
    for path in sorted(folder.glob("*.sql")):
        postgres_cluster.psql(path.read_text(), "tsfix_cli_push")
    states = migration_status(postgres_cluster.url("tsfix_cli_push"))
    assert all(s.applied for s in states)  # each records itself, so tsfix db status agrees
    status = cli("db", "status", "--store", postgres_cluster.url("tsfix_cli_push"))
    assert status.exit_code == 0, status.output
    # a file where the folder should be: one line, exit 2
    clash = cli("db", "migrations", str(tmp_path / "supabase" / "migrations" / "README.md"))
    assert clash.exit_code == 2 and "is not a folder" in clash.output
