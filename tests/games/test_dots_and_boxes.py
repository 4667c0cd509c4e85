"""dots_and_boxes: observations, immutability, and a cross-check against OpenSpiel's dots_and_boxes.

OpenSpiel's game with num_rows=2, num_cols=2 (boxes) and utility_margin=False has the same rules:
12 lines, a completed box earns another move, +1/-1/0 by box count at the end. Its action ids
0..11 follow our fixed line order (horizontal lines row-major, then vertical lines row-major).
"""

import pyspiel

from gamecwm.games import load_reference
from gamecwm.games.runtime import replay
from tests.games.openspiel_crosscheck import crosscheck_playouts

ref = load_reference("dots_and_boxes")


def _translate(os_state: pyspiel.State, action: int) -> str:
    kind, row, col = os_state.action_to_string(os_state.current_player(), action)[3:-1].split(",")
    return f"{kind}_{row}_{col}"


def test_agrees_with_openspiel() -> None:
    game = pyspiel.load_game("dots_and_boxes", {"num_rows": 2, "num_cols": 2, "utility_margin": False})
    steps = crosscheck_playouts(ref, game, _translate, playouts=300, seed=3)
    assert steps == 300 * 12


def test_observation_of_worked_example() -> None:
    state = replay(ref, ["h_0_0", "h_1_0", "v_0_0", "h_2_0", "v_0_1"])
    expected = {
        "drawn_lines": ["h_0_0", "h_1_0", "h_2_0", "v_0_0", "v_0_1"],
        "box_owners": {(0, 0): 0},
        "scores": [1, 0],
        "current_player": 0,
    }
    assert ref.get_observations(state) == [expected, expected]


def test_final_observation_of_draw() -> None:
    state = replay(ref, 
        ["h_0_0", "h_0_1", "v_0_0", "v_1_1", "h_1_0", "h_1_1", "v_0_2", "h_2_0", "v_0_1", "h_2_1", "v_1_0", "v_1_2"]
    )
    observation = ref.get_observations(state)[0]
    assert observation["box_owners"] == {(0, 0): 0, (0, 1): 0, (1, 0): 1, (1, 1): 1}
    assert observation["scores"] == [2, 2]
    assert observation["current_player"] == -4
    assert observation["drawn_lines"] == list(ref.LINES)


def test_apply_action_does_not_mutate() -> None:
    state = replay(ref, ["h_0_0", "h_1_0", "v_0_0", "h_2_0"])
    snapshot = repr(state)
    after = ref.apply_action(state, "v_0_1")
    assert repr(state) == snapshot
    assert after["scores"] == [1, 0] and state["scores"] == [0, 0]


def test_player_names() -> None:
    assert [ref.get_player_name(p) for p in (0, 1, -4, -1, 7)] == [
        "Player 0",
        "Player 1",
        "Terminal",
        "Unknown",
        "Unknown",
    ]
