"""The `generate`, `import-samples` and `repair` commands: programs from models."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console

from gamecwm.cli.common import (
    UsageError,
    add_model_arguments,
    add_resume_arguments,
    backend_options,
    non_negative_float,
    non_negative_int,
    positive_int,
)

EXIT_FAILED_SAMPLES = 1


def _cmd_generate(args: argparse.Namespace, console: Console) -> int:
    from gamecwm.generate.backends import BackendError, SamplingParams, make_backend
    from gamecwm.generate.prompts import get_template
    from gamecwm.generate.run import generate_samples, select_games
    from gamecwm.repair.run import RepairConfig, default_repair_path, describe_summary, repair_samples

    try:
        games = select_games(args.games)
        get_template(args.template)
        params = SamplingParams(temperature=args.temperature, top_p=args.top_p, max_tokens=args.max_tokens)
        repair = RepairConfig(rounds=args.repair_rounds, width=args.repair_width)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    repair_out = Path(args.repair_out) if args.repair_out else default_repair_path(Path(args.out))
    try:
        backend = make_backend(args.backend, args.model, **backend_options(args))
        summary = generate_samples(backend, games, args.samples, Path(args.out), params, args.template, args.seed,
                                   max_attempts=args.max_attempts, resume_anyway=args.resume_anyway)
        console.print(summary.describe(Path(args.out)), highlight=False)
        if repair.rounds:
            repair_summary = repair_samples(backend, Path(args.out), repair_out, params, repair)
            console.print(describe_summary(repair_summary, repair_out))
    except BackendError as exc:
        print(f"gamecwm: error: {exc}; the samples finished so far are in {args.out}, run the same command "
              "to resume", file=sys.stderr)
        return 1
    return EXIT_FAILED_SAMPLES if summary.failures else 0


def _cmd_import_samples(args: argparse.Namespace, console: Console) -> int:
    from gamecwm.generate.run import import_samples

    try:
        added = import_samples(Path(args.folder), args.model, Path(args.out), resume_anyway=args.resume_anyway)
    except (ValueError, OSError) as exc:
        raise UsageError(str(exc)) from exc
    console.print(f"{added} samples imported into {args.out}")
    return 0


def _cmd_repair(args: argparse.Namespace, console: Console) -> int:
    from gamecwm.generate.backends import BackendError, SamplingParams, make_backend
    from gamecwm.repair.run import RepairConfig, describe_summary, read_samples, repair_samples

    try:
        read_samples(Path(args.generations))
        params = SamplingParams(temperature=args.temperature, top_p=args.top_p, max_tokens=args.max_tokens)
        config = RepairConfig(rounds=args.rounds, width=args.width, max_calls=args.max_calls,
                              exploration=args.exploration, seed=args.seed, workers=args.workers)
    except (ValueError, OSError) as exc:
        raise UsageError(str(exc)) from exc
    try:
        backend = make_backend(args.backend, args.model, **backend_options(args))
        summary = repair_samples(backend, Path(args.generations), Path(args.out), params, config)
    except BackendError as exc:
        print(f"gamecwm: error: {exc}", file=sys.stderr)
        return 1
    console.print(describe_summary(summary, Path(args.out)))
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add this module's subcommands."""
    generate = commands.add_parser("generate", help="sample GameCWMs from a model (resumable)")
    add_model_arguments(generate)
    generate.add_argument("--games", default="test", help="test, train, all, or comma-separated names (default test)")
    generate.add_argument("--samples", type=positive_int, default=1, help="samples per game (default 1)")
    generate.add_argument("--template", default="protocol", help="prompt template (default protocol)")
    generate.add_argument("--seed", type=int, default=0, help="base seed (default 0)")
    generate.add_argument("--out", required=True, help="generations JSONL (appended; resumes the same run)")
    generate.add_argument("--max-attempts", type=positive_int, default=3,
                          help="attempts per sample over reruns; failed attempts go to <out>.failures.jsonl and "
                               "a rerun retries them until this many (default 3)")
    add_resume_arguments(generate, "generations")
    generate.add_argument("--repair-rounds", type=non_negative_int, default=0,
                          help="then repair each sample with the verifier's feedback for N rounds "
                               "(default 0: no repair)")
    generate.add_argument("--repair-width", type=positive_int, default=1, help="refinements per round (default 1)")
    generate.add_argument("--repair-out", default=None, help="repair versions JSONL (default <out>.repairs.jsonl)")
    generate.set_defaults(handler=_cmd_generate, resumable=True)

    importing = commands.add_parser("import-samples", help="import a folder of <game>_gen<N>.py samples")
    importing.add_argument("folder")
    importing.add_argument("--model", required=True, help="the name the samples are reported under")
    importing.add_argument("--out", required=True, help="generations JSONL (appended)")
    add_resume_arguments(importing, "generations")
    importing.set_defaults(handler=_cmd_import_samples)

    repair = commands.add_parser("repair", help="refine each sample with the verifier's feedback (resumable)")
    repair.add_argument("generations", help="generations JSONL from generate or import-samples")
    add_model_arguments(repair)
    repair.add_argument("--rounds", type=non_negative_int, default=3, help="refinement rounds per sample (default 3)")
    repair.add_argument("--width", type=positive_int, default=1, help="refinements per round (default 1)")
    repair.add_argument("--max-calls", type=positive_int, default=None,
                        help="model calls per sample, its own generation included (default 1 + rounds * width)")
    repair.add_argument("--exploration", type=non_negative_float, default=0.1,
                        help="exploration term of the search (default 0.1)")
    repair.add_argument("--seed", type=int, default=0, help="verification seed (default 0)")
    repair.add_argument("--workers", type=positive_int, default=None, help="sandbox workers (default: one per core)")
    repair.add_argument("--out", required=True, help="versions JSONL (appended; resumes)")
    repair.set_defaults(handler=_cmd_repair, resumable=True)
