"""Training configs: the repository's files load and validate; mistakes are clear errors."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import torch

from gamecwm.cli import main
from gamecwm.train.config import ConfigError, build_config, load_section, read_config_file
from gamecwm.train.grpo import GRPORunConfig
from gamecwm.train.pipeline import TINY_GRPO, TINY_SFT
from gamecwm.train.rewards import RewardSuite
from gamecwm.train.sft import SFTRunConfig

CONFIGS = Path(__file__).resolve().parents[2] / "configs"


@pytest.mark.parametrize("name", ["tiny-cpu.yaml", "qwen2.5-3b-gpu.yaml"])
def test_repository_configs_load_and_validate(name: str) -> None:
    path = CONFIGS / name
    assert set(read_config_file(path)) == {"sft", "grpo"}
    sft = load_section(path, "sft", SFTRunConfig)
    grpo = load_section(path, "grpo", GRPORunConfig)
    # TRL builds its configs from them (bf16 needs a GPU, so it is switched off on a machine without one).
    gpu = torch.cuda.is_available()
    sft_args = replace(sft, bf16=sft.bf16 and gpu).to_trl(Path("unused"))
    grpo_args = replace(grpo, bf16=grpo.bf16 and gpu).to_trl(Path("unused"), RewardSuite.weights(0.1))
    assert sft_args.completion_only_loss and sft_args.learning_rate == sft.learning_rate
    assert grpo_args.num_generations == grpo.num_generations
    assert grpo_args.max_completion_length == grpo.max_completion_length


def test_qwen_config_is_the_gpu_recipe() -> None:
    path = CONFIGS / "qwen2.5-3b-gpu.yaml"
    sft, grpo = load_section(path, "sft", SFTRunConfig), load_section(path, "grpo", GRPORunConfig)
    assert sft.bf16 and grpo.bf16 and sft.use_lora and grpo.use_lora
    assert sft.lora_r == grpo.lora_r == 16
    assert grpo.num_generations == 8 and grpo.max_completion_length >= 4096


def test_tiny_config_file_is_what_the_demo_uses() -> None:
    path = CONFIGS / "tiny-cpu.yaml"
    assert load_section(path, "sft", SFTRunConfig) == TINY_SFT
    assert load_section(path, "grpo", GRPORunConfig) == TINY_GRPO


@pytest.mark.parametrize("name", ["multi-gpu.yaml", "deepspeed-zero2.yaml"])
def test_accelerate_configs_load(name: str) -> None:
    from accelerate.commands.config.config_args import load_config_from_file

    config = load_config_from_file(str(CONFIGS / "accelerate" / name))
    assert config.num_processes > 1 and config.mixed_precision == "bf16"


@pytest.mark.parametrize("values, message", [
    ({"learning_rat": 0.1}, "unknown settings ['learning_rat']"),
    ({"max_steps": "ten"}, "max_steps must be int"),
    ({"use_lora": 1}, "use_lora must be bool"),
    ({"num_generations": 1}, "num_generations"),
    ({"num_generations": 3, "per_device_train_batch_size": 4}, "multiple of num_generations"),
    ({"template": "nope"}, "unknown prompt template"),
])
def test_bad_grpo_settings_are_named(values: dict, message: str) -> None:
    with pytest.raises(ConfigError, match="grpo") as error:
        build_config(GRPORunConfig, values, "file.yaml [grpo]")
    assert message in str(error.value)


def test_integers_are_accepted_for_floats_and_file_errors_are_clear(tmp_path: Path) -> None:
    assert build_config(SFTRunConfig, {"learning_rate": 1}).learning_rate == 1.0
    bad = tmp_path / "bad.yaml"
    bad.write_text("sft: [1, 2\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        read_config_file(bad)
    bad.write_text("sfft: {}\n")
    with pytest.raises(ConfigError, match="unknown sections"):
        read_config_file(bad)
    (tmp_path / "c.json").write_text('{"sft": {"max_length": 8}}')
    with pytest.raises(ConfigError, match="max_length"):
        load_section(tmp_path / "c.json", "sft", SFTRunConfig)
    assert load_section(None, "sft", SFTRunConfig) == SFTRunConfig()


def test_yaml_exponent_without_a_dot_gets_a_hint(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("sft:\n  learning_rate: 1e-4\n")
    with pytest.raises(ConfigError) as error:
        load_section(config, "sft", SFTRunConfig)
    message = str(error.value)
    assert "learning_rate must be float, got '1e-4'" in message and "YAML reads 1e-4 as text" in message
    assert "1.0e-4" in message
    config.write_text("sft:\n  learning_rate: 1.0e-4\n")
    assert load_section(config, "sft", SFTRunConfig).learning_rate == 1e-4
    with pytest.raises(ConfigError) as error:
        build_config(SFTRunConfig, {"max_steps": "1e3"})
    assert "YAML reads" not in str(error.value)  # an integer field: the hint would mislead


def test_train_commands_report_config_errors_as_usage_errors(tmp_path: Path, capsys) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("grpo:\n  max_stepz: 3\n")
    assert main(["train", "grpo", "--model", str(tmp_path), "--out", str(tmp_path / "o"),
                 "--config", str(config)]) == 2
    assert "max_stepz" in capsys.readouterr().err
    assert main(["train", "grpo", "--model", str(tmp_path), "--out", str(tmp_path / "o"),
                 "--config", str(tmp_path / "missing.yaml")]) == 2
    assert "no such config file" in capsys.readouterr().err


def test_trl_overrides_pass_any_other_argument_and_win() -> None:
    config = build_config(SFTRunConfig, {"max_length": 4096, "trl_overrides": {"max_length": 100,
                                                                               "logging_first_step": True}})
    args = config.to_trl(Path("unused"))
    assert args.max_length == 100 and args.logging_first_step is True
    grpo = build_config(GRPORunConfig, {"trl_overrides": {"top_k": 5}}).to_trl(Path("unused"), [1.0] * 7)
    assert grpo.top_k == 5
