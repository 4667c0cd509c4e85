"""Planning with an untrusted GameCWM: one sandbox run per decision.

Each decision sends the model's source and one task, `gamecwm.play.drivers:choose_action`, to a fresh
worker of a `SandboxPool`, with only what the deciding player may know: the true game's action history
for MCTS (perfect information: nothing is hidden), and for ISMCTS the player's own (observation,
action) view, built here from the true game (the hidden cards never reach the model's process). The
worker searches with the model and returns the chosen action. Anything else (a timeout, a crash, an
import error, a non-string action) is no choice, which the arena counts as an illegal move. A
failure of the sandbox itself says nothing about the model and raises `PlanningInfrastructureError`.
"""

from __future__ import annotations

from gamecwm.games import load_reference
from gamecwm.games.information import player_view
from gamecwm.games.runtime import to_tagged
from gamecwm.play.agents import AgentSpec, AgentSpecError, SearchAgent
from gamecwm.protocol import Action
from gamecwm.sandbox import Limits, SandboxPool, Task

DRIVER = "gamecwm.play.drivers:choose_action"
DEFAULT_DECISION_LIMITS = Limits(wall_s=30.0, cpu_s=30.0, memory_mb=1024)


class PlanningInfrastructureError(RuntimeError):
    """The sandbox failed while running a decision (not the model's fault)."""


class RemotePlanningAgent(SearchAgent):
    """MCTS or ISMCTS planning with an untrusted model's source, each decision in a sandbox worker."""

    def __init__(self, spec: AgentSpec, code: str, pool: SandboxPool, limits: Limits | None = None,
                 game: str | None = None):
        """Plan as `spec` says with the model `code`, running decisions through `pool` under `limits`.

        ISMCTS needs `game`, the true game whose reference builds the deciding player's view.
        """
        super().__init__(spec)
        self.code = code
        self.pool = pool
        self.limits = limits or DEFAULT_DECISION_LIMITS
        if self.kind == "ismcts" and game is None:
            raise AgentSpecError("ismcts planning with a model needs the game, to show the model only a player's view")
        self.true_game = load_reference(game) if self.kind == "ismcts" and game is not None else None
        self.decisions = 0
        self.failures = 0

    def task(self, history: list[Action], player: int, seed: int) -> Task:
        """The sandbox task for one decision: the history (MCTS) or the player's view of it (ISMCTS)."""
        config = self.config
        known: dict = {"history": list(history)}
        if self.true_game is not None:
            known = {"view": to_tagged([list(pair) for pair in player_view(self.true_game, history, player)])}
        return Task(DRIVER, {
            "kind": self.kind, **known, "player": player, "simulations": config.simulations,
            "exploration": config.exploration, "rollouts": config.rollouts,
            "max_rollout_steps": config.max_rollout_steps, "seed": seed,
        })

    def choose(self, history: list[Action], player: int, legal: list[Action]) -> Action | None:
        """Run one decision in the sandbox; `None` (with `last_error` set) when it yields no action.

        Raises PlanningInfrastructureError when the sandbox itself failed.
        """
        seed = self.rng.getrandbits(32)
        self.decisions += 1
        result = self.pool.run(self.code, [self.task(history, player, seed)], self.limits)
        error: str | None
        action: Action | None = None
        if result.infrastructure_failure:
            raise PlanningInfrastructureError(f"infrastructure: {result.detail}")
        if not result.ok:
            error = f"{result.status}: {result.detail}"
        elif not result.task_results or not result.task_results[0].ok:
            error = result.task_results[0].error if result.task_results else "no task result"
        else:
            value = result.task_results[0].value
            action = value.get("action") if isinstance(value, dict) else None
            error = None if isinstance(action, str) else str(value.get("error") if isinstance(value, dict) else value)
            if not isinstance(action, str):
                action = None
        if action is None:
            self.failures += 1
            self.last_error = error
        return action
