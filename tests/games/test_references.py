"""Every registered game: metadata, rules, protocol over random playouts, and every scenario."""

from __future__ import annotations

import functools
import random
import re
from types import ModuleType

import pytest

from gamecwm.games import game_names, get_game, load_reference, load_rules, load_scenarios
from gamecwm.games.runtime import random_action
from gamecwm.games.scenarios import check_scenario, run_scenario
from gamecwm.protocol import CHANCE_PLAYER_ID, TERMINAL_PLAYER_ID, missing_functions
from tests.games.protocol_checks import MIN_PLAYOUTS, check_many_playouts

GAMES = game_names()
MIN_SCENARIOS = 6
NON_STRING_ACTIONS = [None, 3, ["play"], b"bytes", ("a", "b"), {"action": "x"}]
KIND_PLAYOUTS = 10
KIND_PLAYOUT_STEPS = 400


@functools.cache
def action_kinds(text: str) -> frozenset[str]:
    """The format of an action string, with the values taken out: `N_g1_f3` -> `X_X_X`, `play:K` -> `play:X`.

    Words of three or more letters stay (`deal`, `rotate`, `Draw upcard`); shorter letter runs and numbers
    become X, as does a `<placeholder>`. A comma-separated action gives the kinds of its parts, and long
    `_`-joined chains count as one kind.
    """
    kinds = set()
    for part in re.sub(r"<[^>]*>", "X", text).split(","):
        pieces = []
        for token in re.findall(r"[A-Za-z]+|\d+|[^A-Za-z\d]", part):
            if token.isalpha() and len(token) >= 3:
                pieces.append(token.lower())
            else:
                pieces.append("X" if token.isalnum() else token)
        kinds.add(re.sub(r"(_X){5,}", "_X_X_X_X", re.sub(r"X+", "X", "".join(pieces))))
    return frozenset(kinds)


def _reference_action_kinds(name: str) -> dict[str, str]:
    """Each action kind that is legal somewhere in seeded random games, with one action of that kind."""
    module = load_reference(name)
    found: dict[str, str] = {}
    for seed in range(KIND_PLAYOUTS):
        rng = random.Random(seed)
        state = module.get_initial_state()
        for _ in range(KIND_PLAYOUT_STEPS):
            player = module.get_current_player(state)
            if player == TERMINAL_PLAYER_ID:
                break
            legal = module.get_legal_actions(state)
            for action in legal:
                for kind in action_kinds(action):
                    found.setdefault(kind, action)
            action = random_action(module, state, rng) if player == CHANCE_PLAYER_ID else rng.choice(legal)
            state = module.apply_action(state, action)
    return found


def _replay_example(module: ModuleType, rules: str) -> list[tuple[str, int]]:
    """Apply the example's backquoted actions in order, skipping text that is not a legal action then.

    Returns the (action, mover) pairs applied. A token may list several actions separated by `, `.
    """
    sections = re.split(r"^## ", rules, flags=re.MULTILINE)
    example = "\n".join(s for s in sections if s.lower().startswith(("example", "worked example")))
    state = module.get_initial_state()
    replayed = []
    for token in re.findall(r"`([^`\n]+)`", example):
        for candidate in [token, *token.split(", ")]:
            player = module.get_current_player(state)
            if player != TERMINAL_PLAYER_ID and candidate in module.get_legal_actions(state):
                state = module.apply_action(state, candidate)
                replayed.append((candidate, player))
                break
    return replayed


@pytest.mark.parametrize("name", GAMES)
def test_reference_defines_the_protocol(name: str) -> None:
    info = get_game(name)
    module = load_reference(name)
    assert missing_functions(module, info.imperfect_information) == []


@pytest.mark.parametrize("name", GAMES)
def test_rules_name_every_action_format(name: str) -> None:
    """Every kind of action string the reference produces is shown in backquotes in the rules."""
    written = set().union(*(action_kinds(token) for token in re.findall(r"`([^`\n]+)`", load_rules(name))))
    missing = {kind: action for kind, action in _reference_action_kinds(name).items() if kind not in written}
    assert missing == {}, f"{name}: rules.md shows no action of these kinds (an example each): {missing}"


@pytest.mark.parametrize("name", GAMES)
def test_rules_example_replays_on_the_reference(name: str) -> None:
    """The actions written in the rules' example, read in order, are legal moves of the reference."""
    module = load_reference(name)
    replayed = _replay_example(module, load_rules(name))
    player_actions = [a for a, player in replayed if player != CHANCE_PLAYER_ID]
    assert len(replayed) >= 2 and player_actions, f"{name}: the example replays only {replayed}"


def test_action_kinds_tell_formats_apart() -> None:
    assert action_kinds("O-O") != action_kinds("N_g1_f3")
    assert action_kinds("P_e7_e8_Q") != action_kinds("P_e2_e4")
    assert action_kinds("`play:<rank>`".strip("`")) == action_kinds("play:K")
    assert action_kinds("bar/22,13/7") == action_kinds("bar/3") | action_kinds("24/18")
    assert action_kinds("jump_7_6_5_4_7_2_5_0") == action_kinds("jump_1_4_3_6_5_4")


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
    """Scenarios reach the end of the game with exact returns, for more than one way the game can end."""
    scenarios = load_scenarios(name)
    endings = [s for s in scenarios if s["expect"].get("terminal") or s["expect"].get("current_player") == -4]
    assert endings, f"{name}: no scenario reaches the end of the game"
    without_returns = [s["name"] for s in endings if "rewards" not in s["expect"]]
    assert without_returns == [], f"{name}: terminal scenarios without exact rewards: {without_returns}"
    assert len({tuple(s["expect"]["rewards"]) for s in endings}) >= 2, f"{name}: every ending has the same returns"


def _mid_game_state(module: ModuleType, seed: int = 7) -> dict:
    """The state halfway through a seeded random playout (never terminal)."""
    rng = random.Random(seed)
    states = [module.get_initial_state()]
    while module.get_current_player(states[-1]) != TERMINAL_PLAYER_ID:
        state = states[-1]
        if module.get_current_player(state) == CHANCE_PLAYER_ID:
            action = random_action(module, state, rng)
        else:
            action = rng.choice(module.get_legal_actions(state))
        states.append(module.apply_action(state, action))
    return states[(len(states) - 1) // 2]


def _malformed_variants(action: str) -> list[str]:
    """Strings close to a legal action: cut, extended, padded, re-cased, with numbers out of range."""
    return [
        "",
        action[:-1],
        action + "x",
        action + ",",
        " " + action,
        action.upper(),
        action.lower(),
        re.sub(r"\d+", "99", action),
        action.replace("_", "__"),
    ]


@pytest.mark.parametrize("name", GAMES)
def test_apply_action_raises_value_error_for_non_string_actions(name: str) -> None:
    module = load_reference(name)
    for state in (module.get_initial_state(), _mid_game_state(module)):
        assert module.get_current_player(state) != TERMINAL_PLAYER_ID
        for action in NON_STRING_ACTIONS:
            with pytest.raises(ValueError):
                module.apply_action(state, action)


@pytest.mark.parametrize("name", GAMES)
def test_apply_action_raises_value_error_for_malformed_actions(name: str) -> None:
    module = load_reference(name)
    for state in (module.get_initial_state(), _mid_game_state(module)):
        legal = module.get_legal_actions(state)
        for action in legal[:20]:
            for variant in _malformed_variants(action):
                if variant not in legal:
                    with pytest.raises(ValueError):
                        module.apply_action(state, variant)
