"""Speed of every reference implementation: median random playout and get_legal_actions time.

Run with `make bench` or `.venv/bin/python bench/game_speed.py [--playouts N]`. Prints a table.
"""

from __future__ import annotations

import argparse
import statistics
import time

from rich.console import Console
from rich.table import Table

from gamecwm.games import list_games, load_reference
from gamecwm.games.playout import random_playout


def measure(name: str, playouts: int) -> tuple[float, float, float, float]:
    """(median playout seconds, median legal-actions seconds, mean playout length, p90 playout seconds)."""
    module = load_reference(name)
    playout_times, lengths, legal_times = [], [], []
    for seed in range(playouts):
        started = time.perf_counter()
        playout = random_playout(module, seed=seed)
        playout_times.append(time.perf_counter() - started)
        lengths.append(len(playout.actions))
        state = module.get_initial_state()
        for action in playout.actions[: len(playout.actions) // 2]:
            state = module.apply_action(state, action)
        repeats = 50
        started = time.perf_counter()
        for _ in range(repeats):
            module.get_legal_actions(state)
        legal_times.append((time.perf_counter() - started) / repeats)
    playout_times.sort()
    p90 = playout_times[min(len(playout_times) - 1, int(0.9 * len(playout_times)))]
    return statistics.median(playout_times), statistics.median(legal_times), statistics.mean(lengths), p90


def main() -> None:
    """Measure every registered game and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--playouts", type=int, default=20, help="random playouts per game (default 20)")
    args = parser.parse_args()
    table = Table(title=f"Reference speed ({args.playouts} random playouts per game)")
    for column in ("game", "mean length", "median playout (ms)", "p90 playout (ms)", "median get_legal_actions (us)"):
        table.add_column(column, justify="right" if column != "game" else "left")
    for game in list_games():
        playout_s, legal_s, length, p90 = measure(game.name, args.playouts)
        table.add_row(game.name, f"{length:.0f}", f"{playout_s * 1e3:.2f}", f"{p90 * 1e3:.2f}", f"{legal_s * 1e6:.1f}")
    Console(width=140).print(table)


if __name__ == "__main__":
    main()
