"""The score tracks correctness: wrong winners, constant rewards, endless games and information errors cost
heavily, convention slips are named and scored between garbage and a pass, and the reward is monotone."""

from __future__ import annotations

import pytest

from gamecwm.games import game_names, get_game, load_reference
from gamecwm.games.playout import random_playout
from gamecwm.sandbox import Limits, SandboxPool
from gamecwm.train.rewards import RewardSuite, VerifierReward
from gamecwm.verify import verify
from gamecwm.verify.calibration import (
    INFORMATION_ONLY,
    NON_PLAYING_STUBS,
    WRONG_PROGRAMS,
    calibration_set,
    wrong_program,
)
from tests.verify.candidates import reference_source

OUTCOME_ERRORS = ("winner_reversed", "constant_rewards", "never_ends")
IMPERFECT = [name for name in game_names() if get_game(name).imperfect_information]


@pytest.fixture(scope="module")
def pool():
    with SandboxPool(workers=2, limits=Limits(wall_s=30.0, cpu_s=30.0)) as sandbox_pool:
        yield sandbox_pool


def _always_symmetric(game: str) -> bool:
    """True for a cooperative game, where reversing the winner changes nothing."""
    reference = load_reference(game)
    endings = [random_playout(reference, seed=s).rewards for s in range(20)]
    return all(r[0] == r[1] for r in endings)


@pytest.mark.slow
@pytest.mark.parametrize("game", game_names())
def test_a_wrong_winner_constant_rewards_or_no_end_score_at_most_half(game: str, pool) -> None:
    for kind in OUTCOME_ERRORS:
        if kind == "winner_reversed" and _always_symmetric(game):
            continue
        report = verify(wrong_program(reference_source(game), kind), game, runner=pool.run)
        assert not report.passed, kind
        assert report.score <= 0.5, (kind, report.score)


@pytest.mark.slow
@pytest.mark.parametrize("game", IMPERFECT)
def test_constant_or_leaking_observations_score_at_most_point_six(game: str, pool) -> None:
    for kind in INFORMATION_ONLY:
        report = verify(wrong_program(reference_source(game), kind), game, runner=pool.run)
        assert not report.passed, kind
        assert report.score <= 0.6, (kind, report.score)


@pytest.mark.slow
@pytest.mark.parametrize("game", game_names())
def test_every_reference_scores_one_on_seeds_zero_to_four(game: str, pool) -> None:
    for seed in range(5):
        report = verify(reference_source(game), game, seed=seed, runner=pool.run)
        assert report.passed and report.score == pytest.approx(1.0), (seed, report.failed_checks()[:2])


@pytest.mark.parametrize("game", ["tic_tac_toe", "kuhn_poker", "pig", "liars_dice"])
def test_every_wrong_program_of_the_calibration_set_fails(game: str, pool) -> None:
    for name, source in calibration_set(game, mutants=0)[1:]:
        if name.startswith("truncated") or name == "winner_reversed" and _always_symmetric(game):
            continue  # a short game may never reach the cut; a cooperative game has no winner to reverse
        report = verify(source, game, runner=pool.run)
        assert not report.passed, name


SLIPS = {
    # The reference's apply_action checks its action against get_legal_actions, looked up when it runs: it
    # must see the rules' strings, or the slipped program would refuse its own moves.
    "spaces in action strings": '''
_r_legal, _r_apply = get_legal_actions, apply_action
def _spaced_legal(state):
    return [a.replace(",", ", ") for a in _r_legal(state)]
def apply_action(state, action):
    global get_legal_actions
    get_legal_actions = _r_legal
    try:
        return _r_apply(state, action.replace(" ", ""))
    finally:
        get_legal_actions = _spaced_legal
get_legal_actions = _spaced_legal
''',
    "returns scaled and shifted": '''
_r_rewards = get_rewards
def get_rewards(state):
    return [2 * r + 1 for r in _r_rewards(state)]
''',
    "player ids from 1": '''
_r_player = get_current_player
def get_current_player(state):
    player = _r_player(state)
    return player + 1 if player in (0, 1) else player
''',
}


@pytest.mark.parametrize("slip", sorted(SLIPS))
def test_a_convention_slip_is_named_and_scores_between_garbage_and_a_pass(slip: str, pool) -> None:
    report = verify(reference_source("tic_tac_toe") + SLIPS[slip], "tic_tac_toe", runner=pool.run)
    conventions = report.tier("conventions")
    assert conventions is not None and len(conventions.checks[0].message.splitlines()) == 1
    assert not report.passed
    garbage = max(verify(stub, "tic_tac_toe", runner=pool.run).score for stub in NON_PLAYING_STUBS.values())
    assert garbage < report.score < 1.0


def test_chance_resolved_in_the_initial_state_is_named(pool) -> None:
    dealt = reference_source("kuhn_poker") + '''
_r_initial = get_initial_state
def get_initial_state():
    return apply_action(_r_initial(), "KQ")
'''
    report = verify(dealt, "kuhn_poker", runner=pool.run)
    assert "get_initial_state resolves it" in report.tier("conventions").checks[0].message
    assert 0.2 < report.score < 1.0 and not report.passed


