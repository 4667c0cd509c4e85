"""Fast CPU generation in-process with llama.cpp (an optional extra: `pip install 'gamecwm[llamacpp]'`, which
compiles llama.cpp from source in a few minutes).

The model is a GGUF file: a known model's name (`gamecwm models fetch`), a GGUF path, or a transformers
folder of the Qwen2 family (converted to GGUF on first use). Prompts are formatted with the chat template
stored in the GGUF file. A prompt that does not fit the context fails alone (a failed generation); the
others go on. One model is shared by every caller and used by one call at a time; each
completion starts from an empty context, so a seed gives the same completion whatever ran before.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator

from gamecwm.generate.backends.base import BackendError, Generation, Messages, SamplingParams
from gamecwm.models.convert import ConversionError
from gamecwm.models.resolve import ModelNotFoundError, resolve_gguf

INSTALL_HINT = "pip install 'gamecwm[llamacpp]' (it compiles llama.cpp, about 5 minutes)"


def _note(message: str) -> None:
    print(message, file=sys.stderr)


class LlamaCppBackend:
    """Chat completions from a GGUF model with llama-cpp-python."""

    name = "llamacpp"

    def __init__(self, model: str, context_length: int = 0, threads: int | None = None) -> None:
        """Load the GGUF model; `context_length` 0 means the model's own (prompt and completion share it);
        `threads` defaults to llama-cpp-python's choice (half the logical cores)."""
        try:
            import llama_cpp
        except ImportError as exc:
            raise BackendError(f"the llamacpp backend needs llama-cpp-python, which is not installed: "
                               f"{INSTALL_HINT}") from exc
        try:
            self.path = resolve_gguf(model, progress=_note)
        except (ModelNotFoundError, ConversionError) as exc:
            raise BackendError(str(exc)) from exc
        self.model = model
        self._lock = threading.Lock()
        try:
            self._llm = llama_cpp.Llama(model_path=str(self.path), n_ctx=context_length, n_threads=threads,
                                        verbose=False)
        except (ValueError, RuntimeError) as exc:
            raise BackendError(f"llama.cpp cannot load {self.path}: {exc}") from exc

    def _one(self, messages: Messages, seed: int, params: SamplingParams) -> Generation:
        started = time.perf_counter()
        with self._lock:
            self._llm.reset()
            try:
                response = self._llm.create_chat_completion(
                    messages=messages,  # type: ignore[arg-type]
                    temperature=params.temperature,
                    top_p=params.top_p,
                    max_tokens=params.max_tokens,
                    seed=seed,
                )
            except ValueError as exc:  # this prompt and max_tokens do not fit the context
                return Generation.failure(f"{exc}; lower --max-tokens", time.perf_counter() - started)
        usage = response.get("usage") or {}
        return Generation(
            text=response["choices"][0]["message"].get("content") or "",
            prompt_tokens=usage.get("prompt_tokens"),
            completion_tokens=usage.get("completion_tokens"),
            elapsed_s=time.perf_counter() - started,
        )

    def generate(self, prompts: list[Messages], seeds: list[int], params: SamplingParams) -> Iterator[tuple[int, Generation]]:
        """One completion at a time, in order; yields (index, generation) as each finishes."""
        for index, (messages, seed) in enumerate(zip(prompts, seeds)):
            yield index, self._one(messages, seed, params)
