"""A local GGUF code model through llama-cpp-python (imported only when this fixer is used).

The model is loaded once per run, with all layers on the GPU when llama.cpp was built with CUDA or
Metal. Output is constrained to EDIT_SCHEMA by a grammar. K samples per error: the first greedy, the
rest sampled; identical answers count as agreement. Token log-probabilities are read with a logits
processor (llama.cpp samples internally and keeps no logits unless every position's are stored,
which would cost n_ctx × n_vocab floats): at each step it records the normaliser of the raw logits,
and the token chosen then appears in the next step's input. Generation streams, so a per-error
deadline stops it at once.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tsfix.errors import UsageError
from tsfix.extras import require
from tsfix.fixers import FixContext, Fixer, FixerOptions, register
from tsfix.fixers.candidate import Candidate
from tsfix.fixers.prompts import BOUNDED_EDIT_SCHEMA, build_messages, edits_from_answer
from tsfix.progress import ModelLoaded, ModelLoading, Progress


class TokenLogprobs:
    """A logits processor that records the log-probability of each generated token (raw distribution)."""

    def __init__(self) -> None:
        self.values: list[float] = []
        self._last: Any = None  # (logits, log normaliser) of the previous step
        self._length = 0

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import numpy as np

        n = len(input_ids)
        if self._last is not None and n == self._length + 1:
            logits, lse = self._last
            token = int(input_ids[-1])
            if 0 <= token < len(logits):
                self.values.append(float(logits[token] - lse))
        top = float(np.max(scores))
        lse = top + math.log(float(np.sum(np.exp(scores - top))))
        self._last = (np.array(scores, copy=True), lse)
        self._length = n
        return scores

    def mean(self) -> float | None:
        finite = [v for v in self.values if math.isfinite(v)]
        return sum(finite) / len(finite) if finite else None


_PARAMS_LOCK = threading.Lock()


def repack_is_unsafe(llama_cpp: Any) -> bool:
    """Whether this llama.cpp build would repack weights for AMX, which crashes on machines whose kernel
    disables AMX tile data per thread (Linux XFD): ggml requests the permission on the loading thread
    only, so the first matrix product on a worker thread dies with SIGSEGV (llama.cpp issue 20824, fix
    proposed in PR 26954). Seen on these machines' Xeons. TSFIX_LLAMA_REPACK=1 keeps the repacking."""
    if os.environ.get("TSFIX_LLAMA_REPACK") == "1":
        return False
    info = llama_cpp.llama_print_system_info()
    return b"AMX_INT8 = 1" in (info if isinstance(info, bytes) else str(info).encode())


@contextmanager
def model_params(llama_cpp: Any, **overrides: Any) -> Iterator[None]:
    """llama_cpp.Llama with llama_model_params fields it takes no argument for (it builds them from
    llama_model_default_params() inside __init__); fields this llama.cpp lacks are left alone."""
    module = llama_cpp.llama_cpp
    default = module.llama_model_default_params

    def with_overrides() -> Any:
        params = default()
        for field, value in overrides.items():
            if hasattr(params, field):
                setattr(params, field, value)
        return params

    with _PARAMS_LOCK:
        module.llama_model_default_params = with_overrides
        try:
            yield
        finally:
            module.llama_model_default_params = default


