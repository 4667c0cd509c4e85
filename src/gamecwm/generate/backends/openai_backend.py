"""Any OpenAI-compatible chat-completions endpoint (OpenAI, vLLM's server, llama.cpp, TGI, ...).

Requests run concurrently. The `openai` client retries rate limits (429, honouring Retry-After),
server errors (5xx), timeouts and dropped connections with exponential backoff; a malformed body,
empty `choices` or an empty completion is retried here the same number of times. A request that
still fails is that prompt's failure (`Generation.failure`) and the others go on; only an endpoint
that cannot be reached at all stops the run, with a BackendError, after every finished request is
handed back.
"""

from __future__ import annotations

import concurrent.futures
import os
import time
from typing import Any, Iterator

from gamecwm.generate.backends.base import BackendError, Generation, Messages, SamplingParams

DEFAULT_API_KEY_ENV = "OPENAI_API_KEY"
DEFAULT_TIMEOUT_S = 600.0


def completion_text(response: Any) -> tuple[str | None, str | None]:
    """(text, None) for a response carrying a non-empty completion, else (None, what is wrong with it)."""
    choices = getattr(response, "choices", None)
    if not isinstance(choices, list):
        return None, f"malformed response: expected a chat completion, got {type(response).__name__}"
    if not choices:
        return None, "the endpoint returned no choices"
    text = getattr(getattr(choices[0], "message", None), "content", None)
    if not isinstance(text, str) or not text.strip():
        return None, "the endpoint returned an empty completion"
    return text, None


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
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        """`base_url` defaults to the OPENAI_BASE_URL environment variable, then to OpenAI's API."""
        import openai

        if concurrency < 1 or max_retries < 0 or not timeout_s > 0:
            raise ValueError("concurrency must be >= 1, max_retries >= 0 and the timeout > 0")
        self.model = model
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL")
        self.concurrency = concurrency
        self.max_retries = max_retries
        self.timeout_s = timeout_s
        api_key = os.environ.get(api_key_env) or ("unused" if self.base_url else None)
        if api_key is None:
            raise BackendError(f"set the API key in the environment variable {api_key_env}")
        self._openai = openai
        self._client = openai.OpenAI(base_url=self.base_url, api_key=api_key, max_retries=max_retries,
                                     timeout=timeout_s)

    def _request(self, messages: Messages, seed: int, params: SamplingParams) -> Any:
        return self._client.chat.completions.create(
            model=self.model,
            messages=messages,  # type: ignore[arg-type]
            temperature=params.temperature,
            top_p=params.top_p,
            max_tokens=params.max_tokens,
            seed=seed,
        )

    def _one(self, messages: Messages, seed: int, params: SamplingParams) -> Generation:
        started = time.perf_counter()
        problem = ""
        for _ in range(self.max_retries + 1):
            try:
                response = self._request(messages, seed, params)
            except self._openai.APITimeoutError:
                return Generation.failure(f"no answer within {self.timeout_s:g}s (raise --timeout if the "
                                          "endpoint is just slow)", time.perf_counter() - started)
            except self._openai.APIConnectionError as exc:
                raise BackendError(f"cannot reach the endpoint {self.base_url or 'api.openai.com'}: {exc}") from exc
            except self._openai.APIStatusError as exc:
                return Generation.failure(f"the endpoint answered {exc.status_code}: {exc.message}",
                                          time.perf_counter() - started)
            except (self._openai.APIResponseValidationError, ValueError) as exc:
                problem = f"malformed response: {exc}"
                continue
            text, problem = completion_text(response)
            if text is not None:
                usage: Any = getattr(response, "usage", None)
                return Generation(text, getattr(usage, "prompt_tokens", None),
                                  getattr(usage, "completion_tokens", None), time.perf_counter() - started)
        tries = self.max_retries + 1
        return Generation.failure(f"{problem} ({tries} {'try' if tries == 1 else 'tries'})",
                                  time.perf_counter() - started)

    def generate(self, prompts: list[Messages], seeds: list[int], params: SamplingParams) -> Iterator[tuple[int, Generation]]:
        """Concurrent requests; yields (index, generation) as each completes, failures included."""
        unreachable: BackendError | None = None
        with concurrent.futures.ThreadPoolExecutor(self.concurrency) as executor:
            futures = {executor.submit(self._one, p, s, params): i for i, (p, s) in enumerate(zip(prompts, seeds))}
            try:
                for future in concurrent.futures.as_completed(futures):
                    if future.cancelled():
                        continue
                    try:
                        yield futures[future], future.result()
                    except BackendError as exc:
                        unreachable = unreachable or exc
                        for pending in futures:  # requests not sent yet would fail alike
                            pending.cancel()
            finally:
                for future in futures:
                    future.cancel()
        if unreachable is not None:
            raise unreachable
