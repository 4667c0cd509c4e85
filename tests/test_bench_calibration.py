"""The calibration bench's recorded playabilities: readable, one setting, and covering today's calibration set."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from gamecwm.verify.calibration import calibration_set

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _bench():
    spec = importlib.util.spec_from_file_location("verifier_calibration", BENCH / "verifier_calibration.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_recorded_playabilities_cover_every_program_of_the_calibration_set() -> None:
    bench = _bench()
    recorded = bench.recorded_playability(BENCH / "baselines" / "calibration_playability.jsonl")
    assert recorded["settings"] == (48, 30, 30)
    expected = {(game, name) for game in bench.GAMES for name, _ in calibration_set(game, mutants=3)}
    assert expected == set(recorded["rows"])
    assert all(0.0 <= share <= 1.0 for share, _ in recorded["rows"].values())


def test_rows_of_mixed_settings_or_another_format_are_refused(tmp_path) -> None:
    bench = _bench()
    row = {"game": "pig", "program": "reference", "playability": 0.5, "return_vs_random": 0.1,
           "games": 48, "sims": 30, "ismcts_sims": 30}
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(json.dumps(row) + "\n" + json.dumps(row | {"program": "never_ends", "games": 16}) + "\n")
    with pytest.raises(ValueError, match="2 different settings"):
        bench.recorded_playability(mixed)
    other = tmp_path / "other.jsonl"
    other.write_text('{"game": "pig"}\n')
    with pytest.raises(ValueError, match="not a --rows file"):
        bench.recorded_playability(other)


@pytest.mark.slow
def test_scores_rank_like_the_recorded_playabilities() -> None:
    # The bar: a rank correlation of at least 0.7 over the calibration set, and no program whose planner
    # loses to random play above 0.5 (playabilities as recorded at 48 games per pairing, see the README).
    from scipy.stats import spearmanr

    from gamecwm.sandbox import SandboxPool
    from gamecwm.verify import verify

    bench = _bench()
    recorded = bench.recorded_playability(BENCH / "baselines" / "calibration_playability.jsonl")["rows"]
    scores, shares = [], []
    with SandboxPool(workers=2) as pool:
        for game in bench.GAMES:
            for name, source in calibration_set(game, mutants=3):
                score = verify(source, game, seed=0, runner=pool.run).score
                share, versus_random = recorded[(game, name)]
                assert score is not None
                assert not (versus_random < 0 and score > 0.5), (game, name, score)
                scores.append(score)
                shares.append(share)
    assert spearmanr(scores, shares).statistic >= 0.7
