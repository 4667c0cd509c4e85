"""havannah: observations, names, validation, and a cross-check against OpenSpiel's `havannah`.

OpenSpiel's `havannah` with board_size=10 and swap=False uses the same board, the same labels (its
action id is `x + 19 * y` for the cell in column letter x and row y + 1), the same neighbours, player 0
first, bridges and rings, a draw on a full board, and +1/-1 returns. The one rule that differs: OpenSpiel
also wins with a fork joining three sides (corners excluded), which our game does not have. The
cross-check therefore plays OpenSpiel against our reference extended, in this test only, with that
three-side fork; everything else is compared unchanged.
"""

import json
import random
import types

import pytest
import pyspiel

from gamecwm.games import load_reference
from tests.games.openspiel_crosscheck import crosscheck_playouts

game = load_reference("havannah")


def _side(label: str) -> int | None:
    """The index (0-5) of the side holding a non-corner border cell, else None."""
    k, r = ord(label[0]) - ord("A") + 1, int(label[1:])
    if label in game.CORNERS:
        return None
    for index, on_side in enumerate((k == 1, r == 1, k - r == 9, k == 19, r == 19, r - k == 9)):
        if on_side:
            return index
    return None


def _forks_three_sides(board: dict, start: str, player: int) -> bool:
    sides, seen, stack = set(), {start}, [start]
    while stack:
        cell = stack.pop()
        side = _side(cell)
        if side is not None:
            sides.add(side)
        for neighbour in game.NEIGHBOURS[cell]:
            if neighbour not in seen and board.get(neighbour) == player:
                seen.add(neighbour)
                stack.append(neighbour)
    return len(sides) >= 3


def _apply_with_side_forks(state: dict, action: str) -> dict:
    nxt = game.apply_action(state, action)
    player = state["current_player"]
    if nxt["winner"] is None and _forks_three_sides(nxt["board"], action, player):
        nxt = {**nxt, "winner": player, "current_player": game.TERMINAL}
    return nxt


WITH_SIDE_FORKS = types.SimpleNamespace(
    get_initial_state=game.get_initial_state,
    get_current_player=game.get_current_player,
    get_legal_actions=game.get_legal_actions,
    get_rewards=game.get_rewards,
    apply_action=_apply_with_side_forks,
)


def _translate(os_state: pyspiel.State, action: int) -> str:
    return f"{chr(ord('A') + action % 19)}{action // 19 + 1}"


def test_labels_match_openspiel() -> None:
    os_state = pyspiel.load_game("havannah", {"board_size": 10, "swap": False}).new_initial_state()
    assert sorted(_translate(os_state, a) for a in os_state.legal_actions()) == sorted(game.CELLS)
    assert all(os_state.action_to_string(a).upper() == _translate(os_state, a) for a in os_state.legal_actions())


@pytest.mark.slow
def test_havannah_agrees_with_openspiel_up_to_side_forks() -> None:
    os_game = pyspiel.load_game("havannah", {"board_size": 10, "swap": False})
    steps = crosscheck_playouts(WITH_SIDE_FORKS, os_game, _translate, playouts=150, seed=5)
    assert steps > 150 * 50


def test_side_fork_alone_does_not_end_our_game() -> None:
    # player 0 joins sides A2..A9 (at A5), B1..I1 (at C1) and K2..R9 (at K2), touching no corner
    p0 = ["A5", "B5", "B4", "B3", "B2", "C2", "C1", "D2", "E2", "F2", "G2", "H2", "I2", "J2", "K2"]
    p1 = ["J10", "J11", "J12", "J13", "J14", "J15", "J16", "J17", "E12", "F12", "G12", "H12", "E13", "F14"]
    state = game.get_initial_state()
    for index, action in enumerate(p0):
        state = game.apply_action(state, action)
        if index < len(p1):
            state = game.apply_action(state, p1[index])
    assert _forks_three_sides(state["board"], "K2", 0)
    assert game.get_current_player(state) == 1
    assert game.get_rewards(state) == [0.0, 0.0]


def test_observations() -> None:
    state = game.get_initial_state()
    assert game.get_observations(state) == [
        {"board": {}, "current_player": 0, "terminal": False},
        {"board": {}, "current_player": 0, "terminal": False},
    ]
    for action in ("J10", "K10", "I10"):
        state = game.apply_action(state, action)
    obs = game.get_observations(state)
    assert obs[0] == obs[1] == {"board": {"J10": 0, "K10": 1, "I10": 0}, "current_player": 1, "terminal": False}
    before = json.loads(json.dumps(state))
    game.apply_action(state, "E5")
    assert state == before


def test_bridge_observation_at_the_end() -> None:
    state = game.get_initial_state()
    p1 = ["K10", "K11", "K12", "K13", "K14", "K15", "K16", "K17", "K18"]
    for index in range(10):
        state = game.apply_action(state, f"A{index + 1}")
        if index < 9:
            state = game.apply_action(state, p1[index])
    obs = game.get_observations(state)
    assert obs[0] == obs[1]
    assert obs[0]["current_player"] == -4 and obs[0]["terminal"] is True
    assert len(obs[0]["board"]) == 19 and obs[0]["board"]["A10"] == 0 and obs[0]["board"]["K18"] == 1
    assert game.get_rewards(state) == [1.0, -1.0]


def test_full_board_draw_and_names() -> None:
    assert [game.get_player_name(p) for p in (0, 1, -4)] == ["Player 1", "Player 2", "Terminal"]
    state = {"board": {cell: 0 for cell in game.CELLS}, "current_player": -4, "winner": "draw"}
    assert game.get_current_player(state) == -4
    assert game.get_legal_actions(state) == []
    assert game.get_rewards(state) == [0.0, 0.0]
    with pytest.raises(ValueError):
        game.apply_action(state, "J10")


def _wins_by_brute_force(board: dict, player: int) -> bool:
    """The end test of the rules evaluated on the whole board, with no incremental shortcut."""
    seen: set = set()
    for cell in game.CELLS:
        if cell in seen:
            continue
        own = board.get(cell) == player
        component, stack = {cell}, [cell]
        while stack:
            current = stack.pop()
            for neighbour in game.NEIGHBOURS[current]:
                if neighbour not in component and (board.get(neighbour) == player) == own:
                    component.add(neighbour)
                    stack.append(neighbour)
        seen |= component
        if own and len(component & game.CORNERS) >= 2:
            return True
        if not own and not component & game.EDGE_CELLS:
            return True
    return any(
        board.get(cell) == player
        and cell not in game.EDGE_CELLS
        and all(board.get(n) == player for n in game.NEIGHBOURS[cell])
        for cell in game.CELLS
    )


def test_incremental_end_test_matches_brute_force() -> None:
    rng = random.Random(11)
    for _ in range(12):
        state = game.get_initial_state()
        while game.get_current_player(state) != -4:
            player = state["current_player"]
            state = game.apply_action(state, rng.choice(game.get_legal_actions(state)))
            expected_win = _wins_by_brute_force(state["board"], player)
            assert (state["winner"] == player) == expected_win, sorted(state["board"].items())
