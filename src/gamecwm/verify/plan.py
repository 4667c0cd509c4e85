"""The trusted side of a verification: what to ask of a candidate, and what the reference says.

A plan is computed from the game's reference (trusted, in-process) and a seed, once per
(game, seed, settings), and cached: every candidate for that game and seed is judged against the
same histories, choice streams and probes, which makes verification deterministic and cheap.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from gamecwm.games import get_game, load_reference, load_scenarios
from gamecwm.games.information import player_view
from gamecwm.games.playout import random_playout, replay
from gamecwm.games.registry import GameInfo
from gamecwm.protocol import TERMINAL_PLAYER_ID
from gamecwm.verify import drivers
from gamecwm.verify.config import VerifyConfig
from gamecwm.verify.properties import collect_evidence


@dataclass
class ReferencePlan:
    """Everything the verifier needs from the reference for one game and seed."""

    game: GameInfo
    seed: int
    reference_histories: list[list[str]]  # reference-driven playouts replayed on the candidate
    reference_traces: list[dict[str, Any]]  # the reference's own records along those histories
    streams: list[list[float]]  # choice streams for candidate-driven walks
    walk_steps: int  # the step limit of one walk
    walk_reaches_limit: bool  # True when walk_steps is the game's own length limit
    reference_walk_steps: int  # steps the reference takes on the same streams (coverage yardstick)
    reference_exercised: frozenset[str]  # the properties the reference's own walks exercise
    scenarios: list[dict[str, Any]]
    info_pairs: list[dict[str, Any]]  # {"a", "b", "player", "same"}: do the two states look alike to player?
    resample_probes: list[dict[str, Any]]  # {"history", "player", "view", "multiple"}


def build_plan(name: str, seed: int, config: VerifyConfig) -> ReferencePlan:
    """The plan for one game and seed (cached: computed once per game, seed and settings)."""
    key = (name, seed, config.cache_key())
    if key not in _PLANS:
        if len(_PLANS) >= MAX_CACHED_PLANS:
            _PLANS.pop(next(iter(_PLANS)))
        _PLANS[key] = _compute_plan(name, seed, config)
    return _PLANS[key]


MAX_CACHED_PLANS = 256
_PLANS: dict[tuple, ReferencePlan] = {}


def _compute_plan(name: str, seed: int, config: VerifyConfig) -> ReferencePlan:
    game = get_game(name)
    reference = load_reference(name)
    rng = random.Random(f"{name}:{seed}")
    saved_global_random = random.getstate()
    try:
        per_history = max(1, config.step_budget // config.reference_playouts)
        histories = [
            random_playout(reference, seed=rng.randrange(2**31), max_steps=per_history).actions
            for _ in range(config.reference_playouts)
        ]
        per_walk = max(1, config.step_budget // config.candidate_playouts)
        walk_reaches_limit = game.max_game_length <= per_walk
        walk_steps = game.max_game_length if walk_reaches_limit else per_walk
        streams = [[rng.random() for _ in range(walk_steps)] for _ in range(config.candidate_playouts)]
        reference_walks = drivers.walk(reference, streams, walk_steps, mutation_checks=0)
        evidence, _ = collect_evidence(reference_walks, walk_reaches_limit, game.max_game_length, game.chance)
        info_pairs, resample_probes = [], []
        if game.imperfect_information:
            random.seed(rng.randrange(2**31))
            info_pairs, resample_probes = _information_probes(reference, rng, config)
        return ReferencePlan(
            game=game,
            seed=seed,
            reference_histories=histories,
            reference_traces=drivers.replay(reference, histories),
            streams=streams,
            walk_steps=walk_steps,
            walk_reaches_limit=walk_reaches_limit,
            reference_walk_steps=sum(len(w["steps"]) - 1 for w in reference_walks),
            reference_exercised=frozenset(name for name, count in evidence.exercised.items() if count),
            scenarios=load_scenarios(name),
            info_pairs=info_pairs,
            resample_probes=resample_probes,
        )
    finally:
        random.setstate(saved_global_random)


def _decision_cuts(reference: ModuleType, actions: list[str]) -> list[tuple[int, int]]:
    """(prefix length, player) for every state along a history where a player is to move."""
    cuts = []
    state = reference.get_initial_state()
    for index in range(len(actions) + 1):
        player = reference.get_current_player(state)
        if player in (0, 1):
            cuts.append((index, player))
        if index < len(actions):
            state = reference.apply_action(state, actions[index])
    return cuts


def _final_observation(reference: ModuleType, history: list[str], player: int) -> Any:
    return reference.get_observations(replay(reference, history))[player]


def _information_probes(
    reference: ModuleType, rng: random.Random, config: VerifyConfig
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Pairs of states and resample probes drawn from random reference play.

    For a decision point of player p reached by history h, the reference's own resample_history for
    p gives a history that p cannot tell apart from h (a leak test for the candidate), and the one
    for the opponent gives a history the opponent cannot tell apart, where p's own private
    information may differ (a loss test).
    """
    pairs, probes = [], []
    attempts = 0
    while len(probes) < config.resample_probes or len(pairs) < 2 * config.info_probes:
        attempts += 1
        if attempts > 20 * (config.resample_probes + config.info_probes):
            break
        playout = random_playout(reference, seed=rng.randrange(2**31), max_steps=config.step_budget)
        cuts = _decision_cuts(reference, playout.actions)
        if not cuts:
            continue
        cut, player = cuts[rng.randrange(len(cuts))]
        history = playout.actions[:cut]
        view = player_view(reference, history, player)
        own_obs = _final_observation(reference, history, player)
        if len(pairs) < 2 * config.info_probes:
            lookalike = reference.resample_history(view, player)
            pairs.append({"a": history, "b": lookalike, "player": player,
                          "same": _final_observation(reference, lookalike, player) == own_obs})
            opponent_view = player_view(reference, history, 1 - player)
            if opponent_view:
                other = reference.resample_history(opponent_view, 1 - player)
                if other:
                    pairs.append({"a": history, "b": other, "player": player,
                                  "same": _final_observation(reference, other, player) == own_obs})
        if len(probes) < config.resample_probes and view:
            samples = {tuple(reference.resample_history(view, player)) for _ in range(2 * config.resample_repeats)}
            probes.append({"history": history, "player": player, "view": view, "multiple": len(samples) > 1})
    return pairs, probes


def is_terminal_record(step: dict[str, Any]) -> bool:
    """True for a step record of a terminal state."""
    return step.get("player") == TERMINAL_PLAYER_ID
