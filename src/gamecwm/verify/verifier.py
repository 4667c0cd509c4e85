"""Verify one candidate GameCWM against its game: ask it questions in the sandbox, judge its answers here.

The candidate never runs in this process. One sandbox run asks the static probe, the walks, the
resample probes and most of the merged query requests; a second run with another hash seed, at the
same time, answers the rest of the requests (so that the two finish together) and repeats a share of
the play, so that a program whose answers depend on its process fails the determinism check. Every
answer is checked for shape (`gamecwm.verify.answers`) and judged against the reference plan here;
an answer the honest drivers could not have written is a protocol violation, scored 0.
"""

from __future__ import annotations

import concurrent.futures
import time
from typing import Any, Callable

from gamecwm.games import get_game, load_reference
from gamecwm.sandbox import Limits, SandboxResult, Task, WeakIsolationError, isolation_level, run_candidate
from gamecwm.verify import answers as shapes
from gamecwm.verify.agreement import judge_agreement, replay_agreement, walk_references
from gamecwm.verify.config import TIER_ORDER, VerifyConfig
from gamecwm.verify.conventions import CONVENTION_SHARE, Slips, convention_checks, diagnose
from gamecwm.verify.information import judge_information
from gamecwm.verify.outcomes import judge_outcomes
from gamecwm.verify.plan import ReferencePlan, build_plan
from gamecwm.verify.properties import branch_evidence, collect_evidence, cross_worker_evidence, judge_properties
from gamecwm.verify.report import INFRASTRUCTURE_PREFIX, Report, Tier
from gamecwm.verify.scenarios import judge_scenarios
from gamecwm.verify.static import judge_static

Runner = Callable[..., SandboxResult]  # runner(source, tasks, hash_seed=..., companion=...) -> SandboxResult
DRIVERS = "gamecwm.verify.drivers"
PROTOCOL_VIOLATION = "protocol_violation"
CONVENTIONS = "conventions"


def build_tasks(plan: ReferencePlan, config: VerifyConfig) -> list[Task]:
    """The first worker's tasks: static probe, queries, walks, and (imperfect information) resample probes."""
    tasks = [
        Task(f"{DRIVERS}:static_probe", {"imperfect_information": plan.game.imperfect_information}),
        Task(f"{DRIVERS}:query", {"requests": first_requests(plan)}),
        Task(f"{DRIVERS}:walk", {"streams": plan.streams, "max_steps": plan.walk_steps}),
    ]
    if plan.game.imperfect_information:
        tasks.append(Task(f"{DRIVERS}:resample", {"probes": plan.resample_payload,
                                                  "repeats": config.resample_repeats, "seed": plan.resample_seed}))
    return tasks


def first_requests(plan: ReferencePlan) -> list[dict[str, Any]]:
    """The first worker's query requests: all but the second worker's own share."""
    return [plan.requests[i] for i in plan.first_requests]


def second_requests(plan: ReferencePlan) -> list[dict[str, Any]]:
    """The second worker's query requests: the repeated ones (without branches), then its own share."""
    return ([plan.requests[i] | {"branches": {}} for i in plan.repeated_requests]
            + [plan.requests[i] for i in plan.second_only_requests])


def build_second_tasks(plan: ReferencePlan) -> list[Task]:
    """The second worker's tasks: a share of the same queries, its own share of the rest, the walks' beginnings."""
    return [
        Task(f"{DRIVERS}:query", {"requests": second_requests(plan)}),
        Task(f"{DRIVERS}:walk", {"streams": plan.streams, "max_steps": plan.second_walk_steps}),
    ]


def default_runner(limits: Limits | None = None) -> Runner:
    """A runner that starts one sandboxed worker per candidate."""
    return lambda source, tasks, hash_seed=0, companion=False: run_candidate(
        source, tasks, limits or Limits(), hash_seed=hash_seed, companion=companion)


def verify(
    code: str,
    game: str,
    seed: int = 0,
    config: VerifyConfig | None = None,
    runner: Runner | None = None,
) -> Report:
    """Verify candidate source code against a registered game; returns the report.

    Deterministic for a given seed. `runner` runs the candidate in the sandbox (default: a fresh
    sandboxed worker; a SandboxPool's `run` method fits too); it is called with `hash_seed` and
    `companion` keywords, the second worker's run overlapping the first (see `SandboxPool.run`).
    """
    config = config or VerifyConfig()
    info = get_game(game)  # an unknown game is a usage error: let UnknownGameError through
    started = time.perf_counter()
    plan = build_plan(info.name, seed, config)
    run = runner or default_runner()
    try:
        with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="gamecwm-second-worker") as beside:
            pending = beside.submit(run, code, build_second_tasks(plan), hash_seed=plan.hash_seeds[1], companion=True)
            first = run(code, build_tasks(plan, config), hash_seed=plan.hash_seeds[0])
            second = pending.result()
    except WeakIsolationError:
        raise  # the machine's isolation is weaker than the full level and nobody accepted that: a usage error
    except Exception as exc:  # noqa: BLE001 - the harness broke, not the candidate
        return _infrastructure_report(info.name, f"{type(exc).__name__}: {exc}", started)
    for result in (first, second):
        if result is not None and result.infrastructure_failure:
            return _infrastructure_report(info.name, result.detail, started, result.isolation)
    return judge_guarded(plan, config, first, second, time.perf_counter() - started)


