"""backgammon: game-specific rules, and a cross-check against OpenSpiel's backgammon.

OpenSpiel differs in turn structure, not in how checkers move: it decides the first player with an
opening roll, encodes a turn as actions of two checker moves each (a double takes two actions) and
stops at 500 turns. The cross-check therefore plays OpenSpiel games (winloss scoring, which matches our
+1/-1), rebuilds our state from each OpenSpiel position where a player is to move, and compares the set
of positions reachable by one whole legal turn (as many dice as possible, the larger die when only one
can be used), then compares terminal status and returns at the end.
"""

import random
import re

import pyspiel
import pytest

from gamecwm.games import load_reference
from gamecwm.protocol import chance_outcomes

backgammon = load_reference("backgammon")


def _state(player: int, dice: list[int], own: dict[int, int], other: dict[int, int], **extra) -> dict:
    points = [0] * 24
    sign = 1 if player == 0 else -1
    for point, count in own.items():
        points[point - 1] += sign * count
    for point, count in other.items():
        points[point - 1] -= sign * count
    state = {"points": points, "bar": [0, 0], "borne_off": [0, 0], "dice": dice, "player": player,
             "current_player": player if dice else -1, "turn": 0, "winner": None}
    state.update(extra)
    return state


def test_chance_distribution_is_the_true_dice_distribution() -> None:
    outcomes = chance_outcomes(backgammon, backgammon.get_initial_state())
    assert len(outcomes) == 36 and [a for a, _ in outcomes][:3] == ["D_1_1", "D_1_2", "D_1_3"]
    by_pair: dict[tuple[int, int], float] = {}
    for action, probability in outcomes:
        a, b = int(action[2]), int(action[4])
        key = (min(a, b), max(a, b))
        by_pair[key] = by_pair.get(key, 0.0) + probability
    assert len(by_pair) == 21
    assert all(abs(p - (1 / 36 if a == b else 2 / 36)) < 1e-12 for (a, b), p in by_pair.items())


def test_larger_die_rule() -> None:
    state = _state(0, [6, 5], {12: 1}, {1: 2, 24: 13}, borne_off=[14, 0])
    assert backgammon.get_legal_actions(state) == ["12/6"]
    state = _state(0, [5, 6], {12: 1}, {1: 2, 24: 13}, borne_off=[14, 0])
    assert backgammon.get_legal_actions(state) == ["12/6"]


def test_both_dice_must_be_used_when_possible() -> None:
    # 6-1 from a lone checker on 8: 8/2 then 2/1, or 8/7 then 7/1; single moves are not listed.
    state = _state(0, [6, 1], {8: 1}, {24: 15}, borne_off=[14, 0])
    assert backgammon.get_legal_actions(state) == ["8/2,2/1", "8/7,7/1"]


def test_bear_off_with_larger_die_only_from_the_farthest_point() -> None:
    state = _state(0, [6, 5], {4: 1, 2: 1}, {24: 15}, borne_off=[13, 0])
    # 2/off is not allowed while a checker stands farther away on 4: the 4 must go first.
    assert backgammon.get_legal_actions(state) == ["4/off,2/off"]
    state = _state(1, [2, 1], {21: 2}, {1: 15}, borne_off=[0, 13])
    assert backgammon.get_legal_actions(state) == ["21/22,21/23", "21/22,22/24", "21/23,21/22", "21/23,23/24"]


def test_win_and_observation() -> None:
    state = _state(1, [3, 3, 3, 3], {22: 2}, {1: 15}, borne_off=[0, 13])
    assert backgammon.get_legal_actions(state) == ["22/off,22/off"]
    after = backgammon.apply_action(state, "22/off,22/off")
    assert backgammon.get_current_player(after) == -4 and backgammon.get_rewards(after) == [-1.0, 1.0]
    assert backgammon.get_legal_actions(after) == []
    obs = backgammon.get_observations(after)
    assert obs[0] == obs[1]
    assert obs[0] == {"board": {1: (15, 0)}, "bar": {0: 0, 1: 0}, "borne_off": {0: 0, 1: 15}, "dice": [],
                      "current_player": -4, "turn": 1}


def test_move_cap_is_a_draw() -> None:
    state = _state(0, [], {7: 15}, {1: 15}, turn=999)
    state = backgammon.apply_action(state, "D_6_6")
    assert backgammon.get_legal_actions(state) == ["pass"]  # 7/1 is blocked by the opponent's point
    after = backgammon.apply_action(state, "pass")
    assert backgammon.get_current_player(after) == -4 and backgammon.get_rewards(after) == [0.0, 0.0]


