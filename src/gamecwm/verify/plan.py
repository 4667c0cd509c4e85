"""The trusted side of a verification: what to ask a candidate, and what the reference answers.

A plan is computed from the game's reference (trusted, in this process) and a seed, once per
(game, seed, settings), and cached: every candidate for that game and seed is asked the same
questions, which makes verification deterministic and cheap.

Only questions leave this process: action sequences (reference play, complete games, scenarios'
actions, look-alike histories, all merged and shuffled so that nothing tells them apart), choice
streams, and a player's own view for resample_history. What the answers should be (the reference's
records, the scenarios' expectations, which histories look alike, the true history behind a view)
stays in the plan.
"""

from __future__ import annotations

import math
import random
import threading
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from gamecwm.games import get_game, load_reference, load_scenarios
from gamecwm.games.information import player_view
from gamecwm.games.playout import random_playout
from gamecwm.games.registry import GameInfo
from gamecwm.games.runtime import random_action, replay, to_tagged
from gamecwm.games.scenarios import expectations_by_step
from gamecwm.protocol import CHANCE_PLAYER_ID, TERMINAL_PLAYER_ID
from gamecwm.verify import drivers
from gamecwm.verify.config import VerifyConfig
from gamecwm.verify.properties import collect_evidence

MAX_CACHED_PLANS = 64  # a fresh seed per GRPO step makes new plans; the oldest go
STEERING_MAX_LEGAL = 64  # steered playouts look one move ahead only where that is cheap
FIRST_HASH_SEED, SECOND_HASH_SEED = 1, 2
BRANCH_WINDOW = 24  # branches are taken among the first states of a history
MIN_COMPLETE_GAMES = 2  # long games stop adding complete games at the step budget, but never below this


@dataclass
class ScenarioQuestion:
    """Where a scenario's answers are among the requests, and the decoy probes mixed with its rejects."""

    scenario: dict[str, Any]
    request: int
    decoys: dict[int, list[str]]  # step -> actions legal in the reference, probed beside the rejects


@dataclass
class ResampleProbe:
    """A player's view of a reference history: sent to the candidate (view), judged here (the rest)."""

    history: list[str]  # never leaves this process
    player: int
    view: list[tuple[Any, str | None]]
    multiple: bool  # True when the reference's own resamples show several consistent histories


@dataclass
class ReferencePlan:
    """Everything the verifier asks of a candidate for one game and seed, and what the reference answers."""

    game: GameInfo
    seed: int
    requests: list[dict[str, Any]]  # the query requests sent to the candidate, merged and shuffled
    reference_answers: list[dict[str, Any]]  # the reference's answers to the same requests
    reference_play: list[int]  # requests replaying reference playouts (every state compared)
    branch_twins: list[tuple[int, str, str, int]]  # (request, step, branch action, request asking the same fresh)
    complete_games: list[int]  # requests replaying games to their end (reference play and scripted endings)
    info_histories: list[int]  # requests whose observations feed the information tier
    scenarios: list[ScenarioQuestion]
    streams: list[list[float]]  # choice streams for candidate-driven walks
    walk_steps: int  # the step limit of one walk
    walk_reaches_limit: bool  # True when walk_steps is the game's own length limit
    reference_walks: list[dict[str, Any]]  # the reference's own walks on the same streams
    reference_walk_steps: int  # steps the reference takes on the same streams (coverage yardstick)
    reference_exercised: frozenset[str]  # the properties the reference's own walks exercise
    resample_probes: list[ResampleProbe]
    repeated_requests: list[int]  # requests both workers answer (the second with another hash seed), compared
    second_only_requests: list[int]  # requests only the second worker answers, so that both finish together
    second_walk_steps: int  # the walks' step limit in the second worker
    hash_seeds: tuple[int, int] = (1, 9)
    resample_seed: int = 0

    @property
    def first_requests(self) -> list[int]:
        """The requests the first worker answers: all but the second worker's own share."""
        handed_over = set(self.second_only_requests)
        return [i for i in range(len(self.requests)) if i not in handed_over]

    @property
    def resample_payload(self) -> list[dict[str, Any]]:
        """The resample probes as the candidate receives them: a view and a player, nothing else."""
        return [{"view": to_tagged([list(pair) for pair in p.view]), "player": p.player} for p in self.resample_probes]


