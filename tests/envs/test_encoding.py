"""The action table, its exploration and overflow slots, and the observation encodings."""

from __future__ import annotations

import numpy as np
import pytest

from gamecwm.envs import drivers
from gamecwm.envs.config import EnvConfig, ExploreConfig
from gamecwm.envs.encoding import (
    ActionTable,
    ActionTableError,
    ObservationEncodingError,
    check_shape,
    observation_numbers,
    observation_text,
    plain,
)
from gamecwm.envs.spaces import ObservationEncoder, decode_text
from gamecwm.games.registry import load_reference


def test_plain_makes_canonical_json_data():
    value = {(0, 1): {3, 1, 2}, "b": (1, 2.5, None), "a": [True, "x"], "o": object}
    data = plain(value)
    assert data == {"(0,1)": [1, 2, 3], "b": [1, 2.5, None], "a": [True, "x"], "o": repr(object)}
    assert observation_text(data, 100) == '{"(0,1)":[1,2,3],"a":[true,"x"],"b":[1,2.5,null],"o":"<class \'object\'>"}'
    assert observation_text(plain({"é": "ü"}), 100) == '{"\\u00e9":"\\u00fc"}'
    with pytest.raises(ObservationEncodingError, match="max_text_length"):
        observation_text(list(range(100)), 50)


def test_equal_keys_and_sets_give_one_observation_text():
    # Keys and set members are written as the kernel's canonical text: equal values, equal text.
    first = plain({(0, 1): {1, 9}, 1: "one"})
    second = plain({(0, 1.0): {9, 1}, 1.0: "one"})
    assert observation_text(first, 100) == observation_text(second, 100) == '{"(0,1)":[1,9],"1":"one"}'


def test_observation_numbers_follow_canonical_order():
    assert observation_numbers({"b": [1, 2], "a": {"y": True, "x": None}, "c": 0.5}) == [0.0, 1.0, 1.0, 2.0, 0.5]
    with pytest.raises(ObservationEncodingError, match=r"observation\.board\[1\]"):
        observation_numbers({"board": [0, "x"]})


def test_shapes_are_checked():
    assert check_shape([2, 3]) == (2, 3) and check_shape(4) == (4,)
    for bad in ([], [0], [2, "3"], [True], "6", [10**4, 10**4]):
        with pytest.raises(ObservationEncodingError):
            check_shape(bad)


def test_encoder_forms_and_text_round_trip():
    text = ObservationEncoder("auto", None, max_text_length=64)
    array = text.encode({"card": "K"})
    assert array.dtype == np.uint8 and array.shape == (64,) and array in text.space
    assert decode_text(array) == '{"card":"K"}'
    vector = ObservationEncoder("auto", (2, 2))
    encoded = vector.encode([[1, 2], [3, 4]])
    assert vector.form == "vector" and encoded.shape == (2, 2) and encoded.dtype == np.float32
    with pytest.raises(ObservationEncodingError, match="holds 4"):
        vector.encode([1, 2, 3])
    custom = ObservationEncoder("vector", (3,), encoder=lambda obs: [len(obs["board"]), 0, 1])
    assert custom.encode({"board": "xox"}).tolist() == [3.0, 0.0, 1.0]


def _explore(module, max_states, playouts, max_playout_steps, max_actions, seed, max_length):
    found = drivers.explore(module, max_states=max_states, playouts=playouts, max_playout_steps=max_playout_steps,
                            max_actions=max_actions, seed=seed, max_length=max_length)
    return found["actions"], found["complete"]


def test_exploration_is_exhaustive_on_small_games_and_capped_on_large_ones():
    actions, complete = _explore(load_reference("kuhn_poker"), 10_000, 0, 0, 100, 0, 10)
    assert complete and actions == sorted(actions) and len(actions) == 3
    chess = load_reference("chess")
    actions, complete = _explore(chess, 50, 2, 100, 10_000, 0, 12_700)
    assert not complete and 20 <= len(actions) < 1_000
    assert _explore(chess, 50, 2, 100, 10_000, 0, 12_700) == (actions, complete)  # seeded
    capped, _ = _explore(chess, 10_000, 5, 1_000, 25, 0, 12_700)
    assert len(capped) == 25


def test_overflow_slots_are_fixed_by_the_legal_set():
    table = ActionTable.from_actions(["b", "a"], complete=False, overflow=4)
    assert table.actions == ("a", "b") and table.size == 6
    assigned, dropped = table.assign(["a", "z", "y", "x"])
    assert dropped == 0 and assigned[0] == "a" and sorted(assigned.values()) == ["a", "x", "y", "z"]
    assert all(2 <= i < 6 for i, action in assigned.items() if action != "a")
    assert table.assign(["x", "y", "z", "a"]) == (assigned, 0)
    full, dropped = table.assign(["p", "q", "r", "s", "t", "a"])
    assert dropped == 1 and len(full) == 5
    exact = ActionTable.from_actions(["a"], complete=True, overflow=4)
    assert exact.size == 1 and exact.assign(["a", "new"]) == ({0: "a"}, 1)
    with pytest.raises(ActionTableError):
        ActionTable.from_actions([], complete=True)


def test_configs_refuse_bad_values():
    with pytest.raises(ValueError):
        ExploreConfig(max_states=-1)
    with pytest.raises(ValueError):
        EnvConfig(observation="pixels")
    with pytest.raises(ValueError):
        EnvConfig(overflow_actions=-1)
