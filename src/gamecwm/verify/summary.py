"""Summaries of many verification reports: mean scores per game and per tier, pass rates, as a table."""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any

from rich.table import Table


def summarize(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean score per game and per tier, and pass rate, over output records (infrastructure failures excluded)."""
    scored = [r for r in records if r.get("score") is not None]
    per_game: dict[str, list[float]] = defaultdict(list)
    per_tier: dict[str, list[float]] = defaultdict(list)
    passes: dict[str, list[bool]] = defaultdict(list)
    for record in scored:
        per_game[record["game"]].append(record["score"])
        passes[record["game"]].append(record["passed"])
        for tier in record["tiers"]:
            per_tier[tier["name"]].append(tier["score"])
    return {
        "candidates": len(records),
        "infrastructure_failures": len(records) - len(scored),
        "mean_score": statistics.fmean(r["score"] for r in scored) if scored else None,
        "pass_rate": statistics.fmean(r["passed"] for r in scored) if scored else None,
        "games": {g: {"n": len(s), "mean_score": statistics.fmean(s), "pass_rate": statistics.fmean(passes[g])}
                  for g, s in sorted(per_game.items())},
        "tiers": {t: statistics.fmean(s) for t, s in per_tier.items()},
    }


def summary_tables(summary: dict[str, Any]) -> list[Table]:
    """Rich tables for a summary: one row per game, then one row per tier."""
    games = Table(title=f"{summary['candidates']} candidates "
                        f"({summary['infrastructure_failures']} infrastructure failures, not scored)")
    for column in ("game", "n", "mean score", "pass rate"):
        games.add_column(column, justify="left" if column == "game" else "right")
    for game, row in summary["games"].items():
        games.add_row(game, str(row["n"]), f"{row['mean_score']:.3f}", f"{row['pass_rate']:.0%}")
    if summary["mean_score"] is not None:
        games.add_row("all", str(sum(r["n"] for r in summary["games"].values())),
                      f"{summary['mean_score']:.3f}", f"{summary['pass_rate']:.0%}", style="bold")
    tiers = Table(title="mean score per tier")
    tiers.add_column("tier")
    tiers.add_column("mean score", justify="right")
    for tier, mean in summary["tiers"].items():
        tiers.add_row(tier, f"{mean:.3f}")
    return [games, tiers]
