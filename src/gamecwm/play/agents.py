"""Agents that play a true game, and the agent specs of the command line.

A spec is `kind[:key=value,...]`:

| kind | plays | keys |
| --- | --- | --- |
| `random` | a uniformly random legal action of the true game | none |
| `mcts` | UCT search on the full state (perfect-information games) | `sims`, `c`, `rollouts`, `max_rollout` |
| `ismcts` | information-set MCTS (imperfect-information games) | `sims`, `c`, `rollouts`, `max_rollout` |

`sims` is the number of simulations per decision (default 200), `c` the UCT exploration constant
(default 1.4), `rollouts` the random rollouts per leaf (default 1), `max_rollout` the length after
which a rollout stops (default 10000). Examples: `mcts:sims=500,c=1.4`, `ismcts:sims=200`, `random`.

A planning agent plans with a GameCWM: the game's reference in this process by default, or an
untrusted model (source code) inside the sandbox (`gamecwm.play.remote`). It sees the true game
only as the history of actions played; it is not told the true legal actions, so a wrong model can
make it choose an illegal one (the arena counts and resolves those).
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

from gamecwm.games.registry import get_game, load_reference
from gamecwm.games.runtime import pick, replay
from gamecwm.play.mcts import DEFAULT_EXPLORATION, DEFAULT_MAX_ROLLOUT_STEPS, DEFAULT_SIMULATIONS, SearchConfig
from gamecwm.play.planner import decide
from gamecwm.protocol import Action, State

if TYPE_CHECKING:
    from gamecwm.sandbox import Limits, SandboxPool

AGENT_KINDS = ("random", "mcts", "ismcts")
_KEYS = {"sims": "simulations", "simulations": "simulations", "c": "exploration", "exploration": "exploration",
         "rollouts": "rollouts", "max_rollout": "max_rollout_steps", "max_rollout_steps": "max_rollout_steps"}


class AgentSpecError(ValueError):
    """An agent spec that cannot be parsed or does not fit the game."""


@dataclass(frozen=True)
class AgentSpec:
    """A parsed agent spec: the kind, the search settings (planners only) and the original text."""

    kind: str
    config: SearchConfig
    text: str

    @property
    def plans(self) -> bool:
        """True for the planning kinds (they plan with a GameCWM)."""
        return self.kind != "random"


def parse_agent_spec(text: str) -> AgentSpec:
    """Parse `kind[:key=value,...]`; raises AgentSpecError naming what is wrong."""
    kind, _, rest = text.strip().partition(":")
    kind = kind.strip().lower()
    if kind not in AGENT_KINDS:
        raise AgentSpecError(f"unknown agent {kind!r} in {text!r}; expected one of {', '.join(AGENT_KINDS)}")
    values: dict[str, int | float] = {}
    if rest.strip():
        if kind == "random":
            raise AgentSpecError(f"agent 'random' takes no parameters (got {rest!r})")
        for item in rest.split(","):
            key, sep, value = item.partition("=")
            key = key.strip().lower()
            if not sep or not key:
                raise AgentSpecError(f"parameter {item!r} in {text!r} is not key=value")
            field = _KEYS.get(key)
            if field is None:
                raise AgentSpecError(f"unknown parameter {key!r} in {text!r}; expected sims, c, rollouts or max_rollout")
            if field in values:
                raise AgentSpecError(f"parameter {key!r} given twice in {text!r}")
            values[field] = _number(field, value.strip(), text)
    defaults = {"simulations": DEFAULT_SIMULATIONS, "exploration": DEFAULT_EXPLORATION, "rollouts": 1,
                "max_rollout_steps": DEFAULT_MAX_ROLLOUT_STEPS}
    defaults.update(values)
    try:
        config = SearchConfig(**defaults)  # type: ignore[arg-type]
    except ValueError as exc:
        raise AgentSpecError(f"{text!r}: {exc}") from None
    return AgentSpec(kind, config, text.strip())


def _number(field: str, value: str, text: str) -> int | float:
    try:
        return float(value) if field == "exploration" else int(value)
    except ValueError:
        kind = "a number" if field == "exploration" else "an integer"
        raise AgentSpecError(f"{field} must be {kind} in {text!r} (got {value!r})") from None


class Agent(ABC):
    """A player in the arena: chooses an action from the true game's action history."""

    spec: str

    def new_game(self, seed: int) -> None:
        """Reset for a new game; `seed` seeds this game's random choices."""

    @abstractmethod
    def choose(self, history: list[Action], player: int, legal: list[Action]) -> Action | None:
        """The action for `player` after `history`; `legal` is the true game's legal set.

        Planning agents ignore `legal` (they know the game only through their model). `None` means
        no choice (the planner failed); the arena treats it as an illegal move.
        """

    def close(self) -> None:
        """Release resources (sandbox workers)."""


