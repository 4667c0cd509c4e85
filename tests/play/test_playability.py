"""Playability: MCTS planning with a sample against MCTS planning with the reference."""

from __future__ import annotations

from gamecwm.play.playability import playability

from .helpers import inverted_tic_tac_toe, reference_source


def test_the_reference_itself_plays_as_well_as_the_reference():
    result = playability(reference_source("tic_tac_toe"), "tic_tac_toe", games=6, sims=100, seed=0)
    assert result["planner"] == "mcts"
    assert result["wins"] + result["draws"] + result["losses"] == 6
    assert result["losses"] <= 1
    assert result["score"] >= 0.4
    assert result["illegal_moves"] == 0


def test_a_model_with_inverted_rewards_loses():
    result = playability(inverted_tic_tac_toe(), "tic_tac_toe", games=6, sims=100, seed=0)
    assert result["losses"] >= 5
    assert result["score"] <= 0.1
    assert result["win_rate_ci"][1] < 0.5


def test_imperfect_information_games_use_ismcts_and_broken_code_counts_as_illegal():
    result = playability("raise SystemExit('not a game')", "kuhn_poker", games=4, sims=20, seed=0)
    assert result["planner"] == "ismcts"
    assert result["illegal_moves"] >= 4
    assert result["last_error"]
