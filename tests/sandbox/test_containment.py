"""One test per attack class: a hostile candidate attacks, then behaves like the correct game.

Each test checks that the attack was contained, that the outcome is reported correctly, that no
process, file or socket is left behind, and that a run is judged "ok" only when the game still
gave exactly the reference's results.
"""

from __future__ import annotations

import dataclasses
import os
import select
import socket

import pytest

from gamecwm.sandbox import Task
from tests.sandbox.helpers import (
    FAST,
    REFERENCE_PATH,
    expected_values,
    hostile,
    marker,
    processes_matching,
    standard_tasks,
    wait_until,
)


def assert_correct(result) -> None:
    assert result.status == "ok", (result.status, result.detail, result.stdout_tail)
    assert [r.value for r in result.task_results] == expected_values()
    assert all(r.ok for r in result.task_results)


# --- timeouts: wall clock, CPU, slow import, signals ignored or blocked ----------------------------


def test_wall_clock_timeout_with_signals_ignored_and_blocked(any_pool):
    attack = """
import signal, time
def _attack():
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM, signal.SIGXCPU):
        signal.signal(sig, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_BLOCK, set(signal.Signals) - {signal.SIGKILL, signal.SIGSTOP})
    while True:
        time.sleep(0.05)
"""
    limits = dataclasses.replace(FAST, wall_s=1.0)
    result = any_pool.run(hostile(attack, in_game=True), standard_tasks(), limits)
    assert result.status == "timeout"
    assert "wall-clock" in result.detail
    assert len(result.task_results) == 1 and result.task_results[0].ok  # the probe finished before
    assert result.elapsed_s < 4.0


CPU_HOG = """
import signal
def _attack():
    if IGNORE:
        signal.signal(signal.SIGXCPU, signal.SIG_IGN)
    while True:
        pass
"""


def test_cpu_limit(any_pool):
    limits = dataclasses.replace(FAST, cpu_s=1.0, wall_s=8.0)
    result = any_pool.run(hostile(CPU_HOG.replace("IGNORE", "False"), in_game=True), standard_tasks(), limits)
    assert result.status == "timeout", (result.status, result.detail)
    assert "CPU" in result.detail
    assert len(result.task_results) == 1


def test_cpu_limit_with_sigxcpu_ignored(strongest):
    limits = dataclasses.replace(FAST, cpu_s=1.0, wall_s=8.0)
    result = strongest.run(hostile(CPU_HOG.replace("IGNORE", "True"), in_game=True), standard_tasks(), limits)
    assert result.status == "timeout", (result.status, result.detail)
    assert "CPU" in result.detail
    assert len(result.task_results) == 1


def test_slow_import(any_pool):
    limits = dataclasses.replace(FAST, import_s=0.5)
    result = any_pool.run(hostile("while True:\n    pass\n"), standard_tasks(), limits)
    assert result.status == "timeout"
    assert "import" in result.detail
    assert result.task_results == []


# --- memory ---------------------------------------------------------------------------------------


def test_memory_limit_at_import(any_pool):
    result = any_pool.run(hostile("_hog = bytearray(3 * 2**30)\n"), standard_tasks())
    assert result.status == "memory_limit", (result.status, result.detail)
    assert result.task_results == []


def test_memory_limit_in_a_task(any_pool):
    attack = """
def _attack():
    hog = []
    while True:
        hog.append(bytearray(2**20))
"""
    result = any_pool.run(hostile(attack, in_game=True), standard_tasks())
    assert result.status == "memory_limit", (result.status, result.detail)
    assert len(result.task_results) == 1 and result.task_results[0].ok


def test_memory_hog_that_catches_memory_error_still_gives_correct_results(any_pool):
    attack = """
try:
    _hog = bytearray(3 * 2**30)
except MemoryError:
    _hog = None
"""
    assert_correct(any_pool.run(hostile(attack), standard_tasks()))


# --- crashes --------------------------------------------------------------------------------------


def test_exit_zero_inside_a_task_is_a_crash(any_pool):
    attack = """
import os
def _attack():
    print('{"t": "done"}')
    os._exit(0)
"""
    result = any_pool.run(hostile(attack, in_game=True), standard_tasks())
    assert result.status == "crashed"
    assert "code 0" in result.detail
    assert len(result.task_results) == 1


def test_segfault(any_pool):
    result = any_pool.run(hostile("import ctypes\nctypes.string_at(0)\n"), standard_tasks())
    assert result.status == "crashed"
    assert "SIGSEGV" in result.detail


# --- import errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def broken(:\n", "SyntaxError"),
        ("raise ValueError('boom-42')\n", "ValueError: boom-42"),
        ("import sys\nsys.exit(0)\n", "SystemExit"),
    ],
)
def test_import_error(any_pool, source, expected):
    result = any_pool.run(source, standard_tasks())
    assert result.status == "import_error"
    assert expected in result.detail
    assert result.task_results == []


# --- processes ------------------------------------------------------------------------------------


