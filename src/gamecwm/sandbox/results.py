"""The data that crosses the API: tasks sent to a worker and the results that come back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STATUSES = ("ok", "timeout", "memory_limit", "crashed", "import_error", "protocol_violation", "infrastructure_error")
DRIVER_PREFIX = "gamecwm."


@dataclass(frozen=True)
class Task:
    """One unit of trusted work run inside the worker against the loaded candidate.

    `driver` is "package.module:function" and must name trusted code under `gamecwm.`; the function
    is called as `fn(module, **args)` and must return plain JSON data.
    """

    driver: str
    args: dict = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The task as plain data."""
        return {"driver": self.driver, "args": self.args}


@dataclass
class TaskResult:
    """What one task produced: its value (ok=True) or the error its driver raised (ok=False)."""

    ok: bool
    value: Any
    error: str | None
    elapsed_s: float


@dataclass
class SandboxResult:
    """The outcome of running one candidate in the sandbox."""

    status: str
    detail: str
    task_results: list[TaskResult]
    isolation: str
    elapsed_s: float
    stdout_tail: str

    @property
    def infrastructure_failure(self) -> bool:
        """True when the sandbox itself failed; such a result says nothing about the candidate."""
        return self.status == "infrastructure_error"

    @property
    def ok(self) -> bool:
        """True when the candidate loaded and every task ran to completion (tasks may still have failed)."""
        return self.status == "ok"
