"""The verifier's interfaces: `gamecwm verify`, `gamecwm verify-batch`, and the reward function."""

from __future__ import annotations

import json

import pytest

from gamecwm.cli import main
from gamecwm.sandbox import SandboxPool, SandboxResult
from gamecwm.train.rewards import VerifierReward
from gamecwm.verify.batch import BatchInputError, read_candidates, run_batch
from gamecwm.verify.summary import summarize
from tests.verify.candidates import OVER_AT_THE_START, reference_source

REPORT_KEYS = {"game", "score", "passed", "tiers", "isolation", "elapsed_s", "error"}


def test_verify_json_prints_exactly_one_report(tmp_path, capsys) -> None:
    path = tmp_path / "candidate.py"
    path.write_text(reference_source("tic_tac_toe"))
    assert main(["verify", str(path), "--game", "tic_tac_toe", "--json", "--seed", "1"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == REPORT_KEYS
    assert report["passed"] and report["score"] == 1.0
    for tier in report["tiers"]:
        assert set(tier) == {"name", "score", "weight", "checks"}
        assert all(set(c) == {"name", "passed", "message"} for c in tier["checks"])


def test_verify_exits_zero_for_a_failing_candidate(tmp_path, capsys) -> None:
    path = tmp_path / "stub.py"
    path.write_text(OVER_AT_THE_START)
    assert main(["verify", str(path), "--game", "tic_tac_toe"]) == 0
    out = capsys.readouterr().out
    assert "FAILED" in out and "FAIL" in out


def test_verify_usage_errors_exit_two(tmp_path, capsys) -> None:
    path = tmp_path / "c.py"
    path.write_text("x = 1\n")
    assert main(["verify", str(path), "--game", "tic_tac_tow"]) == 2
    assert "tic_tac_toe" in capsys.readouterr().err
    assert main(["verify", str(tmp_path / "missing.py"), "--game", "tic_tac_toe"]) == 2
    assert "cannot read" in capsys.readouterr().err


def _write_input(path, records) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def test_verify_batch_resumes_without_redoing_finished_ids(tmp_path, capsys) -> None:
    completion = "Here you go:\n```python\n" + reference_source("pig") + "```\n"
    records = [
        {"id": "ref", "game": "tic_tac_toe", "code": reference_source("tic_tac_toe")},
        {"id": "stub", "game": "tic_tac_toe", "code": OVER_AT_THE_START},
        {"id": 3, "game": "pig", "code": completion},
    ]
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write_input(source, records)
    first = run_batch(source, output, workers=1, progress=False)
    assert [r["id"] for r in first] == ["ref", "stub", "3"] or sorted(r["id"] for r in first) == ["3", "ref", "stub"]
    by_id = {r["id"]: r for r in first}
    assert by_id["ref"]["passed"] and by_id["3"]["passed"] and not by_id["stub"]["passed"]
    # Simulate an interruption: keep the first finished line and a torn second line.
    lines = output.read_text().splitlines()
    output.write_text(lines[0] + "\n" + lines[1][: len(lines[1]) // 2])
    resumed = run_batch(source, output, workers=1, progress=False)
    ids = [r["id"] for r in resumed]
    assert sorted(ids) == ["3", "ref", "stub"] and ids[0] == json.loads(lines[0])["id"]
    summary = summarize(resumed)
    assert summary["games"]["tic_tac_toe"]["n"] == 2 and summary["games"]["pig"]["pass_rate"] == 1.0
    assert main(["verify-batch", str(source), "--output", str(output), "--workers", "1"]) == 0
    assert "mean score" in capsys.readouterr().out
    assert len(output.read_text().splitlines()) == 3  # nothing redone


def test_verify_batch_rejects_bad_lines_clearly(tmp_path, capsys) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_text('{"id": 1, "game": "chesss", "code": ""}\nnot json\n{"id": 2, "game": "pig"}\n')
    with pytest.raises(BatchInputError) as excinfo:
        read_candidates(source)
    message = str(excinfo.value)
    assert "line 1" in message and "chess" in message and "line 2" in message and "line 3" in message
    assert main(["verify-batch", str(source), "--output", str(tmp_path / "o.jsonl")]) == 2


def test_reward_scores_completions_for_their_games() -> None:
    reward = VerifierReward(workers=2)
    try:
        completions = [
            [{"role": "assistant", "content": "```python\n" + reference_source("tic_tac_toe") + "```"}],
            [{"role": "assistant", "content": OVER_AT_THE_START}],
            [{"role": "assistant", "content": "I cannot write this."}],
        ]
        rewards = reward(prompts=["p"] * 3, completions=completions, game=["tic_tac_toe", "tic_tac_toe", "pig"])
    finally:
        reward.close()
    assert rewards[0] == pytest.approx(1.0)
    assert rewards[1] == 0.0  # it defines the protocol but no game ends as the reference's: no outcome, no score
    assert rewards[2] == pytest.approx(0.0)
    assert [r.game for r in reward.last_reports] == ["tic_tac_toe", "tic_tac_toe", "pig"]


def test_reward_is_none_when_the_sandbox_breaks(monkeypatch) -> None:
    def broken_run(self, source, tasks, limits=None, *, hash_seed=0, companion=False):
        return SandboxResult("infrastructure_error", "pool died", [], "none", 0.0, "")

    monkeypatch.setattr(SandboxPool, "run", broken_run)
    reward = VerifierReward(workers=1)
    try:
        rewards = reward(prompts=["p"], completions=[reference_source("tic_tac_toe")], game=["tic_tac_toe"])
    finally:
        reward.close()
    assert rewards == [None]


def test_reward_needs_the_game_column() -> None:
    with pytest.raises(ValueError, match="'game' column"):
        VerifierReward(workers=1)(prompts=["p"], completions=["x"])
