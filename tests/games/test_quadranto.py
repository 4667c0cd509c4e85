"""quadranto: movement, capture and move limit, hidden opponent cell, full-support resampling.

OpenSpiel does not implement Quadranto (it is not among `pyspiel.registered_names()`), so there is no
OpenSpiel cross-check; the test below asserts that it is still absent.
"""

import random
import time

import pyspiel

from gamecwm.games import load_reference
from gamecwm.games.information import player_view, view_mismatch
from gamecwm.games.playout import random_playout
from gamecwm.games.runtime import replay

GAME = load_reference("quadranto")
P1_STARTS = ["place_p1:2,2", "place_p1:2,3", "place_p1:3,2", "place_p1:3,3"]


def test_not_in_openspiel() -> None:
    assert not any("quadranto" in name for name in pyspiel.registered_names())


def test_observations_show_own_cell_and_opponent_quadrant() -> None:
    assert GAME.get_observations(replay(GAME, [])) == [{}, {}]
    assert GAME.get_observations(replay(GAME, ["place_p0:0,1"])) == [{}, {}]
    assert GAME.get_observations(replay(GAME, ["place_p0:0,1", "place_p1:3,2"])) == [
        {"loc": [0, 1], "opponent_quadrant": 4},
        {"loc": [3, 2], "opponent_quadrant": 1},
    ]
    state = replay(GAME, ["place_p0:1,1", "place_p1:2,2", "Right", "Left"])
    assert GAME.get_observations(state) == [
        {"loc": [1, 2], "opponent_quadrant": 3},
        {"loc": [2, 1], "opponent_quadrant": 2},
    ]
    final = replay(GAME, ["place_p0:1,1", "place_p1:2,2", "Right", "Up"])
    assert GAME.get_observations(final) == [
        {"loc": [1, 2], "opponent_quadrant": 2},
        {"loc": [1, 2], "opponent_quadrant": 2},
    ]
    assert final["status"] == "p1_won" and final["moves"] == 1


def test_state_fields_and_move_counter() -> None:
    state = replay(GAME, ["place_p0:0,0", "place_p1:3,3", "Stay", "Left"])
    assert state == {"p0_loc": [0, 0], "p1_loc": [3, 2], "moves": 2, "current_player": 0, "status": "playing"}
    draw = replay(GAME, ["place_p0:0,0", "place_p1:3,3"] + ["Stay"] * 20)
    assert draw["status"] == "draw" and draw["moves"] == 20
    names = [GAME.get_player_name(p) for p in (-1, 0, 1, -4, 7)]
    assert names == ["Chance", "Player 0", "Player 1", "Terminal", "Terminal"]


def test_only_the_mover_captures_and_stay_never_does() -> None:
    # Player 0 walks onto player 1: player 0 wins even though player 1 "waited" there.
    state = replay(GAME, ["place_p0:1,1", "place_p1:2,2", "Right", "Stay", "Down"])
    assert GAME.get_rewards(state) == [1.0, -1.0] and GAME.get_current_player(state) == -4
    # Adjacent players that both stay never end the game early.
    state = replay(GAME, ["place_p0:1,1", "place_p1:2,2", "Right"] + ["Stay"] * 9)
    assert GAME.get_current_player(state) == 0 and GAME.get_rewards(state) == [0.0, 0.0]


def _consistent_histories(view, player: int) -> set[tuple[str, ...]]:
    """Brute force over the game tree, following the view at the player's turns."""
    found = set()
    stack = [([], GAME.get_initial_state(), 0)]
    while stack:
        history, state, turn = stack.pop()
        mover = GAME.get_current_player(state)
        if mover == -4:
            continue
        if mover == player:
            if GAME.get_observations(state)[player] != view[turn][0]:
                continue
            action = view[turn][1]
            if action is None:
                found.add(tuple(history))
                continue
            if turn == len(view) - 1:
                found.add(tuple(history + [action]))
                continue
            stack.append((history + [action], GAME.apply_action(state, action), turn + 1))
            continue
        for action in GAME.get_legal_actions(state):
            stack.append((history + [action], GAME.apply_action(state, action), turn))
    assert all(view_mismatch(GAME, list(h), player, view) is None for h in found)
    return found


