"""Outcomes tier: complete games end when and as the reference's do.

Judged on whole games, not on states: reference games played to their end (random, steered to take a
scoring ending when one is a move away, and the scenarios that play a game to its end), and the
candidate's own walks that end, or should have ended, replayed on the reference. A game counts when
the candidate declares it over exactly where the reference does, with the same returns; a game the
candidate plays on past its end counts `MISSED_END_CREDIT` when its returns there are the reference's
(the outcome is right, its detection is not), and a decisive game whose winner it reverses counts
`REVERSED_CREDIT`, a game lost (planning with such returns loses to random play, where with returns
that are merely wrong it plays about as well as random). The tier's score is the mean, over the ways the
reference's games end (their returns), of the games' mean credit, each ending weighing by what is at
stake in it (`ending_weights`: a win four times a draw), and it multiplies the overall score (see
`gamecwm.verify.config`): a wrong winner or constant rewards fail nearly every decisive game, and a
game that never ends scores at most half.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from gamecwm.protocol import TERMINAL_PLAYER_ID
from gamecwm.verify.agreement import describe, named
from gamecwm.verify.compare import REWARD_TOLERANCE, close
from gamecwm.verify.plan import ReferencePlan
from gamecwm.verify.report import Check

MISSED_END_CREDIT = 0.5
REVERSED_CREDIT = -1.0
LEAST_ENDING_WEIGHT = 0.25


def _first_terminal(steps: list[dict[str, Any]]) -> int | None:
    return next((i for i, step in enumerate(steps) if step["player"] == TERMINAL_PLAYER_ID), None)


def _returns_right(step: dict[str, Any], expected: list[float]) -> bool:
    actual = step.get("rewards")
    return actual is not None and all(close(a, b, REWARD_TOLERANCE) for a, b in zip(actual, expected))


def _returns_reversed(step: dict[str, Any], expected: list[float]) -> bool:
    """True when the candidate's returns name the other player the winner of a decisive game."""
    actual = step.get("rewards")
    if actual is None or close(expected[0], expected[1], REWARD_TOLERANCE):
        return False
    return (actual[0] - actual[1]) * (expected[0] - expected[1]) < 0 and not close(actual[0], actual[1],
                                                                                    REWARD_TOLERANCE)


def _wrong_returns_credit(step: dict[str, Any], expected: list[float]) -> float:
    """A decisive game whose winner is reversed costs a game (a planner is steered to lose it, where with
    returns that are merely wrong it is only uninformed); other wrong returns earn nothing."""
    return REVERSED_CREDIT if _returns_reversed(step, expected) else 0.0


def _ending(ref_steps: list[dict[str, Any]], cand_steps: list[dict[str, Any]], cand_error: str | None,
            actions: list[str]) -> tuple[float, Check | None]:
    """The credit of the candidate's game (1 when it ends as the reference's) and why it does not end so."""
    end = _first_terminal(ref_steps)
    if end is None:
        return 1.0, None
    cand_end = _first_terminal(cand_steps[: end + 1])
    if cand_end is not None and cand_end < end:
        return 0.0, Check("", False, describe(actions[:cand_end], "the candidate ends the game here; the reference "
                                                                 f"plays on for {end - cand_end} more actions"),
                          history=actions[:cand_end], expected={"player": ref_steps[cand_end]["player"]},
                          actual={"player": TERMINAL_PLAYER_ID})
    if end >= len(cand_steps):
        return 0.0, Check("", False, describe(actions[: len(cand_steps)], cand_error or "the candidate stopped "
                                              "before the end of the game"), history=actions[:end])
    expected, actual = ref_steps[end]["rewards"], cand_steps[end].get("rewards")
    returns_right = _returns_right(cand_steps[end], expected)
    if cand_end is None:
        player = cand_steps[end]["player"]
        returns = "right" if returns_right else f"{actual}, expected {expected}"
        problem = Check("", False, describe(actions[:end], "the game is over here, but the candidate plays on "
                                            f"(player {player} to move; its returns here are {returns})"),
                        history=actions[:end], expected={"player": TERMINAL_PLAYER_ID}, actual={"player": player})
        return (MISSED_END_CREDIT if returns_right else _wrong_returns_credit(cand_steps[end], expected)), problem
    if not returns_right:
        shown = actual if actual is not None else cand_steps[end].get("problem", {}).get("rewards")
        credit = _wrong_returns_credit(cand_steps[end], expected)
        reversed_note = " (the winner is reversed)" if credit == REVERSED_CREDIT else ""
        problem = Check("", False, describe(actions[:end], f"the game ends with returns {shown}, expected "
                                            f"{expected}{reversed_note}"),
                        history=actions[:end], expected={"rewards": expected}, actual={"rewards": actual})
        return credit, problem
    return 1.0, None


