"""What one player sees of a game: observation/action histories and their consistency.

`resample_history(obs_action_history, player_id)` receives the list of (observation, own action)
pairs taken at each of that player's turns; the last pair may hold `None` as its action (the
player's current observation at a turn where it has not acted yet). These helpers build such views
from a full action history and check that a resampled history reproduces a view.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from gamecwm.protocol import Action

PlayerView = list[tuple[Any, Action | None]]


def player_view(module: ModuleType, actions: list[Action], player: int, include_pending: bool = True) -> PlayerView:
    """The (observation, action) pairs of `player` along a history of actions.

    With `include_pending`, a final `(observation, None)` pair is added when the player is to move
    in the state the history reaches.
    """
    view: PlayerView = []
    state = module.get_initial_state()
    for action in actions:
        if module.get_current_player(state) == player:
            view.append((module.get_observations(state)[player], action))
        state = module.apply_action(state, action)
    if include_pending and module.get_current_player(state) == player:
        view.append((module.get_observations(state)[player], None))
    return view


def view_mismatch(module: ModuleType, history: list[Action], player: int, view: PlayerView) -> str | None:
    """Why `history` does not reproduce `view` for `player` (None when it does).

    The history must replay legally from the initial state; at each of the player's turns the player's
    observation and action must match the view, in order, and a pending last pair must be the state
    the history reaches.
    """
    state = module.get_initial_state()
    turn = 0
    for step, action in enumerate(history):
        if action not in module.get_legal_actions(state):
            return f"action {step} {action!r} is not legal after {history[:step]}"
        if module.get_current_player(state) == player:
            if turn >= len(view):
                return f"the player has more turns than the view ({len(view)}) after {history[:step]}"
            expected_obs, expected_action = view[turn]
            observation = module.get_observations(state)[player]
            if observation != expected_obs:
                return f"observation at turn {turn} differs: {observation!r} != {expected_obs!r}"
            if expected_action is None:
                return f"the history goes past the pending turn {turn}"
            if action != expected_action:
                return f"own action at turn {turn} is {action!r}, expected {expected_action!r}"
            turn += 1
        state = module.apply_action(state, action)
    if turn < len(view):
        expected_obs, expected_action = view[turn]
        if expected_action is not None or turn != len(view) - 1:
            return f"the history covers {turn} of the player's {len(view)} turns"
        if module.get_current_player(state) != player:
            return "the history does not end at the player's pending turn"
        observation = module.get_observations(state)[player]
        if observation != expected_obs:
            return f"pending observation differs: {observation!r} != {expected_obs!r}"
    return None
