"""Gymnasium spaces of a GameCWM environment and the encoder that fills them.

An observation is a dict `{"observation": ..., "action_mask": int8 array over the action table}`;
"observation" is the text form or the vector form of `gamecwm.envs.encoding`. The text form travels
as a uint8 array of `max_text_length` ASCII codes, zero-padded (PettingZoo's and Gymnasium's checks
expect arrays with a dtype); `decode_text` gives the string back. The vector form is a float32 `Box`
of the declared shape.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from gymnasium import spaces

from gamecwm.envs.encoding import (
    ObservationEncodingError,
    check_shape,
    check_vector,
    observation_numbers,
    observation_text,
)


class ObservationEncoder:
    """Turns a player's plain observation into the environment's "observation" entry."""

    def __init__(self, form: str, shape: Any = None, encoder: Callable[[Any], Sequence[float]] | None = None,
                 max_text_length: int = 8_192):
        """`form` "text", "vector" or "auto"; `shape` the declared shape (needed for vectors)."""
        self.shape = None if shape is None else check_shape(shape)
        if form == "auto":
            form = "text" if self.shape is None else "vector"
        if form == "vector" and self.shape is None:
            raise ObservationEncodingError("the vector form needs an observation shape (EnvConfig.observation_shape "
                                           "or the game's OBSERVATION_SHAPE)")
        self.form = form
        self.encoder = encoder or observation_numbers
        self.max_text_length = max_text_length
        if form == "text":
            self.space: spaces.Space = spaces.Box(low=0, high=127, shape=(max_text_length,), dtype=np.uint8)
        else:
            self.space = spaces.Box(low=-np.inf, high=np.inf, shape=self.shape, dtype=np.float32)

    def encode(self, observation: Any) -> np.ndarray:
        """The encoded observation (a new array on every call)."""
        if self.form == "text":
            codes = observation_text(observation, self.max_text_length).encode("ascii")
            array = np.zeros(self.max_text_length, dtype=np.uint8)
            array[: len(codes)] = np.frombuffer(codes, dtype=np.uint8)
            return array
        assert self.shape is not None
        values = check_vector(self.encoder(observation), self.shape)
        return np.asarray(values, dtype=np.float32).reshape(self.shape)


def decode_text(array: np.ndarray) -> str:
    """The string of a text-form observation array (its ASCII codes up to the zero padding)."""
    codes = np.asarray(array, dtype=np.uint8).tobytes()
    return codes.split(b"\0", 1)[0].decode("ascii")


def observation_space(encoder: ObservationEncoder, actions: int) -> spaces.Dict:
    """The Dict space of an observation with its action mask over `actions` table entries."""
    return spaces.Dict({
        "observation": encoder.space,
        "action_mask": spaces.Box(low=0, high=1, shape=(actions,), dtype=np.int8),
    })
