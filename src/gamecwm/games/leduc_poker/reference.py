"""Leduc Poker (blinds variant): the reference GameCWM.

A six-card deck J, J, Q, Q, K, K. Player 0 posts a small blind of 1 and player 1 a big blind of 2.
Chance deals one private card to each player (`deal:<rank>`), a betting round follows (raise size 2,
one raise: the big blind counts as the first bet), then chance deals a public card and a second
betting round follows (raise size 4, two raises). Actions are `Fold`, `Call` (also the check) and
`Raise`. At the showdown a private card pairing the public card wins, otherwise the higher private
card wins, equal private ranks split.

State: `deck` (undealt cards), `private_cards`, `public_card` (None until dealt), `round` (1 or 2),
`bets` (each player's chips in this round), `contributions` (chips in the pot from each player),
`raises_in_round`, `actions_in_round`, `history` ([player, action] pairs), `current_player` (-1 at a deal,
0, 1, -4 once the hand is over) and `folded` (the player who folded, else None).
"""

from __future__ import annotations

import random
from typing import Any

State = dict[str, Any]

CHANCE = -1
TERMINAL = -4
RANKS = ("J", "Q", "K")
RANK_VALUE = {rank: value for value, rank in enumerate(RANKS)}
DECK = ["J", "J", "Q", "Q", "K", "K"]
DEAL_ACTIONS = {f"deal:{rank}": rank for rank in RANKS}
RAISE_SIZE = {1: 2, 2: 4}
# Raises allowed per round: in round 1 the big blind already counts as the first of two bets.
MAX_RAISES = {1: 1, 2: 2}
BLINDS = [1, 2]
PAIR_STRENGTH = len(RANKS)
PLAYER_NAMES = {0: "Player 1", 1: "Player 2", CHANCE: "Chance", TERMINAL: "Terminal"}


def get_initial_state() -> State:
    """Blinds posted, full deck, chance to deal player 0's private card."""
    return {
        "deck": list(DECK),
        "private_cards": [None, None],
        "public_card": None,
        "round": 1,
        "bets": list(BLINDS),
        "contributions": list(BLINDS),
        "raises_in_round": 0,
        "actions_in_round": 0,
        "history": [],
        "current_player": CHANCE,
        "folded": None,
    }


def get_current_player(state: State) -> int:
    """-1 at the three deals, 0 or 1 while betting, -4 once the hand is over."""
    return state["current_player"]


def get_player_name(player_id: int) -> str:
    """Id 0 is `Player 1`, id 1 is `Player 2`; also `Chance` and `Terminal`."""
    return PLAYER_NAMES.get(player_id, "Terminal")


def get_legal_actions(state: State) -> list[str]:
    """One deal per rank left at a chance node; Fold (only when owing), Call, Raise (under the cap)."""
    player = state["current_player"]
    if player == CHANCE:
        deck = state["deck"]
        return [f"deal:{rank}" for rank in RANKS if rank in deck]
    if player == TERMINAL:
        return []
    bets = state["bets"]
    actions = ["Fold"] if bets[1 - player] > bets[player] else []
    actions.append("Call")
    if state["raises_in_round"] < MAX_RAISES[state["round"]]:
        actions.append("Raise")
    return actions


def apply_action(state: State, action: str) -> State:
    """Deal a card or apply a betting action; raises ValueError for anything not legal."""
    if action not in get_legal_actions(state):
        raise ValueError(f"illegal action {action!r}")
    if state["current_player"] == CHANCE:
        return _apply_deal(state, DEAL_ACTIONS[action])
    return _apply_bet(state, action)


def get_rewards(state: State) -> list[float]:
    """A folder loses its total contribution; a showdown moves the (equal) contribution; 0/0 before."""
    if state["current_player"] != TERMINAL:
        return [0.0, 0.0]
    folded = state["folded"]
    if folded is not None:
        lost = float(state["contributions"][folded])
        return [-lost, lost] if folded == 0 else [lost, -lost]
    strength0, strength1 = (_hand_strength(card, state["public_card"]) for card in state["private_cards"])
    stake = float(state["contributions"][0])
    if strength0 > strength1:
        return [stake, -stake]
    if strength1 > strength0:
        return [-stake, stake]
    return [0.0, 0.0]


