"""Run untrusted GameCWM candidates in an isolated worker process, driven by trusted code.

The trusted parent sends a candidate's source and a list of `Task`s (trusted drivers under
`gamecwm.`) to a worker forked from a warm fork server inside the strongest isolation the machine
offers (`isolation_level()`); results come back as plain JSON data in a `SandboxResult`. Below the
full level (`FULL_LEVEL`) candidates run only when weak isolation was accepted
(`allow_weak_isolation`, GAMECWM_ISOLATION=weak); otherwise `WeakIsolationError`.
"""

from gamecwm.sandbox.isolation import (
    FULL_LEVEL,
    WeakIsolationError,
    allow_weak_isolation,
    isolation_level,
    require_isolation,
    weak_isolation_allowed,
)
from gamecwm.sandbox.limits import Limits
from gamecwm.sandbox.pool import SandboxPool, run_candidate
from gamecwm.sandbox.results import STATUSES, SandboxResult, Task, TaskResult

__all__ = [
    "FULL_LEVEL",
    "STATUSES",
    "Limits",
    "SandboxPool",
    "SandboxResult",
    "Task",
    "TaskResult",
    "WeakIsolationError",
    "allow_weak_isolation",
    "isolation_level",
    "require_isolation",
    "run_candidate",
    "weak_isolation_allowed",
]
