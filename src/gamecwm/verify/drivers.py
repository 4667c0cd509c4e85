"""Worker-side drivers: ask a loaded program the questions a caller of its functions would ask.

These run inside the sandbox, next to the candidate (and, in the verifier's own process, on the
reference, so that both sides' answers have one format). They receive only what a caller would pass
(action sequences, choice values, a player's own view) and return the program's answers as plain
data. They judge nothing and know nothing the verifier knows: every answer is compared with the
reference in the parent, after `gamecwm.verify.answers` has checked its shape.

A *record* is what a program says about one state:
    {"player": int | str, "legal": [str], "rewards": [float, float] | None, "chance": {str: float} | None,
     "obs": [str, str] | None, "problem": {field: text}}
where "player" is a description string when the program returned no integer, "chance" is present at
chance nodes, "obs" (each player's observation as canonical text) when observations were asked for,
and "problem" says why a field could not be recorded. A *light* record is `{"player": ...}` only.
"""

from __future__ import annotations

import copy
import math
import random
from types import ModuleType
from typing import Any

from gamecwm.games.runtime import canonical, from_tagged, pick, pick_chance
from gamecwm.protocol import CHANCE_PLAYER_ID, TERMINAL_PLAYER_ID, missing_functions

MAX_TEXT = 300  # characters of any program-provided text kept in an answer


def _short(value: Any) -> str:
    try:
        text = value if isinstance(value, str) else repr(value)
        text = str.__str__(text)
    except Exception:  # noqa: BLE001 - a hostile __repr__ can raise anything
        text = f"<{type(value).__name__}>"
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "..."


def error_text(exc: BaseException) -> str:
    """`ExcType: message`, shortened, robust against hostile exception objects."""
    try:
        return _short(f"{type(exc).__name__}: {exc}")
    except Exception:  # noqa: BLE001
        return type(exc).__name__


def _player(value: Any) -> int | str:
    if isinstance(value, bool) or not isinstance(value, int):
        return f"<{type(value).__name__} {_short(value)}>"
    return int.__int__(value)


def _legal(value: Any, problems: dict[str, str]) -> list[str]:
    if not isinstance(value, (list, tuple)):
        problems["legal"] = f"get_legal_actions returned {type(value).__name__}, not a list"
        return []
    items = list(value)
    if not all(isinstance(a, str) for a in items):
        problems["legal"] = "legal actions are not all strings"
    return [str.__str__(a) if isinstance(a, str) else _short(a) for a in items]


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{_short(value)} is not a number")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{number} is not finite")
    return number


def _rewards(value: Any, problems: dict[str, str]) -> list[float] | None:
    try:
        rewards = [_number(r) for r in value]
    except Exception as exc:  # noqa: BLE001 - any failure is the program's
        problems["rewards"] = f"rewards {_short(value)} are not finite numbers ({error_text(exc)})"
        return None
    if len(rewards) != 2:
        problems["rewards"] = f"rewards {_short(value)} are not two numbers"
        return None
    return rewards


def _chance(module: ModuleType, state: Any, legal: list[str], problems: dict[str, str]) -> dict[str, float] | None:
    explicit = getattr(module, "get_chance_outcomes", None)
    if explicit is None:
        if not legal:
            problems["chance"] = "a chance node without outcomes"
            return None
        return {a: 1.0 / len(legal) for a in legal}
    try:
        outcomes: dict[str, float] = {}
        for action, probability in explicit(state):
            if not isinstance(action, str):
                raise TypeError(f"outcome {_short(action)} is not a string")
            if action in outcomes:
                raise ValueError(f"outcome {action!r} is listed twice")
            outcomes[str.__str__(action)] = _number(probability)
    except Exception as exc:  # noqa: BLE001
        problems["chance"] = f"get_chance_outcomes failed: {error_text(exc)}"
        return None
    return outcomes


def _observations(value: Any, problems: dict[str, str], as_text: bool) -> list[str] | None:
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        problems["obs"] = f"get_observations returned {_short(value)}, not a list of two"
        return None
    if not as_text:
        return None
    try:
        return [canonical(value[0]), canonical(value[1])]
    except Exception as exc:  # noqa: BLE001
        problems["obs"] = f"observations cannot be compared: {error_text(exc)}"
        return None


def record(module: ModuleType, state: Any, observations: bool) -> dict[str, Any]:
    """The program's full answers about one state (see the module docstring).

    Observations are always checked to be a pair; their texts are recorded only when `observations` is true.
    """
    problems: dict[str, str] = {}
    entry: dict[str, Any] = {"player": _player(module.get_current_player(state))}
    entry["legal"] = _legal(module.get_legal_actions(state), problems)
    entry["rewards"] = _rewards(module.get_rewards(state), problems)
    if entry["player"] == CHANCE_PLAYER_ID:
        entry["chance"] = _chance(module, state, entry["legal"], problems)
    texts = _observations(module.get_observations(state), problems, observations)
    if observations:
        entry["obs"] = texts
    entry["problem"] = problems
    return entry


def light_record(module: ModuleType, state: Any) -> dict[str, Any]:
    """Only the player to move (or the terminal id) at one state."""
    return {"player": _player(module.get_current_player(state))}


def static_probe(module: ModuleType, imperfect_information: bool) -> dict[str, Any]:
    """Which protocol functions are missing or malformed, and two facts only the program's process sees."""
    result: dict[str, Any] = {"problems": missing_functions(module, imperfect_information),
                              "state_is_dict": False, "player_name_is_str": False, "error": None}
    if result["problems"]:
        return result
    try:
        result["state_is_dict"] = isinstance(module.get_initial_state(), dict)
        result["player_name_is_str"] = isinstance(module.get_player_name(0), str)
    except Exception as exc:  # noqa: BLE001
        result["error"] = error_text(exc)
    return result


