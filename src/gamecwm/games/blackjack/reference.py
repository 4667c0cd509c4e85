"""Blackjack (one deck, splits up to 4 hands, double, surrender): the reference GameCWM.

Player 0 (the gambler) plays one or more hands against Player 1 (the dealer, whose moves are forced:
hit below 17, otherwise stand). Every card is a chance action `deal:<card>` drawn without replacement
from one 52-card deck. Player actions: `H` hit, `S` stand, `D` double, `R` surrender, `P` split.
The dealer's hole card (the fourth card dealt) is hidden from Player 0 until the dealer's turn.

State: `deck` (undealt cards, in canonical order), `hands` (Player 0's hands, one list of cards each),
`bets`, `doubled` (per hand), `hand_idx` (the hand being played), `dealer` (the dealer's cards),
`dealer_turn` (True once the dealer plays and the hole card is public), `surrendered`, `history` (every
action so far) and `current_player` (-1 to deal, 0, 1 for the dealer, -4 once the game is over).
"""

from __future__ import annotations

import random
from typing import Any

State = dict[str, Any]

CHANCE = -1
TERMINAL = -4
GAMBLER = 0
DEALER = 1
PLAYER_NAMES = {GAMBLER: "Player", DEALER: "Dealer", CHANCE: "Chance", TERMINAL: "Terminal"}
RANKS = "23456789TJQKA"
SUITS = "shdc"
DECK = [rank + suit for rank in RANKS for suit in SUITS]
DEAL_ACTIONS = {card: f"deal:{card}" for card in DECK}
DEALT_CARDS = {action: card for card, action in DEAL_ACTIONS.items()}
CARD_VALUES = {card: (11 if card[0] == "A" else 10 if card[0] in "TJQK" else int(card[0])) for card in DECK}
MAX_HANDS = 4
DEALER_STANDS_AT = 17
HOLE_CARD_STEP = 3  # index in the history of the fourth chance deal
HIDDEN_HOLE = "deal:?"


def get_initial_state() -> State:
    """A full deck, no cards dealt; chance deals Player 0's first card."""
    return {
        "deck": list(DECK),  # cards still undealt, in canonical order
        "hands": [[]],
        "bets": [1.0],
        "doubled": [False],
        "hand_idx": 0,
        "dealer": [],
        "dealer_turn": False,  # set when the dealer starts playing (the hole card is then public)
        "surrendered": False,
        "history": [],
        "current_player": CHANCE,
    }


def get_current_player(state: State) -> int:
    """-1 when a card is due, 0 for the gambler, 1 for the dealer, -4 once the game is over."""
    return state["current_player"]


def get_player_name(player_id: int) -> str:
    """`Dealer`, `Chance`, `Terminal`, and `Player` for any other id (0 included)."""
    return PLAYER_NAMES.get(player_id, "Player")


def get_legal_actions(state: State) -> list[str]:
    """Undealt cards at a chance node; the allowed subset of H, S, D, R, P; the dealer's forced move."""
    player = state["current_player"]
    if player == CHANCE:
        return [DEAL_ACTIONS[card] for card in state["deck"]]
    if player == GAMBLER:
        return _gambler_actions(state)
    if player == DEALER:
        return ["H" if _hand_value(state["dealer"]) < DEALER_STANDS_AT else "S"]
    return []


def apply_action(state: State, action: str) -> State:
    """Deal a card, play Player 0's current hand, or play the dealer's forced move."""
    if not isinstance(action, str):
        raise ValueError(f"illegal action {action!r}: an action is a string")
    player = state["current_player"]
    if player == CHANCE:
        card = DEALT_CARDS.get(action)
        if card is None or card not in state["deck"]:
            raise ValueError(f"illegal chance action {action!r}")
        return _deal(state, card, action)
    if action not in get_legal_actions(state):
        raise ValueError(f"illegal action {action!r} for player {player}")
    next_state = dict(state)
    next_state["history"] = state["history"] + [action]
    if player == DEALER:
        next_state["current_player"] = CHANCE if action == "H" else TERMINAL
        return next_state
    index = state["hand_idx"]
    if action == "S":
        _finish_hand(next_state)
    elif action == "H":
        next_state["current_player"] = CHANCE
    elif action == "D":
        next_state["bets"] = _replaced(state["bets"], index, state["bets"][index] * 2)
        next_state["doubled"] = _replaced(state["doubled"], index, True)
        next_state["current_player"] = CHANCE
    elif action == "R":
        next_state["surrendered"] = True
        next_state["current_player"] = TERMINAL
    else:  # "P": the second card starts a new hand right after this one, with the same bet
        first, second = state["hands"][index]
        hands = list(state["hands"])
        hands[index] = [first]
        hands.insert(index + 1, [second])
        next_state["hands"] = hands
        next_state["bets"] = state["bets"][: index + 1] + [state["bets"][index]] + state["bets"][index + 1 :]
        next_state["doubled"] = state["doubled"][: index + 1] + [False] + state["doubled"][index + 1 :]
        next_state["current_player"] = CHANCE
    return next_state


def get_rewards(state: State) -> list[float]:
    """[x, -x] at the end (x = Player 0's net winnings over all hands), [0.0, 0.0] before."""
    if state["current_player"] != TERMINAL:
        return [0.0, 0.0]
    total = -0.5 if state["surrendered"] else _settle(state)
    return [total + 0.0, -total + 0.0]


