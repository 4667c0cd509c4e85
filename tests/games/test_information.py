"""Imperfect-information games: resample_history replays legally and reproduces a player's view."""

from __future__ import annotations

import random
import statistics
import time
from types import ModuleType

import pytest

from gamecwm.games import list_games, load_reference
from gamecwm.games.information import player_view, view_mismatch
from gamecwm.games.playout import random_playout
from gamecwm.games.runtime import random_action
from gamecwm.protocol import CHANCE_PLAYER_ID, TERMINAL_PLAYER_ID

IMPERFECT_GAMES = [g.name for g in list_games(information="imperfect")]
HISTORIES = 60
RESAMPLES_PER_VIEW = 3
# Speed: the median CPU time of a few resamples of the longest histories (CPU time, not wall-clock time,
# so that a busy machine does not make the test fail; the median, so that one slow sample does not either).
STALLING_PLAYOUTS = 8
TIMED_RESAMPLES = 5
MEDIAN_RESAMPLE_CPU_S = 0.5


def _random_prefix(module, seed: int) -> list[str]:
    playout = random_playout(module, seed=seed)
    cut = random.Random(seed).randint(0, len(playout.actions))
    return playout.actions[:cut]


@pytest.mark.parametrize("name", IMPERFECT_GAMES)
def test_resample_history_reproduces_the_players_view(name: str) -> None:
    module = load_reference(name)
    for seed in range(HISTORIES):
        actions = _random_prefix(module, seed)
        for player in (0, 1):
            view = player_view(module, actions, player)
            for _ in range(RESAMPLES_PER_VIEW):
                history = module.resample_history(view, player)
                problem = view_mismatch(module, history, player, view)
                assert problem is None, f"seed {seed}, player {player}, actions {actions}: {problem}"


@pytest.mark.parametrize("name", IMPERFECT_GAMES)
def test_resample_history_of_nothing_is_empty(name: str) -> None:
    assert load_reference(name).resample_history([], 0) == []


def _stalling_playout(module: ModuleType, seed: int) -> list[str]:
    """A whole game in which players avoid ending it while they can: the long histories resampling must handle."""
    rng = random.Random(seed)
    state = module.get_initial_state()
    actions: list[str] = []
    while (player := module.get_current_player(state)) != TERMINAL_PLAYER_ID:
        if player == CHANCE_PLAYER_ID:
            action = random_action(module, state, rng)
        else:
            legal = module.get_legal_actions(state)
            going_on = [
                a for a in legal if module.get_current_player(module.apply_action(state, a)) != TERMINAL_PLAYER_ID
            ]
            action = rng.choice(going_on or legal)
        state = module.apply_action(state, action)
        actions.append(action)
    return actions


@pytest.mark.parametrize("name", IMPERFECT_GAMES)
def test_resample_is_fast_on_the_longest_games(name: str) -> None:
    module = load_reference(name)
    longest = max((_stalling_playout(module, seed) for seed in range(STALLING_PLAYOUTS)), key=len)
    for player in (0, 1):
        for cut in (len(longest) - 1, len(longest)):
            view = player_view(module, longest[:cut], player)
            cpu_times = []
            for _ in range(TIMED_RESAMPLES):
                started = time.process_time()
                history = module.resample_history(view, player)
                cpu_times.append(time.process_time() - started)
                assert view_mismatch(module, history, player, view) is None
            assert statistics.median(cpu_times) < MEDIAN_RESAMPLE_CPU_S, (
                f"player {player}, {cut} actions: median {statistics.median(cpu_times):.3f}s CPU"
            )
