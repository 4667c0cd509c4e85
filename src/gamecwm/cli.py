"""The `gamecwm` command line: argument parsing only; every command calls a library function."""

from __future__ import annotations

import argparse
import json
import sys

from rich.console import Console

from gamecwm.games import UnknownGameError, get_game, list_games, load_reference, load_rules

EXIT_USAGE = 2


class UsageError(Exception):
    """Bad input from the user: reported as a clear message with exit status 2."""


def _cmd_games_list(args: argparse.Namespace, console: Console) -> int:
    games = list_games()
    if args.json:
        print(json.dumps([g.to_json() for g in games], indent=2))
    else:
        from gamecwm.games.present import games_table

        console.print(games_table(games))
    return 0


def _cmd_games_show(args: argparse.Namespace, console: Console) -> int:
    print(load_rules(args.name), end="")
    return 0


def _cmd_games_play(args: argparse.Namespace, console: Console) -> int:
    from gamecwm.games.playout import random_playout
    from gamecwm.games.present import print_playout

    game = get_game(args.name)
    module = load_reference(game.name)
    playout = random_playout(module, seed=args.seed, max_steps=game.max_game_length + 1)
    print_playout(console, module, playout, game)
    return 0


def _cmd_demo(args: argparse.Namespace, console: Console) -> int:
    from gamecwm.demo import run_demo

    unfinished = run_demo(console, seed=args.seed)
    return 1 if unfinished else 0


def _read_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from exc


def _cmd_verify(args: argparse.Namespace, console: Console) -> int:
    from gamecwm.generate.extract import extract_code
    from gamecwm.verify import format_report, verify

    get_game(args.game)
    text = _read_text(args.file)
    code = text if args.file.endswith(".py") else extract_code(text)
    report = verify(code, args.game, seed=args.seed)
    if args.json:
        print(json.dumps(report.to_json()))
    else:
        print(format_report(report))
    return 0


def _cmd_verify_batch(args: argparse.Namespace, console: Console) -> int:
    from pathlib import Path

    from gamecwm.verify.batch import BatchInputError, run_batch
    from gamecwm.verify.summary import summarize, summary_tables

    try:
        records = run_batch(Path(args.input), Path(args.output), workers=args.workers, seed=args.seed)
    except BatchInputError as exc:
        raise UsageError(str(exc)) from exc
    for table in summary_tables(summarize(records)):
        console.print(table)
    return 0


def _cmd_generate(args: argparse.Namespace, console: Console) -> int:
    from pathlib import Path

    from gamecwm.generate.backends import BackendError, SamplingParams, make_backend
    from gamecwm.generate.prompts import get_template
    from gamecwm.generate.run import generate_samples, select_games

    try:
        games = select_games(args.games)
        get_template(args.template)
        params = SamplingParams(temperature=args.temperature, top_p=args.top_p, max_tokens=args.max_tokens)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    options = {"base_url": args.base_url, "api_key_env": args.api_key_env, "concurrency": args.concurrency} \
        if args.backend == "openai" else {}
    try:
        backend = make_backend(args.backend, args.model, **options)
        written = generate_samples(backend, games, args.samples, Path(args.out), params, args.template, args.seed)
    except BackendError as exc:
        print(f"gamecwm: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"interrupted: the samples written so far are in {args.out}; run the same command to resume",
              file=sys.stderr)
        return 130
    console.print(f"{written} new samples in {args.out}")
    return 0


def _cmd_import_samples(args: argparse.Namespace, console: Console) -> int:
    from pathlib import Path

    from gamecwm.generate.run import import_samples

    try:
        added = import_samples(Path(args.folder), args.model, Path(args.out))
    except (ValueError, OSError) as exc:
        raise UsageError(str(exc)) from exc
    console.print(f"{added} samples imported into {args.out}")
    return 0


def _cmd_evaluate(args: argparse.Namespace, console: Console) -> int:
    from pathlib import Path

    from gamecwm.evaluate.metrics import model_metrics
    from gamecwm.evaluate.report import results_table
    from gamecwm.evaluate.run import evaluate_samples

    try:
        results = evaluate_samples(Path(args.generations), Path(args.out), workers=args.workers, seed=args.seed)
    except (ValueError, OSError) as exc:
        raise UsageError(str(exc)) from exc
    print(results_table(model_metrics(results, seed=args.seed)))
    return 0