def _infrastructure_report(game: str, detail: str, started: float, isolation: str | None = None) -> Report:
    return Report(game=game, score=None, passed=False, tiers=[], isolation=isolation or isolation_level(),
                  elapsed_s=time.perf_counter() - started, error=f"{INFRASTRUCTURE_PREFIX} {detail}")


def judge_guarded(plan: ReferencePlan, config: VerifyConfig, first: SandboxResult, second: SandboxResult | None,
                  elapsed_s: float) -> Report:
    """`judge`, except that any answer it cannot judge makes a failed report, never an exception."""
    try:
        return judge(plan, config, first, second, elapsed_s)
    except shapes.ProtocolViolation as exc:
        detail = str(exc)
    except Exception as exc:  # noqa: BLE001 - whatever a worker sent, the parent produces a report
        detail = f"an answer could not be judged ({type(exc).__name__}: {exc})"
    return Report(game=plan.game.name, score=0.0, passed=False, tiers=[], isolation=first.isolation,
                  elapsed_s=elapsed_s, error=f"{PROTOCOL_VIOLATION}: {detail}")


def _task_value(result: SandboxResult, index: int) -> Any:
    """The value of task `index` when it completed, else None."""
    if index < len(result.task_results) and result.task_results[index].ok:
        return result.task_results[index].value
    return None


def _checked(result: SandboxResult, plan: ReferencePlan, config: VerifyConfig,
             second: "_SecondAnswers") -> dict[str, Any]:
    """The first worker's answers by task, each checked for shape (None where a task did not complete), the
    query answers completed with the second worker's share."""
    values = {name: _task_value(result, i) for i, name in enumerate(("static", "query", "walk", "resample"))}
    checked: dict[str, Any] = {}
    checked["static"] = shapes.check_static(values["static"]) if values["static"] is not None else None
    checked["query"] = None
    if values["query"] is not None:
        answers: list[Any] = [None] * len(plan.requests)
        first = shapes.check_query(values["query"], first_requests(plan))
        for index, answer in zip(plan.first_requests, first):
            answers[index] = answer
        for index, answer in zip(plan.second_only_requests, second.own_share()):
            answers[index] = answer
        checked["query"] = answers
    checked["walk"] = (shapes.check_walks(values["walk"], plan.streams, plan.walk_steps)
                       if values["walk"] is not None else None)
    checked["resample"] = (shapes.check_resamples(values["resample"], len(plan.resample_probes),
                                                  config.resample_repeats)
                           if values["resample"] is not None else None)
    return checked


class _SecondAnswers:
    """The second worker's answers, checked for shape: its records of the repeated play, and its own share."""

    def __init__(self, second: SandboxResult | None, plan: ReferencePlan):
        self.plan = plan
        self.records: list | None = None  # in the order of `_first_records`
        self.answers: list[dict[str, Any]] | None = None  # to second_requests(plan)
        self.problem: str | None = None
        queries = _task_value(second, 0) if second is not None else None
        if queries is not None:  # answered, even if the worker went wrong later
            self.answers = shapes.check_query(queries, second_requests(plan), "second query")
        if second is None:
            self.problem = "not run"
        elif second.status != "ok":
            self.problem = f"{second.status}: {second.detail}"
        elif self.answers is None or _task_value(second, 1) is None:
            self.problem = "a task failed"
        else:
            walks = shapes.check_walks(_task_value(second, 1), plan.streams, plan.second_walk_steps, "second walk")
            repeated = self.answers[: len(plan.repeated_requests)]
            self.records = [a["steps"] for a in repeated] + [w["steps"] for w in walks]

    def own_share(self) -> list[dict[str, Any]]:
        """The answers to the requests only the second worker was asked; unanswered ones where it did not finish."""
        if self.answers is not None:
            return self.answers[len(self.plan.repeated_requests):]
        unanswered = {"steps": [], "probes": {}, "branched": {},
                      "error": f"not answered: the worker asked it did not finish ({self.problem})"[:shapes.MAX_MESSAGE]}
        return [dict(unanswered) for _ in self.plan.second_only_requests]


