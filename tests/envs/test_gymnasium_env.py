"""The single-agent Gymnasium wrapper: Gymnasium's check_env, opponents, illegal actions, seeding."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from gamecwm.envs.gymnasium import GameCWMGymEnv
from gamecwm.play.agents import AgentSpecError
from tests.envs.conftest import program


def run_episode(env: GameCWMGymEnv, seed: int) -> tuple[float, int]:
    """A random learner's episode: (its return, its number of steps)."""
    observation, _ = env.reset(seed=seed)
    rng = np.random.default_rng(seed)
    total, steps, done = 0.0, 0, False
    while not done:
        action = int(rng.choice(np.flatnonzero(observation["action_mask"])))
        observation, reward, terminated, truncated, info = env.step(action)
        assert info == {"illegal_action": False}
        total += reward
        steps += 1
        done = terminated or truncated
    return total, steps


def checked(env: GameCWMGymEnv) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_env(env)


@pytest.mark.parametrize("game, seat, opponent", [
    ("tic_tac_toe", 1, "mcts:sims=10"),
    ("kuhn_poker", 0, "random"),
    ("leduc_poker", 1, "ismcts:sims=10"),
    ("pig", 0, "random"),
])
def test_check_env_passes(game, seat, opponent):
    env = GameCWMGymEnv(game, seat=seat, opponent=opponent)
    checked(env)
    total, steps = run_episode(env, seed=1)
    assert steps >= 1
    assert total == env.aec.node.rewards[seat]
    env.close()


def test_check_env_passes_on_a_sandboxed_program_with_a_planning_opponent(env_pool):
    env = GameCWMGymEnv("tic_tac_toe", program("tic_tac_toe"), opponent="mcts:sims=10", pool=env_pool)
    checked(env)
    total, _ = run_episode(env, seed=2)
    assert total == env.aec.node.rewards[0]
    assert env.opponent_illegal_moves == 0


def test_mcts_opponent_beats_random_play():
    env = GameCWMGymEnv("tic_tac_toe", seat=1, opponent="mcts:sims=100")
    returns = [run_episode(env, seed)[0] for seed in range(8)]
    assert sum(returns) / len(returns) < -0.5


def test_episodes_are_reproducible_by_seed():
    env = GameCWMGymEnv("leduc_poker", opponent="random")
    first = (run_episode(env, 5), env.aec.history)
    assert (run_episode(env, 5), env.aec.history) == first


def test_illegal_actions_lose_or_are_replaced():
    env = GameCWMGymEnv("tic_tac_toe", opponent="random", illegal_reward=-2.0)
    observation, _ = env.reset(seed=0)
    env.step(int(np.flatnonzero(observation["action_mask"])[0]))
    observation = env.aec.observe(env.agent)
    illegal = int(np.flatnonzero(observation["action_mask"] == 0)[0])
    _obs, reward, terminated, truncated, info = env.step(illegal)
    assert (reward, terminated, truncated, info) == (-2.0, True, False, {"illegal_action": True})
    with pytest.raises(RuntimeError, match="reset"):
        env.step(illegal)

    lenient = GameCWMGymEnv("tic_tac_toe", opponent="random", illegal_action="random")
    lenient.reset(seed=0)
    lenient.step(0)
    before = len(lenient.aec.history)
    _obs, _reward, _terminated, _truncated, info = lenient.step(0)  # index 0 is taken by now
    assert info == {"illegal_action": True} and len(lenient.aec.history) > before


def test_games_that_end_before_the_learners_turn_are_skipped():
    leduc = GameCWMGymEnv("leduc_poker", seat=1, opponent="random")
    for seed in range(20):
        leduc.reset(seed=seed)
        assert leduc.aec.agent_selection == "player_1" and not leduc.aec.episode.over
    assert leduc.skipped_games > 0  # a first-move fold ends leduc before player 1 acts


def test_planner_must_suit_the_game():
    with pytest.raises(AgentSpecError, match="ismcts"):
        GameCWMGymEnv("kuhn_poker", opponent="mcts")
