"""SFT on the tiny model: a few steps change its weights; LoRA merges; checkpoints resume; completion-only loss."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from gamecwm.cli import main
from gamecwm.train.data import write_sft_dataset
from gamecwm.train.models import latest_checkpoint
from gamecwm.train.sft import SFTRunConfig, run_sft

SMALL = SFTRunConfig(learning_rate=5e-3, max_steps=3, max_length=2560, save_steps=2, save_total_limit=None)


def _weights(folder: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    return load_file(str(folder / "model.safetensors"))


def _changed(before: dict[str, torch.Tensor], after: dict[str, torch.Tensor]) -> list[str]:
    assert before.keys() == after.keys()
    return [name for name in before if not torch.equal(before[name], after[name])]


@pytest.fixture(scope="module")
def sft_data(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sft-data") / "data"
    write_sft_dataset(out, template="protocol-no-example")
    return out


def test_trl_config_is_completion_only_and_in_curriculum_order() -> None:
    args = SMALL.to_trl(Path("out"))
    assert args.completion_only_loss is True
    assert args.train_sampling_strategy == "sequential" and args.shuffle_dataset is False
    assert SFTRunConfig(curriculum=False).to_trl(Path("out")).train_sampling_strategy == "random"


def test_lora_sft_changes_the_merged_model(tiny_model_dir: Path, sft_data: Path, tmp_path: Path) -> None:
    result = run_sft(str(tiny_model_dir), sft_data, tmp_path / "run", SMALL)
    assert result.steps == 3 and len(result.losses()) == 3
    assert not (result.final_model / "adapter_config.json").exists()  # merged: a plain model
    changed = _changed(_weights(tiny_model_dir), _weights(result.final_model))
    assert changed and all("proj" in name for name in changed)  # LoRA touches the linear layers only
    from transformers import AutoModelForCausalLM

    AutoModelForCausalLM.from_pretrained(result.final_model, local_files_only=True)
    assert json.loads((tmp_path / "run" / "gamecwm_sft_config.json").read_text())["use_lora"] is True


def test_full_sft_resumes_from_its_checkpoint(tiny_model_dir: Path, sft_data: Path, tmp_path: Path) -> None:
    config = SFTRunConfig(use_lora=False, learning_rate=1e-3, max_steps=2, max_length=2560, save_steps=2)
    out = tmp_path / "run"
    first = run_sft(str(tiny_model_dir), sft_data, out, config)
    assert latest_checkpoint(out).name == "checkpoint-2"
    assert "model.embed_tokens.weight" in _changed(_weights(tiny_model_dir), _weights(first.final_model))
    from dataclasses import replace

    # A different learning rate would change the second step's loss, had the run started over.
    second = run_sft(str(tiny_model_dir), sft_data, out, replace(config, max_steps=3, learning_rate=1e-2))
    assert second.steps == 3
    assert second.losses()[:2] == first.losses()  # steps 1-2 came from the checkpoint
    fresh = run_sft(str(tiny_model_dir), sft_data, tmp_path / "other", replace(config, max_steps=3, learning_rate=1e-2))
    assert fresh.losses()[1] != first.losses()[1]


def test_train_sft_command(tiny_model_dir: Path, sft_data: Path, tmp_path: Path, capsys) -> None:
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"sft": {"use_lora": False, "max_steps": 1, "max_length": 2048}}))
    out = tmp_path / "run"
    assert main(["train", "sft", "--model", str(tiny_model_dir), "--data", str(sft_data), "--out", str(out),
                 "--config", str(config)]) == 0
    assert "1 steps" in capsys.readouterr().out
    assert (out / "final" / "model.safetensors").is_file()
    config.write_text(json.dumps({"sft": {"max_steps": 1, "max_length": 64}}))
    assert main(["train", "sft", "--model", str(tiny_model_dir), "--data", str(sft_data), "--out", str(out),
                 "--config", str(config), "--no-resume"]) == 2
    assert "longer than max_length" in capsys.readouterr().err


def test_row_lengths_count_what_fits_what_is_cut_and_what_is_dropped() -> None:
    from gamecwm.train.sft import RowLengths

    lengths = RowLengths(100, prompt_tokens=[10, 50, 100], total_tokens=[40, 120, 200])
    assert (lengths.rows, lengths.fitting, lengths.truncated, lengths.dropped) == (3, 1, 1, 1)
    assert (lengths.tokens_cut, lengths.program_tokens) == (20 + 100, 30 + 70 + 100)
    text = lengths.describe()
    assert "3 rows of 40 to 200 tokens; 1 fit max_length=100, 1 are truncated and 1 dropped" in text
    assert "120 of 200 program tokens cut; a max_length of 200 fits every row" in text
    whole = RowLengths(None, [10], [40])
    assert (whole.fitting, whole.dropped, whole.tokens_cut) == (1, 0, 0)


def test_sft_refuses_or_warns_about_rows_that_do_not_fit(tiny_model_dir: Path, sft_data: Path, tmp_path: Path,
                                                         capsys) -> None:
    from dataclasses import replace

    from gamecwm.train.data import load_rows
    from gamecwm.train.models import load_tokenizer
    from gamecwm.train.sft import LENGTHS_FILE, measure_rows

    lengths = measure_rows(load_tokenizer(str(tiny_model_dir)), load_rows(sft_data), 2560)
    assert lengths.rows == 23 and 0 < lengths.fitting < 23 and lengths.truncated > 0
    assert all(p < t for p, t in zip(lengths.prompt_tokens, lengths.total_tokens))
    with pytest.raises(ValueError, match=f"{lengths.fitting} fit max_length=2560.*set long_rows: warn"):
        run_sft(str(tiny_model_dir), sft_data, tmp_path / "refused", replace(SMALL, long_rows="refuse"))
    assert not (tmp_path / "refused" / "final").exists()
    result = run_sft(str(tiny_model_dir), sft_data, tmp_path / "run", replace(SMALL, max_steps=1))
    assert f"WARNING: {lengths.describe()}" in capsys.readouterr().err
    assert result.lengths == lengths
    saved = json.loads((tmp_path / "run" / LENGTHS_FILE).read_text())
    assert (saved["fitting"], saved["truncated"], saved["tokens_cut"]) == (lengths.fitting, lengths.truncated,
                                                                          lengths.tokens_cut)
    with pytest.raises(ValueError, match="long_rows must be one of warn, refuse"):
        SFTRunConfig(long_rows="ignore")


def test_train_sft_names_a_missing_model_folder_clearly(sft_data: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GAMECWM_CACHE", str(tmp_path / "cache"))
    assert main(["train", "sft", "--model", "./runs/sft/final", "--data", str(sft_data), "--out", "out"]) == 2
    assert "no such model folder: ./runs/sft/final" in capsys.readouterr().err
    assert main(["train", "sft", "--model", "qwen2.5-coder-0.5b-instruct", "--data", str(sft_data), "--out",
                 "out"]) == 2
    assert "run `gamecwm models fetch qwen2.5-coder-0.5b-instruct`" in capsys.readouterr().err


def test_held_out_rows_are_scored_before_and_after_and_steps_are_summarised(
        tiny_model_dir: Path, tmp_path: Path, capsys) -> None:
    from gamecwm.train.data import load_rows, save_rows

    rows = load_rows(_tiny_rows(tmp_path))
    train, held_out = tmp_path / "train", [rows[3]]
    save_rows(rows[:3], train)
    lines: list[str] = []
    config = SFTRunConfig(use_lora=False, learning_rate=1e-2, max_steps=3, max_length=2560, save_steps=3)
    result = run_sft(str(tiny_model_dir), train, tmp_path / "run", config, held_out=held_out, log=lines.append)
    assert result.held_out_loss_before is not None and result.held_out_loss_after is not None
    assert result.held_out_loss_after < result.held_out_loss_before  # learning Python transfers to another game
    assert [line.split(":")[0] for line in lines if ": loss" in line] == ["step 1/3", "step 2/3", "step 3/3"]
    assert lines[-1].startswith("step 3/3: held-out loss")
    assert any(line.startswith("before training: held-out loss") for line in lines)
    assert lines[0].startswith("SFT data: 3 rows")
    printed = capsys.readouterr()
    assert "{'loss'" not in printed.out + printed.err  # the trainer's own log dicts are not printed


def test_without_held_out_rows_nothing_is_scored(tiny_model_dir: Path, sft_data: Path, tmp_path: Path) -> None:
    config = SFTRunConfig(use_lora=False, max_steps=1, max_length=2560, save_steps=1)
    result = run_sft(str(tiny_model_dir), sft_data, tmp_path / "run", config)
    assert result.held_out_loss_before is None and result.held_out_loss_after is None


def _tiny_rows(tmp_path: Path) -> Path:
    out = tmp_path / "all"
    write_sft_dataset(out, template="protocol-no-example")
    return out
