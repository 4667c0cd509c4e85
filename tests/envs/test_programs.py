"""Generated programs that misbehave: their failures surface as GameProgramError, never as wrong play."""

from __future__ import annotations

import numpy as np
import pytest

from gamecwm.envs.backend import GameProgramError
from gamecwm.envs.config import EnvConfig
from gamecwm.envs.pettingzoo import GameCWMEnv
from gamecwm.envs.session import parse_node
from tests.envs.conftest import program

# Tic-tac-toe whose third move crashes the program.
CRASH_LATE = """
_reference_apply = apply_action
def apply_action(state, action):
    if sum(cell != "" for row in state["board"] for cell in row) >= 2:
        raise RuntimeError("boom")
    return _reference_apply(state, action)
"""
# Tic-tac-toe that never ends: it says player 0 is always to move with one action.
ENDLESS = """
def get_current_player(state):
    return 0
def get_legal_actions(state):
    return ["again"]
def apply_action(state, action):
    return dict(state)
"""


def first_legal(aec: GameCWMEnv) -> int:
    return int(np.flatnonzero(aec.observe(aec.agent_selection)["action_mask"])[0])


def test_a_crashing_program_raises_game_program_error(env_pool):
    # The table is given: exploring this program would already meet the crash.
    table = [f"{mark}({r},{c})" for mark in "xo" for r in range(3) for c in range(3)]
    aec = GameCWMEnv("tic_tac_toe", program("tic_tac_toe", CRASH_LATE), pool=env_pool,
                     config=EnvConfig(actions=table, overflow_actions=0))
    aec.reset(seed=0)
    aec.step(first_legal(aec))
    aec.step(first_legal(aec))
    with pytest.raises(GameProgramError, match="boom"):
        aec.step(first_legal(aec))


def test_a_program_that_never_ends_is_truncated(env_pool):
    aec = GameCWMEnv("tic_tac_toe", program("tic_tac_toe", ENDLESS), pool=env_pool, config=EnvConfig(max_steps=5))
    assert aec.table.actions == ("again",)
    for _ in range(5):
        assert aec.agent_selection == "player_0"
        aec.step(0)
    assert all(aec.truncations.values()) and aec.history == ["again"] * 5


def test_a_program_that_does_not_import_fails_at_construction(env_pool):
    with pytest.raises(GameProgramError):
        GameCWMEnv("tic_tac_toe", "raise SystemExit(3)\n", pool=env_pool)


@pytest.mark.parametrize("answer, message", [
    ({"player": 7}, "get_current_player"),
    ({"player": 0, "legal_actions": []}, "no legal actions"),
    ({"player": 0, "legal_actions": ["a", "a"]}, "twice"),
    ({"player": 0, "legal_actions": ["a"], "rewards": [0, float("nan")]}, "finite"),
    ({"player": 0, "legal_actions": ["a"], "rewards": [0, 0], "observations": [{}]}, "one observation per player"),
])
def test_malformed_descriptions_are_refused(answer, message):
    with pytest.raises(GameProgramError, match=message):
        parse_node(answer)
