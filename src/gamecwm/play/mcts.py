"""Monte Carlo tree search (UCT) over any GameCWM module.

The search sees the whole state, so it is the planner for perfect-information games (use
`gamecwm.play.ismcts` when information is hidden). Decision nodes pick children by UCT from the
point of view of the player to move; chance nodes draw their outcome by its probability
(`gamecwm.games.runtime.random_action`); a leaf is valued by random rollouts to the end of the game
(chance again by its probabilities). Rewards are kept per player, so general-sum games work too.
Everything random comes from one `random.Random(seed)`, so a search is reproducible.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from gamecwm.games.runtime import pick, random_action
from gamecwm.protocol import CHANCE_PLAYER_ID, TERMINAL_PLAYER_ID, Action, State

DEFAULT_SIMULATIONS = 200
DEFAULT_EXPLORATION = 1.4
DEFAULT_MAX_ROLLOUT_STEPS = 10_000


class SearchError(Exception):
    """The game module cannot be searched from this state (no legal actions at a turn, bad player id)."""


@dataclass(frozen=True)
class SearchConfig:
    """Settings shared by MCTS and ISMCTS.

    `simulations` tree descents per decision, `exploration` the UCT constant c, `rollouts` random
    rollouts averaged per leaf, `max_rollout_steps` actions after which a rollout stops and the
    state's current rewards count as its result.
    """

    simulations: int = DEFAULT_SIMULATIONS
    exploration: float = DEFAULT_EXPLORATION
    rollouts: int = 1
    max_rollout_steps: int = DEFAULT_MAX_ROLLOUT_STEPS

    def __post_init__(self) -> None:
        if not isinstance(self.simulations, int) or self.simulations < 1:
            raise ValueError("simulations must be a positive integer")
        if not math.isfinite(self.exploration) or self.exploration < 0:
            raise ValueError("exploration must be a finite number >= 0")
        if not isinstance(self.rollouts, int) or self.rollouts < 1:
            raise ValueError("rollouts must be a positive integer")
        if not isinstance(self.max_rollout_steps, int) or self.max_rollout_steps < 0:
            raise ValueError("max_rollout_steps must be an integer >= 0")


def rewards_of(module: ModuleType, state: State) -> list[float]:
    """The two players' rewards in a state as floats."""
    values = module.get_rewards(state)
    return [float(values[0]), float(values[1])]


def random_rollout(module: ModuleType, state: State, rng: random.Random, max_steps: int) -> list[float]:
    """Play uniformly random legal actions (chance by probability) to the end; return the rewards.

    After `max_steps` actions the rollout stops and the rewards of the state reached count.
    """
    for _ in range(max_steps):
        player = module.get_current_player(state)
        if player == TERMINAL_PLAYER_ID:
            break
        if player == CHANCE_PLAYER_ID:
            action = random_action(module, state, rng)
        else:
            legal = module.get_legal_actions(state)
            if not legal:
                break
            action = pick(legal, rng.random())
        state = module.apply_action(state, action)
    return rewards_of(module, state)


class Node:
    """One state of the search tree with its visit count and summed rewards (one per player)."""

    __slots__ = ("state", "player", "actions", "children", "untried", "visits", "totals", "terminal_rewards")

    def __init__(self, module: ModuleType, state: State, rng: random.Random):
        self.state = state
        self.player: int = module.get_current_player(state)
        self.children: dict[Action, Node] = {}
        self.visits = 0
        self.totals = [0.0, 0.0]
        self.terminal_rewards: list[float] | None = None
        self.actions: list[Action] = []
        self.untried: list[Action] = []
        if self.player == TERMINAL_PLAYER_ID:
            self.terminal_rewards = rewards_of(module, state)
        elif self.player == CHANCE_PLAYER_ID:
            pass
        elif self.player in (0, 1):
            self.actions = list(module.get_legal_actions(state))
            if not self.actions:
                raise SearchError("a player's turn without legal actions")
            self.untried = list(self.actions)
            rng.shuffle(self.untried)
        else:
            raise SearchError(f"unknown player id {self.player!r}")

    def mean(self, player: int) -> float:
        """The average reward of `player` over the simulations through this node."""
        return self.totals[player] / self.visits if self.visits else 0.0