def query(module: ModuleType, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Replay action histories and answer about the states along them.

    Each request is `{"actions": [...], "full": "all" | [step, ...], "observations": bool,
    "probes": {step: [action, ...]}, "branches": {step: [action, ...]}}`: a full record at the listed
    steps (step i is the state after i actions), a light record elsewhere; for each probed step,
    whether `apply_action` accepts each probe action (None) or the name of the exception it raised;
    and, once the whole history has been played, each branch action applied to the same state object
    reached at its step, with a full record of the result (a caller such as a tree search reuses
    states like this, so a program that changes its input answers wrongly there). Returns, per request,
    `{"steps": [record per state reached], "probes": {step: {action: None | name}},
    "branched": {step: [{"action", "record", "error"}]}, "error": text or None}`; a history stops at
    the first exception, which fills "error", and then nothing is branched.
    """
    return [_answer(module, request) for request in requests]


def _answer(module: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    actions = request["actions"]
    full = request["full"]
    wanted = set(range(len(actions) + 1)) if full == "all" else set(full)
    observations = bool(request.get("observations"))
    probes = request.get("probes") or {}
    steps: list[dict[str, Any]] = []
    answered: dict[str, dict[str, str | None]] = {}
    states: list[Any] = []
    error = None
    try:
        state = module.get_initial_state()
        for index in range(len(actions) + 1):
            states.append(state)
            steps.append(record(module, state, observations) if index in wanted else light_record(module, state))
            if str(index) in probes:
                answered[str(index)] = {a: _refusal(module, state, a) for a in probes[str(index)]}
            if index < len(actions):
                try:
                    state = module.apply_action(state, actions[index])
                except Exception as exc:  # noqa: BLE001
                    error = f"apply_action refused action {index} {actions[index]!r}: {error_text(exc)}"
                    break
    except Exception as exc:  # noqa: BLE001
        error = error_text(exc)
    branched = {} if error is not None else _branch(module, states, request.get("branches") or {}, observations)
    return {"steps": steps, "probes": answered, "branched": branched, "error": error}


def _branch(module: ModuleType, states: list[Any], branches: dict[str, list[str]],
            observations: bool) -> dict[str, list[dict[str, Any]]]:
    """Apply each branch action to the state object its step reached, after the history went on from it."""
    answered: dict[str, list[dict[str, Any]]] = {}
    for step, branch_actions in branches.items():
        results = []
        for action in branch_actions:
            entry: dict[str, Any] = {"action": action, "record": None, "error": None}
            try:
                entry["record"] = record(module, module.apply_action(states[int(step)], action), observations)
            except Exception as exc:  # noqa: BLE001
                entry["error"] = error_text(exc)
            results.append(entry)
        answered[step] = results
    return answered


def _refusal(module: ModuleType, state: Any, action: str) -> str | None:
    """None when apply_action accepts `action` at `state`, else the name of what it raised."""
    try:
        module.apply_action(state, action)
        return None
    except Exception as exc:  # noqa: BLE001
        return type(exc).__name__


def choose_action(entry: dict[str, Any], u: float) -> str:
    """The action a choice value u in [0, 1) selects at a recorded state (chance by its probabilities)."""
    if entry["player"] == CHANCE_PLAYER_ID and entry.get("chance"):
        return pick_chance(list(entry["chance"].items()), u)
    return pick(entry["legal"], u)


def walk(module: ModuleType, streams: list[list[float]], max_steps: int) -> list[dict[str, Any]]:
    """Play by the program's own answers: at each state take the action the stream's next value selects.

    Returns, per stream, `{"steps": [full record, with "action" where one was taken], "error": text or
    None}`. A walk stops at a terminal state, at a state without legal actions, after `max_steps`
    actions, or at the first exception. A stream that runs out restarts from its start.
    """
    traces = []
    for stream in streams:
        steps: list[dict[str, Any]] = []
        error = None
        try:
            state = module.get_initial_state()
            for index in range(max_steps + 1):
                entry = record(module, state, observations=False)
                steps.append(entry)
                if entry["player"] == TERMINAL_PLAYER_ID or index == max_steps or not entry["legal"]:
                    break
                action = choose_action(entry, stream[index % len(stream)])
                entry["action"] = action
                state = module.apply_action(state, action)
        except Exception as exc:  # noqa: BLE001
            error = error_text(exc)
        traces.append({"steps": steps, "error": error})
    return traces


def resample(module: ModuleType, probes: list[dict[str, Any]], repeats: int, seed: int) -> list[dict[str, Any]]:
    """Call resample_history `repeats` times on each probe: a player's own (observation, action) view.

    Each probe is `{"view": tagged [[observation, action or None], ...], "player": p}` (built by the
    parent from the true game; see `gamecwm.games.runtime.to_tagged`). Returns, per probe,
    `{"samples": [[action, ...], ...], "error": text or None}`.
    """
    random.seed(seed)
    results = []
    for probe in probes:
        view = [tuple(pair) for pair in from_tagged(probe["view"])]
        samples: list[list[str]] = []
        error = None
        for _ in range(repeats):
            try:
                history = module.resample_history(copy.deepcopy(view), probe["player"])
                problems: dict[str, str] = {}
                actions = _legal(history, problems)
                if problems:
                    error = f"resample_history returned {_short(history)}: not a list of strings"
                    break
                samples.append(actions)
            except Exception as exc:  # noqa: BLE001
                error = error_text(exc)
                break
        results.append({"samples": samples, "error": error})
    return results
