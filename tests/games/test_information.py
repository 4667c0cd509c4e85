"""Imperfect-information games: resample_history replays legally and reproduces a player's view."""

from __future__ import annotations

import random
import time

import pytest

from gamecwm.games import list_games, load_reference
from gamecwm.games.information import player_view, view_mismatch
from gamecwm.games.playout import random_playout

IMPERFECT_GAMES = [g.name for g in list_games(information="imperfect")]
HISTORIES = 60
RESAMPLES_PER_VIEW = 3
SLOWEST_RESAMPLE_S = 1.0


def _random_prefix(module, seed: int) -> list[str]:
    playout = random_playout(module, seed=seed)
    cut = random.Random(seed).randint(0, len(playout.actions))
    return playout.actions[:cut]


@pytest.mark.parametrize("name", IMPERFECT_GAMES)
def test_resample_history_reproduces_the_players_view(name: str) -> None:
    module = load_reference(name)
    slowest = 0.0
    for seed in range(HISTORIES):
        actions = _random_prefix(module, seed)
        for player in (0, 1):
            view = player_view(module, actions, player)
            for _ in range(RESAMPLES_PER_VIEW):
                started = time.perf_counter()
                history = module.resample_history(view, player)
                slowest = max(slowest, time.perf_counter() - started)
                problem = view_mismatch(module, history, player, view)
                assert problem is None, f"seed {seed}, player {player}, actions {actions}: {problem}"
    assert slowest < SLOWEST_RESAMPLE_S


@pytest.mark.parametrize("name", IMPERFECT_GAMES)
def test_resample_history_of_nothing_is_empty(name: str) -> None:
    assert load_reference(name).resample_history([], 0) == []
