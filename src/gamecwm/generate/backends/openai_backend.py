"""Any OpenAI-compatible chat-completions endpoint (OpenAI, vLLM's server, llama.cpp, TGI, ...).

Requests run concurrently; the `openai` client retries rate limits (429), server errors (5xx) and
dropped connections with exponential backoff (honouring Retry-After), and a clear BackendError says
when the endpoint cannot be reached at all.
"""

from __future__ import annotations

import concurrent.futures
import os
import time
from typing import Any, Iterator

from gamecwm.generate.backends.base import BackendError, Generation, Messages, SamplingParams

DEFAULT_API_KEY_ENV = "OPENAI_API_KEY"


class OpenAIBackend:
    """Chat completions from an OpenAI-compatible endpoint."""

    name = "openai"

    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        api_key_env: str = DEFAULT_API_KEY_ENV,
        concurrency: int = 8,
        max_retries: int = 5,
        timeout_s: float = 600.0,
    ) -> None:
        """`base_url` defaults to the OPENAI_BASE_URL environment variable, then to OpenAI's API."""
        import openai

        self.model = model
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL")
        self.concurrency = max(1, concurrency)
        api_key = os.environ.get(api_key_env) or ("unused" if self.base_url else None)
        if api_key is None:
            raise BackendError(f"set the API key in the environment variable {api_key_env}")
        self._openai = openai
        self._client = openai.OpenAI(base_url=self.base_url, api_key=api_key, max_retries=max_retries,
                                     timeout=timeout_s)

    def _one(self, messages: Messages, seed: int, params: SamplingParams) -> Generation:
        started = time.perf_counter()
        try:
            response = self._client.chat.completions.create(
                model=self.model,
                messages=messages,  # type: ignore[arg-type]
                temperature=params.temperature,
                top_p=params.top_p,
                max_tokens=params.max_tokens,
                seed=seed,
            )
        except self._openai.APIConnectionError as exc:
            raise BackendError(f"cannot reach the endpoint {self.base_url or 'api.openai.com'}: {exc}") from exc
        except self._openai.APIStatusError as exc:
            raise BackendError(f"the endpoint answered {exc.status_code}: {exc.message}") from exc
        usage: Any = response.usage
        return Generation(
            text=response.choices[0].message.content or "",
            prompt_tokens=getattr(usage, "prompt_tokens", None),
            completion_tokens=getattr(usage, "completion_tokens", None),
            elapsed_s=time.perf_counter() - started,
        )

    def generate(self, prompts: list[Messages], seeds: list[int], params: SamplingParams) -> Iterator[tuple[int, Generation]]:
        """Concurrent requests; yields (index, generation) as each completes."""
        with concurrent.futures.ThreadPoolExecutor(self.concurrency) as executor:
            futures = {executor.submit(self._one, p, s, params): i for i, (p, s) in enumerate(zip(prompts, seeds))}
            try:
                for future in concurrent.futures.as_completed(futures):
                    yield futures[future], future.result()
            finally:
                for future in futures:
                    future.cancel()
