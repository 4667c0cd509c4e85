"""breakthrough: game-specific checks and a cross-check against OpenSpiel's breakthrough.

OpenSpiel's breakthrough (rows=8, columns=8) differs from our spec in two ways, so the shared
`crosscheck_playouts` (which compares full legal sets) does not apply and the lockstep below compares
only what is the same:
- OpenSpiel's player 0 is Black (`b`), starts on its ranks 7-8 and moves toward rank 1; ours is White,
  starting on ranks 1-2 and moving toward rank 8. Mirroring the ranks (rank r <-> 9 - r) maps one onto
  the other with the same player ids; OpenSpiel writes `a7a6` and `a2b3*` (capture) for our `a2-a3`
  and `a7xb6`.
- OpenSpiel's captures are optional: its legal list holds captures next to quiet moves. Ours must
  equal OpenSpiel's captures when there are any, else all of OpenSpiel's moves.
Both end the game when a piece reaches the far rank or the opponent has no piece left (in our rules:
no legal move; a player with pieces always has one, because a blocked piece needs a friendly piece
diagonally ahead of it, which needs another further ahead, down to the far rank). Returns are +1/-1.
"""

import copy
import random

import pyspiel
import pytest

from gamecwm.games import load_reference
from gamecwm.games.runtime import replay

ref = load_reference("breakthrough")


def _mirror(square: str) -> str:
    return f"{square[0]}{9 - int(square[1])}"


def _translate(os_state: pyspiel.State, action: int) -> str:
    text = os_state.action_to_string(action)
    separator = "x" if text.endswith("*") else "-"
    return f"{_mirror(text[0:2])}{separator}{_mirror(text[2:4])}"


def _board_from_openspiel(os_state: pyspiel.State) -> list[list[int]]:
    cells = {".": -1, "b": 0, "w": 1}
    lines = str(os_state).split("\n")[:8]  # rank 8 first, which is our rank 1 after mirroring
    return [[cells[ch] for ch in line[1:9]] for line in lines]


def _empty_state(player: int, pieces: dict[str, int]) -> dict:
    board = [[-1] * 8 for _ in range(8)]
    for square, owner in pieces.items():
        board[int(square[1]) - 1]["abcdefgh".index(square[0])] = owner
    return {"board": board, "current_player": player, "terminal": False, "winner": None}


def test_breakthrough_agrees_with_openspiel() -> None:
    game = pyspiel.load_game("breakthrough", {"rows": 8, "columns": 8})
    rng = random.Random(11)
    steps = 0
    for _ in range(60):
        state, os_state = ref.get_initial_state(), game.new_initial_state()
        history: list[str] = []
        while True:
            assert ref.get_observations(state)[0]["board"] == _board_from_openspiel(os_state), history
            if os_state.is_terminal():
                assert ref.get_current_player(state) == -4, history
                assert ref.get_rewards(state) == list(os_state.returns()), history
                break
            assert ref.get_current_player(state) == os_state.current_player(), history
            os_ids = {_translate(os_state, a): a for a in os_state.legal_actions()}
            captures = {a for a in os_ids if "x" in a}
            ours = ref.get_legal_actions(state)
            assert ours == sorted(ours)
            assert set(ours) == (captures or set(os_ids)), history
            action = rng.choice(ours)
            state = ref.apply_action(state, action)
            os_state.apply_action(os_ids[action])
            history.append(action)
            steps += 1
    assert steps > 60 * 40


def test_initial_board_and_observation() -> None:
    observations = ref.get_observations(ref.get_initial_state())
    assert observations[0] == observations[1]
    observation = observations[0]
    assert set(observation) == {"board", "current_player", "terminal"}
    assert observation["board"][0] == [0] * 8 and observation["board"][1] == [0] * 8
    assert observation["board"][6] == [1] * 8 and observation["board"][7] == [1] * 8
    assert all(cell == -1 for row in observation["board"][2:6] for cell in row)
    assert observation["current_player"] == 0 and observation["terminal"] is False


def test_observation_after_a_capture_and_at_the_end() -> None:
    state = replay(ref, ["d2-d3", "e7-e6", "d3-d4", "e6-e5", "d4xe5"])
    board = ref.get_observations(state)[1]["board"]
    assert board[4][4] == 0  # e5 now holds the White capturer
    assert board[3][3] == -1 and board[1][3] == -1 and board[6][4] == -1
    assert sum(cell == 1 for row in board for cell in row) == 15
    state = replay(ref, "c2-d3 f7-f6 d3-e4 d7-c6 e4-f5 h7-h6 f5-g6 g8-h7 g6xh7 f6-f5 h7-g8".split())
    observation = ref.get_observations(state)[0]
    assert observation["current_player"] == -4 and observation["terminal"] is True
    assert observation["board"][7][6] == 0


def test_capture_onto_the_far_rank_wins() -> None:
    """Unreachable in play (a piece on its seventh rank next to an enemy is always recaptured first),
    but the rule holds: a capture that lands on the far rank ends the game."""
    state = _empty_state(0, {"g7": 0, "h8": 1, "a8": 1, "a2": 0})
    assert ref.get_legal_actions(state) == ["g7xh8"]
    after = ref.apply_action(state, "g7xh8")
    assert ref.get_current_player(after) == -4 and ref.get_rewards(after) == [1.0, -1.0]
    state = _empty_state(1, {"c2": 1, "b1": 0, "h1": 0, "h7": 1})
    assert ref.get_legal_actions(state) == ["c2xb1"]
    after = ref.apply_action(state, "c2xb1")
    assert ref.get_current_player(after) == -4 and ref.get_rewards(after) == [-1.0, 1.0]


def test_several_captures_are_all_listed_sorted() -> None:
    state = _empty_state(0, {"d4": 0, "f4": 0, "e5": 1, "a7": 1})
    assert ref.get_legal_actions(state) == ["d4xe5", "f4xe5"]
    after = ref.apply_action(state, "f4xe5")
    assert ref.get_legal_actions(after) == ["a7-a6", "a7-b6"]


def test_apply_action_does_not_mutate_shared_rows() -> None:
    state = replay(ref, ["d2-d3", "e7-e6", "d3-d4", "e6-e5"])
    snapshot = copy.deepcopy(state)
    after = ref.apply_action(state, "d4xe5")
    ref.apply_action(after, "d7-d6")
    assert state == snapshot


def test_observations_are_independent_copies() -> None:
    state = ref.get_initial_state()
    observations = ref.get_observations(state)
    observations[0]["board"][0][0] = -1
    assert ref.get_observations(state)[0]["board"][0][0] == 0
    assert observations[1]["board"][0][0] == 0


@pytest.mark.parametrize("player, name", [(0, "White"), (1, "Black"), (-4, "Unknown"), (7, "Unknown")])
def test_player_names(player: int, name: str) -> None:
    assert ref.get_player_name(player) == name


@pytest.mark.parametrize("bad", ["a2-a3x", "a2xa3", "a2-a3 ", None, 5, "", "a2"])
def test_malformed_actions_raise_value_error(bad: object) -> None:
    with pytest.raises(ValueError):
        ref.apply_action(ref.get_initial_state(), bad)
