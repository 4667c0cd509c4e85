"""Scenario tier: the game's scripted scenarios, with their exact expected outcomes."""

from __future__ import annotations

from typing import Any

from gamecwm.games.scenarios import check_scenario
from gamecwm.verify.plan import ReferencePlan
from gamecwm.verify.report import Check


def judge_scenarios(plan: ReferencePlan, traces: list[dict[str, Any]] | None) -> tuple[float, list[Check]]:
    """One check per scenario; the score is the fraction that hold."""
    if traces is None:
        return 0.0, [Check(s["name"], False, "the scenarios did not complete") for s in plan.scenarios]
    checks = []
    for scenario, trace in zip(plan.scenarios, traces):
        failures = check_scenario(scenario, trace)
        checks.append(Check(scenario["name"], not failures, "; ".join(failures[:3])))
    return sum(c.passed for c in checks) / max(1, len(checks)), checks
