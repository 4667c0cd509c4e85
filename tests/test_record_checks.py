"""The per-record checks that the input readers of verify-batch, repair and import share."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gamecwm.games.registry import game_problem
from gamecwm.records import RecordFileError, program_problem
from gamecwm.repair.run import read_samples


def _write(path: Path, *lines: object) -> Path:
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))
    return path


def test_game_problem_names_close_matches_and_wrong_types() -> None:
    assert game_problem("tic_tac_toe") is None
    assert "Did you mean: chess" in game_problem("chesss")
    assert game_problem(["pig"]) == "game must be a string, not list"


def test_program_problem_wants_string_code_of_a_registered_game() -> None:
    assert program_problem({"game": "pig", "code": "x = 1"}) is None
    assert program_problem({"game": "pig", "code": 3}) == "game and code must be strings"
    assert "unknown game 'pigg'" in program_problem({"game": "pigg", "code": ""})


def test_repair_samples_name_each_bad_line(tmp_path: Path) -> None:
    source = _write(tmp_path / "gens.jsonl", {"id": "a", "game": "pig", "code": "x = 1"}, "not json",
                    {"id": "b", "game": "pig"}, {"id": "c", "game": "pigg", "completion": "x"},
                    {"id": "a", "game": "pig", "code": "y = 2"})
    with pytest.raises(RecordFileError) as excinfo:
        read_samples(source)
    message = str(excinfo.value)
    assert "line 2: invalid JSON" in message and "line 3: needs code (or a completion)" in message
    assert "line 4:" in message and "pigg" in message and "line 5: duplicate" in message


def test_repair_samples_leave_out_a_torn_last_line_and_refuse_an_empty_file(tmp_path: Path) -> None:
    source = tmp_path / "gens.jsonl"
    source.write_text(json.dumps({"id": "a", "game": "pig", "completion": "```python\nx = 1\n```"}) + '\n{"id": "b"')
    assert [sample["id"] for sample in read_samples(source)] == ["a"]
    with pytest.raises(RecordFileError, match="no samples"):
        read_samples(_write(tmp_path / "empty.jsonl"))
