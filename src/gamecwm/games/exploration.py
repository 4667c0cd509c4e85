"""Exploring a GameCWM's action space: the action strings and chance outcomes a game uses.

A breadth-first search over distinct states (told apart by their canonical text, `gamecwm.games.
runtime.canonical`) from the initial state generates at most `max_states` states. Once the cap is
met, the states already queued are still visited (their legal actions collected) but not expanded.
When the search did not exhaust the game, `playouts` seeded random playouts follow (chance by its
probabilities, a player's move uniformly, both drawn through the kernel), each at most
`max_playout_length` actions, together at most `max_playout_steps`. Everything stops once
`max_actions` player action strings are known.

Environments (their action tables) and the OpenSpiel adapter (its action ids and game facts) both
explore with `explore`. It imports only the protocol and the kernel, so it runs inside sandbox
workers next to an untrusted program.
"""

from __future__ import annotations

import collections
import random
from dataclasses import dataclass
from types import ModuleType

from gamecwm.games.runtime import canonical, pick, pick_chance
from gamecwm.protocol import CHANCE_PLAYER_ID, TERMINAL_PLAYER_ID, Action, State, chance_outcomes


@dataclass
class Exploration:
    """What exploring a GameCWM found.

    `player_actions` and `chance_outcomes` are the strings met at players' turns and at chance nodes
    (outcomes of probability zero left out), `terminal_rewards` the reward pairs of the terminal
    states met, `max_depth` the longest path met, `states` the distinct states the search generated,
    and `complete` whether the search exhausted the game (the playouts then add nothing).
    """

    player_actions: set[str]
    chance_outcomes: set[str]
    terminal_rewards: set[tuple[float, float]]
    max_depth: int
    states: int
    complete: bool


class _Explorer:
    """The sets an exploration fills, and the one way it asks a state for its moves."""

    def __init__(self, module: ModuleType):
        self.module = module
        self.found = Exploration(set(), set(), set(), 0, 0, True)

    def moves(self, state: State) -> tuple[int, list[tuple[Action, float]]]:
        """The player to move and its moves with their weights (chance: probabilities; none at the end)."""
        module, found = self.module, self.found
        player = module.get_current_player(state)
        if player == TERMINAL_PLAYER_ID:
            rewards = module.get_rewards(state)
            found.terminal_rewards.add((float(rewards[0]), float(rewards[1])))
            return player, []
        if player == CHANCE_PLAYER_ID:
            outcomes = [(action, float(p)) for action, p in chance_outcomes(module, state) if float(p) > 0]
            _check_strings([action for action, _ in outcomes], "get_chance_outcomes")
            found.chance_outcomes.update(action for action, _ in outcomes)
            return player, outcomes
        legal = list(module.get_legal_actions(state))
        _check_strings(legal, "get_legal_actions")
        found.player_actions.update(legal)
        return player, [(action, 1.0) for action in legal]


def _check_strings(actions: list[Action], source: str) -> None:
    if not all(isinstance(action, str) for action in actions):
        raise ValueError(f"{source} returned an action that is not a string")


def explore(module: ModuleType, max_states: int = 20_000, playouts: int = 200, seed: int = 0, *,
            max_playout_length: int | None = None, max_playout_steps: int | None = None,
            max_actions: int | None = None) -> Exploration:
    """Explore `module` as the module docstring says; None for a cap means no cap.

    Raises ValueError when the game offers an action that is not a string (and whatever the module raises).
    """
    explorer = _Explorer(module)
    found = explorer.found
    steps = 0

    def enough_actions() -> bool:
        return max_actions is not None and len(found.player_actions) >= max_actions

    def budget_spent() -> bool:
        return (max_playout_steps is not None and steps >= max_playout_steps) or enough_actions()

    initial = module.get_initial_state()
    seen = {canonical(initial)}
    queue = collections.deque([(initial, 0)])
    while queue and not enough_actions():
        state, depth = queue.popleft()
        found.max_depth = max(found.max_depth, depth)
        _player, moves = explorer.moves(state)
        if not found.complete:
            continue
        for action, _weight in moves:
            child = module.apply_action(state, action)
            key = canonical(child)
            if key in seen:
                continue
            if len(seen) >= max_states:
                found.complete = False
                break
            seen.add(key)
            queue.append((child, depth + 1))
    found.complete = found.complete and not queue
    found.states = len(seen)
    if found.complete:
        return found
    rng = random.Random(seed)
    for _ in range(playouts):
        state, depth = module.get_initial_state(), 0
        while max_playout_length is None or depth < max_playout_length:
            if budget_spent():
                break
            player, moves = explorer.moves(state)
            if not moves:
                break
            u = rng.random()
            action = pick_chance(moves, u) if player == CHANCE_PLAYER_ID else pick([a for a, _ in moves], u)
            state = module.apply_action(state, action)
            depth += 1
            steps += 1
        found.max_depth = max(found.max_depth, depth)
        if budget_spent():
            break
    return found
