"""The game-runtime kernel: canonical text, chance draws, random playouts and action-space exploration."""

from __future__ import annotations

import random
from collections import OrderedDict
from types import SimpleNamespace
from typing import Any

import pytest

from gamecwm.games.exploration import explore
from gamecwm.games.playout import random_playout
from gamecwm.games.registry import list_games, load_reference
from gamecwm.games.runtime import canonical, exact_builtin, pick_chance
from gamecwm.protocol import CHANCE_PLAYER_ID, TERMINAL_PLAYER_ID, chance_outcomes

# Numbers that compare equal across int, float and bool: each group holds interchangeable spellings.
EQUAL_NUMBERS = [(0, 0.0, False, -0.0), (1, 1.0, True), (2, 2.0), (-3, -3.0), (10**20, 1e20), (0.5,), (-2.25,)]


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    """A random nested value of strings, numbers, None, lists, tuples, dicts, sets and frozensets."""
    kinds = ["number", "text", "none"] + (["list", "tuple", "dict", "set", "frozenset"] if depth < 4 else [])
    kind = rng.choice(kinds)
    if kind == "number":
        return rng.choice(rng.choice(EQUAL_NUMBERS))
    if kind == "text":
        return rng.choice(["", "a", "b", "é", "1", "(1,)", '"q"'])
    if kind == "none":
        return None
    size = rng.randrange(4)
    if kind in ("list", "tuple"):
        items = [_random_value(rng, depth + 1) for _ in range(size)]
        return items if kind == "list" else tuple(items)
    hashables = [_random_hashable(rng, depth + 1) for _ in range(size)]
    if kind == "dict":
        return {key: _random_value(rng, depth + 1) for key in hashables}
    return set(hashables) if kind == "set" else frozenset(hashables)


def _random_hashable(rng: random.Random, depth: int) -> Any:
    value = _random_value(rng, max(depth, 4))  # scalars only ...
    if rng.random() < 0.3:  # ... or a tuple of them
        value = tuple(_random_value(rng, 4) for _ in range(rng.randrange(3)))
    return value


def _equal_variant(value: Any, rng: random.Random) -> Any:
    """An equal value built differently: other number types, other insertion orders, other container classes."""
    if isinstance(value, (bool, int, float)):
        group = next((g for g in EQUAL_NUMBERS if value in g), (value,))
        return rng.choice([n for n in group if n == value])
    if isinstance(value, list):
        return [_equal_variant(item, rng) for item in value]
    if isinstance(value, tuple):
        return tuple(_equal_variant(item, rng) for item in value)
    if isinstance(value, dict):
        items = [(_equal_variant(k, rng), _equal_variant(v, rng)) for k, v in value.items()]
        rng.shuffle(items)
        return OrderedDict(items) if rng.random() < 0.3 else dict(items)
    if isinstance(value, (set, frozenset)):
        items = [_equal_variant(item, rng) for item in value]
        rng.shuffle(items)
        built: set[Any] = set()
        for item in items:  # insertion order decides a set's iteration order when hashes collide
            built.add(item)
        return frozenset(built) if rng.random() < 0.5 else built
    return value


def test_equal_values_give_equal_canonical_text_whatever_their_container_types() -> None:
    rng = random.Random(20)
    for _ in range(3_000):
        value = _random_value(rng)
        variant = _equal_variant(value, rng)
        assert variant == value
        assert canonical(variant) == canonical(value), (value, variant)


def test_colliding_set_members_and_equal_numbers_share_one_text() -> None:
    first, second = {1, 9}, {9, 1}  # 1 and 9 collide in a small set table: they iterate in insertion order
    assert repr(first) != repr(second)
    assert canonical({"hand": first, (0, 1): 1}) == canonical({(0, 1.0): True, "hand": second})
    assert canonical({1: "a"}) == canonical({1.0: "a"}) == canonical({True: "a"})


def test_unequal_values_give_unequal_text() -> None:
    rng = random.Random(21)
    values = [_random_value(rng) for _ in range(2_000)]
    by_text: dict[str, Any] = {}
    for value in values:
        seen = by_text.setdefault(canonical(value), value)
        assert seen == value, (seen, value)
    assert canonical([1, 2]) != canonical((1, 2)) and canonical("1") != canonical(1)


class _LyingInt(int):
    def __int__(self) -> int:
        return 99


class _LyingFloat(float):
    def __float__(self) -> float:
        return 0.5


class _LyingStr(str):
    def __str__(self) -> str:
        return "lie"


class _LyingList(list):
    def __iter__(self):
        return iter(["lie"])


class _LyingTuple(tuple):
    def __iter__(self):
        return iter(["lie"])


