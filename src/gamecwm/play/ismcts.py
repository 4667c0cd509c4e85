"""Information-set Monte Carlo tree search (single-observer ISMCTS) over any GameCWM module.

The searching player knows only its own (observation, action) view (`gamecwm.games.information.
player_view`). Each simulation draws a determinization, a full action history consistent with that
view, from the game module's `resample_history`, replays it, and descends one shared tree whose
nodes are information sets: the player to move together with that player's view at the state, its
observations written as the kernel's canonical text (`gamecwm.games.runtime.canonical`), so equal
observations share an information set whatever their container types. Children are chosen by UCT
with availability counts (an action's exploration term uses the number of times it was legal, since
determinizations may differ in what is legal); chance events are drawn by their probabilities; a
leaf is valued by a random rollout.

`resample_history` implementations draw from Python's global `random`; the search seeds it from its
own seeded stream for the duration of a search and restores the previous global state afterwards,
so a search is reproducible for a seed without disturbing other users of `random`.
"""

from __future__ import annotations

import math
import random
from types import ModuleType

from gamecwm.games.information import PlayerView
from gamecwm.games.runtime import canonical, pick, random_action
from gamecwm.play.mcts import SearchConfig, SearchError, random_rollout, rewards_of
from gamecwm.protocol import CHANCE_PLAYER_ID, TERMINAL_PLAYER_ID, Action, State


class InfoNode:
    """One information set: per action its visits, availability count and the owner's summed reward."""

    __slots__ = ("visits", "available", "totals")

    def __init__(self) -> None:
        self.visits: dict[Action, int] = {}
        self.available: dict[Action, int] = {}
        self.totals: dict[Action, float] = {}


class Determinization:
    """A replayed determinized history: the state reached and each player's canonical view so far."""

    __slots__ = ("state", "views")

    def __init__(self, state: State, views: tuple[tuple[str, ...], tuple[str, ...]]):
        self.state = state
        self.views = views


class ISMCTS:
    """Single-observer information-set MCTS that determinizes with the module's `resample_history`."""

    def __init__(self, module: ModuleType, config: SearchConfig = SearchConfig(), seed: int = 0):
        """Search `module` with `config`; `seed` seeds every random draw of the search."""
        if not callable(getattr(module, "resample_history", None)):
            raise SearchError("ISMCTS needs a game module with resample_history")
        self.module = module
        self.config = config
        self.rng = random.Random(seed)
        self.failed_determinizations = 0

    def search(self, view: PlayerView, player: int) -> dict[tuple[int, str], InfoNode]:
        """Run the simulations for `player` at its pending turn in `view`; return the tree.

        A determinization that fails (an exception, a history the module refuses, or one that does
        not end at the player's turn) is counted in `failed_determinizations` and skipped.
        """
        tree: dict[tuple[int, str], InfoNode] = {}
        saved = random.getstate()
        random.seed(self.rng.getrandbits(64))
        try:
            for _ in range(self.config.simulations):
                start = self._determinize(view, player)
                if start is None:
                    self.failed_determinizations += 1
                    continue
                self._simulate(tree, start)
        finally:
            random.setstate(saved)
        return tree

    def choose(self, view: PlayerView, player: int) -> Action:
        """The most visited action at the root information set (ties: higher mean, then name).

        Raises SearchError when no determinization succeeded.
        """
        if not view or view[-1][1] is not None:
            raise SearchError("the view does not end at the player's pending turn")
        tree = self.search(view, player)
        root = tree.get((player, root_key(view)))
        if root is None or not root.visits:
            raise SearchError("no determinization reached the player's turn")
        return max(sorted(root.visits), key=lambda a: (root.visits[a], root.totals[a] / root.visits[a]))

    def _determinize(self, view: PlayerView, player: int) -> Determinization | None:
        module = self.module
        try:
            history = module.resample_history([tuple(pair) for pair in view], player)
            state = module.get_initial_state()
            views: list[list[str]] = [[], []]
            for action in history:
                mover = module.get_current_player(state)
                if mover in (0, 1):
                    views[mover].append(canonical(module.get_observations(state)[mover]))
                    views[mover].append(action)
                state = module.apply_action(state, action)
            if module.get_current_player(state) != player:
                return None
        except Exception:  # noqa: BLE001 - a failing model's determinization is skipped and counted
            return None
        return Determinization(state, (tuple(views[0]), tuple(views[1])))

    def _simulate(self, tree: dict[tuple[int, str], InfoNode], start: Determinization) -> None:
        module, rng, c = self.module, self.rng, self.config.exploration
        state = start.state
        views = [list(start.views[0]), list(start.views[1])]
        path: list[tuple[InfoNode, Action, int]] = []
        expanded = False
        rewards: list[float] | None = None
        while True:
            player = module.get_current_player(state)
            if player == TERMINAL_PLAYER_ID:
                rewards = rewards_of(module, state)
                break
            if player == CHANCE_PLAYER_ID:
                state = module.apply_action(state, random_action(module, state, rng))
                continue
            if player not in (0, 1):
                raise SearchError(f"unknown player id {player!r}")
            legal = module.get_legal_actions(state)
            if not legal:
                break
            observation = canonical(module.get_observations(state)[player])
            key = (player, _join(views[player], observation))
            node = tree.get(key)
            if node is None:
                if expanded:
                    break
                node = tree[key] = InfoNode()
                expanded = True
            for action in legal:
                node.available[action] = node.available.get(action, 0) + 1
            untried = [action for action in legal if not node.visits.get(action)]
            if untried:
                action = pick(untried, rng.random())
                stop = True
            else:
                action = _uct_action(node, legal, c)
                stop = False
            path.append((node, action, player))
            views[player].append(observation)
            views[player].append(action)
            state = module.apply_action(state, action)
            if stop:
                break
        if rewards is None:
            rewards = random_rollout(module, state, rng, self.config.max_rollout_steps)
        for node, action, player in path:
            node.visits[action] = node.visits.get(action, 0) + 1
            node.totals[action] = node.totals.get(action, 0.0) + rewards[player]


def _uct_action(node: InfoNode, legal: list[Action], c: float) -> Action:
    best, best_value = legal[0], -math.inf
    for action in legal:
        visits = node.visits[action]
        value = node.totals[action] / visits + c * math.sqrt(math.log(max(node.available[action], 1)) / visits)
        if value > best_value:
            best, best_value = action, value
    return best


def _join(parts: list[str], last: str) -> str:
    return "\x1f".join(parts) + "\x1e" + last


def root_key(view: PlayerView) -> str:
    """The information-set key of a player's view at its pending turn (the tree's root key)."""
    parts: list[str] = []
    for observation, action in view[:-1]:
        parts.append(canonical(observation))
        parts.append(str(action))
    return _join(parts, canonical(view[-1][0]))


def ismcts_action(module: ModuleType, view: PlayerView, player: int, config: SearchConfig = SearchConfig(),
                  seed: int = 0) -> Action:
    """One ISMCTS decision for `player` from its view (a convenience wrapper around `ISMCTS.choose`)."""
    return ISMCTS(module, config, seed).choose(view, player)
