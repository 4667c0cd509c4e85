"""Every registered game: metadata, rules, protocol over random playouts, and every scenario."""

from __future__ import annotations

import pytest

from gamecwm.games import game_names, get_game, load_reference, load_rules, load_scenarios
from gamecwm.games.scenarios import check_scenario, run_scenario
from gamecwm.protocol import missing_functions
from tests.games.protocol_checks import MIN_PLAYOUTS, check_many_playouts

GAMES = game_names()
MIN_SCENARIOS = 6


@pytest.mark.parametrize("name", GAMES)
def test_reference_defines_the_protocol(name: str) -> None:
    info = get_game(name)
    module = load_reference(name)
    assert missing_functions(module, info.imperfect_information) == []


@pytest.mark.parametrize("name", GAMES)
def test_rules_state_the_action_format_and_an_example(name: str) -> None:
    rules = load_rules(name)
    assert len(rules) > 500
    lowered = rules.lower()
    assert "action" in lowered and "example" in lowered


@pytest.mark.parametrize("name", GAMES)
def test_random_playouts_follow_the_protocol(name: str) -> None:
    info = get_game(name)
    module = load_reference(name)
    assert check_many_playouts(module, info) >= MIN_PLAYOUTS


@pytest.mark.parametrize("name", GAMES)
def test_scenarios_hold(name: str) -> None:
    module = load_reference(name)
    scenarios = load_scenarios(name)
    assert len(scenarios) >= MIN_SCENARIOS, f"{name} has only {len(scenarios)} scenarios"
    failures = {}
    for scenario in scenarios:
        problems = check_scenario(scenario, run_scenario(module, scenario))
        if problems:
            failures[scenario["name"]] = problems
    assert failures == {}


@pytest.mark.parametrize("name", GAMES)
def test_scenarios_cover_terminal_states(name: str) -> None:
    scenarios = load_scenarios(name)
    assert any(s["expect"].get("terminal") or s["expect"].get("current_player") == -4 for s in scenarios)
