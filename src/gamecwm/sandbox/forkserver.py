"""The fork server: a warm interpreter (inside the sandbox) that forks one fresh worker per candidate.

It imports the protocol, the worker code and the requested trusted drivers, and never any untrusted
code. The parent sends each job as one SOCK_SEQPACKET message with two file descriptors attached
(the worker's result socket and the write end of its output pipe). The server forks, waits for the
worker (with its own wall-clock backstop), kills every process the candidate left behind, removes
the scratch folder and reports the exit status and resource usage back.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import select
import signal
import socket
import sys
import time
from typing import Any, Callable

from gamecwm.sandbox import confine
from gamecwm.sandbox.isolation import Isolation
from gamecwm.sandbox.limits import Limits
from gamecwm.sandbox.wire import decode_payload
from gamecwm.sandbox.worker import EXIT_INTERNAL, Integrity, WorkerContext, child_main

CONTROL_MESSAGE_BYTES = 1 << 16
BACKSTOP_GRACE_S = 2.0
CLEANUP_DEADLINE_S = 5.0


def resolve_driver(name: str) -> Callable[..., Any]:
    """Import `package.module:function` (trusted code under gamecwm.) and return the function."""
    module_name, _, function_name = name.partition(":")
    if not name.startswith("gamecwm.") or not function_name:
        raise ValueError(f"driver {name!r} must be 'gamecwm.<module>:<function>'")
    function = getattr(importlib.import_module(module_name), function_name, None)
    if not callable(function):
        raise ValueError(f"driver {name!r} is not a function")
    return function


class ForkServer:
    """The server loop state: configuration received at start-up plus the prepared seccomp filter."""

    def __init__(self, config: dict[str, Any]):
        self.control = socket.socket(fileno=config["control_fd"])
        self.isolation = Isolation(**config["isolation"])
        self.namespaced = self.isolation.bubblewrap
        self.scratch_root = config["scratch_root"]
        self.read_dirs = config["read_dirs"]
        self.read_files = config["read_files"]
        self.rw_files = config["rw_files"]
        self.hash_seed = int(config["hash_seed"])
        self.owner = confine.UNPRIVILEGED_ID if os.geteuid() == 0 else os.geteuid()  # the candidate's uid
        # Each candidate gets a fresh capped tmpfs as its scratch folder where mounts are possible.
        self.private_mounts = confine.private_mount_namespace(config["hidden"], [*config["keep"], self.scratch_root])
        os.chdir("/")  # not a folder of the host's view
        self.fine_read = tuple(config["fine_read"])
        self.fine_list = tuple(config["fine_list"])
        self.reference_probe = config["reference_probe"]
        self.drivers: dict[str, Callable[..., Any]] = {}
        self.seccomp_filter = confine.build_seccomp_filter() if self.isolation.seccomp else None
        self.jobs = 0
        self.integrity: Integrity | None = None
        self.integrity_size = 0

    def serve(self) -> None:
        """Handle jobs until the parent closes the control socket or says quit."""
        self.send({"t": "ready", "pid": os.getpid()})
        while True:
            try:
                message, fds, _flags, _addr = socket.recv_fds(self.control, CONTROL_MESSAGE_BYTES, 2)
            except OSError:
                return
            if not message:
                return
            try:
                job = decode_payload(message)
            except ValueError:
                job = None
            if not isinstance(job, dict):
                for fd in fds:
                    os.close(fd)
                continue
            if job.get("t") == "quit":
                for fd in fds:
                    os.close(fd)
                return
            self.handle(job, fds)

    def send(self, message: dict[str, Any]) -> None:
        """Send one report to the parent."""
        self.control.send(json.dumps(message).encode())

    def handle(self, job: dict[str, Any], fds: list[int]) -> None:
        """Run one job: fork the worker, wait for it, clean up, report. Never raises: whatever the
        worker left behind, the server reports and goes on to the next job."""
        if len(fds) != 2:
            for fd in fds:
                os.close(fd)
            self.send({"t": "error", "id": job.get("id"), "detail": "job arrived without its two descriptors"})
            return
        result_fd, output_fd = fds
        try:
            for name in job["drivers"]:
                if name not in self.drivers:
                    self.drivers[name] = resolve_driver(name)
            limits = Limits.from_json(job["limits"])
            self.jobs += 1
            scratch = os.path.join(self.scratch_root, f"job{self.jobs}")
            os.mkdir(scratch, 0o700)
            if self.private_mounts:
                confine.mount_scratch(scratch, limits.scratch_bytes, limits.scratch_inodes, self.owner)
            elif self.owner != os.geteuid():
                os.chown(scratch, self.owner, self.owner)
        except Exception as exc:  # noqa: BLE001 - reported to the parent as an infrastructure error
            os.close(result_fd)
            os.close(output_fd)
            self.send({"t": "error", "id": job.get("id"), "detail": f"{type(exc).__name__}: {exc}"})
            return
        if self.integrity is None or self.integrity_size != len(sys.modules):
            self.integrity = Integrity()  # no candidate ever runs here, so this changes only with imports
            self.integrity_size = len(sys.modules)
        context = WorkerContext(
            result_fd=result_fd, output_fd=output_fd, scratch=scratch, limits=limits, isolation=self.isolation,
            seccomp_filter=self.seccomp_filter, drivers=self.drivers, read_dirs=self.read_dirs,
            read_files=self.read_files, rw_files=self.rw_files, integrity=self.integrity, hash_seed=self.hash_seed,
            private_mounts=self.private_mounts, fine_read=self.fine_read, fine_list=self.fine_list,
            reference_probe=self.reference_probe,
        )
        gc.freeze()  # keep the warm heap out of the worker's collections: fewer copy-on-write faults
        try:
            pid = os.fork()
        except OSError as exc:
            os.close(result_fd)
            os.close(output_fd)
            self.clear_scratch(scratch)
            self.send({"t": "error", "id": job.get("id"), "detail": f"cannot fork a worker: {exc}"})
            return
        if pid == 0:
            try:
                self.control.close()
                child_main(context)
            finally:
                os._exit(EXIT_INTERNAL)
        os.close(result_fd)
        os.close(output_fd)
        report: dict[str, Any] = {"t": "exit", "id": job.get("id")}
        try:
            report.update(self.wait(pid, job.get("id"), limits))
        except Exception as exc:  # noqa: BLE001 - the worker's remains must not end the server
            report["failure"] = f"{type(exc).__name__}: {exc}"
        try:
            report["leftovers"] = self.kill_leftovers()
        except Exception as exc:  # noqa: BLE001
            report["failure"] = f"{type(exc).__name__}: {exc}"
        if self.private_mounts:
            # Detaching a tmpfs cannot leave anything behind: report first, it is off the critical path.
            self.send(report)
            self.clear_scratch(scratch)
            return
        if not self.clear_scratch(scratch):
            report["scratch_left"] = True
        self.send(report)

    def wait(self, pid: int, job_id: Any, limits: Limits) -> dict[str, Any]:
        """Hand the worker's pidfd to the parent, wait for the worker and reap it: its exit report."""
        pidfd = os.pidfd_open(pid)  # before any reaping, so it cannot name a recycled pid
        try:
            socket.send_fds(self.control, [json.dumps({"t": "started", "id": job_id}).encode()], [pidfd])
            backstop = self.wait_with_backstop(pidfd, limits.wall_s + BACKSTOP_GRACE_S)
        finally:
            os.close(pidfd)
        runtime = _runtime_s(pid)  # the scheduler's count (what RLIMIT_CPU uses), read before reaping
        _, status, usage = os.wait4(pid, 0)
        return {
            "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            "code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            "cpu_s": max(usage.ru_utime + usage.ru_stime, runtime),
            "maxrss_kb": usage.ru_maxrss,
            "backstop": backstop,
        }

    def wait_with_backstop(self, pidfd: int, timeout: float) -> bool:
        """Wait until the worker exits; SIGKILL it after `timeout` seconds. True when it had to be killed."""
        ready, _, _ = select.select([pidfd], [], [], timeout)
        if ready:
            return False
        signal.pidfd_send_signal(pidfd, signal.SIGKILL)
        return True

    def kill_leftovers(self) -> int:
        """Kill and reap every process the candidate left behind; returns how many there were.

        Inside bubblewrap's PID namespace kill(-1) reaches exactly the processes of this sandbox
        (the server is their subreaper and the only other one is the namespace's init). Outside,
        orphans are re-parented to this server (a child subreaper), so all its children are killed
        until none is left.
        """
        killed = 0
        deadline = time.monotonic() + CLEANUP_DEADLINE_S
        while True:
            try:
                pid, _status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return killed
            if pid:
                killed += 1
                continue
            if time.monotonic() > deadline:
                return killed
            self.kill_round()
            try:
                os.waitpid(-1, 0)
            except ChildProcessError:
                return killed
            killed += 1

    def kill_round(self) -> None:
        """SIGKILL every process this server may own besides itself."""
        if self.namespaced:
            try:
                os.kill(-1, signal.SIGKILL)
            except ProcessLookupError:
                pass
            return
        for child in _children(os.getpid()):
            try:
                os.kill(child, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def clear_scratch(self, scratch: str) -> bool:
        """Remove the job's scratch folder; False when something could not be removed.

        Normally the candidate's tmpfs is detached (whatever it holds goes with it) and the mount
        point removed; where no tmpfs could be had, the tree is removed without recursion.
        """
        try:
            if self.private_mounts:
                confine.unmount_scratch(scratch)
            os.rmdir(scratch)
            return True
        except FileNotFoundError:
            return True
        except OSError:
            if self.private_mounts:
                return False
        try:
            remove_tree(scratch)
        except OSError:
            return False
        return not os.path.lexists(scratch)


def remove_tree(path: str) -> None:
    """Delete a folder and everything in it, however deep: a loop with one open folder at a time
    (no recursion, no long paths). Folders the candidate closed are opened up first where this
    process owns them. Symbolic links are removed, never followed."""
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return
    names: list[str] = []  # the way down from `path` to the folder `fd` is open on
    try:
        while True:
            try:
                os.fchmod(fd, 0o700)
            except OSError:
                pass
            child = None
            with os.scandir(fd) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        child = entry.name
                        break
                    os.unlink(entry.name, dir_fd=fd)
            if child is not None:
                inner = os.open(child, flags, dir_fd=fd)
                os.close(fd)
                fd = inner
                names.append(child)
                continue
            if not names:
                break
            outer = os.open("..", flags, dir_fd=fd)
            os.close(fd)
            fd = outer
            os.rmdir(names.pop(), dir_fd=fd)
    finally:
        os.close(fd)
    os.rmdir(path)


def _runtime_s(pid: int) -> float:
    """CPU time of a process (a zombie is fine) from /proc/<pid>/schedstat; 0.0 when unavailable."""
    try:
        with open(f"/proc/{pid}/schedstat") as handle:
            return int(handle.read().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return 0.0


def _children(parent: int) -> list[int]:
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        if len(fields) > 1 and int(fields[1]) == parent:
            children.append(int(entry))
    return children


def main(config_json: str) -> None:
    """Entry point inside the sandbox: harden this process, pre-import, serve jobs."""
    config = json.loads(config_json)
    confine.set_parent_death_signal()
    if not config["isolation"]["bubblewrap"] and os.getppid() != config["parent_pid"]:
        sys.exit(1)  # the parent died before the death signal was armed
    server = ForkServer(config)  # first: a user namespace cannot be set up by an undumpable process
    confine.set_undumpable()
    confine.set_child_subreaper()
    if config.get("cpu") is not None:
        try:
            os.sched_setaffinity(0, {config["cpu"]})
        except OSError:
            pass
    for name in config.get("preload", []):
        importlib.import_module(name)
    server.serve()