def _cmd_report(args: argparse.Namespace, console: Console) -> int:
    from pathlib import Path

    from gamecwm.evaluate.report import write_report

    missing = [p for p in args.results if not Path(p).is_file()]
    if missing:
        raise UsageError(f"no such results file: {', '.join(missing)}")
    path = write_report([Path(p) for p in args.results], Path(args.out))
    console.print(f"report written to {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(prog="gamecwm", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    games = commands.add_parser("games", help="list, show and play the dataset's games")
    games_commands = games.add_subparsers(dest="games_command", required=True)
    listing = games_commands.add_parser("list", help="list the registered games")
    listing.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    listing.set_defaults(handler=_cmd_games_list)
    show = games_commands.add_parser("show", help="print a game's rules (what a model receives)")
    show.add_argument("name")
    show.set_defaults(handler=_cmd_games_show)
    play = games_commands.add_parser("play", help="play one random game with the reference")
    play.add_argument("name")
    play.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    play.set_defaults(handler=_cmd_games_play)

    verify = commands.add_parser("verify", help="verify a GameCWM file against a game's reference")
    verify.add_argument("file", help="a Python file (or a model completion with a fenced code block)")
    verify.add_argument("--game", required=True, help="the registered game it implements")
    verify.add_argument("--json", action="store_true", help="print exactly one JSON object")
    verify.add_argument("--seed", type=int, default=0, help="verification seed (default 0)")
    verify.set_defaults(handler=_cmd_verify)

    batch = commands.add_parser("verify-batch", help="verify a JSONL file of candidates in parallel (resumable)")
    batch.add_argument("input", help='JSON lines {"id", "game", "code"}')
    batch.add_argument("--output", required=True, help="JSONL reports, appended as they finish")
    batch.add_argument("--workers", type=int, default=None, help="sandbox workers (default: one per core)")
    batch.add_argument("--seed", type=int, default=0, help="verification seed (default 0)")
    batch.set_defaults(handler=_cmd_verify_batch)

    generate = commands.add_parser("generate", help="sample GameCWMs from a model (resumable)")
    generate.add_argument("--backend", required=True, choices=("transformers", "openai", "vllm"))
    generate.add_argument("--model", required=True, help="local path or hub id (transformers, vllm); model name (openai)")
    generate.add_argument("--games", default="test", help="test, train, all, or comma-separated names (default test)")
    generate.add_argument("--samples", type=int, default=1, help="samples per game (default 1)")
    generate.add_argument("--template", default="protocol", help="prompt template (default protocol)")
    generate.add_argument("--temperature", type=float, default=0.7)
    generate.add_argument("--top-p", type=float, default=0.95)
    generate.add_argument("--max-tokens", type=int, default=4096)
    generate.add_argument("--seed", type=int, default=0, help="base seed (default 0)")
    generate.add_argument("--base-url", default=None, help="openai: the endpoint (default $OPENAI_BASE_URL)")
    generate.add_argument("--api-key-env", default="OPENAI_API_KEY", help="openai: variable holding the API key")
    generate.add_argument("--concurrency", type=int, default=8, help="openai: concurrent requests")
    generate.add_argument("--out", required=True, help="generations JSONL (appended; resumes)")
    generate.set_defaults(handler=_cmd_generate)

    importing = commands.add_parser("import-samples", help="import a folder of <game>_gen<N>.py samples")
    importing.add_argument("folder")
    importing.add_argument("--model", required=True, help="the name the samples are reported under")
    importing.add_argument("--out", required=True, help="generations JSONL (appended)")
    importing.set_defaults(handler=_cmd_import_samples)

    evaluate = commands.add_parser("evaluate", help="verify every sample and compute metrics (resumable)")
    evaluate.add_argument("generations", help="generations JSONL from generate or import-samples")
    evaluate.add_argument("--out", required=True, help="results JSONL (appended; resumes)")
    evaluate.add_argument("--workers", type=int, default=None, help="sandbox workers (default: one per core)")
    evaluate.add_argument("--seed", type=int, default=0, help="verification and bootstrap seed")
    evaluate.set_defaults(handler=_cmd_evaluate)

    report = commands.add_parser("report", help="write a Markdown report with tables and plots")
    report.add_argument("results", nargs="+", help="results JSONL files (several models side by side)")
    report.add_argument("--out", required=True, help="output folder")
    report.set_defaults(handler=_cmd_report)

    demo = commands.add_parser("demo", help="run the main job: a tour of the whole pipeline")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.set_defaults(handler=_cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `gamecwm` command."""
    args = build_parser().parse_args(argv)
    console = Console()
    try:
        return args.handler(args, console)
    except (UnknownGameError, UsageError) as exc:
        print(f"gamecwm: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    raise SystemExit(main())
