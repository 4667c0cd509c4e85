"""The trusted parent's side: start a fork server, run one candidate through it, judge the outcome.

The status of a run is decided here from what the parent observes itself (deadlines it enforces,
frames that arrive in the expected order and shape, the exit status reported by the fork server),
never from anything the candidate claims about itself.
"""

from __future__ import annotations

import concurrent.futures
import functools
import importlib
import json
import math
import os
import secrets
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from typing import Any

from gamecwm.sandbox.confine import landlock_read_rules
from gamecwm.sandbox.forkserver import remove_tree
from gamecwm.sandbox.isolation import (
    KNOWN_LEVELS,
    SCRATCH_ROOT,
    Isolation,
    bwrap_command,
    hidden_game_folders,
    package_dir,
    python_path,
    python_roots,
    server_exec_prefix,
)
from gamecwm.sandbox.limits import STDOUT_TAIL_BYTES, Limits
from gamecwm.sandbox.results import DRIVER_PREFIX, SandboxResult, Task, TaskResult
from gamecwm.sandbox.wire import FrameReader, WireError, encode_frame
from gamecwm.sandbox.worker import EXIT_EXPOSED, EXIT_MEMORY, MAX_PAYLOAD_BYTES

START_TIMEOUT_S = 30.0
HELLO_TIMEOUT_S = 10.0
EXIT_REPORT_TIMEOUT_S = 10.0
MAX_HASH_SEED = 2**32 - 1  # the range PYTHONHASHSEED accepts
DRAIN_TIMEOUT_S = 1.0
CPU_LIMIT_MARGIN = 0.5
PRELOAD = ("gamecwm.protocol", "gamecwm.verify.drivers", "gamecwm.sandbox.worker", "json", "random", "math",
           "copy", "itertools", "functools", "collections", "dataclasses", "typing", "enum", "re", "string")
BOOTSTRAP = (
    "import sys, json; sys.path[:0] = json.loads(sys.argv[1]); "
    "from gamecwm.sandbox.forkserver import main; main(sys.argv[2])"
)

# Fork servers die with the thread that started them (PR_SET_PDEATHSIG is per thread), so they are
# all started from one long-lived thread.
_spawner = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="gamecwm-sandbox-spawner")


class InfrastructureError(Exception):
    """The sandbox machinery failed (not the candidate)."""


class ServerLost(Exception):
    """The fork server died or misbehaved while it held a candidate: that candidate's failure."""


def validate_hash_seed(hash_seed: int) -> int:
    """The hash seed as an int in PYTHONHASHSEED's range; ValueError otherwise."""
    if isinstance(hash_seed, bool) or not isinstance(hash_seed, int) or not 0 <= hash_seed <= MAX_HASH_SEED:
        raise ValueError(f"hash_seed must be an integer in [0, {MAX_HASH_SEED}], got {hash_seed!r}")
    return hash_seed


@functools.cache
def _filesystem_plan() -> dict[str, Any]:
    """What the fork servers hide, reveal and grant (computed once: it depends on the installation)."""
    hidden = hidden_game_folders()
    fine_read, fine_list = landlock_read_rules(landlock_read_dirs(), hidden)
    probes = [os.path.join(folder, "reference.py") for folder in hidden]
    return {
        "hidden": hidden,
        "keep": sorted(set(python_roots()) | {str(package_dir())}),
        "fine_read": fine_read,
        "fine_list": fine_list,
        "reference_probe": next((path for path in probes if os.path.isfile(path)), None),
    }


