"""checkers: game-specific rules, and a cross-check against OpenSpiel's checkers.

OpenSpiel plays a multi-jump as several actions by the same player (one per hop), while our action
is the whole chain; the cross-check expands OpenSpiel's hop sequences into whole chains before
comparing legal sets, terminal status and returns. Both use the same board orientation (Red/`o`
moves first from the bottom), mandatory capture, crowning that ends a chain and the 40-ply draw.
"""

import random

import pyspiel
import pytest

from gamecwm.games import load_reference

checkers = load_reference("checkers")


def _empty_state(player: int = 0, count: int = 0) -> dict:
    board = [[""] * 8 for _ in range(8)]
    return {"board": board, "current_player": player, "no_capture_count": count, "status": "ongoing"}


def _place(state: dict, pieces: dict[tuple[int, int], str]) -> dict:
    for (r, c), piece in pieces.items():
        state["board"][r][c] = piece
    return state


def test_initial_legal_order_follows_the_spec() -> None:
    assert checkers.get_legal_actions(checkers.get_initial_state()) == [
        "move_5_0_4_1", "move_5_2_4_1", "move_5_2_4_3", "move_5_4_4_3",
        "move_5_4_4_5", "move_5_6_4_5", "move_5_6_4_7",
    ]


def test_king_chain_continues_backwards() -> None:
    state = _place(_empty_state(), {(2, 1): "R", (3, 2): "b", (5, 2): "b"})
    assert checkers.get_legal_actions(state) == ["jump_2_1_4_3_6_1"]


def test_king_chain_may_return_to_its_start_square() -> None:
    state = _place(_empty_state(), {(4, 3): "R", (3, 2): "b", (1, 2): "b", (1, 4): "b", (3, 4): "b"})
    assert checkers.get_legal_actions(state) == ["jump_4_3_2_1_0_3_2_5_4_3", "jump_4_3_2_5_0_3_2_1_4_3"]
    after = checkers.apply_action(state, "jump_4_3_2_1_0_3_2_5_4_3")
    assert after["board"][4][3] == "R"
    assert sum(cell != "" for row in after["board"] for cell in row) == 1
    assert checkers.get_current_player(after) == -4 and checkers.get_rewards(after) == [1.0, -1.0]


def test_man_crowned_mid_chain_stops() -> None:
    # Red's man jumps (3,2) and (1,2) and is crowned on (0,1); as a king it could go on over (1,0).
    state = _place(_empty_state(), {(4, 1): "r", (3, 2): "b", (1, 2): "b", (1, 0): "b", (7, 7): "b"})
    assert checkers.get_legal_actions(state) == ["jump_4_1_2_3_0_1"]
    after = checkers.apply_action(state, "jump_4_1_2_3_0_1")
    assert after["board"][0][1] == "R" and after["board"][1][0] == "b"
    assert after["current_player"] == 1


def test_jumped_piece_cannot_be_jumped_twice() -> None:
    # A king circling around one man would jump it twice; only the single hops are legal.
    state = _place(_empty_state(), {(5, 2): "R", (4, 3): "b", (0, 7): "b"})
    assert checkers.get_legal_actions(state) == ["jump_5_2_3_4"]


def test_draw_check_comes_before_no_move_check() -> None:
    # Black's only man on (5,0) is blocked by Red men on (6,1) and (7,2) (no jump: (7,2) is taken).
    pieces = {(5, 0): "b", (6, 1): "r", (7, 2): "r", (3, 4): "r"}
    state = _place(_empty_state(0, 39), pieces)
    assert checkers.get_legal_actions(state) == ["move_3_4_2_3", "move_3_4_2_5", "move_6_1_5_2", "move_7_2_6_3"]
    after = checkers.apply_action(state, "move_3_4_2_3")
    assert after["status"] == "draw" and checkers.get_rewards(after) == [0.0, 0.0]
    assert checkers.get_legal_actions(after) == [] and checkers.get_current_player(after) == -4
    after_38 = checkers.apply_action(_place(_empty_state(0, 38), pieces), "move_3_4_2_3")
    assert after_38["status"] == "p0_won" and checkers.get_rewards(after_38) == [1.0, -1.0]


def test_apply_action_does_not_mutate_and_refuses_partial_chains() -> None:
    state = _place(_empty_state(), {(2, 1): "R", (3, 2): "b", (5, 2): "b"})
    snapshot = [row[:] for row in state["board"]]
    with pytest.raises(ValueError):
        checkers.apply_action(state, "jump_2_1_4_3")
    checkers.apply_action(state, "jump_2_1_4_3_6_1")
    assert state["board"] == snapshot


def _square(name: str) -> tuple[int, int]:
    return 8 - int(name[1]), ord(name[0]) - ord("a")


def _openspiel_turns(os_state: pyspiel.State) -> dict[str, list[int]]:
    """Every whole turn available in OpenSpiel, as our action string -> OpenSpiel action ids."""
    player = os_state.current_player()
    turns: dict[str, list[int]] = {}

    def expand(state: pyspiel.State, squares: list[tuple[int, int]], ids: list[int]) -> None:
        for action in state.legal_actions():
            text = state.action_to_string(action)
            src, dst = _square(text[:2]), _square(text[2:4])
            child = state.clone()
            child.apply_action(action)
            path = (squares or [src]) + [dst]
            if abs(dst[0] - src[0]) == 1:
                turns["move_" + "_".join(f"{r}_{c}" for r, c in path)] = ids + [action]
            elif not child.is_terminal() and child.current_player() == player:
                expand(child, path, ids + [action])
            else:
                turns["jump_" + "_".join(f"{r}_{c}" for r, c in path)] = ids + [action]

    expand(os_state, [], [])
    return turns


def test_checkers_agrees_with_openspiel() -> None:
    game = pyspiel.load_game("checkers")
    rng = random.Random(7)
    plies = 0
    for _ in range(100):
        state = checkers.get_initial_state()
        os_state = game.new_initial_state()
        history: list[str] = []
        while not os_state.is_terminal():
            assert checkers.get_current_player(state) == os_state.current_player(), history
            turns = _openspiel_turns(os_state)
            legal = checkers.get_legal_actions(state)
            assert set(legal) == set(turns), (history, sorted(legal), sorted(turns))
            action = rng.choice(legal)
            state = checkers.apply_action(state, action)
            for os_action in turns[action]:
                os_state.apply_action(os_action)
            history.append(action)
            plies += 1
        assert checkers.get_current_player(state) == -4, history
        assert checkers.get_rewards(state) == list(os_state.returns()), history
    assert plies > 100 * 20