def _first_records(plan: ReferencePlan, answers: list | None, walks: list | None) -> list[tuple[list, list | None]]:
    """What the first worker answered to the second's repeated questions (None where its queries failed)."""
    first: list[tuple[list, list | None]] = []
    for index in plan.repeated_requests:
        first.append((plan.requests[index]["actions"], answers[index]["steps"] if answers is not None else None))
    for walk in walks or []:
        steps = walk["steps"][: plan.second_walk_steps + 1]
        first.append(([s["action"] for s in steps if "action" in s], steps))
    return first


def judge(plan: ReferencePlan, config: VerifyConfig, first: SandboxResult, second: SandboxResult | None,
          elapsed_s: float) -> Report:
    """Turn the workers' answers into a report: one tier per aspect, combined into the overall score.

    Raises `ProtocolViolation` for an answer of the wrong shape (see `judge_guarded`).
    """
    reference = load_reference(plan.game.name)
    import_error = None
    if first.status == "import_error" or (first.status != "ok" and not first.task_results):
        import_error = f"{first.status}: {first.detail}"
    for result in (first, second):  # both workers' answers count: a violation in either is the candidate's
        if result is not None and result.status == PROTOCOL_VIOLATION:
            raise shapes.ProtocolViolation(result.detail)
    second_answers = _SecondAnswers(second, plan)
    values = _checked(first, plan, config, second_answers) if import_error is None else {}
    answers, walks = values.get("query"), values.get("walk")
    initial = walks[0]["steps"][0] if walks and walks[0]["steps"] else None
    initial_error = walks[0]["error"] if walks and not walks[0]["steps"] else None
    static_score, static_checks = judge_static(values.get("static"), import_error, plan.game.imperfect_information,
                                               initial, initial_error)
    tiers = [Tier("static", static_score, config.weight("static"), static_checks)]
    if import_error is None:
        evidence = steps_played = None
        replayed = replay_agreement(plan, answers)
        if walks is not None:
            evidence, steps_played = collect_evidence(walks, plan.walk_reaches_limit, plan.game.max_game_length,
                                                      plan.game.chance)
            cross_worker_evidence(evidence, _first_records(plan, answers, walks), second_answers.records,
                                  second_answers.problem)
            branch_evidence(evidence, plan, answers, {i: count for i, (count, _) in replayed.items()})
        score, checks = judge_properties(plan, walks, evidence, steps_played or 0)
        tiers.append(Tier("properties", score, config.weight("properties"), checks))
        references = walk_references(plan, reference, walks or [])
        score, checks = judge_agreement(plan, replayed, answers is None, walks, references)
        tiers.append(Tier("agreement", score, config.weight("agreement"), checks))
        score, checks = judge_outcomes(plan, answers, walks, references)
        tiers.append(Tier("outcomes", score, None, checks))
        if plan.game.imperfect_information:
            score, checks = judge_information(plan, reference, answers, values.get("resample"))
            tiers.append(Tier("information", score, None, checks))
        score, checks = judge_scenarios(plan, answers)
        tiers.append(Tier("scenarios", score, config.weight("scenarios"), checks))
        if any(t.score < 1.0 for t in tiers if t.name in ("agreement", "outcomes")):
            try:
                slips, tolerant = diagnose(plan, reference, walks)
            except Exception:  # noqa: BLE001 - a diagnosis is extra help: it never costs a candidate its report
                slips, tolerant = Slips(), 0.0
            if slips.lines:
                tiers.insert(0, Tier(CONVENTIONS, tolerant, 0.0, convention_checks(slips)))
    return _report(plan, first, tiers, elapsed_s, import_error)


def _report(plan: ReferencePlan, first: SandboxResult, tiers: list[Tier], elapsed_s: float,
            import_error: str | None) -> Report:
    """The overall score: the weighted mean of the additive tiers times every factor tier (see config)."""
    slip = tiers.pop(0) if tiers[0].name == CONVENTIONS else None
    if not tiers[0].passed:
        for tier in tiers[1:]:
            tier.score = 0.0  # nothing after a failed static tier scores
    weighted = [t for t in tiers if t.weight is not None]
    total_weight = sum(t.weight for t in weighted)
    overall = sum(t.score * t.weight for t in weighted) / total_weight if total_weight else 0.0
    for tier in tiers:
        if tier.weight is None:
            overall *= tier.score
    applicable = [n for n in TIER_ORDER if n != "information" or plan.game.imperfect_information]
    if len(tiers) < len(applicable):
        overall = 0.0  # the candidate never got past importing: no outcome, so no score
    passed = first.status == "ok" and len(tiers) == len(applicable) and all(t.passed for t in tiers)
    if slip is not None:
        overall = max(overall, CONVENTION_SHARE * slip.score)
        tiers.insert(0, slip)
        passed = False
    error = None if first.status == "ok" else (import_error or f"{first.status}: {first.detail}")
    return Report(game=plan.game.name, score=overall, passed=passed, tiers=tiers, isolation=first.isolation,
                  elapsed_s=elapsed_s, error=error)
