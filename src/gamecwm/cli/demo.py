"""The `demo` command: the main job."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rich.console import Console

from gamecwm.cli.common import UsageError


def _cmd_demo(args: argparse.Namespace, console: Console) -> int:
    from gamecwm.demo import run_demo
    from gamecwm.demo.real_model import RealModelError
    from gamecwm.train.pipeline import RunFolderError, claim_run_folder

    out_dir = None if args.skip_training else Path(args.out)
    if out_dir is not None:
        try:
            claim_run_folder(out_dir)  # before the tour: a folder the demo may not use is refused at once
        except RunFolderError as exc:
            raise UsageError(str(exc)) from exc
    started = time.perf_counter()
    try:
        problems = run_demo(console, seed=args.seed, out_dir=out_dir, quick=args.quick)
    except RealModelError as exc:
        raise UsageError(str(exc)) from exc
    console.print(f"demo finished in {(time.perf_counter() - started) / 60:.1f} minutes", highlight=False)
    return 1 if problems else 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add this module's subcommands."""
    demo = commands.add_parser("demo", help="run the main job: the games and the verifier, then a real model "
                                            "writing and training on CPU")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.add_argument("--out", default="runs/demo",
                      help="the demo's own run folder and report: new, empty or an earlier demo's "
                           "(default runs/demo)")
    demo.add_argument("--quick", action="store_true",
                      help="after the tour, the post-training pipeline on a tiny random-weight model instead of the "
                           "real model (no download, no llama.cpp)")
    demo.add_argument("--skip-training", action="store_true", help="only the tour of the games and the verifier")
    demo.set_defaults(handler=_cmd_demo)
