"""Any GameCWM as a PettingZoo AEC environment.

* **Agents** `player_0` and `player_1` (GameCWM players 0 and 1); the agent to act is the game's
  current player. Chance nodes never reach an agent: the environment draws their outcomes by their
  probabilities from a generator seeded by `reset(seed=...)`.
* **Actions** `Discrete(n)` over the game's action table and its overflow slots
  (`gamecwm.envs.encoding`); the observation's "action_mask" marks the legal actions of the agent to
  move (all zeros for the other agent); `action_string(i)` names what index i plays now. An action
  outside the mask raises `IllegalActionError`.
* **Observations** `{"observation", "action_mask"}`: the agent's GameCWM observation as text (its
  canonical JSON as zero-padded ASCII codes; `observation_text(agent)` gives the string), or as a
  vector where a shape is declared (`gamecwm.envs.config.EnvConfig`).
* **Rewards**: each step pays every agent the change in `get_rewards`, so an episode's rewards add
  up to the rewards of the state it ends in.
* **Termination** when the game reaches the terminal player; truncation after `max_steps` actions.

A dataset reference runs in this process; a generated program (`source=`) is untrusted and runs in
the sandbox, one worker per step (`gamecwm.envs.backend`).
"""

from __future__ import annotations

import random
from typing import Any, ClassVar

import numpy as np
from gymnasium.spaces import Discrete
from pettingzoo import AECEnv

from gamecwm.envs.backend import (
    GameBackend,
    LocalBackend,
    SandboxBackend,
    cached_exploration,
)
from gamecwm.envs.config import EnvConfig
from gamecwm.envs.encoding import ActionTable, ActionTableError, observation_text
from gamecwm.envs.session import Episode, Node
from gamecwm.envs.spaces import ObservationEncoder, observation_space
from gamecwm.games.registry import get_game, load_reference
from gamecwm.protocol import PLAYER_IDS, Action
from gamecwm.sandbox import SandboxPool

AGENTS = tuple(f"player_{player}" for player in PLAYER_IDS)


class IllegalActionError(ValueError):
    """An action that is not legal for the agent to move (outside its action mask)."""


def make_backend(game: str, source: str | None, config: EnvConfig, pool: SandboxPool | None) -> GameBackend:
    """The game's reference in this process, or the untrusted `source` in the sandbox."""
    if source is None:
        return LocalBackend(load_reference(game), game)
    return SandboxBackend(source, pool, config.step_limits, config.explore_limits)