class _LyingDict(dict):
    def items(self):
        return [("lie", 1)]

    def __iter__(self):
        return iter(["lie"])


def test_subclasses_of_builtin_types_are_read_as_the_builtin_without_their_overrides() -> None:
    cases = [(_LyingInt(7), 7), (_LyingFloat(2.5), 2.5), (_LyingStr("x"), "x"), (_LyingList([1, 2]), [1, 2]),
             (_LyingTuple((1, 2)), (1, 2)), (_LyingDict(a=1), {"a": 1})]
    for value, plain in cases:
        exact = exact_builtin(value)
        assert type(exact) is type(plain) and exact == plain
        assert canonical(value) == canonical(plain)
    with pytest.raises(TypeError):
        exact_builtin({1, 2})


def test_chance_outcomes_are_picked_by_probability() -> None:
    outcomes = [("a", 0.25), ("b", 0.5), ("c", 0.25)]
    assert [pick_chance(outcomes, u) for u in (0.0, 0.24, 0.25, 0.74, 0.75, 0.999)] == ["a", "a", "b", "b", "c", "c"]
    with pytest.raises(ValueError):
        pick_chance([], 0.5)


def _playout_by_choices(module: Any, seed: int, max_steps: int) -> list[str]:
    """A random playout drawn with `random.choices` (chance) and `random.choice` (moves), as earlier versions drew."""
    rng = random.Random(seed)
    state, actions = module.get_initial_state(), []
    for _ in range(max_steps):
        player = module.get_current_player(state)
        if player == TERMINAL_PLAYER_ID:
            break
        if player == CHANCE_PLAYER_ID:
            outcomes = chance_outcomes(module, state)
            action = rng.choices([a for a, _ in outcomes], weights=[p for _, p in outcomes], k=1)[0]
        else:
            action = rng.choice(module.get_legal_actions(state))
        actions.append(action)
        state = module.apply_action(state, action)
    return actions


@pytest.mark.parametrize("name", [game.name for game in list_games()])
def test_random_playouts_keep_their_seeded_draws(name: str) -> None:
    module = load_reference(name)
    for seed in (0, 7):
        assert random_playout(module, seed=seed, max_steps=400).actions == _playout_by_choices(module, seed, 400)


def _number_game() -> SimpleNamespace:
    """Two moves, each adding 1 as an int ("int") or a float ("float"): equal totals are equal states."""
    def get_current_player(state: dict) -> int:
        return TERMINAL_PLAYER_ID if state["moves"] == 2 else state["moves"]

    return SimpleNamespace(
        get_initial_state=lambda: {"total": 0, "moves": 0},
        get_current_player=get_current_player,
        get_legal_actions=lambda state: ["float", "int"],
        apply_action=lambda state, action: {"total": state["total"] + (1.0 if action == "float" else 1),
                                            "moves": state["moves"] + 1},
        get_rewards=lambda state: [float(state["total"]), -float(state["total"])],
    )


def test_exploration_tells_states_apart_by_canonical_text() -> None:
    found = explore(_number_game())
    assert found.complete and found.states == 3  # totals 0, 1 and 2, however they were spelled
    assert found.player_actions == {"float", "int"} and found.terminal_rewards == {(2.0, -2.0)}
    assert found.max_depth == 2 and not found.chance_outcomes


def test_exploration_is_exhaustive_on_small_games() -> None:
    found = explore(load_reference("kuhn_poker"))
    assert found.complete and found.player_actions == {"Call", "Fold", "Raise"}
    assert found.chance_outcomes == {"JQ", "JK", "QJ", "QK", "KJ", "KQ"} and found.max_depth == 4
    assert found.terminal_rewards == {(1.0, -1.0), (-1.0, 1.0), (2.0, -2.0), (-2.0, 2.0)}


def test_exploration_is_capped_and_seeded_on_large_games() -> None:
    chess = load_reference("chess")
    found = explore(chess, max_states=50, playouts=2, seed=0, max_playout_length=40)
    assert not found.complete and found.states == 50 and 20 <= len(found.player_actions) < 1_000
    again = explore(chess, max_states=50, playouts=2, seed=0, max_playout_length=40)
    assert again.player_actions == found.player_actions and again.max_depth == found.max_depth
    capped = explore(chess, max_states=10_000, playouts=5, seed=0, max_actions=25)
    assert len(capped.player_actions) >= 25 and not capped.complete
    budget = explore(chess, max_states=1, playouts=100, seed=0, max_playout_steps=30)
    assert budget.max_depth <= 30


def test_exploration_refuses_actions_that_are_not_strings() -> None:
    game = _number_game()
    game.get_legal_actions = lambda state: [1, 2]
    with pytest.raises(ValueError, match="not a string"):
        explore(game)
