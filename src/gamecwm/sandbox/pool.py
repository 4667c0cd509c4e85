"""A pool of warm fork servers that verifies many candidates in parallel, and `run_candidate`."""

from __future__ import annotations

import atexit
import concurrent.futures
import os
import threading
import time
from typing import Iterable, Iterator

from gamecwm.sandbox import confine
from gamecwm.sandbox.isolation import Isolation, detect
from gamecwm.sandbox.limits import Limits
from gamecwm.sandbox.results import SandboxResult, Task
from gamecwm.sandbox.runner import ForkServerProcess, InfrastructureError, run_job, validate_tasks


class SandboxPool:
    """Warm fork servers (default: one per core, each pinned to its core) that run candidates.

    Use as a context manager, or call `close()`. Servers start on first use; one whose machinery
    failed is replaced for the next candidate, and the failed run is reported as
    `infrastructure_error`, never as a candidate failure.
    """

    def __init__(self, workers: int | None = None, limits: Limits = Limits(), *, disable: Iterable[str] = ()):
        """`workers` fork servers with default `limits`; `disable` switches isolation layers off (tests)."""
        self.workers = max(1, workers if workers is not None else (os.cpu_count() or 1))
        self.limits = limits
        self.isolation: Isolation = detect(disable)
        if not (self.isolation.bubblewrap or self.isolation.landlock) and os.geteuid() != 0:
            # Nothing hides this process's /proc/<pid>/mem from a same-uid candidate (as root the
            # candidate's dropped capabilities already deny it): make this process undumpable.
            confine.set_undumpable()
        self._cpus = sorted(os.sched_getaffinity(0))
        self._idle: list[ForkServerProcess] = []
        self._started = 0
        self._condition = threading.Condition()
        self._closed = False
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None

    @property
    def isolation_level(self) -> str:
        """The isolation level this pool's workers are configured for."""
        return self.isolation.level

    def __enter__(self) -> "SandboxPool":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def run(self, source: str, tasks: list[Task], limits: Limits | None = None) -> SandboxResult:
        """Run one candidate (fresh worker process) with its tasks; blocks until it is judged."""
        validate_tasks(tasks)
        limits = limits or self.limits
        start = time.monotonic()
        try:
            server = self._acquire()
        except InfrastructureError as exc:
            return SandboxResult("infrastructure_error", str(exc), [], self.isolation.level, time.monotonic() - start, "")
        pinned = _pin_thread(server.cpu)
        try:
            return run_job(server, source, tasks, limits)
        finally:
            _unpin_thread(pinned)
            self._release(server)

    def map(self, jobs: Iterable[tuple[str, list[Task]]]) -> Iterator[tuple[int, SandboxResult]]:
        """Run many candidates in parallel; yields (index, result) in order of completion."""
        jobs = list(jobs)
        for _source, tasks in jobs:
            validate_tasks(tasks)
        executor = self._pool_executor()
        futures = {executor.submit(self.run, source, tasks): index for index, (source, tasks) in enumerate(jobs)}
        try:
            for future in concurrent.futures.as_completed(futures):
                yield futures[future], future.result()
        finally:
            for future in futures:
                future.cancel()

    def close(self) -> None:
        """Stop every fork server; running candidates are killed with their servers."""
        with self._condition:
            self._closed = True
            idle, self._idle = self._idle, []
            self._condition.notify_all()
        for server in idle:
            server.close()
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def _pool_executor(self) -> concurrent.futures.ThreadPoolExecutor:
        with self._condition:
            if self._executor is None:
                self._executor = concurrent.futures.ThreadPoolExecutor(self.workers, thread_name_prefix="gamecwm-sandbox")
            return self._executor

    def _acquire(self) -> ForkServerProcess:
        with self._condition:
            while True:
                if self._closed:
                    raise InfrastructureError("the sandbox pool is closed")
                while self._idle:
                    server = self._idle.pop()
                    if server.alive:
                        return server
                    self._started -= 1
                    server.close()
                if self._started < self.workers:
                    slot = self._started
                    self._started += 1
                    break
                self._condition.wait()
        cpu = self._cpus[slot % len(self._cpus)] if self.workers <= len(self._cpus) else None
        server = ForkServerProcess(self.isolation, cpu=cpu)
        try:
            server.start()
        except InfrastructureError:
            with self._condition:
                self._started -= 1
                self._condition.notify()
            raise
        return server

    def _release(self, server: ForkServerProcess) -> None:
        with self._condition:
            if server.alive and not self._closed:
                self._idle.append(server)
                self._condition.notify()
                return
            self._started -= 1
            self._condition.notify()
        server.close()


def _pin_thread(cpu: int | None) -> set[int] | None:
    """Run the calling thread on the server's core while it waits for the worker.

    The parent sleeps until the worker's frames arrive; waking a thread on another (idle) core costs
    milliseconds on virtual machines, waking it on the worker's own core does not. Returns the
    previous affinity, or None when nothing was changed.
    """
    if cpu is None:
        return None
    try:
        previous = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {cpu})
    except OSError:
        return None
    return previous


def _unpin_thread(previous: set[int] | None) -> None:
    """Restore the affinity saved by _pin_thread."""
    if previous is not None:
        try:
            os.sched_setaffinity(0, previous)
        except OSError:
            pass


_shared: dict[tuple[str, ...], SandboxPool] = {}
_shared_lock = threading.Lock()


def run_candidate(source: str, tasks: list[Task], limits: Limits = Limits(), *, disable: Iterable[str] = ()) -> SandboxResult:
    """Run one candidate in a fresh worker process (forked from a shared warm server) and judge it."""
    key = tuple(sorted(set(disable)))
    with _shared_lock:
        pool = _shared.get(key)
        if pool is None:
            pool = _shared[key] = SandboxPool(workers=os.cpu_count() or 1, limits=limits, disable=disable)
    return pool.run(source, tasks, limits)


@atexit.register
def _close_shared() -> None:
    with _shared_lock:
        pools = list(_shared.values())
        _shared.clear()
    for pool in pools:
        pool.close()
