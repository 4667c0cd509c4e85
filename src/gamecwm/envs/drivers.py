"""Game stepping for the environments, shared by references (in-process) and sandboxed programs.

`step` and `explore` are sandbox drivers (`fn(module, **args) -> plain data`) run inside a worker
next to an untrusted program; the in-process backend calls `settle` and `describe` on a reference
directly, so both kinds of game go through the same code. One `step` run batches what an
environment step needs: replay the episode's history, apply the agent's action, resolve the chance
nodes that follow with parent-supplied draws, and describe the node reached. The parent re-checks
everything that comes back (`gamecwm.envs.session`).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from gamecwm.envs.encoding import SHAPE_ATTRIBUTE, plain
from gamecwm.games.exploration import explore as explore_game
from gamecwm.games.runtime import pick_chance, replay
from gamecwm.protocol import CHANCE_PLAYER_ID, TERMINAL_PLAYER_ID, chance_outcomes


def settle(module: ModuleType, state: Any, draws: list[float]) -> tuple[Any, list[str]]:
    """Resolve chance nodes, one draw each, until a player's turn, the end, or the draws run out.

    Returns the state reached and the chance outcomes applied.
    """
    applied: list[str] = []
    for u in draws:
        if module.get_current_player(state) != CHANCE_PLAYER_ID:
            break
        action = pick_chance(chance_outcomes(module, state), float(u))
        state = module.apply_action(state, action)
        applied.append(action)
    return state, applied


def describe(module: ModuleType, state: Any) -> dict[str, Any]:
    """What an environment needs to know about a state: player to move, legal actions, rewards, observations."""
    player = module.get_current_player(state)
    legal = [] if player in (CHANCE_PLAYER_ID, TERMINAL_PLAYER_ID) else plain(module.get_legal_actions(state))
    observations = module.get_observations(state)
    return {
        "player": plain(player),
        "legal_actions": legal,
        "rewards": plain(module.get_rewards(state)),
        "observations": [plain(observations[0]), plain(observations[1])],
    }


def step(module: ModuleType, history: list[str], action: str | None, draws: list[float]) -> dict[str, Any]:
    """Sandbox driver: replay `history`, apply `action` (None: none), settle chance with `draws`, describe.

    Returns `describe`'s fields plus "chance", the chance outcomes applied after the action.
    """
    state = replay(module, list(history))
    if action is not None:
        state = module.apply_action(state, action)
    state, applied = settle(module, state, list(draws))
    return {"chance": applied, **describe(module, state)}


def declared_shape(module: ModuleType) -> Any:
    """Sandbox driver: the module's declared observation shape (its `OBSERVATION_SHAPE`) as plain data, or None."""
    shape = getattr(module, SHAPE_ATTRIBUTE, None)
    return None if shape is None else plain(shape)


def explore(module: ModuleType, max_states: int, playouts: int, max_playout_steps: int, max_actions: int,
            seed: int, max_length: int) -> dict[str, Any]:
    """Sandbox driver: the program's action strings and whether the search was exhaustive.

    `gamecwm.games.exploration.explore` with the caps of `ExploreConfig`, each playout at most
    `max_length` actions; at most `max_actions` strings come back (the first in sorted order).
    """
    found = explore_game(module, max_states, playouts, seed, max_playout_length=max_length,
                         max_playout_steps=max_playout_steps, max_actions=max_actions)
    return {"actions": sorted(found.player_actions)[:max_actions], "complete": found.complete}
