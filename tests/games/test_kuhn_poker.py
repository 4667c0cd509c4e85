"""kuhn_poker: payoffs, hidden cards, full-support resampling, and OpenSpiel's kuhn_poker.

OpenSpiel's kuhn_poker has the same deck, ante, bet size and payoffs, but deals the two cards in two
chance moves (ours: one move such as `KJ`) and has only Pass/Bet: Pass is our `Call` (check) when nothing
is owed and our `Fold` when facing a bet; Bet is our `Raise` when nothing is owed and our `Call` when
facing a bet. Our spec also allows `Fold` when checking is free, which OpenSpiel lacks: the lockstep check
drops exactly those actions from our legal sets and never plays them; everything else (players, legal
sets, returns, and the value of strategy profiles that never fold for free) must agree.
"""

import itertools
import random
from fractions import Fraction

import pyspiel
from open_spiel.python import policy as os_policy
from open_spiel.python.algorithms.expected_game_score import policy_value

from gamecwm.games import load_reference
from gamecwm.games.information import player_view
from gamecwm.games.runtime import replay
from tests.games.information_support import consistent_histories

GAME = load_reference("kuhn_poker")
CARDS = "JQK"
PASS, BET = 0, 1


def _facing_bet(state) -> bool:
    return "Raise" not in GAME.get_legal_actions(state)


def _ours(state, os_action: int) -> str:
    """Our string for an OpenSpiel Pass/Bet in our state."""
    if _facing_bet(state):
        return "Fold" if os_action == PASS else "Call"
    return "Call" if os_action == PASS else "Raise"


def _os_betting(state) -> list[int]:
    """Our betting history as OpenSpiel Pass/Bet ids (the history must not hold a free fold)."""
    walked = replay(GAME, [state["cards"][0] + state["cards"][1]])
    ids = []
    for action in state["history"]:
        ids.append(PASS if action == "Fold" or (action == "Call" and not _facing_bet(walked)) else BET)
        walked = GAME.apply_action(walked, action)
    return ids


def _consistent_histories(view, player: int) -> set[tuple[str, ...]]:
    """Every history that fits the view and stops at its last turn."""
    return consistent_histories(GAME, view, player)


def _betting_sequences(state, prefix=()):
    """Every betting sequence (complete or not) from a post-deal state."""
    yield prefix, state
    for action in GAME.get_legal_actions(state):
        yield from _betting_sequences(GAME.apply_action(state, action), prefix + (action,))


def test_all_terminal_payoffs() -> None:
    stakes = {("Call", "Call"): 1, ("Raise", "Call"): 2, ("Call", "Raise", "Call"): 2}
    folder = {("Fold",): 0, ("Call", "Fold"): 1, ("Raise", "Fold"): 1, ("Call", "Raise", "Fold"): 0}
    terminals = 0
    for a, b in itertools.permutations(CARDS, 2):
        for sequence, state in _betting_sequences(replay(GAME, [a + b])):
            if GAME.get_current_player(state) != -4:
                assert GAME.get_rewards(state) == [0.0, 0.0]
                continue
            terminals += 1
            if sequence in folder:
                expected = [-1.0, 1.0] if folder[sequence] == 0 else [1.0, -1.0]
            else:
                sign = 1.0 if CARDS.index(a) > CARDS.index(b) else -1.0
                expected = [sign * stakes[sequence], -sign * stakes[sequence]]
            assert GAME.get_rewards(state) == expected, (a + b, sequence)
    assert terminals == 6 * 7


def test_opponent_card_never_leaks_before_a_showdown() -> None:
    for own in CARDS:
        for player in (0, 1):
            others = [c for c in CARDS if c != own]
            deals = [own + o if player == 0 else o + own for o in others]
            roots = [replay(GAME, [deal]) for deal in deals]
            walks = [list(_betting_sequences(root)) for root in roots]
            for (seq_a, state_a), (seq_b, state_b) in zip(*walks):
                assert seq_a == seq_b
                showdown = GAME.get_current_player(state_a) == -4 and seq_a[-1] == "Call"
                obs_a, obs_b = GAME.get_observations(state_a)[player], GAME.get_observations(state_b)[player]
                if showdown:
                    assert obs_a["opponent_card"] != obs_b["opponent_card"]
                    obs_a, obs_b = dict(obs_a), dict(obs_b)
                    del obs_a["opponent_card"], obs_b["opponent_card"]
                assert obs_a == obs_b == {"card": own, "history": list(seq_a)}
                assert player_view(GAME, [deals[0], *seq_a], player) == player_view(GAME, [deals[1], *seq_a], player)


