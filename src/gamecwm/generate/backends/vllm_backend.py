"""vLLM for fast batched sampling on GPU machines (an optional extra: `pip install 'gamecwm[vllm]'`)."""

from __future__ import annotations

import time
from typing import Iterator

from gamecwm.generate.backends.base import BackendError, Generation, Messages, SamplingParams


class VLLMBackend:
    """Offline batched generation with vllm.LLM."""

    name = "vllm"

    def __init__(self, model: str, tensor_parallel_size: int = 1, gpu_memory_utilization: float = 0.85,
                 max_model_len: int | None = None) -> None:
        """Load the model (a local path or hub id) into vLLM."""
        try:
            import vllm
        except ImportError as exc:
            raise BackendError(
                "the vllm backend needs vLLM, which is not installed (it needs a GPU machine): "
                "pip install 'gamecwm[vllm]', or use --backend transformers or --backend openai"
            ) from exc
        self.model = model
        self._vllm = vllm
        self._llm = vllm.LLM(model=model, tensor_parallel_size=tensor_parallel_size,
                             gpu_memory_utilization=gpu_memory_utilization, max_model_len=max_model_len)

    def generate(self, prompts: list[Messages], seeds: list[int], params: SamplingParams) -> Iterator[tuple[int, Generation]]:
        """One batched call for all prompts; yields every (index, generation) when it returns (failures if it fails)."""
        started = time.perf_counter()
        sampling = [self._vllm.SamplingParams(temperature=params.temperature, top_p=params.top_p,
                                              max_tokens=params.max_tokens, seed=seed) for seed in seeds]
        try:
            outputs = self._llm.chat(prompts, sampling_params=sampling, use_tqdm=False)
        except (RuntimeError, ValueError) as exc:  # e.g. a prompt longer than the model's context
            error = f"sampling failed: {type(exc).__name__}: {exc}"[:500]
            for index in range(len(prompts)):
                yield index, Generation.failure(error, time.perf_counter() - started)
            return
        elapsed = (time.perf_counter() - started) / max(1, len(prompts))
        for index, output in enumerate(outputs):
            completion = output.outputs[0]
            yield index, Generation(completion.text, len(output.prompt_token_ids or []), len(completion.token_ids),
                                    elapsed)
