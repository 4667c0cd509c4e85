"""Loading models for training, LoRA adapters, checkpoints to resume from, and merging adapters.

A model is named as everywhere else (`gamecwm.models.resolve`): a known model's name, a local
transformers folder, or a hub id; a name that resolves to nothing is a ValueError saying what to do.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FINAL_DIR = "final"


def local_only(model: str) -> bool:
    """True when the model must not be downloaded: a local folder, or HF_HUB_OFFLINE=1."""
    return Path(model).is_dir() or os.environ.get("HF_HUB_OFFLINE") == "1"


def load_tokenizer(model: str):
    """The model's tokenizer, with a pad token (the EOS token when it has none)."""
    from transformers import AutoTokenizer

    from gamecwm.models.resolve import resolve_hf

    model = resolve_hf(model)
    try:
        tokenizer = AutoTokenizer.from_pretrained(model, local_files_only=local_only(model))
    except OSError as exc:
        raise ValueError(f"cannot load the tokenizer of {model!r}: {exc}") from exc
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_model(model: str, dtype: str = "auto"):
    """The causal LM at a local path or hub id (never downloaded for a local path)."""
    from transformers import AutoModelForCausalLM

    from gamecwm.models.resolve import resolve_hf

    model = resolve_hf(model)
    try:
        return AutoModelForCausalLM.from_pretrained(model, local_files_only=local_only(model), dtype=dtype)
    except OSError as exc:
        raise ValueError(f"cannot load the model {model!r}: {exc}") from exc


def lora_config(rank: int, alpha: int, dropout: float, target_modules: str | list[str]):
    """A PEFT LoRA config for a causal LM."""
    from peft import LoraConfig

    return LoraConfig(r=rank, lora_alpha=alpha, lora_dropout=dropout, target_modules=target_modules,
                      task_type="CAUSAL_LM")


@dataclass(frozen=True)
class LoraSettings:
    """The LoRA settings of a training run's config (SFT and GRPO alike); `use_lora` off trains every weight."""

    use_lora: bool = True
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    lora_target_modules: str | list[str] = "all-linear"

    def peft_config(self):
        """The PEFT LoRA config to train with, or None for full fine-tuning."""
        if not self.use_lora:
            return None
        return lora_config(self.lora_r, self.lora_alpha, self.lora_dropout, self.lora_target_modules)


def latest_checkpoint(out_dir: Path) -> Path | None:
    """The newest `checkpoint-N` folder under `out_dir`, if any."""
    checkpoints = [p for p in Path(out_dir).glob("checkpoint-*") if p.is_dir() and p.name.split("-")[-1].isdigit()]
    return max(checkpoints, key=lambda p: int(p.name.split("-")[-1]), default=None)


def resume_argument(out_dir: Path, resume: bool) -> str | None:
    """What to pass as `resume_from_checkpoint`: the latest checkpoint when resuming and one exists."""
    checkpoint = latest_checkpoint(out_dir) if resume else None
    return str(checkpoint) if checkpoint else None


def save_final(model: Any, tokenizer: Any, out_dir: Path) -> Path:
    """Save a plain (adapter merged) model and its tokenizer to `out_dir/final`, ready for later stages."""
    final = Path(out_dir) / FINAL_DIR
    if hasattr(model, "merge_and_unload"):
        model = model.merge_and_unload()
    model.save_pretrained(final)
    tokenizer.save_pretrained(final)
    return final


TRAINING_FIELDS = ("learning_rate", "max_steps", "per_device_train_batch_size", "gradient_accumulation_steps", "bf16",
                   "gradient_checkpointing", "logging_steps", "save_steps", "save_total_limit", "report_to", "seed")


def config_values(config: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """The named fields of a config, as keyword arguments for a library class whose arguments share their names."""
    return {name: getattr(config, name) for name in names}


def training_settings(config: Any, out_dir: Path) -> dict[str, Any]:
    """The transformers TrainingArguments that SFT and GRPO runs set the same way, from a run config."""
    import torch

    return {
        "output_dir": str(out_dir),
        **config_values(config, TRAINING_FIELDS),
        "save_strategy": "steps",
        "disable_tqdm": True,
        "dataloader_pin_memory": torch.cuda.is_available(),
    }


def summarize_steps(trainer: Any, log: Callable[[str], None]) -> None:
    """Have `trainer` report each logged step as one line through `log` instead of printing its log dicts."""
    from transformers.trainer_callback import PrinterCallback, ProgressCallback

    trainer.remove_callback(PrinterCallback)
    trainer.remove_callback(ProgressCallback)
    trainer.add_callback(_step_summary_callback(log))


def quiet_progress_bars() -> None:
    """Turn off, in this process, the progress bars datasets and transformers draw while preparing a run."""
    import datasets
    import transformers

    datasets.disable_progress_bars()
    transformers.utils.logging.disable_progress_bar()


# The logged values a step's summary shows, and their names there, in this order.
SUMMARY_KEYS = (("loss", "loss"), ("eval_loss", "held-out loss"), ("reward", "reward"),
                ("rewards/verifier_score/mean", "verifier score"), ("rewards/partial_credit/mean", "partial credit"))


def step_summary(logs: dict[str, Any], step: int, max_steps: int, seconds: float) -> str | None:
    """One line for a trainer's log entry (`step 2/3: loss 1.063 (61 s)`), None for entries with nothing to show."""
    shown = [f"{label} {logs[key]:.4g}" for key, label in SUMMARY_KEYS if isinstance(logs.get(key), (int, float))]
    if not shown:
        return None
    position = f"step {step}/{max_steps}" if max_steps else "before training"
    return f"{position}: {', '.join(shown)} ({seconds:.0f} s)"


def _step_summary_callback(log: Callable[[str], None]) -> Any:
    import time

    from transformers import TrainerCallback

    class StepSummary(TrainerCallback):
        """Reports each logged step through `log`, with the seconds since the previous report."""

        def __init__(self) -> None:
            self.last = time.perf_counter()

        def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None,
                   **kwargs: Any) -> None:
            now = time.perf_counter()
            line = step_summary(logs or {}, state.global_step, state.max_steps, now - self.last)
            if line is not None:
                log(line)
                self.last = now

    return StepSummary()
