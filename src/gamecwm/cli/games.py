"""The `games` commands: list, show and play the dataset's games."""

from __future__ import annotations

import argparse
import json

from rich.console import Console

from gamecwm.games import get_game, list_games, load_reference, load_rules


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


def register(commands: argparse._SubParsersAction) -> None:
    """Add this module's subcommands."""
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
