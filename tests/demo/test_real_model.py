"""The demo's real-model part: its tables and report from results, and (slow) the real model end to end."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from gamecwm.demo.real_model import RealModelScale, SFTOutcome, first_failure, program_rows, report_text
from gamecwm.models.cache import cached_model


def _record(game: str, score: float | None, passed: bool, tiers: list[dict] | None = None, parsed: bool = True) -> dict:
    return {"id": f"m/{game}/t/0", "game": game, "score": score, "passed": passed, "parsed": parsed,
            "report": {"isolation": "bubblewrap+seccomp+landlock+rlimits", "tiers": tiers or []}}


FAILED = [{"name": "static", "checks": [{"name": "imports", "passed": True, "message": ""}]},
          {"name": "properties", "checks": [
              {"name": "no_mutation", "passed": False, "message": "apply_action changed its input | state\nmore"}]}]


def test_the_first_failed_check_is_named_with_its_first_line() -> None:
    assert first_failure(_record("tic_tac_toe", 0.1, False, FAILED)) == \
        "properties/no_mutation: apply_action changed its input | state"
    assert first_failure(_record("tic_tac_toe", 1.0, True, FAILED[:1])) == ""
    assert first_failure(_record("tic_tac_toe", 0.0, False, parsed=False)) == "does not parse as Python"
    assert first_failure(_record("tic_tac_toe", 0.1, False, FAILED), width=20) == "properties/no_mut..."


def test_program_rows_join_results_with_their_generations() -> None:
    records = [_record("kuhn_poker", 0.0, False, FAILED), _record("tic_tac_toe", None, False)]
    samples = {"m/kuhn_poker/t/0": {"completion_tokens": 812, "elapsed_s": 41.6}}
    rows = program_rows(records, samples)
    assert rows[0] == ("kuhn_poker", "812", "42", "0.000", "no",
                       "properties/no_mutation: apply_action changed its input | state")
    assert rows[1][:5] == ("tic_tac_toe", "?", "?", "n/a", "no")


def test_the_report_holds_provenance_programs_losses_and_times(tmp_path: Path) -> None:
    cached = cached_model("qwen2.5-coder-0.5b-instruct", tmp_path)
    cached.root.mkdir(parents=True)
    cached.manifest_path.write_text(json.dumps({"description": "Qwen2.5-Coder 0.5B", "sha256": "1d96"}))
    records = [_record("kuhn_poker", 0.25, False, FAILED)]
    samples = [{"id": "m/kuhn_poker/t/0", "completion_tokens": 812, "elapsed_s": 41.6}]
    sft = SFTOutcome(2, [0.91, 0.85], 0.802, 0.774, [2216, 2401])
    text = report_text(RealModelScale(), cached, records, samples, sft, {"fetch the model": 3.2, "short SFT": 250.0})
    assert "GGUF sha256 `1d96`" in text and "bubblewrap+seccomp+landlock+rlimits" in text
    assert "| kuhn_poker | 812 | 42 | 0.250 | no | properties/no_mutation: apply_action changed its input \\| state |" \
        in text
    assert "Mean score 0.250 over 1 program(s); 0 passed." in text
    assert "| held-out (prisoners_dilemma), before | 0.8020 |" in text and "after | 0.7740 |" in text
    assert "| training step 2 | 0.8500 |" in text and "(2216, 2401 tokens" in text
    assert "| short SFT | 250 |" in text
    assert "## A short LoRA SFT" not in report_text(RealModelScale(), cached, records, samples, None, {})


def test_a_scale_without_games_or_steps_is_refused() -> None:
    with pytest.raises(ValueError, match="needs games"):
        RealModelScale(held_out_games=())
    with pytest.raises(ValueError, match="at least 1"):
        RealModelScale(sft_steps=0)


@pytest.mark.slow
def test_the_real_model_writes_a_program_that_is_verified(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (pip install 'gamecwm[llamacpp]')")
    from gamecwm.demo.real_model import run_real_model

    scale = RealModelScale.reduced()
    if not cached_model(scale.model).has_gguf():
        pytest.skip(f"{scale.model} is not fetched (gamecwm models fetch {scale.model})")
    report = run_real_model(Console(file=io.StringIO()), tmp_path, scale, train=False)
    results = [json.loads(line) for line in (tmp_path / "real-model" / "results.jsonl").read_text().splitlines()]
    assert [r["game"] for r in results] == ["tic_tac_toe"] and results[0]["score"] is not None
    text = report.read_text()
    assert "| tic_tac_toe |" in text and "fetch the model" in text and "A short LoRA SFT" not in text
