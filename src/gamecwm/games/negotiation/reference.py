"""Negotiation (Deal-or-No-Deal style item split): the reference GameCWM.

A fixed pool of 2 books, 2 hats and 2 balls (always in that order). One chance action draws both
players' private values (0..3 per item type, 4096 equally likely joint outcomes). Player 0 moves
first; players alternate proposals `propose_<b>_<h>_<l>` (the proposer's own share), until one player
`accept`s the opponent's standing proposal (a deal: each scores its items times its own values) or
`reject`s (no deal), or the 10th proposal is made (no deal). The opponent's values are never shown.

State: `values` (each player's [book, hat, ball] values, None before the deal), `proposal` (the standing
offer as the proposer's own share of each item, or None), `proposer` (who made it), `num_proposals`, `outcome`
(None, "deal" or "no_deal") and `current_player` (-1 for the deal, 0, 1, -4 once the game is over).
"""

from __future__ import annotations

import itertools
import random
from typing import Any

State = dict[str, Any]

CHANCE = -1
TERMINAL = -4
POOL = (2, 2, 2)
MAX_VALUE = 3
MAX_PROPOSALS = 10
PLAYER_NAMES = {0: "Player 0", 1: "Player 1", CHANCE: "Chance", TERMINAL: "Terminal"}

SHARES = list(itertools.product(range(POOL[0] + 1), range(POOL[1] + 1), range(POOL[2] + 1)))
PROPOSAL_ACTIONS = [f"propose_{b}_{h}_{l}" for b, h, l in SHARES]
PROPOSAL_SHARE = {action: list(share) for action, share in zip(PROPOSAL_ACTIONS, SHARES)}
LEGAL_WITHOUT_OFFER = ["reject"] + PROPOSAL_ACTIONS
LEGAL_WITH_OFFER = ["reject", "accept"] + PROPOSAL_ACTIONS

VALUE_TRIPLES = list(itertools.product(range(MAX_VALUE + 1), repeat=3))
CHANCE_ACTIONS = [
    f"v0_{a}_{b}_{c}_v1_{d}_{e}_{f}" for (a, b, c), (d, e, f) in itertools.product(VALUE_TRIPLES, VALUE_TRIPLES)
]
CHANCE_VALUES = {
    action: (list(v0), list(v1))
    for action, (v0, v1) in zip(CHANCE_ACTIONS, itertools.product(VALUE_TRIPLES, VALUE_TRIPLES))
}
CHANCE_PROBABILITY = 1.0 / len(CHANCE_ACTIONS)
CHANCE_OUTCOMES = [(action, CHANCE_PROBABILITY) for action in CHANCE_ACTIONS]


def get_initial_state() -> State:
    """Nothing drawn yet: the chance node that sets all six values."""
    return {
        "values": None,
        "proposal": None,
        "proposer": None,
        "num_proposals": 0,
        "outcome": None,
        "current_player": CHANCE,
    }


def get_current_player(state: State) -> int:
    """-1 before the values are drawn, then 0 or 1 while negotiating, -4 once the game is over."""
    return state["current_player"]


def get_player_name(player_id: int) -> str:
    """`Player 0`, `Player 1`, `Chance` or `Terminal`."""
    return PLAYER_NAMES.get(player_id, "Terminal")


def get_legal_actions(state: State) -> list[str]:
    """All 4096 value strings at the chance node; else `reject`, `accept` (facing an offer), 27 proposals."""
    player = state["current_player"]
    if player == CHANCE:
        return list(CHANCE_ACTIONS)
    if player == TERMINAL:
        return []
    if _can_accept(state, player):
        return list(LEGAL_WITH_OFFER)
    return list(LEGAL_WITHOUT_OFFER)