def test_apply_action_validates_and_does_not_mutate() -> None:
    state = backgammon.apply_action(backgammon.get_initial_state(), "D_3_1")
    with pytest.raises(ValueError):
        backgammon.apply_action(state, "24/20")
    with pytest.raises(ValueError):
        backgammon.apply_action(state, "D_1_1")
    before = {k: (list(v) if isinstance(v, list) else v) for k, v in state.items()}
    backgammon.apply_action(state, "8/5,6/5")
    assert state == before


def test_apply_action_accepts_exactly_the_legal_list() -> None:
    """apply_action validates without listing; over random games it must accept exactly the listed turns."""
    rng = random.Random(2)
    checked = 0
    for _ in range(2):
        state = backgammon.get_initial_state()
        while backgammon.get_current_player(state) != -4:
            legal = backgammon.get_legal_actions(state)
            if backgammon.get_current_player(state) >= 0:
                candidates = set(legal) | {"pass", "", "8/5"}
                for action in legal:
                    moves = action.split(",")
                    candidates.update({",".join(reversed(moves)), ",".join(moves[:-1]), moves[0], action + ",1/off"})
                accepted = set()
                for action in candidates:
                    try:
                        backgammon.apply_action(state, action)
                        accepted.add(action)
                    except ValueError:
                        pass
                assert accepted == set(legal), (state, sorted(accepted ^ set(legal)))
                checked += 1
            state = backgammon.apply_action(state, rng.choice(legal))
    assert checked > 2 * 30


def _os_position(os_state: pyspiel.State) -> tuple[tuple[int, ...], tuple[int, int], tuple[int, int]]:
    """(signed counts of points 1-24, bar, borne off) with OpenSpiel's x as our player 0."""
    points = tuple(os_state.board(0, 24 - p) - os_state.board(1, 24 - p) for p in range(1, 25))
    text = os_state.observation_string(0)
    bar_line = re.search(r"Bar:([^\n]*)", text).group(1)
    scores = re.search(r"Scores, X: (\d+), O: (\d+)", text)
    return points, (bar_line.count("x"), bar_line.count("o")), (int(scores.group(1)), int(scores.group(2)))


def _os_dice(text: str) -> list[int]:
    a, b = int(text[0]), int(text[1])
    return [a] * 4 if a == b else [a, b]


def _os_turn_results(os_state: pyspiel.State) -> dict:
    """Every position reachable by one whole OpenSpiel turn -> the action ids leading to it."""
    player = os_state.current_player()
    results: dict = {}

    def expand(state: pyspiel.State, ids: list[int]) -> None:
        for action in state.legal_actions():
            child = state.clone()
            child.apply_action(action)
            if child.is_terminal() or child.is_chance_node() or child.current_player() != player:
                results.setdefault(_os_position(child), ids + [action])
            else:
                expand(child, ids + [action])

    expand(os_state, [])
    return results


@pytest.mark.slow
def test_backgammon_turns_agree_with_openspiel() -> None:
    game = pyspiel.load_game("backgammon", {"scoring_type": "winloss_scoring"})
    rng = random.Random(11)
    turns = 0
    for _ in range(3):
        os_state = game.new_initial_state()
        dice: list[int] = []
        while not os_state.is_terminal():
            if os_state.is_chance_node():
                action = rng.choice([a for a, _ in os_state.chance_outcomes()])
                dice = _os_dice(re.search(r"roll: (\d\d)", os_state.action_to_string(action)).group(1))
                os_state.apply_action(action)
                continue
            player = os_state.current_player()
            points, bar, off = _os_position(os_state)
            ours = {"points": list(points), "bar": list(bar), "borne_off": list(off), "dice": dice, "player": player,
                    "current_player": player, "turn": 0, "winner": None}
            ours_after = {}
            for action in backgammon.get_legal_actions(ours):
                after = backgammon.apply_action(ours, action)
                ours_after[(tuple(after["points"]), tuple(after["bar"]), tuple(after["borne_off"]))] = after
            os_after = _os_turn_results(os_state)
            assert set(ours_after) == set(os_after), (
                os_state.observation_string(0), sorted(backgammon.get_legal_actions(ours))
            )
            chosen = rng.choice(sorted(os_after))
            for action in os_after[chosen]:
                os_state.apply_action(action)
            after = ours_after[chosen]
            assert (backgammon.get_current_player(after) == -4) == os_state.is_terminal()
            if os_state.is_terminal():
                assert backgammon.get_rewards(after) == list(os_state.returns())
            turns += 1
    assert turns > 3 * 30
