"""Sandbox drivers for planning with an untrusted GameCWM (run inside the worker, next to the candidate).

The parent sends what the deciding player may know (the action history in a perfect-information
game, the player's own view in a hidden-information one); the driver searches with the candidate
model there, returning only the chosen action as plain data. The parent checks that action
against the true game; nothing the candidate computes is trusted beyond being a string to check.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from gamecwm.games.runtime import from_tagged
from gamecwm.play.mcts import SearchConfig
from gamecwm.play.planner import decide, decide_from_view


def choose_action(module: ModuleType, kind: str, player: int, simulations: int, exploration: float, rollouts: int,
                  max_rollout_steps: int, seed: int, history: list[str] | None = None,
                  view: Any = None) -> dict[str, Any]:
    """Plan one decision with the candidate `module`: `{"action": str or None, "error": text or None}`.

    `history` (MCTS) or `view` (ISMCTS: the player's tagged (observation, action) pairs) is what the
    player knows. An action that is not a string comes back as `None` with the reason in `error`.
    """
    config = SearchConfig(simulations=simulations, exploration=exploration, rollouts=rollouts,
                          max_rollout_steps=max_rollout_steps)
    if view is not None:
        action = decide_from_view(module, kind, [tuple(pair) for pair in from_tagged(view)], player, config, seed)
    else:
        action = decide(module, kind, list(history or []), player, config, seed)
    if not isinstance(action, str):
        return {"action": None, "error": f"the model's action is a {type(action).__name__}, not a string"}
    return {"action": action, "error": None}
