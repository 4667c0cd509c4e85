"""The verification report: named checks grouped into tiers, an overall score, and its JSON form.

JSON form (other tools rely on it exactly):
`{"game", "score", "passed", "tiers": [{"name", "score", "weight", "checks": [{"name", "passed",
"message"}]}], "isolation", "elapsed_s", "error"}`. `score` is null only when the harness itself
failed (an infrastructure error), which must never be read as a score of 0 for the candidate. A tier
whose `weight` is null is a factor of the score (see `gamecwm.verify.config`). A failed check may also
carry its evidence as data: `"history"` (the actions that reach the failure), `"expected"` (what the
reference says there) and `"actual"` (what the candidate says).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

INFRASTRUCTURE_PREFIX = "infrastructure:"
EVIDENCE_FIELDS = ("history", "expected", "actual")


@dataclass
class Check:
    """One named pass/fail check with a message saying what went wrong (and the history that shows it)."""

    name: str
    passed: bool
    message: str = ""
    history: list[str] | None = None
    expected: Any = None
    actual: Any = None

    def to_json(self) -> dict[str, Any]:
        """Plain-data form (the evidence fields only where they are set)."""
        data: dict[str, Any] = {"name": self.name, "passed": self.passed, "message": self.message}
        for key in EVIDENCE_FIELDS:
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Check:
        """Rebuild a check from its JSON object."""
        return cls(data["name"], data["passed"], data.get("message", ""),
                   **{key: data.get(key) for key in EVIDENCE_FIELDS})


@dataclass
class Tier:
    """A group of checks with a score in [0, 1] and its weight in the overall score (None: a factor)."""

    name: str
    score: float
    weight: float | None
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when every check of the tier passed."""
        return all(check.passed for check in self.checks)

    def to_json(self) -> dict[str, Any]:
        """Plain-data form."""
        return {
            "name": self.name,
            "score": round(self.score, 6),
            "weight": self.weight,
            "checks": [c.to_json() for c in self.checks],
        }


@dataclass
class Report:
    """The verifier's verdict on one candidate for one game."""

    game: str
    score: float | None
    passed: bool
    tiers: list[Tier]
    isolation: str
    elapsed_s: float
    error: str | None = None

    @property
    def infrastructure_failure(self) -> bool:
        """True when the harness failed, not the candidate: such a report carries no score."""
        return self.error is not None and self.error.startswith(INFRASTRUCTURE_PREFIX)

    def tier(self, name: str) -> Tier | None:
        """The tier of that name, if the report has it."""
        return next((t for t in self.tiers if t.name == name), None)

    def failed_checks(self) -> list[tuple[str, Check]]:
        """(tier name, check) for every failed check, lowest tier first."""
        return [(t.name, c) for t in self.tiers for c in t.checks if not c.passed]

    def to_json(self) -> dict[str, Any]:
        """The documented JSON object."""
        return {
            "game": self.game,
            "score": None if self.score is None else round(self.score, 6),
            "passed": self.passed,
            "tiers": [t.to_json() for t in self.tiers],
            "isolation": self.isolation,
            "elapsed_s": round(self.elapsed_s, 4),
            "error": self.error,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        """Rebuild a report from its JSON object."""
        tiers = [
            Tier(
                name=t["name"],
                score=t["score"],
                weight=t["weight"],
                checks=[Check.from_json(c) for c in t["checks"]],
            )
            for t in data["tiers"]
        ]
        return cls(
            game=data["game"],
            score=data["score"],
            passed=data["passed"],
            tiers=tiers,
            isolation=data["isolation"],
            elapsed_s=data["elapsed_s"],
            error=data.get("error"),
        )


def format_report(report: Report) -> str:
    """A readable multi-line rendering of a report for the terminal."""
    score = "n/a" if report.score is None else f"{report.score:.3f}"
    verdict = "PASSED" if report.passed else "FAILED"
    lines = [f"{report.game}: score {score} {verdict}  ({report.elapsed_s:.2f}s, isolation: {report.isolation})"]
    if report.error:
        lines.append(f"  error: {report.error}")
    for tier in report.tiers:
        role = "a factor" if tier.weight is None else f"weight {tier.weight:.2f}"
        lines.append(f"  [{tier.name}] score {tier.score:.3f} ({role})")
        for check in tier.checks:
            mark = "ok  " if check.passed else "FAIL"
            message = f": {check.message}" if check.message and not check.passed else ""
            lines.append(f"    {mark} {check.name}{message}")
    return "\n".join(lines)
