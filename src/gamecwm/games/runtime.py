"""The game-runtime kernel: the small ideas every package applies to a GameCWM, written once.

Canonical text (one semantics for comparing values across programs and processes), replaying a
history, drawing an action from a choice value in [0, 1), and carrying values that JSON cannot hold
(tuples, sets, dicts with non-string keys) into a sandbox worker. It imports only the protocol, so it
is safe to run inside the sandbox next to a candidate.
"""

from __future__ import annotations

import math
import random
from json.encoder import encode_basestring_ascii as _quoted
from types import ModuleType
from typing import Any

from gamecwm.protocol import CHANCE_PLAYER_ID, Action, State, chance_outcomes

MAX_DEPTH = 64
TAG = "__gamecwm__"
# The types whose subclasses `exact_builtin` reads as the builtin itself (bool is an int that cannot be subclassed).
BUILTIN_DATA_TYPES = (int, float, str, list, tuple, dict)


def canonical(value: Any) -> str:
    """A text that is equal for equal values, whatever their container types.

    Dict keys and set members are sorted by their own canonical text, so insertion order and set
    iteration order do not matter; numbers that compare equal (1, 1.0, True) give the same text;
    lists and tuples stay distinct (they are unequal in Python). Raises ValueError for nesting deeper
    than MAX_DEPTH. Values that are not data are written as their type name.
    """
    return _canonical(value, 0)


def _canonical(value: Any, depth: int) -> str:
    kind = type(value)
    if kind is str:
        return _quoted(value)
    if kind is int or kind is bool:
        return int.__repr__(value)
    if depth > MAX_DEPTH:
        raise ValueError(f"value nested deeper than {MAX_DEPTH} levels")
    if kind is dict:
        items = [f"{_canonical(k, depth + 1)}:{_canonical(v, depth + 1)}" for k, v in value.items()]
        items.sort()
        return "{" + ",".join(items) + "}"
    if kind is list:
        return "[" + ",".join([_canonical(item, depth + 1) for item in value]) + "]"
    if kind is tuple:
        return "(" + ",".join([_canonical(item, depth + 1) for item in value]) + ")"
    if value is None:
        return "null"
    return _canonical_other(value, depth)


def _canonical_other(value: Any, depth: int) -> str:
    """The slow path of `_canonical`: floats, sets, and subclasses of the builtin types (read as their base)."""
    if type(value) is float:
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, (set, frozenset)):
        return "set{" + ",".join(sorted(_canonical(item, depth + 1) for item in value)) + "}"
    if isinstance(value, BUILTIN_DATA_TYPES):
        return _canonical(exact_builtin(value), depth)
    return f"<{type(value).__name__}>"


def exact_builtin(value: Any) -> Any:
    """`value`, an instance of a subclass of one of BUILTIN_DATA_TYPES, as a value of that exact builtin type.

    It is read through the builtin type's own methods (`int.__int__`, `list.__iter__`, `dict.items`, ...),
    so nothing the subclass overrides runs; containers are copied one level deep. Raises TypeError for a
    value of none of those types.
    """
    if isinstance(value, int):
        return int.__int__(value)
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, list):
        return list(list.__iter__(value))
    if isinstance(value, tuple):
        return tuple(tuple.__iter__(value))
    if isinstance(value, dict):
        return dict(dict.items(value))
    raise TypeError(f"a {type(value).__name__} is not of a builtin data type")


def to_tagged(value: Any, _depth: int = 0) -> Any:
    """`value` as JSON data that `from_tagged` turns back into an equal value (tuples, sets, any dict keys)."""
    if _depth > MAX_DEPTH:
        raise ValueError(f"value nested deeper than {MAX_DEPTH} levels")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [to_tagged(item, _depth + 1) for item in value]
    if isinstance(value, tuple):
        return {TAG: "tuple", "items": [to_tagged(item, _depth + 1) for item in value]}
    if isinstance(value, (set, frozenset)):
        kind = "set" if isinstance(value, set) else "frozenset"
        return {TAG: kind, "items": [to_tagged(item, _depth + 1) for item in sorted(value, key=canonical)]}
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value) and TAG not in value:
            return {key: to_tagged(item, _depth + 1) for key, item in value.items()}
        return {TAG: "dict", "items": [[to_tagged(k, _depth + 1), to_tagged(v, _depth + 1)] for k, v in value.items()]}
    raise ValueError(f"a {type(value).__name__} cannot be sent to a worker")


def from_tagged(data: Any) -> Any:
    """The value `to_tagged` encoded."""
    if isinstance(data, list):
        return [from_tagged(item) for item in data]
    if not isinstance(data, dict):
        return data
    kind = data.get(TAG)
    if kind is None:
        return {key: from_tagged(item) for key, item in data.items()}
    items = data["items"]
    if kind == "tuple":
        return tuple(from_tagged(item) for item in items)
    if kind == "set":
        return {from_tagged(item) for item in items}
    if kind == "frozenset":
        return frozenset(from_tagged(item) for item in items)
    return {from_tagged(key): from_tagged(item) for key, item in items}


def replay(module: ModuleType, actions: list[Action], start: tuple[list[Action], State] | None = None) -> State:
    """The state `module` reaches by applying `actions` from its initial state.

    `start`, a (prefix, state) pair, skips a prefix whose state is already known.
    """
    if start is not None and actions[: len(start[0])] == start[0]:
        state, rest = start[1], actions[len(start[0]):]
    else:
        state, rest = module.get_initial_state(), actions
    for action in rest:
        state = module.apply_action(state, action)
    return state


def pick(legal: list[Action], u: float) -> Action:
    """The action `legal[int(u * len(legal))]` for a choice value u in [0, 1)."""
    if not legal:
        raise ValueError("no legal actions to choose from")
    return legal[min(len(legal) - 1, int(u * len(legal)))]


def pick_chance(outcomes: list[tuple[Action, float]], u: float) -> Action:
    """The first outcome whose cumulative probability exceeds u (the last one when rounding leaves u above all)."""
    if not outcomes:
        raise ValueError("a chance node without outcomes")
    total = 0.0
    for action, probability in outcomes:
        total += probability
        if u < total:
            return action
    return outcomes[-1][0]


def choose(module: ModuleType, state: State, u: float) -> Action:
    """The action a choice value u selects at `state`: by probability at a chance node, else uniformly."""
    if module.get_current_player(state) == CHANCE_PLAYER_ID:
        return pick_chance(chance_outcomes(module, state), u)
    return pick(list(module.get_legal_actions(state)), u)


def random_action(module: ModuleType, state: State, rng: random.Random) -> Action:
    """A random move at `state`: chance by its probabilities, a player's uniformly among the legal actions."""
    return choose(module, state, rng.random())
