"""converge: observations, stuns, ply counting and validation.

OpenSpiel has no Converge game, so there is no OpenSpiel cross-check for it.
"""

import json

import pytest

from gamecwm.games import load_reference
from gamecwm.games.runtime import replay

game = load_reference("converge")


WORKED = [
    "move (0,4) to (1,3)",
    "move (4,4) to (3,3)",
    "move (1,3) to (2,3)",
    "move (4,0) to (3,0)",
    "move (2,3) to (2,2)",
]


def test_initial_observation() -> None:
    obs = game.get_observations(game.get_initial_state())
    expected = {
        "board": {"0_0": 0, "0_4": 0, "4_0": 1, "4_4": 1},
        "stunned": [],
        "current_player": 0,
        "turn_count": 0,
        "status": "ongoing",
        "winner": None,
    }
    assert obs == [expected, expected]


def test_worked_example_observations() -> None:
    state = replay(game, WORKED[:3])
    obs = game.get_observations(state)[0]
    assert obs == {
        "board": {"0_0": 0, "2_3": 0, "4_0": 1, "3_3": 1},
        "stunned": ["3_3"],
        "current_player": 1,
        "turn_count": 3,
        "status": "ongoing",
        "winner": None,
    }
    state = game.apply_action(state, WORKED[3])
    assert game.get_observations(state)[1]["stunned"] == []
    state = game.apply_action(state, WORKED[4])
    obs = game.get_observations(state)[0]
    assert obs["status"] == "won" and obs["winner"] == 0 and obs["current_player"] == -4
    # the winning move does not advance the ply counter
    assert obs["turn_count"] == 4
    assert obs["board"] == {"0_0": 0, "2_2": 0, "3_3": 1, "3_0": 1}
    assert game.get_rewards(state) == [1.0, -1.0]


def test_two_units_stunned_and_pass() -> None:
    state = replay(game, 
        ["move (0,0) to (1,0)", "move (4,0) to (4,1)", "move (1,0) to (2,1)", "move (4,4) to (4,3)", "move (2,1) to (3,2)"]
    )
    assert game.get_observations(state)[0]["stunned"] == ["4_1", "4_3"]
    assert game.get_legal_actions(state) == ["pass"]
    state = game.apply_action(state, "pass")
    obs = game.get_observations(state)[0]
    assert obs["stunned"] == [] and obs["turn_count"] == 6 and obs["current_player"] == 0


def test_boxed_in_unit_and_stunned_unit_force_a_pass() -> None:
    # Red's unit on (4,4) is boxed in by Blue on (3,4) and (4,3) and Red on (3,3); Blue's move to (4,3)
    # stuns (3,3) as well, so Red has no move.
    state = {
        "board": {"3_4": 0, "4_2": 0, "3_3": 1, "4_4": 1},
        "stunned": [],
        "current_player": 0,
        "turn_count": 10,
        "status": "ongoing",
        "winner": None,
    }
    state = game.apply_action(state, "move (4,2) to (4,3)")
    assert state["stunned"] == ["3_3", "4_4"]
    assert game.get_legal_actions(state) == ["pass"]
    state = game.apply_action(state, "pass")
    state = game.apply_action(state, "move (3,4) to (2,4)")
    # (2,4) touches (3,3) but not (4,4): only (3,3) is stunned now, and (4,4) can use the freed (3,4)
    assert state["stunned"] == ["3_3"]
    assert game.get_legal_actions(state) == ["move (4,4) to (3,4)"]


def test_draw_observation_has_no_stuns() -> None:
    shuttle = ["move (0,0) to (0,1)", "move (4,0) to (4,1)", "move (0,1) to (0,0)", "move (4,1) to (4,0)"]
    actions = [shuttle[k % 4] for k in range(49)]
    state = replay(game, actions)
    assert game.get_current_player(state) == 1
    state = game.apply_action(state, "move (4,0) to (4,1)")
    obs = game.get_observations(state)
    assert obs[0] == obs[1]
    assert obs[0]["status"] == "draw" and obs[0]["winner"] is None and obs[0]["turn_count"] == 50
    assert obs[0]["stunned"] == [] and obs[0]["current_player"] == -4
    assert game.get_legal_actions(state) == []
    with pytest.raises(ValueError):
        game.apply_action(state, "pass")


def test_draw_stun_list_empty_even_when_last_move_would_stun() -> None:
    state = {
        "board": {"1_3": 0, "0_4": 0, "3_3": 1, "4_0": 1},
        "stunned": [],
        "current_player": 1,
        "turn_count": 49,
        "status": "ongoing",
        "winner": None,
    }
    state = game.apply_action(state, "move (3,3) to (2,3)")
    assert state["status"] == "draw" and state["stunned"] == []


def test_player_names_and_no_mutation() -> None:
    assert game.get_player_name(0) == "0"
    assert game.get_player_name(1) == "1"
    assert game.get_player_name(-4) == "terminal"
    state = replay(game, WORKED[:2])
    before = json.loads(json.dumps(state))
    game.apply_action(state, WORKED[2])
    assert state == before
    assert json.loads(json.dumps(state)) == state
