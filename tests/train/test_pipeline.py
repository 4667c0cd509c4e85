"""The demo's post-training pipeline end to end at a reduced size: every stage runs and the report is honest."""

from __future__ import annotations

from pathlib import Path

import pytest

from gamecwm.jsonl import read_records
from gamecwm.train.pipeline import RUN_MARK, PipelineScale, RunFolderError, claim_run_folder, run_pipeline


@pytest.mark.slow
def test_pipeline_runs_every_stage_and_writes_the_report(tmp_path: Path) -> None:
    scale = PipelineScale.reduced()
    result = run_pipeline(tmp_path, scale, log=lambda line: None)
    assert list(result.stage_seconds) == ["build tiny model", "evaluate base", "SFT data", "SFT", "evaluate SFT",
                                          "GRPO", "evaluate SFT+GRPO"]
    games = set(scale.eval_games.split(","))
    for label, path in result.results.items():
        records = read_records(path)
        assert {r["model"] for r in records} == {label}
        assert {r["game"] for r in records} == games
    assert len(result.sft_losses) == scale.sft.max_steps
    assert len([e for e in result.grpo_log if "reward" in e]) == scale.grpo.max_steps
    text = result.report.read_text()
    for label in ("tiny-base", "tiny-sft", "tiny-sft-grpo"):
        assert f"| {label} |" in text
    assert "## Training (toy scale, CPU)" in text and "| total |" in text
    assert "rewards/tier_agreement/mean" in text
    for image in ("tiers.png", "games_heatmap.png", "training.png"):
        assert (tmp_path / image).stat().st_size > 1000
        assert f"]({image})" in text
    assert (tmp_path / "grpo" / "final" / "model.safetensors").is_file()
    assert (tmp_path / RUN_MARK).is_file()


def test_the_pipeline_writes_only_into_its_own_run_folder(tmp_path: Path) -> None:
    mine = claim_run_folder(tmp_path / "runs" / "demo")
    assert (mine / RUN_MARK).is_file() and claim_run_folder(mine) == mine  # an earlier run's folder is reused
    user = tmp_path / "project"
    (user / "data").mkdir(parents=True)
    (user / "data" / "precious.csv").write_text("1,2\n")
    with pytest.raises(RunFolderError, match="not a gamecwm demo run folder"):
        run_pipeline(user, PipelineScale.reduced(), log=lambda line: None)
    assert (user / "data" / "precious.csv").read_text() == "1,2\n" and not (user / RUN_MARK).exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert claim_run_folder(empty) == empty and (empty / RUN_MARK).is_file()
