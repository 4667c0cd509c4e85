"""Programs for the repair tests: tic-tac-toe's reference, and a copy that pays a won game to the loser."""

from __future__ import annotations

from gamecwm.games import get_game

FIXED = get_game("tic_tac_toe").reference_path.read_text()
BROKEN = FIXED.replace("return [1.0, -1.0]", "return [-1.0, 1.0]", 1)
assert BROKEN != FIXED
# The message the verifier gives BROKEN at its first (lowest-tier) failure.
BROKEN_MESSAGE = "rewards [-1.0, 1.0], expected [1.0, -1.0]"


def fenced(code: str) -> str:
    """A model completion holding the program."""
    return f"Here is the module.\n```python\n{code}```\n"