def validate_tasks(tasks: list[Task]) -> None:
    """Refuse, in the parent, tasks whose driver is not trusted gamecwm code or whose args are not plain data.

    The driver's module is imported here too (it is trusted code), so a misspelt driver is a
    ValueError for the caller rather than a failed run.
    """
    for task in tasks:
        if not isinstance(task, Task):
            raise TypeError(f"expected Task, got {type(task).__name__}")
        module_name, _, function = task.driver.partition(":")
        if not task.driver.startswith(DRIVER_PREFIX) or not function or not module_name:
            raise ValueError(f"driver {task.driver!r} must be 'gamecwm.<module>:<function>'")
        try:
            function = getattr(importlib.import_module(module_name), function, None)
        except ImportError as exc:
            raise ValueError(f"driver {task.driver!r}: cannot import {module_name}: {exc}") from None
        if not callable(function):
            raise ValueError(f"driver {task.driver!r} is not a function")
        if not isinstance(task.args, dict):
            raise TypeError(f"args of {task.driver} must be a dict")
        try:
            json.dumps(task.args, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"args of {task.driver} are not plain JSON data: {exc}") from None


class ForkServerProcess:
    """One warm fork server (inside bubblewrap when available), owned by the parent."""

    def __init__(self, isolation: Isolation, cpu: int | None = None, hash_seed: int = 0):
        self.isolation = isolation
        self.cpu = cpu
        self.hash_seed = validate_hash_seed(hash_seed)
        self.process: subprocess.Popen[bytes] | None = None
        self.control: socket.socket | None = None
        self.scratch_root: str | None = None
        self.broken = False
        self.jobs = 0

    def start(self) -> None:
        """Start the server and wait until it has imported everything; InfrastructureError on failure."""
        parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        if self.isolation.bubblewrap:
            scratch_root = SCRATCH_ROOT
        else:
            self.scratch_root = scratch_root = tempfile.mkdtemp(prefix="gamecwm-sandbox-")
            os.chmod(scratch_root, 0o711)  # a worker that dropped to another uid must reach its own folder
        plan = _filesystem_plan()
        config = {
            "control_fd": child_end.fileno(),
            "isolation": asdict(self.isolation),
            "scratch_root": scratch_root,
            "read_dirs": landlock_read_dirs(),
            "read_files": ["/etc/ld.so.cache", "/dev/urandom", "/dev/zero"],
            "rw_files": ["/dev/null"],
            "parent_pid": os.getpid(),
            "cpu": self.cpu,
            "preload": list(PRELOAD),
            "hash_seed": self.hash_seed,
            "hidden": [] if self.isolation.bubblewrap else plan["hidden"],
            "keep": plan["keep"],
            "fine_read": plan["fine_read"],
            "fine_list": plan["fine_list"],
            "reference_probe": plan["reference_probe"],
        }
        # Not -I: isolated mode ignores PYTHONHASHSEED; -s -S -P and an environment of our own are its rest.
        command = [sys.executable, "-s", "-S", "-P", "-c", BOOTSTRAP, json.dumps(python_path()), json.dumps(config)]
        command = server_exec_prefix(self.isolation.bubblewrap) + command
        if self.isolation.bubblewrap:
            command = bwrap_command() + command
        try:
            self.process = _spawner.submit(
                subprocess.Popen, command, env={"PYTHONHASHSEED": str(self.hash_seed)}, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, pass_fds=[child_end.fileno()], start_new_session=True,
            ).result()
        except OSError as exc:
            parent_end.close()
            self.close()
            raise InfrastructureError(f"cannot start the fork server: {exc}") from None
        finally:
            child_end.close()
        self.control = parent_end
        self.control.settimeout(START_TIMEOUT_S)
        try:
            message = json.loads(self.control.recv(4096) or b"null")
        except (OSError, ValueError):
            message = None
        if not isinstance(message, dict) or message.get("t") != "ready":
            self.close()
            raise InfrastructureError("the fork server did not start")
        self.control.settimeout(None)

    @property
    def alive(self) -> bool:
        """True while the server process runs and has not been marked broken."""
        return not self.broken and self.process is not None and self.process.poll() is None

    def close(self) -> None:
        """Stop the server (and with it everything inside its sandbox) and remove its scratch root."""
        if self.control is not None:
            try:
                self.control.send(json.dumps({"t": "quit"}).encode())
            except OSError:
                pass
            self.control.close()
            self.control = None
        if self.process is not None:
            try:
                self.process.wait(timeout=2.0)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
        if self.scratch_root is not None:
            try:
                remove_tree(self.scratch_root)
            except OSError:
                pass
            self.scratch_root = None


