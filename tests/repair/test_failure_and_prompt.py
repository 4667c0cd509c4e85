"""The most informative failure, the reference's expected outcome, and the repair prompt."""

from __future__ import annotations

from gamecwm.games import load_rules
from gamecwm.repair.failure import most_informative_failure, reference_outcome
from gamecwm.repair.prompt import build_repair_messages
from gamecwm.verify import verify
from gamecwm.verify.config import VerifyConfig
from gamecwm.verify.plan import build_plan
from gamecwm.verify.report import Check, Report, Tier
from tests.repair.programs import BROKEN, BROKEN_MESSAGE


def _report(game: str, tiers: dict[str, list[Check]]) -> Report:
    built = [Tier(name, sum(c.passed for c in checks) / len(checks), 0.2, checks) for name, checks in tiers.items()]
    return Report(game, 0.5, False, built, "none", 0.1)


def test_the_first_failing_check_of_the_lowest_tier_is_chosen() -> None:
    report = _report("tic_tac_toe", {
        "static": [Check("imports", True)],
        "agreement": [Check("reference_driven_play_agrees", True),
                      Check("candidate_driven_play_agrees", False, "player to move is 0, expected 1",
                            history=["x(0,0)"])],
        "scenarios": [Check("x_wins_top_row", False, "current player 0, expected 1", history=["x(0,0)"])],
    })
    failure = most_informative_failure(report)
    assert (failure.tier, failure.check, failure.history) == ("agreement", "candidate_driven_play_agrees", ["x(0,0)"])
    assert failure.expected.startswith("player 1 to move; legal actions ['o(0,1)'")
    passing = _report("tic_tac_toe", {"static": [Check("imports", True)]})
    assert most_informative_failure(passing) is None
    broken_harness = Report("tic_tac_toe", None, False, [], "none", 0.1, "infrastructure: worker died")
    assert most_informative_failure(broken_harness) is None


def test_the_failure_history_is_the_checks_evidence_not_its_message() -> None:
    plan = build_plan("connect4", 0, VerifyConfig())
    history = next(plan.requests[i]["actions"] for i in plan.reference_play if len(plan.requests[i]["actions"]) >= 20)
    message = f"after 20 actions {['...'] + history[4:20]}: rewards [0.0, 0.0], expected [1.0, -1.0]"
    check = Check("reference_driven_play_agrees", False, message, history=history[:20])
    failure = most_informative_failure(_report("connect4", {"agreement": [check]}))
    assert failure.history == history[:20]
    assert failure.expected == reference_outcome("connect4", history[:20])
    no_evidence = Check("reference_driven_play_agrees", False, "after 2 actions ['a', 'b']: something")
    failure = most_informative_failure(_report("connect4", {"agreement": [no_evidence]}))
    assert failure.history is None and failure.expected is None


def test_reference_outcome_states_what_the_rules_do() -> None:
    assert reference_outcome("tic_tac_toe", ["x(0,0)", "x(0,1)"]).startswith("the reference refuses action 1 'x(0,1)'")
    assert "the game is over" in reference_outcome("tic_tac_toe", ["x(0,0)", "o(1,0)", "x(0,1)", "o(1,1)", "x(0,2)"])


def test_a_scenario_failure_carries_the_scenario_description() -> None:
    scenario = build_plan("tic_tac_toe", 0, VerifyConfig()).scenarios[0].scenario
    report = _report("tic_tac_toe", {"scenarios": [Check(scenario["name"], False, "current player 1, expected 0",
                                                        history=[])]})
    assert most_informative_failure(report).scenario == scenario["description"]


def test_the_repair_prompt_holds_the_rules_program_failure_history_and_expected_outcome() -> None:
    report = verify(BROKEN, "tic_tac_toe")
    failure = most_informative_failure(report)
    assert failure.check == "reference_driven_play_agrees" and BROKEN_MESSAGE in failure.message
    messages = build_repair_messages("tic_tac_toe", BROKEN, report, failure)
    assert [m["role"] for m in messages] == ["system", "user"]
    text = messages[-1]["content"]
    assert load_rules("tic_tac_toe").strip()[:200] in text
    assert BROKEN.strip() in text
    assert "`reference_driven_play_agrees` in the agreement tier" in text and BROKEN_MESSAGE in text
    assert f"Actions from the initial state: {failure.history}" in text and failure.history
    assert "the game is over; legal actions []; rewards [1.0, -1.0]" in text
    assert "scenarios/" in text.split("Other failing checks:")[1]
    assert text.rstrip().endswith("single ```python code block.")
    empty = build_repair_messages("tic_tac_toe", "", verify("", "tic_tac_toe"), None)
    assert "(your answer contained no program)" in empty[-1]["content"]
