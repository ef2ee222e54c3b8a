"""llama.cpp through tsfix vs raw llama-cpp-python, and the shared-prefix cache.

    python bench/llama_bench.py [--model PATH] [--runs 5] [--max-tokens 96] [--n-gpu-layers -1]

Model: --model, else TSFIX_BENCH_MODEL, else ../shared/models/SmolLM2-135M-Instruct.Q4_1.gguf, else the
tiny random GGUF the tests build. Prompts: tsfix's real prompts for the example app's errors.

1. Overhead: the same prompts, same grammar, same sampling, each call from an empty cache
   (`reset()`), alternating between raw `create_chat_completion` and tsfix's generation path (which
   streams and records token log-probabilities). Tokens per second = completion tokens / wall time;
   the overhead is 1 - tsfix / raw, as a median over runs (target: under 10%).
2. Prefix cache: time to the first token for the second and later errors, with the instructions'
   tokens still cached from the previous error (what tsfix does) vs a reset cache.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tests"))
from scan_bench import machine  # noqa: E402


def pick_model(arg: str | None, work: Path) -> Path:
    for candidate in (
        arg,
        os.environ.get("TSFIX_BENCH_MODEL"),
        str(REPO.parent / "shared/models/SmolLM2-135M-Instruct.Q4_1.gguf"),
    ):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    from ggufmodel import build_tiny_llama

    return build_tiny_llama(work / "tiny.gguf")


def prompts(work: Path) -> list[list[dict[str, str]]]:
    from conftest import NPM_DIR, npm_install
    from tsfix.fixers import FixContext
    from tsfix.fixers.prompts import build_messages
    from tsfix.langserver.factory import open_language_service
    from tsfix.project import resolve_project
    from tsfix.scan import scan_project
    from tsfix.store import open_store
    from tsfix.tsc import find_tsc
    from tsfix.verify import Verifier

    app = work / "webapp"
    shutil.copytree(
        REPO / "examples" / "webapp", app, ignore=shutil.ignore_patterns("node_modules", ".tsfix")
    )
    (app / "node_modules").symlink_to(npm_install(NPM_DIR / "ts-7.0.2", "ts-7.0.2"))
    scan_project(resolve_project(app))
    out = []
    with open_store(None, app) as store, open_language_service(app, find_tsc(app), 60) as service:
        verifier = Verifier(service)
        for error in store.list_errors():
            diagnostics = [d for d in verifier.baseline(error.file_path or "") if d.is_problem]
            target = next((d for d in diagnostics if d.code == error.code), None)
            if target is not None:
                out.append(build_messages(FixContext(error, target, service, app, diagnostics), "7.0.2"))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--max-tokens", type=int, default=96)
    ap.add_argument("--n-gpu-layers", type=int, default=None)
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args()

    import llama_cpp

    from tsfix.fixers.llama import LlamaFixer
    from tsfix.fixers.prompts import EDIT_SCHEMA

    with tempfile.TemporaryDirectory(prefix="tsfix-llama-bench-") as tmp:
        work = Path(tmp)
        model = pick_model(args.model, work)
        messages = prompts(work)
        fixer = LlamaFixer(model, candidates=1, n_ctx=4096, n_gpu_layers=args.n_gpu_layers, threads=args.threads,
                           max_tokens=args.max_tokens, timeout=600)  # fmt: skip
        llm = fixer.llm
        grammar = llama_cpp.LlamaGrammar.from_json_schema(json.dumps(EDIT_SCHEMA), verbose=False)

        def raw(m: list[dict[str, str]]) -> tuple[int, float]:
            started = time.perf_counter()
            result = llm.create_chat_completion(
                messages=m, grammar=grammar, temperature=0.0, top_p=0.95, max_tokens=args.max_tokens, seed=0
            )
            return result["usage"]["completion_tokens"], time.perf_counter() - started

        def through_tsfix(m: list[dict[str, str]]) -> tuple[int, float]:
            started = time.perf_counter()
            _, _, _, produced, _ = fixer.generate(m, 0.0, 0)
            return produced, time.perf_counter() - started

        raw_rates, tsfix_rates, ratios = [], [], []
        for _ in range(args.runs):
            for m in messages[:4]:
                llm.reset()
                n_raw, t_raw = raw(m)
                llm.reset()
                n_ts, t_ts = through_tsfix(m)
                raw_rates.append(n_raw / t_raw)
                tsfix_rates.append(n_ts / t_ts)
                ratios.append((n_ts / t_ts) / (n_raw / t_raw))

        def first_token(m: list[dict[str, str]]) -> float:
            started = time.perf_counter()
            for chunk in llm.create_chat_completion(
                messages=m, grammar=grammar, temperature=0.0, max_tokens=1, stream=True
            ):
                if chunk["choices"][0].get("delta", {}).get("content"):
                    break
            return time.perf_counter() - started

        warm, cold = [], []
        for _ in range(args.runs):
            for previous, current in itertools.pairwise(messages[:5]):
                llm.reset()
                first_token(previous)  # the instructions are now cached
                warm.append(first_token(current))
                llm.reset()
                cold.append(first_token(current))
        prompt_tokens = len(llm.tokenize(messages[1][1]["content"].encode())) + len(
            llm.tokenize(messages[1][0]["content"].encode())
        )
        system_tokens = len(llm.tokenize(messages[1][0]["content"].encode()))
        fixer.close()

    gpu = (
        "all layers on the GPU"
        if fixer.n_gpu_layers != 0 and llama_cpp.llama_supports_gpu_offload()
        else "CPU only"
    )
    print(
        f"\n`python bench/llama_bench.py --runs {args.runs} --max-tokens {args.max_tokens}` — {time.strftime('%Y-%m-%d')}, {machine()}"
    )
    print(
        f"model {model.name} ({model.stat().st_size / 1e6:.0f} MB), {gpu}, llama-cpp-python {llama_cpp.__version__}\n"
    )
    print("| path | tokens/s (median) |")
    print("|---|---:|")
    print(f"| raw llama-cpp-python `create_chat_completion` | {statistics.median(raw_rates):.1f} |")
    print(f"| through tsfix (stream + log-probabilities) | {statistics.median(tsfix_rates):.1f} |")
    print(f"| overhead (median of paired ratios) | {1 - statistics.median(ratios):.1%} |")
    print(
        f"\nprefix cache (prompt ≈ {prompt_tokens} tokens, of which the fixed instructions ≈ {system_tokens}):\n"
    )
    print("| cache | time to first token (median) |")
    print("|---|---:|")
    print(f"| instructions cached from the previous error | {statistics.median(warm) * 1000:.0f} ms |")
    print(f"| reset | {statistics.median(cold) * 1000:.0f} ms |")


if __name__ == "__main__":
    main()
