"""Human-readable presentation of games and playouts for the command line."""

from __future__ import annotations

from types import ModuleType

from rich.console import Console
from rich.table import Table

from gamecwm.games.playout import Playout
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
