"""Every reference follows the template written down in src/gamecwm/games/README.md."""

from __future__ import annotations

import ast
import random
import re
from pathlib import Path

import pytest

from gamecwm.games import game_names, get_game, load_reference
from gamecwm.games.runtime import random_action
from gamecwm.protocol import (
    CHANCE_PLAYER_ID,
    IMPERFECT_INFORMATION_FUNCTIONS,
    OPTIONAL_FUNCTIONS,
    TERMINAL_PLAYER_ID,
)

GAMES = game_names()
GAMES_DIR = Path(__file__).resolve().parents[2] / "src" / "gamecwm" / "games"
FIRST_LINE = re.compile(r"^[A-Z][^\n]*: the reference GameCWM\.$")
# The API in protocol order; games define the subset they need.
API_ORDER = [*list(IMPERFECT_INFORMATION_FUNCTIONS)[:-1], *OPTIONAL_FUNCTIONS, "resample_history"]
LAYOUT_PLAYOUT_STEPS = 400


def _tree(name: str) -> ast.Module:
    return ast.parse((GAMES_DIR / name / "reference.py").read_text())


def _module_docstring(name: str) -> str:
    docstring = ast.get_docstring(_tree(name))
    assert docstring, f"{name}: the module has no docstring"
    return docstring


def _functions(tree: ast.Module) -> list[ast.FunctionDef]:
    return [node for node in tree.body if isinstance(node, ast.FunctionDef)]


def _body_without_docstring(function: ast.FunctionDef) -> list[ast.stmt]:
    if ast.get_docstring(function) is not None:
        return function.body[1:]
    return function.body


def _constant(tree: ast.Module, name: str) -> ast.expr | None:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return node.value
    return None


def _state_paragraph(docstring: str) -> str:
    paragraphs = docstring.split("\n\n")
    found = [p for p in paragraphs if p.startswith("State:")]
    return found[0] if found else ""


def _states_of_a_playout(name: str) -> list[dict]:
    module = load_reference(name)
    rng = random.Random(0)
    state = module.get_initial_state()
    states = [state]
    for _ in range(LAYOUT_PLAYOUT_STEPS):
        player = module.get_current_player(state)
        if player == TERMINAL_PLAYER_ID:
            break
        state = module.apply_action(state, random_action(module, state, rng))
        states.append(state)
    return states


@pytest.mark.parametrize("name", GAMES)
def test_docstring_first_line_follows_the_pattern(name: str) -> None:
    first_line, _, rest = _module_docstring(name).partition("\n")
    assert FIRST_LINE.match(first_line), f"{name}: first line {first_line!r}"
    assert rest.startswith("\n"), f"{name}: the first line must stand alone"


@pytest.mark.parametrize("name", GAMES)
def test_docstring_documents_every_state_field(name: str) -> None:
    paragraph = _state_paragraph(_module_docstring(name))
    assert paragraph, f"{name}: no paragraph starting with 'State:' in the module docstring"
    fields = {key for state in _states_of_a_playout(name) for key in state}
    undocumented = sorted(key for key in fields if f"`{key}`" not in paragraph)
    assert undocumented == [], f"{name}: state fields missing from the 'State:' paragraph: {undocumented}"


@pytest.mark.parametrize("name", GAMES)
def test_layout_constants_then_api_then_helpers(name: str) -> None:
    tree = _tree(name)
    api_positions = [
        i for i, node in enumerate(tree.body) if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
    ]
    assert api_positions, f"{name}: no API functions"
    first_api, last_api = api_positions[0], api_positions[-1]
    api_block = tree.body[first_api : last_api + 1]
    assert all(isinstance(node, ast.FunctionDef) and not node.name.startswith("_") for node in api_block), (
        f"{name}: the API functions must be consecutive"
    )
    names = [node.name for node in api_block]
    assert names == [n for n in API_ORDER if n in names], f"{name}: API order {names}"
    assert set(names) <= set(API_ORDER), f"{name}: public names outside the protocol: {set(names) - set(API_ORDER)}"
    after = tree.body[last_api + 1 :]
    assert all(isinstance(node, ast.FunctionDef) and node.name.startswith("_") for node in after), (
        f"{name}: only private helpers may follow the API"
    )
    before = tree.body[:first_api]
    assert not any(isinstance(node, ast.ClassDef) for node in tree.body), (
        f"{name}: classes are not part of the template"
    )
    table_builders = [node for node in before if isinstance(node, ast.FunctionDef)]
    assignments = ast.unparse(
        ast.Module(body=[n for n in before if isinstance(n, (ast.Assign, ast.AnnAssign))], type_ignores=[])
    )
    for builder in table_builders:
        assert re.search(rf"\b{builder.name}\(", assignments), (
            f"{name}: {builder.name} sits before the API but builds no constant table"
        )


