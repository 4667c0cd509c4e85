"""The `gamecwm` command line: argument parsing only; every command calls a library function.

One module per stage of the pipeline registers its subcommands.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from typing import NoReturn

from rich.console import Console

from gamecwm.cli import demo, evaluate, games, generate, models, play, train, verify
from gamecwm.cli.common import EXIT_USAGE, UsageError, add_isolation_argument
from gamecwm.games import UnknownGameError
from gamecwm.records import RecordFileError
from gamecwm.sandbox import WeakIsolationError, allow_weak_isolation

EXIT_INTERRUPTED = 130

DESCRIPTION = ("Turn natural-language game rules into verified Python game models (GameCWMs): the dataset, "
               "the verifier, generation and evaluation, planning, repair and post-training.")
COMMAND_MODULES = (games, verify, generate, evaluate, play, train, models, demo)
# Commands that run generated code in the sandbox (they take --isolation).
SANDBOX_COMMANDS = ("verify", "verify-batch", "evaluate", "repair", "play", "train", "demo")

__all__ = ["EXIT_USAGE", "UsageError", "build_parser", "main"]


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors in one line: the problem, and where to read the options."""

    def error(self, message: str) -> NoReturn:
        """Print `<prog>: error: <message> (see <prog> --help)` and exit with status 2."""
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = _Parser(prog="gamecwm", description=DESCRIPTION)
    commands = parser.add_subparsers(dest="command", required=True)
    for module in COMMAND_MODULES:
        module.register(commands)
    for name in SANDBOX_COMMANDS:
        if name in commands.choices:
            add_isolation_argument(commands.choices[name])
    return parser


def _interrupted(args: argparse.Namespace, argv: list[str]) -> int:
    """One line after Ctrl-C: what was kept and, for a resumable command, how to resume."""
    if getattr(args, "resumable", False):
        print(f"\ninterrupted: what finished is saved; to resume, run: {shlex.join(['gamecwm', *argv])}",
              file=sys.stderr)
    else:
        print("\ninterrupted", file=sys.stderr)
    return EXIT_INTERRUPTED


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `gamecwm` command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2, already printed in one line)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    console = Console()
    try:
        if getattr(args, "isolation", None) == "weak":
            allow_weak_isolation()
        return args.handler(args, console)
    except (UnknownGameError, UsageError, RecordFileError, WeakIsolationError) as exc:
        print(f"gamecwm: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return _interrupted(args, argv)
    except BrokenPipeError:
        # The reader of our output went away (`gamecwm ... | head`): stop quietly, as Unix tools do.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 1
