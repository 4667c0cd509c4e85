"""Local sampling with transformers: a local path or hub id, batched, seeded.

Weights load from wherever transformers finds them (a local folder, or the local cache for a hub id);
with HF_HUB_OFFLINE=1, or when `model` is a local folder, no download is attempted.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Iterator

from gamecwm.generate.backends.base import BackendError, Generation, Messages, SamplingParams


class TransformersBackend:
    """Batched sampling from a causal language model with a chat template."""

    name = "transformers"

    def __init__(self, model: str, batch_size: int = 8, device: str | None = None, dtype: str = "auto") -> None:
        """Load the tokenizer and model; a clear BackendError when they cannot be found."""
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.model = model
        self.batch_size = max(1, batch_size)
        self._torch = torch
        if looks_like_a_path(model) and not Path(model).is_dir():
            raise BackendError(f"no such model folder: {model} (give a folder holding a transformers model, "
                               "e.g. one written by `gamecwm tiny-model` or `gamecwm train`, or a hub id)")
        local_only = Path(model).is_dir() or os.environ.get("HF_HUB_OFFLINE") == "1"
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(model, local_files_only=local_only)
            self.network = AutoModelForCausalLM.from_pretrained(model, local_files_only=local_only, dtype=dtype)
        except (OSError, ValueError) as exc:
            raise BackendError(f"cannot load the model {model!r}: {' '.join(str(exc).split())[:300]}") from exc
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.network.to(self.device)
        self.network.eval()
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token

    def generate(self, prompts: list[Messages], seeds: list[int], params: SamplingParams) -> Iterator[tuple[int, Generation]]:
        """Sample in batches; each batch is seeded with the seed of its first prompt.

        A batch that fails (a prompt too long for the model, memory) is a failure of each of its prompts.
        """
        for start in range(0, len(prompts), self.batch_size):
            batch = list(range(start, min(start + self.batch_size, len(prompts))))
            started = time.perf_counter()
            try:
                generations = self._batch(prompts, seeds, batch, params)
            except (RuntimeError, ValueError, IndexError) as exc:
                error = f"sampling failed: {type(exc).__name__}: {exc}"
                generations = [Generation.failure(error[:500], time.perf_counter() - started) for _ in batch]
            yield from zip(batch, generations)

    def _batch(self, prompts: list[Messages], seeds: list[int], batch: list[int],
               params: SamplingParams) -> list[Generation]:
        """One batch of prompts sampled together."""
        started = time.perf_counter()
        texts = [self.tokenizer.apply_chat_template(prompts[i], tokenize=False, add_generation_prompt=True)
                 for i in batch]
        encoded = self.tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False).to(self.device)
        self._torch.manual_seed(seeds[batch[0]])
        sampling = params.temperature > 0
        with self._torch.no_grad():
            output = self.network.generate(
                **encoded,
                do_sample=sampling,
                temperature=params.temperature if sampling else None,
                top_p=params.top_p if sampling else None,
                max_new_tokens=params.max_tokens,
                pad_token_id=self.tokenizer.pad_token_id,
            )
        elapsed = (time.perf_counter() - started) / len(batch)
        prompt_length = encoded["input_ids"].shape[1]
        generations = []
        for row in range(len(batch)):
            new_tokens = output[row, prompt_length:]
            completion_tokens = int((new_tokens != self.tokenizer.pad_token_id).sum())
            text = self.tokenizer.decode(new_tokens, skip_special_tokens=True)
            prompt_tokens = int(encoded["attention_mask"][row].sum())
            generations.append(Generation(text, prompt_tokens, completion_tokens, elapsed))
        return generations


def looks_like_a_path(model: str) -> bool:
    """True when a model name is meant as a local folder (starts with . / ~, or is an absolute path)."""
    return model.startswith((".", "/", "~")) or Path(model).is_absolute() or model.count("/") > 1
