"""The shape of every answer a worker returns, checked in the parent before anything is judged.

Everything that comes back from a worker was written by the candidate (it shares the worker's
process with the drivers), so each task's value is checked against what was asked: exactly one
answer per request, stream or probe; traces of the exact length (shorter only with an error); walk
actions that are the ones the parent's choice stream selects; the types `gamecwm.verify.drivers`
produces; finite numbers only. The honest drivers never produce anything else, so any violation is
the candidate's doing: `ProtocolViolation`, which the verifier scores as a failed candidate.
"""

from __future__ import annotations

import math
from typing import Any

from gamecwm.protocol import CHANCE_PLAYER_ID
from gamecwm.verify.drivers import MAX_TEXT, choose_action

RECORD_FIELDS = ("legal", "rewards", "chance", "obs")
MAX_MESSAGE = MAX_TEXT + 200


_TEXT_ONLY = {str}


class ProtocolViolation(Exception):
    """A worker's answer that the honest drivers could not have produced."""


def _fail(where: str, what: str) -> None:
    raise ProtocolViolation(f"{where}: {what}")


def _text(value: Any, where: str, limit: int = MAX_MESSAGE) -> None:
    if type(value) is not str or len(value) > limit:
        _fail(where, "expected a short text")


def _optional_text(value: Any, where: str) -> None:
    if value is not None:
        _text(value, where)


def _finite_numbers(values: Any, where: str) -> None:
    """Every value an int or a float, and finite (a NaN or an infinity anywhere makes their sum non-finite)."""
    values = list(values)
    try:
        finite = set(map(type, values)) <= {int, float} and math.isfinite(math.fsum(values))
    except OverflowError:
        finite = all(math.isfinite(v) for v in values)
    if not finite:
        _fail(where, f"{values[:8]!r} are not all finite numbers")


def _exact_keys(value: Any, required: set[str], optional: set[str], where: str) -> dict[str, Any]:
    if type(value) is not dict:
        _fail(where, f"expected an object, got {type(value).__name__}")
    keys = set(value)
    if not required <= keys or not keys <= required | optional:
        _fail(where, f"unexpected or missing fields {sorted((keys - required - optional) | (required - keys))}")
    return value


def _list(value: Any, where: str, length: int | None = None) -> list[Any]:
    if type(value) is not list:
        _fail(where, f"expected a list, got {type(value).__name__}")
    if length is not None and len(value) != length:
        _fail(where, f"expected {length} items, got {len(value)}")
    return value


def check_record(value: Any, where: str, full: bool, observations: bool, with_action: bool = False) -> dict[str, Any]:
    """A record of one state as `drivers.record` (full) or `drivers.light_record` writes it."""
    if not full:
        record = _exact_keys(value, {"player"}, set(), where)
        _player(record["player"], where)
        return record
    required = {"player", "legal", "rewards", "problem"} | ({"obs"} if observations else set())
    optional = {"chance", "action"} if with_action else {"chance"}
    record = _exact_keys(value, required, optional, where)
    player = _player(record["player"], where)
    if ("chance" in record) != (player == CHANCE_PLAYER_ID):
        _fail(where, "chance outcomes are recorded exactly at chance nodes")
    problems = _exact_keys(record["problem"], set(), set(RECORD_FIELDS), f"{where} problems")
    for name, text in problems.items():
        _text(text, f"{where} problem {name}")
    legal = _list(record["legal"], f"{where} legal actions")
    if not set(map(type, legal)) <= _TEXT_ONLY:  # in C: boards have hundreds of legal actions per state
        _fail(where, "legal actions are not all text")
    for name in ("rewards", "chance", "obs"):
        if name in record and (record[name] is None) != (name in problems):
            _fail(where, f"{name} must be missing exactly when a problem is recorded for it")
    if record["rewards"] is not None:
        _finite_numbers(_list(record["rewards"], f"{where} rewards", 2), f"{where} rewards")
    if record.get("chance") is not None:
        if type(record["chance"]) is not dict:
            _fail(where, "chance outcomes are not an object")
        _finite_numbers(record["chance"].values(), f"{where} chance")
    if record.get("obs") is not None:
        for text in _list(record["obs"], f"{where} observations", 2):
            if type(text) is not str:
                _fail(where, "observations are not canonical text")
    return record


def _player(value: Any, where: str) -> int | str:
    if type(value) is int:
        return value
    _text(value, f"{where} player")
    return value


