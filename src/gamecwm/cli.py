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
