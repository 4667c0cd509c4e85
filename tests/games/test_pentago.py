"""pentago: rotation geometry, observations, and a cross-check against OpenSpiel's pentago.

OpenSpiel's pentago has the same rules (place, then a mandatory quarter turn; fives checked after
the turn; both fives or a full board draw). Its action id is ((row * 6) + col) * 8 + r, where r // 2
names a quadrant in OpenSpiel's order (top-left, top-right, bottom-right, bottom-left, i.e. our
0, 1, 3, 2) and an odd r turns clockwise, an even r counter-clockwise.
"""

import pyspiel

from gamecwm.games import load_reference
from gamecwm.games.runtime import replay
from tests.games.openspiel_crosscheck import crosscheck_playouts

ref = load_reference("pentago")

OPENSPIEL_QUADRANT = (0, 1, 3, 2)


def _translate(os_state: pyspiel.State, action: int) -> str:
    mark = "x" if os_state.current_player() == 0 else "o"
    cell, rotation = divmod(action, 8)
    row, col = divmod(cell, 6)
    direction = "CW" if rotation % 2 else "CCW"
    return f"{mark}({row},{col})_rotate_{OPENSPIEL_QUADRANT[rotation // 2]}_{direction}"


def _marks(state: dict) -> dict[tuple[int, int], str]:
    return {(r, c): v for r, line in enumerate(state["board"]) for c, v in enumerate(line) if v}


def test_agrees_with_openspiel() -> None:
    game = pyspiel.load_game("pentago")
    steps = crosscheck_playouts(ref, game, _translate, playouts=60, seed=5)
    assert steps > 60 * 9


def test_rotation_examples_of_the_rules() -> None:
    assert _marks(replay(ref, ["x(0,0)_rotate_0_CW"])) == {(0, 2): "x"}
    assert _marks(replay(ref, ["x(0,0)_rotate_0_CCW"])) == {(2, 0): "x"}
    assert _marks(replay(ref, ["x(3,3)_rotate_3_CW"])) == {(3, 5): "x"}
    assert _marks(replay(ref, ["x(4,1)_rotate_2_CCW"])) == {(4, 1): "x"}  # the centre never moves
    assert _marks(replay(ref, ["x(1,5)_rotate_1_CW"])) == {(2, 4): "x"}


def test_four_turns_restore_a_quadrant() -> None:
    state = replay(ref, ["x(3,0)_rotate_1_CW", "o(3,1)_rotate_1_CW", "x(5,2)_rotate_1_CW", "o(4,0)_rotate_2_CW"])
    before = _marks(state)
    for mark, cell in (("x", "(0,0)"), ("o", "(0,1)"), ("x", "(0,2)"), ("o", "(1,0)")):
        state = ref.apply_action(state, f"{mark}{cell}_rotate_2_CW")
    after = {cell: mark for cell, mark in _marks(state).items() if cell[0] >= 3}
    assert after == {cell: mark for cell, mark in before.items() if cell[0] >= 3}
    assert len(after) == 4


def test_observations_and_names() -> None:
    state = replay(ref, ["x(5,0)_rotate_1_CW"])
    observation = {"board": state["board"], "status": "ongoing"}
    assert ref.get_observations(state) == [observation, observation]
    assert [ref.get_player_name(p) for p in (0, 1, -4)] == ["Player 0 (X)", "Player 1 (O)", "Terminal"]


def test_apply_action_does_not_mutate() -> None:
    state = replay(ref, ["x(0,0)_rotate_0_CW"])
    snapshot = repr(state)
    ref.apply_action(state, "o(1,0)_rotate_0_CCW")
    assert repr(state) == snapshot