def test_resample_has_full_support() -> None:
    random.seed(13)
    views = [(["QK"], 0), (["QK", "Call"], 1), (["KJ", "Call", "Raise"], 0), (["JQ", "Raise", "Call"], 1),
             (["QJ", "Call", "Raise", "Fold"], 0)]
    for actions, player in views:
        view = player_view(GAME, actions, player)
        expected = _consistent_histories(view, player)
        assert len(expected) == 2
        seen = set()
        for _ in range(400):
            seen.add(tuple(GAME.resample_history(view, player)))
            if seen >= expected:
                break
        assert seen == expected


def test_agrees_with_openspiel_on_every_hand() -> None:
    """Exhaustive lockstep over all OpenSpiel deals and betting sequences."""
    game = pyspiel.load_game("kuhn_poker")
    compared = 0
    for c0, c1 in itertools.permutations(range(3), 2):
        os_root = game.new_initial_state()
        assert os_root.is_chance_node()
        os_root.apply_action(c0)
        os_root.apply_action(c1)
        stack = [(os_root, replay(GAME, [CARDS[c0] + CARDS[c1]]))]
        while stack:
            os_state, state = stack.pop()
            if os_state.is_terminal():
                assert GAME.get_current_player(state) == -4
                assert GAME.get_rewards(state) == list(os_state.returns())
                compared += 1
                continue
            assert GAME.get_current_player(state) == os_state.current_player()
            ours = set(GAME.get_legal_actions(state))
            if not _facing_bet(state):
                ours.discard("Fold")  # the free fold OpenSpiel does not offer
            assert ours == {_ours(state, a) for a in os_state.legal_actions()}
            for a in os_state.legal_actions():
                stack.append((os_state.child(a), GAME.apply_action(state, _ours(state, a))))
    assert compared == 6 * 5


def _nash_alpha0(player: int, card: str, betting: tuple[int, ...]) -> dict[int, Fraction]:
    """A known equilibrium (alpha = 0) as OpenSpiel Pass/Bet probabilities; its value is -1/18 for player 0."""
    third = Fraction(1, 3)
    if player == 0 and betting == ():
        return {PASS: Fraction(1), BET: Fraction(0)}
    if player == 0:  # facing a bet after checking
        call = {"J": Fraction(0), "Q": third, "K": Fraction(1)}[card]
    elif betting == (BET,):
        call = {"J": Fraction(0), "Q": third, "K": Fraction(1)}[card]
    else:  # player 1 after a check
        call = {"J": third, "Q": Fraction(0), "K": Fraction(1)}[card]
    return {PASS: 1 - call, BET: call}


def _uniform(player: int, card: str, betting: tuple[int, ...]) -> dict[int, Fraction]:
    return {PASS: Fraction(1, 2), BET: Fraction(1, 2)}


def _value_on_reference(profile) -> Fraction:
    """Player 0's expected return under a Pass/Bet profile, by exhaustive enumeration over our reference."""

    def value(state) -> Fraction:
        player = GAME.get_current_player(state)
        if player == -4:
            return Fraction(GAME.get_rewards(state)[0]).limit_denominator()
        if player == -1:
            deals = GAME.get_legal_actions(state)
            return sum(value(GAME.apply_action(state, d)) for d in deals) / len(deals)
        card = state["cards"][player]
        probabilities = profile(player, card, tuple(_os_betting(state)))
        return sum(p * value(GAME.apply_action(state, _ours(state, a))) for a, p in probabilities.items() if p)

    return value(GAME.get_initial_state())


def _openspiel_policy(game, profile) -> os_policy.TabularPolicy:
    tabular = os_policy.TabularPolicy(game)
    for index, os_state in enumerate(tabular.states):
        history = os_state.history()
        player = os_state.current_player()
        probabilities = profile(player, CARDS[history[player]], tuple(history[2:]))
        tabular.action_probability_array[index] = [float(probabilities[PASS]), float(probabilities[BET])]
    return tabular


def test_profile_values_match_openspiel() -> None:
    game = pyspiel.load_game("kuhn_poker")
    for profile, known in ((_nash_alpha0, Fraction(-1, 18)), (_uniform, None)):
        ours = _value_on_reference(profile)
        tabular = _openspiel_policy(game, profile)
        theirs = policy_value(game.new_initial_state(), [tabular, tabular])
        assert abs(float(ours) - theirs[0]) < 1e-12 and abs(float(-ours) - theirs[1]) < 1e-12
        if known is not None:
            assert ours == known