def build_plan(name: str, seed: int, config: VerifyConfig) -> ReferencePlan:
    """The plan for one game and seed (cached: computed once per game, seed and settings)."""
    key = (name, seed, config.cache_key())
    with _PLANS_LOCK:  # computing a plan seeds the global `random` the references use: one at a time
        if key not in _PLANS:
            if len(_PLANS) >= MAX_CACHED_PLANS:
                _PLANS.pop(next(iter(_PLANS)))
            _PLANS[key] = _compute_plan(name, seed, config)
        return _PLANS[key]


_PLANS: dict[tuple, ReferencePlan] = {}
_PLANS_LOCK = threading.Lock()


def hash_seeds(seed: int) -> tuple[int, int]:
    """The two workers' PYTHONHASHSEED values for a verification seed: fixed, and never equal.

    The same for every seed, so that a pool keeps both kinds of worker warm; any program whose answers
    depend on string hashing (set order, say) answers differently in the two.
    """
    return FIRST_HASH_SEED, SECOND_HASH_SEED


class _Requests:
    """Query requests keyed by their action sequence, so a history asked for several reasons is replayed once."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.index: dict[tuple[str, ...], int] = {}

    def add(self, actions: list[str], full: str | list[int], observations: bool = False,
            probes: dict[str, list[str]] | None = None, branches: dict[str, list[str]] | None = None) -> int:
        key = tuple(actions)
        if key not in self.index:
            self.index[key] = len(self.items)
            self.items.append({"actions": list(actions), "full": [], "observations": False, "probes": {},
                               "branches": {}})
        request = self.items[self.index[key]]
        if full == "all" or request["full"] == "all":
            request["full"] = "all"
        else:
            request["full"] = sorted(set(request["full"]) | set(full))
        request["observations"] = request["observations"] or observations
        for step, actions_probed in (probes or {}).items():
            merged = request["probes"].setdefault(step, [])
            merged.extend(a for a in actions_probed if a not in merged)
        for step, actions_branched in (branches or {}).items():
            merged = request["branches"].setdefault(step, [])
            merged.extend(a for a in actions_branched if a not in merged)
        return self.index[key]


def _compute_plan(name: str, seed: int, config: VerifyConfig) -> ReferencePlan:
    game = get_game(name)
    reference = load_reference(name)
    rng = random.Random(f"{name}:{seed}")
    saved_global_random = random.getstate()
    try:
        requests = _Requests()
        observe = game.imperfect_information
        per_history = max(1, config.step_budget // config.reference_playouts)
        play_histories = [random_playout(reference, seed=rng.randrange(2**31), max_steps=per_history).actions
                          for _ in range(config.reference_playouts)]
        reference_play = []
        fresh: list[tuple[int, str, str, int]] = []
        for history in play_histories:
            branches = _branches(reference, history, rng, config.mutation_checks)
            index = requests.add(history, "all", observe, branches=branches)
            reference_play.append(index)
            for step, actions in branches.items():
                fresh += [(index, step, a, requests.add(history[: int(step)] + [a], [int(step) + 1])) for a in actions]
        complete: list[list[str]] = []
        while len(complete) < config.complete_games and (len(complete) < MIN_COMPLETE_GAMES or
                                                         sum(map(len, complete)) < config.step_budget // 2):
            complete.append(_complete_game(reference, rng, game.max_game_length, steered=len(complete) % 2 == 1))
        complete += [s["actions"] for s in load_scenarios(name) if _scripted_ending(s)]
        complete_games = list(dict.fromkeys(requests.add(h, [len(h)]) for h in complete))
        scenarios = [_scenario_question(reference, scenario, requests, rng) for scenario in load_scenarios(name)]
        info_histories: list[int] = []
        resample_probes: list[ResampleProbe] = []
        if game.imperfect_information:
            random.seed(rng.randrange(2**31))
            histories, resample_probes = _information_probes(reference, rng, config)
            info_histories = [requests.add(h, [len(h)], observations=True) for h in histories]
        order = list(range(len(requests.items)))
        rng.shuffle(order)
        position = {old: new for new, old in enumerate(order)}
        shuffled = [requests.items[old] for old in order]
        for question in scenarios:
            question.request = position[question.request]
        per_walk = max(1, config.step_budget // config.candidate_playouts)
        walk_reaches_limit = game.max_game_length <= per_walk
        walk_steps = game.max_game_length if walk_reaches_limit else per_walk
        streams = [[rng.random() for _ in range(walk_steps)] for _ in range(config.candidate_playouts)]
        reference_walks = drivers.walk(reference, streams, walk_steps)
        evidence, _ = collect_evidence(reference_walks, walk_reaches_limit, game.max_game_length, game.chance)
        second_count = math.ceil(config.second_worker_share * len(reference_play))
        repeated = [position[i] for i in reference_play[:second_count]]
        second_walk_steps = max(1, math.ceil(config.second_worker_share * walk_steps))
        return ReferencePlan(
            game=game,
            seed=seed,
            requests=shuffled,
            reference_answers=drivers.query(reference, shuffled),
            reference_play=[position[i] for i in reference_play],
            branch_twins=[(position[i], step, action, position[j]) for i, step, action, j in fresh],
            complete_games=[position[i] for i in complete_games],
            info_histories=[position[i] for i in info_histories],
            scenarios=scenarios,
            streams=streams,
            walk_steps=walk_steps,
            walk_reaches_limit=walk_reaches_limit,
            reference_walks=reference_walks,
            reference_walk_steps=sum(len(w["steps"]) - 1 for w in reference_walks),
            reference_exercised=frozenset(n for n, count in evidence.exercised.items() if count),
            resample_probes=resample_probes,
            repeated_requests=repeated,
            second_only_requests=_second_share(shuffled, repeated, reference_walks, second_walk_steps,
                                               resample_probes, config.resample_repeats),
            second_walk_steps=second_walk_steps,
            hash_seeds=hash_seeds(seed),
            resample_seed=rng.randrange(2**31),
        )
    finally:
        random.setstate(saved_global_random)


def _request_cost(request: dict[str, Any]) -> int:
    """The work of answering one query request, in states recorded (a full record weighs three light ones)."""
    states = len(request["actions"]) + 1
    full = states if request["full"] == "all" else len(request["full"])
    branched = sum(map(len, request["branches"].values()))
    probed = sum(map(len, request["probes"].values()))
    return states + 2 * full * (2 if request["observations"] else 1) + 3 * branched + probed


def _second_share(requests: list[dict[str, Any]], repeated: list[int], reference_walks: list[dict[str, Any]],
                  second_walk_steps: int, resample_probes: list[ResampleProbe], repeats: int) -> list[int]:
    """Requests handed to the second worker alone, so that the two workers, which run side by side, take
    about as long as each other (the first also walks, probes resample_history and repeats nothing).

    Chosen by the reference's work, in the requests' shuffled order: the same for every candidate.
    """
    walked = sum(3 * len(w["steps"]) for w in reference_walks)
    first = walked + sum(repeats * (len(p.view) + 1) for p in resample_probes)
    first += sum(map(_request_cost, requests))
    second = sum(3 * min(len(w["steps"]), second_walk_steps + 1) for w in reference_walks)
    second += sum(_request_cost(requests[i] | {"branches": {}}) for i in repeated)
    handed_over = []
    skip = set(repeated)
    for index, request in enumerate(requests):
        cost = _request_cost(request)
        if index not in skip and second + cost <= first - cost:
            handed_over.append(index)
            second += cost
            first -= cost
    return handed_over


def _complete_game(reference: ModuleType, rng: random.Random, max_length: int, steered: bool) -> list[str]:
    """A reference game played to its end: random, or steered to take a scoring ending whenever one is a move away."""
    state = reference.get_initial_state()
    actions: list[str] = []
    for _ in range(max_length):
        player = reference.get_current_player(state)
        if player == TERMINAL_PLAYER_ID:
            break
        action = None
        if steered and player != CHANCE_PLAYER_ID:
            action = _decisive_move(reference, state, rng)
        if action is None:
            action = random_action(reference, state, rng)
        actions.append(action)
        state = reference.apply_action(state, action)
    return actions


def _branches(reference: ModuleType, history: list[str], rng: random.Random, count: int) -> dict[str, list[str]]:
    """Up to `count` states early in a history, each with another legal action to apply to it once the history went on.

    Early, because each branch is also asked fresh, replaying its prefix from the initial state.
    """
    window = range(min(len(history), BRANCH_WINDOW))
    steps = sorted(rng.sample(window, min(count, len(window))))
    branches: dict[str, list[str]] = {}
    state = reference.get_initial_state()
    for index, action in enumerate(history):
        if index in steps:
            others = [a for a in reference.get_legal_actions(state) if a != action]
            if others:
                branches[str(index)] = [rng.choice(others)]
        state = reference.apply_action(state, action)
    return branches


def _scripted_ending(scenario: dict[str, Any]) -> bool:
    """True for a scenario that plays a game to its end and states the returns there."""
    expect = scenario["expect"]
    over = expect.get("terminal") is True or expect.get("current_player") == TERMINAL_PLAYER_ID
    return over and "rewards" in expect


def _decisive_move(reference: ModuleType, state: dict, rng: random.Random) -> str | None:
    """A move that ends the game with some non-zero return, if one exists among a few legal actions."""
    legal = list(reference.get_legal_actions(state))
    if len(legal) > STEERING_MAX_LEGAL:
        return None
    decisive = []
    for action in legal:
        child = reference.apply_action(state, action)
        if reference.get_current_player(child) == TERMINAL_PLAYER_ID:
            if any(reference.get_rewards(child)):
                decisive.append(action)
    return rng.choice(decisive) if decisive else None


def _scenario_question(reference: ModuleType, scenario: dict[str, Any], requests: _Requests,
                       rng: random.Random) -> ScenarioQuestion:
    """Ask for a scenario's checked states; each probe of an action to reject is mixed with legal decoys."""
    checked = expectations_by_step(scenario)
    actions = scenario["actions"]
    probes: dict[str, list[str]] = {}
    decoys: dict[int, list[str]] = {}
    for step, expect in checked.items():
        rejects = list(expect.get("rejects", []))
        if not rejects:
            continue
        legal = sorted(reference.get_legal_actions(replay(reference, actions[:step])))
        chosen = rng.sample(legal, min(len(rejects), len(legal)))
        decoys[step] = chosen
        probed = rejects + chosen
        rng.shuffle(probed)
        probes[str(step)] = probed
    index = requests.add(actions, sorted(checked), probes=probes)
    return ScenarioQuestion(scenario=scenario, request=index, decoys=decoys)


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


def _information_probes(reference: ModuleType, rng: random.Random,
                        config: VerifyConfig) -> tuple[list[list[str]], list[ResampleProbe]]:
    """Histories whose observations are compared, and views for resample_history, from random reference play.

    For a decision point of player p reached by history h, the reference's resample_history for p gives
    a history p cannot tell apart from h, and the one for the opponent a history the opponent cannot
    tell apart, where p's own private information may differ: both are asked about beside h, unlabelled.
    """
    histories: list[list[str]] = []
    probes: list[ResampleProbe] = []
    attempts = 0
    cuts_done = 0
    while len(probes) < config.resample_probes or cuts_done < config.info_probes:
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
        if cuts_done < config.info_probes:
            cuts_done += 1
            histories.append(history)
            histories.append(reference.resample_history(view, player))
            opponent_view = player_view(reference, history, 1 - player)
            if opponent_view:
                histories.append(reference.resample_history(opponent_view, 1 - player))
        if len(probes) < config.resample_probes and view:
            samples = {tuple(reference.resample_history(view, player)) for _ in range(2 * config.resample_repeats)}
            probes.append(ResampleProbe(history=history, player=player, view=view, multiple=len(samples) > 1))
    return histories, probes
