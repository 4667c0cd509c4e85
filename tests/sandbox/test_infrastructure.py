"""Failures of the sandbox itself are reported as infrastructure errors, never as candidate failures."""

from __future__ import annotations

import dataclasses
import os
import threading

import pytest

from gamecwm.sandbox import SandboxPool, runner
from gamecwm.sandbox.runner import ForkServerProcess, run_job
from tests.sandbox.conftest import MODES
from tests.sandbox.helpers import FAST, REFERENCE, hostile, marker, processes_matching, standard_tasks, wait_until


@pytest.mark.parametrize("mode", ["strongest", "rlimits-only"])
def test_fork_server_dying_mid_run_is_an_infrastructure_error(mode):
    name = marker()
    attack = f"""
import ctypes, time
def _attack():
    ctypes.CDLL(None).prctl(15, b"{name}", 0, 0, 0)
    while True:
        time.sleep(0.05)
"""
    pool = SandboxPool(workers=1, limits=FAST, disable=MODES[mode])
    server = ForkServerProcess(pool.isolation)
    server.start()
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.update(result=run_job(server, hostile(attack, in_game=True), standard_tasks(), FAST)))
    thread.start()
    try:
        assert wait_until(lambda: processes_matching(name) != [], timeout=5.0)
        server.process.kill()  # the machinery breaks (as if the machine's OOM killer hit the server)
        thread.join(timeout=10.0)
        assert not thread.is_alive()
        result = outcome["result"]
        assert result.status == "infrastructure_error" and result.infrastructure_failure
        assert wait_until(lambda: processes_matching(name) == [], timeout=5.0)
    finally:
        server.close()
        pool.close()


def test_fork_server_that_cannot_start_gives_infrastructure_errors(monkeypatch):
    monkeypatch.setattr(runner, "BOOTSTRAP", "raise SystemExit(3)")
    with SandboxPool(workers=1, limits=FAST) as pool:
        result = pool.run(REFERENCE, standard_tasks())
    assert result.status == "infrastructure_error"
    assert result.infrastructure_failure
    assert result.task_results == []


def test_pool_replaces_a_broken_server():
    with SandboxPool(workers=1, limits=FAST) as pool:
        assert pool.run(REFERENCE, standard_tasks()).status == "ok"
        (server,) = pool._idle
        server.process.kill()
        server.process.wait()
        result = pool.run(REFERENCE, standard_tasks())
        assert result.status == "ok", result.detail
        assert pool._idle and pool._idle[0] is not server


def test_closed_pool_reports_infrastructure_error():
    pool = SandboxPool(workers=1, limits=FAST)
    pool.close()
    result = pool.run(REFERENCE, standard_tasks())
    assert result.status == "infrastructure_error"


def test_no_descriptors_or_processes_leak_in_the_parent():
    sources = [REFERENCE, "raise ValueError('x')\n", "import os\nos._exit(3)\n", "while True:\n    pass\n"]
    limits = dataclasses.replace(FAST, wall_s=2.0, import_s=0.3)
    pool = SandboxPool(workers=1, limits=limits)
    pool.run(REFERENCE, standard_tasks())  # start the server before counting
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(3):
        for source in sources:
            assert pool.run(source, standard_tasks()).status in ("ok", "import_error", "crashed", "timeout")
    assert len(os.listdir("/proc/self/fd")) == before
    (server,) = pool._idle
    pid = server.process.pid
    pool.close()
    assert not os.path.exists(f"/proc/{pid}")  # the fork server is gone (and reaped)
