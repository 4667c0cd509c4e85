"""Information tier (imperfect-information games): no leak, no loss, and a working resample_history.

(a) Over every state whose observations were asked for (the reference's play and, unlabelled among
    the requests, histories that look alike to one player), the candidate's observations must split
    the states into the same classes as the reference's, for each player: no two states the rules make
    indistinguishable told apart (a leak, measured over the classes whose states differ in what the
    other player sees, where there is something to leak), no two distinguishable ones merged (a loss). Classes are
    compared, not texts, so any observation format that carries the same information passes.
(b) Given a player's view of a reference history (built here, from the reference's observations),
    resample_history must return histories that replay legally in the reference, reproduce the view,
    and vary across calls when more than one hidden state is consistent with it.
The tier's score is the product of the leak and loss fractions and the mean of the resample checks: a
program whose players see too much or too little is not partly right for a planner. It multiplies the
overall score (see `gamecwm.verify.config`).
"""

from __future__ import annotations

from collections import defaultdict
from types import ModuleType
from typing import Any

from gamecwm.games.information import view_mismatch
from gamecwm.verify.plan import ReferencePlan
from gamecwm.verify.report import Check

MISSING = None


def _observed_states(plan: ReferencePlan, answers: list[dict[str, Any]] | None) -> list[tuple[list[str], list, list]]:
    """(history, reference observation texts, candidate observation texts or None) for every observed state."""
    states = []
    seen: set[tuple[str, ...]] = set()
    indices = list(dict.fromkeys(plan.reference_play + plan.info_histories))
    for index in indices:
        actions = plan.requests[index]["actions"]
        ref_steps = plan.reference_answers[index]["steps"]
        cand_steps = answers[index]["steps"] if answers is not None else []
        for step, ref_step in enumerate(ref_steps):
            key = tuple(actions[:step])
            if ref_step.get("obs") is None or key in seen:
                continue
            seen.add(key)
            cand_obs = cand_steps[step].get("obs") if step < len(cand_steps) else MISSING
            states.append((actions[:step], ref_step["obs"], cand_obs))
    return states


def _partition_checks(states: list[tuple[list[str], list, list]]) -> list[tuple[float, Check]]:
    leak_ok = leak_total = loss_ok = loss_total = 0
    leak_problem: Check | None = None
    loss_problem: Check | None = None
    for player in (0, 1):
        by_reference: dict[str, list[int]] = defaultdict(list)
        by_candidate: dict[str | None, list[int]] = defaultdict(list)
        for number, (_, ref_obs, cand_obs) in enumerate(states):
            by_reference[ref_obs[player]].append(number)
            if cand_obs is not MISSING:
                by_candidate[cand_obs[player]].append(number)
        for members in by_reference.values():
            if len(members) < 2:
                continue
            texts = {states[m][2][player] if states[m][2] is not MISSING else None for m in members}
            split = len(texts) != 1 or None in texts
            if not split and len({states[m][1][1 - player] for m in members}) == 1:
                continue  # the states differ in nothing either player sees: no information is at stake
            leak_total += len(members)
            if not split:
                leak_ok += len(members)
            elif leak_problem is None:
                a, b = _two_apart(states, members, player)
                leak_problem = Check("no_information_leak", False,
                                     f"player {player} can tell apart two states the rules make indistinguishable: "
                                     f"after {a} and after {b}", history=a, actual={"other_history": b})
        for number, (history, ref_obs, cand_obs) in enumerate(states):
            loss_total += 1
            if cand_obs is MISSING:
                loss_problem = loss_problem or Check("no_information_loss", False,
                                                     f"no observations after {history}", history=history)
                continue
            merged = {states[m][1][player] for m in by_candidate[cand_obs[player]]}
            if len(merged) == 1:
                loss_ok += 1
            elif loss_problem is None:
                other = next(states[m][0] for m in by_candidate[cand_obs[player]]
                             if states[m][1][player] != ref_obs[player])
                loss_problem = Check("no_information_loss", False,
                                     f"player {player} cannot tell apart two states the rules make distinguishable: "
                                     f"after {history} and after {other}", history=history,
                                     actual={"other_history": other})
    results = []
    if leak_total:
        results.append((leak_ok / leak_total, leak_problem or Check("no_information_leak", True)))
    if loss_total:
        results.append((loss_ok / loss_total, loss_problem or Check("no_information_loss", True)))
    return results


def _two_apart(states: list[tuple[list[str], list, list]], members: list[int], player: int) -> tuple[list, list]:
    first = states[members[0]]
    for m in members[1:]:
        if states[m][2] is MISSING or first[2] is MISSING or states[m][2][player] != first[2][player]:
            return first[0], states[m][0]
    return first[0], states[members[1]][0]


def judge_information(plan: ReferencePlan, reference: ModuleType, answers: list[dict[str, Any]] | None,
                      resamples: list[dict[str, Any]] | None) -> tuple[float, list[Check]]:
    """Score and checks from the candidate's observations and resamples."""
    observed = _partition_checks(_observed_states(plan, answers))
    if answers is None:
        observed = [(0.0, Check(name, False, "the candidate did not finish answering"))
                    for name in ("no_information_leak", "no_information_loss")]
    resampled = _resampling(plan, reference, resamples)
    score = 1.0
    for fraction, _ in observed:
        score *= fraction
    if resampled:
        score *= sum(fraction for fraction, _ in resampled) / len(resampled)
    return score, [check for _, check in observed + resampled]


def _resampling(plan: ReferencePlan, reference: ModuleType,
                resamples: list[dict[str, Any]] | None) -> list[tuple[float, Check]]:
    if not plan.resample_probes:
        return []
    if resamples is None:
        failed = "the candidate's resample_history did not complete"
        return [(0.0, Check("resample_history_consistent", False, failed)),
                (0.0, Check("resample_history_varies", False, failed))]
    consistent = varied = multiple = 0
    problem: Check | None = None
    vary_problem: Check | None = None
    for probe, result in zip(plan.resample_probes, resamples):
        samples = result["samples"]
        if result["error"] or not samples:
            problem = problem or Check("resample_history_consistent", False,
                                       f"for player {probe.player} after {probe.history}: "
                                       f"{result['error'] or 'no sample'}", history=probe.history)
            bad: list[str] = ["no sample"]
        else:
            mismatches = [view_mismatch(reference, sample, probe.player, probe.view) for sample in samples]
            bad = [m for m in mismatches if m is not None]
            if bad:
                sample = samples[mismatches.index(bad[0])]
                problem = problem or Check("resample_history_consistent", False,
                                           f"for player {probe.player} after {probe.history}, resample_history "
                                           f"returned {sample}: {bad[0]}", history=probe.history,
                                           actual={"sample": sample})
            else:
                consistent += 1
        if probe.multiple:
            multiple += 1
            if not bad and len({tuple(s) for s in samples}) > 1:
                varied += 1
            elif vary_problem is None:
                vary_problem = Check("resample_history_varies", False,
                                     f"for player {probe.player} after {probe.history}, several hidden states are "
                                     "consistent but resample_history did not return varied valid histories",
                                     history=probe.history)
    total = len(plan.resample_probes)
    results = [(consistent / total, problem or Check("resample_history_consistent", True))]
    if multiple:
        results.append((varied / multiple, vary_problem or Check("resample_history_varies", True)))
    return results
