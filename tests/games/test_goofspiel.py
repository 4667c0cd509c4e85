"""goofspiel: game-specific behaviour, hidden information, and a cross-check against OpenSpiel.

OpenSpiel's goofspiel (num_cards=13, points_order=random, returns_type=win_loss), made turn-based with
`turn_based_simultaneous_game`, has the same rules as ours: a chance prize reveal, Player 0's bid, then
Player 1's bid (sealed), higher bid takes the prize, ties discard it, +1/-1/0 by points at the end.
One modelling difference: OpenSpiel settles the 13th round by itself (each player has one card left and one
prize remains), ending after 36 actions, while our game still asks for the three forced actions (39). The
cross-check therefore plays the first 12 rounds in lockstep, then plays our forced last round and compares
the returns.
"""

from __future__ import annotations

import random

import pyspiel

from gamecwm.games import load_reference
from gamecwm.games.information import player_view, view_mismatch
from gamecwm.games.runtime import replay

GAME = load_reference("goofspiel")


def _translate(os_state: pyspiel.State, action: int) -> str:
    text = os_state.action_to_string(action)
    if text.startswith("Deal "):
        return f"prize:{int(text[5:])}"
    return f"bid:{int(text.split('Bid: ')[1])}"


def test_goofspiel_agrees_with_openspiel() -> None:
    game = pyspiel.load_game(
        "turn_based_simultaneous_game(game=goofspiel(num_cards=13,points_order=random,returns_type=win_loss))"
    )
    rng = random.Random(3)
    for _ in range(60):
        state, os_state, history = GAME.get_initial_state(), game.new_initial_state(), []
        while not os_state.is_terminal():
            player = GAME.get_current_player(state)
            assert player == (-1 if os_state.is_chance_node() else os_state.current_player()), history
            os_ids = {_translate(os_state, a): a for a in os_state.legal_actions()}
            if os_state.is_chance_node():
                assert all(abs(p - 1 / len(os_ids)) < 1e-12 for _, p in os_state.chance_outcomes())
            assert set(GAME.get_legal_actions(state)) == set(os_ids), history
            action = rng.choice(sorted(os_ids))
            state = GAME.apply_action(state, action)
            os_state.apply_action(os_ids[action])
            history.append(action)
        assert len(history) == 36
        for _ in range(3):
            (action,) = GAME.get_legal_actions(state)
            state = GAME.apply_action(state, action)
        assert GAME.get_current_player(state) == -4
        assert GAME.get_rewards(state) == list(os_state.returns()), history


def test_observations_of_the_worked_example() -> None:
    state = replay(GAME, ["prize:5", "bid:7"])
    assert GAME.get_observations(state)[1] == {
        "hand": list(range(1, 14)),
        "my_points": 0,
        "opp_points": 0,
        "current_prize": 5,
        "my_current_bid": None,
        "round_history": [],
        "round": 0,
    }
    assert GAME.get_observations(state)[0]["my_current_bid"] == 7
    assert 7 not in GAME.get_observations(state)[0]["hand"]
    state = replay(GAME, ["prize:5", "bid:7", "bid:3"])
    obs0, obs1 = GAME.get_observations(state)
    assert obs0 == {
        "hand": [n for n in range(1, 14) if n != 7],
        "my_points": 5,
        "opp_points": 0,
        "current_prize": None,
        "my_current_bid": None,
        "round_history": [{"prize": 5, "my_bid": 7, "opp_bid": 3}],
        "round": 1,
    }
    assert obs1["round_history"] == [{"prize": 5, "my_bid": 3, "opp_bid": 7}]
    assert (obs1["my_points"], obs1["opp_points"]) == (0, 5)


def test_player_names_and_no_mutation() -> None:
    assert [GAME.get_player_name(p) for p in (0, 1, -1, -4, 7)] == ["Player 1", "Player 2", "Chance", "Terminal", "Unknown"]
    state = replay(GAME, ["prize:5"])
    snapshot = repr(state)
    GAME.apply_action(state, "bid:3")
    assert repr(state) == snapshot


def test_player1_resample_has_full_support_over_the_pending_bid() -> None:
    random.seed(5)
    actions = ["prize:5", "bid:7", "bid:3", "prize:2", "bid:1", "bid:4", "prize:9", "bid:12"]
    view = player_view(GAME, actions, 1)
    assert view[-1][1] is None
    # Independently: Player 0's pending bid can be any card it has not played (7 and 1 are spent).
    consistent = {f"bid:{n}" for n in range(1, 14) if n not in (7, 1)}
    for bid in consistent:
        assert view_mismatch(GAME, actions[:-1] + [bid], 1, view) is None
    seen = set()
    for _ in range(2000):
        history = GAME.resample_history(view, 1)
        assert view_mismatch(GAME, history, 1, view) is None
        seen.add(history[-1])
        if seen == consistent:
            break
    assert seen == consistent


def test_player0_resample_is_the_only_consistent_history() -> None:
    actions = ["prize:5", "bid:7", "bid:3", "prize:2", "bid:1", "bid:4", "prize:9", "bid:12", "bid:2"]
    view = player_view(GAME, actions, 0)
    assert [a for _, a in view] == ["bid:7", "bid:1", "bid:12"]
    for _ in range(20):
        assert GAME.resample_history(view, 0) == actions[:8]


def test_player1_never_sees_the_pending_bid() -> None:
    prefix = ["prize:5", "bid:7", "bid:3", "prize:11"]
    for bid_a, bid_b in [(1, 13), (4, 12), (2, 9)]:
        view_a = player_view(GAME, prefix + [f"bid:{bid_a}"], 1)
        view_b = player_view(GAME, prefix + [f"bid:{bid_b}"], 1)
        assert view_a == view_b
        assert GAME.get_observations(replay(GAME, prefix + [f"bid:{bid_a}"]))[0] != GAME.get_observations(
            replay(GAME, prefix + [f"bid:{bid_b}"])
        )[0]
