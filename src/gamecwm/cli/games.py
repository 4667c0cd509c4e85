"""The `games` commands: list, show and play the dataset's games."""

from __future__ import annotations

import argparse
import json
from types import ModuleType

from rich.console import Console
from rich.table import Table

from gamecwm.games import get_game, list_games, load_reference, load_rules
from gamecwm.games.playout import Playout, random_playout
from gamecwm.games.registry import GameInfo


def games_table(games: list[GameInfo]) -> Table:
    """A table of the registered games with their facts."""
    table = Table(title=f"{len(games)} games")
    for column in ("name", "title", "information", "chance", "split", "tier", "ood"):
        table.add_column(column)
    for game in games:
        table.add_row(
            game.name,
            game.title,
            game.information,
            "yes" if game.chance else "no",
            game.split,
            "-" if game.tier is None else str(game.tier),
            "yes" if game.ood else "no",
        )
    return table


def print_playout(console: Console, module: ModuleType, playout: Playout, game: GameInfo) -> None:
    """Print each move of a playout (who moved, what) and the final rewards."""
    for index, (player, action) in enumerate(zip(playout.players, playout.actions), start=1):
        console.print(f"{index:4d}. {module.get_player_name(player):>12}: {action}", highlight=False)
    ending = "terminal" if playout.terminal else "stopped before the end"
    console.print(
        f"[bold]{game.name}[/bold]: {len(playout.actions)} actions, {ending}, rewards {playout.rewards}",
        highlight=False,
    )


def _cmd_games_list(args: argparse.Namespace, console: Console) -> int:
    games = list_games()
    if args.json:
        print(json.dumps([g.to_json() for g in games], indent=2))
    else:
        console.print(games_table(games))
    return 0


def _cmd_games_show(args: argparse.Namespace, console: Console) -> int:
    print(load_rules(args.name), end="")
    return 0


def _cmd_games_play(args: argparse.Namespace, console: Console) -> int:
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
