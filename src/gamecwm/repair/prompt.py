"""The repair prompt: the game's rules and protocol, the current program, and its most informative failure.

Like the generation templates, the repair prompt is versioned (`REPAIR_TEMPLATE_ID`, recorded with every
repaired version); changing its text means a new version.
"""

from __future__ import annotations

from gamecwm.generate.prompts import DEFAULT_TEMPLATE, Messages, build_messages
from gamecwm.repair.failure import Failure
from gamecwm.verify.report import Report

REPAIR_TEMPLATE_ID = "repair@1"
SHOWN_OTHER_FAILURES = 8

REPAIR_INSTRUCTIONS = """\
# Your task now

Fix the program so that it implements the rules exactly and passes this check; keep everything that
already works. Answer with the complete corrected module (not a diff) in a single ```python code block."""


def describe_failure(failure: Failure) -> str:
    """The failure as prompt text: the check, its message, the actions that show it, the expected outcome."""
    lines = [f"The first failing check is `{failure.check}` in the {failure.tier} tier:", "", failure.message]
    if failure.scenario:
        lines += ["", f"That scenario: {failure.scenario}"]
    if failure.history is not None:
        lines += ["", f"Actions from the initial state: {failure.history}"]
    if failure.expected:
        lines += ["", f"What the correct implementation shows after these actions: {failure.expected}"]
    return "\n".join(lines)


def _summary(report: Report) -> str:
    score = "no score" if report.score is None else f"a score of {report.score:.3f} out of 1"
    tiers = ", ".join(f"{t.name} {t.score:.2f}" for t in report.tiers)
    return f"The verifier gave your program {score}" + (f" (tier scores: {tiers})." if tiers else ".")


def build_repair_messages(game: str, code: str, report: Report, failure: Failure | None,
                          template: str = DEFAULT_TEMPLATE) -> Messages:
    """Chat messages asking for a corrected program: the generation prompt for the game (rules and protocol)
    followed by the current program, the verifier's verdict and the most informative failure."""
    messages = build_messages(game, template)
    program = f"```python\n{code.rstrip()}\n```" if code.strip() else "(your answer contained no program)"
    others = [f"{tier}/{check.name}" for tier, check in report.failed_checks()][1:]
    feedback = [_summary(report)]
    if failure is not None:
        feedback.append(describe_failure(failure))
    if others:
        listed = ", ".join(others[:SHOWN_OTHER_FAILURES]) + (" ..." if len(others) > SHOWN_OTHER_FAILURES else "")
        feedback.append(f"Other failing checks: {listed}")
    user = (messages[-1]["content"].rstrip() + "\n\n# Your program\n\n" + program
            + "\n\n# What the verifier found\n\n" + "\n\n".join(feedback) + "\n\n" + REPAIR_INSTRUCTIONS + "\n")
    return messages[:-1] + [{"role": "user", "content": user}]
