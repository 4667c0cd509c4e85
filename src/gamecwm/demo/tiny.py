"""`gamecwm demo --quick`: the post-training pipeline on the tiny random-weight model, in a few minutes."""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console


def run_tiny_pipeline(console: Console, out_dir: Path, seed: int = 0) -> Path:
    """Base vs SFT vs SFT+GRPO on the tiny model at toy scale; prints the results table, returns the report."""
    from gamecwm.evaluate.metrics import model_metrics
    from gamecwm.evaluate.report import results_table
    from gamecwm.jsonl import read_records
    from gamecwm.train.pipeline import PipelineScale, run_pipeline

    console.rule("Post-training at toy scale: tiny model, SFT, then GRPO with the verifier reward")
    console.print("The tiny model has random weights: expect scores of 0. This shows that every stage runs "
                  "(about 5 minutes on 2 cores).", highlight=False)
    started = time.perf_counter()
    result = run_pipeline(out_dir, PipelineScale(seed=seed), log=lambda line: console.print(line, highlight=False))
    records = [r for path in result.results.values() for r in read_records(path)]
    print(results_table(model_metrics(records, seed)))  # Markdown, printed as it is
    console.print(f"report: {result.report} (pipeline wall time {time.perf_counter() - started:.0f} s)")
    return result.report
