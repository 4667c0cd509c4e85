"""A random agent over every dataset game: every episode ends, with the game's own final rewards."""

from __future__ import annotations

import numpy as np
import pytest

from gamecwm.envs.config import EnvConfig, ExploreConfig
from gamecwm.envs.pettingzoo import GameCWMEnv
from gamecwm.games.registry import game_names

# Small exploration caps keep this fast; the overflow slots keep every legal action playable.
CONFIG = EnvConfig(explore=ExploreConfig(max_states=500, playouts=10, max_playout_steps=1_000))


@pytest.mark.parametrize("game", game_names())
def test_random_agents_finish_every_episode(game):
    aec = GameCWMEnv(game, config=CONFIG)
    rng = np.random.default_rng(0)
    for seed in range(2):
        aec.reset(seed=seed)
        totals = dict.fromkeys(aec.possible_agents, 0.0)
        for agent in aec.agent_iter():
            observation, reward, terminated, truncated, _info = aec.last()
            totals[agent] += reward
            if terminated or truncated:
                assert terminated and not truncated, f"{game} was truncated after {len(aec.history)} actions"
                aec.step(None)
                continue
            assert observation in aec.observation_space(agent)
            aec.step(int(rng.choice(np.flatnonzero(observation["action_mask"]))))
        assert aec.agents == []
        assert aec.node.terminal
        assert totals == pytest.approx({"player_0": aec.node.rewards[0], "player_1": aec.node.rewards[1]})
