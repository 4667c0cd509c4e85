"""The `evaluate` and `report` commands: metrics and reports over verified samples."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from gamecwm.cli.common import UsageError


def _cmd_evaluate(args: argparse.Namespace, console: Console) -> int:
    from gamecwm.evaluate.metrics import model_metrics
    from gamecwm.evaluate.repair_curve import curve_table, has_repairs, repair_curve
    from gamecwm.evaluate.report import results_table
    from gamecwm.evaluate.run import evaluate_samples

    try:
        results = evaluate_samples(Path(args.generations), Path(args.out), workers=args.workers, seed=args.seed)
    except (ValueError, OSError) as exc:
        raise UsageError(str(exc)) from exc
    print(results_table(model_metrics(results, seed=args.seed)))
    if has_repairs(results):
        print("\nRepair: score and pass rate by model calls\n\n" + curve_table(repair_curve(results)))
    if args.play:
        from gamecwm.evaluate.playability import evaluate_playability, playability_metrics
        from gamecwm.evaluate.report import playability_table

        records = evaluate_playability(Path(args.generations), Path(args.out), min_score=args.play_min_score,
                                       games=args.play_games, sims=args.play_sims, seed=args.seed,
                                       workers=args.workers)
        print("\nPlayability\n\n" + playability_table(playability_metrics(records, seed=args.seed)))
    return 0


def _cmd_report(args: argparse.Namespace, console: Console) -> int:
    from gamecwm.evaluate.report import write_report

    missing = [p for p in args.results if not Path(p).is_file()]
    if missing:
        raise UsageError(f"no such results file: {', '.join(missing)}")
    path = write_report([Path(p) for p in args.results], Path(args.out))
    console.print(f"report written to {path}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add this module's subcommands."""
    evaluate = commands.add_parser("evaluate", help="verify every sample and compute metrics (resumable)")
    evaluate.add_argument("generations", help="generations JSONL from generate or import-samples")
    evaluate.add_argument("--out", required=True, help="results JSONL (appended; resumes)")
    evaluate.add_argument("--workers", type=int, default=None, help="sandbox workers (default: one per core)")
    evaluate.add_argument("--seed", type=int, default=0, help="verification and bootstrap seed")
    evaluate.add_argument("--play", action="store_true",
                          help="also measure playability: MCTS with the sample against MCTS with the reference")
    evaluate.add_argument("--play-min-score", type=float, default=0.9,
                          help="only samples with at least this verifier score are played (default 0.9)")
    evaluate.add_argument("--play-games", type=int, default=10, help="games per sample (default 10)")
    evaluate.add_argument("--play-sims", type=int, default=50, help="simulations per move (default 50)")
    evaluate.set_defaults(handler=_cmd_evaluate)

    report = commands.add_parser("report", help="write a Markdown report with tables and plots")
    report.add_argument("results", nargs="+", help="results JSONL files (several models side by side)")
    report.add_argument("--out", required=True, help="output folder")
    report.set_defaults(handler=_cmd_report)
