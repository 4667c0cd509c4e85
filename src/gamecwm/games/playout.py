"""Random playouts of a GameCWM: the simplest way to exercise a game end to end."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from types import ModuleType

from gamecwm.games.runtime import pick_chance
from gamecwm.protocol import CHANCE_PLAYER_ID, TERMINAL_PLAYER_ID, Action, chance_outcomes


@dataclass
class Playout:
    """One played game: the actions taken, who took each, and how it ended."""

    actions: list[Action] = field(default_factory=list)
    players: list[int] = field(default_factory=list)
    rewards: list[float] = field(default_factory=lambda: [0.0, 0.0])
    terminal: bool = False


def random_playout(module: ModuleType, seed: int = 0, max_steps: int = 100_000) -> Playout:
    """Play uniformly random legal actions (chance by its probabilities) until the game ends.

    The draws are those of `random.Random(seed).choices` (chance) and `.choice` (moves), so a seed
    gives the same playout in every version; the verifier's reference histories are built from them.
    """
    rng = random.Random(seed)
    state = module.get_initial_state()
    playout = Playout()
    for _ in range(max_steps):
        player = module.get_current_player(state)
        if player == TERMINAL_PLAYER_ID:
            playout.terminal = True
            break
        if player == CHANCE_PLAYER_ID:
            outcomes = chance_outcomes(module, state)
            # random.choices scales one draw by the total weight; so does this, draw for draw.
            action = pick_chance(outcomes, rng.random() * sum(p for _, p in outcomes))
        else:
            action = rng.choice(module.get_legal_actions(state))
        playout.actions.append(action)
        playout.players.append(player)
        state = module.apply_action(state, action)
    else:
        playout.terminal = module.get_current_player(state) == TERMINAL_PLAYER_ID
    playout.rewards = [float(r) for r in module.get_rewards(state)]
    return playout