@pytest.mark.parametrize("name", GAMES)
def test_constants_name_the_special_players(name: str) -> None:
    tree = _tree(name)
    terminal = _constant(tree, "TERMINAL")
    assert terminal is not None and ast.literal_eval(terminal) == TERMINAL_PLAYER_ID, f"{name}: TERMINAL = -4"
    chance = _constant(tree, "CHANCE")
    if get_game(name).chance:
        assert chance is not None and ast.literal_eval(chance) == CHANCE_PLAYER_ID, f"{name}: CHANCE = -1"
    else:
        assert chance is None, f"{name}: CHANCE is defined in a game without chance"


@pytest.mark.parametrize("name", GAMES)
def test_every_function_has_a_docstring_and_helpers_one_line(name: str) -> None:
    for function in _functions(_tree(name)):
        docstring = ast.get_docstring(function)
        assert docstring, f"{name}: {function.name} has no docstring"
        if function.name.startswith("_"):
            assert "\n" not in docstring, f"{name}: helper {function.name} needs a one-line docstring"


@pytest.mark.parametrize("name", GAMES)
def test_terminal_is_stored_as_the_current_player(name: str) -> None:
    function = next(f for f in _functions(_tree(name)) if f.name == "get_current_player")
    body = [ast.unparse(node) for node in _body_without_docstring(function)]
    assert body == ["return state['current_player']"], f"{name}: get_current_player is {body}"


@pytest.mark.parametrize("name", GAMES)
def test_player_names_come_from_one_table_with_one_fallback(name: str) -> None:
    tree = _tree(name)
    function = next(f for f in _functions(tree) if f.name == "get_player_name")
    body = _body_without_docstring(function)
    assert len(body) == 1 and isinstance(body[0], ast.Return), f"{name}: get_player_name must be one return"
    call = body[0].value
    assert (
        isinstance(call, ast.Call)
        and ast.unparse(call.func) == "PLAYER_NAMES.get"
        and len(call.args) == 2
        and ast.unparse(call.args[0]) == "player_id"
    ), f"{name}: get_player_name must return PLAYER_NAMES.get(player_id, <fallback>)"
    # The fallback is a fixed name, or (where the spec says so) derived from the id alone.
    fallback = call.args[1]
    names_in_fallback = {node.id for node in ast.walk(fallback) if isinstance(node, ast.Name)}
    assert names_in_fallback <= {"player_id", "str"}, f"{name}: fallback {ast.unparse(fallback)}"
    assert isinstance(_constant(tree, "PLAYER_NAMES"), ast.Dict), f"{name}: PLAYER_NAMES must be a dict literal"
    table = load_reference(name).PLAYER_NAMES
    expected_ids = {0, 1, CHANCE_PLAYER_ID} if get_game(name).chance else {0, 1}
    assert expected_ids <= set(table), f"{name}: PLAYER_NAMES lacks {expected_ids - set(table)}"
    assert list(table)[:2] == [0, 1], f"{name}: PLAYER_NAMES lists players 0 and 1 first"


@pytest.mark.parametrize("name", GAMES)
def test_the_new_state_is_copied_one_way(name: str) -> None:
    source = (GAMES_DIR / name / "reference.py").read_text()
    assert "deepcopy" not in source and "import copy" not in source, f"{name}: deepcopy is not the template"
    assert "{**state" not in source, f"{name}: copy the state with dict(state), not {{**state, ...}}"
    assert not re.search(r"\bnew_state\b", source), f"{name}: the copied state is called next_state"