class RandomAgent(Agent):
    """Plays a uniformly random legal action of the true game."""

    def __init__(self, spec: str = "random"):
        """An agent shown as `spec`."""
        self.spec = spec
        self.rng = random.Random(0)

    def new_game(self, seed: int) -> None:
        """Reseed for a new game."""
        self.rng = random.Random(seed)

    def choose(self, history: list[Action], player: int, legal: list[Action]) -> Action | None:
        """A uniformly random element of `legal`."""
        return pick(legal, self.rng.random())


class SearchAgent(Agent):
    """What every planning agent holds: its spec's kind and search settings, and a seeded stream of search seeds."""

    def __init__(self, spec: AgentSpec):
        """Plan as `spec` (a planning kind) says."""
        if not spec.plans:
            raise AgentSpecError("a planning agent needs the mcts or ismcts kind")
        self.spec = spec.text
        self.kind = spec.kind
        self.config = spec.config
        self.rng = random.Random(0)
        self.last_error: str | None = None

    def new_game(self, seed: int) -> None:
        """Reseed for a new game."""
        self.rng = random.Random(seed)


class PlanningAgent(SearchAgent):
    """MCTS or ISMCTS planning in this process with a trusted GameCWM module (a reference)."""

    def __init__(self, spec: AgentSpec, model: ModuleType):
        """Plan as `spec` says with `model`."""
        super().__init__(spec)
        self.model = model
        self._cache: tuple[list[Action], State] | None = None

    def new_game(self, seed: int) -> None:
        """Reseed and forget the previous game's replay."""
        super().new_game(seed)
        self._cache = None

    def choose(self, history: list[Action], player: int, legal: list[Action]) -> Action | None:
        """Plan with the model; `None` (with `last_error` set) when the model fails."""
        seed = self.rng.getrandbits(32)
        try:
            state = None
            if self.kind == "mcts":
                state = replay(self.model, history, self._cache)
                self._cache = (list(history), state)
            return decide(self.model, self.kind, history, player, self.config, seed, state=state)
        except Exception as exc:  # noqa: BLE001 - a planner failure is an illegal move, not a crash
            self.last_error = f"{type(exc).__name__}: {exc}"
            return None


def check_spec_fits(spec: AgentSpec, game: str) -> None:
    """Raise AgentSpecError when the planner kind does not suit the game's information kind.

    MCTS sees the whole state, which in a hidden-information game would be cheating; ISMCTS needs
    `resample_history`, which only imperfect-information games define.
    """
    info = get_game(game)
    if spec.kind == "mcts" and info.imperfect_information:
        raise AgentSpecError(f"{game} has hidden information: use ismcts, not mcts (which sees the whole state)")
    if spec.kind == "ismcts" and not info.imperfect_information:
        raise AgentSpecError(f"{game} has perfect information (no resample_history): use mcts, not ismcts")


def build_agent(spec: str | AgentSpec, game: str, model_code: str | None = None, pool: "SandboxPool | None" = None,
                limits: "Limits | None" = None) -> Agent:
    """An agent for `game` from its spec.

    A planner plans with the game's reference unless `model_code` (an untrusted GameCWM's source)
    is given; then it plans inside the sandbox through `pool` (required in that case).
    """
    parsed = spec if isinstance(spec, AgentSpec) else parse_agent_spec(spec)
    if not parsed.plans:
        if model_code is not None:
            raise AgentSpecError("agent 'random' does not plan, so it takes no model")
        return RandomAgent(parsed.text)
    check_spec_fits(parsed, game)
    if model_code is None:
        return PlanningAgent(parsed, load_reference(game))
    if pool is None:
        raise ValueError("planning with an untrusted model needs a SandboxPool")
    from gamecwm.play.remote import RemotePlanningAgent

    return RemotePlanningAgent(parsed, model_code, pool, limits, game=game)
