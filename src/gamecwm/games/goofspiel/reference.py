"""Goofspiel: the reference GameCWM.

Both players hold the cards 1..13; thirteen prize cards 1..13 are revealed one per round in random
order. Each round Player 0 bids a card, then Player 1 bids a card without seeing it; the higher bid
wins the prize's value in points, equal bids discard the prize. After 13 rounds the player with more
points wins (+1/-1, 0 for equal points). Actions: `prize:<n>` (chance) and `bid:<n>`.

State: `prizes_left` (prize values not yet revealed), `current_prize` (None before the first reveal),
`hands` (each player's unplayed bid cards), `points` (points won), `pending_bid` (player 0's bid until the
round resolves), `rounds` (completed rounds as [prize, bid of player 0, bid of player 1]) and
`current_player` (-1 to reveal a prize, 0, 1, -4 once the game is over).
"""

from __future__ import annotations

import random
from typing import Any

State = dict[str, Any]

CHANCE = -1
TERMINAL = -4
NUM_CARDS = 13
CARDS = tuple(range(1, NUM_CARDS + 1))
BID_ACTIONS = {n: f"bid:{n}" for n in CARDS}
PRIZE_ACTIONS = {n: f"prize:{n}" for n in CARDS}
BID_VALUES = {a: n for n, a in BID_ACTIONS.items()}
PRIZE_VALUES = {a: n for n, a in PRIZE_ACTIONS.items()}
PLAYER_NAMES = {0: "Player 1", 1: "Player 2", CHANCE: "Chance", TERMINAL: "Terminal"}


def get_initial_state() -> State:
    """Full hands, all 13 prizes face down, no points; chance reveals the first prize."""
    return {
        "hands": [list(CARDS), list(CARDS)],
        "prizes_left": list(CARDS),
        "points": [0, 0],
        "current_prize": None,
        "pending_bid": None,  # Player 0's bid in the current round, until the round resolves
        "rounds": [],  # completed rounds as [prize, bid of Player 0, bid of Player 1]
        "current_player": CHANCE,
    }


def get_current_player(state: State) -> int:
    """-1 before each round, 0 or 1 while bidding, -4 after round 13."""
    return state["current_player"]


def get_player_name(player_id: int) -> str:
    """`Player 1` for seat 0, `Player 2` for seat 1, `Chance`, `Terminal`, else `Unknown`."""
    return PLAYER_NAMES.get(player_id, "Unknown")


def get_legal_actions(state: State) -> list[str]:
    """Unrevealed prizes at a chance node, otherwise the mover's remaining cards; ascending."""
    player = state["current_player"]
    if player == CHANCE:
        return [PRIZE_ACTIONS[n] for n in state["prizes_left"]]
    if player == TERMINAL:
        return []
    return [BID_ACTIONS[n] for n in state["hands"][player]]


def apply_action(state: State, action: str) -> State:
    """Reveal a prize or place a bid (resolving the round after Player 1's bid)."""
    if not isinstance(action, str):
        raise ValueError(f"illegal action {action!r}: an action is a string")
    player = state["current_player"]
    if player == CHANCE:
        prize = PRIZE_VALUES.get(action)
        if prize is None or prize not in state["prizes_left"]:
            raise ValueError(f"illegal chance action {action!r}")
        next_state = dict(state)
        next_state["prizes_left"] = [n for n in state["prizes_left"] if n != prize]
        next_state["current_prize"] = prize
        next_state["current_player"] = 0
        return next_state
    if player == TERMINAL:
        raise ValueError(f"the game is over; {action!r} is illegal")
    bid = BID_VALUES.get(action)
    if bid is None or bid not in state["hands"][player]:
        raise ValueError(f"illegal bid {action!r} for player {player}")
    next_state = dict(state)
    hands = list(state["hands"])
    hands[player] = [n for n in hands[player] if n != bid]
    next_state["hands"] = hands
    if player == 0:
        next_state["pending_bid"] = bid
        next_state["current_player"] = 1
        return next_state
    prize, bid0 = state["current_prize"], state["pending_bid"]
    if bid0 != bid:
        points = list(state["points"])
        points[0 if bid0 > bid else 1] += prize
        next_state["points"] = points
    next_state["rounds"] = state["rounds"] + [[prize, bid0, bid]]
    next_state["current_prize"] = None
    next_state["pending_bid"] = None
    next_state["current_player"] = CHANCE if next_state["prizes_left"] else TERMINAL
    return next_state


def get_rewards(state: State) -> list[float]:
    """+1/-1 to the player with more points at the end, 0/0 for a tie or a running game."""
    if state["current_player"] != TERMINAL:
        return [0.0, 0.0]
    p0, p1 = state["points"]
    if p0 > p1:
        return [1.0, -1.0]
    if p1 > p0:
        return [-1.0, 1.0]
    return [0.0, 0.0]


def get_observations(state: State) -> list[dict[str, Any]]:
    """Each player's hand, both scores, the current prize, its own pending bid and the past rounds."""
    return [_observation(state, 0), _observation(state, 1)]


def resample_history(obs_action_history: list[tuple[Any, str | None]], player_id: int) -> list[str]:
    """Rebuild a full action list from the player's latest observation.

    Completed rounds come from `round_history`; the current round's prize and the player's own last
    action are known; for Player 1 the hidden pending bid of Player 0 is drawn uniformly from
    Player 0's remaining cards.
    """
    if not obs_action_history:
        return []
    observation, last_action = obs_action_history[-1]
    history: list[str] = []
    used_by_p0 = set()
    for entry in observation["round_history"]:
        if player_id == 0:
            bid0, bid1 = entry["my_bid"], entry["opp_bid"]
        else:
            bid0, bid1 = entry["opp_bid"], entry["my_bid"]
        used_by_p0.add(bid0)
        history += [PRIZE_ACTIONS[entry["prize"]], BID_ACTIONS[bid0], BID_ACTIONS[bid1]]
    history.append(PRIZE_ACTIONS[observation["current_prize"]])
    if player_id == 1:
        p0_hand = [n for n in CARDS if n not in used_by_p0]
        history.append(BID_ACTIONS[random.choice(p0_hand)])
    if last_action is not None:
        history.append(last_action)
    return history


def _observation(state: State, player: int) -> dict[str, Any]:
    """What `player` sees: its hand, both scores, the prize and every past round."""
    opponent = 1 - player
    return {
        "hand": list(state["hands"][player]),
        "my_points": state["points"][player],
        "opp_points": state["points"][opponent],
        "current_prize": state["current_prize"],
        "my_current_bid": state["pending_bid"] if player == 0 else None,
        "round_history": [
            {"prize": prize, "my_bid": bids[player], "opp_bid": bids[opponent]}
            for prize, *bids in state["rounds"]
        ],
        "round": len(state["rounds"]),
    }
