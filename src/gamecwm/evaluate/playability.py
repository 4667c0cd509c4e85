"""Playability as a metric: how well samples that reach a verifier score serve a planner on the true game.

For each verified sample with a score of at least `min_score`, MCTS (ISMCTS for hidden-information
games) planning with the sample plays the same planner using the reference, on the reference game
(see gamecwm.play.playability). Records go to their own JSON-lines file beside the results, keyed
like them, appended as each finishes, so the step resumes.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from gamecwm.evaluate.metrics import bootstrap_ci, combine_seeds
from gamecwm.jsonl import append_record
from gamecwm.play.playability import playability
from gamecwm.records import (
    GENERATIONS,
    PLAYABILITY,
    PROVENANCE,
    RESULTS,
    base_provenance,
    open_output,
    read_record_file,
)
from gamecwm.sandbox import SandboxPool

DEFAULT_MIN_SCORE = 0.9


def playability_path(results_path: Path) -> Path:
    """Where the playability records of a results file live: `<results>.play.jsonl`."""
    results_path = Path(results_path)
    return results_path.with_name(results_path.stem + ".play.jsonl")


def evaluate_playability(
    generations: Path,
    results_path: Path,
    min_score: float = DEFAULT_MIN_SCORE,
    games: int = 10,
    sims: int = 50,
    seed: int = 0,
    workers: int | None = None,
    resume_anyway: bool = False,
) -> list[dict[str, Any]]:
    """Measure playability for every qualifying sample not measured yet; returns all playability records.

    A sample qualifies by its score over all the seeds it was verified at (see `combine_seeds`).
    """
    if games < 1 or sims < 1:
        raise ValueError("playability needs at least 1 game and 1 simulation per move")
    samples = read_record_file(Path(generations), GENERATIONS, skip_malformed=True).records
    code_by_key = {f"{s['model']}|{s['id']}": s["code"] for s in samples}
    out_path = playability_path(results_path)
    provenance = {**base_provenance(PLAYABILITY), "min_score": min_score, "games": games, "sims": sims,
                  "seed": seed}
    done = open_output(out_path, PLAYABILITY, provenance, resume_anyway).keys()
    results = combine_seeds(read_record_file(Path(results_path), RESULTS).records)
    todo = [r for r in results
            if r.get("score") is not None and r["score"] >= min_score and r["key"] not in done
            and r["key"] in code_by_key]
    with SandboxPool(workers=workers) as pool, out_path.open("a") as out:
        for record in todo:
            result = playability(code_by_key[record["key"]], record["game"], games=games, sims=sims, seed=seed,
                                 pool=pool)
            append_record(out, {"key": record["key"], "model": record["model"], "game": record["game"],
                                "verifier_score": record["score"], "min_score": min_score, **result,
                                PROVENANCE: provenance})
    return read_record_file(out_path, PLAYABILITY).records


def playability_metrics(records: list[dict[str, Any]], seed: int = 0) -> dict[str, dict[str, Any]]:
    """Per model: samples measured, mean playability score (0.5 = as good as the reference) and its interval."""
    by_model: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        by_model[record["model"]].append(record)
    metrics = {}
    for model, rows in by_model.items():
        mean, low, high = bootstrap_ci([r["score"] for r in rows], seed=seed)
        metrics[model] = {"n": len(rows), "mean_score": mean, "ci_low": low, "ci_high": high,
                          "win_rate": sum(r["win_rate"] for r in rows) / len(rows),
                          "illegal_moves": sum(r["illegal_moves"] for r in rows)}
    return metrics
