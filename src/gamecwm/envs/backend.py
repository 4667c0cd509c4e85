"""Where an environment's game runs: a reference in this process, or an untrusted program in the sandbox.

Both backends answer with the plain data of `gamecwm.envs.drivers`. The in-process backend keeps
the current state and steps it; the sandboxed backend keeps nothing but the history the environment
passes and runs one `gamecwm.envs.drivers:step` task per call in a fresh sandbox worker, so the
program never shares a process with the environment.
"""

from __future__ import annotations

import hashlib
import threading
from abc import ABC, abstractmethod
from types import ModuleType
from typing import Any

from gamecwm.envs import drivers
from gamecwm.envs.config import ExploreConfig
from gamecwm.sandbox import Limits, SandboxPool, Task

STEP_DRIVER = "gamecwm.envs.drivers:step"
EXPLORE_DRIVER = "gamecwm.envs.drivers:explore"
SHAPE_DRIVER = "gamecwm.envs.drivers:declared_shape"


class GameProgramError(RuntimeError):
    """The game program failed: it raised, ran out of time or memory, or returned values of the wrong kind."""


class EnvInfrastructureError(RuntimeError):
    """The sandbox itself failed; this says nothing about the game program."""


class GameBackend(ABC):
    """Runs one game for one environment."""

    key: tuple[str, ...]  # identifies the game program (for caching its exploration)

    @abstractmethod
    def explore(self, config: ExploreConfig, max_length: int) -> dict[str, Any]:
        """The program's action strings and whether they are all of them (`drivers.explore`'s answer)."""

    @abstractmethod
    def declared_shape(self) -> Any:
        """The program's declared observation shape (`OBSERVATION_SHAPE`) as plain data, or None."""

    @abstractmethod
    def begin(self, draws: list[float]) -> dict[str, Any]:
        """Start an episode: settle the initial state's chance nodes with `draws` and describe it."""

    @abstractmethod
    def advance(self, history: list[str], action: str | None, draws: list[float]) -> dict[str, Any]:
        """Apply `action` (None: none) after `history`, settle chance with `draws`, describe the result."""

    def close(self) -> None:
        """Release what the backend holds."""


class LocalBackend(GameBackend):
    """A trusted module (a dataset reference) stepped in this process."""

    def __init__(self, module: ModuleType, name: str):
        """Step `module`; `name` identifies it in caches."""
        self.module = module
        self.key = ("reference", name)
        self._state: Any = None

    def explore(self, config: ExploreConfig, max_length: int) -> dict[str, Any]:
        """Explore the module in this process."""
        return drivers.explore(self.module, max_length=max_length, **config.to_json())

    def declared_shape(self) -> Any:
        """The module's `OBSERVATION_SHAPE`."""
        return drivers.declared_shape(self.module)

    def begin(self, draws: list[float]) -> dict[str, Any]:
        """Start from the initial state."""
        return self._settle(self.module.get_initial_state(), draws)

    def advance(self, history: list[str], action: str | None, draws: list[float]) -> dict[str, Any]:
        """Step the kept state (the history is implied by it)."""
        state = self._state if action is None else self.module.apply_action(self._state, action)
        return self._settle(state, draws)

    def _settle(self, state: Any, draws: list[float]) -> dict[str, Any]:
        state, applied = drivers.settle(self.module, state, draws)
        self._state = state
        return {"chance": applied, **drivers.describe(self.module, state)}


class SandboxBackend(GameBackend):
    """An untrusted program's source, run through a sandbox pool: one worker per call."""

    def __init__(self, source: str, pool: SandboxPool | None, step_limits: Limits, explore_limits: Limits):
        """Run `source` through `pool` (a private one-worker pool when None, closed with the backend)."""
        self.source = source
        self.key = ("program", hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest())
        self._own_pool = pool is None
        self.pool = pool if pool is not None else SandboxPool(workers=1)
        self.step_limits = step_limits
        self.explore_limits = explore_limits

    def _run(self, task: Task, limits: Limits) -> Any:
        result = self.pool.run(self.source, [task], limits)
        if result.infrastructure_failure:
            raise EnvInfrastructureError(f"infrastructure: {result.detail}")
        if not result.ok:
            raise GameProgramError(f"the game program failed ({result.status}): {result.detail}")
        if not result.task_results:
            raise GameProgramError("the game program's worker returned no result")
        outcome = result.task_results[0]
        if not outcome.ok:
            raise GameProgramError(f"the game program failed: {outcome.error}")
        return outcome.value

    def explore(self, config: ExploreConfig, max_length: int) -> dict[str, Any]:
        """Explore the program inside one sandbox run."""
        value = self._run(Task(EXPLORE_DRIVER, {**config.to_json(), "max_length": max_length}), self.explore_limits)
        if not isinstance(value, dict) or not isinstance(value.get("actions"), list) \
                or not isinstance(value.get("complete"), bool):
            raise GameProgramError("the exploration returned no action table")
        return value

    def declared_shape(self) -> Any:
        """The program's `OBSERVATION_SHAPE`, read inside one sandbox run."""
        return self._run(Task(SHAPE_DRIVER), self.step_limits)

    def begin(self, draws: list[float]) -> dict[str, Any]:
        """The initial node, from one sandbox run."""
        return self.advance([], None, draws)

    def advance(self, history: list[str], action: str | None, draws: list[float]) -> dict[str, Any]:
        """One sandbox run that replays `history` and steps."""
        value = self._run(Task(STEP_DRIVER, {"history": list(history), "action": action, "draws": list(draws)}),
                          self.step_limits)
        if not isinstance(value, dict):
            raise GameProgramError("the game program's step returned no description")
        return value

    def close(self) -> None:
        """Close the private pool, if this backend made one."""
        if self._own_pool:
            self.pool.close()


_explorations: dict[tuple[Any, ...], dict[str, Any]] = {}
_explorations_lock = threading.Lock()


def cached_exploration(backend: GameBackend, config: ExploreConfig, max_length: int) -> dict[str, Any]:
    """`backend.explore`, computed once per program, caps and length bound in this process."""
    key = (*backend.key, tuple(sorted(config.to_json().items())), max_length)
    with _explorations_lock:
        found = _explorations.get(key)
    if found is None:
        found = backend.explore(config, max_length)
        with _explorations_lock:
            _explorations[key] = found
    return found
