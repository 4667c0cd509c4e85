"""Kuhn Poker: the reference GameCWM.

Three cards J < Q < K; each player antes 1 chip and gets one private card (one chance action such as
`KJ`: player 0's card, then player 1's). One betting round with `Fold`, `Call` (also the free check)
and `Raise` (bet 1), at most one raise per hand. A fold loses the ante; a showdown pays 1, or 2 after
a called raise, to the higher card.

State: `cards` ([] before the deal, then [card of player 0, card of player 1]), `history` (the betting
actions so far) and `current_player` (-1 for the deal, 0, 1, or -4 once the hand is over).
"""

from __future__ import annotations

import random
from typing import Any

State = dict[str, Any]

CHANCE = -1
TERMINAL = -4
RANKS = "JQK"
RANK_VALUE = {card: value for value, card in enumerate(RANKS)}
DEALS = [a + b for a in RANKS for b in RANKS if a != b]
PLAYER_NAMES = {0: "Player 1", 1: "Player 2", CHANCE: "Chance", TERMINAL: "Terminal"}

# Betting sequence -> (player to move, legal actions) for every non-terminal sequence.
DECISIONS: dict[tuple[str, ...], tuple[int, tuple[str, ...]]] = {
    (): (0, ("Fold", "Call", "Raise")),
    ("Call",): (1, ("Fold", "Call", "Raise")),
    ("Raise",): (1, ("Fold", "Call")),
    ("Call", "Raise"): (0, ("Fold", "Call")),
}
# Betting sequence -> the player who folded, for sequences ending in a fold.
FOLDS: dict[tuple[str, ...], int] = {
    ("Fold",): 0,
    ("Call", "Fold"): 1,
    ("Raise", "Fold"): 1,
    ("Call", "Raise", "Fold"): 0,
}
# Betting sequence -> chips won by the higher card, for sequences ending in a showdown.
SHOWDOWNS: dict[tuple[str, ...], float] = {
    ("Call", "Call"): 1.0,
    ("Raise", "Call"): 2.0,
    ("Call", "Raise", "Call"): 2.0,
}


def get_initial_state() -> State:
    """The chance node before the deal."""
    return {"cards": [], "history": [], "current_player": CHANCE}


def get_current_player(state: State) -> int:
    """-1 before the deal, 0 or 1 while betting, -4 once the hand is over."""
    return state["current_player"]


def get_player_name(player_id: int) -> str:
    """Id 0 is `Player 1`, id 1 is `Player 2`; also `Chance` and `Terminal`."""
    return PLAYER_NAMES.get(player_id, "Terminal")


def get_legal_actions(state: State) -> list[str]:
    """The six deals at the chance node, the betting options for a player, nothing at the end."""
    player = state["current_player"]
    if player == CHANCE:
        return list(DEALS)
    if player == TERMINAL:
        return []
    return list(DECISIONS[tuple(state["history"])][1])


def apply_action(state: State, action: str) -> State:
    """Deal the cards or apply a betting action; raises ValueError for anything not legal."""
    player = state["current_player"]
    if player == CHANCE:
        if action not in DEALS:
            raise ValueError(f"illegal chance action {action!r}")
        return {"cards": [action[0], action[1]], "history": [], "current_player": 0}
    if player == TERMINAL or action not in DECISIONS[tuple(state["history"])][1]:
        raise ValueError(f"illegal action {action!r}")
    history = state["history"] + [action]
    decision = DECISIONS.get(tuple(history))
    return {"cards": state["cards"], "history": history, "current_player": TERMINAL if decision is None else decision[0]}


def get_rewards(state: State) -> list[float]:
    """The folder loses 1; at a showdown the higher card wins 1 or 2; 0/0 before the end."""
    if state["current_player"] != TERMINAL:
        return [0.0, 0.0]
    sequence = tuple(state["history"])
    if sequence in FOLDS:
        return [-1.0, 1.0] if FOLDS[sequence] == 0 else [1.0, -1.0]
    stake = SHOWDOWNS[sequence]
    cards = state["cards"]
    return [stake, -stake] if RANK_VALUE[cards[0]] > RANK_VALUE[cards[1]] else [-stake, stake]


def get_observations(state: State) -> list[dict[str, Any]]:
    """Own card and the betting so far; the opponent's card only after a showdown."""
    cards = state["cards"]
    if not cards:
        return [{}, {}]
    showdown = state["current_player"] == TERMINAL and tuple(state["history"]) in SHOWDOWNS
    observations = []
    for player in (0, 1):
        observation = {"card": cards[player], "history": list(state["history"])}
        if showdown:
            observation["opponent_card"] = cards[1 - player]
        observations.append(observation)
    return observations


def resample_history(obs_action_history: list[tuple[Any, str | None]], player_id: int) -> list[str]:
    """A deal with the observed own card and a uniformly drawn other card, then the betting seen."""
    if not obs_action_history:
        return []
    last_observation, own_action = obs_action_history[-1]
    own_card = last_observation["card"]
    opponent_card = random.choice([card for card in RANKS if card != own_card])
    deal = own_card + opponent_card if player_id == 0 else opponent_card + own_card
    history = [deal] + list(last_observation["history"])
    if own_action is not None:
        history.append(own_action)
    return history
