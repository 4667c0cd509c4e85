"""The evaluation report: Markdown tables (models side by side) and PNG plots.

One row per model, a column per verifier tier, like a paper's results table; breakdowns by split,
information type and out-of-distribution games; plots of per-tier scores with confidence intervals
and a model x game heat map of mean scores.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gamecwm.evaluate.metrics import K_VALUES, model_metrics
from gamecwm.evaluate.repair_curve import curve_table, has_repairs, plot_curve, repair_curve
from gamecwm.jsonl import read_records
from gamecwm.verify.config import TIER_ORDER

REPORT_NAME = "report.md"
TIER_PLOT = "tiers.png"
HEATMAP_PLOT = "games_heatmap.png"
REPAIR_PLOT = "repair_curve.png"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def results_table(metrics: dict[str, Any]) -> str:
    """The main table: one row per model."""
    tiers = [t for t in TIER_ORDER if any(t in m["overall"].get("tiers", {}) for m in metrics.values())]
    header = ["model", "n", "parses", "passes static", "passes all", "mean score [95% CI]"]
    header += [f"pass@{k}" for k in K_VALUES] + [f"{t} tier" for t in tiers]
    rows = []
    for model, groups in metrics.items():
        overall = groups["overall"]
        if not overall["n"]:
            rows.append([model, "0"] + ["-"] * (len(header) - 2))
            continue
        row = [model, str(overall["n"]), _pct(overall["parse_rate"]), _pct(overall["static_pass_rate"]),
               _pct(overall["pass_rate"]),
               f"{overall['mean_score']:.3f} [{overall['ci_low']:.3f}, {overall['ci_high']:.3f}]"]
        row += [_pct(overall.get(f"pass@{k}")) for k in K_VALUES]
        row += [_num(overall["tiers"][t][0]) if t in overall["tiers"] else "-" for t in tiers]
        rows.append(row)
    return _table(header, rows)


def breakdown_table(metrics: dict[str, Any], breakdown: str) -> str:
    """Mean score (pass rate, sample count) for each value of a breakdown: one row per value, a column per model."""
    models = list(metrics)
    values = sorted({value for groups in metrics.values() for value in groups[breakdown]}, key=str)
    rows = []
    for value in values:
        cells = []
        for model in models:
            group = metrics[model][breakdown].get(value)
            cells.append("-" if not group or not group["n"] else
                         f"{group['mean_score']:.3f} ({_pct(group['pass_rate'])} pass, n={group['n']})")
        rows.append([str(value)] + cells)
    return _table([breakdown] + models, rows)


def playability_table(metrics: dict[str, dict[str, Any]]) -> str:
    """Per model: samples played, mean playability score with interval, win rate, illegal moves."""
    header = ["model", "samples played", "playability [95% CI]", "win rate", "illegal moves"]
    rows = [[model, str(m["n"]), f"{m['mean_score']:.3f} [{m['ci_low']:.3f}, {m['ci_high']:.3f}]",
             _pct(m["win_rate"]), str(m["illegal_moves"])] for model, m in metrics.items()]
    return _table(header, rows)


def plot_tiers(metrics: dict[str, Any], path: Path) -> None:
    """Grouped bars: mean score per verifier tier for each model, with 95% bootstrap intervals."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    models = list(metrics)
    tiers = [t for t in TIER_ORDER if any(t in m["overall"].get("tiers", {}) for m in metrics.values())]
    width = 0.8 / max(1, len(models))
    figure, axes = plt.subplots(figsize=(max(6, 1.6 * len(tiers) + 2), 4))
    for number, model in enumerate(models):
        stats = metrics[model]["overall"].get("tiers", {})
        means = np.array([stats.get(t, (0, 0, 0))[0] for t in tiers])
        lows = np.array([stats.get(t, (0, 0, 0))[1] for t in tiers])
        highs = np.array([stats.get(t, (0, 0, 0))[2] for t in tiers])
        positions = np.arange(len(tiers)) + number * width
        axes.bar(positions, means, width, label=model, yerr=[means - lows, highs - means], capsize=3)
    axes.set_xticks(np.arange(len(tiers)) + width * (len(models) - 1) / 2, tiers)
    axes.set_ylim(0, 1.05)
    axes.set_ylabel("mean tier score (95% CI)")
    axes.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def plot_heatmap(metrics: dict[str, Any], path: Path) -> None:
    """Model x game heat map of mean scores."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    models = list(metrics)
    games = sorted({g for m in metrics.values() for g in m["game"]})
    grid = np.full((len(models), len(games)), np.nan)
    for row, model in enumerate(models):
        for column, game in enumerate(games):
            group = metrics[model]["game"].get(game)
            if group and group["n"]:
                grid[row, column] = group["mean_score"]
    figure, axes = plt.subplots(figsize=(max(6, 0.45 * len(games) + 2), max(2.5, 0.5 * len(models) + 1.8)))
    image = axes.imshow(grid, vmin=0, vmax=1, cmap="viridis", aspect="auto")
    axes.set_xticks(range(len(games)), games, rotation=60, ha="right", fontsize="small")
    axes.set_yticks(range(len(models)), models, fontsize="small")
    figure.colorbar(image, ax=axes, label="mean score")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def write_report(results_files: list[Path], out_dir: Path, seed: int = 0) -> Path:
    """Write report.md and its PNG plots for one or more results files; returns the report's path."""
    results = [record for path in results_files for record in read_records(path)]
    if not results:
        raise ValueError("no results to report")
    metrics = model_metrics(results, seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    plot_tiers(metrics, out_dir / TIER_PLOT)
    plot_heatmap(metrics, out_dir / HEATMAP_PLOT)
    sections = [
        "# GameCWM evaluation",
        f"{len(results)} verified samples from {', '.join(str(p.name) for p in results_files)}. Scores are "
        "verifier scores in [0, 1]; intervals are 95% bootstrap intervals; pass@k uses the unbiased "
        "estimator per game, averaged over games; infrastructure failures are not counted.",
        "## Results", results_table(metrics),
        f"![mean score per verifier tier]({TIER_PLOT})",
        "## By split", breakdown_table(metrics, "split"),
        "## By information", breakdown_table(metrics, "information"),
        "## In and out of distribution", breakdown_table(metrics, "out of distribution"),
        "## By curriculum tier", breakdown_table(metrics, "curriculum tier"),
        "## By game", breakdown_table(metrics, "game"),
        f"![mean score per model and game]({HEATMAP_PLOT})",
    ]
    if has_repairs(results):
        curves = repair_curve(results)
        plot_curve(curves, out_dir / REPAIR_PLOT)
        sections += [
            "## Repair: score and pass rate by model calls",
            ("Each repaired sample's best version after a number of model calls (the sample's own generation "
             "is the first call); the one-call row is the single-sample number. The tables above count every "
             "version of a repair run as a sample."),
            curve_table(curves), f"![score and pass rate by model calls]({REPAIR_PLOT})",
        ]
    from gamecwm.evaluate.playability import playability_metrics, playability_path

    played = [record for path in results_files for record in read_records(playability_path(path))]
    if played:
        sections += ["## Playability",
                     "MCTS (ISMCTS for hidden information) planning with the sample against the same planner "
                     "with the reference, on the true game; 0.5 means as good as the reference.",
                     playability_table(playability_metrics(played, seed))]
    path = out_dir / REPORT_NAME
    path.write_text("\n\n".join(sections) + "\n")
    return path