def landlock_read_dirs() -> list[str]:
    """Folders a Landlocked worker may read: the Python installation and the system libraries."""
    dirs = ["/usr"]
    for name in ("/lib", "/lib64", "/lib32", "/bin"):
        if os.path.isdir(name) and not os.path.islink(name):
            dirs.append(name)
    return dirs + [root for root in python_roots() if root not in dirs]


class _Run:
    """The bookkeeping of one candidate run in the parent."""

    def __init__(self, server: ForkServerProcess, tasks: list[Task], limits: Limits):
        self.server = server
        self.tasks = tasks
        self.limits = limits
        self.start = time.monotonic()
        self.reader = FrameReader(min(limits.output_bytes, limits.result_bytes))
        self.result_total = 0
        self.lost: str | None = None  # the fork server died or misbehaved during this run
        self.pidfd: int | None = None
        self.isolation = server.isolation.level
        self.hello = False
        self.loaded_at: float | None = None
        self.payload_sent_at: float | None = None
        self.results: list[TaskResult] = []
        self.terminal: dict[str, Any] | None = None
        self.exit: dict[str, Any] | None = None
        self.infra: str | None = None
        self.timeout: str | None = None
        self.violation: str | None = None
        self.output_total = 0
        self.output_tail = bytearray()
        self.result_eof = False
        self.output_eof = False
        self.job_id = 0
        self.token = secrets.token_hex(16)
        self.payload = b""
        self.outgoing: memoryview | None = None

    def kill(self) -> None:
        """SIGKILL the worker from outside (it cannot block or ignore this)."""
        if self.pidfd is not None:
            try:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            except OSError:
                pass

    def on_frame(self, frame: Any) -> None:
        """Check one frame against the expected sequence and record it."""
        if self.violation is not None:
            return
        kind = frame.get("t") if isinstance(frame, dict) else None
        if not self.hello:
            # Sent by trusted code before the worker reads its job: anything else is our failure.
            if kind != "hello" or frame.get("isolation") not in KNOWN_LEVELS:
                self.fail("the worker's first message was not its greeting")
                return
            self.hello = True
            self.isolation = frame["isolation"]
            if self.outgoing is None:
                self.payload_sent_at = time.monotonic()
        elif kind is not None and frame.get("k") != self.token:
            self.fail(f"frame {kind!r} without this run's token (not written by the worker's trusted code)")
        elif self.terminal is not None:
            self.fail(f"frame {kind!r} after the worker's final frame")
        elif kind == "loaded" and self.loaded_at is None and not self.results:
            self.loaded_at = time.monotonic()
        elif kind == "result" and self.loaded_at is not None:
            self.on_result(frame)
        elif kind == "done" and self.loaded_at is not None and len(self.results) == len(self.tasks):
            self.terminal = frame
        elif kind == "import_error" and self.loaded_at is None and isinstance(frame.get("error"), str):
            self.terminal = frame
        elif kind in ("memory", "violation") and isinstance(frame.get("detail"), str):
            self.terminal = frame
        else:
            self.fail(f"unexpected frame {kind!r} from the worker")

    def on_result(self, frame: dict[str, Any]) -> None:
        """Record one task result after checking its shape and position."""
        index, ok, error, elapsed = frame.get("index"), frame.get("ok"), frame.get("error"), frame.get("elapsed")
        if index != len(self.results) or index >= len(self.tasks) or not isinstance(ok, bool):
            self.fail(f"task result {index!r} out of sequence")
        elif not (error is None or isinstance(error, str)) or (ok and error is not None):
            self.fail("malformed task result")
        elif isinstance(elapsed, bool) or not isinstance(elapsed, (int, float)) or not 0 <= elapsed < math.inf:
            self.fail("malformed task result time")
        else:
            self.results.append(TaskResult(ok=ok, value=frame.get("value"), error=error, elapsed_s=float(elapsed)))

    def fail(self, reason: str) -> None:
        """Record a protocol violation and stop the worker."""
        if self.violation is None:
            self.violation = reason
        self.kill()

    def on_output(self, data: bytes) -> None:
        """Keep the tail of the candidate's output; stop a flood at the output limit."""
        self.output_total += len(data)
        self.output_tail += data
        del self.output_tail[:-STDOUT_TAIL_BYTES]
        if self.output_total > self.limits.output_bytes and self.violation is None:
            self.fail(f"output limit exceeded: more than {self.limits.output_bytes} bytes on stdout/stderr")

    def deadline(self) -> tuple[float, str]:
        """The next deadline and what it stands for."""
        if not self.hello:
            return self.start + HELLO_TIMEOUT_S, "hello"
        wall = self.start + self.limits.wall_s
        if self.loaded_at is None and self.terminal is None and self.payload_sent_at is not None:
            return min(wall, self.payload_sent_at + self.limits.import_s), "import"
        return wall, "wall"


