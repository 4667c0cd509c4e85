"""Verify one candidate GameCWM against its game: run it in the sandbox, judge every tier, score it.

The candidate never runs in this process. One sandbox run executes every driver (static probe,
scenarios, replays, walks, information probes) in one round trip; the results come back as plain
data and are judged here against the reference plan.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from gamecwm.games import get_game, load_reference
from gamecwm.sandbox import Limits, SandboxResult, Task, isolation_level, run_candidate
from gamecwm.verify.agreement import judge_agreement
from gamecwm.verify.config import TIER_ORDER, VerifyConfig
from gamecwm.verify.information import judge_information
from gamecwm.verify.plan import ReferencePlan, build_plan
from gamecwm.verify.properties import judge_properties
from gamecwm.verify.report import INFRASTRUCTURE_PREFIX, Report, Tier
from gamecwm.verify.scenarios import judge_scenarios
from gamecwm.verify.static import judge_static

Runner = Callable[[str, list[Task]], SandboxResult]
DRIVERS = "gamecwm.verify.drivers"
TASK_NAMES = ("static", "scenarios", "replay", "walk", "observations", "resample")


def build_tasks(plan: ReferencePlan, config: VerifyConfig) -> list[Task]:
    """The sandbox tasks for a plan, in TASK_NAMES order (the last two for imperfect information only)."""
    tasks = [
        Task(f"{DRIVERS}:static_probe", {"imperfect_information": plan.game.imperfect_information}),
        Task(f"{DRIVERS}:scenarios", {"scenario_list": plan.scenarios}),
        Task(f"{DRIVERS}:replay", {"histories": plan.reference_histories}),
        Task(f"{DRIVERS}:walk", {"streams": plan.streams, "max_steps": plan.walk_steps,
                                 "mutation_checks": config.mutation_checks}),
    ]
    if plan.game.imperfect_information:
        histories = [h for pair in plan.info_pairs for h in (pair["a"], pair["b"])]
        tasks.append(Task(f"{DRIVERS}:final_observations", {"histories": histories}))
        probes = [{"history": p["history"], "player": p["player"]} for p in plan.resample_probes]
        tasks.append(Task(f"{DRIVERS}:resample", {"probes": probes, "repeats": config.resample_repeats,
                                                  "seed": plan.seed}))
    return tasks


def default_runner(limits: Limits | None = None) -> Runner:
    """A runner that starts one sandboxed worker per candidate."""
    return lambda source, tasks: run_candidate(source, tasks, limits or Limits())


def verify(
    code: str,
    game: str,
    seed: int = 0,
    config: VerifyConfig | None = None,
    runner: Runner | None = None,
) -> Report:
    """Verify candidate source code against a registered game; returns the report.

    Deterministic for a given seed. `runner` runs the candidate in the sandbox (default: a fresh
    sandboxed worker; a SandboxPool's `run` method fits too).
    """
    config = config or VerifyConfig()
    info = get_game(game)  # an unknown game is a usage error: let UnknownGameError through
    started = time.perf_counter()
    plan = build_plan(info.name, seed, config)
    tasks = build_tasks(plan, config)
    try:
        result = (runner or default_runner())(code, tasks)
    except Exception as exc:  # noqa: BLE001 - the harness broke, not the candidate
        return _infrastructure_report(info.name, f"{type(exc).__name__}: {exc}", started)
    if result.infrastructure_failure:
        return _infrastructure_report(info.name, result.detail, started, result.isolation)
    return judge(plan, config, result, time.perf_counter() - started)


def _infrastructure_report(game: str, detail: str, started: float, isolation: str | None = None) -> Report:
    return Report(
        game=game,
        score=None,
        passed=False,
        tiers=[],
        isolation=isolation or isolation_level(),
        elapsed_s=time.perf_counter() - started,
        error=f"{INFRASTRUCTURE_PREFIX} {detail}",
    )


def _task_values(result: SandboxResult) -> tuple[dict[str, Any], str | None]:
    """Driver outputs by task name (None where a task did not complete) and why the rest are missing."""
    values: dict[str, Any] = {}
    for name, task_result in zip(TASK_NAMES, result.task_results):
        values[name] = task_result.value if task_result.ok else None
    missing_reason = None if result.status == "ok" else f"{result.status}: {result.detail}"
    return values, missing_reason


def judge(plan: ReferencePlan, config: VerifyConfig, result: SandboxResult, elapsed_s: float) -> Report:
    """Turn a sandbox result into a report: one tier per aspect, weighted into the overall score."""
    reference = load_reference(plan.game.name)
    values, missing_reason = _task_values(result)
    import_error = None
    if result.status == "import_error" or (result.status != "ok" and not result.task_results):
        import_error = f"{result.status}: {result.detail}"
    static_checks = judge_static(values.get("static"), import_error, plan.game.imperfect_information)
    static_score = sum(c.passed for c in static_checks) / len(static_checks)
    weights = config.weights
    tiers = [Tier("static", static_score, weights["static"], static_checks)]
    if import_error is None:
        score, checks = judge_properties(plan, values.get("walk"))
        tiers.append(Tier("properties", score, weights["properties"], checks))
        score, checks = judge_agreement(plan, reference, values.get("replay"), values.get("walk"))
        tiers.append(Tier("agreement", score, weights["agreement"], checks))
        if plan.game.imperfect_information:
            score, checks = judge_information(plan, reference, values.get("observations"), values.get("resample"))
            tiers.append(Tier("information", score, weights["information"], checks))
        score, checks = judge_scenarios(plan, values.get("scenarios"))
        tiers.append(Tier("scenarios", score, weights["scenarios"], checks))
    static_passed = tiers[0].passed
    if not static_passed:
        for tier in tiers[1:]:
            tier.score = 0.0  # nothing after a failed static tier scores
    applicable = [n for n in TIER_ORDER if n != "information" or plan.game.imperfect_information]
    total_weight = sum(weights[n] for n in applicable)
    overall = sum(t.score * t.weight for t in tiers) / total_weight if total_weight else 0.0
    passed = result.status == "ok" and all(t.passed for t in tiers) and len(tiers) == len(applicable)
    error = None if result.status == "ok" else missing_reason
    return Report(
        game=plan.game.name,
        score=overall,
        passed=passed,
        tiers=tiers,
        isolation=result.isolation,
        elapsed_s=elapsed_s,
        error=error,
    )
