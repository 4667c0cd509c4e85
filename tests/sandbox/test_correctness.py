"""A correct candidate gives exactly the same results through the sandbox as in-process."""

from __future__ import annotations

import json

import pytest

from gamecwm.games.registry import game_names, load_reference
from gamecwm.protocol import load_module_from_source
from gamecwm.sandbox import STATUSES, Limits, SandboxPool, Task, isolation_level, run_candidate
from gamecwm.sandbox.testing import pick, pick_chance, playout, probe
from tests.sandbox.helpers import FAST, REFERENCE, expected_values, standard_tasks

DICE_GAME = '''
"""A tiny chance game: a die (uneven probabilities) is rolled, then player 0 guesses high or low."""

def get_initial_state():
    return {"roll": None, "guess": None}

def get_current_player(state):
    if state["roll"] is None:
        return -1
    return 0 if state["guess"] is None else -4

def get_player_name(player_id):
    return {0: "Guesser"}.get(player_id, "Terminal")

def get_chance_outcomes(state):
    return [("1", 0.1), ("2", 0.2), ("3", 0.3), ("4", 0.4)]

def get_legal_actions(state):
    if state["roll"] is None:
        return ["1", "2", "3", "4"]
    return [] if state["guess"] is not None else ["high", "low"]

def apply_action(state, action):
    if state["roll"] is None:
        return {"roll": int(action), "guess": None}
    return {"roll": state["roll"], "guess": action}

def get_rewards(state):
    if state["guess"] is None:
        return [0.0, 0.0]
    won = (state["roll"] >= 3) == (state["guess"] == "high")
    return [1.0, -1.0] if won else [-1.0, 1.0]

def get_observations(state):
    return [dict(state), dict(state)]
'''


def _choices(seed: int, count: int) -> list[float]:
    import random

    rng = random.Random(seed)
    return [rng.random() for _ in range(count)]


def _playout_tasks(seeds: range, max_steps: int, count: int) -> list[Task]:
    return [
        Task("gamecwm.sandbox.testing:playout", {"choices": _choices(seed, count), "max_steps": max_steps})
        for seed in seeds
    ]


def _in_process(source: str, tasks: list[Task]) -> list[object]:
    module = load_module_from_source(source)
    drivers = {"gamecwm.sandbox.testing:playout": playout, "gamecwm.sandbox.testing:probe": probe}
    return [json.loads(json.dumps(drivers[task.driver](module, **task.args))) for task in tasks]


def _in_process_outcomes(source: str, tasks: list[Task]) -> list[tuple[bool, object]]:
    """(ok, value) per task run in-process; value None where the driver raised."""
    module = load_module_from_source(source)
    outcomes = []
    for task in tasks:
        try:
            outcomes.append((True, json.loads(json.dumps(playout(module, **task.args)))))
        except Exception:  # noqa: BLE001 - the sandbox must then report ok=False for this task
            outcomes.append((False, None))
    return outcomes


@pytest.mark.parametrize("source", [REFERENCE, DICE_GAME], ids=["tic_tac_toe", "dice"])
def test_same_results_as_in_process(any_pool, source):
    tasks = [Task("gamecwm.sandbox.testing:probe", {})] + _playout_tasks(range(12), max_steps=40, count=40)
    result = any_pool.run(source, tasks)
    assert result.status == "ok", result.detail
    assert [r.value for r in result.task_results] == _in_process(source, tasks)
    assert all(r.ok and r.error is None and r.elapsed_s >= 0 for r in result.task_results)
    assert result.isolation == any_pool.isolation_level


def _loadable_references() -> list[str]:
    names = []
    for name in game_names():
        try:
            load_reference(name)
        except Exception:  # noqa: BLE001 - games are written concurrently; test the ones that load
            continue
        names.append(name)
    return names


def test_registered_games_match_in_process():
    names = _loadable_references()
    assert "tic_tac_toe" in names
    jobs = []
    for name in names:
        source = load_reference(name).__loader__.get_source(load_reference(name).__name__)
        jobs.append((source, _playout_tasks(range(2), max_steps=300, count=300)))
    with SandboxPool(workers=2) as pool:  # default limits: full-length traces of large games
        results = dict(pool.map(jobs))
    assert sorted(results) == list(range(len(jobs)))
    for index, (source, tasks) in enumerate(jobs):
        assert results[index].status == "ok", (names[index], results[index].detail)
        errors = [r.error for r in results[index].task_results if not r.ok]
        through_sandbox = [(r.ok, r.value) for r in results[index].task_results]
        assert through_sandbox == _in_process_outcomes(source, tasks), (names[index], errors)