def get_observations(state: State) -> list[dict[str, Any]]:
    """Public betting information, the public card and the own card; both cards after a showdown."""
    cards = state["private_cards"]
    showdown = state["current_player"] == TERMINAL and state["folded"] is None
    observations = []
    for player in (0, 1):
        observation = {
            "round": state["round"],
            "bets": list(state["bets"]),
            "contributions": list(state["contributions"]),
            "pot": state["contributions"][0] + state["contributions"][1],
            "public_card": state["public_card"],
            "private_card": cards[player],
            "history": [list(entry) for entry in state["history"]],
        }
        if showdown:
            observation["opponent_card"] = cards[1 - player]
        observations.append(observation)
    return observations


def get_chance_outcomes(state: State) -> list[tuple[str, float]]:
    """Each rank left in the deck, weighted by its remaining copies."""
    deck = state["deck"]
    return [(f"deal:{rank}", deck.count(rank) / len(deck)) for rank in RANKS if rank in deck]


def resample_history(obs_action_history: list[tuple[Any, str | None]], player_id: int) -> list[str]:
    """The two private deals (opponent card drawn with the true deck weights), then the history seen."""
    if not obs_action_history:
        return []
    last_observation, own_action = obs_action_history[-1]
    own_card = last_observation["private_card"]
    deck = list(DECK)
    deck.remove(own_card)
    if last_observation["public_card"] is not None:
        deck.remove(last_observation["public_card"])
    opponent_card = random.choice(deck)  # a uniform card from the deck draws each rank by its copies
    cards = [own_card, opponent_card] if player_id == 0 else [opponent_card, own_card]
    history = [f"deal:{cards[0]}", f"deal:{cards[1]}"]
    history.extend(action for _, action in last_observation["history"])
    if own_action is not None:
        history.append(own_action)
    return history


def _apply_deal(state: State, rank: str) -> State:
    """Deal a private card or the public card."""
    next_state = dict(state)
    deck = list(state["deck"])
    deck.remove(rank)
    next_state["deck"] = deck
    private_cards = state["private_cards"]
    if private_cards[0] is None:
        next_state["private_cards"] = [rank, None]
    elif private_cards[1] is None:
        next_state["private_cards"] = [private_cards[0], rank]
        next_state["current_player"] = 0
    else:
        next_state["public_card"] = rank
        next_state["history"] = state["history"] + [[CHANCE, f"deal:{rank}"]]
        next_state["current_player"] = 0
    return next_state


def _apply_bet(state: State, action: str) -> State:
    """Apply a fold, call or raise by the player to move."""
    player = state["current_player"]
    opponent = 1 - player
    bets = list(state["bets"])
    contributions = list(state["contributions"])
    next_state = dict(state)
    next_state["history"] = state["history"] + [[player, action]]
    next_state["actions_in_round"] = state["actions_in_round"] + 1
    if action == "Fold":
        next_state["folded"] = player
        next_state["current_player"] = TERMINAL
        return next_state
    owed = bets[opponent] - bets[player]
    added = owed if action == "Call" else owed + RAISE_SIZE[state["round"]]
    bets[player] += added
    contributions[player] += added
    next_state["bets"] = bets
    next_state["contributions"] = contributions
    if action == "Raise":
        next_state["raises_in_round"] = state["raises_in_round"] + 1
        next_state["current_player"] = opponent
    elif state["actions_in_round"] == 0:
        next_state["current_player"] = opponent
    elif state["round"] == 1:
        # The round closes: at the public-card chance node the state already belongs to round 2.
        next_state.update(round=2, bets=[0, 0], raises_in_round=0, actions_in_round=0, current_player=CHANCE)
    else:
        next_state["current_player"] = TERMINAL
    return next_state


def _hand_strength(private_card: str, public_card: str) -> int:
    """Showdown strength: a pair beats any single card, else the private rank."""
    return PAIR_STRENGTH if private_card == public_card else RANK_VALUE[private_card]
