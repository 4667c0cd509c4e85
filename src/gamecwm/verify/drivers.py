"""Worker-side drivers: trusted code that runs inside the sandbox, next to the candidate.

Each driver takes the loaded candidate module and plain-data arguments, exercises the candidate, and
returns plain data (a trace). Drivers judge nothing: the verifier's own process compares the traces
with the reference. A candidate shares the worker process with these drivers and could tamper with
them, so nothing here is trusted by the parent beyond being data to check.
"""

from __future__ import annotations

import copy
import json
import math
import random
from types import ModuleType
from typing import Any

from gamecwm.games.information import player_view
from gamecwm.games.playout import replay as state_after
from gamecwm.games.scenarios import run_scenario
from gamecwm.protocol import CHANCE_PLAYER_ID, TERMINAL_PLAYER_ID, missing_functions
from gamecwm.sandbox.tasks import pick, pick_chance

MAX_TEXT = 300  # characters of any candidate-provided text kept in a trace


def canonical(value: Any) -> str:
    """A canonical text form of a candidate's value, for equality tests across the process boundary.

    Dictionary keys that JSON cannot hold (tuples, say) are written by their repr, and so is any
    other value JSON cannot hold, so equal values give equal texts.
    """
    try:
        return json.dumps(_plain(value, 0), sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError) as exc:
        return f"<unserializable {type(value).__name__}: {exc}>"


def _plain(value: Any, depth: int) -> Any:
    if depth > 50:
        raise ValueError("value nested too deeply")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return {k if isinstance(k, str) else repr(k): _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(v, depth + 1) for v in value), key=repr)
    return repr(value)


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "..."


def _error(exc: BaseException) -> str:
    return _short(f"{type(exc).__name__}: {exc}")


def _player(value: Any) -> int | str:
    """The player id as an int, or a description of the wrong value."""
    if isinstance(value, bool) or not isinstance(value, int):
        return f"<{type(value).__name__} {_short(value)}>"
    return int(value)


def _actions(value: Any) -> tuple[list[str], str | None]:
    """Legal actions as strings plus a problem description when they are not a list of strings."""
    if not isinstance(value, (list, tuple)):
        return [], f"get_legal_actions returned {type(value).__name__}, not a list"
    problem = None
    if not all(isinstance(a, str) for a in value):
        problem = "legal actions are not all strings"
    return [a if isinstance(a, str) else _short(a) for a in value], problem


def _rewards(value: Any) -> tuple[list[float] | None, str | None]:
    try:
        rewards = [float(r) for r in value]
    except Exception as exc:  # noqa: BLE001 - any failure is the candidate's
        return None, f"rewards {_short(value)} are not numbers ({_error(exc)})"
    if len(rewards) != 2:
        return None, f"rewards {_short(value)} are not two numbers"
    if not all(math.isfinite(r) for r in rewards):
        return None, f"rewards {rewards} are not finite"
    return rewards, None


def _chance(module: ModuleType, state: Any, legal: list[str]) -> tuple[dict[str, float] | None, str | None]:
    explicit = getattr(module, "get_chance_outcomes", None)
    if explicit is None:
        if not legal:
            return None, "chance node without outcomes"
        return {a: 1.0 / len(legal) for a in legal}, None
    try:
        outcomes = {str(a): float(p) for a, p in explicit(state)}
    except Exception as exc:  # noqa: BLE001
        return None, f"get_chance_outcomes failed: {_error(exc)}"
    return outcomes, None


def _record(module: ModuleType, state: Any, observations: bool) -> dict[str, Any]:
    """What the candidate says about one state: player, legal actions, rewards, chance, observations."""
    step: dict[str, Any] = {}
    step["player"] = _player(module.get_current_player(state))
    step["legal"], problem = _actions(module.get_legal_actions(state))
    if problem:
        step["legal_problem"] = problem
    step["rewards"], problem = _rewards(module.get_rewards(state))
    if problem:
        step["rewards_problem"] = problem
    if step["player"] == CHANCE_PLAYER_ID:
        step["chance"], problem = _chance(module, state, step["legal"])
        if problem:
            step["chance_problem"] = problem
    if observations:
        obs = module.get_observations(state)
        if isinstance(obs, (list, tuple)) and len(obs) == 2:
            step["obs"] = [canonical(obs[0]), canonical(obs[1])]
        else:
            step["obs_problem"] = f"get_observations returned {_short(obs)}, not a list of two"
    return step


def static_probe(module: ModuleType, imperfect_information: bool) -> dict[str, Any]:
    """Which protocol functions are missing or malformed, and the types at the initial state."""
    result: dict[str, Any] = {"problems": missing_functions(module, imperfect_information)}
    if result["problems"]:
        return result
    initial: dict[str, Any] = {}
    try:
        state = module.get_initial_state()
        initial["state_is_dict"] = isinstance(state, dict)
        player = module.get_current_player(state)
        initial["player"] = _player(player)
        legal = module.get_legal_actions(state)
        initial["legal_is_list_of_str"] = isinstance(legal, (list, tuple)) and all(isinstance(a, str) for a in legal)
        _, initial["rewards_problem"] = _rewards(module.get_rewards(state))
        obs = module.get_observations(state)
        initial["observations_are_pair"] = isinstance(obs, (list, tuple)) and len(obs) == 2
        name = module.get_player_name(0)
        initial["player_name_is_str"] = isinstance(name, str)
        initial["error"] = None
    except Exception as exc:  # noqa: BLE001
        initial["error"] = _error(exc)
    result["initial"] = initial
    return result


