"""SFT data from the training games' references, and distillation of a stronger model's verified programs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gamecwm.cli import main
from gamecwm.games import get_game, list_games
from gamecwm.generate.prompts import build_messages
from gamecwm.train.data import distill, load_rows, write_sft_dataset


def _write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_reference_dataset_is_conversational_training_only_and_in_tier_order(tmp_path: Path) -> None:
    out = tmp_path / "sft"
    assert main(["dataset", "sft", "--out", str(out)]) == 0
    rows = load_rows(out)
    train = {g.name for g in list_games(split="train")}
    assert sorted(r["game"] for r in rows) == sorted(train)
    assert [r["tier"] for r in rows] == sorted(r["tier"] for r in rows)
    row = next(r for r in rows if r["game"] == "pig")
    assert row["prompt"] == build_messages("pig")
    assert row["source"] == "reference"
    (message,) = row["completion"]
    assert message["role"] == "assistant"
    assert message["content"] == f"```python\n{get_game('pig').reference_path.read_text().strip()}\n```"

    from datasets import load_from_disk

    assert load_from_disk(str(out)).num_rows == len(train)


def test_reference_dataset_options_and_usage_errors(tmp_path: Path, capsys) -> None:
    assert write_sft_dataset(tmp_path / "d", template="protocol-no-example", repeats=2) == 2 * len(
        list_games(split="train"))
    assert load_rows(tmp_path / "d")[0]["prompt"] == build_messages(load_rows(tmp_path / "d")[0]["game"],
                                                                     "protocol-no-example")
    assert main(["dataset", "sft", "--out", str(tmp_path / "e"), "--template", "nope"]) == 2
    assert "unknown prompt template" in capsys.readouterr().err


@pytest.fixture()
def strong_model_files(tmp_path: Path) -> tuple[Path, Path]:
    """A generations file and its results: good, poor, duplicate, test-game and unscored samples."""
    good = get_game("tic_tac_toe").reference_path.read_text() + "\n# written by the strong model\n"
    samples = [
        {"id": "tic_tac_toe/protocol@1/0", "model": "big", "game": "tic_tac_toe", "code": good,
         "prompt_template": "protocol@1"},
        {"id": "tic_tac_toe/protocol@1/1", "model": "big", "game": "tic_tac_toe", "code": good + "\n\n   \n",
         "prompt_template": "protocol@1"},
        {"id": "pig/protocol@1/0", "model": "big", "game": "pig", "code": "x = 1\n", "prompt_template": "protocol@1"},
        {"id": "y/protocol@1/0", "model": "big", "game": "y", "code": "y = 1\n", "prompt_template": "protocol@1"},
        {"id": "connect4/protocol-no-example@1/0", "model": "big", "game": "connect4", "code": "z = 2\n",
         "prompt_template": "protocol-no-example@1"},
        {"id": "pig/protocol@1/1", "model": "big", "game": "pig", "code": "w = 3\n", "prompt_template": "protocol@1"},
    ]
    scores = {"tic_tac_toe/protocol@1/0": 1.0, "tic_tac_toe/protocol@1/1": 0.95, "pig/protocol@1/0": 0.2,
              "y/protocol@1/0": 1.0, "connect4/protocol-no-example@1/0": 0.9, "pig/protocol@1/1": None}
    results = [{"key": f"big|{sid}", "score": score} for sid, score in scores.items()]
    return _write_jsonl(tmp_path / "gens.jsonl", samples), _write_jsonl(tmp_path / "results.jsonl", results)


def test_distill_keeps_well_scored_training_programs_once(tmp_path: Path, strong_model_files) -> None:
    gens, results = strong_model_files
    out = tmp_path / "sft"
    write_sft_dataset(out)
    before = len(load_rows(out))
    summary = distill(gens, results, 0.8, out)
    assert (summary.added, summary.duplicates, summary.below_threshold, summary.not_training_games,
            summary.unscored) == (2, 1, 1, 1, 1)
    rows = load_rows(out)
    assert len(rows) == before + 2 == summary.total_rows
    distilled = [r for r in rows if r["source"] == "big"]
    assert sorted(r["game"] for r in distilled) == ["connect4", "tic_tac_toe"]
    assert next(r for r in distilled if r["game"] == "connect4")["prompt"] == build_messages(
        "connect4", "protocol-no-example")
    assert [r["tier"] for r in rows] == sorted(r["tier"] for r in rows)
    # Adding the same generations again adds nothing.
    assert distill(gens, results, 0.8, out).added == 0
    assert len(load_rows(out)) == before + 2


def test_distill_command_creates_a_dataset_and_reports_usage_errors(tmp_path: Path, strong_model_files,
                                                                   capsys) -> None:
    gens, results = strong_model_files
    out = tmp_path / "new"
    assert main(["distill", str(gens), str(results), "--min-score", "0.9", "--out", str(out)]) == 0
    assert "2 programs added" in capsys.readouterr().out
    assert len(load_rows(out)) == 2
    assert main(["distill", str(gens), str(tmp_path / "none.jsonl"), "--min-score", "0.9", "--out", str(out)]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["distill", str(gens), str(results), "--min-score", "1.5", "--out", str(out)]) == 2
    assert "min-score" in capsys.readouterr().err