def get_observations(state: State) -> list[dict[str, Any]]:
    """Player 0 sees its hands, the up card and the history with the hole card masked; the dealer sees all."""
    hands = state["hands"]
    history = state["history"]
    masked = history
    if not state["dealer_turn"] and len(history) > HOLE_CARD_STEP:
        masked = history[:HOLE_CARD_STEP] + [HIDDEN_HOLE] + history[HOLE_CARD_STEP + 1 :]
    dealer = state["dealer"]
    gambler_view = {
        "my_hands": [list(hand) for hand in hands],
        "hand_idx": state["hand_idx"],
        "dealer_up": dealer[0] if dealer else None,
        "history": list(masked),
    }
    dealer_view = {
        "my_hand": list(dealer),
        "player_hands": [list(hand) for hand in hands],
        "history": list(history),
    }
    return [gambler_view, dealer_view]


def resample_history(obs_action_history: list[tuple[Any, str | None]], player_id: int) -> list[str]:
    """The observed history with a masked hole card drawn uniformly from the cards Player 0 has not seen,
    followed by the player's last action when it has been taken."""
    if not obs_action_history:
        return []
    observation, last_action = obs_action_history[-1]
    history = list(observation["history"])
    if HIDDEN_HOLE in history:
        seen = {DEALT_CARDS[a] for a in history if a in DEALT_CARDS}
        position = history.index(HIDDEN_HOLE)
        history[position] = DEAL_ACTIONS[random.choice([card for card in DECK if card not in seen])]
    if last_action is not None:
        history.append(last_action)
    return history


def _gambler_actions(state: State) -> list[str]:
    """The gambler's legal actions on its current hand, in the order H, S, D, R, P."""
    index = state["hand_idx"]
    hand = state["hands"][index]
    if state["doubled"][index] or _hand_value(hand) == 21:
        return ["S"]
    actions = ["H", "S"]
    if len(hand) == 2:
        actions.append("D")
        if len(state["hands"]) == 1:
            actions.append("R")
        if CARD_VALUES[hand[0]] == CARD_VALUES[hand[1]] and len(state["hands"]) < MAX_HANDS:
            actions.append("P")
    return actions


def _deal(state: State, card: str, action: str) -> State:
    """Give the dealt card to whoever is due one and decide who acts next."""
    next_state = dict(state)
    next_state["deck"] = [c for c in state["deck"] if c != card]
    next_state["history"] = state["history"] + [action]
    dealt = len(state["history"])
    if dealt < 4:  # initial deal: Player 0, dealer up card, Player 0, dealer hole card
        if dealt % 2 == 1:
            next_state["dealer"] = state["dealer"] + [card]
        else:
            next_state["hands"] = [state["hands"][0] + [card]]
        next_state["current_player"] = GAMBLER if dealt == 3 else CHANCE
        return next_state
    if state["dealer_turn"]:
        next_state["dealer"] = state["dealer"] + [card]
        next_state["current_player"] = DEALER
        return next_state
    index = state["hand_idx"]
    hand = state["hands"][index] + [card]
    next_state["hands"] = _replaced(state["hands"], index, hand)
    if _hand_value(hand) > 21:
        _finish_hand(next_state)
    else:
        next_state["current_player"] = GAMBLER
    return next_state


def _finish_hand(state: State) -> None:
    """Move on from the finished current hand (in place on a fresh state): next hand, dealer, or end."""
    index = state["hand_idx"] + 1
    state["hand_idx"] = index
    hands = state["hands"]
    if index < len(hands):
        state["current_player"] = CHANCE if len(hands[index]) == 1 else GAMBLER
    elif all(_hand_value(hand) > 21 for hand in hands):
        state["current_player"] = TERMINAL
    else:
        state["dealer_turn"] = True
        state["current_player"] = DEALER


def _settle(state: State) -> float:
    """Player 0's net result over all its hands against the dealer's final hand."""
    dealer_value = _hand_value(state["dealer"])
    dealer_natural = _hand_value(state["dealer"][:2]) == 21
    hands = state["hands"]
    total = 0.0
    for hand, bet in zip(hands, state["bets"]):
        value = _hand_value(hand)
        natural = len(hands) == 1 and len(hand) == 2 and value == 21
        if value > 21:
            total -= bet
        elif natural and not dealer_natural:
            total += 1.5 * bet
        elif dealer_natural and not natural:
            total -= bet
        elif natural:
            continue
        elif dealer_value > 21 or value > dealer_value:
            total += bet
        elif value < dealer_value:
            total -= bet
    return total


def _hand_value(cards: list[str]) -> int:
    """Best total: aces count 11, turned into 1 one at a time while the total exceeds 21."""
    total = 0
    aces = 0
    for card in cards:
        total += CARD_VALUES[card]
        if card[0] == "A":
            aces += 1
    while total > 21 and aces:
        total -= 10
        aces -= 1
    return total


def _replaced(items: list, index: int, value: Any) -> list:
    """A copy of `items` with `items[index]` set to `value`."""
    copy = list(items)
    copy[index] = value
    return copy
