"""Reinforcement learning with verifiable rewards: TRL's `GRPOTrainer` with the verifier as reward.

Prompts are the training games' prompts (never a test game's), ordered by curriculum tier and fed
in that order (no shuffling) unless `curriculum` is off. The reward is the verification score plus
`partial_credit_weight` times partial credit; each verifier tier's score is logged beside the total
(`rewards/tier_<name>/mean`). A completion the sandbox failed to judge gets no reward at all (see
`gamecwm.train.rewards`). LoRA or full fine-tuning, checkpoints and resume as for SFT; the result is
saved with its adapter merged to `OUT/final`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from gamecwm.games import get_game
from gamecwm.generate.prompts import DEFAULT_TEMPLATE, build_messages, get_template
from gamecwm.generate.run import select_games
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
from gamecwm.train.rewards import RewardSuite, VerifierReward
from gamecwm.train.sft import TrainResult

# GRPORunConfig's fields that GRPOConfig takes under the same names (besides the TrainingArguments ones).
GRPO_FIELDS = ("num_generations", "max_completion_length", "temperature", "top_p", "beta", "loss_type", "use_vllm")


@dataclass(frozen=True)
class GRPORunConfig(LoraSettings):
    """Our GRPO settings (the `grpo` section of a config file, LoRA's included); `to_trl` maps them onto TRL's
    GRPOConfig."""

    games: str = "train"  # train, or comma-separated training games
    template: str = DEFAULT_TEMPLATE
    prompts_per_game: int = 8  # how often each game's prompt appears in one pass over the curriculum
    curriculum: bool = True  # tier 1 games first, then tier 2, ...; False shuffles
    partial_credit_weight: float = 0.1
    learning_rate: float = 1e-5
    max_steps: int = 200
    num_generations: int = 8  # the group size
    per_device_train_batch_size: int = 8  # completions per device and step (a multiple of the group size)
    gradient_accumulation_steps: int = 1
    max_completion_length: int = 4096
    temperature: float = 1.0
    top_p: float = 1.0
    beta: float = 0.0  # KL coefficient; 0 loads no reference model
    loss_type: str = "dapo"
    use_vllm: bool = False
    vllm_mode: str = "colocate"
    vllm_gpu_memory_utilization: float = 0.3
    bf16: bool = False
    gradient_checkpointing: bool = False
    logging_steps: int = 1
    save_steps: int = 50
    save_total_limit: int | None = 2
    dtype: str = "auto"
    report_to: str = "none"
    seed: int = 0
    verify_seed: int = 0  # the run's verification seed; each step draws its own from it (fresh_verify_seeds)
    fresh_verify_seeds: bool = True
    verifier_workers: int | None = None  # sandbox workers (default: one per core)
    trl_overrides: dict[str, Any] = field(default_factory=dict)  # any other GRPOConfig argument

    def __post_init__(self) -> None:
        for name in ("prompts_per_game", "lora_r", "lora_alpha", "max_steps", "per_device_train_batch_size",
                     "gradient_accumulation_steps", "max_completion_length", "logging_steps", "save_steps"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.num_generations < 2:
            raise ValueError("num_generations (the group size) must be at least 2")
        if (self.per_device_train_batch_size * self.gradient_accumulation_steps) % self.num_generations:
            raise ValueError("per_device_train_batch_size x gradient_accumulation_steps must be a multiple of "
                             "num_generations")
        if self.learning_rate <= 0 or self.temperature <= 0:
            raise ValueError("learning_rate and temperature must be positive")
        if self.partial_credit_weight < 0 or self.beta < 0:
            raise ValueError("partial_credit_weight and beta must be non-negative")
        if self.vllm_mode not in ("colocate", "server"):
            raise ValueError("vllm_mode must be colocate or server")
        if self.dtype not in ("auto", "float32", "bfloat16", "float16"):
            raise ValueError("dtype must be auto, float32, bfloat16 or float16")
        get_template(self.template)

    def to_trl(self, out_dir: Path, reward_weights: list[float]):
        """TRL's GRPOConfig for a run writing to `out_dir`."""
        from trl import GRPOConfig

        vllm = {"vllm_mode": self.vllm_mode, "vllm_gpu_memory_utilization": self.vllm_gpu_memory_utilization} \
            if self.use_vllm else {}
        settings: dict[str, Any] = dict(
            **training_settings(self, out_dir),
            shuffle_dataset=not self.curriculum,
            reward_weights=reward_weights,
            **config_values(self, GRPO_FIELDS),
            **vllm,
        )
        settings.update(self.trl_overrides)  # the config's trl_overrides win over our mapping
        return GRPOConfig(**settings)


def prompt_rows(games: str = "train", template: str = DEFAULT_TEMPLATE, prompts_per_game: int = 1,
                curriculum: bool = True) -> list[dict[str, Any]]:
    """GRPO prompts `{"prompt", "game", "tier"}` for training games, lowest curriculum tier first.

    Within a tier, games take turns (a, b, a, b, ...) so consecutive steps see different games.
    """
    names = select_games(games)
    not_training = [n for n in names if get_game(n).split != "train"]
    if not_training:
        raise ValueError(f"GRPO trains on training games only; not training games: {', '.join(not_training)}")
    rows = []
    for tier in sorted({get_game(n).tier for n in names}) if curriculum else [None]:
        in_tier = [n for n in names if tier is None or get_game(n).tier == tier]
        for _ in range(prompts_per_game):
            rows += [{"prompt": build_messages(n, template), "game": n, "tier": get_game(n).tier} for n in in_tier]
    return rows


def run_grpo(model: str, out_dir: Path, config: GRPORunConfig | None = None, resume: bool = True,
             rewards: RewardSuite | None = None, log: Callable[[str], None] | None = None) -> TrainResult:
    """Train `model` with GRPO on the training games' prompts; checkpoints and the merged model go to `out_dir`.

    `log`, when given, receives one line per logged step instead of the trainer's printed log dicts.
    """
    from datasets import Dataset
    from trl import GRPOTrainer

    config = config or GRPORunConfig()
    out_dir = Path(out_dir)
    rewards = rewards or RewardSuite(VerifierReward(workers=config.verifier_workers, seed=config.verify_seed,
                                                    fresh_seeds=config.fresh_verify_seeds))
    if log is not None:
        quiet_progress_bars()
    dataset = Dataset.from_list(prompt_rows(config.games, config.template, config.prompts_per_game,
                                            config.curriculum))
    tokenizer = load_tokenizer(model)
    trainer = GRPOTrainer(
        model=load_model(model, config.dtype),
        reward_funcs=rewards.functions(),
        args=config.to_trl(out_dir, RewardSuite.weights(config.partial_credit_weight)),
        train_dataset=dataset,
        processing_class=tokenizer,
        peft_config=config.peft_config(),
    )
    if log is not None:
        summarize_steps(trainer, log)
    try:
        trainer.train(resume_from_checkpoint=resume_argument(out_dir, resume))
    finally:
        rewards.close()
    final = out_dir / FINAL_DIR
    if trainer.accelerator.is_main_process:
        (out_dir / "gamecwm_grpo_config.json").write_text(json.dumps(asdict(config), indent=2) + "\n")
        (out_dir / "log_history.json").write_text(json.dumps(trainer.state.log_history, indent=1) + "\n")
        save_final(trainer.model, tokenizer, out_dir)
    return TrainResult(final, trainer.state.global_step, list(trainer.state.log_history))
