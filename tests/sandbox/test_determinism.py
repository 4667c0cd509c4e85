"""A fixed, caller-chosen hash seed per worker: the same candidate and tasks give the same bytes."""

from __future__ import annotations

import pytest

from gamecwm.sandbox import SandboxPool, Task
from gamecwm.sandbox.pool import SPARE_SERVERS
from tests.sandbox.helpers import FAST, REFERENCE, hostile, standard_tasks

PROCESS_DEPENDENT = """
import random
print(hash("abc") % 1000003, hash(("x", 1.5)) % 1000003, list({"x", "y", "z", "w", "v"}), random.random(),
      id(object()) % 1000003)
"""
PROBE = [Task("gamecwm.sandbox.testing:probe", {})]


def _signature(pool: SandboxPool, hash_seed: int) -> str:
    result = pool.run(hostile(PROCESS_DEPENDENT), PROBE, hash_seed=hash_seed)
    assert result.status == "ok", result.detail
    return result.stdout_tail


def test_same_hash_seed_gives_the_same_process_in_fresh_pools():
    signatures = []
    for _ in range(2):
        with SandboxPool(workers=1, limits=FAST) as pool:
            signatures.append([_signature(pool, 7), _signature(pool, 7)])
    assert signatures[0][0] == signatures[1][0]  # id() too: no address-space randomisation
    assert [line.split()[:-1] for line in signatures[0]] == [line.split()[:-1] for line in signatures[1]]
    assert signatures[0][0].split()[:-1] == signatures[0][1].split()[:-1]


def test_different_hash_seeds_give_different_hashes_and_random_streams(strongest):
    first, second = _signature(strongest, 1).split(), _signature(strongest, 2).split()
    assert first[0] != second[0] and first[-2] != second[-2]


def test_map_takes_a_hash_seed_per_job(strongest):
    jobs = [(hostile(PROCESS_DEPENDENT), PROBE, 11), (hostile(PROCESS_DEPENDENT), PROBE, 12),
            (hostile(PROCESS_DEPENDENT), PROBE, 11), (REFERENCE, standard_tasks())]
    results = dict(strongest.map(jobs))
    assert sorted(results) == [0, 1, 2, 3]
    assert all(result.status == "ok" for result in results.values())
    assert results[0].stdout_tail.split()[:4] == results[2].stdout_tail.split()[:4]
    assert results[0].stdout_tail.split()[0] != results[1].stdout_tail.split()[0]


@pytest.mark.parametrize("hash_seed", [-1, 2**32, True, 1.5])
def test_invalid_hash_seeds_are_refused(strongest, hash_seed):
    with pytest.raises(ValueError):
        strongest.run(REFERENCE, PROBE, hash_seed=hash_seed)


def test_servers_per_hash_seed_stay_bounded():
    with SandboxPool(workers=1, limits=FAST) as pool:
        for hash_seed in range(6):
            assert pool.run(REFERENCE, PROBE, hash_seed=hash_seed).status == "ok"
            assert pool._servers <= pool.workers + SPARE_SERVERS
        assert pool.run(REFERENCE, PROBE, hash_seed=5).status == "ok"
        assert {server.hash_seed for server in pool._idle} == {3, 4, 5}
