"""The code that runs inside a forked worker: confine itself, load the candidate, run the tasks.

Runs in a child of the fork server, one child per candidate. Everything up to loading the
candidate is trusted; afterwards the process must be assumed hostile, so the parent judges only
what arrives as frames on the result socket and what the fork server reports about the exit.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import sys
import time
import traceback
from dataclasses import dataclass
from types import FunctionType, ModuleType
from typing import Any, Callable

from gamecwm.protocol import load_module_from_source
from gamecwm.sandbox import confine
from gamecwm.sandbox.isolation import Isolation, level_string
from gamecwm.sandbox.limits import Limits, apply_rlimits
from gamecwm.sandbox.wire import ConversionError, WireError, encode_frame, recv_frame, to_plain

RESULT_FD = 3
EXIT_INTERNAL = 70  # the trusted worker code itself failed before the candidate ran
EXIT_MEMORY = 75  # out of memory and even the report could not be sent
EXIT_EXPOSED = 76  # a game reference was readable after confinement: the worker refused to run
MAX_PAYLOAD_BYTES = 256 * 2**20
ERROR_TEXT_CHARS = 4000
TRACEBACK_FRAMES = 6

# Modules whose contents a candidate must not change (besides every loaded gamecwm module).
TRUSTED_MODULES = (
    "builtins", "sys", "os", "posix", "json", "json.encoder", "json.decoder", "json.scanner", "_json",
    "random", "_random", "math", "struct", "_struct", "socket", "_socket", "select", "time", "copy",
    "functools", "_functools", "itertools", "operator", "_operator", "collections", "types", "traceback",
    "marshal", "io", "_io", "signal", "_signal", "resource", "ctypes", "importlib",
)
_MISSING = object()


@dataclass
class WorkerContext:
    """What the fork server hands to the worker child (all prepared before the fork)."""

    result_fd: int
    output_fd: int
    scratch: str
    limits: Limits
    isolation: Isolation
    seccomp_filter: Any
    drivers: dict[str, Callable[..., Any]]
    read_dirs: list[str]
    read_files: list[str]
    rw_files: list[str]
    integrity: "Integrity"
    hash_seed: int = 0  # also the fork server's PYTHONHASHSEED; seeds `random` before the candidate loads
    private_mounts: bool = False  # the fork server hid the game folders in its own mount namespace
    fine_read: tuple[str, ...] = ()  # Landlock read grants that leave the hidden folders out
    fine_list: tuple[str, ...] = ()  # folders on the way to them, granted for listing only
    reference_probe: str | None = None  # a reference file that must not be readable once confined


class Integrity:
    """A snapshot of trusted modules, functions and classes, to detect a candidate tampering with them.

    Not a security boundary on its own (code in the same process can defeat any in-process check);
    it turns the common monkeypatching attacks (replacing `random`, a driver, `json.dumps`, a
    protocol helper) into a reported protocol violation instead of a silently wrong result.
    """

    def __init__(self) -> None:
        names = [name for name in sys.modules if name.startswith("gamecwm")] + list(TRUSTED_MODULES)
        self.modules: dict[str, tuple[ModuleType, dict[str, Any]]] = {}
        self.functions: list[tuple[str, FunctionType, Any, Any, Any]] = []
        self.classes: list[tuple[str, type, dict[str, Any]]] = []
        for name in names:
            module = sys.modules.get(name)
            if not isinstance(module, ModuleType):
                continue
            self.modules[name] = (module, dict(module.__dict__))
            if not name.startswith("gamecwm"):
                continue
            for attr, value in module.__dict__.items():
                if isinstance(value, FunctionType):
                    self.functions.append((f"{name}.{attr}", value, value.__code__, value.__defaults__, value.__kwdefaults__))
                elif isinstance(value, type) and getattr(value, "__module__", "").startswith("gamecwm"):
                    self.classes.append((f"{name}.{attr}", value, dict(value.__dict__)))

    def refresh_module(self, name: str) -> None:
        """Re-take the snapshot of one module (after the worker's own trusted changes to it)."""
        module = sys.modules[name]
        self.modules[name] = (module, dict(module.__dict__))

    def violations(self) -> list[str]:
        """Descriptions of everything changed since the snapshot (empty when untouched)."""
        found = []
        for name, (module, contents) in self.modules.items():
            if sys.modules.get(name) is not module:
                found.append(f"module {name} was replaced in sys.modules")
            current = module.__dict__
            for key, value in contents.items():
                if current.get(key, _MISSING) is not value:
                    found.append(f"{name}.{key} was modified")
        for name, func, code, defaults, kwdefaults in self.functions:
            if func.__code__ is not code or func.__defaults__ is not defaults or func.__kwdefaults__ is not kwdefaults:
                found.append(f"function {name} was modified")
        for name, cls, contents in self.classes:
            current = cls.__dict__
            for key, value in contents.items():
                if current.get(key, _MISSING) is not value:
                    found.append(f"{name}.{key} was modified")
        return found


def error_text(exc: BaseException) -> str:
    """`ExcType: message` plus a short traceback, robust against hostile exception objects."""
    try:
        kind = type(exc).__name__
        message = str.__str__(str(exc))
    except BaseException:  # noqa: BLE001 - a hostile __str__ can raise anything
        kind, message = type(exc).__name__, "<unprintable exception>"
    try:
        frames = traceback.extract_tb(exc.__traceback__)[-TRACEBACK_FRAMES:]
        trace = "".join(traceback.format_list(frames))
    except BaseException:  # noqa: BLE001
        trace = ""
    text = f"{kind}: {message}"
    if trace:
        text += "\nTraceback (most recent call last):\n" + trace
    return text[:ERROR_TEXT_CHARS]


class _Channel:
    """The worker's side of the result socket."""

    def __init__(self, fd: int, max_frame: int):
        self.sock = socket.socket(fileno=fd)
        self.max_frame = max_frame
        self.token: str | None = None

    def send(self, message: dict[str, Any]) -> None:
        """Send one frame, stamped with the run's token once it is known."""
        if self.token is not None:
            message["k"] = self.token
        self.sock.sendall(encode_frame(message, self.max_frame))

    def receive(self) -> Any:
        """Read one frame from the parent (the job's payload)."""
        return recv_frame(self.sock, MAX_PAYLOAD_BYTES)


def _setup_descriptors(ctx: WorkerContext) -> None:
    os.dup2(ctx.output_fd, 1)
    os.dup2(ctx.output_fd, 2)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(ctx.result_fd, RESULT_FD)
    os.closerange(RESULT_FD + 1, 1 << 16)
    sys.stdin = open(0, "r", closefd=False)
    sys.stdout = open(1, "w", buffering=1, closefd=False, errors="backslashreplace")
    sys.stderr = open(2, "w", buffering=1, closefd=False, errors="backslashreplace")


def _confine(ctx: WorkerContext) -> list[str]:
    """Apply the configured layers; return the names of the layers actually in force.

    The scratch folder (a fresh tmpfs where possible) was prepared by the fork server. Order
    matters: Landlock is set up while the paths are reachable, dropping to the unprivileged uid
    (when started as root) clears every capability, the scratch folder is entered as its owner,
    then seccomp. A worker that cannot leave root, or that can still read a reference, exits.
    """
    layers = ["bubblewrap"] if ctx.isolation.bubblewrap else []
    signal.signal(signal.SIGXCPU, signal.SIG_DFL)  # the CPU limit ends the worker with a recognisable signal
    as_root = os.geteuid() == 0
    if ctx.isolation.landlock:
        coarse = ctx.private_mounts or ctx.isolation.bubblewrap  # the game folders are covered already
        read_dirs, list_dirs = (ctx.read_dirs, ()) if coarse else (ctx.fine_read, ctx.fine_list)
        if confine.apply_landlock(ctx.isolation.landlock_abi, read_dirs, ctx.read_files, [ctx.scratch], ctx.rw_files,
                                  list_dirs):
            layers.append("landlock")
    if as_root and not confine.drop_privileges():
        os._exit(EXIT_INTERNAL)
    confine.set_parent_death_signal()  # a change of credentials clears it
    os.chdir(ctx.scratch)  # as its owner (a root without capabilities may not enter it)
    apply_rlimits(ctx.limits, unprivileged=os.geteuid() != 0)
    layers.append("rlimits")
    if not as_root:
        confine.drop_capabilities()
    confine.set_undumpable()
    if ctx.isolation.seccomp and confine.load_seccomp(ctx.seccomp_filter):
        layers.append("seccomp")
    if ctx.reference_probe is not None and _readable(ctx.reference_probe):
        os._exit(EXIT_EXPOSED)
    return layers


def _readable(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            handle.read(1)
    except OSError:
        return False
    return True


def child_main(ctx: WorkerContext) -> None:
    """Entry point of the forked worker; never returns (ends with os._exit)."""
    try:
        os.setsid()
        confine.set_parent_death_signal()
        _setup_descriptors(ctx)
        layers = _confine(ctx)
        channel = _Channel(RESULT_FD, ctx.limits.output_bytes)
        channel.send({"t": "hello", "isolation": level_string(layers)})
        payload = channel.receive()
        channel.token = payload.pop("token")
        source = payload["source"]
        tasks = payload["tasks"]
        drivers = [ctx.drivers[task["driver"]] for task in tasks]
        integrity = ctx.integrity  # taken in the fork server, before the fork
        integrity.refresh_module("sys")  # sys.stdin/stdout/stderr were rebound above
        random.seed(ctx.hash_seed)
    except BaseException:  # noqa: BLE001 - nothing of the candidate has run yet
        os._exit(EXIT_INTERNAL)
    _run_candidate(channel, source, tasks, drivers, integrity)


def _finish(channel: _Channel, message: dict[str, Any], code: int = 0) -> None:
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:  # noqa: BLE001 - the candidate may have broken its streams
        pass
    try:
        channel.send(message)
    except BaseException:  # noqa: BLE001
        code = EXIT_MEMORY if message.get("t") == "memory" else EXIT_INTERNAL
    os._exit(code)


def _run_candidate(channel: _Channel, source: str, tasks: list[dict[str, Any]], drivers: list[Callable[..., Any]],
                   integrity: Integrity) -> None:
    start = time.perf_counter()
    try:
        module = load_module_from_source(source, filename="<candidate>")
    except MemoryError:
        _finish(channel, {"t": "memory", "detail": "MemoryError while importing the candidate"})
    except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt are import errors too
        _finish(channel, {"t": "import_error", "error": error_text(exc)})
    _check(channel, integrity, "while importing the candidate")
    channel.send({"t": "loaded", "elapsed": time.perf_counter() - start})
    for index, (task, driver) in enumerate(zip(tasks, drivers)):
        start = time.perf_counter()
        try:
            value = to_plain(driver(module, **task["args"]))
            frame = {"t": "result", "index": index, "ok": True, "value": value, "error": None}
        except MemoryError:
            _finish(channel, {"t": "memory", "detail": f"MemoryError in task {index} ({task['driver']})"})
        except ConversionError as exc:
            frame = {"t": "result", "index": index, "ok": False, "value": None,
                     "error": f"ProtocolViolation: the result cannot cross the sandbox boundary: {exc}"}
        except BaseException as exc:  # noqa: BLE001 - a driver failure is a task failure, not a worker failure
            frame = {"t": "result", "index": index, "ok": False, "value": None, "error": error_text(exc)}
        frame["elapsed"] = time.perf_counter() - start
        if index == len(tasks) - 1:
            # Once more after the last task, not after each: the snapshot is a diagnostic that names a
            # tampering candidate, not a guard (the parent validates every result it gets), and each
            # check walks every trusted module.
            _check(channel, integrity, "while the tasks ran")
        try:
            channel.send(frame)
        except WireError as exc:
            channel.send({"t": "result", "index": index, "ok": False, "value": None,
                          "error": f"ProtocolViolation: {exc}", "elapsed": frame["elapsed"]})
    _finish(channel, {"t": "done"})


def _check(channel: _Channel, integrity: Integrity, when: str) -> None:
    problems = integrity.violations()
    if problems:
        shown = "; ".join(problems[:5]) + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else "")
        _finish(channel, {"t": "violation", "detail": f"the candidate modified trusted code {when}: {shown}"})
