"""Brute-force helpers for full-support tests of resample_history on small games."""

from __future__ import annotations

from types import ModuleType

from gamecwm.games.information import PlayerView, view_mismatch


def consistent_histories(module: ModuleType, view: PlayerView, player: int,
                         max_length: int | None = None) -> set[tuple[str, ...]]:
    """Every history (up to `max_length` actions) that fits the view and stops at the player's last turn.

    A depth-first walk over the whole game tree: only for games small enough to enumerate.
    """
    pending = view[-1][1] is None
    found = set()
    stack: list[tuple[list[str], dict, int | None]] = [([], module.get_initial_state(), None)]
    while stack:
        history, state, last_mover = stack.pop()
        mover = module.get_current_player(state)
        stops_here = mover == player if pending else last_mover == player
        if stops_here and view_mismatch(module, history, player, view) is None:
            found.add(tuple(history))
        if max_length is None or len(history) < max_length:
            for action in module.get_legal_actions(state):
                stack.append((history + [action], module.apply_action(state, action), mover))
    return found


def sample_until(module: ModuleType, view: PlayerView, player: int, expected: set, tries: int = 400) -> set:
    """Resample up to `tries` times, stopping once every expected history has come out."""
    seen: set[tuple[str, ...]] = set()
    for _ in range(tries):
        seen.add(tuple(module.resample_history(view, player)))
        if seen >= expected:
            break
    return seen
