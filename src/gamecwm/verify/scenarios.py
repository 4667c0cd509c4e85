"""Scenario tier: the game's scripted scenarios, judged here on the candidate's answers.

The candidate is only asked about the scenarios' states (their actions arrive among the other
requests, unlabelled); the expectations never leave this process. Each scenario's rules (the player
to move, terminal status, rewards, legal actions, chance outcomes) are one check; input validation
(actions that apply_action must refuse with ValueError) is one check for the whole game, not one per
scenario, and each probed illegal action is mixed with legal decoys that apply_action must accept, so
refusing everything earns nothing.
"""

from __future__ import annotations

from typing import Any

from gamecwm.games.scenarios import compare_snapshot, expectations_by_step
from gamecwm.verify.plan import ReferencePlan, ScenarioQuestion
from gamecwm.verify.report import Check

VALIDATION_CHECK = "rejects_invalid_actions"


def _snapshot(record: dict[str, Any], probes: dict[str, str | None]) -> dict[str, Any]:
    """A record in the form `gamecwm.games.scenarios` compares with expectations."""
    chance = record.get("chance") or {}
    return {
        "current_player": record["player"],
        "legal_actions": record["legal"],
        "rewards": record["rewards"] if record["rewards"] is not None else [],
        "chance_outcomes": [[a, p] for a, p in chance.items()],
        "rejects": probes,
    }


def _judge_one(question: ScenarioQuestion, answer: dict[str, Any]) -> tuple[list[str] | None, list[str]]:
    """Failures of the scenario's rules (None when it has none but rejects) and of its input validation."""
    scenario = question.scenario
    actions = scenario["actions"]
    rule_failures: list[str] = []
    validation_failures: list[str] = []
    has_rules = False
    for step, expect in sorted(expectations_by_step(scenario).items()):
        rules = {key: value for key, value in expect.items() if key != "rejects"}
        has_rules = has_rules or bool(rules)
        where = f"{scenario['name']}: after {actions[:step]}"
        if step >= len(answer["steps"]):
            reason = answer["error"] or "not reached"
            (rule_failures if rules else validation_failures).append(f"{where}: not reached ({reason})")
            break
        probes = answer["probes"].get(str(step), {})
        snapshot = _snapshot(answer["steps"][step], probes)
        rule_failures += [f"{where}: {problem}" for problem in compare_snapshot(rules, snapshot)] if rules else []
        if "rejects" in expect:
            validation_failures += [f"{where}: {p}" for p in compare_snapshot({"rejects": expect["rejects"]}, snapshot)]
            for decoy in question.decoys.get(step, []):
                if probes.get(decoy) is not None:
                    validation_failures.append(f"{where}: apply_action refuses the legal action {decoy!r} "
                                               f"({probes[decoy]})")
    return (rule_failures if has_rules else None), validation_failures


def judge_scenarios(plan: ReferencePlan, answers: list[dict[str, Any]] | None) -> tuple[float, list[Check]]:
    """One check per scenario with rules, one for input validation; the score is the fraction that hold."""
    if answers is None:
        checks = [Check(q.scenario["name"], False, "the scenarios did not complete") for q in plan.scenarios]
        return 0.0, checks
    checks = []
    validation: list[str] = []
    validated = False
    for question in plan.scenarios:
        rules, rejects = _judge_one(question, answers[question.request])
        validation += rejects
        validated = validated or any("rejects" in e for e in expectations_by_step(question.scenario).values())
        if rules is not None:
            checks.append(Check(question.scenario["name"], not rules, "; ".join(rules[:3]),
                                history=list(question.scenario["actions"]) if rules else None))
    if validated:
        checks.append(Check(VALIDATION_CHECK, not validation, "; ".join(validation[:3])))
    return sum(c.passed for c in checks) / max(1, len(checks)), checks
