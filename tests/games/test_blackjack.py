"""blackjack: game-specific behaviour, hidden information, and a cross-check against OpenSpiel.

OpenSpiel's blackjack is a one-player game (the dealer is automatic) with only Hit and Stand, one deck
drawn without replacement, the dealer standing on every 17. Rule differences: OpenSpiel deals the
gambler's two cards before the dealer's two (we interleave: gambler, dealer, gambler, dealer), has no
double, split or surrender, lets the gambler hit at 21, draws the dealer's cards as chance nodes without a
dealer decision, and pays a natural 1:1 with no special treatment of naturals. The cross-check therefore
plays only H/S games, feeds both the same cards (reordering the initial four), compares the gambler's legal
H/S against Hit/Stand, the undealt-card sets at every later chance node, when each game ends and the
dealer's drawing, and compares the returns on games where neither side has a natural.
"""

from __future__ import annotations

import random

import pyspiel

from gamecwm.games import load_reference
from gamecwm.games.information import player_view, view_mismatch
from gamecwm.games.runtime import replay

GAME = load_reference("blackjack")
RANKS = "23456789TJQKA"
DECK = [r + s for r in RANKS for s in "shdc"]


def _os_card(os_state: pyspiel.State, action: int) -> str:
    text = os_state.action_to_string(action)  # suit then rank, e.g. "HA", "ST"
    return text[1] + text[0].lower()


def _os_deal(os_state: pyspiel.State, card: str) -> None:
    ids = {_os_card(os_state, a): a for a, _ in os_state.chance_outcomes()}
    os_state.apply_action(ids[card])


def _os_undealt(os_state: pyspiel.State) -> set[str]:
    return {f"deal:{_os_card(os_state, a)}" for a, _ in os_state.chance_outcomes()}


def _value(cards: list[str]) -> int:
    total = sum(11 if c[0] == "A" else 10 if c[0] in "TJQK" else int(c[0]) for c in cards)
    aces = sum(c[0] == "A" for c in cards)
    while total > 21 and aces:
        total, aces = total - 10, aces - 1
    return total


def test_blackjack_agrees_with_openspiel_on_hit_stand_games() -> None:
    game = pyspiel.load_game("blackjack")
    rng = random.Random(7)
    compared_returns = 0
    for _ in range(300):
        cards = rng.sample(DECK, 4)
        state = replay(GAME, [f"deal:{c}" for c in cards])
        os_state = game.new_initial_state()
        for card in (cards[0], cards[2], cards[1], cards[3]):
            _os_deal(os_state, card)
        history = [f"deal:{c}" for c in cards]
        while GAME.get_current_player(state) == 0:
            assert os_state.current_player() == 0, history
            ours = [a for a in GAME.get_legal_actions(state) if a in ("H", "S")]
            assert "S" in ours and [os_state.action_to_string(a) for a in os_state.legal_actions()] == ["Hit", "Stand"]
            action = rng.choice(ours)
            state = GAME.apply_action(state, action)
            os_state.apply_action(0 if action == "H" else 1)
            history.append(action)
            if action == "H":
                assert os_state.is_chance_node() and set(GAME.get_legal_actions(state)) == _os_undealt(os_state)
                deal = rng.choice(GAME.get_legal_actions(state))
                state = GAME.apply_action(state, deal)
                _os_deal(os_state, deal[5:])
                history.append(deal)
        while GAME.get_current_player(state) == 1:
            (action,) = GAME.get_legal_actions(state)
            state = GAME.apply_action(state, action)
            history.append(action)
            if action == "H":
                assert os_state.is_chance_node() and set(GAME.get_legal_actions(state)) == _os_undealt(os_state), history
                deal = rng.choice(GAME.get_legal_actions(state))
                state = GAME.apply_action(state, deal)
                _os_deal(os_state, deal[5:])
                history.append(deal)
        assert GAME.get_current_player(state) == -4 and os_state.is_terminal(), history
        hand = GAME.get_observations(state)[1]["player_hands"][0]
        if _value(hand[:2]) != 21 and _value([cards[1], cards[3]]) != 21:
            assert GAME.get_rewards(state)[0] == os_state.returns()[0], history
            compared_returns += 1
    assert compared_returns > 250


