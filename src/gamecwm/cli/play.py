"""The `play` command: an arena of planning agents on the true game."""

from __future__ import annotations

import argparse
import json

from rich.console import Console

from gamecwm.cli.common import UsageError, positive_int, read_text
from gamecwm.games import get_game


def _cmd_play(args: argparse.Namespace, console: Console) -> int:
    from gamecwm.extract import extract_code
    from gamecwm.play.agents import AgentSpecError
    from gamecwm.play.arena import arena_table, run_arena

    get_game(args.game)
    specs = args.agent or []
    if len(specs) != 2:
        raise UsageError(f"give exactly two --agent specs (got {len(specs)})")
    if args.games < 1:
        raise UsageError("--games must be at least 1")
    models = []
    for path in (args.model_a, args.model_b):
        if path is None:
            models.append(None)
            continue
        text = read_text(path)
        models.append(text if path.endswith(".py") else extract_code(text))
    try:
        result = run_arena(args.game, specs, models, games=args.games, seed=args.seed)
    except AgentSpecError as exc:
        raise UsageError(str(exc)) from exc
    if args.json:
        print(json.dumps(result.to_json()))
    else:
        console.print(arena_table(result))
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add this module's subcommands."""
    arena = commands.add_parser("play", help="an arena: two agents play N games of the true game")
    arena.add_argument("--game", required=True, help="the registered game (its reference is the true game)")
    arena.add_argument("--agent", action="append", metavar="SPEC",
                       help="twice: random, mcts[:sims=N,c=X,rollouts=N,max_rollout=N] or ismcts[:...]")
    arena.add_argument("--model-a", default=None,
                       help="a GameCWM file the first agent plans with (default: the reference)")
    arena.add_argument("--model-b", default=None,
                       help="a GameCWM file the second agent plans with (default: the reference)")
    arena.add_argument("--games", type=positive_int, default=10, help="games to play, seats alternating (default 10)")
    arena.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    arena.add_argument("--json", action="store_true", help="print exactly one JSON object")
    arena.set_defaults(handler=_cmd_play)
