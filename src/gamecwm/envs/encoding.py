"""The action table and the observation encodings of a GameCWM environment (pure Python).

**Action table.** Environments act through `Discrete(n)`: index i is the i-th action string of a
table built per game by exploring its legal actions (`gamecwm.games.exploration.explore`, capped by
`gamecwm.envs.config.ExploreConfig`), sorted so the table does not depend on the order in which
exploration met the strings. When exploration did not exhaust the game, a few overflow slots follow
the table: at each turn, the legal actions exploration never met take them by a hash of the string
(`ActionTable.assign`), so every legal action stays playable and the indices depend on nothing but
the game. When a turn has more such actions than slots, the rest are left out of the mask (the
environment counts them); a turn left with no playable action raises `ActionTableError`. Chance
outcomes are not in the table; the environment draws them.

**Observations.** A player's GameCWM observation is first turned into plain JSON data (`plain`):
tuples become lists, sets lists sorted by the kernel's canonical text (`gamecwm.games.runtime.
canonical`), dictionary keys that are not strings their canonical text, and values JSON cannot hold
their `repr`. The text form is that data as JSON (sorted keys, no spaces, ASCII only); the vector
form is its numbers in canonical order (`observation_numbers`). These are encodings for agents:
whether two values are equal is the kernel's question, never answered here.

Everything here runs inside sandbox workers too, so it imports nothing beyond the protocol and the kernel.
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from gamecwm.games.runtime import canonical

SHAPE_ATTRIBUTE = "OBSERVATION_SHAPE"
MAX_DEPTH = 60
MAX_VECTOR_SIZE = 1_000_000


class ActionTableError(ValueError):
    """A turn where no legal action is in the action table, or an action table that cannot be built."""


class ObservationEncodingError(ValueError):
    """An observation that does not fit the declared encoding (too long, wrong size, not numbers)."""


def plain(value: Any, _depth: int = 0) -> Any:
    """`value` as plain JSON data: the canonical structure of a GameCWM value."""
    if _depth > MAX_DEPTH:
        raise ObservationEncodingError(f"value nested deeper than {MAX_DEPTH} levels")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int.__int__(value)
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, dict):
        return {(str.__str__(key) if isinstance(key, str) else _key_text(key)): plain(item, _depth + 1)
                for key, item in dict.items(value)}
    if isinstance(value, (list, tuple)):
        return [plain(item, _depth + 1) for item in value]
    if isinstance(value, (set, frozenset)):
        return [plain(item, _depth + 1) for item in sorted(value, key=_key_text)]
    return repr(value)


def _key_text(value: Any) -> str:
    """The kernel's canonical text of a dict key or set member (equal values, equal text)."""
    try:
        return canonical(value)
    except ValueError as exc:
        raise ObservationEncodingError(str(exc)) from None


def observation_text(observation: Any, max_length: int) -> str:
    """The text form of a plain observation; ObservationEncodingError when it exceeds `max_length`."""
    text = json.dumps(observation, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=repr)
    if len(text) > max_length:
        raise ObservationEncodingError(
            f"an observation's text has {len(text)} characters, more than max_text_length={max_length}")
    return text


def _numbers(value: Any, path: str) -> Iterator[float]:
    if value is None:
        yield 0.0
    elif isinstance(value, bool):
        yield 1.0 if value else 0.0
    elif isinstance(value, (int, float)):
        yield float(value)
    elif isinstance(value, dict):
        for key in sorted(value):
            yield from _numbers(value[key], f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _numbers(item, f"{path}[{index}]")
    else:
        raise ObservationEncodingError(f"observation{path} is {value!r}, not a number (give an observation_encoder)")


def observation_numbers(observation: Any) -> list[float]:
    """Every number of a plain observation in canonical order (dict keys sorted, lists in order).

    Booleans count as 0/1 and `None` as 0; a string anywhere raises ObservationEncodingError.
    """
    return list(_numbers(observation, ""))


def check_shape(shape: Any) -> tuple[int, ...]:
    """A declared observation shape as a tuple of positive ints; ObservationEncodingError otherwise."""
    if isinstance(shape, int) and not isinstance(shape, bool):
        shape = [shape]
    if not isinstance(shape, (list, tuple)) or not shape:
        raise ObservationEncodingError(f"an observation shape must be a non-empty tuple of ints, not {shape!r}")
    if not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in shape):
        raise ObservationEncodingError(f"an observation shape must hold positive ints, not {shape!r}")
    if math.prod(shape) > MAX_VECTOR_SIZE:
        raise ObservationEncodingError(f"an observation shape of more than {MAX_VECTOR_SIZE} numbers: {shape!r}")
    return tuple(int(n) for n in shape)


def check_vector(values: Sequence[float], shape: tuple[int, ...]) -> list[float]:
    """`values` as a list of finite floats of exactly the shape's size; ObservationEncodingError otherwise."""
    size = math.prod(shape)
    numbers = [float(v) for v in values]
    if len(numbers) != size:
        raise ObservationEncodingError(f"an observation has {len(numbers)} numbers; its declared shape {shape} holds {size}")
    if not all(math.isfinite(v) for v in numbers):
        raise ObservationEncodingError("an observation holds a number that is not finite")
    return numbers


@dataclass(frozen=True)
class ActionTable:
    """The action strings of a game, numbered, plus `overflow` slots for strings outside the table.

    Index i < len(actions) is always `actions[i]`. At a turn, each legal action outside the table
    takes overflow slot `crc32(action) % overflow` (the next free one when taken, strings in sorted
    order), so an overflow index names a different action from turn to turn, fixed by the legal set
    alone. `complete` is true when exploration exhausted the game.
    """

    actions: tuple[str, ...]
    complete: bool
    overflow: int = 0
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.actions and not self.overflow:
            raise ActionTableError("the action table is empty: exploration met no player action")
        if len(set(self.actions)) != len(self.actions):
            raise ActionTableError("the action table holds an action string twice")
        if self.overflow < 0:
            raise ActionTableError("overflow slots cannot be negative")
        object.__setattr__(self, "_index", {action: i for i, action in enumerate(self.actions)})

    @property
    def size(self) -> int:
        """The number of indices: table entries plus overflow slots."""
        return len(self.actions) + self.overflow

    def index(self, action: str) -> int | None:
        """The fixed index of an action string, or None when it is not in the table."""
        return self._index.get(action)

    def assign(self, legal: Sequence[str]) -> tuple[dict[int, str], int]:
        """The indices of a turn's legal actions, and how many got none (the overflow slots were full)."""
        assigned: dict[int, str] = {}
        unknown = []
        for action in legal:
            index = self._index.get(action)
            if index is None:
                unknown.append(action)
            else:
                assigned[index] = action
        dropped = 0
        base = len(self.actions)
        free = self.overflow
        for action in sorted(unknown):
            if not free:
                dropped += 1
                continue
            slot = zlib.crc32(action.encode("utf-8", "surrogatepass")) % self.overflow
            while base + slot in assigned:
                slot = (slot + 1) % self.overflow
            assigned[base + slot] = action
            free -= 1
        return assigned, dropped

    @classmethod
    def from_actions(cls, actions: Sequence[str], complete: bool = False, overflow: int = 0) -> ActionTable:
        """A table of the given strings, sorted; no overflow slots when the table is complete."""
        if not all(isinstance(a, str) for a in actions):
            raise ActionTableError("action strings must be strings")
        return cls(tuple(sorted(set(actions))), complete, 0 if complete else overflow)
