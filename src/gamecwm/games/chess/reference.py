"""Chess: the reference GameCWM.

Standard chess on an 8x8 board. Player 0 is White (upper-case pieces `KQRBNP`), player 1 is Black
(lower-case `kqrbnp`). Row 0 is rank 1 and column 0 is file a. Actions are `<P>_<from>_<to>` with the
upper-case piece type (`P_e2_e4`, `N_g8_f6`), `P_<from>_<to>_<X>` for a promotion (`P_e7_e8_Q`), and
`O-O` / `O-O-O` for castling. The game ends by checkmate, stalemate, the 50-move rule (a half-move
clock of 100 plies) or insufficient material (K v K, K+B v K, K+N v K); there is no repetition rule.

State: `board` (8 rows of 8 strings, row 0 = rank 1, each "" or a piece letter), `current_player` (0, 1,
or -4 once the game is over), `castling_rights` (a string holding those of `KQkq` still available), `en_passant` ([row, col] of the square a pawn just skipped, or
None), `halfmove_clock` (plies since the last pawn move or capture), `status` ("ongoing", "checkmate",
"stalemate", "fifty_moves" or "insufficient_material") and `winner` (0, 1 or None).

The state keeps the board as 8 lists of 8 strings; move generation works on a flat 64-square copy
(index = row * 8 + col) with precomputed knight, king, ray and pawn-attack tables. A move is legal
when, played on the flat board, it does not leave the mover's king attacked.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

State = dict[str, Any]

TERMINAL = -4
SIZE = 8
SQUARES = SIZE * SIZE
PLAYER_NAMES = {0: "Player 0 (White)", 1: "Player 1 (Black)"}
WHITE_PIECES = frozenset("KQRBNP")
BLACK_PIECES = frozenset("kqrbnp")
PROMOTIONS = ("Q", "R", "B", "N")
FIFTY_MOVE_PLIES = 100
INITIAL_BACK_RANK = ("R", "N", "B", "Q", "K", "B", "N", "R")

SQUARE_NAMES = [f"{'abcdefgh'[sq % SIZE]}{sq // SIZE + 1}" for sq in range(SQUARES)]

# Castling: for each side, (flag letter in the rights string, king from, king to, rook from, rook to,
# squares that must be empty, squares the king crosses or lands on, action string).
E1, E8 = 4, 60
CASTLES = (
    (("K", E1, 6, 7, 5, (5, 6), (5, 6), "O-O"), ("Q", E1, 2, 0, 3, (1, 2, 3), (3, 2), "O-O-O")),
    (("k", E8, 62, 63, 61, (61, 62), (61, 62), "O-O"), ("q", E8, 58, 56, 59, (57, 58, 59), (59, 58), "O-O-O")),
)
# A move starting from or landing on one of these corners drops the named right.
CORNER_RIGHTS = {0: "Q", 7: "K", 56: "q", 63: "k"}
KING_RIGHTS = ("KQ", "kq")


def _offset_targets(offsets: tuple[tuple[int, int], ...]) -> list[list[int]]:
    """For each square, the squares one of the given (row, col) offsets away."""
    table = []
    for sq in range(SQUARES):
        row, col = divmod(sq, SIZE)
        table.append(
            [(row + dr) * SIZE + col + dc for dr, dc in offsets if 0 <= row + dr < SIZE and 0 <= col + dc < SIZE]
        )
    return table


def _rays(directions: tuple[tuple[int, int], ...]) -> list[list[list[int]]]:
    """For each square, the list of squares along each direction up to the edge."""
    table = []
    for sq in range(SQUARES):
        row, col = divmod(sq, SIZE)
        rays = []
        for dr, dc in directions:
            ray, r, c = [], row + dr, col + dc
            while 0 <= r < SIZE and 0 <= c < SIZE:
                ray.append(r * SIZE + c)
                r, c = r + dr, c + dc
            if ray:
                rays.append(ray)
        table.append(rays)
    return table


KNIGHT_OFFSETS = ((-2, -1), (-2, 1), (-1, -2), (-1, 2), (1, -2), (1, 2), (2, -1), (2, 1))
KING_OFFSETS = tuple((dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1) if dr or dc)
ROOK_DIRECTIONS = ((0, 1), (0, -1), (1, 0), (-1, 0))
BISHOP_DIRECTIONS = ((1, 1), (1, -1), (-1, 1), (-1, -1))

KNIGHT_TARGETS = _offset_targets(KNIGHT_OFFSETS)
KING_TARGETS = _offset_targets(KING_OFFSETS)
ROOK_RAYS = _rays(ROOK_DIRECTIONS)
BISHOP_RAYS = _rays(BISHOP_DIRECTIONS)
QUEEN_RAYS = [ROOK_RAYS[sq] + BISHOP_RAYS[sq] for sq in range(SQUARES)]
# Squares holding a pawn of that colour that attacks the given square (White pawns attack upwards).
PAWN_ATTACKERS = (_offset_targets(((-1, -1), (-1, 1))), _offset_targets(((1, -1), (1, 1))))

# Per colour: own pieces, enemy pieces, piece letters (K, Q, R, B, N, P), pawn step, pawn start row,
# promotion row.
SIDES = (
    (WHITE_PIECES, BLACK_PIECES, "KQRBNP", SIZE, 1, SIZE - 1),
    (BLACK_PIECES, WHITE_PIECES, "kqrbnp", -SIZE, SIZE - 2, 0),
)

# Move kinds inside the generator's tuples.
NORMAL, DOUBLE_STEP, EN_PASSANT, CASTLE = 0, 1, 2, 3

Move = tuple[str, int, int, str, int]  # (action, from, to, promotion piece or "", kind)


def get_initial_state() -> State:
    """The standard starting position, White to move, all castling rights, no en passant, clock 0."""
    board = [["" for _ in range(SIZE)] for _ in range(SIZE)]
    for col, piece in enumerate(INITIAL_BACK_RANK):
        board[0][col] = piece
        board[1][col] = "P"
        board[6][col] = "p"
        board[7][col] = piece.lower()
    return {
        "board": board,
        "current_player": 0,
        "castling_rights": "KQkq",
        "en_passant": None,
        "halfmove_clock": 0,
        "status": "ongoing",
        "winner": None,
    }


def get_current_player(state: State) -> int:
    """0 (White) or 1 (Black) while the game runs, -4 once it is over."""
    return state["current_player"]


def get_player_name(player_id: int) -> str:
    """`Player 0 (White)`, `Player 1 (Black)`, or `Terminal` for any other id."""
    return PLAYER_NAMES.get(player_id, "Terminal")


def get_legal_actions(state: State) -> list[str]:
    """The mover's legal moves in generation order (squares a1..h8, castling last); [] at the end."""
    if state["status"] != "ongoing":
        return []
    return [move[0] for move in _legal_moves(state)]