def replay(module: ModuleType, histories: list[list[str]], observations: bool = False) -> list[dict[str, Any]]:
    """Replay given action histories, recording the candidate's view of every state along each.

    For each history: `{"steps": [record per state, the start state first], "error": text or None}`.
    A history stops at the first exception (an action the candidate refuses, say).
    """
    traces = []
    for history in histories:
        steps: list[dict[str, Any]] = []
        error = None
        try:
            state = module.get_initial_state()
            steps.append(_record(module, state, observations))
            for index, action in enumerate(history):
                try:
                    state = module.apply_action(state, action)
                except Exception as exc:  # noqa: BLE001
                    error = f"apply_action refused action {index} {action!r}: {_error(exc)}"
                    break
                steps.append(_record(module, state, observations))
        except Exception as exc:  # noqa: BLE001
            error = _error(exc)
        traces.append({"steps": steps, "error": error})
    return traces


def walk(module: ModuleType, streams: list[list[float]], max_steps: int, mutation_checks: int = 40) -> list[dict[str, Any]]:
    """Candidate-driven playouts: at each state take `legal[int(u * len(legal))]` for the next u.

    Chance nodes pick by the candidate's probabilities against the same u. Besides the step records,
    the first `mutation_checks` steps of each playout test that `apply_action` leaves its input
    unchanged and that equal calls give equal results. A stream that runs out restarts from its start.
    """
    traces = []
    for stream in streams:
        steps: list[dict[str, Any]] = []
        violations: list[dict[str, Any]] = []
        error = None
        ended = False
        try:
            state = module.get_initial_state()
            for index in range(max_steps + 1):
                record = _record(module, state, observations=True)
                steps.append(record)
                player = record["player"]
                if player == TERMINAL_PLAYER_ID:
                    ended = True
                    break
                if index == max_steps or not record["legal"]:
                    break
                u = stream[index % len(stream)]
                action = choose_action(record, u)
                record["action"] = action
                if index < mutation_checks:
                    before = copy.deepcopy(state)
                    twin = copy.deepcopy(state)
                    next_state = module.apply_action(state, action)
                    if canonical(state) != canonical(before):
                        violations.append({"property": "no_mutation", "step": index})
                    if canonical(module.apply_action(twin, action)) != canonical(next_state):
                        violations.append({"property": "deterministic", "step": index})
                    if canonical(module.get_legal_actions(twin)) != canonical(module.get_legal_actions(before)):
                        violations.append({"property": "deterministic", "step": index})
                else:
                    next_state = module.apply_action(state, action)
                if not isinstance(next_state, dict):
                    violations.append({"property": "apply_action_returns_a_dict", "step": index})
                state = next_state
        except Exception as exc:  # noqa: BLE001
            error = _error(exc)
        traces.append({"steps": steps, "ended": ended, "error": error, "violations": violations})
    return traces


def choose_action(record: dict[str, Any], u: float) -> str:
    """The action a choice value u in [0, 1) selects at a recorded state (chance by probability)."""
    if record["player"] == CHANCE_PLAYER_ID and record.get("chance"):
        return pick_chance(list(record["chance"].items()), u)
    return pick(record["legal"], u)


def scenarios(module: ModuleType, scenario_list: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run each scripted scenario; returns one trace per scenario (see gamecwm.games.scenarios)."""
    return [run_scenario(module, scenario) for scenario in scenario_list]


def final_observations(module: ModuleType, histories: list[list[str]]) -> list[dict[str, Any]]:
    """The candidate's canonical observations for both players at the end of each history."""
    results = []
    for history in histories:
        try:
            obs = module.get_observations(state_after(module, history))
            results.append({"obs": [canonical(obs[0]), canonical(obs[1])], "error": None})
        except Exception as exc:  # noqa: BLE001
            results.append({"obs": None, "error": _error(exc)})
    return results


def resample(module: ModuleType, probes: list[dict[str, Any]], repeats: int, seed: int) -> list[dict[str, Any]]:
    """Call the candidate's resample_history on its own view of each probe history, `repeats` times.

    Each probe is `{"history": [...], "player": p}`; the view is built from the candidate's own
    observations along the history (so the candidate's observation format is used throughout).
    """
    random.seed(seed)
    results = []
    for probe in probes:
        try:
            view = player_view(module, probe["history"], probe["player"])
        except Exception as exc:  # noqa: BLE001
            results.append({"samples": [], "error": f"building the view failed: {_error(exc)}"})
            continue
        samples, error = [], None
        for _ in range(repeats):
            try:
                history = module.resample_history(copy.deepcopy(view), probe["player"])
                actions, problem = _actions(history)
                if problem:
                    error = f"resample_history returned {_short(history)}: {problem}"
                    break
                samples.append(actions)
            except Exception as exc:  # noqa: BLE001
                error = _error(exc)
                break
        results.append({"samples": samples, "error": error})
    return results
