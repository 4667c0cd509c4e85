"""Fixtures: a sandbox pool for the environments of generated programs, and program sources."""

from __future__ import annotations

import pytest

from gamecwm.games.registry import get_game
from gamecwm.sandbox import SandboxPool


def program(game: str, extra: str = "") -> str:
    """A dataset reference's source as an untrusted program (run in the sandbox), with `extra` appended."""
    return get_game(game).reference_path.read_text() + extra


@pytest.fixture(scope="session")
def env_pool():
    """One warm sandbox pool shared by the environment tests."""
    pool = SandboxPool(workers=2)
    yield pool
    pool.close()
