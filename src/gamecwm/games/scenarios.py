"""Scripted scenarios: action sequences with exact expected outcomes.

A game's `scenarios.json` is `{"scenarios": [SCENARIO, ...]}` where each SCENARIO is

    {"name": str, "description": str, "actions": [str, ...],
     "checkpoints": [{"after": int, EXPECTATIONS...}, ...],   # optional
     "expect": {EXPECTATIONS...}}                              # after all actions

and EXPECTATIONS may hold any of
    "current_player": int          the player to move (-1 chance, -4 terminal)
    "terminal": bool               whether the game is over
    "rewards": [float, float]      exact rewards (compared within 1e-9)
    "legal_actions": [str, ...]    the exact legal set (order not significant)
    "legal_includes": [str, ...]   actions that must be legal
    "legal_excludes": [str, ...]   actions that must not be legal
    "rejects": [str, ...]          actions that apply_action must refuse with ValueError
    "chance_outcomes": {str: float} the exact chance distribution (within 1e-9)

Running a scenario produces a *trace* of plain data (`run_scenario`); judging the trace against the
expectations (`check_scenario`) needs no access to the game module, so the verifier can run the
first step inside the sandbox and the second in its own process.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from types import ModuleType
from typing import Any

from gamecwm.protocol import TERMINAL_PLAYER_ID, chance_outcomes

EXPECTATION_KEYS = {
    "current_player",
    "terminal",
    "rewards",
    "legal_actions",
    "legal_includes",
    "legal_excludes",
    "rejects",
    "chance_outcomes",
}
TOLERANCE = 1e-9


class ScenarioFormatError(ValueError):
    """A scenarios.json that does not follow the format above."""


def parse_scenarios(path: Path) -> list[dict[str, Any]]:
    """Read and validate a scenarios.json file; returns the list of scenarios."""
    try:
        data = json.loads(Path(path).read_text())
    except json.JSONDecodeError as exc:
        raise ScenarioFormatError(f"{path}: invalid JSON: {exc}") from exc
    scenarios = data.get("scenarios") if isinstance(data, dict) else None
    if not isinstance(scenarios, list) or not scenarios:
        raise ScenarioFormatError(f"{path}: expected an object with a non-empty 'scenarios' list")
    names = set()
    for index, scenario in enumerate(scenarios):
        where = f"{path}: scenario {index} ({scenario.get('name', '?')})"
        validate_scenario(scenario, where)
        if scenario["name"] in names:
            raise ScenarioFormatError(f"{where}: duplicate name")
        names.add(scenario["name"])
    return scenarios


def validate_scenario(scenario: dict[str, Any], where: str = "scenario") -> None:
    """Raise ScenarioFormatError when a scenario does not follow the format."""
    for key in ("name", "description", "actions", "expect"):
        if key not in scenario:
            raise ScenarioFormatError(f"{where}: missing {key!r}")
    actions = scenario["actions"]
    if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
        raise ScenarioFormatError(f"{where}: 'actions' must be a list of strings")
    for checkpoint in scenario.get("checkpoints", []):
        after = checkpoint.get("after")
        if not isinstance(after, int) or not 0 <= after <= len(actions):
            raise ScenarioFormatError(f"{where}: checkpoint 'after' must be an index 0..{len(actions)}")
        _validate_expectations({k: v for k, v in checkpoint.items() if k != "after"}, where)
    _validate_expectations(scenario["expect"], where)


def _validate_expectations(expect: dict[str, Any], where: str) -> None:
    unknown = set(expect) - EXPECTATION_KEYS
    if unknown:
        raise ScenarioFormatError(f"{where}: unknown expectation keys {sorted(unknown)}")
    if not expect:
        raise ScenarioFormatError(f"{where}: empty expectations")


def expectations_by_step(scenario: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """Map each checked step index (number of actions applied) to its expectations."""
    steps: dict[int, dict[str, Any]] = {}
    for checkpoint in scenario.get("checkpoints", []):
        steps.setdefault(checkpoint["after"], {}).update({k: v for k, v in checkpoint.items() if k != "after"})
    steps.setdefault(len(scenario["actions"]), {}).update(scenario["expect"])
    return steps


def run_scenario(module: ModuleType, scenario: dict[str, Any]) -> dict[str, Any]:
    """Play a scenario on a module and record, as plain data, what each checked step shows.

    Returns `{"snapshots": {str(step): SNAPSHOT}, "error": str | None}`; a snapshot holds the
    current player, the legal actions, the rewards, the chance outcomes (at chance nodes) and, for
    each action the scenario expects to be rejected, the exception type apply_action raised (or None).
    """
    checked = expectations_by_step(scenario)
    snapshots: dict[str, Any] = {}
    try:
        state = module.get_initial_state()
        for step in range(len(scenario["actions"]) + 1):
            if step in checked:
                snapshots[str(step)] = _snapshot(module, state, checked[step])
            if step < len(scenario["actions"]):
                action = scenario["actions"][step]
                try:
                    state = module.apply_action(state, action)
                except Exception as exc:
                    return {
                        "snapshots": snapshots,
                        "error": f"apply_action refused scripted action {step} {action!r}: "
                        f"{type(exc).__name__}: {exc}",
                    }
    except Exception as exc:
        return {"snapshots": snapshots, "error": f"{type(exc).__name__}: {exc}"}
    return {"snapshots": snapshots, "error": None}


def _snapshot(module: ModuleType, state: dict[str, Any], expect: dict[str, Any]) -> dict[str, Any]:
    player = int(module.get_current_player(state))
    snapshot: dict[str, Any] = {
        "current_player": player,
        "legal_actions": [str(a) for a in module.get_legal_actions(state)],
        "rewards": [float(r) for r in module.get_rewards(state)],
    }
    if "chance_outcomes" in expect:
        snapshot["chance_outcomes"] = (
            [[a, p] for a, p in chance_outcomes(module, state)] if player == -1 else []
        )
    rejected = {}
    for action in expect.get("rejects", []):
        try:
            module.apply_action(state, action)
            rejected[action] = None
        except Exception as exc:
            rejected[action] = type(exc).__name__
    snapshot["rejects"] = rejected
    return snapshot


def check_scenario(scenario: dict[str, Any], trace: dict[str, Any]) -> list[str]:
    """Compare a trace from run_scenario with the scenario's expectations; returns the failures."""
    failures = []
    history_text = lambda step: f"after {scenario['actions'][:step]}"  # noqa: E731
    for step, expect in sorted(expectations_by_step(scenario).items()):
        snapshot = trace["snapshots"].get(str(step))
        if snapshot is None:
            failures.append(f"{history_text(step)}: not reached ({trace.get('error') or 'no snapshot'})")
            break
        for problem in compare_snapshot(expect, snapshot):
            failures.append(f"{history_text(step)}: {problem}")
    if trace.get("error") and not failures:
        failures.append(trace["error"])
    return failures


