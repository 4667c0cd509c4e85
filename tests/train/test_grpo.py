"""GRPO on the tiny model: the verifier reward changes its weights; harness failures never become rewards."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from gamecwm.games import get_game
from gamecwm.sandbox.runner import InfrastructureError
from gamecwm.train.grpo import GRPORunConfig, prompt_rows, run_grpo
from gamecwm.train.rewards import RewardSuite
from gamecwm.verify.report import INFRASTRUCTURE_PREFIX, Report, Tier
from gamecwm.train.rewards import VerifierReward

TINY = GRPORunConfig(games="tic_tac_toe,pig", template="protocol-no-example", prompts_per_game=1, use_lora=False,
                     learning_rate=1e-3, max_steps=2, num_generations=4, per_device_train_batch_size=4,
                     max_completion_length=24, partial_credit_weight=1.0, save_steps=2, verifier_workers=1)


class ScriptedVerifier:
    """Stands in for VerifierReward: completion i of a batch gets `outcome(i)`."""

    def __init__(self, outcome) -> None:
        self.outcome = outcome
        self.steps: list[int | None] = []

    def reports(self, completions, games, step=None):
        self.steps.append(step)
        return [self.outcome(i, game) for i, game in enumerate(games)]

    def seed_for(self, step):
        return step

    def close(self) -> None:
        pass


def test_prompts_follow_the_curriculum_and_exclude_test_games() -> None:
    rows = prompt_rows("train", prompts_per_game=2)
    assert [r["tier"] for r in rows] == sorted(r["tier"] for r in rows)
    assert {r["game"] for r in rows if r["tier"] == 1} == {"tic_tac_toe", "pig", "connect4", "dots_and_boxes",
                                                           "matching_pennies", "prisoners_dilemma"}
    assert rows[0]["game"] != rows[1]["game"]  # games alternate within a tier
    assert all(get_game(r["game"]).split == "train" for r in rows)
    with pytest.raises(ValueError, match="training games only"):
        prompt_rows("tic_tac_toe,y")
    assert len(prompt_rows("pig", curriculum=False, prompts_per_game=3)) == 3


@pytest.mark.parametrize("use_lora", [False, True])
def test_grpo_with_the_verifier_changes_the_weights(tiny_model_dir: Path, tmp_path: Path, use_lora: bool) -> None:
    from dataclasses import replace

    from safetensors.torch import load_file

    result = run_grpo(str(tiny_model_dir), tmp_path / "run", replace(TINY, use_lora=use_lora))
    assert result.steps == 2
    before = load_file(str(tiny_model_dir / "model.safetensors"))
    after = load_file(str(result.final_model / "model.safetensors"))
    changed = [name for name in before if not torch.equal(before[name], after[name])]
    assert changed
    if use_lora:  # the adapter was merged into the linear layers; nothing else moved
        assert all("proj" in name for name in changed)
        assert not (result.final_model / "adapter_config.json").exists()
    logged = [entry for entry in result.log_history if "reward" in entry]
    assert len(logged) == 2
    for entry in logged:
        assert entry["rewards/verifier_score/mean"] is not None
        assert "rewards/tier_static/mean" in entry and "rewards/tier_agreement/mean" in entry
    assert (tmp_path / "run" / "checkpoint-2").is_dir() and (tmp_path / "run" / "log_history.json").is_file()


def _failing_every_other(index: int, game: str) -> Report:
    if index % 2 == 0:
        return Report(game, None, False, [], "none", 0.0, f"{INFRASTRUCTURE_PREFIX} the worker died")
    return Report(game, 0.5, False, [Tier("static", 1.0, 0.05)], "none", 0.0)


def test_a_harness_failure_is_not_recorded_as_a_zero_reward(tiny_model_dir: Path, tmp_path: Path) -> None:
    from dataclasses import replace

    config = replace(TINY, max_steps=1, max_completion_length=8, partial_credit_weight=0.0)
    verifier = ScriptedVerifier(_failing_every_other)
    result = run_grpo(str(tiny_model_dir), tmp_path / "run", config, rewards=RewardSuite(verifier))
    assert verifier.steps and all(isinstance(step, int) for step in verifier.steps)  # the trainer's step reaches it
    (entry,) = [e for e in result.log_history if "reward" in e]
    # Half the completions failed in the harness: the mean is over the other half only, not dragged to 0.25.
    assert entry["rewards/verifier_score/mean"] == pytest.approx(0.5)
    assert entry["reward"] == pytest.approx(0.5)
    assert entry["rewards/tier_static/mean"] == pytest.approx(1.0)


def test_a_raising_harness_records_no_reward_at_all(tiny_model_dir: Path, tmp_path: Path) -> None:
    from dataclasses import replace

    def raising(index: int, game: str) -> Report:
        raise InfrastructureError("the fork server died")

    config = replace(TINY, max_steps=1, max_completion_length=8)
    result = run_grpo(str(tiny_model_dir), tmp_path / "run", config, rewards=RewardSuite(ScriptedVerifier(raising)))
    (entry,) = [e for e in result.log_history if "reward" in e]
    assert entry["reward"] is None and entry["rewards/verifier_score/mean"] is None
    assert entry["rewards/partial_credit/mean"] is None
    assert entry["loss"] == 0.0


def test_default_rewards_use_the_sandboxed_verifier() -> None:
    assert isinstance(RewardSuite().verifier, VerifierReward)
