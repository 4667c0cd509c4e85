"""Resource limits for one candidate, and how they are applied inside the worker."""

from __future__ import annotations

import math
import resource
from dataclasses import asdict, dataclass
from typing import Any

SCRATCH_FILE_BYTES = 16 * 2**20  # largest single file a candidate may write in its scratch folder
OPEN_FILES = 64
STDOUT_TAIL_BYTES = 4096


@dataclass(frozen=True)
class Limits:
    """Limits for one candidate's whole verification (all tasks of one run together)."""

    wall_s: float = 20.0  # wall-clock time from the worker's start to its exit
    cpu_s: float = 20.0  # CPU time of the worker process
    memory_mb: int = 512  # address space the candidate may add to the warm worker it is forked from
    output_bytes: int = 8 * 2**20  # cap on the candidate's stdout+stderr and on any single result frame
    import_s: float = 5.0  # wall-clock time allowed for loading the candidate module
    result_bytes: int = 64 * 2**20  # cap on all result frames of one candidate together
    scratch_bytes: int = 64 * 2**20  # size of the candidate's private scratch folder (a tmpfs)
    scratch_inodes: int = 4096  # files and folders the scratch folder can hold

    def __post_init__(self) -> None:
        for name in ("wall_s", "cpu_s", "import_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"Limits.{name} must be positive")
        if self.memory_mb < 32:
            raise ValueError("Limits.memory_mb must be at least 32")
        if self.output_bytes < 4096:
            raise ValueError("Limits.output_bytes must be at least 4096")
        if self.result_bytes < 4096:
            raise ValueError("Limits.result_bytes must be at least 4096")
        if self.scratch_bytes < 2**20 or self.scratch_inodes < 16:
            raise ValueError("Limits.scratch_bytes must be at least 1 MiB and Limits.scratch_inodes at least 16")

    def to_json(self) -> dict[str, Any]:
        """The limits as plain data (sent to the fork server with each job)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Limits":
        """Rebuild limits from `to_json` output."""
        return cls(**{key: data[key] for key in cls.__dataclass_fields__})


def address_space_bytes() -> int:
    """The calling process's current virtual memory size (0 where /proc is unavailable)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def apply_rlimits(limits: Limits, unprivileged: bool) -> None:
    """Set rlimits on the calling process; soft = hard (the candidate cannot raise them) except CPU.

    RLIMIT_CPU gets its soft limit at `cpu_s` (SIGXCPU: an unambiguous "CPU limit" exit) and its
    hard limit one second later (SIGKILL, for a candidate that ignores SIGXCPU).

    The address-space cap is the worker's current size plus `memory_mb`, so that what the trusted
    fork server imported (drivers may pull in large libraries) does not eat the candidate's share.
    RLIMIT_NPROC is set to 0 only when the process does not run as root (the kernel ignores it for
    root); it then forbids new processes and threads outright.
    """
    cpu = max(1, math.ceil(limits.cpu_s))
    memory = address_space_bytes() + limits.memory_mb * 2**20
    settings = [
        (resource.RLIMIT_AS, memory),
        (resource.RLIMIT_FSIZE, SCRATCH_FILE_BYTES),
        (resource.RLIMIT_NOFILE, OPEN_FILES),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_MEMLOCK, 0),
        (resource.RLIMIT_MSGQUEUE, 0),
    ]
    if unprivileged:
        settings.append((resource.RLIMIT_NPROC, 0))
    for which, value in settings:
        _set(which, value, value)
    _set(resource.RLIMIT_CPU, cpu, cpu + 1)


def _set(which: int, soft: int, hard: int) -> None:
    _current_soft, current_hard = resource.getrlimit(which)
    if current_hard != resource.RLIM_INFINITY:
        soft, hard = min(soft, current_hard), min(hard, current_hard)
    resource.setrlimit(which, (soft, hard))
