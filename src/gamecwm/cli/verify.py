"""The `verify` and `verify-batch` commands: score GameCWMs against their games."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console

from gamecwm.cli.common import UsageError, positive_int, read_text
from gamecwm.games import get_game


def _cmd_verify(args: argparse.Namespace, console: Console) -> int:
    from gamecwm.extract import extract_code
    from gamecwm.verify import format_report, verify

    get_game(args.game)
    text = read_text(args.file)
    code = text if args.file.endswith(".py") else extract_code(text)
    report = verify(code, args.game, seed=args.seed)
    if args.json:
        print(json.dumps(report.to_json()))
    else:
        print(format_report(report))
    return 0


def _cmd_verify_batch(args: argparse.Namespace, console: Console) -> int:
    from gamecwm.records import VERIFY_REPORTS, check_own_output
    from gamecwm.verify.batch import BatchInputError, run_batch
    from gamecwm.verify.summary import summarize, summary_tables

    check_own_output(Path(args.output), VERIFY_REPORTS)
    try:
        records = run_batch(Path(args.input), Path(args.output), workers=args.workers, seed=args.seed)
    except BatchInputError as exc:
        raise UsageError(str(exc)) from exc
    for table in summary_tables(summarize(records)):
        console.print(table)
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add this module's subcommands."""
    verify = commands.add_parser("verify", help="verify a GameCWM file against a game's reference")
    verify.add_argument("file", help="a Python file (or a model completion with a fenced code block)")
    verify.add_argument("--game", required=True, help="the registered game it implements")
    verify.add_argument("--json", action="store_true", help="print exactly one JSON object")
    verify.add_argument("--seed", type=int, default=0, help="verification seed (default 0)")
    verify.set_defaults(handler=_cmd_verify)

    batch = commands.add_parser("verify-batch", help="verify a JSONL file of candidates in parallel (resumable)")
    batch.add_argument("input", help='JSON lines {"id", "game", "code"}')
    batch.add_argument("--output", required=True, help="JSONL reports, appended as they finish")
    batch.add_argument("--workers", type=positive_int, default=None, help="sandbox workers (default: one per core)")
    batch.add_argument("--seed", type=int, default=0, help="verification seed (default 0)")
    batch.set_defaults(handler=_cmd_verify_batch, resumable=True)
