"""Repaired runs: score and pass rate as a function of the number of model calls.

Results of a repair file carry each version's `repair` facts (`sample`: the sample it refines, `calls`:
model calls spent on that sample once the version existed, the sample's own generation being call 1).
After c calls a sample's outcome is its best version so far (the verifier picks it at test time) and
whether any version so far passed; a sample whose search ended earlier keeps its final outcome. The
curve's first point (one call) is the single-sample number.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np


def has_repairs(results: list[dict[str, Any]]) -> bool:
    """True when some result is a version from a repair run."""
    return any(isinstance(r.get("repair"), dict) for r in results)


def repair_curve(results: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Per model: one point per number of model calls, `{"calls", "n", "mean_score", "pass_rate"}`.

    Infrastructure failures (score None) are left out; a sample counts from the first call at which it
    has a scored version.
    """
    trees: dict[str, dict[str, list[tuple[int, float, bool]]]] = defaultdict(lambda: defaultdict(list))
    for record in results:
        repair = record.get("repair")
        if not isinstance(repair, dict) or record.get("score") is None:
            continue
        trees[record["model"]][str(repair["sample"])].append(
            (int(repair["calls"]), float(record["score"]), bool(record["passed"])))
    curves = {}
    for model, samples in trees.items():
        last = max(calls for versions in samples.values() for calls, _, _ in versions)
        points = []
        for calls in range(1, last + 1):
            outcomes = [(max(s for c, s, _ in versions if c <= calls), any(p for c, _, p in versions if c <= calls))
                        for versions in samples.values() if any(c <= calls for c, _, _ in versions)]
            if outcomes:
                points.append({"calls": calls, "n": len(outcomes),
                               "mean_score": float(np.mean([s for s, _ in outcomes])),
                               "pass_rate": float(np.mean([p for _, p in outcomes]))})
        curves[model] = points
    return curves


def curve_table(curves: dict[str, list[dict[str, Any]]]) -> str:
    """A Markdown table: for each model and number of model calls, the mean best score and the pass rate."""
    lines = ["| model | model calls | samples | mean best score | pass rate |", "|---|---|---|---|---|"]
    for model, points in curves.items():
        for point in points:
            calls = f"{point['calls']} (single sample)" if point["calls"] == 1 else str(point["calls"])
            lines.append(f"| {model} | {calls} | {point['n']} | {point['mean_score']:.3f} | "
                         f"{100 * point['pass_rate']:.1f}% |")
    return "\n".join(lines)


def plot_curve(curves: dict[str, list[dict[str, Any]]], path: Path) -> None:
    """Two panels: mean best score and pass rate against the number of model calls, one line per model."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (score_axes, pass_axes) = plt.subplots(1, 2, figsize=(10, 4))
    for model, points in curves.items():
        calls = [p["calls"] for p in points]
        score_axes.plot(calls, [p["mean_score"] for p in points], marker="o", label=model)
        pass_axes.plot(calls, [p["pass_rate"] for p in points], marker="o", label=model)
    for axes, label in ((score_axes, "mean best score"), (pass_axes, "pass rate")):
        axes.set_xlabel("model calls per sample")
        axes.set_ylabel(label)
        axes.set_ylim(0, 1.05)
        axes.grid(alpha=0.3)
    pass_axes.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
