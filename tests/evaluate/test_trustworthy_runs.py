"""Evaluation runs a researcher can trust: provenance, honest resume, one reader, seeds, clear errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from gamecwm.cli import main
from gamecwm.evaluate.metrics import bootstrap_ci, combine_seeds, model_metrics
from gamecwm.evaluate.run import evaluate_samples
from gamecwm.games import dataset_version, get_game
from gamecwm.jsonl import read_records
from gamecwm.records import RecordFileError
from gamecwm.verify.calibration import OVER_AT_THE_START

REFERENCE = get_game("tic_tac_toe").reference_path.read_text()


def _write(path: Path, samples: list[dict]) -> Path:
    path.write_text("".join(json.dumps(s) + "\n" for s in samples))
    return path


def _sample(model: str, index: int, code: str, game: str = "tic_tac_toe") -> dict:
    return {"id": f"{model}/{game}/protocol@1/{index}", "model": model, "game": game, "code": code,
            "provenance": {"kind": "generations", "model": model}}


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory) -> tuple[Path, Path]:
    """A small generations file evaluated once at seeds 0 and 1 (shared: verification takes seconds)."""
    folder = tmp_path_factory.mktemp("evaluated")
    generations = _write(folder / "gens.jsonl", [_sample("good", 0, REFERENCE), _sample("bad", 0, OVER_AT_THE_START)])
    results = folder / "results.jsonl"
    assert main(["evaluate", str(generations), "--out", str(results), "--workers", "1", "--seeds", "0,1"]) == 0
    return generations, results


def test_results_carry_their_provenance(evaluated) -> None:
    _, results = evaluated
    records = read_records(results)
    assert sorted((r["key"], r["verify_seed"]) for r in records) == [
        ("bad|bad/tic_tac_toe/protocol@1/0", 0), ("bad|bad/tic_tac_toe/protocol@1/0", 1),
        ("good|good/tic_tac_toe/protocol@1/0", 0), ("good|good/tic_tac_toe/protocol@1/0", 1)]
    provenance = records[0]["provenance"]
    assert provenance["verify_seeds"] == [0, 1] and provenance["dataset_version"] == dataset_version()
    assert provenance["verify_config"]["weights"] and provenance["isolation_level"]
    assert {"package_version", "schema_version"} <= set(provenance)
    assert records[0]["generation"]["kind"] == "generations" and len(records[0]["code_sha256"]) == 16


def test_seeds_are_averaged_and_their_spread_reported(evaluated, capsys, tmp_path: Path) -> None:
    _, results = evaluated
    metrics = model_metrics(read_records(results))
    assert metrics["good"]["overall"]["n"] == 1 and metrics["good"]["overall"]["pass_rate"] == 1.0
    assert set(metrics["bad"]["overall"]["seed_means"]) == {0, 1}
    assert main(["report", str(results), "--out", str(tmp_path / "report")]) == 0
    report = (tmp_path / "report" / "report.md").read_text()
    assert "mean score per seed (sd)" in report and "0: 1.000, 1: 1.000 (sd 0.000)" in report
    assert "2 verified samples" in report


def test_combining_seeds_means_scores_and_passes_only_at_every_seed() -> None:
    def result(seed: int, score: float, passed: bool) -> dict:
        return {"key": "m|a", "model": "m", "verify_seed": seed, "score": score, "passed": passed, "parsed": True,
                "static_passed": True, "tier_scores": {"agreement": score}, "game": "pig"}

    (combined,) = combine_seeds([result(0, 1.0, True), result(1, 0.5, False), result(2, 0.9, True)])
    assert combined["score"] == pytest.approx(0.8) and combined["passed"] is False
    assert combined["tier_scores"]["agreement"] == pytest.approx(0.8) and combined["verify_seeds"] == [0, 1, 2]


def test_another_seed_or_other_code_does_not_reuse_results(evaluated, tmp_path: Path, capsys) -> None:
    generations, results = evaluated
    copy = tmp_path / "results.jsonl"
    shutil.copy(results, copy)
    assert main(["evaluate", str(generations), "--out", str(copy), "--seed", "7"]) == 2
    assert "verify_seeds: [0, 1] -> [7]" in capsys.readouterr().err
    changed = _write(tmp_path / "changed.jsonl", [_sample("good", 0, REFERENCE + "\n# edited\n"),
                                                 _sample("bad", 0, OVER_AT_THE_START)])
    with pytest.raises(RecordFileError, match="another program"):
        evaluate_samples(changed, copy, seeds=[0, 1], progress=False)
    assert copy.read_bytes() == results.read_bytes()


def test_report_refuses_the_same_results_twice(evaluated, tmp_path: Path, capsys) -> None:
    _, results = evaluated
    assert main(["report", str(results), str(results), "--out", str(tmp_path / "r")]) == 2
    assert "given twice" in capsys.readouterr().err
    copy = tmp_path / "copy.jsonl"
    shutil.copy(results, copy)
    assert main(["report", str(results), str(copy), "--out", str(tmp_path / "r")]) == 2
    assert "both hold" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_report_never_overwrites_a_foreign_report(evaluated, tmp_path: Path, capsys) -> None:
    _, results = evaluated
    (tmp_path / "report.md").write_text("my own notes\n")
    assert main(["report", str(results), "--out", str(tmp_path)]) == 2
    assert "report.md" in capsys.readouterr().err and (tmp_path / "report.md").read_text() == "my own notes\n"
    assert main(["report", str(results), "--out", str(tmp_path / "mine")]) == 0
    assert main(["report", str(results), "--out", str(tmp_path / "mine")]) == 0  # its own earlier report


@pytest.mark.parametrize(("content", "message"), [
    (b"", "no results"), (b"\x89PNG\r\n\x1a\n\x00\x00", "not a text file"),
    (b'{"key": 1}\n', "line 1: no id/model/game/score/passed/tier_scores"), (b"hello\n", "line 1: invalid JSON"),
])
def test_report_names_a_bad_results_file(tmp_path: Path, capsys, content: bytes, message: str) -> None:
    path = tmp_path / "results.jsonl"
    path.write_bytes(content)
    assert main(["report", str(path), "--out", str(tmp_path / "r")]) == 2
    error = capsys.readouterr().err
    assert message in error and str(path) in error and "Traceback" not in error


def test_malformed_and_duplicate_generations_are_named_or_skipped_and_counted(tmp_path: Path, capsys) -> None:
    good = json.dumps(_sample("m", 0, REFERENCE))
    path = tmp_path / "gens.jsonl"
    path.write_text(good + "\n{broken\n" + good + "\n")
    with pytest.raises(RecordFileError, match=r"line 2: invalid JSON.*line 3: duplicate"):
        evaluate_samples(path, tmp_path / "r.jsonl", progress=False)
    path.write_text(good + "\n{broken\n")
    assert main(["evaluate", str(path), "--out", str(tmp_path / "r.jsonl"), "--workers", "1",
                 "--skip-malformed"]) == 0
    assert "skipped 1 malformed lines" in capsys.readouterr().out
    assert len(read_records(tmp_path / "r.jsonl")) == 1


def test_out_must_be_a_results_file_and_not_the_input(tmp_path: Path, capsys) -> None:
    generations = _write(tmp_path / "gens.jsonl", [_sample("m", 0, "x = 1")])
    before = generations.read_bytes()
    assert main(["evaluate", str(generations), "--out", str(generations)]) == 2
    assert "also the input" in capsys.readouterr().err
    notes = tmp_path / "notes.md"
    notes.write_text("# notes\n")
    assert main(["evaluate", str(generations), "--out", str(notes)]) == 2
    assert "not a results file" in capsys.readouterr().err and notes.read_text() == "# notes\n"
    blocked = tmp_path / "file.txt"
    blocked.write_text("")
    assert main(["evaluate", str(generations), "--out", str(blocked / "r.jsonl")]) == 2
    assert "cannot write" in capsys.readouterr().err
    assert main(["evaluate", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "r.jsonl")]) == 2
    assert "no such generations file" in capsys.readouterr().err
    assert generations.read_bytes() == before


@pytest.mark.parametrize("option", [["--workers", "0"], ["--workers", "-3"], ["--play-sims", "0"],
                                    ["--play-games", "0"], ["--play-min-score", "2"], ["--seeds", "0,x"]])
def test_evaluate_options_are_range_checked_before_any_work(tmp_path: Path, capsys, option: list[str]) -> None:
    assert main(["evaluate", "gens.jsonl", "--out", str(tmp_path / "r.jsonl"), *option]) == 2
    assert option[0] in capsys.readouterr().err


def test_ctrl_c_on_evaluate_prints_the_resume_command(tmp_path: Path, capsys, monkeypatch) -> None:
    from gamecwm.evaluate import run

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(run, "evaluate_samples", interrupted)
    assert main(["evaluate", "g.jsonl", "--out", "r.jsonl"]) == 130
    assert "to resume, run: gamecwm evaluate g.jsonl --out r.jsonl" in capsys.readouterr().err


def test_bootstrap_interval_is_seeded_and_independent_of_order() -> None:
    values = [0.1, 0.9, 0.4, 0.4, 1.0, 0.0, 0.7]
    assert bootstrap_ci(values, seed=3) == bootstrap_ci(list(reversed(values)), seed=3)
    assert bootstrap_ci(values, seed=3) == bootstrap_ci(sorted(values), seed=3)
    assert bootstrap_ci(values, seed=3) != bootstrap_ci(values, seed=4)
