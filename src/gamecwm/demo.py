"""The main job: a tour of the dataset that exercises every game end to end."""

from __future__ import annotations

from rich.console import Console

from gamecwm.games import list_games, load_reference
from gamecwm.games.playout import random_playout
from gamecwm.games.present import games_table


def run_demo(console: Console, seed: int = 0) -> int:
    """List the games, then play one seeded random game of each and print the moves and result.

    Returns the number of games whose playout did not reach a terminal state (0 when all is well).
    """
    games = list_games()
    console.print(games_table(games))
    unfinished = 0
    for game in games:
        module = load_reference(game.name)
        playout = random_playout(module, seed=seed, max_steps=game.max_game_length + 1)
        console.rule(f"{game.title} ({game.name})")
        console.print(" ".join(playout.actions), highlight=False, soft_wrap=True)
        state_text = "terminal" if playout.terminal else "NOT TERMINAL"
        console.print(f"{len(playout.actions)} actions, {state_text}, rewards {playout.rewards}", highlight=False)
        unfinished += not playout.terminal
    return unfinished
