"""ISMCTS over imperfect-information GameCWM modules."""

from __future__ import annotations

import random

import pytest

from gamecwm.games.information import player_view
from gamecwm.games.registry import get_game, load_reference
from gamecwm.play.agents import build_agent
from gamecwm.play.arena import play_match, wilson_interval
from gamecwm.play.ismcts import ISMCTS
from gamecwm.play.mcts import SearchConfig, SearchError
from gamecwm.protocol import load_module_from_source

KUHN = load_reference("kuhn_poker")


def test_beats_random_play_at_kuhn_poker_over_many_games():
    agents = [build_agent("ismcts:sims=100", "kuhn_poker"), build_agent("random", "kuhn_poker")]
    result = play_match("kuhn_poker", agents, games=300, seed=0)
    ismcts = result.agents[0]
    assert ismcts.mean_return > 0.15
    assert wilson_interval(ismcts.wins, ismcts.games)[0] > 0.5
    assert result.agents[1].mean_return == pytest.approx(-ismcts.mean_return)


def test_calls_a_raise_with_the_king_and_folds_the_jack():
    # Player 1 facing a raise: calling with K always wins 2; calling with J always loses 2.
    king = player_view(KUHN, ["QK", "Raise"], 1)
    jack = player_view(KUHN, ["QJ", "Raise"], 1)
    assert ISMCTS(KUHN, SearchConfig(simulations=300), seed=0).choose(king, 1) == "Call"
    assert ISMCTS(KUHN, SearchConfig(simulations=300), seed=0).choose(jack, 1) == "Fold"


def test_is_reproducible_and_leaves_the_global_random_state_alone():
    view = player_view(KUHN, ["KQ"], 0)
    random.seed(123)
    before = random.getstate()
    first = ISMCTS(KUHN, SearchConfig(simulations=200), seed=5).search(view, 0)
    assert random.getstate() == before
    second = ISMCTS(KUHN, SearchConfig(simulations=200), seed=5).search(view, 0)
    assert {k: (n.visits, n.totals) for k, n in first.items()} == {k: (n.visits, n.totals) for k, n in second.items()}


def test_determinizes_with_the_modules_resample_history():
    source = get_game("kuhn_poker").reference_path.read_text()
    broken = load_module_from_source(source + "\n\ndef resample_history(view, player_id):\n    raise RuntimeError('no')\n")
    search = ISMCTS(broken, SearchConfig(simulations=20), seed=0)
    with pytest.raises(SearchError):
        search.choose(player_view(broken, ["KQ"], 0), 0)
    assert search.failed_determinizations == 20


def test_refuses_modules_without_resample_history():
    with pytest.raises(SearchError):
        ISMCTS(load_reference("tic_tac_toe"))


def test_plays_leduc_poker_legally():
    agents = [build_agent("ismcts:sims=50", "leduc_poker"), build_agent("random", "leduc_poker")]
    result = play_match("leduc_poker", agents, games=10, seed=0)
    assert result.agents[0].illegal_moves == 0
    assert result.agents[0].games == 10


SET_HAND_SOURCE = '''
"""Chance deals "x" or "y"; either way player 0 holds the cards {1, 9}, added in the deal's order
(1 and 9 collide in a small set, so the two hands iterate differently); then player 0 says "a" or "b"."""

def get_initial_state():
    return {"deal": None, "hand": set(), "choice": None}

def get_current_player(state):
    if state["deal"] is None:
        return -1
    return 0 if state["choice"] is None else -4

def get_player_name(player_id):
    return f"Player {player_id}"

def get_legal_actions(state):
    if state["deal"] is None:
        return ["x", "y"]
    return ["a", "b"] if state["choice"] is None else []

def apply_action(state, action):
    if state["deal"] is None:
        hand = set()
        for card in ([1, 9] if action == "x" else [9, 1]):
            hand.add(card)
        return {"deal": action, "hand": hand, "choice": None}
    return {"deal": state["deal"], "hand": state["hand"], "choice": action}

def get_rewards(state):
    if state["choice"] is None:
        return [0.0, 0.0]
    return [1.0, -1.0] if (state["deal"], state["choice"]) in (("x", "a"), ("y", "b")) else [-1.0, 1.0]

def get_observations(state):
    return [{"hand": state["hand"]}, {"deal": state["deal"]}]

def resample_history(view, player_id):
    return ["y"]  # player 0 cannot tell "y" from the true "x": its hand is the same set
'''


def test_equal_observations_holding_sets_share_an_information_set():
    game = load_module_from_source(SET_HAND_SOURCE)
    view = player_view(game, ["x"], 0)
    search = ISMCTS(game, SearchConfig(simulations=40), seed=0)
    assert search.choose(view, 0) == "b"  # every determinization is the "y" deal, where "b" wins
    tree = search.search(view, 0)
    assert len(tree) == 1 and sum(next(iter(tree.values())).visits.values()) == 40
