"""The verifier's own quality: references pass, stubs score low, mutants and wrong programs fail."""

from __future__ import annotations

import pytest

from gamecwm.games import game_names
from gamecwm.sandbox import Limits, SandboxPool
from gamecwm.verify import VerifyConfig, verify
from gamecwm.verify.batch import Candidate, verify_many
from gamecwm.verify.mutants import make_mutants
from tests.verify.candidates import NON_PLAYING_STUBS, patched_reference, reference_source

STUB_CEILING = 0.2
MUTANT_GAMES = ("tic_tac_toe", "connect4", "pig", "kuhn_poker")
MUTANTS_PER_GAME = 25
REQUIRED_KILL_RATE = 0.95
# An extensive differential run (many more and longer playouts, another seed) decides which mutants
# behave observably differently from their reference.
EXTENSIVE = VerifyConfig(reference_playouts=40, candidate_playouts=40, step_budget=20_000, info_probes=40,
                         resample_probes=20)


@pytest.fixture(scope="module")
def pool():
    with SandboxPool(workers=2, limits=Limits(wall_s=10.0, cpu_s=10.0)) as sandbox_pool:
        yield sandbox_pool


@pytest.mark.parametrize("name", game_names())
def test_every_reference_scores_one_and_passes(name: str, pool) -> None:
    report = verify(reference_source(name), name, seed=0, runner=pool.run)
    assert report.failed_checks() == []
    assert report.passed and report.score == pytest.approx(1.0)


@pytest.mark.parametrize("stub", sorted(NON_PLAYING_STUBS))
@pytest.mark.parametrize("game", ["tic_tac_toe", "pig", "kuhn_poker", "leduc_poker", "chess", "blackjack"])
def test_programs_that_do_not_play_score_at_most_point_two(game: str, stub: str, pool) -> None:
    if game not in game_names():
        pytest.skip(f"{game} is not registered")
    report = verify(NON_PLAYING_STUBS[stub], game, seed=0, runner=pool.run)
    assert not report.passed
    assert report.score is not None and report.score <= STUB_CEILING, report.to_json()


def test_verifier_fails_observably_wrong_mutants(pool) -> None:
    candidates = []
    for game in MUTANT_GAMES:
        for number, mutant in enumerate(make_mutants(reference_source(game), MUTANTS_PER_GAME, seed=7)):
            candidates.append(Candidate(f"{game}/{number}: {mutant.description}", game, mutant.source))
    extensive = {c.id: r for c, r in verify_many(candidates, pool, seed=12345, config=EXTENSIVE)}
    observable = [c for c in candidates if not extensive[c.id].passed]
    assert len(observable) >= 0.5 * len(candidates), "too few mutants differ observably: the mutant generator is broken"
    default = {c.id: r for c, r in verify_many(observable, pool, seed=0)}
    survivors = [c.id for c in observable if default[c.id].passed]
    assert len(survivors) <= (1 - REQUIRED_KILL_RATE) * len(observable), survivors


def _failed_names(report) -> set[str]:
    return {check.name for _, check in report.failed_checks()}


def test_wrong_payoff_fails_agreement_and_scenarios(pool) -> None:
    code = patched_reference("tic_tac_toe", 'return [1.0, -1.0]', 'return [1.0, 0.0]')
    report = verify(code, "tic_tac_toe", runner=pool.run)
    assert not report.passed
    assert {"reference_driven_play_agrees", "x_wins_top_row"} <= _failed_names(report)
    assert "rewards" in report.tier("agreement").checks[0].message


def test_missing_diagonal_rule_fails_the_scenario_that_needs_it(pool) -> None:
    code = patched_reference(
        "tic_tac_toe",
        "+ [[(i, i) for i in range(SIZE)], [(i, SIZE - 1 - i) for i in range(SIZE)]]",
        "",
    )
    report = verify(code, "tic_tac_toe", runner=pool.run)
    assert "x_wins_anti_diagonal" in _failed_names(report)
    assert report.score < 1.0


@pytest.mark.skipif("kuhn_poker" not in game_names(), reason="kuhn_poker not registered")
def test_information_leak_is_named(pool) -> None:
    source = reference_source("kuhn_poker")
    leak = source + '''

_honest_observations = get_observations


def get_observations(state):
    observations = _honest_observations(state)
    cards = state.get("cards") or []
    if len(cards) == 2:
        observations = [dict(observations[0], peek=cards[1]), dict(observations[1], peek=cards[0])]
    return observations
'''
    report = verify(leak, "kuhn_poker", runner=pool.run)
    assert "no_information_leak" in _failed_names(report)
    assert "tell apart" in report.tier("information").checks[0].message


@pytest.mark.skipif("kuhn_poker" not in game_names(), reason="kuhn_poker not registered")
def test_stub_resample_history_fails(pool) -> None:
    stubbed = reference_source("kuhn_poker") + '''

def resample_history(obs_action_history, player_id):
    return []
'''
    report = verify(stubbed, "kuhn_poker", runner=pool.run)
    assert {"resample_history_consistent", "resample_history_varies"} <= _failed_names(report)


@pytest.mark.skipif("kuhn_poker" not in game_names(), reason="kuhn_poker not registered")
def test_fixed_deal_resample_history_does_not_vary(pool) -> None:
    fixed = reference_source("kuhn_poker") + '''

import random as _random
_real_resample = resample_history


def resample_history(obs_action_history, player_id):
    state = _random.getstate()
    _random.seed(0)
    try:
        return _real_resample(obs_action_history, player_id)
    finally:
        _random.setstate(state)
'''
    report = verify(fixed, "kuhn_poker", runner=pool.run)
    failed = _failed_names(report)
    assert "resample_history_varies" in failed and "resample_history_consistent" not in failed


def test_verification_is_deterministic_for_a_seed(pool) -> None:
    code = patched_reference("tic_tac_toe", '"draw"', '"ongoing"')
    first = verify(code, "tic_tac_toe", seed=3, runner=pool.run).to_json()
    second = verify(code, "tic_tac_toe", seed=3, runner=pool.run).to_json()
    first.pop("elapsed_s"), second.pop("elapsed_s")
    assert first == second


def test_infrastructure_failure_is_not_a_score() -> None:
    from gamecwm.sandbox import SandboxResult

    def broken_runner(source, tasks, hash_seed=0, companion=False):
        return SandboxResult(status="infrastructure_error", detail="could not start a worker", task_results=[],
                             isolation="none", elapsed_s=0.0, stdout_tail="")

    report = verify(reference_source("tic_tac_toe"), "tic_tac_toe", runner=broken_runner)
    assert report.score is None and report.infrastructure_failure and not report.passed
    assert report.to_json()["error"].startswith("infrastructure:")
