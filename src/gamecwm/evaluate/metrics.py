"""Metrics over verified samples: the unbiased pass@k estimator and bootstrap confidence intervals."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any, Callable, Iterable

import numpy as np

K_VALUES = (1, 5, 10)
BOOTSTRAP_RESAMPLES = 2000
CONFIDENCE = 0.95


def pass_at_k(n: int, c: int, k: int) -> float:
    """The unbiased estimator of pass@k from n samples of which c passed: 1 - C(n-c, k) / C(n, k)."""
    if not 0 <= c <= n:
        raise ValueError(f"need 0 <= c <= n, got n={n}, c={c}")
    if k > n:
        raise ValueError(f"pass@{k} needs at least {k} samples, got {n}")
    if n - c < k:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def bootstrap_ci(values: Iterable[float], seed: int = 0, resamples: int = BOOTSTRAP_RESAMPLES,
                 confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """(mean, low, high): the mean with a percentile bootstrap confidence interval."""
    data = np.asarray(list(values), dtype=float)
    if data.size == 0:
        raise ValueError("no values")
    mean = float(data.mean())
    if data.size == 1:
        return mean, mean, mean
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, data.size, size=(resamples, data.size))].mean(axis=1)
    alpha = (1 - confidence) / 2
    low, high = np.quantile(means, [alpha, 1 - alpha])
    return mean, float(low), float(high)


def group_metrics(results: list[dict[str, Any]], seed: int = 0) -> dict[str, Any]:
    """Rates, mean score with its interval, pass@k and mean tier scores for one group of results.

    Infrastructure failures (score None) are left out: they say nothing about the model.
    """
    scored = [r for r in results if r.get("score") is not None]
    metrics: dict[str, Any] = {"n": len(scored), "infrastructure_failures": len(results) - len(scored)}
    if not scored:
        return metrics
    metrics["parse_rate"] = float(np.mean([r["parsed"] for r in scored]))
    metrics["static_pass_rate"] = float(np.mean([r["static_passed"] for r in scored]))
    metrics["pass_rate"] = float(np.mean([r["passed"] for r in scored]))
    mean, low, high = bootstrap_ci([r["score"] for r in scored], seed=seed)
    metrics.update(mean_score=mean, ci_low=low, ci_high=high)
    per_game: dict[str, list[bool]] = defaultdict(list)
    for record in scored:
        per_game[record["game"]].append(bool(record["passed"]))
    for k in K_VALUES:
        if per_game and all(len(v) >= k for v in per_game.values()):
            metrics[f"pass@{k}"] = float(np.mean([pass_at_k(len(v), sum(v), k) for v in per_game.values()]))
    tiers: dict[str, list[float]] = defaultdict(list)
    for record in scored:
        for name, score in record["tier_scores"].items():
            tiers[name].append(score)
    metrics["tiers"] = {name: bootstrap_ci(values, seed=seed) for name, values in tiers.items()}
    return metrics


def breakdown(results: list[dict[str, Any]], key: Callable[[dict[str, Any]], Any], seed: int = 0) -> dict[Any, Any]:
    """group_metrics for each value of `key` over the results."""
    groups: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for record in results:
        groups[key(record)].append(record)
    return {value: group_metrics(records, seed) for value, records in sorted(groups.items(), key=lambda kv: str(kv[0]))}


BREAKDOWNS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "game": lambda r: r["game"],
    "curriculum tier": lambda r: "test" if r["tier"] is None else f"tier {r['tier']}",
    "information": lambda r: r["information"],
    "split": lambda r: r["split"],
    "out of distribution": lambda r: "ood" if r["ood"] else "in distribution",
}


def model_metrics(results: list[dict[str, Any]], seed: int = 0) -> dict[str, Any]:
    """Per model: overall metrics and each breakdown (game, curriculum tier, information, split, ood)."""
    by_model: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in results:
        by_model[record["model"]].append(record)
    return {
        model: {"overall": group_metrics(records, seed),
                **{name: breakdown(records, key, seed) for name, key in BREAKDOWNS.items()}}
        for model, records in by_model.items()
    }
