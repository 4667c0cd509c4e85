"""y: observations, names, validation, and a cross-check against OpenSpiel's `y`.

OpenSpiel's `y` with board_size=19 plays the same game: the same triangle, the same six neighbours,
Black (player 0) first, no swap rule, +1/-1 returns. Its action id is `x + 19 * y` for the cell in
column x and row y; we write that cell as `y,x` (row first), so the translation is `a // 19, a % 19`.
"""

import json

import pyspiel
import pytest

from gamecwm.games import load_reference
from gamecwm.games.runtime import replay
from tests.games.openspiel_crosscheck import crosscheck_playouts

game = load_reference("y")


def _translate(os_state: pyspiel.State, action: int) -> str:
    return f"{action // 19},{action % 19}"


def test_y_agrees_with_openspiel() -> None:
    os_game = pyspiel.load_game("y", {"board_size": 19})
    steps = crosscheck_playouts(game, os_game, _translate, playouts=100, seed=3)
    assert steps > 100 * 50


def test_observations_use_tuple_keys() -> None:
    state = game.get_initial_state()
    assert game.get_observations(state) == [
        {"board": {}, "current_player": 0, "terminal": False},
        {"board": {}, "current_player": 0, "terminal": False},
    ]
    state = replay(game, ["0,0", "1,0", "4,9"])
    obs = game.get_observations(state)
    assert obs[0] == obs[1] == {
        "board": {(0, 0): 0, (1, 0): 1, (4, 9): 0},
        "current_player": 1,
        "terminal": False,
    }


def test_terminal_observation_and_rewards() -> None:
    actions = []
    for k in range(18):
        actions += [f"0,{k}", f"1,{k}"]
    state = replay(game, actions + ["0,18"])
    obs = game.get_observations(state)[1]
    assert obs["current_player"] == -4 and obs["terminal"] is True
    assert len(obs["board"]) == 37 and obs["board"][(0, 18)] == 0 and obs["board"][(1, 17)] == 1
    assert game.get_rewards(state) == [1.0, -1.0]
    assert game.get_current_player(state) == -4
    with pytest.raises(ValueError):
        game.apply_action(state, "5,5")


def test_player_names() -> None:
    assert [game.get_player_name(p) for p in (0, 1, -4, 7)] == ["Black", "White", "Unknown", "Unknown"]


def test_rejects_non_strings_and_does_not_mutate() -> None:
    state = replay(game, ["3,3"])
    before = json.loads(json.dumps(state))
    for bad in (None, 5, (3, 4), ["3,4"], "3,3", " 3,4", "3,4\n"):
        with pytest.raises(ValueError):
            game.apply_action(state, bad)
    game.apply_action(state, "3,4")
    assert state == before
