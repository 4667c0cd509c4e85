"""Failures of the sandbox itself are reported as infrastructure errors, never as candidate failures."""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import subprocess
import threading

import pytest

from gamecwm.sandbox import SandboxPool, runner
from gamecwm.sandbox.isolation import detect
from gamecwm.sandbox.runner import ForkServerProcess, run_job
from gamecwm.sandbox.wire import encode_frame, recv_frame
from tests.sandbox.conftest import MODES
from tests.sandbox.helpers import FAST, REFERENCE, hostile, marker, processes_matching, standard_tasks, wait_until


@pytest.mark.parametrize("mode", ["strongest", "rlimits-only"])
def test_fork_server_dying_mid_run_is_the_candidates_failure(mode):
    name = marker()
    attack = f"""
import ctypes, time
def _attack():
    ctypes.CDLL(None).prctl(15, b"{name}", 0, 0, 0)
    while True:
        time.sleep(0.05)
"""
    pool = SandboxPool(workers=1, limits=FAST, disable=MODES[mode], allow_weak=True)
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
        # The candidate may have caused it: a candidate failure (scored), never an infrastructure one.
        assert result.status == "crashed" and not result.infrastructure_failure
        assert "fork server died" in result.detail
        assert server.broken
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


def _fake_server(behaviour: str):
    """A ForkServerProcess whose server side is played by a thread: it starts the job like a real
    server (greeting, results, end) and then misbehaves as `behaviour` says."""
    parent_end, server_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    server = ForkServerProcess(detect())
    server.process = subprocess.Popen(["sleep", "60"])
    server.control = parent_end

    def serve() -> None:
        message, fds, _flags, _addr = socket.recv_fds(server_end, 65536, 2)
        job = json.loads(message)
        result = socket.socket(fileno=fds[0])
        os.close(fds[1])
        pidfd = os.pidfd_open(server.process.pid)
        socket.send_fds(server_end, [json.dumps({"t": "started", "id": job["id"]}).encode()], [pidfd])
        os.close(pidfd)
        result.sendall(encode_frame({"t": "hello", "isolation": "rlimits-only"}, 1 << 20))
        token = recv_frame(result, 1 << 20)["token"]
        for frame in ({"t": "loaded"}, {"t": "done"}):
            result.sendall(encode_frame({**frame, "k": token}, 1 << 20))
        result.close()
        if behaviour == "dies during clean-up":
            server_end.close()
        elif behaviour == "garbage report":
            server_end.send(b"\xff not json")
        elif behaviour == "wrong shape":
            server_end.send(json.dumps(["exit", job["id"]]).encode())

    return server, threading.Thread(target=serve), server_end


@pytest.mark.parametrize("behaviour", ["dies during clean-up", "garbage report", "wrong shape"])
def test_server_failing_after_taking_the_job_is_the_candidates_failure(behaviour):
    server, thread, server_end = _fake_server(behaviour)
    thread.start()
    try:
        result = run_job(server, REFERENCE, [], FAST)
    finally:
        thread.join(timeout=10)
        server_end.close()
        server.process.kill()
        server.process.wait()
        server.process = None
        server.close()
    assert result.status == "crashed" and not result.infrastructure_failure, (result.status, result.detail)
    assert server.broken


def test_worker_that_can_read_a_reference_refuses_to_run(monkeypatch):
    readable = os.path.realpath(os.__file__)  # inside the Python installation: readable at every level
    plan = dict(runner._filesystem_plan(), reference_probe=readable)
    monkeypatch.setattr(runner, "_filesystem_plan", lambda: plan)
    with SandboxPool(workers=1, limits=FAST) as pool:
        result = pool.run(REFERENCE, standard_tasks())
    assert result.status == "infrastructure_error"
    assert "refusing to run" in result.detail
