"""GRPO rewards: partial credit grades non-programs, the suite verifies once, harness failures give no reward."""

from __future__ import annotations

import random

import pytest

from gamecwm.games import get_game
from gamecwm.sandbox.runner import InfrastructureError
from gamecwm.train.rewards import RewardSuite, partial_credit
from gamecwm.verify.config import TIER_ORDER
from gamecwm.verify.report import INFRASTRUCTURE_PREFIX, Report, Tier
from gamecwm.train.rewards import VerifierReward


class ScriptedVerifier:
    """Stands in for VerifierReward: a report per completion from a script, counting its calls."""

    def __init__(self, outcome) -> None:
        self.outcome, self.calls = outcome, 0

    def reports(self, completions, games, step=None):
        self.calls += 1
        return [self.outcome(text, game) for text, game in zip(completions, games)]

    def seed_for(self, step):
        return 0

    def close(self) -> None:
        pass


def scored(text: str, game: str) -> Report:
    """A report scoring 0.5 with the static tier passed and agreement half right."""
    return Report(game, 0.5, False, [Tier("static", 1.0, 0.05), Tier("agreement", 0.5, 0.5)], "none", 0.0)


def harness_failure(text: str, game: str) -> Report:
    return Report(game, None, False, [], "none", 0.0, f"{INFRASTRUCTURE_PREFIX} the worker died")


def test_partial_credit_grades_text_that_is_not_yet_a_program() -> None:
    reference = get_game("kuhn_poker").reference_path.read_text()
    noise = "astling dealLIN left format liberty unique largest fla leadE[nip placing"
    code_words = "state return if for in not state player action"
    one_function = "```python\ndef get_initial_state():\n    return {}\n```"
    values = [partial_credit(text, "kuhn_poker")
              for text in ("", noise, code_words, one_function, f"```python\n{reference}\n```")]
    assert values == sorted(values) and len(set(values)) == len(values)
    assert values[0] == 0.0 and 0 < values[1] < values[2] < 0.2 and values[-1] > 0.8
    assert all(0.0 <= v <= 1.0 for v in values)


def test_partial_credit_varies_across_random_token_strings() -> None:
    """A random model's completions differ in partial credit, so a GRPO group has a learning signal."""
    vocabulary = ["state", "return", "xq", "foo[", "def", "(", "):", "zzz", "\n", "if", "=", "]]", "9", "get_rewards"]
    generator = random.Random(0)
    texts = ["".join(generator.choice(vocabulary) + " " for _ in range(30)) for _ in range(8)]
    assert len({partial_credit(t, "pig") for t in texts}) > 4


def test_suite_functions_read_one_verification_per_batch() -> None:
    verifier = ScriptedVerifier(scored)
    suite = RewardSuite(verifier)
    functions = suite.functions()
    assert [f.__name__ for f in functions] == ["verifier_score", "partial_credit"] + [f"tier_{t}" for t in TIER_ORDER]
    assert RewardSuite.weights(0.2) == [1.0, 0.2] + [0.0] * len(TIER_ORDER)
    completions = [[{"role": "assistant", "content": "x = 1"}], [{"role": "assistant", "content": "y = 2"}]]
    games = ["pig", "kuhn_poker"]
    values = {f.__name__: f(prompts=[None, None], completions=completions, game=games) for f in functions}
    assert verifier.calls == 1
    assert values["verifier_score"] == [0.5, 0.5]
    assert values["tier_static"] == [1.0, 1.0] and values["tier_agreement"] == [0.5, 0.5]
    assert values["tier_scenarios"] == [0.0, 0.0]  # never reached: scores 0
    assert values["tier_information"] == [None, 0.0]  # pig has no information tier; kuhn_poker never reached it
    assert values["partial_credit"] == [partial_credit("x = 1", "pig"), partial_credit("y = 2", "kuhn_poker")]
    functions[0](completions=completions[:1], game=games[:1])
    assert verifier.calls == 2
    with pytest.raises(ValueError, match="'game' column"):
        functions[0](completions=completions)


@pytest.mark.parametrize("failure", ["report", "raise"])
def test_harness_failures_give_no_reward_from_any_function(failure: str) -> None:
    def outcome(text: str, game: str) -> Report:
        if failure == "raise":
            raise InfrastructureError("the fork server died")
        return harness_failure(text, game) if text == "bad" else scored(text, game)

    suite = RewardSuite(ScriptedVerifier(outcome))
    for function in suite.functions():
        values = function(completions=["bad", "good"], game=["kuhn_poker", "kuhn_poker"])
        if failure == "raise":
            assert values == [None, None]
        else:
            assert values[0] is None and values[1] is not None


def test_the_real_verifier_scores_a_reference_and_garbage() -> None:
    suite = RewardSuite(VerifierReward(workers=1))
    try:
        reference = f"```python\n{get_game('tic_tac_toe').reference_path.read_text()}\n```"
        score, credit = suite.functions()[:2]
        assert score(completions=[reference, "no code here ("], game=["tic_tac_toe"] * 2) == [1.0, 0.0]
        low, high = credit(completions=["no code here (", reference], game=["tic_tac_toe"] * 2)
        assert high > low
    finally:
        suite.close()


def test_each_training_step_is_verified_at_its_own_reproducible_seed() -> None:
    fresh = VerifierReward(workers=1, seed=5, fresh_seeds=True)
    fixed = VerifierReward(workers=1, seed=5)
    seeds = [fresh.seed_for(step) for step in range(20)]
    assert len(set(seeds)) == 20 and seeds == [VerifierReward(seed=5, fresh_seeds=True).seed_for(s) for s in range(20)]
    assert VerifierReward(seed=6, fresh_seeds=True).seed_for(3) != seeds[3]
    assert {fixed.seed_for(step) for step in range(5)} == {5} and fresh.seed_for(None) == 5


def test_a_program_that_imports_gets_full_partial_credit_so_the_reward_is_monotone() -> None:
    from gamecwm.verify.report import Check

    def imported(text: str, game: str) -> Report:
        return Report(game, 0.0, False, [Tier("static", 1.0, 0.05, [Check("imports", True)])], "none", 0.0)

    suite = RewardSuite(ScriptedVerifier(imported))
    credit = suite.functions()[1]
    assert credit(completions=["def f(): pass"], game=["pig"]) == [1.0]
