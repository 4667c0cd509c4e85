"""Attacks from inside the candidate's process gain nothing, and the parent always returns a report.

Each attack is compared with the same program without its trick: the verdict comes from the answers
alone, judged here against the reference, so reading, rewriting or forging what the worker holds can
only make a program's answers worse.
"""

from __future__ import annotations

import pytest

from gamecwm.play.agents import parse_agent_spec
from gamecwm.play.arena import play_match
from gamecwm.play.remote import RemotePlanningAgent
from gamecwm.sandbox import Limits, SandboxPool
from gamecwm.train.rewards import VerifierReward
from gamecwm.verify import verify
from gamecwm.verify.batch import Candidate, verify_many
from gamecwm.verify.plan import hash_seeds
from tests.verify import adversaries
from tests.verify.candidates import reference_source

CEILING = 0.2
GAMES = ("tic_tac_toe", "kuhn_poker", "pig")


@pytest.fixture(scope="module")
def pool():
    with SandboxPool(workers=2, limits=Limits(wall_s=20.0, cpu_s=20.0)) as sandbox_pool:
        yield sandbox_pool


def _score(code: str, game: str, pool, seed: int = 0):
    report = verify(code, game, seed=seed, runner=pool.run)
    assert report.score is not None, report.error  # a candidate's doing is never an infrastructure failure
    return report


@pytest.mark.parametrize("game", GAMES)
@pytest.mark.parametrize("attack", ["SNOOPER", "ENCODER_FORGER", "FD_WRITER"])
def test_tricks_inside_the_process_gain_nothing(attack: str, game: str, pool) -> None:
    honest = _score(adversaries.MADE_UP_GAME, game, pool)
    forged = _score(getattr(adversaries, attack), game, pool)
    assert not forged.passed
    assert forged.score <= honest.score + 1e-9
    assert forged.score <= CEILING


@pytest.mark.parametrize("kind", sorted(adversaries.MALFORMED_PAYLOADS))
def test_malformed_answers_are_the_candidates_failure_with_a_report(kind: str, pool) -> None:
    code = adversaries.driver_swapper(adversaries.MALFORMED_PAYLOADS[kind])
    for game in ("tic_tac_toe", "kuhn_poker"):
        report = _score(code, game, pool)
        assert not report.passed and report.score <= CEILING
        assert not report.infrastructure_failure


def test_nan_chance_probabilities_fail() -> None:
    with SandboxPool(workers=1) as pool:
        report = _score(adversaries.with_nan_chance("liars_dice"), "liars_dice", pool)
    assert not report.passed and report.score < 0.5
    assert "chance_outcomes_valid" in {check.name for _, check in report.failed_checks()}


def test_infinite_rewards_fail(pool) -> None:
    report = _score(adversaries.with_infinite_rewards("tic_tac_toe"), "tic_tac_toe", pool)
    assert not report.passed and report.score < 0.5
    assert "rewards_two_finite_numbers" in {check.name for _, check in report.failed_checks()}


def test_a_mutating_apply_action_fails_and_erasing_the_evidence_does_not_help(pool) -> None:
    mutating = _score(adversaries.mutating("tic_tac_toe"), "tic_tac_toe", pool)
    assert not mutating.passed
    assert "no_mutation" in {check.name for _, check in mutating.failed_checks()}
    erasing = _score(adversaries.mutating_and_erasing("tic_tac_toe"), "tic_tac_toe", pool)
    assert not erasing.passed and erasing.score <= mutating.score


def test_the_same_seed_gives_the_same_verdict_and_process_dependence_fails(pool) -> None:
    code = adversaries.hash_parity_winner("tic_tac_toe")
    exposed = 0
    for seed in range(4):
        first = _score(code, "tic_tac_toe", pool, seed).to_json()
        second = _score(code, "tic_tac_toe", pool, seed).to_json()
        first.pop("elapsed_s"), second.pop("elapsed_s")
        assert first == second
        parities = {_hash_parity(h) for h in hash_seeds(seed)}
        if len(parities) == 2:
            exposed += 1
            assert not first["passed"]
    assert exposed, "no seed put the two workers on hash seeds of different parity"


def _hash_parity(hash_seed: int) -> int:
    return _hash_of_marker(hash_seed) % 2


def _hash_of_marker(hash_seed: int) -> int:
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", "print(hash('gamecwm'))"], capture_output=True, text=True,
                         env={"PYTHONHASHSEED": str(hash_seed)}, check=True)
    return int(out.stdout)


@pytest.mark.parametrize("game", ["chess", "kuhn_poker"])
@pytest.mark.parametrize("silent", [0, 1], ids=["first-silent", "second-silent"])
def test_a_program_that_answers_in_one_worker_only_fails(game: str, silent: int, pool) -> None:
    # Each worker answers its own share of the questions: the one a program keeps silent in is not
    # a mere cross-check, its share scores 0 and the determinism check fails.
    from gamecwm.verify.config import VerifyConfig
    from gamecwm.verify.plan import build_plan

    plan = build_plan(game, 0, VerifyConfig())
    assert plan.second_only_requests, "the second worker was given no share of its own"
    report = _score(adversaries.silent_in_one_worker(game, _hash_of_marker(plan.hash_seeds[silent])), game, pool)
    assert not report.passed
    assert report.score < 0.5
    assert report.tier("agreement").score < 1.0
    if silent == 1:
        assert "deterministic" in {check.name for _, check in report.failed_checks()}