def check_query(value: Any, requests: list[dict[str, Any]], where: str = "query") -> list[dict[str, Any]]:
    """The answers of `drivers.query` to these requests."""
    answers = _list(value, where, len(requests))
    for number, (answer, request) in enumerate(zip(answers, requests)):
        here = f"{where} {number}"
        _exact_keys(answer, {"steps", "probes", "branched", "error"}, set(), here)
        _optional_text(answer["error"], f"{here} error")
        steps = _list(answer["steps"], f"{here} steps")
        expected = len(request["actions"]) + 1
        if len(steps) > expected or (len(steps) < expected and answer["error"] is None):
            _fail(here, f"{len(steps)} states answered for a history of {expected - 1} actions, without an error")
        full = request["full"]
        wanted = range(expected) if full == "all" else set(full)
        for index, step in enumerate(steps):
            check_record(step, f"{here} state {index}", index in wanted, request["observations"])
        probes = _exact_keys(answer["probes"], set(), set(request["probes"]), f"{here} probes")
        for step, results in probes.items():
            if int(step) >= len(steps):
                _fail(here, f"probe answers for state {step}, which was not reached")
            _exact_keys(results, set(request["probes"][step]), set(), f"{here} probes at {step}")
            for result in results.values():
                _optional_text(result, f"{here} probe result")
        for step in request["probes"]:
            if int(step) < len(steps) and step not in probes:
                _fail(here, f"no probe answers for state {step}")
        _check_branches(answer["branched"], request.get("branches") or {}, answer["error"], request["observations"],
                        here)
    return answers


def _check_branches(value: Any, branches: dict[str, list[str]], error: str | None, observations: bool,
                    where: str) -> None:
    expected = {} if error is not None else branches
    branched = _exact_keys(value, set(expected), set(), f"{where} branches")
    for step, results in branched.items():
        _list(results, f"{where} branches at {step}", len(expected[step]))
        for result, action in zip(results, expected[step]):
            _exact_keys(result, {"action", "record", "error"}, set(), f"{where} branch")
            if result["action"] != action:
                _fail(where, f"branch {result['action']!r} at state {step}, expected {action!r}")
            _optional_text(result["error"], f"{where} branch error")
            if (result["record"] is None) == (result["error"] is None):
                _fail(where, "a branch has a record exactly when it has no error")
            if result["record"] is not None:
                check_record(result["record"], f"{where} branch {action!r} at {step}", True, observations)


def check_walks(value: Any, streams: list[list[float]], max_steps: int, where: str = "walk") -> list[dict[str, Any]]:
    """The traces of `drivers.walk` on these streams: shape, stopping rule, and the stream's choices."""
    walks = _list(value, where, len(streams))
    for number, (walk, stream) in enumerate(zip(walks, streams)):
        here = f"{where} {number}"
        _exact_keys(walk, {"steps", "error"}, set(), here)
        _optional_text(walk["error"], f"{here} error")
        steps = _list(walk["steps"], f"{here} steps")
        if len(steps) > max_steps + 1 or (not steps and walk["error"] is None):
            _fail(here, f"{len(steps)} states for a limit of {max_steps} actions")
        for index, step in enumerate(steps):
            last = index == len(steps) - 1
            record = check_record(step, f"{here} state {index}", True, False, with_action=True)
            stops = record["player"] == -4 or index == max_steps or not record["legal"]
            if not last and stops:
                _fail(here, f"the walk went on after state {index}, where it stops")
            if not last and "action" not in record:
                _fail(here, f"no action taken at state {index}")
            if "action" in record:
                if record["action"] != choose_action(record, stream[index % len(stream)]):
                    _fail(here, f"the action at state {index} is not the one the choice stream selects")
                if last and walk["error"] is None:
                    _fail(here, "an action after the last state, without an error")
            elif last and walk["error"] is None and not stops:
                _fail(here, f"the walk stopped at state {index} without a reason")
    return walks


def check_resamples(value: Any, count: int, repeats: int, where: str = "resample") -> list[dict[str, Any]]:
    """The answers of `drivers.resample`: per probe, up to `repeats` histories (all of them unless an error)."""
    results = _list(value, where, count)
    for number, result in enumerate(results):
        here = f"{where} {number}"
        _exact_keys(result, {"samples", "error"}, set(), here)
        _optional_text(result["error"], f"{here} error")
        samples = _list(result["samples"], f"{here} samples")
        if len(samples) > repeats or (len(samples) < repeats and result["error"] is None):
            _fail(here, f"{len(samples)} samples for {repeats} calls, without an error")
        for sample in samples:
            if any(type(a) is not str for a in _list(sample, f"{here} sample")):
                _fail(here, "a sample is not a list of text")
    return results


def check_static(value: Any, where: str = "static probe") -> dict[str, Any]:
    """The answer of `drivers.static_probe`."""
    probe = _exact_keys(value, {"problems", "state_is_dict", "player_name_is_str", "error"}, set(), where)
    for problem in _list(probe["problems"], f"{where} problems"):
        _text(problem, f"{where} problem")
    if type(probe["state_is_dict"]) is not bool or type(probe["player_name_is_str"]) is not bool:
        _fail(where, "expected true or false")
    _optional_text(probe["error"], f"{where} error")
    return probe
