"""The PettingZoo AEC environment: PettingZoo's API test, rewards, chance, programs in the sandbox."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from pettingzoo.test import api_test

from gamecwm.envs.config import EnvConfig
from gamecwm.envs.encoding import ObservationEncodingError
from gamecwm.envs.pettingzoo import GameCWMEnv, IllegalActionError, env
from gamecwm.envs.spaces import decode_text
from tests.envs.conftest import program

PIG_SHAPE = (6,)  # pig's observation: current_player, player_actions, scores (2), turn_player, turn_total


def play_random(aec: GameCWMEnv, seed: int, rng_seed: int = 0) -> dict[str, float]:
    """Play one episode with uniformly random masked actions; return each agent's total reward."""
    aec.reset(seed=seed)
    rng = np.random.default_rng(rng_seed)
    totals = {agent: 0.0 for agent in aec.possible_agents}
    for agent in aec.agent_iter():
        observation, reward, terminated, truncated, _info = aec.last()
        totals[agent] += reward
        action = None if terminated or truncated else int(rng.choice(np.flatnonzero(observation["action_mask"])))
        aec.step(action)
    return totals


def run_api_test(aec: GameCWMEnv) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        api_test(aec, num_cycles=1000)


@pytest.mark.parametrize("game", ["tic_tac_toe", "kuhn_poker", "leduc_poker", "pig", "goofspiel", "battleship"])
def test_api_test_passes_on_references(game):
    aec = env(game)
    run_api_test(aec)
    assert aec.possible_agents == ["player_0", "player_1"]
    assert str(aec.unwrapped) == f"gamecwm_{game}_v0"


def test_api_test_passes_with_vector_observations():
    aec = GameCWMEnv("pig", config=EnvConfig(observation_shape=PIG_SHAPE))
    run_api_test(aec)
    aec.reset(seed=0)
    observation = aec.observe("player_0")["observation"]
    assert observation.dtype == np.float32 and observation.shape == PIG_SHAPE
    assert observation.tolist() == [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]


def test_text_observation_is_the_canonical_json_of_the_players_observation():
    aec = GameCWMEnv("kuhn_poker")
    aec.reset(seed=3)
    for agent in aec.possible_agents:
        text = decode_text(aec.observe(agent)["observation"])
        assert text == aec.observation_text(agent)
        assert text.isascii() and " " not in text
    own, other = aec.observation_text("player_0"), aec.observation_text("player_1")
    assert own != other  # each player sees its own card


def test_vector_form_refuses_observations_with_strings():
    aec = GameCWMEnv("tic_tac_toe", config=EnvConfig(observation="vector", observation_shape=(9,)))
    with pytest.raises(ObservationEncodingError, match="not a number"):
        aec.observe("player_0")
    with pytest.raises(ObservationEncodingError, match="needs an observation shape"):
        GameCWMEnv("tic_tac_toe", config=EnvConfig(observation="vector"))


def test_rewards_add_up_to_the_final_rewards_and_episodes_terminate():
    aec = GameCWMEnv("leduc_poker")
    for seed in range(5):
        totals = play_random(aec, seed, seed)
        final = aec.node.rewards
        assert aec.node.terminal
        assert totals == {"player_0": final[0], "player_1": final[1]}
        assert final[0] == -final[1] != 0


def test_chance_is_seeded():
    aec = GameCWMEnv("pig")
    play_random(aec, seed=11)
    first = aec.history
    play_random(aec, seed=11)
    assert aec.history == first
    play_random(aec, seed=12)
    assert aec.history != first


def test_mask_marks_exactly_the_legal_actions_of_the_agent_to_move():
    aec = GameCWMEnv("tic_tac_toe")
    aec.reset(seed=0)
    assert aec.table.complete and aec.table.overflow == 0
    mover = aec.agent_selection
    other = next(a for a in aec.possible_agents if a != mover)
    mask = aec.observe(mover)["action_mask"]
    assert sorted(aec.action_string(i) for i in np.flatnonzero(mask)) == sorted(aec.legal_actions())
    assert not aec.observe(other)["action_mask"].any()
    illegal = int(np.flatnonzero(mask == 0)[0])
    with pytest.raises(IllegalActionError):
        aec.step(illegal)


def test_overflow_slots_play_actions_outside_a_given_table():
    aec = GameCWMEnv("tic_tac_toe", config=EnvConfig(actions=["not-a-move"], overflow_actions=16))
    totals = play_random(aec, seed=0)
    assert aec.node.terminal and sum(totals.values()) == sum(aec.node.rewards)
    assert aec.table.size == 17


def test_programs_run_in_the_sandbox_and_match_the_reference(env_pool):
    game = "liars_dice"
    sandboxed = GameCWMEnv(game, program(game), pool=env_pool)
    run_api_test(sandboxed)
    local = GameCWMEnv(game)
    for seed in range(2):
        assert play_random(sandboxed, seed, seed) == play_random(local, seed, seed)
        assert sandboxed.history == local.history


def test_a_program_can_declare_its_observation_shape(env_pool):
    source = program("pig", f"\nOBSERVATION_SHAPE = {PIG_SHAPE}\n")
    aec = GameCWMEnv("pig", source, pool=env_pool, config=EnvConfig(max_steps=60))
    assert aec.observation_space("player_0")["observation"].shape == PIG_SHAPE
    run_api_test(aec)


def test_long_episodes_are_truncated():
    aec = GameCWMEnv("pig", config=EnvConfig(max_steps=20))
    play_random(aec, seed=0)
    assert len(aec.history) == 20 and not aec.node.terminal
    aec.reset(seed=0)
    while not any(aec.truncations.values()):
        aec.step(int(np.flatnonzero(aec.observe(aec.agent_selection)["action_mask"])[0]))
    assert all(aec.truncations.values()) and not any(aec.terminations.values())
