"""Length-prefixed JSON framing between the trusted parent and the sandboxed worker.

Every message is a 4-byte big-endian length followed by that many bytes of UTF-8 JSON. Nothing but
JSON crosses the boundary (never pickle), every frame has a size cap, and the reader is incremental
so that the parent can read from a non-blocking socket without ever buffering more than one capped
frame. `to_plain` converts the values a candidate returns into plain JSON data defensively.
"""

from __future__ import annotations

import json
import socket
import struct
from typing import Any

from gamecwm.games.runtime import BUILTIN_DATA_TYPES, exact_builtin

HEADER = struct.Struct(">I")
MAX_DEPTH = 64
MAX_INT_DIGITS = 4000
_MAX_INT_BITS = int(MAX_INT_DIGITS * 3.33)
# Bound at import (before any candidate runs), so that a candidate replacing json.dumps/json.loads
# changes neither what the worker sends nor how it is read; replacing these is detected separately.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=True)
_DECODER = json.JSONDecoder()


class WireError(Exception):
    """A frame that breaks the protocol: too large, not JSON, or of the wrong shape."""


class ConversionError(ValueError):
    """A value that cannot be converted to plain JSON data."""


def encode_frame(obj: Any, max_bytes: int) -> bytes:
    """Serialize one JSON message as a length-prefixed frame; WireError when it exceeds max_bytes."""
    data = _ENCODER.encode(obj).encode("utf-8")
    if len(data) > max_bytes:
        raise WireError(f"frame of {len(data)} bytes exceeds the limit of {max_bytes} bytes")
    return HEADER.pack(len(data)) + data


def send_frame(sock: socket.socket, obj: Any, max_bytes: int) -> None:
    """Send one frame on a blocking socket."""
    sock.sendall(encode_frame(obj, max_bytes))


def recv_exact(sock: socket.socket, count: int) -> bytes:
    """Read exactly `count` bytes from a blocking socket; WireError on end of stream."""
    chunks = bytearray()
    while len(chunks) < count:
        chunk = sock.recv(min(count - len(chunks), 1 << 20))
        if not chunk:
            raise WireError("connection closed in the middle of a frame")
        chunks += chunk
    return bytes(chunks)


def recv_frame(sock: socket.socket, max_bytes: int) -> Any:
    """Read one frame from a blocking socket and decode it."""
    (length,) = HEADER.unpack(recv_exact(sock, HEADER.size))
    if length > max_bytes:
        raise WireError(f"frame of {length} bytes exceeds the limit of {max_bytes} bytes")
    return decode_payload(recv_exact(sock, length))


def decode_payload(data: bytes) -> Any:
    """Decode the JSON body of a frame; WireError when it is not valid UTF-8 JSON."""
    try:
        return _DECODER.decode(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise WireError(f"frame is not valid JSON: {exc}") from None


class FrameReader:
    """Incremental frame decoder for bytes arriving in arbitrary pieces.

    `feed` returns the complete messages decoded so far; a frame that announces more than
    `max_bytes` raises WireError before its body is buffered, so memory stays bounded.
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._buffer = bytearray()
        self._need: int | None = None

    @property
    def pending(self) -> bool:
        """True while a partial frame is buffered."""
        return bool(self._buffer) or self._need is not None

    def feed(self, data: bytes) -> list[Any]:
        """Add received bytes; return the messages completed by them, in order."""
        self._buffer += data
        messages = []
        while True:
            if self._need is None:
                if len(self._buffer) < HEADER.size:
                    break
                (length,) = HEADER.unpack_from(self._buffer)
                if length > self.max_bytes:
                    raise WireError(f"frame of {length} bytes exceeds the limit of {self.max_bytes} bytes")
                del self._buffer[: HEADER.size]
                self._need = length
            if len(self._buffer) < self._need:
                break
            body = bytes(self._buffer[: self._need])
            del self._buffer[: self._need]
            self._need = None
            messages.append(decode_payload(body))
        return messages


def to_plain(value: Any, _depth: int = 0) -> Any:
    """Convert a value to plain JSON data (None, bool, int, float, str, list, dict with str keys).

    Subclasses of the builtin types are converted to the exact builtin type (their overridden
    methods are not trusted to behave); tuples become lists. Anything else, dict keys that are not
    strings, nesting deeper than MAX_DEPTH and integers with more than MAX_INT_DIGITS digits raise
    ConversionError. Exact builtin scalars take a fast path (this runs over every trace).
    """
    kind = type(value)
    if kind is str or kind is float or kind is bool or value is None:
        return value
    if kind is int:
        if value.bit_length() > _MAX_INT_BITS:
            raise ConversionError("integer too large to cross the sandbox boundary")
        return value
    if _depth >= MAX_DEPTH:
        raise ConversionError(f"value nested deeper than {MAX_DEPTH} levels")
    if kind is list or kind is tuple:
        items = list.__iter__(value) if kind is list else tuple.__iter__(value)
        result = []
        append = result.append
        for item in items:
            item_kind = type(item)
            if item_kind is str or item_kind is float or item_kind is bool or item is None:
                append(item)
            else:
                append(to_plain(item, _depth + 1))
        return result
    if kind is dict:
        converted = {}
        for key, item in dict.items(value):
            if type(key) is not str:
                if not isinstance(key, str):
                    raise ConversionError(f"dict key {type(key).__name__} is not a string")
                key = str.__str__(key)
            converted[key] = to_plain(item, _depth + 1)
        return converted
    return _subclass_to_plain(value, _depth)


def _subclass_to_plain(value: Any, depth: int) -> Any:
    """The slow path of to_plain: subclasses of the builtin types, or values that are not data."""
    if not isinstance(value, BUILTIN_DATA_TYPES):
        raise ConversionError(f"value of type {type(value).__name__} is not plain JSON data")
    return to_plain(exact_builtin(value), depth)
