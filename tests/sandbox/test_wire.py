"""Framing, size caps and the conversion of candidate values to plain data."""

from __future__ import annotations

import math

import pytest

from gamecwm.sandbox.isolation import Isolation, level_string
from gamecwm.sandbox.limits import Limits
from gamecwm.sandbox.wire import ConversionError, FrameReader, WireError, encode_frame, to_plain


def test_frames_round_trip_in_arbitrary_pieces():
    messages = [{"t": "result", "value": [1, 2.5, "x", None, True]}, {"t": "done"}, "ü" * 10]
    data = b"".join(encode_frame(m, 1024) for m in messages)
    reader = FrameReader(1024)
    received = []
    for i in range(len(data)):
        received += reader.feed(data[i : i + 1])
    assert received == messages and not reader.pending


def test_oversized_frames_are_refused_before_buffering():
    with pytest.raises(WireError):
        encode_frame("x" * 100, 50)
    reader = FrameReader(50)
    with pytest.raises(WireError):
        reader.feed((10**9).to_bytes(4, "big"))


def test_garbage_is_a_wire_error():
    reader = FrameReader(100)
    with pytest.raises(WireError):
        reader.feed((3).to_bytes(4, "big") + b"\xff\xfe{")


def test_to_plain():
    class S(str):
        def __eq__(self, other):
            return True

        __hash__ = str.__hash__

    class I(int):
        pass

    value = to_plain({"a": (1, 2.0, [S("x")]), "b": I(3), "c": None, "d": False, "e": math.inf})
    assert value == {"a": [1, 2.0, ["x"]], "b": 3, "c": None, "d": False, "e": math.inf}
    assert type(value["a"][2][0]) is str and type(value["b"]) is int
    for bad in ({1: "x"}, {"x"}, object(), b"bytes", 10**5000):
        with pytest.raises(ConversionError):
            to_plain(bad)
    deep: list = []
    for _ in range(200):
        deep = [deep]
    with pytest.raises(ConversionError):
        to_plain(deep)
    cyclic: list = []
    cyclic.append(cyclic)
    with pytest.raises(ConversionError):
        to_plain(cyclic)


def test_levels_and_limits():
    assert level_string(["rlimits"]) == "rlimits-only"
    assert Isolation(True, True, 7).level == "bubblewrap+seccomp+landlock+rlimits"
    assert Isolation(True, True, 7).without(["seccomp"]).level == "bubblewrap+landlock+rlimits"
    with pytest.raises(ValueError):
        Isolation(True, True, 7).without(["nonsense"])
    assert Limits.from_json(Limits().to_json()) == Limits()
    with pytest.raises(ValueError):
        Limits(memory_mb=1)