def test_chance_choices_follow_the_cumulative_distribution():
    outcomes = [("a", 0.1), ("b", 0.2), ("c", 0.7)]
    assert [pick_chance(outcomes, u) for u in (0.0, 0.0999, 0.1, 0.2999, 0.31, 0.9999)] == ["a", "a", "b", "b", "c", "c"]
    assert [pick(["x", "y", "z"], u) for u in (0.0, 0.34, 0.67, 0.9999)] == ["x", "y", "z", "z"]
    trace = playout(load_module_from_source(DICE_GAME), choices=[0.35, 0.7], max_steps=10)
    assert trace[0] == {"player": -1, "legal_actions": ["1", "2", "3", "4"], "probabilities": [0.1, 0.2, 0.3, 0.4],
                        "action": "3", "rewards": [0.0, 0.0]}
    assert trace[1]["action"] == "low" and trace[-1] == {"player": -4, "rewards": [-1.0, 1.0]}


def test_failing_driver_does_not_stop_the_worker(strongest):
    tasks = [
        Task("gamecwm.sandbox.testing:playout", {"choices": [0.5], "max_steps": 20}),  # the stream runs out
        Task("gamecwm.sandbox.testing:playout", {"choices": [0.5], "max_steps": "many"}),
        Task("gamecwm.sandbox.testing:probe", {}),
    ]
    result = strongest.run(REFERENCE, tasks)
    assert result.status == "ok"
    first, second, third = result.task_results
    assert not first.ok and first.value is None and "choice stream ran out" in first.error
    assert not second.ok and "max_steps" in second.error
    assert third.ok and third.value == expected_values()[0]


def test_unconvertible_values_fail_the_task_with_a_clear_message(strongest):
    odd = REFERENCE + "\nclass Weird(str):\n    def __eq__(self, other):\n        return True\n" \
        "_legal = get_legal_actions\n" \
        "def get_legal_actions(state):\n    return [Weird(a) for a in _legal(state)]\n" \
        "def get_rewards(state):\n    return {1, 2}\n"
    result = strongest.run(odd, standard_tasks())
    assert result.status == "ok"
    assert result.task_results[0].ok
    assert not result.task_results[1].ok
    assert "cannot cross the sandbox boundary" in result.task_results[1].error and "set" in result.task_results[1].error


def test_str_subclasses_arrive_as_plain_strings(strongest):
    odd = REFERENCE + "\nclass Weird(str):\n    def __eq__(self, other):\n        return True\n    __hash__ = str.__hash__\n" \
        "_legal = get_legal_actions\n" \
        "def get_legal_actions(state):\n    return [Weird(a) for a in _legal(state)]\n"
    result = strongest.run(odd, standard_tasks())
    assert result.status == "ok"
    assert [r.value for r in result.task_results] == expected_values()


def test_untrusted_drivers_are_refused_in_the_parent(strongest):
    for driver in ("os:system", "subprocess:run", "gamecwm", "tests.sandbox.helpers:hostile"):
        with pytest.raises(ValueError):
            strongest.run(REFERENCE, [Task(driver, {})])
    with pytest.raises(ValueError):
        strongest.run(REFERENCE, [Task("gamecwm.sandbox.testing:probe", {"x": object()})])


def test_unknown_drivers_are_refused_in_the_parent(strongest):
    for driver in ("gamecwm.no_such_module:probe", "gamecwm.sandbox.testing:no_such_driver", "gamecwm.sandbox.testing:PROTOCOL_NAMES"):
        with pytest.raises(ValueError):
            strongest.run(REFERENCE, [Task(driver, {})])
    assert strongest.run(REFERENCE, standard_tasks()).status == "ok"


def test_run_candidate_and_isolation_level():
    result = run_candidate(REFERENCE, standard_tasks(), FAST)
    assert result.status == "ok"
    assert result.isolation == isolation_level()
    assert [r.value for r in result.task_results] == expected_values()
    assert isolation_level(disable=("bubblewrap", "seccomp", "landlock")) == "rlimits-only"
    assert result.status in STATUSES and not result.infrastructure_failure


def test_map_runs_in_parallel_and_reports_each_candidate():
    sources = [REFERENCE, "raise ImportError('nope')\n", REFERENCE, "def f(:\n", REFERENCE]
    with SandboxPool(workers=2, limits=Limits(wall_s=5, cpu_s=5, memory_mb=256)) as pool:
        results = dict(pool.map((source, standard_tasks()) for source in sources))
    assert sorted(results) == [0, 1, 2, 3, 4]
    assert [results[i].status for i in range(5)] == ["ok", "import_error", "ok", "import_error", "ok"]
    for index in (0, 2, 4):
        assert [r.value for r in results[index].task_results] == expected_values()
