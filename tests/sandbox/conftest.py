"""Fixtures: one warm pool per isolation mode, shared by the sandbox tests."""

from __future__ import annotations

import os

import pytest

from gamecwm.sandbox import FULL_LEVEL, SandboxPool, allow_weak_isolation, isolation_level
from tests.sandbox.helpers import FAST

# "strongest": whatever this machine offers; "no-bubblewrap": the fallback used where bubblewrap is
# missing (seccomp + Landlock + rlimits where available); "rlimits-only": the weakest fallback.
MODES = {"strongest": (), "no-bubblewrap": ("bubblewrap",), "rlimits-only": ("bubblewrap", "seccomp", "landlock")}


@pytest.fixture(scope="session", autouse=True)
def weak_isolation_outside_ci():
    """Where the full level is missing (a machine without bubblewrap), run the suite at the level
    there is rather than refusing; in CI the full level is required (test_isolation_policy)."""
    if isolation_level() != FULL_LEVEL and os.environ.get("CI") != "true":
        allow_weak_isolation(True)
    yield
    allow_weak_isolation(False)


@pytest.fixture(scope="session")
def pools():
    """Lazily created pools keyed by mode name, closed at the end of the session."""
    created: dict[str, SandboxPool] = {}

    def get(mode: str) -> SandboxPool:
        if mode not in created:
            created[mode] = SandboxPool(workers=2, limits=FAST, disable=MODES[mode], allow_weak=True)
        return created[mode]

    yield get
    for pool in created.values():
        pool.close()


@pytest.fixture(params=["strongest", "no-bubblewrap"])
def contained(request, pools):
    """A pool in a mode that contains every attack class (skipped where the kernel lacks the layers)."""
    pool = pools(request.param)
    if not (pool.isolation.bubblewrap or (pool.isolation.seccomp and pool.isolation.landlock)):
        pytest.skip(f"{request.param}: needs bubblewrap, or seccomp and Landlock, on this machine")
    return pool


@pytest.fixture(params=list(MODES))
def any_pool(request, pools):
    """A pool in every mode, including rlimits-only (for the guarantees every level gives)."""
    return pools(request.param)


@pytest.fixture
def strongest(pools):
    """The pool with the strongest isolation this machine offers."""
    return pools("strongest")

