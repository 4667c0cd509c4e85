"""The dataset: one folder per game (rules, reference implementation, scenarios, metadata)."""

from gamecwm.games.registry import (
    GameInfo,
    UnknownGameError,
    dataset_version,
    game_names,
    get_game,
    list_games,
    load_reference,
    load_rules,
    load_scenarios,
)

__all__ = [
    "GameInfo",
    "UnknownGameError",
    "dataset_version",
    "game_names",
    "get_game",
    "list_games",
    "load_reference",
    "load_rules",
    "load_scenarios",
]