@pytest.mark.parametrize("game", ["tic_tac_toe", "kuhn_poker", "pig", "connect4"])
def test_the_reward_is_highest_for_the_reference(game: str) -> None:
    suite = RewardSuite(VerifierReward(workers=2))
    try:
        programs = [source for _, source in calibration_set(game, mutants=2)] + list(NON_PLAYING_STUBS.values())
        completions = ["```python\n" + source + "\n```" for source in programs]
        score, credit = suite.functions()[:2]
        scores = score(completions=completions, game=[game] * len(programs))
        credits = credit(completions=completions, game=[game] * len(programs))
        passed = [report.passed for report in suite.last_reports]
    finally:
        suite.close()
    totals = [s + 0.2 * c for s, c in zip(scores, credits)]
    wrong = [total for total, ok in zip(totals[1:], passed[1:]) if not ok]  # a mutant may change nothing
    assert passed[0] and len(wrong) >= len(totals) - 3 and all(totals[0] > other for other in wrong), totals


def test_wrong_program_kinds_are_the_documented_ones() -> None:
    assert set(OUTCOME_ERRORS) | set(INFORMATION_ONLY) <= set(WRONG_PROGRAMS)


def test_a_game_that_never_ends_gets_half_its_outcomes_when_its_returns_are_right(pool) -> None:
    never_ends = verify(wrong_program(reference_source("tic_tac_toe"), "never_ends"), "tic_tac_toe", runner=pool.run)
    outcomes = never_ends.tier("outcomes")
    assert outcomes.score == pytest.approx(0.5)  # every game: the end missed, the returns there right
    message = next(check.message for check in outcomes.checks if not check.passed)
    assert "the candidate plays on" in message and "its returns here are right" in message
    assert 0 < never_ends.score <= 0.5 and not never_ends.passed
    # Missing the end with the winner reversed costs each decisive game, which outweighs the draws' half credit
    # (a draw weighs a quarter of a win, see test_endings_weigh_by_what_is_at_stake): nothing is left.
    reversed_source = wrong_program(wrong_program(reference_source("tic_tac_toe"), "never_ends"), "winner_reversed")
    reversed_outcomes = verify(reversed_source, "tic_tac_toe", runner=pool.run).tier("outcomes")
    assert reversed_outcomes.score == 0.0


def _terminal(rewards: list[float]) -> dict:
    return {"player": -4, "legal": [], "rewards": rewards, "problem": {}}


@pytest.mark.parametrize(("expected", "actual", "credit"), [
    ([1.0, -1.0], [1.0, -1.0], 1.0),
    ([1.0, -1.0], [-1.0, 1.0], -1.0),  # the other player wins: a planner is steered to lose
    ([2.0, -2.0], [-1.0, 1.0], -1.0),
    ([1.0, -1.0], [0.0, 0.0], 0.0),  # wrong, but names no winner
    ([1.0, -1.0], [1.0, 1.0], 0.0),
    ([0.0, 0.0], [1.0, -1.0], 0.0),  # a draw made decisive is wrong, not reversed
])
def test_a_reversed_winner_costs_a_game_and_other_wrong_returns_earn_nothing(expected, actual, credit) -> None:
    from gamecwm.verify.outcomes import _ending

    start = {"player": 0, "legal": ["a"], "rewards": [0.0, 0.0], "problem": {}}
    got, problem = _ending([start, _terminal(expected)], [start, _terminal(actual)], None, ["a"])
    assert got == credit
    assert (problem is None) == (credit == 1.0)
    if credit < 0:
        assert "the winner is reversed" in problem.message


def test_endings_weigh_by_what_is_at_stake() -> None:
    from gamecwm.verify.outcomes import ending_weights

    assert ending_weights([(1.0, -1.0), (-1.0, 1.0), (0.0, 0.0), ("not over",)]) == {
        (1.0, -1.0): 1.0, (-1.0, 1.0): 1.0, (0.0, 0.0): 0.25, ("not over",): 1.0}
    assert ending_weights([(13.0, -13.0), (1.0, -1.0), (-6.5, 6.5)]) == {
        (13.0, -13.0): 1.0, (1.0, -1.0): 0.25, (-6.5, 6.5): 0.5}
    assert ending_weights([(3.0, 3.0), (5.0, 5.0)]) == {(3.0, 3.0): 1.0, (5.0, 5.0): 1.0}  # cooperative


def test_a_program_that_cannot_answer_about_its_initial_state_is_told_why(pool) -> None:
    source = reference_source("tic_tac_toe") + '''

def get_current_player(state):
    return state["player_id"]
'''
    report = verify(source, "tic_tac_toe", runner=pool.run)
    check = next(c for c in report.tier("static").checks if c.name == "initial_state_runs")
    assert not check.passed and check.history == []
    assert "KeyError" in check.message and "player_id" in check.message