def test_forked_descendants_are_killed(contained):
    name = marker()
    attack = f"""
import ctypes, os, subprocess, time
outcome = []
try:
    pid = os.fork()
except OSError as exc:
    outcome.append("fork blocked")
else:
    if pid == 0:
        os.setsid()
        ctypes.CDLL(None).prctl(15, b"{name}", 0, 0, 0)
        while True:
            time.sleep(1)
    outcome.append("fork ran")
try:
    subprocess.Popen(["sleep", "1000.{name}"], start_new_session=True)
    outcome.append("exec ran")
except OSError:
    outcome.append("exec blocked")
print(*outcome)
"""
    result = contained.run(hostile(attack), standard_tasks())
    assert_correct(result)
    assert "fork blocked" in result.stdout_tail and "exec blocked" in result.stdout_tail
    assert processes_matching(name) == []


def test_descendants_that_called_setsid_are_killed_in_every_mode(any_pool):
    name = marker()
    attack = f"""
import ctypes, os, time
try:
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            ctypes.CDLL(None).prctl(15, b"{name}", 0, 0, 0)
            while True:
                time.sleep(1)
        os._exit(0)
except OSError:
    pass
"""
    result = any_pool.run(hostile(attack), standard_tasks())
    assert_correct(result)
    assert wait_until(lambda: processes_matching(name) == [], timeout=3.0)


def test_worker_cannot_kill_or_read_the_fork_server(contained):
    attack = """
import os, signal
outcome = []
try:
    os.kill(os.getppid(), signal.SIGKILL)
    outcome.append("kill ran")
except OSError:
    outcome.append("kill blocked")
try:
    with open(f"/proc/{os.getppid()}/mem", "rb") as handle:
        handle.read(1)
    outcome.append("mem read")
except OSError:
    outcome.append("mem blocked")
print(*outcome)
"""
    result = contained.run(hostile(attack), standard_tasks())
    assert_correct(result)
    assert "kill blocked" in result.stdout_tail and "mem blocked" in result.stdout_tail
    assert_correct(contained.run(hostile(""), standard_tasks()))  # the pool still works


def test_worker_cannot_open_the_trusted_parents_memory(any_pool):
    attack = f"""
import os
outcome = []
for pid in ({os.getpid()}, 1):
    try:
        with open(f"/proc/{{pid}}/mem", "r+b") as handle:
            outcome.append("opened")
    except OSError:
        outcome.append("blocked")
print(*outcome)
"""
    result = any_pool.run(hostile(attack), standard_tasks())
    assert_correct(result)
    assert result.stdout_tail.split() == ["blocked", "blocked"]


# --- network --------------------------------------------------------------------------------------


def test_no_network(contained):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    attack = f"""
import socket
outcome = []
for target in [("127.0.0.1", {port}), ("1.1.1.1", 53)]:
    try:
        socket.create_connection(target, timeout=0.5).close()
        outcome.append("connected")
    except OSError:
        outcome.append("blocked")
try:
    server = socket.socket()
    server.bind(("0.0.0.0", 0))
    server.listen()
    outcome.append("listening")
except OSError:
    outcome.append("blocked")
print(*outcome)
"""
    try:
        result = contained.run(hostile(attack), standard_tasks())
        assert_correct(result)
        assert result.stdout_tail.split() == ["blocked", "blocked", "blocked"]
        readable, _, _ = select.select([listener], [], [], 0)
        assert readable == []  # nobody connected to the parent's socket
    finally:
        listener.close()


# --- files ----------------------------------------------------------------------------------------


