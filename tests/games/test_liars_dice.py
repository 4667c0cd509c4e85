"""liars_dice: game-specific behaviour, hidden information, and a cross-check against OpenSpiel.

OpenSpiel's liars_dice (numdice=5, dice_sides=6, bidding_rule=reset-face) has the same structure: ten
chance rolls (player 0's five dice, then player 1's), player 0 opens, bids `quantity-face` raise as ours
(same quantity and a higher face, or any higher quantity), `Liar` ends the game with +1/-1. Rule
difference: OpenSpiel's wild face is the highest face (6), ours is 1. The cross-check therefore compares
players, chance outcomes and legal sets on every game, but the returns only for games where no die
shows a 1 or a 6 (then neither wild rule changes any count).
"""

from __future__ import annotations

import itertools
import random

import pyspiel

from gamecwm.games import load_reference
from gamecwm.games.information import player_view, view_mismatch
from gamecwm.games.runtime import replay

GAME = load_reference("liars_dice")


def _translate(os_state: pyspiel.State, action: int) -> str:
    text = os_state.action_to_string(action)
    if os_state.is_chance_node():
        return f"roll:{int(text.split()[-1])}"
    if text == "Liar":
        return "liar"
    quantity, face = text.split("-")
    return f"bid:{int(quantity)}:{int(face)}"


def test_liars_dice_agrees_with_openspiel() -> None:
    game = pyspiel.load_game("liars_dice", {"numdice": 5, "bidding_rule": "reset-face"})
    rng = random.Random(11)
    compared_returns = 0
    for game_index in range(400):
        state, os_state, history = GAME.get_initial_state(), game.new_initial_state(), []
        restricted = game_index % 2 == 0  # half the games roll only faces 2..5, so returns are comparable
        while not os_state.is_terminal():
            expected = -1 if os_state.is_chance_node() else os_state.current_player()
            assert GAME.get_current_player(state) == expected, history
            if os_state.is_chance_node():
                os_ids = {_translate(os_state, a): a for a, p in os_state.chance_outcomes()}
                assert all(abs(p - 1 / 6) < 1e-12 for _, p in os_state.chance_outcomes())
            else:
                os_ids = {_translate(os_state, a): a for a in os_state.legal_actions()}
            assert set(GAME.get_legal_actions(state)) == set(os_ids), history
            choices = sorted(os_ids)
            if os_state.is_chance_node() and restricted:
                choices = ["roll:2", "roll:3", "roll:4", "roll:5"]
            elif not os_state.is_chance_node() and "liar" in choices and rng.random() < 0.3:
                choices = ["liar"]  # end games early enough to see many different challenges
            action = rng.choice(choices)
            state = GAME.apply_action(state, action)
            os_state.apply_action(os_ids[action])
            history.append(action)
        assert GAME.get_current_player(state) == -4
        if restricted:
            assert GAME.get_rewards(state) == list(os_state.returns()), history
            compared_returns += 1
    assert compared_returns == 200


def test_observations_and_names() -> None:
    rolls = [f"roll:{f}" for f in (1, 2, 3, 4, 5, 2, 3, 4, 5, 6)]
    state = replay(GAME, rolls[:7])
    assert GAME.get_observations(state)[1] == {
        "history": [], "last_bid": None, "num_dice": [5, 2], "terminal": False, "my_dice": [2, 3], "player_id": 1,
    }
    state = replay(GAME, rolls + ["bid:2:3"])
    assert GAME.get_observations(state) == [
        {"history": ["bid:2:3"], "last_bid": [2, 3], "num_dice": [5, 5], "terminal": False,
         "my_dice": [1, 2, 3, 4, 5], "player_id": 0},
        {"history": ["bid:2:3"], "last_bid": [2, 3], "num_dice": [5, 5], "terminal": False,
         "my_dice": [2, 3, 4, 5, 6], "player_id": 1},
    ]
    final = GAME.get_observations(GAME.apply_action(state, "liar"))
    assert final[0]["terminal"] and final[0]["opponent_dice"] == [2, 3, 4, 5, 6]
    assert final[1]["opponent_dice"] == [1, 2, 3, 4, 5] and final[1]["history"] == ["bid:2:3", "liar"]
    assert [GAME.get_player_name(p) for p in (0, 1, -1, -4)] == ["Player_0", "Player_1", "Chance", "Terminal"]


def test_resample_has_full_support_over_opponent_dice() -> None:
    # The opponent's five hidden dice have 6^5 = 7776 possible values; check full support on every
    # single opponent die position and on the opponent's first two dice jointly.
    random.seed(2)
    rolls = [f"roll:{f}" for f in (6, 6, 2, 3, 1, 4, 4, 5, 1, 2)]
    for player, actions in ((1, rolls + ["bid:3:4"]), (0, rolls + ["bid:3:4", "bid:4:4"])):
        view = player_view(GAME, actions, player)
        offset = 0 if player == 1 else 5
        # Every opponent deal is consistent (observations never depend on the opponent's dice).
        for deal in ((1, 1, 1, 1, 1), (6, 5, 4, 3, 2)):
            candidate = list(actions)
            candidate[offset : offset + 5] = [f"roll:{f}" for f in deal]
            assert view_mismatch(GAME, candidate, player, view) is None
        wanted = set(itertools.product(range(1, 7), repeat=2))
        seen_pairs, seen_faces = set(), [set() for _ in range(5)]
        for _ in range(5000):
            history = GAME.resample_history(view, player)
            assert view_mismatch(GAME, history, player, view) is None
            faces = [int(a[5:]) for a in history[offset : offset + 5]]
            seen_pairs.add(tuple(faces[:2]))
            for position, face in enumerate(faces):
                seen_faces[position].add(face)
            if seen_pairs == wanted and all(len(s) == 6 for s in seen_faces):
                break
        assert seen_pairs == wanted
        assert all(s == set(range(1, 7)) for s in seen_faces)


def test_opponent_dice_do_not_leak() -> None:
    public = ["bid:2:2", "bid:2:5", "bid:4:1", "bid:5:5"]
    mine = [f"roll:{f}" for f in (3, 3, 6, 1, 2)]
    for theirs_a, theirs_b in [((1, 1, 1, 1, 1), (6, 6, 6, 6, 6)), ((2, 3, 4, 5, 6), (6, 2, 4, 1, 3))]:
        other_a = [f"roll:{f}" for f in theirs_a]
        other_b = [f"roll:{f}" for f in theirs_b]
        assert player_view(GAME, mine + other_a + public, 0) == player_view(GAME, mine + other_b + public, 0)
        assert player_view(GAME, other_a + mine + public, 1) == player_view(GAME, other_b + mine + public, 1)
        # Also at chance nodes and at every non-terminal state, not only at the player's turns.
        for cut in range(len(public) + 11):
            a = replay(GAME, (mine + other_a + public)[:cut])
            b = replay(GAME, (mine + other_b + public)[:cut])
            assert GAME.get_observations(a)[0] == GAME.get_observations(b)[0]


def test_apply_action_rejects_and_does_not_mutate() -> None:
    state = replay(GAME, ["roll:3"] * 10 + ["bid:3:3"])
    snapshot = repr(state)
    for bad in ("bid:3:3", "bid:2:6", "bid:03:4", "bid:3:4 ", "roll:2", "LIAR", "bid:3", "bid:11:2"):
        try:
            GAME.apply_action(state, bad)
        except ValueError:
            pass
        else:
            raise AssertionError(f"{bad!r} was accepted")
    GAME.apply_action(state, "liar")
    assert repr(state) == snapshot
