"""MCTS (UCT) over GameCWM modules."""

from __future__ import annotations

import pytest

from gamecwm.games.registry import load_reference
from gamecwm.play.arena import play_match
from gamecwm.play.agents import build_agent
from gamecwm.play.mcts import MCTS, SearchConfig, SearchError, mcts_action, root_statistics

from .helpers import gamble_module

TTT = load_reference("tic_tac_toe")


def _play(module, actions):
    state = module.get_initial_state()
    for action in actions:
        state = module.apply_action(state, action)
    return state


@pytest.mark.parametrize("seed", range(5))
def test_finds_a_one_move_win_instead_of_blocking(seed):
    # x: (0,0) (0,1); o: (1,0) (1,1). x to move wins at (0,2); o threatens (1,2).
    state = _play(TTT, ["x(0,0)", "o(1,0)", "x(0,1)", "o(1,1)"])
    assert mcts_action(TTT, state, SearchConfig(simulations=200), seed=seed) == "x(0,2)"


def test_blocks_the_opponents_win():
    # o: (0,0) (0,1) threatens (0,2); x to move has no win of its own.
    state = _play(TTT, ["x(1,1)", "o(0,0)", "x(2,2)", "o(0,1)"])
    assert mcts_action(TTT, state, SearchConfig(simulations=400), seed=0) == "x(0,2)"


def test_never_loses_tic_tac_toe_against_random_play():
    agents = [build_agent("mcts:sims=500", "tic_tac_toe"), build_agent("random", "tic_tac_toe")]
    result = play_match("tic_tac_toe", agents, games=20, seed=1)
    mcts = result.agents[0]
    assert mcts.losses == 0
    assert mcts.wins >= 15
    assert mcts.illegal_moves == 0


@pytest.mark.parametrize(("p_win", "expected"), [(0.3, "SAFE"), (0.8, "GAMBLE")])
def test_chance_nodes_use_their_probabilities(p_win, expected):
    # SAFE pays 0.2; GAMBLE pays 2p - 1: -0.4 at p=0.3, +0.6 at p=0.8 (uniform chance would give 0).
    module = gamble_module(p_win)
    root = MCTS(module, SearchConfig(simulations=2000), seed=0).search(module.get_initial_state())
    stats = {row["action"]: row for row in root_statistics(root)}
    assert max(stats, key=lambda a: stats[a]["visits"]) == expected
    # With a large exploration constant both actions are sampled often: the gamble's mean is its value.
    wide = MCTS(module, SearchConfig(simulations=2000, exploration=50.0), seed=0).search(module.get_initial_state())
    gamble = {row["action"]: row for row in root_statistics(wide)}["GAMBLE"]
    assert gamble["visits"] > 500
    assert gamble["mean"] == pytest.approx(2 * p_win - 1, abs=0.1)


def test_search_is_reproducible_for_a_seed():
    state = _play(TTT, ["x(1,1)"])
    first = root_statistics(MCTS(TTT, SearchConfig(simulations=300), seed=7).search(state))
    second = root_statistics(MCTS(TTT, SearchConfig(simulations=300), seed=7).search(state))
    assert first == second
    assert sum(row["visits"] for row in first) == 300


def test_settings_are_validated_and_terminal_roots_refused():
    with pytest.raises(ValueError):
        SearchConfig(simulations=0)
    with pytest.raises(ValueError):
        SearchConfig(exploration=-1.0)
    state = _play(TTT, ["x(0,0)", "o(1,0)", "x(0,1)", "o(1,1)", "x(0,2)"])
    with pytest.raises(SearchError):
        MCTS(TTT).search(state)