def test_resample_has_full_support() -> None:
    random.seed(5)
    cases = [
        (["place_p0:1,1", "place_p1:2,2"], 0, 4),
        (["place_p0:1,1", "place_p1:2,2", "Right"], 1, None),
        (["place_p0:1,1", "place_p1:2,2", "Right", "Left", "Left"], 0, None),
        (["place_p0:0,1", "place_p1:3,3", "Down", "Up", "Right", "Left", "Stay"], 1, None),
        (["place_p0:1,1", "place_p1:2,2", "Down", "Up", "Stay"], 0, None),
        (["place_p0:1,0", "place_p1:2,3", "Right", "Left", "Down", "Left"], 1, None),
        # Player 1 wanders inside quadrant 4: any start and any of 3 in-quadrant moves per turn (4 * 3**3).
        (["place_p0:0,0", "place_p1:2,2", "Stay", "Right", "Stay", "Down", "Stay", "Left"], 0, 108),
    ]
    sizes = []
    for actions, player, expected_count in cases:
        view = player_view(GAME, actions, player)
        expected = _consistent_histories(view, player)
        if expected_count is not None:
            assert len(expected) == expected_count
        assert len(expected) >= 2
        sizes.append(len(expected))
        seen = set()
        for _ in range(40 * len(expected)):
            history = tuple(GAME.resample_history(view, player))
            assert history in expected, (actions, player, history)
            seen.add(history)
            if seen == expected:
                break
        assert seen == expected, (actions, player, len(seen), len(expected))
    assert max(sizes) >= 20


def test_resample_respects_no_capture_before_the_record_ends() -> None:
    """Player 0 at (1,1) sees player 1 in quadrant 3 next to it; the sample never puts it on (1,1)'s path."""
    random.seed(9)
    actions = ["place_p0:1,1", "place_p1:2,2", "Stay", "Left", "Down"]
    view = player_view(GAME, actions, 0)
    assert view[1][0] == {"loc": [1, 1], "opponent_quadrant": 3}
    for _ in range(200):
        history = GAME.resample_history(view, 0)
        assert view_mismatch(GAME, history, 0, view) is None
        assert history[-1] == "Down"


def test_opponent_cell_never_leaks() -> None:
    """The opponent's exact start and moves inside one quadrant give the player identical views."""
    p0_line = ["Right", "Down"]
    views = set()
    for start in P1_STARTS:
        actions = ["place_p0:0,0", start]
        for own in p0_line:
            actions += [own, "Stay"]
        views.add(repr(player_view(GAME, actions, 0)))
    assert len(views) == 1
    views = set()
    starts = [("place_p0:0,0", "Stay"), ("place_p0:0,1", "Left"), ("place_p0:1,0", "Stay"), ("place_p0:1,1", "Up")]
    for start, move in starts:
        actions = [start, "place_p1:3,3", move, "Left", "Stay", "Up"]
        views.add(repr(player_view(GAME, actions, 1)))
    assert len(views) == 1
    for actions in (["place_p0:0,0", "place_p1:3,3"], ["place_p0:1,1", "place_p1:2,2", "Right", "Up"]):
        for observation in GAME.get_observations(replay(GAME, actions)):
            assert set(observation) == {"loc", "opponent_quadrant"}


def test_resample_is_fast_on_long_histories() -> None:
    random.seed(3)
    longest = max((random_playout(GAME, seed=seed).actions for seed in range(20)), key=len)
    for cut in (len(longest) - 1, len(longest)):
        for player in (0, 1):
            view = player_view(GAME, longest[:cut], player)
            started = time.perf_counter()
            history = GAME.resample_history(view, player)
            assert time.perf_counter() - started < 0.5
            assert view_mismatch(GAME, history, player, view) is None
