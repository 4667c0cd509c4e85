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
from gamecwm.records import PLAYABILITY, RESULTS, RecordFileError, read_inputs
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
    several_seeds = any(len(m["overall"].get("seed_means", {})) > 1 for m in metrics.values())
    if several_seeds:
        header.append("mean score per seed (sd)")
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
        if several_seeds:
            row.append(_seed_cell(overall))
        rows.append(row)
    return _table(header, rows)


def _seed_cell(overall: dict[str, Any]) -> str:
    means = overall.get("seed_means", {})
    cells = ", ".join(f"{seed}: {mean:.3f}" for seed, mean in means.items())
    spread = overall.get("seed_sd")
    return f"{cells} (sd {spread:.3f})" if spread is not None else cells or "-"


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
    """Write report.md and its PNG plots for one or more results files; returns the report's path.

    The files are read with the record reader: a malformed line, the same file twice or the same
    result in two files is a RecordFileError. Files written earlier in `out_dir` by a report are
    replaced; any other file in the way is an error.
    """
    files = read_inputs([Path(p) for p in results_files], RESULTS)
    results = [record for records in files for record in records.records]
    if not results:
        raise RecordFileError(f"no results in {', '.join(str(p) for p in results_files)} (the files are empty)")
    metrics = model_metrics(results, seed)
    out_dir = Path(out_dir)
    claim_report_folder(out_dir)
    plot_tiers(metrics, out_dir / TIER_PLOT)
    plot_heatmap(metrics, out_dir / HEATMAP_PLOT)
    sections = [
        "# GameCWM evaluation\n" + REPORT_MARK,
        (f"{len({r['key'] for r in results})} verified samples from "
         f"{', '.join(Path(p).name for p in results_files)}. Scores are verifier scores in [0, 1]; intervals are "
         "95% bootstrap intervals; pass@k uses the unbiased estimator per game, averaged over games; "
         "infrastructure failures are not counted. A sample verified at several seeds counts once: its mean "
         "score, and a pass only if it passed at every seed."),
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

    play_files = [playability_path(path) for path in results_files if playability_path(path).exists()]
    played = [record for records in read_inputs(play_files, PLAYABILITY) for record in records.records]
    if played:
        sections += ["## Playability",
                     "MCTS (ISMCTS for hidden information) planning with the sample against the same planner "
                     "with the reference, on the true game; 0.5 means as good as the reference.",
                     playability_table(playability_metrics(played, seed))]
    path = out_dir / REPORT_NAME
    path.write_text("\n\n".join(sections) + "\n")
    return path


REPORT_MARK = "<!-- written by gamecwm report -->"
REPORT_FILES = (REPORT_NAME, TIER_PLOT, HEATMAP_PLOT, REPAIR_PLOT)


def claim_report_folder(out_dir: Path) -> None:
    """Make sure writing a report into `out_dir` destroys nothing a report did not write there.

    The report's files may replace only an earlier report's (its report.md carries a mark); a foreign
    report.md is an error naming it, and a plot name held by an unmarked folder is too.
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise RecordFileError(f"--out {out_dir} is a file; give a folder for the report")
    previous = out_dir / REPORT_NAME
    ours = previous.is_file() and REPORT_MARK in previous.read_text(errors="replace")
    if not ours:
        taken = [name for name in REPORT_FILES if (out_dir / name).exists()]
        if taken:
            raise RecordFileError(f"--out {out_dir} already holds {', '.join(taken)}, not written by gamecwm "
                                  "report; they are left as they are: choose another --out")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RecordFileError(f"cannot write the report to {out_dir}: {exc.strerror or exc}") from exc
