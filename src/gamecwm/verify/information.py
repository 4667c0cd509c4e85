"""Information tier (imperfect-information games): no leak, no loss, and a working resample_history.

(a) Over pairs of states from random reference play, the candidate's observation for a player must
    distinguish the two states exactly when the reference's does. This compares what is observed,
    whatever the candidate's dictionary format.
(b) The candidate's resample_history, given its own view of a reference history, must return a
    history that replays legally in the reference, reproduces the player's reference observations and
    own actions, and varies across calls when more than one hidden state is consistent.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from gamecwm.games.information import view_mismatch
from gamecwm.verify.plan import ReferencePlan
from gamecwm.verify.report import Check


def _fraction(good: int, total: int) -> float:
    return good / total if total else 0.0


def judge_information(
    plan: ReferencePlan,
    reference: ModuleType,
    observations: list[dict[str, Any]] | None,
    resamples: list[dict[str, Any]] | None,
) -> tuple[float, list[Check]]:
    """Score and checks from the candidate's observations of the probe pairs and its resamples."""
    leak = _distinguishability(plan, observations, same=True)
    loss = _distinguishability(plan, observations, same=False)
    consistent, varies = _resampling(plan, reference, resamples)
    results = [r for r in (leak, loss, consistent, varies) if r is not None]
    score = sum(fraction for fraction, _ in results) / len(results)
    return score, [check for _, check in results]


def _distinguishability(
    plan: ReferencePlan, observations: list[dict[str, Any]] | None, same: bool
) -> tuple[float, Check] | None:
    """None when the plan has no probe pair of this kind (random play never produced one)."""
    name = "no_information_leak" if same else "no_information_loss"
    if not any(pair["same"] == same for pair in plan.info_pairs):
        return None
    if observations is None:
        return 0.0, Check(name, False, "the candidate did not finish computing observations")
    good = total = 0
    problem = None
    for index, pair in enumerate(plan.info_pairs):
        if pair["same"] != same:
            continue
        total += 1
        obs_a, obs_b = observations[2 * index], observations[2 * index + 1]
        if obs_a["obs"] is None or obs_b["obs"] is None:
            problem = problem or f"observations failed for {pair['a'][-8:]}: {obs_a['error'] or obs_b['error']}"
            continue
        player = pair["player"]
        candidate_same = obs_a["obs"][player] == obs_b["obs"][player]
        if candidate_same == same:
            good += 1
        elif problem is None:
            if same:
                problem = (f"player {player} can tell apart two states the rules make indistinguishable: "
                           f"histories {pair['a']} and {pair['b']}")
            else:
                problem = (f"player {player} cannot tell apart two states the rules make distinguishable: "
                           f"histories {pair['a']} and {pair['b']}")
    return _fraction(good, total), Check(name, problem is None, problem or "")


def _resampling(
    plan: ReferencePlan, reference: ModuleType, resamples: list[dict[str, Any]] | None
) -> tuple[tuple[float, Check], tuple[float, Check]]:
    if resamples is None:
        failed = "the candidate's resample_history did not complete"
        return (0.0, Check("resample_history_consistent", False, failed)), (0.0, Check("resample_history_varies", False, failed))
    consistent = total = 0
    varied = multiple = 0
    problem = vary_problem = None
    for probe, result in zip(plan.resample_probes, resamples):
        samples = result["samples"]
        total += 1
        if result["error"] or not samples:
            problem = problem or f"history {probe['history']}, player {probe['player']}: {result['error'] or 'no sample'}"
            continue
        mismatches = [view_mismatch(reference, sample, probe["player"], probe["view"]) for sample in samples]
        bad = [m for m in mismatches if m is not None]
        if bad:
            problem = problem or (f"for player {probe['player']} after {probe['history']}, resample_history returned "
                                  f"{samples[mismatches.index(bad[0])]}: {bad[0]}")
        else:
            consistent += 1
        if probe["multiple"]:
            multiple += 1
            if len({tuple(s) for s in samples}) > 1 and not bad:
                varied += 1
            elif vary_problem is None:
                vary_problem = (f"for player {probe['player']} after {probe['history']}, several hidden states are "
                                "consistent but resample_history did not return varied valid histories")
    consistent_check = Check("resample_history_consistent", total > 0 and problem is None,
                             problem or ("" if total else "no probe exercised this check"))
    if multiple == 0:
        vary = (_fraction(consistent, total), Check("resample_history_varies", problem is None and total > 0,
                                                    "no probe had several consistent hidden states" if total else "no probe"))
    else:
        vary = (_fraction(varied, multiple), Check("resample_history_varies", vary_problem is None, vary_problem or ""))
    return (_fraction(consistent, total), consistent_check), vary
