"""The tree of program versions for one sample, and which versions to refine next.

Selection is best first with an exploration term (an upper confidence bound): a version's priority is
its verifier score plus `exploration * sqrt(ln(1 + expansions) / (1 + children))`, where `expansions`
counts every refinement asked for in the tree so far. A version refined many times without a better
child loses its bonus, so one bad branch does not trap the search. Versions without a score (the
harness failed) and passing versions are never refined.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class Version:
    """One program version: its number in the tree, its parent's number and its verdict."""

    number: int
    parent: int | None
    score: float | None
    passed: bool
    children: int = 0


class VersionTree:
    """The versions of one sample's program, version 0 being the sample itself."""

    def __init__(self) -> None:
        self.versions: list[Version] = []

    def add(self, parent: int | None, score: float | None, passed: bool) -> Version:
        """Record a new version (its number is the next free one) as a child of `parent`."""
        if (parent is None) != (not self.versions):
            raise ValueError("the first version is the root (parent None); every later one needs a parent")
        if parent is not None:
            self.versions[parent].children += 1
        version = Version(len(self.versions), parent, score, passed)
        self.versions.append(version)
        return version

    @property
    def solved(self) -> bool:
        """True when some version passed every check."""
        return any(v.passed for v in self.versions)

    def best(self) -> Version | None:
        """The highest-scoring version (the earliest on ties); None while no version has a score."""
        scored = [v for v in self.versions if v.score is not None]
        return max(scored, key=lambda v: (v.passed, v.score, -v.number)) if scored else None

    def priority(self, version: Version, expansions: int, exploration: float) -> float:
        """Best first, plus the exploration bonus."""
        bonus = exploration * math.sqrt(math.log(1 + expansions) / (1 + version.children))
        return (version.score or 0.0) + bonus

    def select(self, count: int, exploration: float = 0.1) -> list[int]:
        """The versions to refine next, one entry per refinement (a version may be chosen more than once).

        Each choice counts as a child of the chosen version before the next is made, so a width above one
        spreads over versions when their priorities are close.
        """
        candidates = [v for v in self.versions if v.score is not None and not v.passed]
        if not candidates:
            return []
        planned = {v.number: 0 for v in candidates}
        expansions = len(self.versions) - 1
        chosen = []
        for _ in range(count):
            pending = [Version(v.number, v.parent, v.score, v.passed, v.children + planned[v.number])
                       for v in candidates]
            choice = max(pending, key=lambda v: (self.priority(v, expansions, exploration), -v.number))
            planned[choice.number] += 1
            expansions += 1
            chosen.append(choice.number)
        return chosen
