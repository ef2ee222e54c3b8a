"""The model fixers on real llama.cpp: a tiny GGUF the tests build (tests/ggufmodel.py), llama-cpp-python's
own OpenAI-compatible server on it, and the small real models in ../shared/models when present."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from conftest import REPO
from tsfix.fixers import FixContext
from tsfix.fixers.llama import LlamaFixer
from tsfix.fixers.prompts import EDIT_SCHEMA, build_messages, edits_from_answer
from tsfix.langserver.factory import open_language_service
from tsfix.records import ErrorRow
from tsfix.suggest import Suggester, SuggestOptions
from tsfix.tsc import find_tsc
from tsfix.verify import Verifier

SOURCE = 'export function half(n: number): number {\n  const result: number = n / "2";\n  return result;\n}\n'


@pytest.fixture
def project(make_project):
    root = make_project({"src/a.ts": SOURCE}, ts="7.0.2")
    service = open_language_service(root, find_tsc(root), timeout=60)
    yield root, service
    service.close()


def context(root: Path, service) -> FixContext:
    verifier = Verifier(service)
    diagnostics = [d for d in verifier.baseline("src/a.ts") if d.is_problem]
    target = diagnostics[0]
    row = ErrorRow(1, "p", "f", "src/a.ts", target.start.line, target.start.col, target.code, "error",
                   target.message, None, {"kind": "function", "symbol_path": "half", "start_line": 1, "end_line": 4},
                   None, "new", 1, 1, 1, None, "", "")  # fmt: skip
    return FixContext(row, target, service, root, diagnostics)


def test_prompt_has_the_code_types_and_error(project) -> None:
    root, service = project
    system, user = build_messages(context(root, service), "7.0.2")
    assert system["role"] == "system" and "Never silence the error" in system["content"]
    text = user["content"]
    assert "Error TS2362 at line 2" in text or "Error TS2363 at line 2" in text
    assert '→    2 |   const result: number = n / "2";' in text
    assert "(parameter) n: number" in text  # a type from the language service


def test_answers_become_edits_near_the_error(project) -> None:
    root, service = project
    ctx = context(root, service)
    answer = json.dumps(
        {"explanation": "divide by a number", "edits": [{"search": 'n / "2"', "replace": "n / 2"}]}
    )
    edits, explanation = edits_from_answer(ctx, answer)
    assert explanation == "divide by a number" and len(edits) == 1
    assert (edits[0].start.line, edits[0].start.col, edits[0].new_text) == (2, 26, "n / 2")
    assert (
        edits_from_answer(ctx, '{"explanation": "x", "edits": [{"search": "nowhere", "replace": "y"}]}')
        is None
    )
    assert edits_from_answer(ctx, "not json") is None


def test_llama_on_a_tiny_gguf(tiny_model: Path, project) -> None:
    root, service = project
    fixer = LlamaFixer(tiny_model, candidates=2, n_ctx=2048, threads=2, max_tokens=48, timeout=60)
    try:
        assert fixer.model_name == "tsfix-tiny-test-llama" and fixer.n_gpu_layers in (0, -1)
        candidates = fixer.candidates(context(root, service))  # random weights: valid JSON, useless edits
        assert fixer.tokens_out > 0 and fixer.generation_seconds > 0
        assert all(c.fixer == "llama" and c.of_samples == 2 for c in candidates)
        text, logprobs, _, produced, timed_out = fixer.generate(
            build_messages(context(root, service), "7.0.2"), 0.0, 0
        )
        assert produced > 0 and not timed_out and text.lstrip().startswith("{")
        mean = logprobs.mean()
        assert mean is not None and -20 < mean < 0  # real log-probabilities of the sampled tokens
    finally:
        fixer.close()


def test_llama_timeout(tiny_model: Path, project) -> None:
    root, service = project
    fixer = LlamaFixer(tiny_model, candidates=1, n_ctx=2048, threads=2, max_tokens=2000, timeout=0.05)
    try:
        started = time.monotonic()
        _, _, _, _, timed_out = fixer.generate(build_messages(context(root, service), "7.0.2"), 0.0, 0)
        assert timed_out and time.monotonic() - started < 30
        assert fixer.candidates(context(root, service)) == []
    finally:
        fixer.close()


def forced(answer: dict) -> object:
    """A grammar that allows exactly one answer: makes the tiny model say what a test needs."""
    import llama_cpp

    literal = json.dumps(json.dumps(answer))  # a GBNF string literal of the JSON text
    return llama_cpp.LlamaGrammar.from_string(f"root ::= {literal}", verbose=False)


def test_model_candidates_are_verified_like_any_other(tiny_model: Path, project) -> None:
    root, service = project
    fixer = LlamaFixer(tiny_model, candidates=2, n_ctx=2048, threads=2, max_tokens=200, timeout=120)
    try:
        suggester = Suggester(root, service, [], [fixer], SuggestOptions())
        error = context(root, service).error
        fixer.grammar = forced(
            {"explanation": "divide by a number", "edits": [{"search": 'n / "2"', "replace": "n / 2"}]}
        )
        outcome = suggester.suggest(error)
        best = outcome.best
        assert best is not None and best.verification.verified
        assert best.candidate.fixer == "llama" and best.candidate.samples == 2  # both samples agree
        assert best.suggestion.model_name == "tsfix-tiny-test-llama" and best.suggestion.tokens_out
        assert 0.5 < best.confidence < 1.0

        fixer.grammar = forced(
            {"explanation": "silence it", "edits": [{"search": 'n / "2"', "replace": 'n / ("2" as any)'}]}
        )
        silenced = suggester.suggest(error)
        assert silenced.kept == [] and "adds as any" in (silenced.note or "")

        fixer.grammar = forced(
            {"explanation": "wrong", "edits": [{"search": 'n / "2"', "replace": 'n / "3"'}]}
        )
        wrong = suggester.suggest(error)
        assert (
            wrong.best is not None and not wrong.best.verification.verified and wrong.best.confidence <= 0.25
        )
    finally:
        fixer.close()


def test_suggest_cli_with_a_model(tiny_model: Path, make_project, cli) -> None:
    root = make_project({"src/a.ts": "export function f(x) { return x; }\n"}, ts="7.0.2")
    cli("scan", str(root))
    result = cli(
        "suggest",
        "--path",
        str(root),
        "--model",
        str(tiny_model),
        "-k",
        "1",
        "--timeout",
        "60",
        "--no-ts6",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["model"] == "tsfix-tiny-test-llama" and data["tokens_out"] > 0 and data["hint"] is None


# ----------------------------------------------------------------------------- OpenAI-compatible


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server(tiny_model: Path):
    """llama-cpp-python's OpenAI-compatible server on the tiny model, with an API key."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(tiny_model), "--host", "127.0.0.1", "--port", str(port),
         "--n_ctx", "2048", "--n_threads", "2", "--api_key", "test-server-key-123"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if (
                httpx.get(
                    f"{url}/models", headers={"Authorization": "Bearer test-server-key-123"}
                ).status_code
                == 200
            ):
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("llama_cpp.server did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def test_openai_engine_against_llama_cpp_server(
    llama_server: str, project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tsfix.fixers.openai import OpenAIFixer

    root, service = project
    monkeypatch.setenv("TSFIX_OPENAI_API_KEY", "test-server-key-123")
    fixer = OpenAIFixer(llama_server, candidates=3, concurrency=2, max_tokens=48, timeout=120)
    try:
        assert fixer.model_name  # from /v1/models
        candidates = fixer.candidates(context(root, service))
        # the server takes json_object with a schema, not json_schema: the fallback was chosen and kept
        assert fixer._format == {"type": "json_object", "schema": EDIT_SCHEMA}
        assert all(c.fixer == "openai" for c in candidates)
    finally:
        fixer.close()


def test_openai_engine_errors(llama_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from tsfix.errors import TsfixError
    from tsfix.fixers.openai import OpenAIFixer

    monkeypatch.setenv("TSFIX_OPENAI_API_KEY", "wrong-key-456789")
    with pytest.raises(TsfixError, match="cannot list the models") as info:
        OpenAIFixer(llama_server, retries=0)
    assert "wrong-key-456789" not in str(info.value)
    with pytest.raises(TsfixError, match="cannot list the models"):
        OpenAIFixer(f"http://127.0.0.1:{free_port()}/v1", retries=0, timeout=5)


# ----------------------------------------------------------------------------- small real models

SHARED = Path(
    os.environ.get("TSFIX_TEST_MODEL")
    or REPO.parent / "shared" / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"
)


@pytest.mark.skipif(
    not SHARED.is_file(), reason=f"optional: no small real model at {SHARED} (set TSFIX_TEST_MODEL)"
)
def test_a_small_real_instruct_model(project) -> None:
    root, service = project
    fixer = LlamaFixer(SHARED, candidates=1, n_ctx=4096, threads=2, max_tokens=160, timeout=120)
    try:
        ctx = context(root, service)
        text, logprobs, _, produced, timed_out = fixer.generate(build_messages(ctx, "7.0.2"), 0.0, 0)
        assert produced > 0 and text.lstrip().startswith("{")  # the grammar holds the answer's form
        if not timed_out and produced < fixer.max_tokens:
            assert set(json.loads(text)) >= {"explanation", "edits"}
        else:
            assert edits_from_answer(ctx, text) is None  # a cut-off answer is dropped, not half-applied
        assert logprobs.mean() is not None
    finally:
        fixer.close()


def test_model_params_overrides_are_applied_and_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    """The AMX guard (llama.cpp issue 20824): the fields llama_cpp.Llama has no argument for reach the
    loader, and the library's default is back afterwards; fields this build lacks are ignored."""
    import llama_cpp

    from tsfix.fixers.llama import model_params, repack_is_unsafe

    default = llama_cpp.llama_cpp.llama_model_default_params
    with model_params(llama_cpp, use_extra_bufts=False, no_such_field=1):
        params = llama_cpp.llama_cpp.llama_model_default_params()
        assert params.use_extra_bufts is False
        assert not hasattr(params, "no_such_field")
    assert llama_cpp.llama_cpp.llama_model_default_params is default
    assert default().use_extra_bufts is True
    monkeypatch.delenv("TSFIX_LLAMA_REPACK", raising=False)
    amx = b"AMX_INT8 = 1" in llama_cpp.llama_print_system_info()
    assert repack_is_unsafe(llama_cpp) is amx
    monkeypatch.setenv("TSFIX_LLAMA_REPACK", "1")
    assert repack_is_unsafe(llama_cpp) is False
