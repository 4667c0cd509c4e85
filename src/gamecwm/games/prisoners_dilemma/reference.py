"""Prisoner's Dilemma (one shot): the reference GameCWM.

Each player secretly cooperates `C` or defects `D`. The simultaneous choice is modelled as two
sequential moves: player 1 chooses without seeing player 0's choice. The payoffs are the classic
table (3/3, 0/5, 5/0, 1/1); the game is not zero-sum.

State: `p0_choice` and `p1_choice` (`C`, `D` or None until chosen) and `current_player` (0, 1, or -4 once
both have chosen).
"""

from __future__ import annotations

import random
from typing import Any

State = dict[str, Any]

TERMINAL = -4
CHOICES = ("C", "D")
CHOICE_KEYS = ("p0_choice", "p1_choice")
PLAYER_NAMES = {0: "Player 0", 1: "Player 1"}
PAYOFFS = {
    ("C", "C"): (3.0, 3.0),
    ("C", "D"): (0.0, 5.0),
    ("D", "C"): (5.0, 0.0),
    ("D", "D"): (1.0, 1.0),
}


def get_initial_state() -> State:
    """No choice made yet; player 0 to move."""
    return {"p0_choice": None, "p1_choice": None, "current_player": 0}


def get_current_player(state: State) -> int:
    """0, then 1, then -4 once both have chosen."""
    return state["current_player"]


def get_player_name(player_id: int) -> str:
    """`Player 0`, `Player 1`, or `Terminal` for any other id."""
    return PLAYER_NAMES.get(player_id, "Terminal")


def get_legal_actions(state: State) -> list[str]:
    """`["C", "D"]` for the player to move, nothing at the terminal state."""
    return [] if state["current_player"] == TERMINAL else list(CHOICES)


def apply_action(state: State, action: str) -> State:
    """Record the mover's secret choice; raises ValueError for anything not legal."""
    player = state["current_player"]
    if player == TERMINAL or action not in CHOICES:
        raise ValueError(f"illegal action {action!r}")
    next_state = dict(state)
    next_state[CHOICE_KEYS[player]] = action
    next_state["current_player"] = 1 if player == 0 else TERMINAL
    return next_state


def get_rewards(state: State) -> list[float]:
    """The payoff table entry at the end, 0/0 before."""
    if state["current_player"] != TERMINAL:
        return [0.0, 0.0]
    return list(PAYOFFS[(state["p0_choice"], state["p1_choice"])])


def get_observations(state: State) -> list[dict[str, Any]]:
    """Each player sees its own choice; both choices are revealed at the end."""
    mine = (state["p0_choice"], state["p1_choice"])
    if state["current_player"] != TERMINAL:
        return [{"my_choice": mine[0]}, {"my_choice": mine[1]}]
    return [
        {"my_choice": mine[0], "opponent_choice": mine[1]},
        {"my_choice": mine[1], "opponent_choice": mine[0]},
    ]


def resample_history(obs_action_history: list[tuple[Any, str | None]], player_id: int) -> list[str]:
    """A history matching the player's view: player 1's unseen opponent choice is drawn uniformly."""
    if not obs_action_history:
        return []
    own_action = obs_action_history[-1][1]
    history = [] if player_id == 0 else [random.choice(CHOICES)]
    if own_action is not None:
        history.append(own_action)
    return history