@register
class LlamaFixer(Fixer):
    name = "llama"
    uses_model = True

    def __init__(
        self,
        model_path: str | Path,
        *,
        candidates: int = 3,
        n_gpu_layers: int | None = None,
        n_ctx: int = 4096,
        threads: int | None = None,
        max_tokens: int = 384,
        timeout: float = 60.0,
        seed: int = 0,
    ) -> None:
        path = Path(model_path).expanduser()
        if not path.is_file():
            raise UsageError(f"no model file at {path}", hint="pass a GGUF file to --model (or TSFIX_MODEL)")
        llama_cpp: Any = require("llama_cpp")
        if n_gpu_layers is None:
            n_gpu_layers = -1 if llama_cpp.llama_supports_gpu_offload() else 0
        self.n_gpu_layers = n_gpu_layers
        self.k = max(1, candidates)
        self.max_tokens = max_tokens
        self.timeout = timeout
        self.seed = seed
        started = time.perf_counter()
        overrides = {"use_extra_bufts": False} if repack_is_unsafe(llama_cpp) else {}
        try:
            with model_params(llama_cpp, **overrides):
                self.llm: Any = llama_cpp.Llama(
                    model_path=str(path),
                    n_ctx=n_ctx,
                    n_threads=threads,
                    n_gpu_layers=n_gpu_layers,
                    seed=seed,
                    verbose=False,
                )
        except (ValueError, RuntimeError) as exc:
            raise UsageError(
                f"cannot load the model {path.name}: {exc}", hint="is it a GGUF file llama.cpp supports?"
            ) from None
        self.load_seconds = time.perf_counter() - started
        self.model_name = str(self.llm.metadata.get("general.name") or path.stem)
        self.grammar = llama_cpp.LlamaGrammar.from_json_schema(json.dumps(BOUNDED_EDIT_SCHEMA), verbose=False)
        self.tokens_out = 0
        self.generation_seconds = 0.0

    @classmethod
    def from_options(cls, options: FixerOptions, progress: Progress) -> LlamaFixer:
        """The model of --model, loaded now (reported to progress: it can take a while)."""
        if not options.model:
            raise UsageError(
                "the llama fixer needs a model",
                hint="pass --model path/to/model.gguf or hf:OWNER/REPO:QUANT (or set TSFIX_MODEL)",
            )
        from tsfix.models import resolve_model

        path = resolve_model(options.model)  # an hf: reference is fetched (once) into the HF cache
        progress(ModelLoading(model=path.name))
        fixer = cls(
            path,
            candidates=options.candidates,
            n_gpu_layers=options.n_gpu_layers,
            n_ctx=options.ctx,
            threads=options.threads,
            timeout=options.timeout,
        )
        progress(
            ModelLoaded(model=fixer.model_name, seconds=fixer.load_seconds, gpu_layers=fixer.n_gpu_layers)
        )
        return fixer

    def generate(
        self, messages: list[dict[str, str]], temperature: float, seed: int
    ) -> tuple[str, TokenLogprobs, int, int, bool]:
        """One answer: (text, log-probabilities, prompt tokens, generated tokens, timed out)."""
        import llama_cpp

        logprobs = TokenLogprobs()
        deadline = time.monotonic() + self.timeout
        prompt_tokens = 0
        pieces: list[str] = []
        produced = 0
        timed_out = False
        started = time.perf_counter()
        stream = self.llm.create_chat_completion(
            messages=messages,
            grammar=self.grammar,
            temperature=temperature,
            top_p=0.95,
            max_tokens=self.max_tokens,
            seed=seed,
            stream=True,
            logits_processor=llama_cpp.LogitsProcessorList([logprobs]),
        )
        for chunk in stream:
            choice: Any = chunk["choices"][0]
            piece = choice.get("delta", {}).get("content")
            if piece:
                pieces.append(str(piece))
                produced += 1
            if time.monotonic() > deadline:
                timed_out = True
                break
        close = getattr(stream, "close", None)
        if close is not None:
            close()
        self.generation_seconds += time.perf_counter() - started
        self.tokens_out += produced
        prompt_tokens = self.llm.n_tokens - produced if self.llm.n_tokens else 0
        return "".join(pieces), logprobs, max(prompt_tokens, 0), produced, timed_out

    def candidates(self, ctx: FixContext) -> list[Candidate]:
        messages = build_messages(ctx, ctx.service.name.removeprefix("typescript-"))
        out: list[Candidate] = []
        for k in range(self.k):
            started = time.perf_counter()
            text, logprobs, tokens_in, tokens_out, timed_out = self.generate(
                messages, 0.0 if k == 0 else 0.8, self.seed + k
            )
            latency = int((time.perf_counter() - started) * 1000)
            parsed = None if timed_out else edits_from_answer(ctx, text)
            if parsed is None or not parsed[0]:
                continue
            edits, explanation = parsed
            out.append(
                Candidate(
                    "llama",
                    edits,
                    explanation or "Model suggestion",
                    model_name=self.model_name,
                    mean_logprob=logprobs.mean(),
                    samples=1,
                    of_samples=self.k,
                    tokens_in=tokens_in,
                    tokens_out=tokens_out,
                    latency_ms=latency,
                )
            )
        return out

    def close(self) -> None:
        llm = getattr(self, "llm", None)
        if llm is not None and hasattr(llm, "close"):
            llm.close()
        self.llm = None
