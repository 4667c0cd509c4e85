"""First-Price Sealed-Bid Auction: the reference GameCWM.

Chance draws both private valuations (1-5) in one action written `<v0><v1>`, e.g. `35`. Then player 0
bids and player 1 bids (`bid_0` .. `bid_5`) without seeing player 0's bid. The higher bid wins, ties
go to player 0; the winner gets its valuation minus its bid, the loser 0.

State: `valuations` ([v0, v1], None before the deal), `bids` (each player's bid, None until made) and
`current_player` (-1 for the deal, 0, 1, or -4 once the auction is over).
"""

from __future__ import annotations

import random
from typing import Any

State = dict[str, Any]

CHANCE = -1
TERMINAL = -4
VALUATIONS = range(1, 6)
BIDS = range(0, 6)
DEALS = [f"{v0}{v1}" for v0 in VALUATIONS for v1 in VALUATIONS]
DEAL_VALUES = {deal: [int(deal[0]), int(deal[1])] for deal in DEALS}
BID_ACTIONS = [f"bid_{n}" for n in BIDS]
BID_VALUES = {action: n for n, action in enumerate(BID_ACTIONS)}
PLAYER_NAMES = {0: "Player 0", 1: "Player 1", CHANCE: "Chance", TERMINAL: "Terminal"}


def get_initial_state() -> State:
    """The chance node that draws both valuations; no bids yet."""
    return {"valuations": None, "bids": [None, None], "current_player": CHANCE}


def get_current_player(state: State) -> int:
    """-1 before the deal, then 0, then 1, then -4."""
    return state["current_player"]


def get_player_name(player_id: int) -> str:
    """`Player 0`, `Player 1`, `Chance`, `Terminal`, or `Unknown` for any other id."""
    return PLAYER_NAMES.get(player_id, "Unknown")


def get_legal_actions(state: State) -> list[str]:
    """The 25 deals at the chance node, the six bids for a bidder, nothing at the end."""
    player = state["current_player"]
    if player == CHANCE:
        return list(DEALS)
    if player == TERMINAL:
        return []
    return list(BID_ACTIONS)


def apply_action(state: State, action: str) -> State:
    """Deal the valuations or record a bid; raises ValueError for anything not legal."""
    if not isinstance(action, str):
        raise ValueError(f"illegal action {action!r}: an action is a string")
    player = state["current_player"]
    if player == CHANCE:
        if action not in DEAL_VALUES:
            raise ValueError(f"illegal chance action {action!r}")
        return {"valuations": list(DEAL_VALUES[action]), "bids": [None, None], "current_player": 0}
    if player == TERMINAL or action not in BID_VALUES:
        raise ValueError(f"illegal action {action!r}")
    bids = list(state["bids"])
    bids[player] = BID_VALUES[action]
    return {"valuations": state["valuations"], "bids": bids, "current_player": 1 if player == 0 else TERMINAL}


def get_rewards(state: State) -> list[float]:
    """The winner gets valuation minus bid, the loser 0.0; 0/0 before the end."""
    if state["current_player"] != TERMINAL:
        return [0.0, 0.0]
    winner = _winner(state["bids"])
    rewards = [0.0, 0.0]
    rewards[winner] = float(state["valuations"][winner] - state["bids"][winner])
    return rewards


def get_observations(state: State) -> list[dict[str, Any]]:
    """Own valuation and own bid; the opponent's bid and the winner once the auction is over."""
    if state["valuations"] is None:
        return [{}, {}]
    observations = []
    terminal = state["current_player"] == TERMINAL
    bids = state["bids"]
    for player in (0, 1):
        observation: dict[str, Any] = {"my_valuation": state["valuations"][player]}
        if bids[player] is not None:
            observation["my_bid"] = bids[player]
        if terminal:
            observation["opponent_bid"] = bids[1 - player]
            observation["winner"] = _winner(bids)
        observations.append(observation)
    return observations


def resample_history(obs_action_history: list[tuple[Any, str | None]], player_id: int) -> list[str]:
    """[deal, bid of player 0, bid of player 1] up to the player's last turn.

    The opponent's valuation is drawn uniformly from 1-5; player 0's bid, when player 1 has to supply
    it, is the revealed `opponent_bid` if an observation holds one, otherwise uniform over 0-5.
    """
    if not obs_action_history:
        return []
    own_valuation = obs_action_history[0][0]["my_valuation"]
    opponent_valuation = random.choice(VALUATIONS)
    values = [own_valuation, opponent_valuation] if player_id == 0 else [opponent_valuation, own_valuation]
    history = [f"{values[0]}{values[1]}"]
    if player_id == 1:
        revealed = [obs["opponent_bid"] for obs, _ in obs_action_history if "opponent_bid" in obs]
        history.append(BID_ACTIONS[revealed[0]] if revealed else random.choice(BID_ACTIONS))
    own_action = obs_action_history[-1][1]
    if own_action is not None:
        history.append(own_action)
    return history


def _winner(bids: list[int]) -> int:
    """The higher bidder; player 0 wins ties."""
    return 1 if bids[1] > bids[0] else 0
