"""tic_tac_toe against OpenSpiel's tic_tac_toe (same rules: 3x3, x first, +1/-1/0)."""

import pyspiel

from gamecwm.games import load_reference
from tests.games.openspiel_crosscheck import crosscheck_playouts


def _translate(os_state: pyspiel.State, action: int) -> str:
    mark = "x" if os_state.current_player() == 0 else "o"
    return f"{mark}({action // 3},{action % 3})"


def test_tic_tac_toe_agrees_with_openspiel() -> None:
    game = pyspiel.load_game("tic_tac_toe")
    steps = crosscheck_playouts(load_reference("tic_tac_toe"), game, _translate, playouts=300, seed=1)
    assert steps > 300 * 5
