"""prisoners_dilemma: hidden choice, full-support resampling, and comparison with OpenSpiel's matrix_pd.

OpenSpiel's `matrix_pd` converted with `pyspiel.convert_to_turn_based` has our turn structure (player 0,
then player 1 without seeing player 0's choice, then the end) and the same two actions
(Cooperate = `C`, Defect = `D`), so the lockstep cross-check compares players and legal sets. Its payoff
values differ from the spec's classic table (OpenSpiel: R=5, T=10, S=0, P=1; ours: R=3, T=5, S=0, P=1), so
returns are not compared value for value; the strategic structure is compared instead: each player orders
the four outcomes identically and defection is strictly dominant in both, so (D, D) is the unique
equilibrium in both games.
"""

import random

import pyspiel

from gamecwm.games import load_reference
from gamecwm.games.information import player_view
from tests.games.information_support import consistent_histories
from tests.games.openspiel_crosscheck import crosscheck_playouts

GAME = load_reference("prisoners_dilemma")
CHOICES = ("C", "D")


def _translate(os_state: pyspiel.State, action: int) -> str:
    return CHOICES[action]


def _rewards(first: str, second: str) -> list[float]:
    return GAME.get_rewards(GAME.apply_action(GAME.apply_action(GAME.get_initial_state(), first), second))


def _consistent_histories(view, player: int) -> set[tuple[str, ...]]:
    """Every history that fits the view and stops at its last turn."""
    return consistent_histories(GAME, view, player)


def test_payoff_table() -> None:
    assert _rewards("C", "C") == [3.0, 3.0]
    assert _rewards("C", "D") == [0.0, 5.0]
    assert _rewards("D", "C") == [5.0, 0.0]
    assert _rewards("D", "D") == [1.0, 1.0]


def test_player1_never_sees_player0_choice() -> None:
    for first in CHOICES:
        state = GAME.apply_action(GAME.get_initial_state(), first)
        assert GAME.get_observations(state) == [{"my_choice": first}, {"my_choice": None}]
    assert player_view(GAME, ["C"], 1) == player_view(GAME, ["D"], 1) == [({"my_choice": None}, None)]
    assert player_view(GAME, ["C", "D"], 1, include_pending=False) == player_view(GAME, ["D", "D"], 1, include_pending=False)
    final = GAME.apply_action(GAME.apply_action(GAME.get_initial_state(), "C"), "D")
    assert GAME.get_observations(final) == [
        {"my_choice": "C", "opponent_choice": "D"},
        {"my_choice": "D", "opponent_choice": "C"},
    ]


def test_resample_has_full_support() -> None:
    random.seed(11)
    for actions, player in ((["C"], 1), (["D", "C"], 1), (["D", "C"], 0), ([], 0)):
        view = player_view(GAME, actions, player)
        expected = _consistent_histories(view, player)
        seen = set()
        for _ in range(400):
            seen.add(tuple(GAME.resample_history(view, player)))
            if seen >= expected:
                break
        assert seen == expected
    assert _consistent_histories(player_view(GAME, ["C"], 1), 1) == {("C",), ("D",)}


def test_turn_structure_agrees_with_openspiel_matrix_pd() -> None:
    game = pyspiel.convert_to_turn_based(pyspiel.load_game("matrix_pd"))
    steps = crosscheck_playouts(GAME, game, _translate, playouts=40, seed=5, compare_returns=False)
    assert steps == 80


def test_strategic_structure_matches_openspiel_matrix_pd() -> None:
    matrix = pyspiel.load_game("matrix_pd")
    assert [matrix.row_action_name(i) for i in range(2)] == ["Cooperate", "Defect"]
    cells = [(row, col) for row in range(2) for col in range(2)]
    for player in (0, 1):
        ours = {cell: _rewards(CHOICES[cell[0]], CHOICES[cell[1]])[player] for cell in cells}
        theirs = {cell: matrix.player_utility(player, *cell) for cell in cells}
        assert sorted(cells, key=ours.get) == sorted(cells, key=theirs.get)
    for other in range(2):
        assert _rewards("D", CHOICES[other])[0] > _rewards("C", CHOICES[other])[0]
        assert _rewards(CHOICES[other], "D")[1] > _rewards(CHOICES[other], "C")[1]
        assert matrix.player_utility(0, 1, other) > matrix.player_utility(0, 0, other)
        assert matrix.player_utility(1, other, 1) > matrix.player_utility(1, other, 0)
