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
    """(mean, low, high): the mean with a percentile bootstrap confidence interval.

    The values are sorted first, so the interval depends on the seed and the values, not on their order.
    """
    data = np.sort(np.asarray(list(values), dtype=float))
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


def combine_seeds(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per sample from its results at one or more verification seeds.

    The score and tier scores are means over the seeds where the sample was scored; it passes only if it
    passed at every such seed (a pass at one seed only is luck). A sample never scored keeps score None.
    """
    by_key: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in results:
        by_key[record["key"]].append(record)
    combined = []
    for records in by_key.values():
        if len(records) == 1:
            combined.append(records[0])
            continue
        scored = [r for r in records if r.get("score") is not None]
        merged = dict(records[0])
        merged["verify_seeds"] = sorted(r.get("verify_seed", 0) for r in records)
        if scored:
            tiers: dict[str, list[float]] = defaultdict(list)
            for record in scored:
                for name, score in record["tier_scores"].items():
                    tiers[name].append(score)
            merged.update(score=float(np.mean([r["score"] for r in scored])),
                          passed=all(r["passed"] for r in scored),
                          static_passed=all(r["static_passed"] for r in scored),
                          tier_scores={name: float(np.mean(values)) for name, values in tiers.items()})
        else:
            merged.update(score=None, passed=False)
        combined.append(merged)
    return combined


def seed_spread(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The mean score at each verification seed and their spread (sample standard deviation over seeds)."""
    by_seed: dict[int, list[float]] = defaultdict(list)
    for record in results:
        if record.get("score") is not None:
            by_seed[record.get("verify_seed", 0)].append(record["score"])
    means = {seed: float(np.mean(scores)) for seed, scores in sorted(by_seed.items())}
    spread = float(np.std(list(means.values()), ddof=1)) if len(means) > 1 else None
    return {"seed_means": means, "seed_sd": spread}


def model_metrics(results: list[dict[str, Any]], seed: int = 0) -> dict[str, Any]:
    """Per model: overall metrics and each breakdown (game, curriculum tier, information, split, ood).

    Results at several verification seeds count once per sample (see `combine_seeds`); the overall
    metrics also hold each seed's mean score and their spread.
    """
    by_model: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in results:
        by_model[record["model"]].append(record)
    metrics = {}
    for model, records in by_model.items():
        samples = combine_seeds(records)
        overall = {**group_metrics(samples, seed), **seed_spread(records)}
        metrics[model] = {"overall": overall,
                          **{name: breakdown(samples, key, seed) for name, key in BREAKDOWNS.items()}}
    return metrics