def apply_action(state: State, action: str) -> State:
    """Play one legal move and settle the game's status; raises ValueError for anything not legal."""
    if state["status"] != "ongoing":
        raise ValueError(f"illegal action {action!r}: the game is over")
    for move in _legal_moves(state):
        if move[0] == action:
            break
    else:
        raise ValueError(f"illegal action {action!r}")
    _, frm, to, promotion, kind = move
    player = state["current_player"]
    board = _flatten(state["board"])
    piece = board[frm]
    captured = board[to]
    board[frm] = ""
    board[to] = (promotion if player == 0 else promotion.lower()) if promotion else piece
    if kind == EN_PASSANT:
        # The passed pawn stands beside the capturing pawn: same row as `frm`, column of `to`.
        captured = board[frm - frm % SIZE + to % SIZE]
        board[frm - frm % SIZE + to % SIZE] = ""
    elif kind == CASTLE:
        _, _, _, rook_from, rook_to, _, _, _ = next(c for c in CASTLES[player] if c[2] == to)
        board[rook_to] = board[rook_from]
        board[rook_from] = ""

    rights = state["castling_rights"]
    if rights:
        if piece in "Kk":
            for flag in KING_RIGHTS[player]:
                rights = rights.replace(flag, "")
        for square in (frm, to):
            flag = CORNER_RIGHTS.get(square)
            if flag:
                rights = rights.replace(flag, "")
    is_pawn = piece in "Pp"
    clock = 0 if is_pawn or captured else state["halfmove_clock"] + 1
    en_passant = [(frm + to) // 2 // SIZE, to % SIZE] if kind == DOUBLE_STEP else None
    opponent = 1 - player

    status, winner = "ongoing", None
    if not _has_legal_move(board, opponent, rights, en_passant):
        if _is_attacked(board, board.index(SIDES[opponent][2][0]), player):
            status, winner = "checkmate", player
        else:
            status = "stalemate"
    elif clock >= FIFTY_MOVE_PLIES:
        status = "fifty_moves"
    elif _insufficient_material(board):
        status = "insufficient_material"
    return {
        "board": [board[row * SIZE : row * SIZE + SIZE] for row in range(SIZE)],
        "current_player": opponent if status == "ongoing" else TERMINAL,
        "castling_rights": rights,
        "en_passant": en_passant,
        "halfmove_clock": clock,
        "status": status,
        "winner": winner,
    }


def get_rewards(state: State) -> list[float]:
    """+1/-1 to the side that delivered checkmate; 0/0 for draws and running games."""
    if state["winner"] == 0:
        return [1.0, -1.0]
    if state["winner"] == 1:
        return [-1.0, 1.0]
    return [0.0, 0.0]


def get_observations(state: State) -> list[dict[str, Any]]:
    """Both players see the same thing: board, player to move, castling rights, en passant, clock."""
    return [_observation(state), _observation(state)]


def _observation(state: State) -> dict[str, Any]:
    """The public view of the position, shared by both players."""
    rights = state["castling_rights"]
    en_passant = state["en_passant"]
    return {
        "board": [list(row) for row in state["board"]],
        "current_player": get_current_player(state),
        "castling_rights": {
            0: {"kingside": "K" in rights, "queenside": "Q" in rights},
            1: {"kingside": "k" in rights, "queenside": "q" in rights},
        },
        "en_passant": None if en_passant is None else (en_passant[0], en_passant[1]),
        "halfmove_clock": state["halfmove_clock"],
    }


def _flatten(board: list[list[str]]) -> list[str]:
    """The board as one list of 64 squares, a1 first."""
    flat: list[str] = []
    for row in board:
        flat.extend(row)
    return flat


def _en_passant_square(en_passant: list[int] | None) -> int:
    """The en passant target as a flat square index, -1 when there is none."""
    return -1 if en_passant is None else en_passant[0] * SIZE + en_passant[1]


def _legal_moves(state: State) -> list[Move]:
    """Every legal move of the side to move, castling included."""
    board = _flatten(state["board"])
    player = state["current_player"]
    ep_square = _en_passant_square(state["en_passant"])
    moves = [m for m in _pseudo_legal_moves(board, player, ep_square) if _keeps_king_safe(board, player, m)]
    moves.extend(_castling_moves(board, player, state["castling_rights"]))
    return moves


def _has_legal_move(board: list[str], player: int, rights: str, en_passant: list[int] | None) -> bool:
    """Whether `player` has at least one legal move."""
    ep_square = _en_passant_square(en_passant)
    for move in _pseudo_legal_moves(board, player, ep_square):
        if _keeps_king_safe(board, player, move):
            return True
    return bool(_castling_moves(board, player, rights))


def _pseudo_legal_moves(board: list[str], player: int, ep_square: int) -> Iterator[Move]:
    """Yield every move by the rules of movement alone (no castling), in the reference order."""
    own, enemy, letters, step, start_row, promotion_row = SIDES[player]
    king, _, rook, bishop, knight, pawn = letters
    for frm in range(SQUARES):
        piece = board[frm]
        if piece not in own:
            continue
        if piece == pawn:
            name = SQUARE_NAMES[frm]
            col = frm % SIZE
            one = frm + step
            if board[one] == "":
                if one // SIZE == promotion_row:
                    for promo in PROMOTIONS:
                        yield (f"P_{name}_{SQUARE_NAMES[one]}_{promo}", frm, one, promo, NORMAL)
                else:
                    yield (f"P_{name}_{SQUARE_NAMES[one]}", frm, one, "", NORMAL)
                    two = one + step
                    if frm // SIZE == start_row and board[two] == "":
                        yield (f"P_{name}_{SQUARE_NAMES[two]}", frm, two, "", DOUBLE_STEP)
            for dc in (-1, 1):
                if not 0 <= col + dc < SIZE:
                    continue
                to = one + dc
                if board[to] in enemy:
                    if to // SIZE == promotion_row:
                        for promo in PROMOTIONS:
                            yield (f"P_{name}_{SQUARE_NAMES[to]}_{promo}", frm, to, promo, NORMAL)
                    else:
                        yield (f"P_{name}_{SQUARE_NAMES[to]}", frm, to, "", NORMAL)
                elif to == ep_square:
                    yield (f"P_{name}_{SQUARE_NAMES[to]}", frm, to, "", EN_PASSANT)
        elif piece == knight or piece == king:
            prefix = f"{'N' if piece == knight else 'K'}_{SQUARE_NAMES[frm]}_"
            for to in (KNIGHT_TARGETS if piece == knight else KING_TARGETS)[frm]:
                if board[to] not in own:
                    yield (prefix + SQUARE_NAMES[to], frm, to, "", NORMAL)
        else:
            if piece == rook:
                prefix, rays = f"R_{SQUARE_NAMES[frm]}_", ROOK_RAYS[frm]
            elif piece == bishop:
                prefix, rays = f"B_{SQUARE_NAMES[frm]}_", BISHOP_RAYS[frm]
            else:
                prefix, rays = f"Q_{SQUARE_NAMES[frm]}_", QUEEN_RAYS[frm]
            for ray in rays:
                for to in ray:
                    target = board[to]
                    if target == "":
                        yield (prefix + SQUARE_NAMES[to], frm, to, "", NORMAL)
                    else:
                        if target in enemy:
                            yield (prefix + SQUARE_NAMES[to], frm, to, "", NORMAL)
                        break


def _keeps_king_safe(board: list[str], player: int, move: Move) -> bool:
    """Play the move on the board in place, test the mover's king, and undo it."""
    _, frm, to, _, kind = move
    piece = board[frm]
    captured = board[to]
    board[to] = piece
    board[frm] = ""
    if kind == EN_PASSANT:
        passed = frm - frm % SIZE + to % SIZE
        passed_pawn = board[passed]
        board[passed] = ""
    king_square = to if piece in "Kk" else board.index(SIDES[player][2][0])
    safe = not _is_attacked(board, king_square, 1 - player)
    board[frm] = piece
    board[to] = captured
    if kind == EN_PASSANT:
        board[passed] = passed_pawn
    return safe


def _castling_moves(board: list[str], player: int, rights: str) -> list[Move]:
    """The castling moves `player` may make now."""
    moves = []
    for flag, king_from, king_to, _, _, empty, crossed, action in CASTLES[player]:
        if flag not in rights:
            continue
        if any(board[sq] for sq in empty):
            continue
        opponent = 1 - player
        if _is_attacked(board, king_from, opponent) or any(_is_attacked(board, sq, opponent) for sq in crossed):
            continue
        moves.append((action, king_from, king_to, "", CASTLE))
    return moves


def _is_attacked(board: list[str], square: int, by_player: int) -> bool:
    """Whether any piece of `by_player` attacks `square`."""
    king, queen, rook, bishop, knight, pawn = SIDES[by_player][2]
    for sq in KNIGHT_TARGETS[square]:
        if board[sq] == knight:
            return True
    for sq in PAWN_ATTACKERS[by_player][square]:
        if board[sq] == pawn:
            return True
    for sq in KING_TARGETS[square]:
        if board[sq] == king:
            return True
    for ray in ROOK_RAYS[square]:
        for sq in ray:
            target = board[sq]
            if target:
                if target == rook or target == queen:
                    return True
                break
    for ray in BISHOP_RAYS[square]:
        for sq in ray:
            target = board[sq]
            if target:
                if target == bishop or target == queen:
                    return True
                break
    return False


def _insufficient_material(board: list[str]) -> bool:
    """Only the two kings, or the two kings and one bishop or knight of either colour."""
    pieces = [p for p in board if p]
    if len(pieces) == 2:
        return True
    if len(pieces) == 3:
        return any(p in "BNbn" for p in pieces)
    return False
