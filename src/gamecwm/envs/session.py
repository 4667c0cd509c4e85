"""One episode of a game: its action history, the chance draws, and the checked description of its node.

The episode owns the random stream that resolves chance: draws come from a seeded `random.Random`
in order, and exactly the draws the game used are consumed, so an episode is a function of its seed
and its players' actions whether the game runs in this process or in the sandbox. Whatever a backend
returns is checked here before an environment uses it.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from gamecwm.envs.backend import GameBackend, GameProgramError
from gamecwm.protocol import CHANCE_PLAYER_ID, PLAYER_IDS, TERMINAL_PLAYER_ID, Action

PLAYER_VALUES = (*PLAYER_IDS, CHANCE_PLAYER_ID, TERMINAL_PLAYER_ID)


@dataclass(frozen=True)
class Node:
    """A checked description of the state an episode is in."""

    player: int
    legal_actions: tuple[str, ...]
    rewards: tuple[float, float]
    observations: tuple[Any, Any]

    @property
    def terminal(self) -> bool:
        """True when the game is over."""
        return self.player == TERMINAL_PLAYER_ID


def parse_node(data: Any) -> tuple[Node, list[str]]:
    """A backend's answer as a Node and the chance outcomes it applied; GameProgramError when malformed."""
    if not isinstance(data, dict):
        raise GameProgramError("a step's description is not a dict")
    player = data.get("player")
    if isinstance(player, bool) or player not in PLAYER_VALUES:
        raise GameProgramError(f"get_current_player returned {player!r}, not one of {PLAYER_VALUES}")
    legal = data.get("legal_actions")
    if not isinstance(legal, list) or not all(isinstance(a, str) for a in legal):
        raise GameProgramError("get_legal_actions must return a list of strings")
    if player in PLAYER_IDS and not legal:
        raise GameProgramError(f"player {player} is to move but has no legal actions")
    if len(set(legal)) != len(legal):
        raise GameProgramError("get_legal_actions returned an action twice")
    rewards = data.get("rewards")
    if (not isinstance(rewards, list) or len(rewards) != 2
            or not all(isinstance(r, (int, float)) and not isinstance(r, bool) and math.isfinite(r) for r in rewards)):
        raise GameProgramError(f"get_rewards must return two finite numbers, not {rewards!r}")
    observations = data.get("observations")
    if not isinstance(observations, list) or len(observations) != 2:
        raise GameProgramError("get_observations must return one observation per player")
    chance = data.get("chance")
    if not isinstance(chance, list) or not all(isinstance(a, str) for a in chance):
        raise GameProgramError("the chance outcomes applied are not a list of strings")
    node = Node(int(player), tuple(legal), (float(rewards[0]), float(rewards[1])), (observations[0], observations[1]))
    return node, chance


class Episode:
    """The game being played by an environment."""

    def __init__(self, backend: GameBackend, chance_draws: int, max_steps: int):
        """Play through `backend`, sending `chance_draws` draws per call, truncating after `max_steps` actions."""
        self.backend = backend
        self.chance_draws = chance_draws
        self.max_steps = max_steps
        self.history: list[Action] = []
        self.node: Node | None = None
        self._rng = random.Random(0)
        self._draws: list[float] = []

    @property
    def truncated(self) -> bool:
        """True when the episode reached `max_steps` actions without ending."""
        return self.node is not None and not self.node.terminal and len(self.history) >= self.max_steps

    @property
    def over(self) -> bool:
        """True when the game ended or was truncated."""
        return self.node is not None and (self.node.terminal or self.truncated)

    def reset(self, rng: random.Random) -> Node:
        """Start a new episode whose chance draws come from `rng`; return the first player node (or the end)."""
        self._rng = rng
        self._draws = []
        self.history = []
        self.node = None
        return self._settle(self.backend.begin(self._next_draws()))

    def play(self, action: Action) -> Node:
        """Apply a legal action of the player to move, then resolve the chance that follows."""
        if self.node is None or self.over:
            raise RuntimeError("the episode is over; reset it")
        if self.node.player not in PLAYER_IDS or action not in self.node.legal_actions:
            raise ValueError(f"{action!r} is not a legal action here")
        answer = self.backend.advance(list(self.history), action, self._next_draws())
        self.history.append(action)
        return self._settle(answer)

    def _next_draws(self) -> list[float]:
        while len(self._draws) < self.chance_draws:
            self._draws.append(self._rng.random())
        return self._draws[: self.chance_draws]

    def _settle(self, answer: Any) -> Node:
        node, chance = self._accept(answer)
        while node.player == CHANCE_PLAYER_ID and len(self.history) < self.max_steps:
            node, chance = self._accept(self.backend.advance(list(self.history), None, self._next_draws()))
            if not chance:
                raise GameProgramError("a chance node did not advance")
        return node

    def _accept(self, answer: Any) -> tuple[Node, list[str]]:
        node, chance = parse_node(answer)
        if len(chance) > self.chance_draws:
            raise GameProgramError("the step applied more chance outcomes than it had draws")
        del self._draws[: len(chance)]
        self.history.extend(chance)
        self.node = node
        return node, chance
