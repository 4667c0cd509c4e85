"""Supervised fine-tuning on (prompt, program) pairs with TRL's `SFTTrainer`.

The loss covers the completion only (the program), never the prompt. Training follows the dataset's
curriculum order (sequential sampling, no shuffling across tiers) unless `curriculum` is off. LoRA
(PEFT) or full fine-tuning; checkpoints every `save_steps`, and a rerun into the same folder resumes
from the latest one. The result is saved with its adapter merged to `OUT/final`, a plain model that
GRPO, generation and evaluation load like any other.

Before training, every row is tokenized as TRL will tokenize it and measured against `max_length`: a row
longer than it loses the end of its program (truncated), and a row whose prompt alone fills it has no
program left (TRL drops it). The counts are printed, saved with the run (`gamecwm_sft_lengths.json`) and
returned; `long_rows: refuse` stops before training when any row would be cut, `warn` (the default)
says so loudly and trains.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from gamecwm.train.data import load_rows
from gamecwm.train.models import (
    FINAL_DIR,
    LoraSettings,
    config_values,
    load_model,
    load_tokenizer,
    quiet_progress_bars,
    resume_argument,
    save_final,
    summarize_steps,
    training_settings,
)

LONG_ROW_POLICIES = ("warn", "refuse")
LENGTHS_FILE = "gamecwm_sft_lengths.json"
# SFTRunConfig's fields that SFTConfig takes under the same names (besides the TrainingArguments ones).
SFT_FIELDS = ("num_train_epochs", "max_length", "warmup_steps", "lr_scheduler_type", "weight_decay")


@dataclass(frozen=True)
class RowLengths:
    """How the SFT rows fit `max_length`: each row's prompt and prompt + program lengths in tokens."""

    max_length: int | None
    prompt_tokens: list[int]
    total_tokens: list[int]

    @property
    def rows(self) -> int:
        """Rows in the dataset."""
        return len(self.total_tokens)

    @property
    def fitting(self) -> int:
        """Rows trained on whole."""
        return sum(self._fits(total) for total in self.total_tokens)

    @property
    def dropped(self) -> int:
        """Rows whose prompt alone fills max_length: no program token is left, so they are not trained on."""
        if self.max_length is None:
            return 0
        return sum(prompt >= self.max_length for prompt in self.prompt_tokens)

    @property
    def truncated(self) -> int:
        """Rows trained on with the end of their program cut off."""
        return self.rows - self.fitting - self.dropped

    @property
    def tokens_cut(self) -> int:
        """Program tokens lost to truncation and dropping, over all rows."""
        if self.max_length is None:
            return 0
        return sum(total - max(prompt, min(total, self.max_length))
                   for prompt, total in zip(self.prompt_tokens, self.total_tokens))

    @property
    def program_tokens(self) -> int:
        """Program tokens in the dataset."""
        return sum(total - prompt for prompt, total in zip(self.prompt_tokens, self.total_tokens))

    def _fits(self, tokens: int) -> bool:
        return self.max_length is None or tokens <= self.max_length

    def describe(self) -> str:
        """One line: how many rows fit, are truncated or dropped, and the program tokens cut."""
        limit = "no max_length" if self.max_length is None else f"max_length={self.max_length}"
        text = (f"SFT data: {self.rows} rows of {min(self.total_tokens, default=0)} to "
                f"{max(self.total_tokens, default=0)} tokens; {self.fitting} fit {limit}")
        if self.fitting < self.rows:
            text += (f", {self.truncated} are truncated and {self.dropped} dropped (prompt alone too long): "
                     f"{self.tokens_cut:,} of {self.program_tokens:,} program tokens cut; a max_length of "
                     f"{max(self.total_tokens)} fits every row")
        return text

    def to_json(self) -> dict[str, Any]:
        """Plain-data form, saved with the run."""
        return {"max_length": self.max_length, "rows": self.rows, "fitting": self.fitting,
                "truncated": self.truncated, "dropped": self.dropped, "tokens_cut": self.tokens_cut,
                "program_tokens": self.program_tokens, "prompt_tokens": self.prompt_tokens,
                "total_tokens": self.total_tokens}


def measure_rows(tokenizer: Any, rows: list[dict[str, Any]], max_length: int | None) -> RowLengths:
    """Tokenize each conversational row as TRL's SFTTrainer does (the prompt with the generation prompt, then
    prompt + completion) and measure it against `max_length`."""
    def tokens(messages: list[dict[str, str]], **options: Any) -> int:
        return len(tokenizer.apply_chat_template(messages, tokenize=True, return_dict=True, **options)["input_ids"])

    prompts = [tokens(row["prompt"], add_generation_prompt=True) for row in rows]
    totals = [tokens(row["prompt"] + row["completion"]) for row in rows]
    return RowLengths(max_length, prompts, totals)