def run_job(server: ForkServerProcess, source: str, tasks: list[Task], limits: Limits) -> SandboxResult:
    """Run one candidate with its tasks through a started fork server and judge the outcome.

    Never raises for anything the worker or the server does: a failure before the job reached the
    server is an infrastructure error; once the server holds the candidate, the server dying or
    misbehaving is the candidate's failure (it may have caused it).
    """
    run = _Run(server, tasks, limits)
    payload = {"source": source, "tasks": [task.to_json() for task in tasks], "token": run.token}
    try:
        run.payload = encode_frame(payload, MAX_PAYLOAD_BYTES)
    except WireError as exc:
        raise ValueError(f"candidate source and tasks are too large: {exc}") from None
    try:
        try:
            _execute(run)
        except InfrastructureError as exc:
            run.infra = str(exc)
        except ServerLost as exc:
            run.lost = str(exc)
        except Exception as exc:  # noqa: BLE001 - whatever went wrong, this run gets a verdict, not a traceback
            run.lost = f"the sandbox could not finish this run: {type(exc).__name__}: {exc}"
        if run.infra is not None or run.lost is not None or (run.exit or {}).get("scratch_left"):
            run.kill()  # before its pidfd is closed (a closed descriptor's number may name another process)
            server.broken = True
    finally:
        if run.pidfd is not None:
            os.close(run.pidfd)
            run.pidfd = None
    return _judge(run)


def _execute(run: _Run) -> None:
    server = run.server
    if not server.alive or server.control is None:
        raise InfrastructureError("the fork server is not running")
    result_sock, child_result = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    output_read, output_write = os.pipe()
    try:
        server.jobs += 1
        run.job_id = server.jobs
        job = {"t": "job", "id": run.job_id, "drivers": sorted({task.driver for task in run.tasks}), "limits": run.limits.to_json()}
        socket.send_fds(server.control, [json.dumps(job).encode()], [child_result.fileno(), output_write])
    except OSError as exc:
        result_sock.close()
        os.close(output_read)
        raise InfrastructureError(f"cannot hand the job to the fork server: {exc}") from None
    finally:
        child_result.close()
        os.close(output_write)
    run.outgoing = memoryview(run.payload)
    try:
        _loop(run, result_sock, output_read)
    except (OSError, ValueError, TypeError) as exc:
        raise ServerLost(f"the sandbox failed during this candidate's run: {type(exc).__name__}: {exc}") from None
    finally:
        result_sock.close()
        os.close(output_read)