class MCTS:
    """UCT search with a random-rollout evaluator over a GameCWM module."""

    def __init__(self, module: ModuleType, config: SearchConfig = SearchConfig(), seed: int = 0):
        """Search `module` with `config`; `seed` seeds the one random stream the search uses."""
        self.module = module
        self.config = config
        self.rng = random.Random(seed)

    def search(self, state: State) -> Node:
        """Run the configured number of simulations from `state`; return the root node."""
        root = Node(self.module, state, self.rng)
        if root.player not in (0, 1):
            raise SearchError("MCTS needs a player to move at the root")
        for _ in range(self.config.simulations):
            self._simulate(root)
        return root

    def choose(self, state: State) -> Action:
        """The root action with the most visits (ties: higher mean for the mover, then legal order)."""
        root = self.search(state)
        return best_action(root)

    def _simulate(self, root: Node) -> None:
        module, rng, c = self.module, self.rng, self.config.exploration
        node = root
        path = [node]
        while True:
            if node.terminal_rewards is not None:
                rewards = node.terminal_rewards
                break
            if node.player == CHANCE_PLAYER_ID:
                action = random_action(module, node.state, rng)
                child = node.children.get(action)
                if child is None:
                    child = node.children[action] = Node(module, module.apply_action(node.state, action), rng)
                    path.append(child)
                    rewards = self._evaluate(child)
                    break
                node = child
                path.append(node)
                continue
            if node.untried:
                action = node.untried.pop()
                child = node.children[action] = Node(module, module.apply_action(node.state, action), rng)
                path.append(child)
                rewards = self._evaluate(child)
                break
            node = _uct_child(node, c)
            path.append(node)
        for visited in path:
            visited.visits += 1
            visited.totals[0] += rewards[0]
            visited.totals[1] += rewards[1]

    def _evaluate(self, node: Node) -> list[float]:
        if node.terminal_rewards is not None:
            return node.terminal_rewards
        count = self.config.rollouts
        total = [0.0, 0.0]
        for _ in range(count):
            result = random_rollout(self.module, node.state, self.rng, self.config.max_rollout_steps)
            total[0] += result[0]
            total[1] += result[1]
        return [total[0] / count, total[1] / count]


def _uct_child(node: Node, c: float) -> Node:
    player = node.player
    log_parent = math.log(max(node.visits, 1))
    best, best_value = None, -math.inf
    for child in node.children.values():
        value = child.totals[player] / child.visits + c * math.sqrt(log_parent / child.visits)
        if value > best_value:
            best, best_value = child, value
    assert best is not None
    return best


def best_action(root: Node) -> Action:
    """The most visited root action; ties go to the higher mean for the mover, then to legal order."""
    order = {action: index for index, action in enumerate(root.actions)}
    player = root.player

    def key(item: tuple[Action, Node]) -> tuple[int, float, int]:
        action, child = item
        return (child.visits, child.mean(player), -order.get(action, 0))

    return max(root.children.items(), key=key)[0]


def mcts_action(module: ModuleType, state: State, config: SearchConfig = SearchConfig(), seed: int = 0) -> Action:
    """One MCTS decision from `state` (a convenience wrapper around `MCTS.choose`)."""
    return MCTS(module, config, seed).choose(state)


def root_statistics(root: Node) -> list[dict[str, Any]]:
    """Per root action: visits and the mover's mean reward (for inspection and tests)."""
    return [
        {"action": action, "visits": child.visits, "mean": child.mean(root.player)}
        for action, child in root.children.items()
    ]
