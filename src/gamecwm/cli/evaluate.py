"""The `evaluate` and `report` commands: metrics and reports over verified samples."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from gamecwm.cli.common import UsageError, add_resume_arguments, positive_int, seed_list, unit_float


def _cmd_evaluate(args: argparse.Namespace, console: Console) -> int:
    from gamecwm.evaluate.metrics import model_metrics
    from gamecwm.evaluate.repair_curve import curve_table, has_repairs, repair_curve
    from gamecwm.evaluate.report import results_table
    from gamecwm.evaluate.run import evaluate_samples
    from gamecwm.records import RESULTS

    if args.seeds is not None and args.seed is not None:
        raise UsageError("give --seed or --seeds, not both")
    seeds = args.seeds if args.seeds is not None else [args.seed or 0]
    try:
        evaluation = evaluate_samples(Path(args.generations), Path(args.out), workers=args.workers, seeds=seeds,
                                      skip_malformed=args.skip_malformed, resume_anyway=args.resume_anyway)
    except OSError as exc:
        raise UsageError(f"cannot evaluate: {exc.strerror or exc}") from exc
    if evaluation.skipped:
        console.print(f"skipped {len(evaluation.skipped)} malformed lines of {args.generations} "
                      f"(first: {evaluation.skipped[0]})", highlight=False)
    results = evaluation.records
    print(results_table(model_metrics(results, seed=seeds[0])))
    unverified = [r for r in results if RESULTS.is_failed_attempt(r)]
    console.print(f"\n{evaluation.added} new results in {args.out} ({len(results)} in all)"
                  + (f"; {len(unverified)} could not be verified (sandbox failures, e.g. {unverified[0]['key']}): "
                     "run the same command again to retry them" if unverified else ""), highlight=False)
    if has_repairs(results):
        print("\nRepair: score and pass rate by model calls\n\n" + curve_table(repair_curve(results)))
    if args.play:
        from gamecwm.evaluate.playability import evaluate_playability, playability_metrics
        from gamecwm.evaluate.report import playability_table

        records = evaluate_playability(Path(args.generations), Path(args.out), min_score=args.play_min_score,
                                       games=args.play_games, sims=args.play_sims, seed=seeds[0],
                                       workers=args.workers, resume_anyway=args.resume_anyway)
        print("\nPlayability\n\n" + playability_table(playability_metrics(records, seed=seeds[0])))
    return 0


def _cmd_report(args: argparse.Namespace, console: Console) -> int:
    from gamecwm.evaluate.report import write_report

    try:
        path = write_report([Path(p) for p in args.results], Path(args.out), seed=args.seed)
    except OSError as exc:
        raise UsageError(f"cannot write the report to {args.out}: {exc.strerror or exc}") from exc
    console.print(f"report written to {path}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add this module's subcommands."""
    evaluate = commands.add_parser("evaluate", help="verify every sample and compute metrics (resumable)")
    evaluate.add_argument("generations", help="generations JSONL from generate or import-samples")
    evaluate.add_argument("--out", required=True, help="results JSONL (appended; resumes the same evaluation)")
    evaluate.add_argument("--workers", type=positive_int, default=None,
                          help="sandbox workers (default: one per core)")
    evaluate.add_argument("--seed", type=int, default=None, help="verification and bootstrap seed (default 0)")
    evaluate.add_argument("--seeds", type=seed_list, default=None,
                          help="several verification seeds, e.g. 0,1,2: each sample is verified at each; "
                               "scores are averaged over seeds and their spread is reported")
    evaluate.add_argument("--skip-malformed", action="store_true",
                          help="skip malformed lines of the generations file (counted) instead of refusing it")
    add_resume_arguments(evaluate, "results")
    evaluate.add_argument("--play", action="store_true",
                          help="also measure playability: MCTS with the sample against MCTS with the reference")
    evaluate.add_argument("--play-min-score", type=unit_float, default=0.9,
                          help="only samples with at least this verifier score are played (default 0.9)")
    evaluate.add_argument("--play-games", type=positive_int, default=10, help="games per sample (default 10)")
    evaluate.add_argument("--play-sims", type=positive_int, default=50, help="simulations per move (default 50)")
    evaluate.set_defaults(handler=_cmd_evaluate, resumable=True)

    report = commands.add_parser("report", help="write a Markdown report with tables and plots")
    report.add_argument("results", nargs="+", help="results JSONL files (several models side by side)")
    report.add_argument("--out", required=True, help="output folder")
    report.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    report.set_defaults(handler=_cmd_report)
