"""The GameCWM protocol as code: constants, type aliases, required functions and module loading.

A GameCWM is a plain Python module with module-level functions (no classes). States are dicts and
actions are strings. Every other part of gamecwm (the verifier, the planners, the environments) talks
to a game only through the names defined here.
"""

from __future__ import annotations

import importlib.util
import inspect
import itertools
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

State = dict[str, Any]
Action = str
PlayerId = int
Observation = Any
ObsActionHistory = list[tuple[Observation, Action | None]]

PLAYER_IDS: tuple[int, int] = (0, 1)
CHANCE_PLAYER_ID = -1
TERMINAL_PLAYER_ID = -4

# name -> number of positional arguments, in the order a game file defines them.
PERFECT_INFORMATION_FUNCTIONS: dict[str, int] = {
    "get_initial_state": 0,
    "get_current_player": 1,
    "get_player_name": 1,
    "get_legal_actions": 1,
    "apply_action": 2,
    "get_rewards": 1,
    "get_observations": 1,
}
IMPERFECT_INFORMATION_FUNCTIONS: dict[str, int] = {
    **PERFECT_INFORMATION_FUNCTIONS,
    "resample_history": 2,
}
OPTIONAL_FUNCTIONS: dict[str, int] = {
    "get_chance_outcomes": 1,
}

# Chance probabilities must sum to one within this tolerance.
PROBABILITY_TOLERANCE = 1e-6

_module_counter = itertools.count()


class ProtocolError(Exception):
    """A module does not follow the GameCWM protocol (missing function, wrong signature, bad value)."""


def required_functions(imperfect_information: bool) -> dict[str, int]:
    """Return the required function names (with their argument counts) for a game of that kind."""
    return dict(IMPERFECT_INFORMATION_FUNCTIONS if imperfect_information else PERFECT_INFORMATION_FUNCTIONS)


def missing_functions(module: ModuleType, imperfect_information: bool) -> list[str]:
    """List the problems with a module's protocol functions: missing, not callable, or wrong arity."""
    problems = []
    for name, arity in required_functions(imperfect_information).items():
        func = getattr(module, name, None)
        if func is None:
            problems.append(f"missing function {name}")
        elif not callable(func):
            problems.append(f"{name} is not callable")
        elif not _accepts_positional(func, arity):
            problems.append(f"{name} must accept {arity} positional argument(s)")
    for name, arity in OPTIONAL_FUNCTIONS.items():
        func = getattr(module, name, None)
        if func is not None and (not callable(func) or not _accepts_positional(func, arity)):
            problems.append(f"optional {name} must be a function of {arity} argument(s)")
    return problems


def _accepts_positional(func: Callable[..., Any], count: int) -> bool:
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        return True  # builtins without signatures: let the call decide
    try:
        signature.bind(*([None] * count))
    except TypeError:
        return False
    return True


def is_terminal(module: ModuleType, state: State) -> bool:
    """True when the module says the game is over in this state."""
    return module.get_current_player(state) == TERMINAL_PLAYER_ID


def chance_outcomes(module: ModuleType, state: State) -> list[tuple[Action, float]]:
    """The chance outcomes at a chance node with their probabilities.

    Uses the module's `get_chance_outcomes` when it defines one; otherwise the legal actions are
    equally likely.
    """
    explicit = getattr(module, "get_chance_outcomes", None)
    if explicit is not None:
        return [(str(action), float(prob)) for action, prob in explicit(state)]
    actions = module.get_legal_actions(state)
    if not actions:
        return []
    probability = 1.0 / len(actions)
    return [(action, probability) for action in actions]


def load_module_from_source(source: str, name: str | None = None, filename: str = "<gamecwm>") -> ModuleType:
    """Execute Python source as a fresh module object and return it.

    The module is registered in `sys.modules` only while it executes (so dataclasses and pickling of
    module-level names work) and given a unique name so that two candidates never share state.
    """
    module_name = name or f"gamecwm_candidate_{next(_module_counter)}"
    module = ModuleType(module_name)
    module.__file__ = filename
    # dont_inherit: the source compiles as plain Python does, never with this module's __future__ flags.
    code = compile(source, filename, "exec", dont_inherit=True)
    sys.modules[module_name] = module
    try:
        exec(code, module.__dict__)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module


def load_module_from_path(path: str | Path, name: str | None = None) -> ModuleType:
    """Load a GameCWM from a Python file."""
    path = Path(path)
    module_name = name or f"gamecwm_file_{path.stem}_{next(_module_counter)}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ProtocolError(f"cannot load a module from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module