def apply_action(state: State, action: str) -> State:
    """Draw the values, propose, accept or reject; raises ValueError for anything not legal."""
    player = state["current_player"]
    if player == TERMINAL:
        raise ValueError(f"the game is over; {action!r} is not legal")
    if not isinstance(action, str):
        raise ValueError(f"an action is a string, not {action!r}")
    next_state = dict(state)
    if player == CHANCE:
        values = CHANCE_VALUES.get(action)
        if values is None:
            raise ValueError(f"illegal chance action {action!r}")
        next_state["values"] = [list(values[0]), list(values[1])]
        next_state["current_player"] = 0
        return next_state
    if action == "reject":
        next_state["outcome"] = "no_deal"
        next_state["current_player"] = TERMINAL
        return next_state
    if action == "accept":
        if not _can_accept(state, player):
            raise ValueError("accept needs a standing proposal made by the opponent")
        next_state["outcome"] = "deal"
        next_state["current_player"] = TERMINAL
        return next_state
    share = PROPOSAL_SHARE.get(action)
    if share is None:
        raise ValueError(f"illegal action {action!r}")
    count = state["num_proposals"] + 1
    next_state["proposal"] = list(share)
    next_state["proposer"] = player
    next_state["num_proposals"] = count
    if count >= MAX_PROPOSALS:
        next_state["outcome"] = "no_deal"
        next_state["current_player"] = TERMINAL
    else:
        next_state["current_player"] = 1 - player
    return next_state


def get_rewards(state: State) -> list[float]:
    """After a deal each player's received items times its own values; 0/0 otherwise."""
    if state["outcome"] != "deal":
        return [0.0, 0.0]
    proposer = state["proposer"]
    share = state["proposal"]
    received = [None, None]
    received[proposer] = share
    received[1 - proposer] = [total - kept for total, kept in zip(POOL, share)]
    values = state["values"]
    return [float(sum(v * n for v, n in zip(values[p], received[p]))) for p in (0, 1)]


def get_observations(state: State) -> list[dict[str, Any]]:
    """Own values, the standing proposal, its proposer, the proposal count (and the outcome at the end)."""
    values = state["values"]
    if values is None:
        return [{}, {}]
    proposal = state["proposal"]
    observations = []
    for player in (0, 1):
        observation = {
            "my_values": list(values[player]),
            "proposal": None if proposal is None else list(proposal),
            "proposer": state["proposer"],
            "num_proposals": state["num_proposals"],
        }
        if state["current_player"] == TERMINAL:
            observation["outcome"] = state["outcome"]
        observations.append(observation)
    return observations


def get_chance_outcomes(state: State) -> list[tuple[str, float]]:
    """Every value string with probability 1/4096 (empty away from the chance node)."""
    if state["current_player"] != CHANCE:
        return []
    return list(CHANCE_OUTCOMES)


def resample_history(obs_action_history: list[tuple[Any, str | None]], player_id: int) -> list[str]:
    """Own values as seen, uniform opponent values, then the proposals and own actions in turn order.

    Each of the player's turns is preceded by exactly one opponent proposal (player 0's first turn
    excepted), and the standing proposal the player observes at that turn is that proposal.
    """
    if not obs_action_history:
        return []
    own_values = obs_action_history[-1][0]["my_values"]
    opponent_values = [random.randint(0, MAX_VALUE) for _ in range(3)]
    values = (own_values, opponent_values) if player_id == 0 else (opponent_values, own_values)
    history = [_value_action(values[0], values[1])]
    for observation, action in obs_action_history:
        if observation["proposal"] is not None and observation["proposer"] != player_id:
            history.append(_proposal_action(observation["proposal"]))
        if action is not None:
            history.append(action)
    return history


def _can_accept(state: State, player: int) -> bool:
    """Whether `player` may accept: the opponent made the standing proposal."""
    return state["proposal"] is not None and state["proposer"] == 1 - player


def _proposal_action(share: list[int]) -> str:
    """The action string proposing `share` for player 0."""
    return f"propose_{share[0]}_{share[1]}_{share[2]}"


def _value_action(values0: list[int], values1: list[int]) -> str:
    """The chance action string that deals the two value triples."""
    return "v0_{}_{}_{}_v1_{}_{}_{}".format(*values0, *values1)
