"""gen_chess (Gardner 5x5 minichess with double steps and en passant): state details and a
differential check against an independent, deliberately naive rules model written here.

OpenSpiel 2.0.2 has no 5x5 chess variant (its `chess` is 8x8 only), so there is no OpenSpiel
cross-check for this game. The naive model below keeps the board as a dict, generates moves without
any tables and decides legality by asking whether any opponent move could capture the king; it is
compared with the reference over random games (legal sets, terminal status, rewards) and it replays
every scenario to check the scenario expectations independently of the reference.
"""

from __future__ import annotations

import copy
import random

import pytest

from gamecwm.games import load_reference, load_scenarios
from gamecwm.games.scenarios import expectations_by_step

gen_chess = load_reference("gen_chess")

N = 5
FILES = "abcde"
KNIGHT = [(1, 2), (2, 1), (-1, 2), (-2, 1), (1, -2), (2, -1), (-1, -2), (-2, -1)]
KING = [(dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1) if (dr, dc) != (0, 0)]
LINES = {"R": [(0, 1), (0, -1), (1, 0), (-1, 0)], "B": [(1, 1), (1, -1), (-1, 1), (-1, -1)]}
LINES["Q"] = LINES["R"] + LINES["B"]


def _name(r: int, c: int) -> str:
    return f"{FILES[c]}{r + 1}"


def _color(piece: str) -> int:
    return 0 if piece.isupper() else 1


class Naive:
    """A slow, table-free model of the spec: board {(row, col): piece}, player, ep square, clock."""

    def __init__(self) -> None:
        self.board = {}
        for c, piece in enumerate("RNBQK"):
            self.board[(0, c)] = piece
            self.board[(1, c)] = "P"
            self.board[(3, c)] = "p"
            self.board[(4, c)] = piece.lower()
        self.player, self.ep, self.clock, self.result = 0, None, 0, None

    def _moves(self, board: dict, player: int, ep) -> list[tuple[str, dict, object, bool]]:
        """Pseudo-legal moves: (action, new board, new ep square, resets clock)."""
        out = []
        inside = lambda r, c: 0 <= r < N and 0 <= c < N  # noqa: E731
        for (r, c), piece in list(board.items()):
            if _color(piece) != player:
                continue
            kind = piece.upper()

            def add(tr: int, tc: int, promo: str = "", new_ep=None, taken=None) -> None:
                nb = dict(board)
                del nb[(r, c)]
                capture = (tr, tc) in board or taken is not None
                if taken is not None:
                    del nb[taken]
                new_piece = promo if promo else kind
                nb[(tr, tc)] = new_piece if player == 0 else new_piece.lower()
                text = f"{kind}_{_name(r, c)}_{_name(tr, tc)}" + (f"_{promo}" if promo else "")
                out.append((text, nb, new_ep, kind == "P" or capture))

            if kind == "P":
                d = 1 if player == 0 else -1
                last = N - 1 if player == 0 else 0
                start = 1 if player == 0 else N - 2
                targets = []
                if inside(r + d, c) and (r + d, c) not in board:
                    targets.append((r + d, c, None))
                    if r == start and inside(r + 2 * d, c) and (r + 2 * d, c) not in board:
                        add(r + 2 * d, c, new_ep=(r + d, c))
                for dc in (-1, 1):
                    tr, tc = r + d, c + dc
                    if not inside(tr, tc):
                        continue
                    if (tr, tc) in board and _color(board[(tr, tc)]) != player:
                        targets.append((tr, tc, None))
                    elif ep == (tr, tc):
                        targets.append((tr, tc, (r, tc)))
                for tr, tc, taken in targets:
                    if tr == last:
                        for promo in "QRBN":
                            add(tr, tc, promo)
                    else:
                        add(tr, tc, taken=taken)
            elif kind in "NK":
                for dr, dc in KNIGHT if kind == "N" else KING:
                    tr, tc = r + dr, c + dc
                    if inside(tr, tc) and ((tr, tc) not in board or _color(board[(tr, tc)]) != player):
                        add(tr, tc)
            else:
                for dr, dc in LINES[kind]:
                    tr, tc = r + dr, c + dc
                    while inside(tr, tc):
                        if (tr, tc) in board:
                            if _color(board[(tr, tc)]) != player:
                                add(tr, tc)
                            break
                        add(tr, tc)
                        tr, tc = tr + dr, tc + dc
        return out

    def _in_check(self, board: dict, player: int) -> bool:
        letter = "K" if player == 0 else "k"
        king = next(sq for sq, p in board.items() if p == letter)
        return any(nb.get(king) != letter for _, nb, _, _ in self._moves(board, 1 - player, None))

    def legal(self) -> dict[str, tuple]:
        if self.result is not None:
            return {}
        return {m[0]: m for m in self._moves(self.board, self.player, self.ep) if not self._in_check(m[1], self.player)}

    def play(self, action: str) -> None:
        _, self.board, self.ep, resets = self.legal()[action]
        self.clock = 0 if resets else self.clock + 1
        self.player = 1 - self.player
        pieces = sorted(p for p in self.board.values())
        if not self.legal():
            self.result = [-1.0, 1.0] if self.player == 0 else [1.0, -1.0]
            if not self._in_check(self.board, self.player):
                self.result = [0.0, 0.0]
        elif self.clock >= 100:
            self.result = [0.0, 0.0]
        elif len(pieces) == 2 or (len(pieces) == 3 and any(p in "BNbn" for p in pieces)):
            self.result = [0.0, 0.0]

    def current_player(self) -> int:
        return -4 if self.result is not None else self.player

    def rewards(self) -> list[float]:
        return self.result if self.result is not None else [0.0, 0.0]