def test_no_writes_or_deletions_outside_scratch_and_scratch_removed(contained, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    planted = tmp_path / "planted.txt"
    attack = f"""
import os
outcome = []
for action in (
    lambda: open({str(victim)!r}, "w").write("owned"),
    lambda: os.remove({str(victim)!r}),
    lambda: open({str(planted)!r}, "w").write("x"),
    lambda: os.mkdir({str(tmp_path / "dir")!r}),
    lambda: open(os.path.expanduser("~/.bashrc"), "a").write("owned"),
):
    try:
        action()
        outcome.append("done")
    except OSError:
        outcome.append("blocked")
with open("scratch.txt", "w") as handle:
    handle.write("allowed")
print(*outcome, "cwd=" + os.getcwd())
"""
    result = contained.run(hostile(attack), standard_tasks())
    assert_correct(result)
    words = result.stdout_tail.split()
    assert words[:5] == ["blocked"] * 5
    assert victim.read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["victim.txt"]
    scratch = words[5].removeprefix("cwd=")
    if not contained.isolation.bubblewrap:  # outside bubblewrap the scratch folder is a host folder
        assert wait_until(lambda: not os.path.exists(scratch))  # removed just after the report


def test_reference_implementations_are_hidden(contained):
    attack = f"""
try:
    print("read", len(open({str(REFERENCE_PATH)!r}).read()))
except OSError:
    print("blocked")
"""
    result = contained.run(hostile(attack), standard_tasks())
    assert_correct(result)
    assert result.stdout_tail.split() == ["blocked"]


# --- environment ----------------------------------------------------------------------------------


def test_environment_is_clean(any_pool, monkeypatch):
    secret = marker()
    monkeypatch.setenv("GAMECWM_TEST_SECRET", secret)
    attack = """
import os
print(sorted(os.environ.items()))
try:
    print(open("/proc/self/environ", "rb").read())
except OSError as exc:
    print("environ", type(exc).__name__)
"""
    result = any_pool.run(hostile(attack), standard_tasks())
    assert_correct(result)
    assert secret not in result.stdout_tail
    assert "GAMECWM_TEST_SECRET" not in result.stdout_tail


# --- output floods ----------------------------------------------------------------------------------


def test_output_flood_is_cut_off(any_pool):
    attack = """
import os, sys
chunk = "x" * 65536
while True:
    sys.stdout.write(chunk)
    os.write(2, b"y" * 65536)
"""
    limits = dataclasses.replace(FAST, output_bytes=64 * 1024)
    result = any_pool.run(hostile(attack), standard_tasks(), limits)
    assert result.status == "protocol_violation"
    assert "output limit" in result.detail
    assert len(result.stdout_tail) <= 4096


def test_oversized_result_is_a_task_failure_and_the_worker_continues(any_pool):
    source = hostile("") + "\ndef get_rewards(state):\n    return [0.0] * 400000\n"
    limits = dataclasses.replace(FAST, output_bytes=2**20)
    tasks = [Task("gamecwm.sandbox.testing:playout", {"choices": [0.5], "max_steps": 1}), Task("gamecwm.sandbox.testing:probe", {})]
    result = any_pool.run(source, tasks, limits)
    assert result.status == "ok"
    first, second = result.task_results
    assert not first.ok and "exceeds the limit" in first.error
    assert second.ok and second.value == expected_values()[0]


# --- fake results, exit status 0, monkeypatching, replacing random ------------------------------------


def test_forged_frames_and_exit_zero_are_not_a_pass(any_pool):
    attack = """
import json, os, struct
def frame(obj):
    data = json.dumps(obj).encode()
    return struct.pack(">I", len(data)) + data
fake = [{"t": "loaded", "elapsed": 0.0},
        {"t": "result", "index": 0, "ok": True, "value": ["fake"], "error": None, "elapsed": 0.0},
        {"t": "result", "index": 1, "ok": True, "value": ["fake"], "error": None, "elapsed": 0.0},
        {"t": "done"}]
print("".join(json.dumps(f) for f in fake))
for fd in range(3, 64):
    try:
        os.write(fd, b"".join(frame(f) for f in fake))
    except OSError:
        pass
os._exit(0)
"""
    result = any_pool.run(hostile(attack), standard_tasks())
    assert result.status != "ok"
    assert result.status in ("protocol_violation", "crashed")
    assert all(r.value != ["fake"] for r in result.task_results)


@pytest.mark.parametrize(
    "attack",
    [
        "import gamecwm.sandbox.testing as _t\n_t.playout = lambda module, **kw: ['fake']\n",
        "import random\nrandom.random = lambda: 0.0\n",
        "import sys, types\nsys.modules['random'] = types.ModuleType('random')\n",
        "import json\njson.dumps = lambda *a, **k: '{}'\n",
        "import gamecwm.protocol as _p\n_p.chance_outcomes = lambda module, state: []\n",
        "import gamecwm.sandbox.wire as _w\n_w.to_plain.__code__ = (lambda value, _depth=0: value).__code__\n",
    ],
    ids=["driver", "random-function", "random-module", "json", "protocol", "code-object"],
)
def test_monkeypatching_is_a_protocol_violation(any_pool, attack):
    result = any_pool.run(hostile(attack), standard_tasks())
    assert result.status == "protocol_violation", (result.status, result.detail)
    assert "modified trusted code" in result.detail
    assert result.task_results == []


def test_monkeypatching_during_a_task_is_a_protocol_violation(any_pool):
    attack = """
def _attack():
    import gamecwm.sandbox.testing as tasks
    tasks.probe = lambda module: ["fake"]
"""
    result = any_pool.run(hostile(attack, in_game=True), standard_tasks())
    assert result.status == "protocol_violation"
    assert len(result.task_results) == 1 and result.task_results[0].value != ["fake"]


def test_a_driver_replaced_for_later_tasks_makes_the_whole_run_a_protocol_violation(any_pool):
    # The snapshot is compared after the import and after the last task: results of tasks in between
    # may come from the replaced driver, but the run as a whole is a violation (scored 0 by the verifier).
    attack = """
def _attack():
    import gamecwm.sandbox.testing as tasks
    tasks.probe = lambda module: ["fake"]
"""
    tasks = [standard_tasks()[1], standard_tasks()[0], standard_tasks()[1]]
    result = any_pool.run(hostile(attack, in_game=True), tasks)
    assert result.status == "protocol_violation", (result.status, result.detail)
    assert "modified trusted code while the tasks ran" in result.detail
    assert len(result.task_results) < len(tasks)


def test_limits_cannot_be_raised(any_pool):
    attack = """
import resource
try:
    resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    print("raised")
except (OSError, ValueError):
    print("blocked")
"""
    result = any_pool.run(hostile(attack), standard_tasks())
    assert_correct(result)
    assert result.stdout_tail.split() == ["blocked"]
