"""Helpers for verifier tests: reference sources and patched (subtly wrong) references."""

from __future__ import annotations

from gamecwm.games import get_game
from gamecwm.verify.calibration import NON_PLAYING_STUBS, OVER_AT_THE_START  # noqa: F401


def reference_source(game: str) -> str:
    """The reference implementation's source text."""
    return get_game(game).reference_path.read_text()


def patched_reference(game: str, old: str, new: str) -> str:
    """The reference with one exact piece of text replaced (asserting that it occurs)."""
    source = reference_source(game)
    assert old in source, f"{game}: text to patch not found: {old!r}"
    return source.replace(old, new)
