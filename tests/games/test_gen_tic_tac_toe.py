"""gen_tic_tac_toe: game-specific checks and a cross-check against OpenSpiel's mnk game.

OpenSpiel's `mnk` with m=6, n=6, k=4 plays the same game: `x` (player 0) first, any empty cell,
k or more in a row (horizontal, vertical, diagonal) wins, a full board draws, returns +1/-1/0. Its
action id is row * 6 + col, so the translation is `f"{id // 6},{id % 6}"`. OpenSpiel's observations
(strings/tensors) differ in form from ours and are not compared.
"""

import random

import pyspiel
import pytest

from gamecwm.games import load_reference, load_scenarios
from gamecwm.games.runtime import replay
from tests.games.openspiel_crosscheck import crosscheck_playouts

ref = load_reference("gen_tic_tac_toe")


def _translate(os_state: pyspiel.State, action: int) -> str:
    return f"{action // 6},{action % 6}"


def test_gen_tic_tac_toe_agrees_with_openspiel_mnk() -> None:
    game = pyspiel.load_game("mnk", {"m": 6, "n": 6, "k": 4})
    steps = crosscheck_playouts(ref, game, _translate, playouts=300, seed=5)
    assert steps > 300 * 7


def test_observed_board_matches_openspiel_board() -> None:
    game = pyspiel.load_game("mnk", {"m": 6, "n": 6, "k": 4})
    symbol = {None: ".", 0: "x", 1: "o"}
    rng = random.Random(2)
    for _ in range(20):
        state, os_state = ref.get_initial_state(), game.new_initial_state()
        while not os_state.is_terminal():
            action = rng.choice(os_state.legal_actions())
            state = ref.apply_action(state, _translate(os_state, action))
            os_state.apply_action(action)
            board = ref.get_observations(state)[0]["board"]
            assert ["".join(symbol[cell] for cell in row) for row in board] == str(os_state).split()


def test_observation_fields_through_a_game() -> None:
    state = ref.get_initial_state()
    observation = ref.get_observations(state)[0]
    assert observation == {
        "board": [[None] * 6 for _ in range(6)],
        "current_player": 0,
        "status": "ongoing",
        "winner": None,
    }
    state = replay(ref, ["2,3"])
    observation = ref.get_observations(state)[1]
    assert observation["board"][2][3] == 0 and observation["current_player"] == 1
    assert observation["status"] == "ongoing" and observation["winner"] is None
    state = replay(ref, "0,0 2,5 0,1 3,5 0,2 4,5 1,0 5,5".split())
    observation = ref.get_observations(state)[0]
    assert observation["status"] == "win" and observation["winner"] == 1
    assert observation["current_player"] == -4
    assert [observation["board"][r][5] for r in range(6)] == [None, None, 1, 1, 1, 1]


def test_draw_observation() -> None:
    actions = [s["actions"] for s in load_scenarios("gen_tic_tac_toe") if s["name"] == "draw_full_board"][0]
    observation = ref.get_observations(replay(ref, actions))[0]
    assert observation["status"] == "draw" and observation["winner"] is None
    assert observation["current_player"] == -4
    assert sum(cell == 0 for row in observation["board"] for cell in row) == 18
    assert sum(cell == 1 for row in observation["board"] for cell in row) == 18


def test_observations_are_independent_copies() -> None:
    state = replay(ref, ["0,0"])
    observations = ref.get_observations(state)
    observations[0]["board"][0][0] = 1
    assert ref.get_observations(state)[0]["board"][0][0] == 0
    assert observations[1]["board"][0][0] == 0


def test_apply_action_does_not_mutate_shared_rows() -> None:
    first = replay(ref, ["0,0"])
    snapshot = [list(row) for row in first["board"]]
    ref.apply_action(ref.apply_action(first, "0,1"), "0,2")
    assert first["board"] == snapshot


@pytest.mark.parametrize("player, name", [(0, "x"), (1, "o"), (-4, "Terminal"), (2, "Terminal")])
def test_player_names(player: int, name: str) -> None:
    assert ref.get_player_name(player) == name


@pytest.mark.parametrize("bad", ["6,0", "0, 1", "0,0 ", "x(0,0)", None, 0, (0, 0)])
def test_malformed_actions_raise_value_error(bad: object) -> None:
    with pytest.raises(ValueError):
        ref.apply_action(ref.get_initial_state(), bad)

