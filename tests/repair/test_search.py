"""The version tree: best first, with an exploration term that keeps one bad branch from trapping the search."""

from __future__ import annotations

import pytest

from gamecwm.repair.search import VersionTree


def _tree(*versions: tuple[int | None, float | None, bool]) -> VersionTree:
    tree = VersionTree()
    for parent, score, passed in versions:
        tree.add(parent, score, passed)
    return tree


def test_the_root_takes_every_slot_of_the_first_round() -> None:
    assert _tree((None, 0.4, False)).select(3) == [0, 0, 0]


def test_best_first() -> None:
    tree = _tree((None, 0.3, False), (0, 0.8, False), (0, 0.5, False))
    assert tree.select(1) == [1]
    assert tree.best().number == 1


def test_a_branch_refined_without_progress_gives_way() -> None:
    tree = _tree((None, 0.3, False), (0, 0.8, False), (0, 0.75, False))
    for _ in range(8):
        tree.add(1, 0.1, False)  # version 1 was refined eight times, each child worse
    assert tree.select(1, exploration=0.0) == [1]  # pure best-first stays trapped
    assert tree.select(1, exploration=0.1) == [2]


def test_passing_and_unscored_versions_are_never_refined() -> None:
    tree = _tree((None, None, False))
    assert tree.select(2) == []
    tree = _tree((None, 0.2, False), (0, 1.0, True), (0, None, False))
    assert tree.solved and tree.select(2) == [0, 0]
    assert tree.best().number == 1


def test_every_version_but_the_root_needs_a_parent() -> None:
    tree = VersionTree()
    with pytest.raises(ValueError):
        tree.add(0, 0.5, False)
    tree.add(None, 0.5, False)
    with pytest.raises(ValueError):
        tree.add(None, 0.5, False)
