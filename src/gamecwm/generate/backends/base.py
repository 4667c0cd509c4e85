"""The interface every generation backend implements, and the factory that picks one by name."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Iterator, Protocol

Messages = list[dict[str, str]]
BACKEND_NAMES = ("transformers", "openai", "vllm", "llamacpp")


class BackendError(RuntimeError):
    """A backend cannot do its job (endpoint unreachable, model not found, package missing)."""


@dataclass(frozen=True)
class SamplingParams:
    """How to sample a completion."""

    temperature: float = 0.7
    top_p: float = 0.95
    max_tokens: int = 4096

    def __post_init__(self) -> None:
        if self.temperature < 0:
            raise ValueError("temperature must be >= 0")
        if not 0 < self.top_p <= 1:
            raise ValueError("top_p must be in (0, 1]")
        if self.max_tokens < 1:
            raise ValueError("max_tokens must be positive")

    def to_json(self) -> dict[str, Any]:
        """Plain-data form, recorded with every sample."""
        return asdict(self)


@dataclass
class Generation:
    """One sampled completion, or the error that kept a prompt from getting one (then `text` is empty)."""

    text: str
    prompt_tokens: int | None
    completion_tokens: int | None
    elapsed_s: float
    error: str | None = None

    @classmethod
    def failure(cls, error: str, elapsed_s: float = 0.0) -> Generation:
        """A prompt whose request failed: the error in one line, no text."""
        return cls("", None, None, elapsed_s, " ".join(error.split()))


class Backend(Protocol):
    """Samples completions for chat prompts."""

    name: str
    model: str

    def generate(self, prompts: list[Messages], seeds: list[int], params: SamplingParams) -> Iterator[tuple[int, Generation]]:
        """Sample one completion per prompt (prompt i with seed i); yields (index, generation) as each finishes.

        A prompt whose request fails is yielded as `Generation.failure(...)`; the other prompts go on. A
        BackendError is raised only when the backend cannot work at all (after yielding what finished).
        """
        ...


def make_backend(name: str, model: str, **options: Any) -> Backend:
    """A backend by name: `transformers`, `openai`, `vllm` or `llamacpp` (options are passed to its constructor).

    For the local backends a model may also be a known model's name (see `gamecwm models list`)."""
    if name == "llamacpp":
        from gamecwm.generate.backends.llamacpp_backend import LlamaCppBackend

        return LlamaCppBackend(model, **options)
    if name in ("transformers", "vllm"):
        from gamecwm.models.resolve import ModelNotFoundError, resolve_hf

        try:
            model = resolve_hf(model)
        except ModelNotFoundError as exc:
            raise BackendError(str(exc)) from exc
    if name == "openai":
        from gamecwm.generate.backends.openai_backend import OpenAIBackend

        return OpenAIBackend(model, **options)
    if name == "transformers":
        from gamecwm.generate.backends.transformers_backend import TransformersBackend

        return TransformersBackend(model, **options)
    if name == "vllm":
        from gamecwm.generate.backends.vllm_backend import VLLMBackend

        return VLLMBackend(model, **options)
    raise ValueError(f"unknown backend {name!r}; choose one of {', '.join(BACKEND_NAMES)}")
