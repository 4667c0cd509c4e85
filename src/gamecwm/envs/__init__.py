"""Generated games as environments for agents: PettingZoo (two agents) and Gymnasium (one seat).

```python
from gamecwm.envs import GameCWMEnv, GameCWMGymEnv

aec = GameCWMEnv("kuhn_poker")                              # the dataset reference, in this process
gym_env = GameCWMGymEnv("tic_tac_toe", source=program, opponent="mcts:sims=50")   # a program, sandboxed
```

The names are imported lazily, so that sandbox workers importing `gamecwm.envs.drivers` do not load
PettingZoo and Gymnasium.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "EnvConfig": "gamecwm.envs.config",
    "ExploreConfig": "gamecwm.envs.config",
    "GameCWMEnv": "gamecwm.envs.pettingzoo",
    "IllegalActionError": "gamecwm.envs.pettingzoo",
    "env": "gamecwm.envs.pettingzoo",
    "GameCWMGymEnv": "gamecwm.envs.gymnasium",
    "ActionTable": "gamecwm.envs.encoding",
    "ActionTableError": "gamecwm.envs.encoding",
    "ObservationEncodingError": "gamecwm.envs.encoding",
    "GameProgramError": "gamecwm.envs.backend",
    "EnvInfrastructureError": "gamecwm.envs.backend",
}

__all__ = [
    "ActionTable", "ActionTableError", "EnvConfig", "EnvInfrastructureError", "ExploreConfig", "GameCWMEnv",
    "GameCWMGymEnv", "GameProgramError", "IllegalActionError", "ObservationEncodingError", "env",
]


def __getattr__(name: str) -> Any:
    """Import an exported name on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'gamecwm.envs' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
