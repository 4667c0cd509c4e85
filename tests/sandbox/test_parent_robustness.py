"""Whatever a worker sends, the parent judges it as the candidate's doing and never raises; results
are capped per candidate and released as they arrive."""

from __future__ import annotations

import dataclasses

import pytest

from gamecwm.sandbox import Limits, SandboxPool, Task
from tests.sandbox.helpers import FAST, REFERENCE, expected_values, hostile, standard_tasks

RAW_WRITES = {
    "length beyond every cap": b"\\xff\\xff\\xff\\xff",
    "not JSON": b"\\x00\\x00\\x00\\x05]]]]]",
    "a list, not an object": b"\\x00\\x00\\x00\\x05[1,2]",
    "invalid UTF-8": b"\\x00\\x00\\x00\\x02\\xff\\xfe",
    "a result of the wrong types": b'\\x00\\x00\\x00\\x2c{"t":"result","index":"0","ok":1,"value":[]}   ',
    "a forged end": b'\\x00\\x00\\x00\\x0a{"t":"done"}',
    "half a frame": b"\\x00\\x00\\x10\\x00{",
    "a nested bomb": b"\\x00\\x00\\x4e\\x20" + b"[" * 20000,
}


@pytest.mark.parametrize("name", list(RAW_WRITES))
def test_malformed_frames_are_the_candidates_failure(any_pool, name):
    attack = f"""
import os
def _attack():
    os.write(3, {RAW_WRITES[name]!r})
    if {name!r} in ("half a frame", "a forged end"):
        os._exit(0)
"""
    result = any_pool.run(hostile(attack, in_game=True), standard_tasks())
    assert result.status in ("protocol_violation", "crashed"), (result.status, result.detail)
    assert not result.infrastructure_failure
    assert any_pool.run(REFERENCE, standard_tasks()).status == "ok"  # the pool goes on


WIDE_GAME = """
WIDTH = {width}
def get_initial_state():
    return 0
def get_current_player(state):
    return 0 if state < {steps} else -4
def get_legal_actions(state):
    return [f"action{{index:07d}}" for index in range(WIDTH)]
def apply_action(state, action):
    return state + 1
def get_rewards(state):
    return [0.0]
"""


def wide_game(width: int, steps: int) -> str:
    """A game whose every state has `width` legal actions: large traces from little code."""
    return WIDE_GAME.format(width=width, steps=steps)


def playouts(count: int, steps: int) -> list[Task]:
    return [Task("gamecwm.sandbox.testing:playout", {"choices": [0.5] * steps, "max_steps": steps})] * count


def test_total_result_bytes_are_capped(strongest):
    limits = dataclasses.replace(FAST, output_bytes=4 * 2**20, result_bytes=6 * 2**20)
    result = strongest.run(wide_game(20_000, 10), playouts(3, 10), limits)  # about 3 MB per playout
    assert result.status == "protocol_violation", result.detail
    assert "larger than the limit" in result.detail
    assert len(result.task_results) <= 2
    within = strongest.run(wide_game(20_000, 10), playouts(1, 10), limits)
    assert within.status == "ok" and len(within.task_results[0].value) == 11


def _rss_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@pytest.mark.slow
def test_parent_memory_stays_bounded_over_many_large_candidates():
    source = wide_game(10_000, 5)  # about 0.8 MB of JSON, about 4 MB of Python objects per result
    jobs = ((source, playouts(1, 5)) for _ in range(300))
    with SandboxPool(workers=2, limits=Limits(wall_s=20.0, cpu_s=20.0)) as pool:
        baseline = _rss_bytes()
        peak, statuses = baseline, []
        for _index, result in pool.map(jobs):
            statuses.append(result.status)
            peak = max(peak, _rss_bytes())
            del result
    assert statuses == ["ok"] * 300
    assert peak - baseline < 250 * 2**20, f"parent memory grew by {(peak - baseline) >> 20} MiB"


def test_map_reads_jobs_lazily(strongest):
    taken = []

    def jobs():
        for index in range(12):
            taken.append(index)
            yield REFERENCE, standard_tasks()

    iterator = strongest.map(jobs())
    _index, first = next(iterator)
    assert first.status == "ok"
    assert len(taken) <= 2 * strongest.workers + 1
    rest = list(iterator)
    assert len(rest) == 11 and len(taken) == 12
    assert all(result.task_results[1].value == expected_values()[1] for _, result in rest)