def _loop(run: _Run, result_sock: socket.socket, output_read: int) -> None:
    control = run.server.control
    assert control is not None
    os.set_blocking(output_read, False)
    result_sock.setblocking(False)
    with selectors.DefaultSelector() as selector:
        # The job's payload is written while the worker starts (no extra round trip after its greeting).
        selector.register(result_sock, selectors.EVENT_READ | selectors.EVENT_WRITE, "result")
        selector.register(output_read, selectors.EVENT_READ, "output")
        selector.register(control, selectors.EVENT_READ, "control")
        exit_deadline: float | None = None
        drain_deadline: float | None = None
        while True:
            now = time.monotonic()
            if run.exit is not None:
                if (run.result_eof and run.output_eof) or now >= (drain_deadline or now):
                    return
                timeout = drain_deadline - now if drain_deadline else 0.0
            elif exit_deadline is not None:
                if now >= exit_deadline:
                    raise ServerLost("the fork server did not report the end of this candidate's worker")
                timeout = exit_deadline - now
            else:
                deadline, what = run.deadline()
                if now >= deadline:
                    if what == "hello":
                        run.kill()
                        raise InfrastructureError("the worker did not start")
                    run.timeout = (
                        f"import took longer than {run.limits.import_s:g} s" if what == "import"
                        else f"wall-clock limit of {run.limits.wall_s:g} s exceeded"
                    )
                    run.kill()
                    exit_deadline = now + EXIT_REPORT_TIMEOUT_S
                    continue
                timeout = deadline - now
                if run.violation is not None:
                    exit_deadline = now + EXIT_REPORT_TIMEOUT_S
            for key, events in selector.select(max(0.0, timeout)):
                if key.data == "result" and events & selectors.EVENT_WRITE:
                    _on_writable(run, result_sock, selector)
                    if not events & selectors.EVENT_READ:
                        continue
                if key.data == "control":
                    _on_control(run, control)
                    if run.exit is not None:
                        drain_deadline = time.monotonic() + DRAIN_TIMEOUT_S
                elif key.data == "output":
                    _on_output(run, output_read, selector)
                elif key.data == "result":
                    _on_result_data(run, result_sock, selector)


def _on_control(run: _Run, control: socket.socket) -> None:
    data, fds, _flags, _addr = socket.recv_fds(control, 65536, 1)
    if not data:
        run.kill()
        for fd in fds:
            os.close(fd)
        raise ServerLost("the fork server died during this candidate's run or clean-up")
    try:
        message = json.loads(data)
    except ValueError:
        message = None
    if not isinstance(message, dict):
        for fd in fds:
            os.close(fd)
        raise ServerLost("the fork server sent a malformed report")
    if message.get("id") != run.job_id or message.get("t") != "started" or len(fds) != 1 or run.pidfd is not None:
        for fd in fds:
            os.close(fd)
    else:
        run.pidfd = fds[0]  # opened by the fork server before the worker could exit: no pid reuse race
    if message.get("id") != run.job_id:
        return  # a report about an earlier job, abandoned by its caller
    if message.get("t") == "error":
        raise InfrastructureError(str(message.get("detail")))
    if message.get("t") == "exit":
        if message.get("failure"):
            raise ServerLost(f"the fork server could not wait for this candidate's worker: {message['failure']}")
        run.exit = message


def _on_output(run: _Run, fd: int, selector: selectors.BaseSelector) -> None:
    try:
        data = os.read(fd, 1 << 16)
    except BlockingIOError:
        return
    if not data:
        run.output_eof = True
        selector.unregister(fd)
        return
    run.on_output(data)


def _on_writable(run: _Run, sock: socket.socket, selector: selectors.BaseSelector) -> None:
    if run.outgoing is not None and len(run.outgoing):
        try:
            sent = sock.send(run.outgoing[: 1 << 20])
        except BlockingIOError:
            return
        except OSError:
            sent = len(run.outgoing)  # the worker is gone; its exit report tells the rest
        run.outgoing = run.outgoing[sent:]
    if run.outgoing is None or not len(run.outgoing):
        run.outgoing = None
        selector.modify(sock, selectors.EVENT_READ, "result")
        if run.hello:
            run.payload_sent_at = time.monotonic()


