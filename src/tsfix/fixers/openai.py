"""Any OpenAI-compatible chat server: a team's llama.cpp server, Ollama, vLLM (or OpenAI itself).

The same prompt and edit schema as the llama fixer. Structured output is asked for the way most
servers take it (`response_format: json_schema`); servers that only know `json_object` with a
`schema` (llama-cpp-python's own server) get that instead, and the choice is remembered. The K
samples of an error are requested concurrently, at most `concurrency` at a time; the client retries
failed requests with exponential backoff.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tsfix.errors import TsfixError, UsageError
from tsfix.extras import require
from tsfix.fixers import FixContext, Fixer, FixerOptions, register
from tsfix.fixers.candidate import Candidate
from tsfix.fixers.prompts import EDIT_SCHEMA, build_messages, edits_from_answer
from tsfix.progress import Progress
from tsfix.redact import register_secret, scrub

DEFAULT_API_KEY_ENV = "TSFIX_OPENAI_API_KEY"


@register
class OpenAIFixer(Fixer):
    name = "openai"
    uses_model = True

    def __init__(
        self,
        base_url: str,
        *,
        model: str | None = None,
        api_key_env: str = DEFAULT_API_KEY_ENV,
        candidates: int = 3,
        concurrency: int = 4,
        max_tokens: int = 384,
        timeout: float = 60.0,
        retries: int = 3,
    ) -> None:
        if not base_url:
            raise UsageError(
                "--engine openai needs --base-url", hint="e.g. --base-url http://localhost:8080/v1"
            )
        OpenAI = require("openai").OpenAI

        key = os.environ.get(api_key_env) or os.environ.get("OPENAI_API_KEY") or "no-key"
        register_secret(key if key != "no-key" else None)
        self.client = OpenAI(base_url=base_url, api_key=key, max_retries=retries, timeout=timeout)
        self.base_url = base_url
        self.k = max(1, candidates)
        self.concurrency = max(1, concurrency)
        self.max_tokens = max_tokens
        self._format: dict[str, Any] | None = None
        self.failures: list[str] = []
        self.model_name = model or self._first_model()

    @classmethod
    def from_options(cls, options: FixerOptions, progress: Progress) -> OpenAIFixer:
        """The server of --base-url; --model names its model unless it is a GGUF file (llama's)."""
        return cls(
            options.base_url or "",
            model=options.model
            if options.model and not options.model.endswith(".gguf") and not options.model.startswith("hf:")
            else None,
            api_key_env=options.api_key_env,
            candidates=options.candidates,
            concurrency=options.concurrency,
            timeout=options.timeout,
        )

    def _first_model(self) -> str:
        try:
            models = self.client.models.list()
            first = next(iter(models), None)
        except Exception as exc:  # the server is down or not OpenAI-compatible
            raise TsfixError(
                f"cannot list the models of {self.base_url}: {scrub(str(exc))}",
                hint="is the server running? pass --model NAME if it does not list models",
            ) from None
        if first is None:
            raise UsageError(f"{self.base_url} serves no models", hint="pass --model NAME")
        return str(first.id)

    def _formats(self) -> list[dict[str, Any]]:
        if self._format is not None:
            return [self._format]
        return [
            {
                "type": "json_schema",
                "json_schema": {"name": "tsfix_edits", "schema": EDIT_SCHEMA, "strict": True},
            },
            {"type": "json_object", "schema": EDIT_SCHEMA},
        ]

    def _ask(
        self, messages: list[dict[str, str]], temperature: float, seed: int
    ) -> tuple[str, Any, float | None]:
        APIStatusError = require("openai").APIStatusError

        last: Exception | None = None
        probing = self._format is None
        # While the server's structured-output form is unknown, ask without retries: a server that
        # does not know a form answers at once (400, 422, or, like llama-cpp-python's, 500).
        client = self.client.with_options(max_retries=0) if probing else self.client
        for response_format in self._formats():
            try:
                response = client.chat.completions.create(
                    model=self.model_name,
                    messages=messages,
                    temperature=temperature,
                    max_tokens=self.max_tokens,
                    seed=seed,
                    response_format=response_format,
                )
            except APIStatusError as exc:
                unsupported = exc.status_code in (400, 422) or "response_format" in str(exc)
                if probing and unsupported:
                    last = exc
                    continue
                raise
            self._format = response_format
            choice = response.choices[0]
            return choice.message.content or "", response.usage, _mean_logprob(choice)
        raise TsfixError(
            f"{self.base_url} refused the structured-output request: {scrub(str(last))[:300]}",
            hint="the server must support response_format json_schema or json_object with a schema",
        )

    def candidates(self, ctx: FixContext) -> list[Candidate]:
        messages = build_messages(ctx, ctx.service.name.removeprefix("typescript-"))

        def sample(k: int) -> Candidate | None:
            started = time.perf_counter()
            try:
                content, usage, mean_logprob = self._ask(messages, 0.0 if k == 0 else 0.8, k)
            except TsfixError:
                raise
            except Exception as exc:  # a failed sample (after retries) is one candidate fewer
                self.failures.append(scrub(str(exc))[:200])
                return None
            parsed = edits_from_answer(ctx, content)
            if parsed is None or not parsed[0]:
                return None
            edits, explanation = parsed
            return Candidate(
                "openai",
                edits,
                explanation or "Model suggestion",
                model_name=self.model_name,
                mean_logprob=mean_logprob,
                of_samples=self.k,
                tokens_in=getattr(usage, "prompt_tokens", None),
                tokens_out=getattr(usage, "completion_tokens", None),
                latency_ms=int((time.perf_counter() - started) * 1000),
            )

        results = [sample(0)]  # the first sample also settles the structured-output form
        if self.k > 1:
            with ThreadPoolExecutor(max_workers=min(self.concurrency, self.k - 1)) as pool:
                results += list(pool.map(sample, range(1, self.k)))
        return [c for c in results if c is not None]

    def close(self) -> None:
        self.client.close()


def _mean_logprob(choice: Any) -> float | None:
    content = getattr(getattr(choice, "logprobs", None), "content", None)
    if not content:
        return None
    values = [t.logprob for t in content if getattr(t, "logprob", None) is not None]
    return sum(values) / len(values) if values else None
