"""The `gamecwm` command line: argument parsing only; every command calls a library function.

One module per stage of the pipeline registers its subcommands.
"""

from __future__ import annotations

import argparse
import sys

from rich.console import Console

from gamecwm.cli import demo, evaluate, games, generate, play, train, verify
from gamecwm.cli.common import EXIT_USAGE, UsageError
from gamecwm.games import UnknownGameError

DESCRIPTION = ("Turn natural-language game rules into verified Python game models (GameCWMs): the dataset, "
               "the verifier, generation and evaluation, planning, repair and post-training.")
COMMAND_MODULES = (games, verify, generate, evaluate, play, train, demo)

__all__ = ["EXIT_USAGE", "UsageError", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(prog="gamecwm", description=DESCRIPTION)
    commands = parser.add_subparsers(dest="command", required=True)
    for module in COMMAND_MODULES:
        module.register(commands)
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