class GameCWMEnv(AECEnv):
    """A GameCWM as a two-agent PettingZoo AEC environment (see the module docstring)."""

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["ansi"], "name": "gamecwm_v0", "is_parallelizable": False}

    def __init__(self, game: str, source: str | None = None, config: EnvConfig | None = None, *,
                 pool: SandboxPool | None = None, render_mode: str | None = None):
        """An environment for dataset game `game`, played by its reference or by the program `source`.

        `config` defaults to `EnvConfig()`; `pool` runs a program's steps (a private one-worker pool
        when None).
        """
        super().__init__()
        config = config or EnvConfig()
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']}")
        self.info = get_game(game)
        self.game = game
        self.source = source
        self.config = config
        self.render_mode = render_mode
        self.metadata = {**type(self).metadata, "name": f"gamecwm_{game}_v0"}
        self.backend = make_backend(game, source, config, pool)
        try:
            if config.actions is not None:
                self.table = ActionTable.from_actions(list(config.actions), overflow=config.overflow_actions)
            else:
                found = cached_exploration(self.backend, config.explore, self.info.max_game_length)
                self.table = ActionTable.from_actions(found["actions"], bool(found["complete"]), config.overflow_actions)
            shape = config.observation_shape
            if shape is None and config.observation != "text":
                shape = self.backend.declared_shape()
            self.encoder = ObservationEncoder(config.observation, shape, config.observation_encoder, config.max_text_length)
        except BaseException:
            self.backend.close()
            raise
        self.possible_agents = list(AGENTS)
        self.agents = list(AGENTS)
        self.action_spaces = {agent: Discrete(self.table.size) for agent in AGENTS}
        self.observation_spaces = {agent: observation_space(self.encoder, self.table.size) for agent in AGENTS}
        self.episode = Episode(self.backend, config.chance_draws, config.max_steps or self.info.max_game_length)
        self.unmapped_legal_actions = 0
        self._rng: random.Random | None = None
        self._closed = False
        try:
            self.reset()
        except BaseException:
            self.backend.close()
            raise

    def observation_space(self, agent: str) -> Any:
        """The agent's observation space (the same object on every call)."""
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> Any:
        """The agent's action space (the same object on every call)."""
        return self.action_spaces[agent]

    @property
    def history(self) -> list[Action]:
        """The actions played in this episode so far, chance outcomes included."""
        return list(self.episode.history)

    @property
    def node(self) -> Node:
        """The current node of the episode."""
        assert self.episode.node is not None
        return self.episode.node

    def legal_actions(self) -> list[Action]:
        """The legal action strings of the agent to move (empty once the game is over)."""
        return [] if self.episode.over else list(self.node.legal_actions)

    def action_string(self, index: int) -> Action | None:
        """The action string an index plays now (overflow slots depend on the turn); None for no action."""
        index = int(index)
        if index < len(self.table.actions):
            return self.table.actions[index] if index >= 0 else None
        return self._turn()[0].get(index)

    def action_index(self, action: Action) -> int | None:
        """The index that plays an action string now (None when it has none)."""
        index = self.table.index(action)
        if index is not None:
            return index
        return next((i for i, a in self._turn()[0].items() if a == action), None)

    def reset(self, seed: int | None = None, options: dict | None = None) -> None:
        """Start a new episode; `seed` seeds the chance draws (None continues the current stream)."""
        if seed is not None or self._rng is None:
            self._rng = random.Random(seed)
        self.agents = list(AGENTS)
        self.rewards = {agent: 0.0 for agent in AGENTS}
        self._cumulative_rewards = {agent: 0.0 for agent in AGENTS}
        self.terminations = {agent: False for agent in AGENTS}
        self.truncations = {agent: False for agent in AGENTS}
        self.infos: dict[str, dict[str, Any]] = {agent: {} for agent in AGENTS}
        self.unmapped_legal_actions = 0
        self.agent_selection = AGENTS[0]
        self._turn_cache: tuple[Node, dict[int, Action], np.ndarray] | None = None
        node = self.episode.reset(random.Random(self._rng.getrandbits(64)))
        self._after_move(node, (0.0, 0.0), (0.0, 0.0))

    def observe(self, agent: str) -> dict[str, Any]:
        """The agent's observation and action mask in the current state."""
        player = AGENTS.index(agent)
        node = self.node
        return {"observation": self.encoder.encode(node.observations[player]), "action_mask": self._mask(player)}

    def observation_text(self, agent: str) -> str:
        """The agent's observation in the text form, as a string (canonical JSON)."""
        return observation_text(self.node.observations[AGENTS.index(agent)], self.config.max_text_length)

    def _turn(self) -> tuple[dict[int, Action], np.ndarray]:
        """The current turn's index -> action assignment and its mask (computed once per node)."""
        node = self.node
        if self._turn_cache is None or self._turn_cache[0] is not node:
            assigned: dict[int, Action] = {}
            if not self.episode.over:
                assigned, dropped = self.table.assign(node.legal_actions)
                if not assigned:
                    raise ActionTableError(
                        f"none of the legal actions {list(node.legal_actions)[:10]} of {self.game} has an index; "
                        "raise EnvConfig.explore's caps or EnvConfig.overflow_actions, or give EnvConfig.actions")
                self.unmapped_legal_actions += dropped
            mask = np.zeros(self.table.size, dtype=np.int8)
            mask[list(assigned)] = 1
            self._turn_cache = (node, assigned, mask)
        return self._turn_cache[1], self._turn_cache[2]

    def _mask(self, player: int) -> np.ndarray:
        mask = self._turn()[1]
        return mask.copy() if self.node.player == player else np.zeros(self.table.size, dtype=np.int8)

    def step(self, action: Any) -> None:
        """Play table index `action` for the agent to move (None for an agent whose game is over)."""
        agent = self.agent_selection
        if self.terminations[agent] or self.truncations[agent]:
            self._was_dead_step(action)
            return
        if action is None:
            raise IllegalActionError(f"{agent} is to move; None is only for agents whose game is over")
        chosen = self._turn()[0].get(int(action))
        if chosen is None:
            raise IllegalActionError(f"action {int(action)} is not legal for {agent} (see the action mask)")
        self.step_action(chosen)

    def step_action(self, action: Action) -> None:
        """Play an action string for the agent to move: any legal action, in the table or not."""
        agent = self.agent_selection
        if self.episode.over or self.terminations[agent] or self.truncations[agent]:
            raise IllegalActionError("the game is over; step agents with None until they are removed")
        if action not in self.node.legal_actions:
            raise IllegalActionError(f"{action!r} is not a legal action of {agent}")
        before = self.node.rewards
        node = self.episode.play(action)
        self._cumulative_rewards[agent] = 0.0
        self._after_move(node, before, node.rewards)

    def _after_move(self, node: Node, before: tuple[float, float], after: tuple[float, float]) -> None:
        self.rewards = {agent: after[i] - before[i] for i, agent in enumerate(AGENTS)}
        if node.terminal:
            self.terminations = {agent: True for agent in AGENTS}
        elif self.episode.truncated:
            self.truncations = {agent: True for agent in AGENTS}
        else:
            self.agent_selection = AGENTS[node.player]
        self._accumulate_rewards()

    def render(self) -> str | None:
        """With render_mode "ansi": the game, the player to move and the last actions, as text."""
        if self.render_mode != "ansi":
            return None
        node = self.node
        status = "over" if self.episode.over else f"{AGENTS[node.player]} to move"
        recent = " ".join(self.episode.history[-10:])
        return f"{self.game}: {status} after {len(self.episode.history)} actions (last: {recent})"

    def close(self) -> None:
        """Release the sandbox pool this environment made (safe to call twice)."""
        if not self._closed:
            self._closed = True
            self.backend.close()


def env(game: str, source: str | None = None, config: EnvConfig | None = None, **kwargs: Any) -> GameCWMEnv:
    """A PettingZoo AEC environment for `game` (its reference, or the program `source` in the sandbox)."""
    return GameCWMEnv(game, source, config, **kwargs)
