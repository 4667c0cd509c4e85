"""A pool of warm fork servers that verifies many candidates in parallel, and `run_candidate`."""

from __future__ import annotations

import atexit
import concurrent.futures
import os
import threading
import time
from typing import Iterable, Iterator

from gamecwm.sandbox import confine
from gamecwm.sandbox.isolation import Isolation, require_isolation
from gamecwm.sandbox.limits import Limits
from gamecwm.sandbox.results import SandboxResult, Task
from gamecwm.sandbox.runner import ForkServerProcess, InfrastructureError, run_job, validate_hash_seed, validate_tasks

SPARE_SERVERS = 2  # idle servers kept beyond `workers`, so that a few hash seeds stay warm


class SandboxPool:
    """Warm fork servers (default: one per core, each pinned to its core) that run candidates.

    At most `workers` candidates run at once (each with at most one companion run beside it, see
    `run`). Servers start lazily, one kind per hash seed (a server's PYTHONHASHSEED is fixed when it
    starts); idle ones are kept warm, `workers` plus SPARE_SERVERS at most (twice `workers` plus
    SPARE_SERVERS while companions run), and the least recently used idle one makes room for a new
    seed. A server whose machinery failed is replaced for the next candidate.

    Construction raises WeakIsolationError when the machine offers less than the full isolation
    level and weak isolation was not accepted (`allow_weak`, `--isolation weak`, GAMECWM_ISOLATION).
    Use as a context manager, or call `close()`.
    """

    def __init__(self, workers: int | None = None, limits: Limits = Limits(), *, disable: Iterable[str] = (),
                 allow_weak: bool | None = None):
        """`workers` parallel candidates with default `limits`; `disable` switches isolation layers
        off (tests, benchmarks), `allow_weak` accepts a level below the full one (None: the user's setting)."""
        self.workers = max(1, workers if workers is not None else (os.cpu_count() or 1))
        self.limits = limits
        self.isolation: Isolation = require_isolation(allow_weak, disable)
        if not (self.isolation.bubblewrap or self.isolation.landlock) and os.geteuid() != 0:
            # Nothing hides this process's /proc/<pid>/mem from a same-uid candidate (as root the
            # candidate runs under another uid): make this process undumpable.
            confine.set_undumpable()
        self._cpus = sorted(os.sched_getaffinity(0))
        self._idle: list[ForkServerProcess] = []  # least recently used first
        self._busy = 0
        self._beside = 0  # companion runs in progress (see `run`)
        self._servers = 0  # started and not yet closed (idle or busy)
        self._next_slot = 0
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

    def run(self, source: str, tasks: list[Task], limits: Limits | None = None, *, hash_seed: int = 0,
            companion: bool = False) -> SandboxResult:
        """Run one candidate (fresh worker process) with its tasks; blocks until it is judged.

        The worker runs with PYTHONHASHSEED=`hash_seed` and `random` seeded with it, so the same
        candidate and tasks give the same results run after run. A `companion` run belongs to a
        candidate that holds one of the pool's places with another run at the same time (the same
        program under another hash seed): it does not wait for a free place, so the two overlap.
        """
        validate_tasks(tasks)
        validate_hash_seed(hash_seed)
        limits = limits or self.limits
        start = time.monotonic()
        try:
            server = self._acquire(hash_seed, companion)
        except InfrastructureError as exc:
            return SandboxResult("infrastructure_error", str(exc), [], self.isolation.level, time.monotonic() - start, "")
        pinned = _pin_thread(server.cpu)
        try:
            return run_job(server, source, tasks, limits)
        finally:
            _unpin_thread(pinned)
            self._release(server, companion)

    def map(self, jobs: Iterable[tuple[str, list[Task]] | tuple[str, list[Task], int]]) -> Iterator[tuple[int, SandboxResult]]:
        """Run many candidates in parallel; yields (index, result) in order of completion.

        Jobs are `(source, tasks)` or `(source, tasks, hash_seed)`, read lazily: at most about twice
        `workers` jobs and results are held at any time, so memory does not grow with the batch.
        """
        executor = self._pool_executor()
        pending: dict[concurrent.futures.Future[SandboxResult], int] = {}
        job_iterator = iter(enumerate(jobs))
        exhausted = False
        try:
            while True:
                while not exhausted and len(pending) < 2 * self.workers:
                    try:
                        index, job = next(job_iterator)
                    except StopIteration:
                        exhausted = True
                        break
                    source, tasks, hash_seed = _unpack_job(job)
                    validate_tasks(tasks)
                    validate_hash_seed(hash_seed)
                    pending[executor.submit(self.run, source, tasks, hash_seed=hash_seed)] = index
                if not pending:
                    return
                done, _ = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
                for future in done:
                    index = pending.pop(future)
                    yield index, future.result()
        finally:
            for future in pending:
                future.cancel()

    def close(self) -> None:
        """Stop every fork server; running candidates are killed with their servers."""
        with self._condition:
            self._closed = True
            idle, self._idle = self._idle, []
            self._servers -= len(idle)
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

    def _acquire(self, hash_seed: int, companion: bool = False) -> ForkServerProcess:
        """A warm server for `hash_seed` (started if need be), once fewer than `workers` run (a companion run
        does not wait for that: each running candidate may have one; see `run`)."""
        evicted: list[ForkServerProcess] = []
        with self._condition:
            while True:
                if self._closed:
                    raise InfrastructureError("the sandbox pool is closed")
                for server in [s for s in self._idle if not s.alive]:
                    self._idle.remove(server)
                    self._servers -= 1
                    evicted.append(server)
                if (self._beside < self.workers) if companion else (self._busy < self.workers):
                    match = next((s for s in reversed(self._idle) if s.hash_seed == hash_seed), None)
                    if match is not None:
                        self._idle.remove(match)
                        self._count(companion, +1)
                        server = match
                        break
                    servers_cap = self.workers * (2 if companion else 1) + SPARE_SERVERS
                    if self._servers >= servers_cap and self._idle:
                        evicted.append(self._idle.pop(0))
                        self._servers -= 1
                    if self._servers < servers_cap:
                        self._count(companion, +1)
                        self._servers += 1
                        slot = self._next_slot
                        self._next_slot += 1
                        server = None
                        break
                self._condition.wait()
        for old in evicted:
            old.close()
        if server is not None:
            return server
        cpu = self._cpus[slot % len(self._cpus)] if self.workers <= len(self._cpus) else None
        server = ForkServerProcess(self.isolation, cpu=cpu, hash_seed=hash_seed)
        try:
            server.start()
        except InfrastructureError:
            with self._condition:
                self._count(companion, -1)
                self._servers -= 1
                self._condition.notify_all()
            raise
        return server

    def _count(self, companion: bool, change: int) -> None:
        """Count a run in or out (the caller holds the condition's lock)."""
        if companion:
            self._beside += change
        else:
            self._busy += change

    def _release(self, server: ForkServerProcess, companion: bool = False) -> None:
        with self._condition:
            self._count(companion, -1)
            if server.alive and not self._closed:
                self._idle.append(server)
                self._condition.notify_all()
                return
            self._servers -= 1
            self._condition.notify_all()
        server.close()