def compare_snapshot(expect: dict[str, Any], snapshot: dict[str, Any]) -> list[str]:
    """What in a snapshot (as `run_scenario` records it) differs from one step's expectations."""
    problems = []
    player = snapshot["current_player"]
    legal = snapshot["legal_actions"]
    if "current_player" in expect and player != expect["current_player"]:
        problems.append(f"current player {player}, expected {expect['current_player']}")
    if "terminal" in expect and (player == TERMINAL_PLAYER_ID) != expect["terminal"]:
        problems.append(f"terminal is {player == TERMINAL_PLAYER_ID}, expected {expect['terminal']}")
    if "rewards" in expect and not _close_lists(snapshot["rewards"], expect["rewards"]):
        problems.append(f"rewards {snapshot['rewards']}, expected {expect['rewards']}")
    if "legal_actions" in expect and (sorted(legal) != sorted(expect["legal_actions"]) or len(set(legal)) != len(legal)):
        problems.append(f"legal actions {sorted(legal)}, expected {sorted(expect['legal_actions'])}")
    missing = [a for a in expect.get("legal_includes", []) if a not in legal]
    if missing:
        problems.append(f"actions {missing} should be legal")
    extra = [a for a in expect.get("legal_excludes", []) if a in legal]
    if extra:
        problems.append(f"actions {extra} should not be legal")
    for action in expect.get("rejects", []):
        raised = snapshot["rejects"].get(action)
        if raised != "ValueError":
            problems.append(f"apply_action({action!r}) should raise ValueError, got {raised or 'no error'}")
    if "chance_outcomes" in expect:
        got = {a: p for a, p in snapshot.get("chance_outcomes", [])}
        want = expect["chance_outcomes"]
        if got.keys() != want.keys() or any(abs(got[a] - want[a]) > TOLERANCE for a in want):
            problems.append(f"chance outcomes {got}, expected {want}")
    return problems


def _close_lists(got: list[float], want: list[float]) -> bool:
    return len(got) == len(want) and all(
        math.isfinite(g) and abs(g - w) <= TOLERANCE for g, w in zip(got, want)
    )
