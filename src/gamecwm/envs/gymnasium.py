"""One seat of a GameCWM as a single-agent Gymnasium environment, against a given opponent policy.

The learner plays `seat` (0 or 1) of the PettingZoo environment (`gamecwm.envs.pettingzoo`); the
opponent plays the other seat, its moves made inside `reset` and `step` until the learner is to move
again or the game ends. Spaces are the AEC environment's: `Discrete` over the action table and a dict
observation with the learner's action mask. A step's reward is the learner's reward over its own
move and the opponent's replies (plus, on the first step, what it earned before its first turn).

* **Opponent**: an agent spec (`random`, `mcts[:sims=...]` for perfect-information games,
  `ismcts[:...]` for hidden-information ones; `gamecwm.play.agents`) or any `gamecwm.play.agents.Agent`.
  A planner plans with the game the environment plays: the reference in this process, or the
  generated program in the sandbox. An opponent choice that is not legal (or none, when its planner
  failed) is replaced by a uniformly random legal action.
* **Illegal learner actions** (outside the mask): with `illegal_action="lose"` (default) the episode
  ends there (`terminated`) with reward `illegal_reward`; with "random" a uniformly random legal
  action is played instead. `info["illegal_action"]` says which steps were illegal.
* **Games without a decision**: a game that ends before the learner's first turn (the opponent
  folding at once, say) holds nothing to learn from; `reset` starts another one and counts it in
  `skipped_games`.
* **Seeding**: `reset(seed=...)` seeds the chance draws, the opponent and the replacements.
"""

from __future__ import annotations

from typing import Any, ClassVar

import gymnasium
import numpy as np

from gamecwm.envs.config import EnvConfig
from gamecwm.envs.pettingzoo import AGENTS, GameCWMEnv
from gamecwm.games.runtime import pick
from gamecwm.play.agents import Agent, build_agent, parse_agent_spec
from gamecwm.protocol import Action
from gamecwm.sandbox import SandboxPool

ILLEGAL_ACTION_RULES = ("lose", "random")
MAX_SKIPPED_GAMES = 1000


class GameCWMGymEnv(gymnasium.Env):
    """A single-agent view of a GameCWM environment: the learner's seat against an opponent policy."""

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["ansi"]}

    def __init__(self, game: str, source: str | None = None, *, seat: int = 0, opponent: str | Agent = "random",
                 config: EnvConfig | None = None, pool: SandboxPool | None = None, render_mode: str | None = None,
                 illegal_action: str = "lose", illegal_reward: float = -1.0):
        """The learner plays `seat` of `game` (its reference, or the program `source`) against `opponent`.

        `config` (default `EnvConfig()`) and `pool` are the AEC environment's (`GameCWMEnv`).
        """
        if seat not in (0, 1):
            raise ValueError("seat must be 0 or 1")
        if illegal_action not in ILLEGAL_ACTION_RULES:
            raise ValueError(f"illegal_action must be one of {', '.join(ILLEGAL_ACTION_RULES)}")
        self.aec = GameCWMEnv(game, source, config, pool=pool, render_mode=render_mode)
        try:
            self.opponent = opponent if isinstance(opponent, Agent) else self._build_opponent(opponent, source)
        except BaseException:
            self.aec.close()
            raise
        self.seat = seat
        self.agent = AGENTS[seat]
        self.render_mode = render_mode
        self.illegal_action = illegal_action
        self.illegal_reward = float(illegal_reward)
        self.observation_space = self.aec.observation_space(self.agent)
        self.action_space = self.aec.action_space(self.agent)
        self.opponent_illegal_moves = 0
        self.skipped_games = 0
        self._pending_reward = 0.0
        self._done = True

    def _build_opponent(self, spec: str, source: str | None) -> Agent:
        """The opponent of an agent spec; a planner plans with the game this environment plays."""
        parsed = parse_agent_spec(spec)
        if source is None or not parsed.plans:
            return build_agent(parsed, self.aec.game)
        return build_agent(parsed, self.aec.game, model_code=source, pool=self.aec.backend.pool,
                           limits=self.aec.config.step_limits)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict]:
        """Start a game and play the opponent until the learner is to move."""
        super().reset(seed=seed)
        self.opponent_illegal_moves = 0
        for _ in range(MAX_SKIPPED_GAMES + 1):
            self.aec.reset(seed=int(self.np_random.integers(2**63 - 1)))
            self.opponent.new_game(int(self.np_random.integers(2**31 - 1)))
            self._pending_reward = self._play_opponent()
            if not self._game_over():
                self._done = False
                return self.aec.observe(self.agent), {}
            self.skipped_games += 1
        raise RuntimeError(f"{self.aec.game} ended before {self.agent} had a turn in {MAX_SKIPPED_GAMES + 1} games")

    def step(self, action: Any) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        """Play the learner's action, then the opponent's replies."""
        if self._done:
            raise RuntimeError("the episode is over; call reset()")
        index = int(action)
        legal = self.aec.observe(self.agent)["action_mask"]
        illegal = not (0 <= index < len(legal) and legal[index])
        info = {"illegal_action": illegal}
        if illegal and self.illegal_action == "lose":
            self._done = True
            return self.aec.observe(self.agent), self.illegal_reward, True, False, info
        if illegal:
            index = int(pick(np.flatnonzero(legal).tolist(), float(self.np_random.random())))
        reward = self._pending_reward
        self._pending_reward = 0.0
        self.aec.step(index)
        reward += self.aec.rewards[self.agent]
        reward += self._play_opponent()
        self._done = self._game_over()
        terminated = self.aec.terminations[self.agent]
        truncated = self.aec.truncations[self.agent]
        return self.aec.observe(self.agent), float(reward), terminated, truncated, info

    def _game_over(self) -> bool:
        return self.aec.terminations[self.agent] or self.aec.truncations[self.agent]

    def _play_opponent(self) -> float:
        """Play the opponent's turns; return the learner's reward over them."""
        reward = 0.0
        while not self._game_over() and self.aec.agent_selection != self.agent:
            player = AGENTS.index(self.aec.agent_selection)
            legal = self.aec.legal_actions()
            choice = self.opponent.choose(self.aec.history, player, legal)
            self.aec.step_action(self._legal_or_random(choice, legal))
            reward += self.aec.rewards[self.agent]
        return reward

    def _legal_or_random(self, choice: Action | None, legal: list[Action]) -> Action:
        if choice in legal:
            return choice  # type: ignore[return-value]
        self.opponent_illegal_moves += 1
        return pick(legal, float(self.np_random.random()))

    def render(self) -> str | None:
        """With render_mode "ansi": the game as text (see `GameCWMEnv.render`)."""
        return self.aec.render()

    def close(self) -> None:
        """Release the opponent's and the environment's resources."""
        self.opponent.close()
        self.aec.close()
