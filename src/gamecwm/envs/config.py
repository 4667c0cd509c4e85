"""Settings of the environments: how the action table is explored and how episodes are run."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from gamecwm.sandbox import Limits
from gamecwm.validation import require_minimums

OBSERVATION_FORMS = ("auto", "text", "vector")

# One sandbox run per environment step replays the episode's history; exploring the action table is
# one longer run per program.
STEP_LIMITS = Limits(wall_s=10.0, cpu_s=10.0, memory_mb=512)
EXPLORE_LIMITS = Limits(wall_s=60.0, cpu_s=60.0, memory_mb=1024)


@dataclass(frozen=True)
class ExploreConfig:
    """Caps on the exploration that collects a game's action strings into its action table.

    A breadth-first search over distinct states from the initial state generates at most
    `max_states` states; when it does not exhaust the game, `playouts` seeded random playouts
    (chance by its probabilities) follow, each at most the game's length bound, together at most
    `max_playout_steps` actions. Exploration also stops once `max_actions` action strings are known.
    """

    max_states: int = 10_000
    playouts: int = 100
    max_playout_steps: int = 10_000
    max_actions: int = 10_000
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("max_states", "playouts", "max_playout_steps", "max_actions", "seed"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"ExploreConfig.{name} must be a non-negative integer")
        if self.max_actions < 1:
            raise ValueError("ExploreConfig.max_actions must be at least 1")

    def to_json(self) -> dict[str, int]:
        """The caps as plain data (the sandbox driver's arguments)."""
        return {"max_states": self.max_states, "playouts": self.playouts,
                "max_playout_steps": self.max_playout_steps, "max_actions": self.max_actions, "seed": self.seed}


@dataclass(frozen=True)
class EnvConfig:
    """Settings of one environment.

    `observation` picks the observation form: "text" (the canonical JSON of the player's
    observation as `max_text_length` zero-padded ASCII codes), "vector" (its numbers as a float32 array of a declared shape) or "auto" (vector
    when a shape is declared, else text). The shape is `observation_shape`, else the game module's
    `OBSERVATION_SHAPE`; `observation_encoder` (trusted code, run in this process on the plain
    observation) maps an observation to its numbers when the default, every number of the
    observation in canonical order, does not fit. `actions` gives the action table outright instead
    of exploring. An episode is truncated after `max_steps` actions (chance included; default the
    game's length bound). Chance nodes are resolved with up to `chance_draws` draws per sandbox run.
    """

    explore: ExploreConfig = field(default_factory=ExploreConfig)
    actions: Sequence[str] | None = None
    overflow_actions: int = 32
    observation: str = "auto"
    observation_shape: tuple[int, ...] | None = None
    observation_encoder: Callable[[Any], Sequence[float]] | None = None
    max_text_length: int = 8_192
    max_steps: int | None = None
    chance_draws: int = 64
    step_limits: Limits = STEP_LIMITS
    explore_limits: Limits = EXPLORE_LIMITS

    def __post_init__(self) -> None:
        if self.observation not in OBSERVATION_FORMS:
            raise ValueError(f"EnvConfig.observation must be one of {', '.join(OBSERVATION_FORMS)}")
        require_minimums(self, {"max_text_length": 16, "max_steps": 1, "overflow_actions": 0, "chance_draws": 1})
