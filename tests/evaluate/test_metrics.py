"""Metrics on hand-computed cases: the unbiased pass@k estimator and bootstrap intervals."""

import math

import pytest

from gamecwm.evaluate.metrics import bootstrap_ci, group_metrics, pass_at_k


def test_pass_at_k_hand_computed() -> None:
    assert pass_at_k(10, 0, 1) == 0.0
    assert pass_at_k(10, 10, 5) == 1.0
    assert pass_at_k(10, 3, 1) == pytest.approx(0.3)
    # 1 - C(7,5)/C(10,5) = 1 - 21/252
    assert pass_at_k(10, 3, 5) == pytest.approx(1 - 21 / 252)
    assert pass_at_k(5, 1, 5) == 1.0
    assert pass_at_k(4, 2, 2) == pytest.approx(1 - math.comb(2, 2) / math.comb(4, 2))
    with pytest.raises(ValueError):
        pass_at_k(3, 1, 5)


def test_bootstrap_interval_brackets_the_mean_and_is_seeded() -> None:
    values = [0.0, 1.0] * 50
    mean, low, high = bootstrap_ci(values, seed=1)
    assert mean == 0.5 and low < 0.5 < high
    assert 0.38 < low < 0.45 and 0.55 < high < 0.62  # about mean -/+ 1.96 * 0.05
    assert bootstrap_ci(values, seed=1) == (mean, low, high)
    assert bootstrap_ci([0.7]) == (0.7, 0.7, 0.7)


def _record(game: str, passed: bool, score: float | None) -> dict:
    return {"game": game, "passed": passed, "score": score, "parsed": True, "static_passed": score is not None,
            "tier_scores": {} if score is None else {"static": 1.0, "agreement": score}}


def test_group_metrics_leave_out_infrastructure_failures() -> None:
    records = [_record("a", True, 1.0), _record("a", False, 0.5), _record("b", False, 0.0), _record("b", False, None)]
    metrics = group_metrics(records)
    assert metrics["n"] == 3 and metrics["infrastructure_failures"] == 1
    assert metrics["pass_rate"] == pytest.approx(1 / 3)
    assert metrics["mean_score"] == pytest.approx(0.5)
    assert metrics["pass@1"] == pytest.approx((0.5 + 0.0) / 2)  # game a: 1 of 2; game b: 0 of 1
    assert "pass@5" not in metrics
    assert metrics["tiers"]["agreement"][0] == pytest.approx(0.5)
