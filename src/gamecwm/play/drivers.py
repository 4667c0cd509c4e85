"""Sandbox drivers for planning with an untrusted GameCWM (run inside the worker, next to the candidate).

The parent sends the true game's action history; the driver replays it on the candidate model and
runs the search there, returning only the chosen action as plain data. The parent checks that action
against the true game; nothing the candidate computes is trusted beyond being a string to check.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from gamecwm.play.mcts import SearchConfig
from gamecwm.play.planner import decide


def choose_action(module: ModuleType, kind: str, history: list[str], player: int, simulations: int,
                  exploration: float, rollouts: int, max_rollout_steps: int, seed: int) -> dict[str, Any]:
    """Plan one decision with the candidate `module`: `{"action": str or None, "error": text or None}`.

    An action that is not a string comes back as `None` with the reason in `error`.
    """
    config = SearchConfig(simulations=simulations, exploration=exploration, rollouts=rollouts,
                          max_rollout_steps=max_rollout_steps)
    action = decide(module, kind, list(history), player, config, seed)
    if not isinstance(action, str):
        return {"action": None, "error": f"the model's action is a {type(action).__name__}, not a string"}
    return {"action": action, "error": None}