def ending_weights(endings: list[tuple[Any, ...]]) -> dict[tuple[Any, ...], float]:
    """How much each way the game ends weighs: the spread of its returns (|r0 - r1|, what is at stake) relative to
    the largest, at least `LEAST_ENDING_WEIGHT` (a draw still has to be detected and scored); 1 each when no ending
    has a spread (a cooperative game), and 1 for games the candidate ends where the reference does not."""
    spreads = {e: abs(e[0] - e[1]) for e in endings if len(e) == 2}
    largest = max(spreads.values(), default=0.0)
    if largest <= 0:
        return {e: 1.0 for e in endings}
    return {e: max(LEAST_ENDING_WEIGHT, spreads[e] / largest) if e in spreads else 1.0 for e in endings}


def judge_outcomes(plan: ReferencePlan, answers: list[dict[str, Any]] | None, walks: list[dict[str, Any]] | None,
                   walk_references: list[dict[str, Any]]) -> tuple[float, list[Check]]:
    """Score and checks from the candidate's answers on complete games and on its own ended walks.

    Games are grouped by how the reference says they end (its returns); the score is the weighted mean over
    those endings of the games' mean credit (see the module docstring), so an ending weighs what is at stake in
    it however often random play reaches it. `walk_references` holds the reference's records along each walk.
    """
    by_ending: dict[tuple[float, ...], list[float]] = defaultdict(list)
    first: Check | None = None
    for index in plan.complete_games:
        ref_steps = plan.reference_answers[index]["steps"]
        ending = tuple(ref_steps[-1]["rewards"])
        if answers is None:
            by_ending[ending].append(0.0)
            continue
        answer = answers[index]
        credit, problem = _ending(ref_steps, answer["steps"], answer["error"], plan.requests[index]["actions"])
        by_ending[ending].append(credit)
        first = first or problem
    if answers is None:
        first = Check("", False, "the candidate did not finish replaying the complete games")
    complete_check = named("complete_games_end_as_the_reference", first)

    walk_first: Check | None = None
    if walks is None:
        walk_first = Check("", False, "the candidate did not finish its own playouts")
    else:
        for walk, ref_trace in zip(walks, walk_references):
            actions = [step["action"] for step in walk["steps"] if "action" in step]
            ref_end = _first_terminal(ref_trace["steps"])
            if ref_end is None:
                if ref_trace["error"] is not None or _first_terminal(walk["steps"]) is None:
                    continue  # not over in the game, or the candidate's move is illegal there (an agreement failure)
                end = _first_terminal(walk["steps"])
                problem: Check | None = Check("", False, describe(actions[:end], "the candidate ends the game here; "
                                                                  "the reference does not"), history=actions[:end])
                credit = 0.0
                ending: tuple[float, ...] = ("not over",)  # type: ignore[assignment]
            else:
                credit, problem = _ending(ref_trace["steps"], walk["steps"], walk["error"], actions)
                ending = tuple(ref_trace["steps"][ref_end]["rewards"])
            by_ending[ending].append(credit)
            walk_first = walk_first or problem
    walk_check = named("own_games_end_as_the_reference", walk_first)
    weights = ending_weights(list(by_ending))
    total = sum(weights.values())
    score = sum(weights[e] * sum(credits) / len(credits) for e, credits in by_ending.items()) / total if total else 0.0
    score = max(0.0, score)  # reversed winners may outweigh the games that end right
    if walks is None or answers is None:
        score = 0.0
    return score, [complete_check, walk_check]
