"""matching_pennies: hidden choice, full-support resampling, and agreement with OpenSpiel's matrix_mp.

OpenSpiel's `matrix_mp` is a simultaneous-move matrix game; `pyspiel.convert_to_turn_based` turns it into
the same two sequential moves we use (player 0, then player 1 without seeing player 0's choice), with the
same payoffs (the row player is the matcher), so the whole lockstep cross-check applies.
"""

import random

import pyspiel

from gamecwm.games import load_reference
from gamecwm.games.information import player_view
from tests.games.information_support import consistent_histories, sample_until
from tests.games.openspiel_crosscheck import crosscheck_playouts

GAME = load_reference("matching_pennies")


def _translate(os_state: pyspiel.State, action: int) -> str:
    return ("H", "T")[action]


def _consistent_histories(view, player: int) -> set[tuple[str, ...]]:
    """Every history that fits the view and stops at its last turn."""
    return consistent_histories(GAME, view, player)


def _sampled(view, player: int, expected: set, tries: int = 400) -> set:
    return sample_until(GAME, view, player, expected, tries)


def test_player1_never_sees_player0_choice() -> None:
    for first in ("H", "T"):
        state = GAME.apply_action(GAME.get_initial_state(), first)
        assert GAME.get_observations(state) == [{"my_choice": first}, {"my_choice": None}]
    assert player_view(GAME, ["H"], 1) == player_view(GAME, ["T"], 1) == [({"my_choice": None}, None)]
    assert player_view(GAME, ["H", "T"], 1, include_pending=False) == player_view(GAME, ["T", "T"], 1, include_pending=False)


def test_terminal_reveals_both_choices() -> None:
    state = GAME.get_initial_state()
    for action in ("T", "H"):
        state = GAME.apply_action(state, action)
    assert GAME.get_observations(state) == [
        {"my_choice": "T", "opponent_choice": "H"},
        {"my_choice": "H", "opponent_choice": "T"},
    ]


def test_resample_has_full_support() -> None:
    random.seed(7)
    for actions, player in ((["H"], 1), (["T", "H"], 1), (["T", "H"], 0), ([], 0)):
        view = player_view(GAME, actions, player)
        expected = _consistent_histories(view, player)
        assert expected
        assert _sampled(view, player, expected) == expected
    assert _consistent_histories(player_view(GAME, ["H"], 1), 1) == {("H",), ("T",)}


def test_apply_action_does_not_mutate_and_validates() -> None:
    state = GAME.get_initial_state()
    before = dict(state)
    GAME.apply_action(state, "H")
    assert state == before
    for bad in ("h", "Heads", "", None):
        try:
            GAME.apply_action(state, bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} accepted")


def test_agrees_with_openspiel_matrix_mp() -> None:
    game = pyspiel.convert_to_turn_based(pyspiel.load_game("matrix_mp"))
    steps = crosscheck_playouts(GAME, game, _translate, playouts=40, seed=3)
    assert steps == 80
    matrix = pyspiel.load_game("matrix_mp")
    for row, ours0 in enumerate("HT"):
        for col, ours1 in enumerate("HT"):
            state = GAME.apply_action(GAME.apply_action(GAME.get_initial_state(), ours0), ours1)
            assert GAME.get_rewards(state) == [matrix.player_utility(0, row, col), matrix.player_utility(1, row, col)]
