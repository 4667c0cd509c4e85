"""Run untrusted GameCWM candidates in an isolated worker process, driven by trusted code.

The trusted parent sends a candidate's source and a list of `Task`s (trusted drivers under
`gamecwm.`) to a worker forked from a warm fork server inside the strongest isolation the machine
offers (`isolation_level()`); results come back as plain JSON data in a `SandboxResult`.
"""

from gamecwm.sandbox.isolation import isolation_level
from gamecwm.sandbox.limits import Limits
from gamecwm.sandbox.pool import SandboxPool, run_candidate
from gamecwm.sandbox.results import STATUSES, SandboxResult, Task, TaskResult

__all__ = [
    "STATUSES",
    "Limits",
    "SandboxPool",
    "SandboxResult",
    "Task",
    "TaskResult",
    "isolation_level",
    "run_candidate",
]
