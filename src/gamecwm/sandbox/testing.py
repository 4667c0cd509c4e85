"""Drivers for testing and measuring the sandbox itself (its tests, its benchmark, the README's example).

No verification uses them: the verifier's drivers are `gamecwm.verify.drivers`, the planners'
`gamecwm.play.drivers`, the environments' `gamecwm.envs.drivers`. A driver is `fn(module, **args) ->
plain data`, imported by the fork server before any candidate is loaded; its output is built from
values the candidate returned, converted to plain data with `to_plain`, and checked by the parent.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from gamecwm.protocol import (
    CHANCE_PLAYER_ID,
    IMPERFECT_INFORMATION_FUNCTIONS,
    OPTIONAL_FUNCTIONS,
    TERMINAL_PLAYER_ID,
    chance_outcomes,
)
from gamecwm.games.runtime import pick, pick_chance
from gamecwm.sandbox.wire import to_plain

PROTOCOL_NAMES = tuple(dict.fromkeys([*IMPERFECT_INFORMATION_FUNCTIONS, *OPTIONAL_FUNCTIONS]))


def probe(module: ModuleType) -> list[str]:
    """The names of the protocol functions (required and optional) that the module defines as callables."""
    return [name for name in PROTOCOL_NAMES if callable(getattr(module, name, None))]


def _choice(choices: list[float], index: int) -> float:
    if index >= len(choices):
        raise ValueError(f"the choice stream ran out after {len(choices)} choices")
    u = choices[index]
    if isinstance(u, bool) or not isinstance(u, (int, float)) or not 0.0 <= u < 1.0:
        raise ValueError(f"choice {index} is {u!r}, not a number in [0, 1)")
    return float(u)


def _player(module: ModuleType, state: Any) -> int:
    player = module.get_current_player(state)
    if isinstance(player, bool) or not isinstance(player, int):
        raise TypeError(f"get_current_player returned {type(player).__name__}, not int")
    return int.__int__(player)


def _actions(values: Any, what: str) -> list[str]:
    actions = to_plain(values)
    if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
        raise TypeError(f"{what} must be a list of strings")
    return actions


def _rewards(module: ModuleType, state: Any) -> list[Any]:
    rewards = to_plain(module.get_rewards(state))
    if not isinstance(rewards, list):
        raise TypeError("get_rewards must return a list")
    return rewards


def playout(module: ModuleType, choices: list[float], max_steps: int) -> list[dict[str, Any]]:
    """Play the game from its initial state with actions chosen by a parent-supplied stream.

    Returns the trace as a list: one entry per step, `{"player", "legal_actions", "action",
    "rewards"}` (rewards of the state before the action; chance steps also carry "probabilities",
    aligned with "legal_actions"), followed by a final entry `{"player", "rewards"}` for the state
    reached (terminal, or the state after `max_steps` actions). At a player node the action is
    `legal[int(u * len(legal))]` for the next u of `choices`; at a chance node (player -1) u picks
    an outcome against the cumulative distribution of `gamecwm.protocol.chance_outcomes`.
    """
    if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 0:
        raise ValueError("max_steps must be a non-negative integer")
    trace: list[dict[str, Any]] = []
    state = module.get_initial_state()
    for step in range(max_steps):
        player = _player(module, state)
        if player == TERMINAL_PLAYER_ID:
            break
        rewards = _rewards(module, state)
        u = _choice(choices, step)
        entry: dict[str, Any] = {"player": player}
        if player == CHANCE_PLAYER_ID:
            outcomes = [(str.__str__(a), float.__float__(p)) for a, p in to_plain([list(o) for o in chance_outcomes(module, state)])]
            entry["legal_actions"] = [action for action, _ in outcomes]
            entry["probabilities"] = [probability for _, probability in outcomes]
            action = pick_chance(outcomes, u)
        else:
            legal = _actions(module.get_legal_actions(state), "get_legal_actions")
            entry["legal_actions"] = legal
            action = pick(legal, u)
        entry["action"] = action
        entry["rewards"] = rewards
        trace.append(entry)
        state = module.apply_action(state, action)
    trace.append({"player": _player(module, state), "rewards": _rewards(module, state)})
    return trace
