"""Planning speed: simulations per second of gamecwm's MCTS and ISMCTS beside OpenSpiel's Python bots.

Run with `.venv/bin/python bench/planning_bench.py [--sims N] [--repeats R]`. Each row times R
searches of N simulations from the same decision (the start of the game; for the poker games the
first player's decision after the deal) and reports simulations per second:

* gamecwm MCTS on the tic_tac_toe and connect4 references against OpenSpiel's Python `MCTSBot`
  (random-rollout evaluator, one rollout, no solver) on OpenSpiel's own C++ tic_tac_toe and
  connect_four, with the ratio ours / OpenSpiel's; and OpenSpiel's `MCTSBot` on our references
  wrapped as OpenSpiel games (`gamecwm.play.openspiel`), which measures the wrapper;
* gamecwm ISMCTS on the kuhn_poker and leduc_poker references against OpenSpiel's Python
  `ISMCTSBot` on OpenSpiel's kuhn_poker and leduc_poker, and on our references wrapped.

The last column is OpenSpiel's bot running on our reference through the wrapper.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Callable

import numpy as np
import pyspiel
from open_spiel.python.algorithms import ismcts as os_ismcts
from open_spiel.python.algorithms import mcts as os_mcts
from rich.console import Console
from rich.table import Table

from gamecwm.games.information import player_view
from gamecwm.games.registry import load_reference
from gamecwm.play.ismcts import ISMCTS
from gamecwm.play.mcts import MCTS, SearchConfig
from gamecwm.play.openspiel import openspiel_game

EXPLORATION = 1.4


def rate(search: Callable[[int], None], sims: int, repeats: int) -> float:
    """Median simulations per second over `repeats` timed searches (after one warm-up search)."""
    search(0)
    rates = []
    for repeat in range(repeats):
        started = time.perf_counter()
        search(repeat + 1)
        rates.append(sims / (time.perf_counter() - started))
    return statistics.median(rates)


def ours_mcts(game: str, sims: int) -> Callable[[int], None]:
    """A gamecwm MCTS search from the reference's initial state."""
    module = load_reference(game)
    state = module.get_initial_state()
    config = SearchConfig(simulations=sims, exploration=EXPLORATION)
    return lambda seed: MCTS(module, config, seed).search(state) and None


def openspiel_mcts(game: pyspiel.Game, sims: int) -> Callable[[int], None]:
    """OpenSpiel's Python MCTSBot search from the game's initial state."""
    state = game.new_initial_state()

    def search(seed: int) -> None:
        rng = np.random.RandomState(seed)
        bot = os_mcts.MCTSBot(game, EXPLORATION, sims, os_mcts.RandomRolloutEvaluator(1, rng), solve=False,
                              random_state=rng)
        bot.mcts_search(state)

    return search


def ours_ismcts(game: str, deal: list[str], sims: int) -> Callable[[int], None]:
    """A gamecwm ISMCTS search for player 0 after `deal`."""
    module = load_reference(game)
    view = player_view(module, deal, 0)
    config = SearchConfig(simulations=sims, exploration=EXPLORATION)
    return lambda seed: ISMCTS(module, config, seed).search(view, 0) and None


def openspiel_ismcts(game: pyspiel.Game, sims: int) -> Callable[[int], None]:
    """OpenSpiel's Python ISMCTSBot search for player 0 after the first deal outcomes."""
    state = game.new_initial_state()
    while state.is_chance_node():
        state.apply_action(state.chance_outcomes()[0][0])

    def search(seed: int) -> None:
        rng = np.random.RandomState(seed)
        bot = os_ismcts.ISMCTSBot(game, os_mcts.RandomRolloutEvaluator(1, rng), EXPLORATION, sims, random_state=rng)
        bot.run_search(state)

    return search


def first_deal(game: str) -> list[str]:
    """The first chance outcomes of a reference until player 0 is to move."""
    module = load_reference(game)
    state, deal = module.get_initial_state(), []
    while module.get_current_player(state) == -1:
        action = module.get_legal_actions(state)[0]
        deal.append(action)
        state = module.apply_action(state, action)
    return deal


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=1000, help="simulations per search (default 1000)")
    parser.add_argument("--repeats", type=int, default=3, help="timed searches per row (default 3)")
    args = parser.parse_args()
    sims, repeats = args.sims, args.repeats

    table = Table(title=f"Simulations per second ({sims} per search, median of {repeats} searches)")
    for column in ("search", "game (ours / OpenSpiel's)", "gamecwm", "OpenSpiel", "ratio", "OpenSpiel on wrapper"):
        table.add_column(column, justify="left" if column in ("search", "game (ours / OpenSpiel's)") else "right")
    for ours, theirs in (("tic_tac_toe", "tic_tac_toe"), ("connect4", "connect_four")):
        mine = rate(ours_mcts(ours, sims), sims, repeats)
        native = rate(openspiel_mcts(pyspiel.load_game(theirs), sims), sims, repeats)
        wrapped = rate(openspiel_mcts(openspiel_game(ours), sims), sims, repeats)
        table.add_row("MCTS", f"{ours} / {theirs}", f"{mine:,.0f}", f"{native:,.0f}", f"{mine / native:.2f}",
                      f"{wrapped:,.0f}")
    for game in ("kuhn_poker", "leduc_poker"):
        mine = rate(ours_ismcts(game, first_deal(game), sims), sims, repeats)
        native = rate(openspiel_ismcts(pyspiel.load_game(game), sims), sims, repeats)
        wrapped = rate(openspiel_ismcts(openspiel_game(game), sims), sims, repeats)
        table.add_row("ISMCTS", f"{game} / {game}", f"{mine:,.0f}", f"{native:,.0f}", f"{mine / native:.2f}",
                      f"{wrapped:,.0f}")
    Console().print(table)


if __name__ == "__main__":
    main()