@dataclass(frozen=True)
class SFTRunConfig(LoraSettings):
    """Our SFT settings (the `sft` section of a config file, LoRA's included); `to_trl` maps them onto TRL's
    SFTConfig."""

    learning_rate: float = 2e-4
    num_train_epochs: float = 1.0
    max_steps: int = -1  # > 0 overrides num_train_epochs
    per_device_train_batch_size: int = 1
    gradient_accumulation_steps: int = 1
    max_length: int | None = 8192  # prompt + completion tokens; longer examples lose their end
    warmup_steps: float = 0.0  # a number of steps, or a fraction of training below 1
    lr_scheduler_type: str = "cosine"
    weight_decay: float = 0.0
    bf16: bool = False
    gradient_checkpointing: bool = False
    curriculum: bool = True  # keep the dataset's tier order; False shuffles
    logging_steps: int = 1
    save_steps: int = 50
    save_total_limit: int | None = 2
    dtype: str = "auto"  # how the model's weights are loaded: auto, float32, bfloat16
    long_rows: str = "warn"  # rows longer than max_length: warn (and train on what fits) or refuse
    report_to: str = "none"
    seed: int = 0
    trl_overrides: dict[str, Any] = field(default_factory=dict)  # any other SFTConfig argument

    def __post_init__(self) -> None:
        for name in ("lora_r", "lora_alpha", "per_device_train_batch_size", "gradient_accumulation_steps",
                     "logging_steps", "save_steps"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.learning_rate <= 0:
            raise ValueError("learning_rate must be positive")
        if self.max_steps <= 0 and self.num_train_epochs <= 0:
            raise ValueError("give a positive num_train_epochs or max_steps")
        if self.max_length is not None and self.max_length < 16:
            raise ValueError("max_length must be at least 16 tokens")
        if not 0 <= self.lora_dropout < 1:
            raise ValueError("lora_dropout must be in [0, 1)")
        if self.dtype not in ("auto", "float32", "bfloat16", "float16"):
            raise ValueError("dtype must be auto, float32, bfloat16 or float16")
        if self.long_rows not in LONG_ROW_POLICIES:
            raise ValueError(f"long_rows must be one of {', '.join(LONG_ROW_POLICIES)}")

    def to_trl(self, out_dir: Path):
        """TRL's SFTConfig for a run writing to `out_dir`: completion-only loss, curriculum sampling."""
        from trl import SFTConfig

        settings: dict[str, Any] = dict(
            **training_settings(self, out_dir),
            completion_only_loss=True,
            shuffle_dataset=False,
            train_sampling_strategy="sequential" if self.curriculum else "random",
            **config_values(self, SFT_FIELDS),
            dataset_num_proc=None,
        )
        settings.update(self.trl_overrides)  # the config's trl_overrides win over our mapping
        return SFTConfig(**settings)


@dataclass
class TrainResult:
    """Where a training run left its model, and what it logged."""

    final_model: Path
    steps: int
    log_history: list[dict[str, Any]]
    lengths: RowLengths | None = None
    held_out_loss_before: float | None = None  # mean completion loss on the held-out rows, before training
    held_out_loss_after: float | None = None  # the same, after

    def losses(self) -> list[float]:
        """The training losses logged along the way."""
        return [entry["loss"] for entry in self.log_history if "loss" in entry]


def _pairs(rows: list[dict[str, Any]]) -> Any:
    from datasets import Dataset

    return Dataset.from_list([{"prompt": r["prompt"], "completion": r["completion"]} for r in rows])


def run_sft(model: str, data_dir: Path, out_dir: Path, config: SFTRunConfig | None = None,
            resume: bool = True, held_out: list[dict[str, Any]] | None = None,
            log: Callable[[str], None] | None = None) -> TrainResult:
    """Fine-tune `model` on the SFT dataset in `data_dir`; checkpoints and the merged model go to `out_dir`.

    `held_out` rows (the dataset's format), when given, are scored before and after training: the mean
    completion loss on them is returned. `log`, when given, receives one line per logged step instead of
    the trainer's printed log dicts, and the line on how the rows fit `max_length`.
    """
    from trl import SFTTrainer

    config = config or SFTRunConfig()
    out_dir = Path(out_dir)
    say = log or (lambda line: print(line, file=sys.stderr))
    if log is not None:
        quiet_progress_bars()
    rows = load_rows(data_dir)
    tokenizer = load_tokenizer(model)
    lengths = measure_rows(tokenizer, rows, config.max_length)
    if lengths.dropped == lengths.rows:
        raise ValueError(f"every example's prompt is longer than max_length={config.max_length} tokens: "
                         "raise max_length or use a shorter prompt template")
    if lengths.fitting < lengths.rows:
        if config.long_rows == "refuse":
            raise ValueError(lengths.describe() + "; raise max_length, or set long_rows: warn to train anyway")
        say(f"WARNING: {lengths.describe()}")
    else:
        say(lengths.describe())
    args = config.to_trl(out_dir)
    if held_out:
        args.per_device_eval_batch_size = 1
        args.prediction_loss_only = True  # a causal LM's logits over a whole program would only cost memory
    trainer = SFTTrainer(
        model=load_model(model, config.dtype),
        args=args,
        train_dataset=_pairs(rows),
        eval_dataset=_pairs(held_out) if held_out else None,
        processing_class=tokenizer,
        peft_config=config.peft_config(),
    )
    if log is not None:
        summarize_steps(trainer, log)
    loss_before = trainer.evaluate()["eval_loss"] if held_out else None
    trainer.train(resume_from_checkpoint=resume_argument(out_dir, resume))
    loss_after = trainer.evaluate()["eval_loss"] if held_out else None
    final = out_dir / FINAL_DIR
    if trainer.accelerator.is_main_process:
        (out_dir / "gamecwm_sft_config.json").write_text(_json(asdict(config)))
        (out_dir / "log_history.json").write_text(_json(trainer.state.log_history))
        (out_dir / LENGTHS_FILE).write_text(_json(lengths.to_json()))
        save_final(trainer.model, tokenizer, out_dir)
    return TrainResult(final, trainer.state.global_step, list(trainer.state.log_history), lengths, loss_before,
                       loss_after)


def _json(data: Any) -> str:
    import json

    return json.dumps(data, indent=2) + "\n"
