"""The two workers share the questions: each request is answered by one of them, a few by both."""

from __future__ import annotations

import pytest

from gamecwm.sandbox import SandboxPool
from gamecwm.verify.config import VerifyConfig
from gamecwm.verify.plan import build_plan
from gamecwm.verify.verifier import build_second_tasks, build_tasks, judge_guarded, second_requests
from tests.verify.candidates import reference_source

GAMES = ("chess", "gin_rummy", "kuhn_poker", "first_price_auction")


@pytest.mark.parametrize("game", GAMES)
def test_every_request_goes_to_one_worker_and_the_repeated_ones_to_both(game: str) -> None:
    config = VerifyConfig()
    plan = build_plan(game, 0, config)
    first, second_only, repeated = set(plan.first_requests), set(plan.second_only_requests), set(plan.repeated_requests)
    assert first | second_only == set(range(len(plan.requests)))
    assert not first & second_only
    assert repeated and repeated <= first
    asked_first = build_tasks(plan, config)[1].args["requests"]
    asked_second = build_second_tasks(plan)[0].args["requests"]
    assert len(asked_first) == len(first) and len(asked_second) == len(repeated) + len(second_only)
    assert asked_second == second_requests(plan)
    assert all(request["branches"] == {} for request in asked_second[: len(repeated)])


@pytest.mark.parametrize("game", ["chess", "gin_rummy"])
def test_long_games_hand_a_real_share_to_the_second_worker(game: str) -> None:
    plan = build_plan(game, 0, VerifyConfig())
    handed = sum(len(plan.requests[i]["actions"]) for i in plan.second_only_requests)
    kept = sum(len(plan.requests[i]["actions"]) for i in plan.first_requests)
    assert handed >= kept / 4  # the first worker also walks and probes, so it keeps fewer than half the replays


def test_the_shares_are_the_same_for_every_computation_of_a_plan() -> None:
    from gamecwm.verify.plan import _compute_plan

    plans = [_compute_plan("gin_rummy", 3, VerifyConfig()) for _ in range(2)]
    assert plans[0].second_only_requests == plans[1].second_only_requests
    assert plans[0].repeated_requests == plans[1].repeated_requests


@pytest.mark.parametrize("game", ["gin_rummy", "kuhn_poker"])
def test_a_second_worker_that_never_answers_costs_its_share_and_the_determinism_check(game: str) -> None:
    config = VerifyConfig()
    plan = build_plan(game, 0, config)
    with SandboxPool(workers=1) as pool:
        first = pool.run(reference_source(game), build_tasks(plan, config), hash_seed=plan.hash_seeds[0])
    report = judge_guarded(plan, config, first, None, 0.0)
    assert report.error is None and not report.passed
    assert 0.0 < report.score < 1.0
    failed = {check.name for _, check in report.failed_checks()}
    assert "deterministic" in failed
    assert report.tier("agreement").score < 1.0


def test_the_second_workers_answers_count_even_when_it_fails_after_them() -> None:
    from gamecwm.sandbox import SandboxResult

    config = VerifyConfig()
    plan = build_plan("gin_rummy", 0, config)
    with SandboxPool(workers=1) as pool:
        source = reference_source("gin_rummy")
        first = pool.run(source, build_tasks(plan, config), hash_seed=plan.hash_seeds[0])
        second = pool.run(source, build_second_tasks(plan), hash_seed=plan.hash_seeds[1])
    late = SandboxResult("timeout", "wall-clock limit exceeded", second.task_results[:1], second.isolation, 0.0, "")
    report = judge_guarded(plan, config, first, late, 0.0)
    assert report.tier("agreement").score == 1.0 and report.tier("scenarios").score == 1.0
    assert not report.passed
    assert "deterministic" in {check.name for _, check in report.failed_checks()}