def test_observations_mask_the_hole_card_until_the_dealer_plays() -> None:
    actions = ["deal:Kh", "deal:7s", "deal:Ts", "deal:5d"]
    obs0, obs1 = GAME.get_observations(replay(GAME, actions))
    assert obs0 == {"my_hands": [["Kh", "Ts"]], "hand_idx": 0, "dealer_up": "7s",
                    "history": ["deal:Kh", "deal:7s", "deal:Ts", "deal:?"]}
    assert obs1 == {"my_hand": ["7s", "5d"], "player_hands": [["Kh", "Ts"]], "history": actions}
    initial = GAME.get_observations(GAME.get_initial_state())
    assert initial == [{"my_hands": [[]], "hand_idx": 0, "dealer_up": None, "history": []},
                       {"my_hand": [], "player_hands": [[]], "history": []}]
    dealer_turn = GAME.get_observations(replay(GAME, actions + ["S"]))[0]
    assert dealer_turn["history"] == actions + ["S"] and dealer_turn["hand_idx"] == 1
    surrendered = GAME.get_observations(replay(GAME, actions + ["R"]))[0]
    assert surrendered["history"][3] == "deal:?" and surrendered["hand_idx"] == 0
    busted = GAME.get_observations(replay(GAME, actions + ["H", "deal:Qd"]))[0]
    assert busted["history"][3] == "deal:?" and busted["hand_idx"] == 1
    split = GAME.get_observations(replay(GAME, ["deal:8s", "deal:5h", "deal:8h", "deal:9c", "P"]))[0]
    assert split["my_hands"] == [["8s"], ["8h"]] and split["hand_idx"] == 0


def test_player_names_and_no_mutation() -> None:
    assert [GAME.get_player_name(p) for p in (-1, 0, 1, -4, 5)] == ["Chance", "Player", "Dealer", "Terminal", "Player"]
    state = replay(GAME, ["deal:8s", "deal:5h", "deal:8h", "deal:9c"])
    snapshot = repr(state)
    for action in ("P", "D", "H", "S", "R"):
        GAME.apply_action(state, action)
    assert repr(state) == snapshot


def test_gambler_resample_has_full_support_over_the_hole_card() -> None:
    random.seed(4)
    for actions in (
        ["deal:Kh", "deal:7s", "deal:Ts", "deal:5d"],
        ["deal:8s", "deal:5h", "deal:8h", "deal:9c", "P", "deal:3d", "H", "deal:2c"],
    ):
        view = player_view(GAME, actions, 0)
        seen_cards = {a[5:] for i, a in enumerate(actions) if a.startswith("deal:") and i != 3}
        consistent = set()
        for card in DECK:  # brute force over every possible hole card
            candidate = actions[:3] + [f"deal:{card}"] + actions[4:]
            if card not in seen_cards and view_mismatch(GAME, candidate, 0, view) is None:
                consistent.add(card)
        assert len(consistent) == 52 - len(seen_cards)
        sampled = set()
        for _ in range(3000):
            history = GAME.resample_history(view, 0)
            assert view_mismatch(GAME, history, 0, view) is None
            sampled.add(history[3][5:])
            if sampled == consistent:
                break
        assert sampled == consistent


def test_dealer_resample_is_the_observed_history() -> None:
    actions = ["deal:Kh", "deal:7s", "deal:Ts", "deal:5d", "S", "H", "deal:Qh", "S"]
    view = player_view(GAME, actions, 1)
    assert [a for _, a in view] == ["H", "S"]
    assert GAME.resample_history(view, 1) == actions
    pending = player_view(GAME, actions[:7], 1)
    assert pending[-1][1] is None and GAME.resample_history(pending, 1) == actions[:7]


def test_hole_card_does_not_leak_to_the_gambler() -> None:
    prefixes = (
        ["deal:8s", "deal:5h", "deal:8h", "HOLE", "P", "deal:3d", "D", "deal:Tc", "S", "deal:Ts"],
        ["deal:Ts", "deal:9h", "deal:6d", "HOLE", "R"],
        ["deal:Ts", "deal:9h", "deal:6d", "HOLE", "H", "deal:Kd"],
    )
    for prefix in prefixes:
        histories = [[f"deal:{hole}" if a == "HOLE" else a for a in prefix] for hole in ("2c", "Ac", "Qc")]
        views = [player_view(GAME, h, 0) for h in histories]
        assert views[0] == views[1] == views[2]
        for cut in range(len(prefix) + 1):
            observations = [GAME.get_observations(replay(GAME, h[:cut]))[0] for h in histories]
            assert observations[0] == observations[1] == observations[2]
        assert GAME.get_observations(replay(GAME, histories[0]))[1] != GAME.get_observations(replay(GAME, histories[1]))[1]
