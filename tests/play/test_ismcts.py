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