def _on_result_data(run: _Run, sock: socket.socket, selector: selectors.BaseSelector) -> None:
    try:
        data = sock.recv(1 << 20)
    except BlockingIOError:
        return
    except ConnectionResetError:
        data = b""
    if not data:
        run.result_eof = True
        selector.unregister(sock)
        if run.reader.pending and run.terminal is None:
            run.fail("the worker's channel closed in the middle of a frame")
        return
    if run.violation is not None:
        return
    run.result_total += len(data)
    if run.result_total > run.limits.result_bytes:
        run.fail(f"results larger than the limit of {run.limits.result_bytes} bytes")
        return
    try:
        frames = run.reader.feed(data)
    except WireError as exc:
        run.fail(str(exc))
        return
    for frame in frames:
        run.on_frame(frame)


def _judge(run: _Run) -> SandboxResult:
    """Turn what the parent observed into the run's status and detail."""
    status, detail = _status(run)
    tail = bytes(run.output_tail).decode("utf-8", errors="replace")
    return SandboxResult(
        status=status, detail=detail, task_results=list(run.results), isolation=run.isolation,
        elapsed_s=time.monotonic() - run.start, stdout_tail=tail,
    )


def _status(run: _Run) -> tuple[str, str]:
    exit_info = run.exit or {}
    if exit_info.get("code") == EXIT_EXPOSED and not run.hello:
        return "infrastructure_error", ("a game reference is readable inside the sandbox: refusing to run "
                                        "untrusted code (reinstall, or report this installation's layout)")
    if run.infra is not None:
        return "infrastructure_error", run.infra
    if run.timeout is not None:
        return "timeout", run.timeout
    if run.violation is not None:
        return "protocol_violation", run.violation
    if run.lost is not None:
        return "crashed", run.lost
    if exit_info.get("scratch_left"):
        return "protocol_violation", "the candidate left files in its scratch folder that could not be removed"
    terminal = run.terminal or {}
    kind = terminal.get("t")
    if kind == "import_error":
        return "import_error", terminal["error"]
    if kind == "memory":
        return "memory_limit", f"{terminal['detail']} (limit {run.limits.memory_mb} MiB)"
    if kind == "violation":
        return "protocol_violation", terminal["detail"]
    code, sig = exit_info.get("code"), exit_info.get("signal")
    if kind == "done" and code == 0:
        return "ok", f"{len(run.results)} task(s) completed"
    if exit_info.get("backstop"):
        return "timeout", f"wall-clock limit of {run.limits.wall_s:g} s exceeded"
    cpu = float(exit_info.get("cpu_s") or 0.0)
    # SIGXCPU is RLIMIT_CPU's soft limit; a SIGKILL that neither the parent nor the backstop sent, after
    # much CPU time, is its hard limit (the kernel's count can run ahead of the CPU time reported).
    cpu_limit = math.ceil(run.limits.cpu_s)
    if sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu >= CPU_LIMIT_MARGIN * cpu_limit):
        return "timeout", f"CPU limit of {run.limits.cpu_s:g} s exceeded ({cpu:.1f} s used)"
    memory_kb = run.limits.memory_mb * 1024
    if code == EXIT_MEMORY or (sig is not None and int(exit_info.get("maxrss_kb") or 0) >= 0.9 * memory_kb):
        return "memory_limit", f"memory limit of {run.limits.memory_mb} MiB exceeded"
    if not run.hello:
        return "infrastructure_error", f"the worker ended (code {code}, signal {sig}) before it was ready"
    stage = "while importing" if run.loaded_at is None else f"after {len(run.results)} of {len(run.tasks)} task(s)"
    if sig is not None:
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        return "crashed", f"killed by {name} ({sig}) {stage} after {cpu:.2f} s of CPU time"
    return "crashed", f"exited with code {code} {stage}"