@pytest.mark.slow
def test_agrees_with_a_naive_model_over_random_games() -> None:
    rng = random.Random(7)
    endings = set()
    for _ in range(30):
        state, naive = gen_chess.get_initial_state(), Naive()
        history: list[str] = []
        while True:
            assert gen_chess.get_current_player(state) == naive.current_player(), history
            assert gen_chess.get_rewards(state) == naive.rewards(), history
            legal = gen_chess.get_legal_actions(state)
            assert sorted(legal) == sorted(naive.legal()), history
            assert gen_chess.get_observations(state)[0]["halfmove_clock"] == naive.clock, history
            if not legal:
                endings.add(tuple(naive.rewards()))
                break
            action = rng.choice(legal)
            state = gen_chess.apply_action(state, action)
            naive.play(action)
            history.append(action)
    assert len(endings) == 3  # white wins, black wins and draws all occurred


@pytest.mark.parametrize("scenario", load_scenarios("gen_chess"), ids=lambda s: s["name"])
def test_scenarios_hold_in_the_naive_model(scenario: dict) -> None:
    naive = Naive()
    checks = expectations_by_step(scenario)
    for step in range(len(scenario["actions"]) + 1):
        expect = checks.get(step, {})
        legal = set(naive.legal())
        if "current_player" in expect:
            assert naive.current_player() == expect["current_player"], step
        if "terminal" in expect:
            assert (naive.current_player() == -4) == expect["terminal"], step
        if "rewards" in expect:
            assert naive.rewards() == expect["rewards"], step
        if "legal_actions" in expect:
            assert legal == set(expect["legal_actions"]), step
        assert set(expect.get("legal_includes", [])) <= legal, step
        assert not set(expect.get("legal_excludes", [])) & legal, step
        assert not set(expect.get("rejects", [])) & legal, step
        if step < len(scenario["actions"]):
            naive.play(scenario["actions"][step])


def test_initial_state_order_and_observation() -> None:
    state = gen_chess.get_initial_state()
    assert gen_chess.get_legal_actions(state) == [
        "N_b1_a3", "N_b1_c3", "P_a2_a3", "P_b2_b3", "P_c2_c3", "P_d2_d3", "P_e2_e3",
    ]  # fmt: skip
    obs = gen_chess.get_observations(state)
    assert obs[0] == obs[1] == {
        "board": [
            ["R", "N", "B", "Q", "K"],
            ["P"] * 5,
            [""] * 5,
            ["p"] * 5,
            ["r", "n", "b", "q", "k"],
        ],
        "current_player": 0,
        "en_passant": None,
        "halfmove_clock": 0,
    }
    assert [gen_chess.get_player_name(p) for p in (0, 1, -4)] == ["Player 0 (White)", "Player 1 (Black)", "Terminal"]


def test_double_step_sets_the_target_and_moves_copy() -> None:
    state = gen_chess.get_initial_state()
    for action in ["P_b2_b3", "P_c4_b3"]:
        state = gen_chess.apply_action(state, action)
    before = copy.deepcopy(state)
    after = gen_chess.apply_action(state, "P_c2_c4")
    assert state == before
    obs = gen_chess.get_observations(after)[1]
    assert obs["en_passant"] == (2, 2) and obs["current_player"] == 1 and obs["halfmove_clock"] == 0
    # Black takes en passant: the c4 pawn disappears and the black pawn lands on c3.
    after = gen_chess.apply_action(after, "P_d4_c3")
    board = gen_chess.get_observations(after)[0]["board"]
    assert board[3][2] == "" and board[2][2] == "p" and board[3][3] == ""
    assert gen_chess.get_observations(after)[0]["en_passant"] is None
    # A quiet knight move raises the clock, a knight capture resets it.
    after = gen_chess.apply_action(after, "P_a2_b3")
    after = gen_chess.apply_action(after, "N_b5_a3")
    assert gen_chess.get_observations(after)[0]["halfmove_clock"] == 1
    after = gen_chess.apply_action(after, "N_b1_c3")
    assert after["halfmove_clock"] == 0
    after = gen_chess.apply_action(after, "N_a3_b5")
    assert after["halfmove_clock"] == 1


def test_terminal_state_refuses_moves() -> None:
    state = gen_chess.get_initial_state()
    for action in ["N_b1_a3", "P_e4_e3", "N_a3_c4", "K_e5_e4", "P_d2_d3"]:
        state = gen_chess.apply_action(state, action)
    assert gen_chess.get_observations(state)[0]["current_player"] == -4
    assert gen_chess.get_legal_actions(state) == []
    with pytest.raises(ValueError):
        gen_chess.apply_action(state, "K_e4_d3")