def _unpack_job(job: tuple) -> tuple[str, list[Task], int]:
    """(source, tasks, hash_seed) from a map job of two or three items."""
    if not isinstance(job, (tuple, list)) or len(job) not in (2, 3):
        raise TypeError("a job is (source, tasks) or (source, tasks, hash_seed)")
    source, tasks, *rest = job
    return source, tasks, (rest[0] if rest else 0)


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


def run_candidate(source: str, tasks: list[Task], limits: Limits = Limits(), *, disable: Iterable[str] = (),
                  hash_seed: int = 0, companion: bool = False) -> SandboxResult:
    """Run one candidate in a fresh worker process (forked from a shared warm server) and judge it.

    The worker runs with PYTHONHASHSEED=`hash_seed`; WeakIsolationError when the isolation here is
    below the full level and weak isolation was not accepted.
    """
    key = tuple(sorted(set(disable)))
    with _shared_lock:
        pool = _shared.get(key)
        if pool is None:
            pool = _shared[key] = SandboxPool(workers=os.cpu_count() or 1, limits=limits, disable=disable)
    return pool.run(source, tasks, limits, hash_seed=hash_seed, companion=companion)


@atexit.register
def _close_shared() -> None:
    with _shared_lock:
        pools = list(_shared.values())
        _shared.clear()
    for pool in pools:
        pool.close()
