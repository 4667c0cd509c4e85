"""Shared helpers for the sandbox tests: candidate sources, standard tasks, process checks."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from gamecwm.protocol import load_module_from_source
from gamecwm.sandbox import Limits, Task
from gamecwm.sandbox.testing import playout, probe

REFERENCE_PATH = Path(__file__).resolve().parents[2] / "src" / "gamecwm" / "games" / "tic_tac_toe" / "reference.py"
REFERENCE = REFERENCE_PATH.read_text().replace("from __future__ import annotations\n", "")
CHOICES = [0.37, 0.81, 0.05, 0.66, 0.29, 0.93, 0.12, 0.58, 0.44, 0.71, 0.2]
FAST = Limits(wall_s=5.0, cpu_s=5.0, memory_mb=256, output_bytes=256 * 1024, import_s=3.0)

# Wrap the reference's get_legal_actions so that an attack (a function named _attack defined by the
# candidate) runs inside a task, after which the game behaves correctly.
ATTACK_IN_GAME = """
_reference_legal = get_legal_actions
def get_legal_actions(state):
    _attack()
    return _reference_legal(state)
"""


def standard_tasks() -> list[Task]:
    """probe, then one playout of tic-tac-toe."""
    return [
        Task("gamecwm.sandbox.testing:probe", {}),
        Task("gamecwm.sandbox.testing:playout", {"choices": CHOICES, "max_steps": 50}),
    ]


def expected_values() -> list[object]:
    """The standard tasks' values computed in-process on the reference."""
    module = load_module_from_source(REFERENCE)
    return [probe(module), playout(module, choices=CHOICES, max_steps=50)]


def hostile(attack: str, in_game: bool = False) -> str:
    """A candidate: attack code at import time (or inside get_legal_actions), then the correct game."""
    if in_game:
        return attack + "\n" + REFERENCE + ATTACK_IN_GAME
    return attack + "\n" + REFERENCE


def marker() -> str:
    """A unique process name (15 characters at most, the kernel's limit for comm)."""
    return "gcwm" + secrets.token_hex(5)


def processes_matching(text: str) -> list[int]:
    """Pids of processes whose name or command line contains text."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            comm = Path(f"/proc/{entry}/comm").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in comm or text in cmdline:
            found.append(int(entry))
    return found


def wait_until(predicate, timeout: float = 5.0, interval: float = 0.01) -> bool:
    """Poll predicate until it is true or the deadline passes; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
