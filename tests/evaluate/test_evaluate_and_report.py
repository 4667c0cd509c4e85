"""`evaluate` and `report` end to end on a small generations file."""

from __future__ import annotations

import json
from pathlib import Path

from gamecwm.cli import main
from gamecwm.evaluate.run import evaluate_samples
from gamecwm.games import get_game
from gamecwm.jsonl import read_records
from gamecwm.verify.calibration import OVER_AT_THE_START


def _sample(model: str, game: str, index: int, code: str) -> dict:
    return {"id": f"{game}/protocol@1/{index}", "model": model, "game": game, "code": code, "completion": code,
            "prompt_template": "protocol@1"}


def _generations(path: Path) -> None:
    reference = get_game("tic_tac_toe").reference_path.read_text()
    samples = [
        _sample("good", "tic_tac_toe", 0, reference),
        _sample("good", "tic_tac_toe", 1, reference),
        _sample("bad", "tic_tac_toe", 0, OVER_AT_THE_START),
        _sample("bad", "tic_tac_toe", 1, "def get_initial_state(:\n"),
    ]
    path.write_text("".join(json.dumps(s) + "\n" for s in samples))


def test_evaluate_resumes_and_report_tables_hold_the_numbers(tmp_path: Path, capsys) -> None:
    generations, results = tmp_path / "gens.jsonl", tmp_path / "results.jsonl"
    _generations(generations)
    first = evaluate_samples(generations, results, workers=1, progress=False).records
    assert len(first) == 4
    lines = results.read_text().splitlines()
    results.write_text("\n".join(lines[:2]) + "\n" + lines[2][:40])  # an interrupted run
    second = evaluate_samples(generations, results, workers=1, progress=False).records
    assert len(second) == 4 and results.read_text().splitlines()[:2] == lines[:2]
    by_key = {r["key"]: r for r in second}
    assert by_key["good|tic_tac_toe/protocol@1/0"]["passed"]
    assert not by_key["bad|tic_tac_toe/protocol@1/1"]["parsed"]
    assert by_key["bad|tic_tac_toe/protocol@1/0"]["parsed"] and by_key["bad|tic_tac_toe/protocol@1/0"]["static_passed"]

    assert main(["report", str(results), "--out", str(tmp_path / "report")]) == 0
    report = (tmp_path / "report" / "report.md").read_text()
    assert (tmp_path / "report" / "tiers.png").stat().st_size > 1000
    assert (tmp_path / "report" / "games_heatmap.png").stat().st_size > 1000
    results_section = report.split("## Results")[1].split("##")[0]
    rows = {line.split("|")[1].strip(): line for line in results_section.splitlines()
            if line.startswith(("| good", "| bad"))}
    good = [cell.strip() for cell in rows["good"].split("|")[1:-1]]
    bad = [cell.strip() for cell in rows["bad"].split("|")[1:-1]]
    assert good[1:5] == ["2", "100.0%", "100.0%", "100.0%"]
    assert good[5].startswith("1.000 [1.000, 1.000]")
    assert bad[1:5] == ["2", "50.0%", "50.0%", "0.0%"]
    score = sum(r["score"] for r in second if r["model"] == "bad") / 2
    assert bad[5].startswith(f"{score:.3f}")


def test_evaluate_command_rejects_a_bad_file(tmp_path: Path, capsys) -> None:
    path = tmp_path / "gens.jsonl"
    path.write_text('{"id": "x"}\n')
    assert main(["evaluate", str(path), "--out", str(tmp_path / "r.jsonl")]) == 2
    error = capsys.readouterr().err
    assert f"{path}: line 1: no model/game/code" in error and "--skip-malformed" in error


def test_report_needs_existing_files(tmp_path: Path, capsys) -> None:
    assert main(["report", str(tmp_path / "none.jsonl"), "--out", str(tmp_path)]) == 2
    assert "no such results file" in capsys.readouterr().err
    assert read_records(tmp_path / "none.jsonl") == []


def test_evaluate_play_measures_qualifying_samples(tmp_path: Path, capsys) -> None:
    generations, results = tmp_path / "gens.jsonl", tmp_path / "results.jsonl"
    _generations(generations)
    assert main(["evaluate", str(generations), "--out", str(results), "--workers", "1", "--play",
                 "--play-games", "4", "--play-sims", "10"]) == 0
    assert "playability" in capsys.readouterr().out
    played = read_records(tmp_path / "results.play.jsonl")
    assert sorted(r["key"] for r in played) == ["good|tic_tac_toe/protocol@1/0", "good|tic_tac_toe/protocol@1/1"]
    assert all(r["games"] == 4 and r["wins"] + r["draws"] + r["losses"] == 4 and r["illegal_moves"] == 0
               for r in played)
    assert main(["report", str(results), "--out", str(tmp_path / "report")]) == 0
    assert "## Playability" in (tmp_path / "report" / "report.md").read_text()
