"""Shared checks that every reference implementation must pass over random playouts."""

from __future__ import annotations

import copy
import math
import random
import time
from types import ModuleType

from gamecwm.games.registry import GameInfo
from gamecwm.games.runtime import random_action
from gamecwm.protocol import CHANCE_PLAYER_ID, PROBABILITY_TOLERANCE, TERMINAL_PLAYER_ID, chance_outcomes

# Every game gets up to this many playouts, as many as fit in the time budget (at least the minimum).
MAX_PLAYOUTS = 200
MIN_PLAYOUTS = 20
TIME_BUDGET_S = 2.0
# Deep-copy-and-compare (the no-mutation check) on every step of long games is costly; check it on
# every step of the first playouts and at sampled steps afterwards.
FULL_MUTATION_CHECK_PLAYOUTS = 10


def check_playout(module: ModuleType, info: GameInfo, seed: int, check_every_step: bool) -> int:
    """Play one seeded random game, asserting the protocol at every step. Returns its length."""
    rng = random.Random(seed)
    state = module.get_initial_state()
    history: list[str] = []
    for _ in range(info.max_game_length + 1):
        player = module.get_current_player(state)
        rewards = module.get_rewards(state)
        assert len(rewards) == 2 and all(isinstance(r, (int, float)) and math.isfinite(r) for r in rewards), (
            f"rewards {rewards!r} after {history}"
        )
        observations = module.get_observations(state)
        assert isinstance(observations, list) and len(observations) == 2, f"observations after {history}"
        if not info.imperfect_information:
            assert observations[0] == observations[1], f"perfect-information observations differ after {history}"
        legal = module.get_legal_actions(state)
        assert all(isinstance(a, str) for a in legal), f"non-string action after {history}"
        assert len(set(legal)) == len(legal), f"duplicate legal actions {legal} after {history}"
        if player == TERMINAL_PLAYER_ID:
            assert legal == [], f"terminal state has legal actions {legal} after {history}"
            return len(history)
        assert player in (0, 1, CHANCE_PLAYER_ID), f"player {player} after {history}"
        assert legal, f"non-terminal state without legal actions after {history}"
        if player == CHANCE_PLAYER_ID:
            outcomes = chance_outcomes(module, state)
            assert sorted(a for a, _ in outcomes) == sorted(legal), f"chance outcomes != legal after {history}"
            assert all(p > 0 for _, p in outcomes), f"non-positive chance probability after {history}"
            total = sum(p for _, p in outcomes)
            assert abs(total - 1.0) < PROBABILITY_TOLERANCE, f"chance probabilities sum to {total} after {history}"
            action = random_action(module, state, rng)
        else:
            action = rng.choice(legal)
        check_now = check_every_step or rng.random() < 0.1
        before = copy.deepcopy(state) if check_now else None
        next_state = module.apply_action(state, action)
        if check_now:
            assert state == before, f"apply_action mutated its input at {action!r} after {history}"
        assert isinstance(next_state, dict), f"apply_action returned {type(next_state).__name__}"
        state = next_state
        history.append(action)
    raise AssertionError(f"{info.name}: playout longer than max_game_length {info.max_game_length}: {history[:50]}...")


def check_many_playouts(module: ModuleType, info: GameInfo, base_seed: int = 0) -> int:
    """Run seeded playouts (up to MAX_PLAYOUTS, within the time budget). Returns how many ran."""
    started = time.perf_counter()
    count = 0
    while count < MAX_PLAYOUTS:
        if count >= MIN_PLAYOUTS and time.perf_counter() - started > TIME_BUDGET_S:
            break
        check_playout(module, info, base_seed + count, check_every_step=count < FULL_MUTATION_CHECK_PLAYOUTS)
        count += 1
    return count
