"""One planning decision from a true-game action history, shared by local agents and the sandbox driver.

A planning agent sees the true game only as the list of actions played so far (chance included). It
replays that history on the GameCWM it plans with and searches there: MCTS from the state the replay
reaches (perfect-information games), ISMCTS from the player's (observation, action) view along the
replay (imperfect-information games). The same call with the same seed gives the same action
whether it runs in this process or inside a sandbox worker.
"""

from __future__ import annotations

from types import ModuleType

from gamecwm.games.information import player_view
from gamecwm.games.runtime import replay
from gamecwm.play.ismcts import ISMCTS
from gamecwm.play.mcts import MCTS, SearchConfig, SearchError
from gamecwm.protocol import Action, State

PLANNER_KINDS = ("mcts", "ismcts")


def decide(module: ModuleType, kind: str, history: list[Action], player: int, config: SearchConfig, seed: int,
           state: State | None = None) -> Action:
    """The action `kind` ("mcts" or "ismcts") chooses for `player` after `history`, planning with `module`.

    `state` may pass the state the history reaches in `module` (MCTS only) to skip the replay.
    Raises SearchError when the model disagrees with the history (it is not the player's turn there)
    and whatever the model raises while it is replayed or searched.
    """
    if kind == "mcts":
        if state is None:
            state = replay(module, history)
        if module.get_current_player(state) != player:
            raise SearchError(f"the model says player {module.get_current_player(state)!r} moves, not {player}")
        return MCTS(module, config, seed).choose(state)
    if kind == "ismcts":
        return decide_from_view(module, kind, player_view(module, history, player), player, config, seed)
    raise ValueError(f"unknown planner kind {kind!r}; expected one of {', '.join(PLANNER_KINDS)}")


def decide_from_view(module: ModuleType, kind: str, view: list, player: int, config: SearchConfig, seed: int) -> Action:
    """The action ISMCTS chooses for `player` from its own (observation, action) view, planning with `module`."""
    if kind != "ismcts":
        raise ValueError(f"planning from a player's view needs ismcts, not {kind!r}")
    return ISMCTS(module, config, seed).choose(view, player)
