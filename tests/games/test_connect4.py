"""connect4: game-specific checks and a cross-check against OpenSpiel's connect_four.

OpenSpiel's connect_four (rows=6, columns=7, x_in_row=4) has the same rules: `x` (player 0) first,
gravity drops, four or more in a line wins, a full board draws, returns +1/-1/0. Its action id is the
column, so the translation is the mover's mark followed by the id.
"""

import random

import pyspiel
import pytest

from gamecwm.games import load_reference
from gamecwm.games.runtime import replay
from tests.games.openspiel_crosscheck import crosscheck_playouts

ref = load_reference("connect4")


def _translate(os_state: pyspiel.State, action: int) -> str:
    return f"{'xo'[os_state.current_player()]}{action}"


def test_connect4_agrees_with_openspiel() -> None:
    game = pyspiel.load_game("connect_four", {"rows": 6, "columns": 7, "x_in_row": 4})
    steps = crosscheck_playouts(ref, game, _translate, playouts=300, seed=3)
    assert steps > 300 * 7


def test_observation_board_matches_openspiel_board() -> None:
    """Our observed board, row 0 at the top, is OpenSpiel's printed board line for line."""
    game = pyspiel.load_game("connect_four")
    rng = random.Random(7)
    for _ in range(30):
        state, os_state = ref.get_initial_state(), game.new_initial_state()
        while not os_state.is_terminal():
            action = rng.choice(os_state.legal_actions())
            state = ref.apply_action(state, _translate(os_state, action))
            os_state.apply_action(action)
            observations = ref.get_observations(state)
            rows = ["".join(row) for row in observations[0]["board"]]
            assert rows == str(os_state).split()
            assert observations[0]["current_player"] == ref.get_current_player(state)
        assert observations[0]["current_player"] == -4


def test_drop_lands_in_lowest_empty_cell_and_observation_fields() -> None:
    state = replay(ref, ["x3", "o3", "x2"])
    observation = ref.get_observations(state)[0]
    assert set(observation) == {"board", "current_player"}
    assert observation["current_player"] == 1
    board = observation["board"]
    assert board[5] == [".", ".", "x", "x", ".", ".", "."]
    assert board[4] == [".", ".", ".", "o", ".", ".", "."]
    assert all(cell == "." for row in board[:4] for cell in row)


def test_observations_are_independent_copies() -> None:
    state = replay(ref, ["x3"])
    observations = ref.get_observations(state)
    observations[0]["board"][5][3] = "o"
    observations[1]["board"][0][0] = "x"
    assert ref.get_observations(state)[0]["board"][5][3] == "x"
    assert ref.get_observations(state)[1]["board"][0][0] == "."


def test_apply_action_does_not_mutate_shared_rows() -> None:
    first = replay(ref, ["x3"])
    snapshot = [list(row) for row in first["board"]]
    second = ref.apply_action(first, "o3")
    ref.apply_action(second, "x3")
    assert first["board"] == snapshot
    assert ref.get_legal_actions(first) == [f"o{c}" for c in range(7)]


@pytest.mark.parametrize(
    "player, name", [(0, "Player 0 (x)"), (1, "Player 1 (o)"), (-4, "Terminal"), (-1, "Terminal")]
)
def test_player_names(player: int, name: str) -> None:
    assert ref.get_player_name(player) == name


@pytest.mark.parametrize("bad", ["o3", "x7", "x", "", "x3 ", None, 3])
def test_malformed_actions_raise_value_error(bad: object) -> None:
    with pytest.raises(ValueError):
        ref.apply_action(ref.get_initial_state(), bad)