@pytest.mark.parametrize("worker", [0, 1], ids=["first", "second"])
def test_tampering_in_either_worker_is_a_protocol_violation(worker: int, pool) -> None:
    from gamecwm.verify.config import VerifyConfig
    from gamecwm.verify.plan import build_plan

    plan = build_plan("tic_tac_toe", 0, VerifyConfig())
    report = _score(adversaries.tampering_in_one_worker("tic_tac_toe", _hash_of_marker(plan.hash_seeds[worker])),
                    "tic_tac_toe", pool)
    assert report.score == 0.0 and not report.passed
    assert report.error.startswith("protocol_violation") and "modified trusted code" in report.error


@pytest.mark.parametrize(("game", "deal"), [("kuhn_poker", ["KQ"]), ("pig", [])])
def test_a_slipped_convention_earns_nothing_for_a_program_that_stops_after_its_first_state(game, deal, pool) -> None:
    # Found in a real model's program: chance resolved in get_initial_state, then a crash on the first move,
    # was read as "right in its own convention" on the one state it answered and scored 0.5.
    report = _score(adversaries.dealt_then_stuck(game, deal), game, pool)
    assert not report.passed
    assert report.score <= CEILING


@pytest.mark.parametrize("game", ["kuhn_poker", "leduc_poker"])
def test_a_resample_history_that_looks_for_the_true_history_finds_nothing(game: str, pool) -> None:
    snooping = _score(adversaries.true_history_resampler(game), game, pool)
    empty = _score(adversaries.honest_empty_resampler(game), game, pool)
    assert snooping.tier("information").score <= empty.tier("information").score + 1e-9
    assert not snooping.passed


def test_a_planning_model_never_sees_the_hidden_cards(pool) -> None:
    spec = parse_agent_spec("ismcts:sims=20")
    honest = RemotePlanningAgent(spec, reference_source("kuhn_poker"), pool, game="kuhn_poker")
    task = honest.task(["KQ", "Raise"], 1, seed=0)
    assert "history" not in task.args and "KQ" not in repr(task.args)
    cheating = RemotePlanningAgent(spec, adversaries.true_history_resampler("kuhn_poker"), pool, game="kuhn_poker")
    fair = RemotePlanningAgent(spec, adversaries.honest_empty_resampler("kuhn_poker"), pool, game="kuhn_poker")
    cheat = play_match("kuhn_poker", [cheating, _random()], games=6, seed=3)
    plain = play_match("kuhn_poker", [fair, _random()], games=6, seed=3)
    assert [r.actions for r in cheat.records] == [r.actions for r in plain.records]


def _random():
    from gamecwm.play.agents import RandomAgent

    return RandomAgent()


def test_one_malformed_candidate_never_stops_a_batch_or_a_reward(pool) -> None:
    codes = [reference_source("tic_tac_toe"), adversaries.driver_swapper("[[1]]"), adversaries.FD_WRITER,
             adversaries.ENCODER_FORGER]
    candidates = [Candidate(str(i), "tic_tac_toe", code) for i, code in enumerate(codes)]
    reports = {c.id: r for c, r in verify_many(candidates, pool)}
    assert reports["0"].passed and reports["0"].score == pytest.approx(1.0)
    assert all(not reports[str(i)].passed and reports[str(i)].score <= CEILING for i in range(1, len(codes)))
    reward = VerifierReward(workers=1)
    try:
        fenced = ["```python\n" + code + "\n```" for code in codes]
        rewards = reward(prompts=[""] * len(codes), completions=fenced, game=["tic_tac_toe"] * len(codes))
    finally:
        reward.close()
    assert rewards[0] == pytest.approx(1.0) and all(r is not None and r <= CEILING for r in rewards[1:])


def _mutations(value, rng, depth=0):
    """Yield copies of a JSON value with one random part replaced by something malformed."""
    import copy
    import math

    replacements = [None, [], {}, "x", -1, 10**6, math.nan, math.inf, True, [[1]], {"player": "?"}]
    for _ in range(40):
        mutated = copy.deepcopy(value)
        node, path = mutated, []
        while isinstance(node, (list, dict)) and node and rng.random() < 0.85:
            key = rng.randrange(len(node)) if isinstance(node, list) else rng.choice(sorted(node))
            path.append((node, key))
            node = node[key]
        if not path:
            continue
        parent, key = path[-1]
        if isinstance(parent, list) and rng.random() < 0.3:
            del parent[key]
        else:
            parent[key] = rng.choice(replacements)
        yield mutated


@pytest.mark.parametrize("game", ["tic_tac_toe", "kuhn_poker"])
def test_randomly_malformed_answers_always_give_a_finite_report(game: str, pool) -> None:
    import math
    import random

    from gamecwm.sandbox import SandboxResult, TaskResult
    from gamecwm.verify.config import VerifyConfig
    from gamecwm.verify.plan import build_plan
    from gamecwm.verify.verifier import build_second_tasks, build_tasks, judge_guarded

    config = VerifyConfig()
    plan = build_plan(game, 0, config)
    source = reference_source(game)
    first = pool.run(source, build_tasks(plan, config), hash_seed=plan.hash_seeds[0])
    second = pool.run(source, build_second_tasks(plan), hash_seed=plan.hash_seeds[1])
    rng = random.Random(5)
    assert judge_guarded(plan, config, first, second, 0.0).passed
    for worker, result in (("first", first), ("second", second)):  # each answers questions of its own
        for index, task_result in enumerate(result.task_results):
            for value in _mutations(task_result.value, rng):
                results = list(result.task_results)
                results[index] = TaskResult(True, value, None, 0.0)
                forged = SandboxResult(result.status, result.detail, results, result.isolation, 0.0, "")
                pair = (forged, second) if worker == "first" else (first, forged)
                report = judge_guarded(plan, config, *pair, 0.0)
                assert report.score is not None and math.isfinite(report.score) and 0.0 <= report.score <= 1.0
                assert not report.infrastructure_failure
