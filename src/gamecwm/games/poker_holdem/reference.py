"""Heads-up Fixed-Limit Texas Hold'em (one hand): the reference GameCWM.

Player 0 is the dealer and small blind (0.5), player 1 the big blind (1.0); amounts are in big blinds.
Every card is dealt by its own chance action `deal:<rank><suit>`, uniform over the remaining deck:
two hole cards to player 0, two to player 1, then three flop cards, a turn card and a river card.
Betting actions are `Fold`, `Check`, `Call` and `Raise` (a bet when nothing is owed). Bets are 1.0 on
the pre-flop and flop and 2.0 on the turn and river, with at most four bets per round (pre-flop the big
blind is the first). Player 0 acts first pre-flop, player 1 on later rounds. The best five-card hand
out of seven wins the showdown; equal hands split.

State: `deck` (undealt cards, in deal-action order), `hole_cards`, `board` (the community cards), `round`
(0 during the hole-card deal, then 1-4 for preflop to river), `contributions` (each player's chips in the
pot), `bets_in_round` (bets and raises so far this round, the big blind counting as one preflop),
`actions_in_round`, `history` (betting actions so far), `current_player` (-1 at a deal, 0, 1, -4 once the
hand is over) and `folded` (the player who folded, else None).
"""

from __future__ import annotations

import random
from typing import Any

State = dict[str, Any]

CHANCE = -1
TERMINAL = -4
RANKS = "23456789TJQKA"
SUITS = "cdhs"
RANK_VALUE = {rank: value for value, rank in enumerate(RANKS, start=2)}
DECK = [rank + suit for suit in SUITS for rank in RANKS]  # the reference order of the deal actions
DEAL_PREFIX = "deal:"
BLINDS = [0.5, 1.0]
BET_SIZE = {1: 1.0, 2: 1.0, 3: 2.0, 4: 2.0}
MAX_BETS = 4
# Cards on the board once each round's betting starts (round 2 = flop, 3 = turn, 4 = river).
BOARD_SIZE = {2: 3, 3: 4, 4: 5}
PLAYER_NAMES = {0: "Small Blind", 1: "Big Blind", CHANCE: "Chance", TERMINAL: "Terminal"}
# Hand categories, compared as the first element of a hand's strength tuple.
HIGH_CARD, ONE_PAIR, TWO_PAIR, THREE_OF_A_KIND, STRAIGHT, FLUSH, FULL_HOUSE, FOUR_OF_A_KIND, STRAIGHT_FLUSH = range(9)


def get_initial_state() -> State:
    """Blinds posted, a full deck, chance to deal player 0's first hole card."""
    return {
        "deck": list(DECK),
        "hole_cards": [[], []],
        "board": [],
        "round": 0,
        "contributions": list(BLINDS),
        "bets_in_round": 1,
        "actions_in_round": 0,
        "history": [],
        "current_player": CHANCE,
        "folded": None,
    }


def get_current_player(state: State) -> int:
    """-1 while cards are dealt, 0 or 1 while betting, -4 once the hand is over."""
    return state["current_player"]


def get_player_name(player_id: int) -> str:
    """`Small Blind` (0), `Big Blind` (1), `Chance` (-1) or `Terminal`."""
    return PLAYER_NAMES.get(player_id, "Terminal")


def get_legal_actions(state: State) -> list[str]:
    """Every card left in the deck at a chance node; Fold/Call/Raise when owing, else Check/Raise."""
    player = state["current_player"]
    if player == CHANCE:
        return [DEAL_PREFIX + card for card in state["deck"]]
    if player == TERMINAL:
        return []
    contributions = state["contributions"]
    if contributions[1 - player] > contributions[player]:
        if state["bets_in_round"] < MAX_BETS:
            return ["Fold", "Call", "Raise"]
        return ["Fold", "Call"]
    return ["Check", "Raise"]


def apply_action(state: State, action: str) -> State:
    """Deal a card or apply a betting action; raises ValueError for anything not legal."""
    if action not in get_legal_actions(state):
        raise ValueError(f"illegal action {action!r}")
    if state["current_player"] == CHANCE:
        return _apply_deal(state, action[len(DEAL_PREFIX):])
    return _apply_bet(state, action)


def get_rewards(state: State) -> list[float]:
    """The folder loses its contribution; a showdown moves the (equal) contribution; 0/0 before."""
    if state["current_player"] != TERMINAL:
        return [0.0, 0.0]
    folded = state["folded"]
    if folded is not None:
        lost = float(state["contributions"][folded])
        return [-lost, lost] if folded == 0 else [lost, -lost]
    board = state["board"]
    strength0, strength1 = (_best_hand(cards + board) for cards in state["hole_cards"])
    stake = float(state["contributions"][0])
    if strength0 > strength1:
        return [stake, -stake]
    if strength1 > strength0:
        return [-stake, stake]
    return [0.0, 0.0]


def get_observations(state: State) -> list[dict[str, Any]]:
    """Own hole cards and the public information; the opponent's hole cards only after a showdown."""
    contributions = state["contributions"]
    hole_cards = state["hole_cards"]
    terminal = state["current_player"] == TERMINAL
    showdown = terminal and state["folded"] is None
    pot = contributions[0] + contributions[1]
    observations = []
    for player in (0, 1):
        observation = {
            "my_hole_cards": list(hole_cards[player]),
            "board": list(state["board"]),
            "pot": pot,
            "my_contribution": contributions[player],
            "opp_contribution": contributions[1 - player],
            "round": state["round"],
            "player_id": player,
            "terminal": terminal,
            "history": list(state["history"]),
        }
        if showdown:
            observation["opponent_hole_cards"] = list(hole_cards[1 - player])
        observations.append(observation)
    return observations


def get_chance_outcomes(state: State) -> list[tuple[str, float]]:
    """Each card left in the deck, equally likely."""
    deck = state["deck"]
    probability = 1.0 / len(deck)
    return [(DEAL_PREFIX + card, probability) for card in deck]


def resample_history(obs_action_history: list[tuple[Any, str | None]], player_id: int) -> list[str]:
    """Own hole cards, opponent hole cards drawn uniformly from the unseen cards, then the observed
    betting with the observed board cards dealt wherever a chance node comes up."""
    if not obs_action_history:
        return []
    last_observation, own_action = obs_action_history[-1]
    own_cards = last_observation["my_hole_cards"]
    board = last_observation["board"]
    seen = set(own_cards) | set(board)
    opponent_cards = random.sample([card for card in DECK if card not in seen], 2)
    hole_cards = [own_cards, opponent_cards] if player_id == 0 else [opponent_cards, own_cards]
    history = [DEAL_PREFIX + card for card in hole_cards[0] + hole_cards[1]]
    state = get_initial_state()
    for action in history:
        state = _apply_deal(state, action[len(DEAL_PREFIX):])
    betting = list(last_observation["history"])
    if own_action is not None:
        betting.append(own_action)
    for action in betting:
        state = _deal_board_until_betting(state, board, history)
        state = _apply_bet(state, action)
        history.append(action)
    if own_action is None:
        _deal_board_until_betting(state, board, history)
    return history


def _apply_deal(state: State, card: str) -> State:
    """Deal a hole card or a board card."""
    next_state = dict(state)
    deck = list(state["deck"])
    deck.remove(card)
    next_state["deck"] = deck
    hole_cards = state["hole_cards"]
    if state["round"] == 0:
        receiver = 0 if len(hole_cards[0]) < 2 else 1
        updated = [list(hole_cards[0]), list(hole_cards[1])]
        updated[receiver].append(card)
        next_state["hole_cards"] = updated
        if len(updated[1]) == 2:
            next_state["round"] = 1
            next_state["current_player"] = 0
        return next_state
    board = state["board"] + [card]
    next_state["board"] = board
    if len(board) == BOARD_SIZE[state["round"]]:
        next_state["current_player"] = 1
    return next_state


def _apply_bet(state: State, action: str) -> State:
    """Apply a fold, call or raise by the player to move."""
    player = state["current_player"]
    opponent = 1 - player
    next_state = dict(state)
    next_state["history"] = state["history"] + [action]
    if action == "Fold":
        next_state["folded"] = player
        next_state["current_player"] = TERMINAL
        return next_state
    contributions = state["contributions"]
    owed = contributions[opponent] - contributions[player]
    if action == "Raise":
        updated = list(contributions)
        updated[player] += owed + BET_SIZE[state["round"]]
        next_state["contributions"] = updated
        next_state["bets_in_round"] = state["bets_in_round"] + 1
        next_state["actions_in_round"] = state["actions_in_round"] + 1
        next_state["current_player"] = opponent
        return next_state
    if owed:
        updated = list(contributions)
        updated[player] += owed
        next_state["contributions"] = updated
    if state["actions_in_round"] == 0:
        next_state["actions_in_round"] = 1
        next_state["current_player"] = opponent
    elif state["round"] == 4:
        next_state["current_player"] = TERMINAL
    else:
        next_state.update(round=state["round"] + 1, bets_in_round=0, actions_in_round=0, current_player=CHANCE)
    return next_state


def _deal_board_until_betting(state: State, board: list[str], history: list[str]) -> State:
    """Deal the next observed board cards (recording them in `history`) while a chance node is up."""
    while state["current_player"] == CHANCE:
        card = board[len(state["board"])]
        history.append(DEAL_PREFIX + card)
        state = _apply_deal(state, card)
    return state


def _best_hand(cards: list[str]) -> tuple[int, ...]:
    """The strength of the best five-card hand among `cards`, as a tuple that compares correctly."""
    values = sorted((RANK_VALUE[card[0]] for card in cards), reverse=True)
    suit_values: dict[str, list[int]] = {}
    for card in cards:
        suit_values.setdefault(card[1], []).append(RANK_VALUE[card[0]])
    flush_values = next((sorted(v, reverse=True) for v in suit_values.values() if len(v) >= 5), None)
    if flush_values is not None:
        high = _straight_high(flush_values)
        if high:
            return (STRAIGHT_FLUSH, high)
    counts: dict[int, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    # Ranks ordered by (multiplicity, rank), strongest group first.
    groups = sorted(counts, key=lambda v: (counts[v], v), reverse=True)
    top = counts[groups[0]]
    if top == 4:
        return (FOUR_OF_A_KIND, groups[0], max(v for v in values if v != groups[0]))
    if top == 3 and len(groups) > 1 and counts[groups[1]] >= 2:
        return (FULL_HOUSE, groups[0], groups[1])
    if flush_values is not None:
        return (FLUSH, *flush_values[:5])
    high = _straight_high(values)
    if high:
        return (STRAIGHT, high)
    if top == 3:
        return (THREE_OF_A_KIND, groups[0], *[v for v in values if v != groups[0]][:2])
    if top == 2 and counts[groups[1]] == 2:
        pairs = (groups[0], groups[1])
        return (TWO_PAIR, *pairs, max(v for v in values if v not in pairs))
    if top == 2:
        return (ONE_PAIR, groups[0], *[v for v in values if v != groups[0]][:3])
    return (HIGH_CARD, *values[:5])


def _straight_high(values: list[int]) -> int:
    """The highest card of the best straight among these rank values (0 when there is none)."""
    present = set(values)
    if 14 in present:
        present.add(1)  # the ace also plays low in A-2-3-4-5
    for high in range(14, 4, -1):
        if all(high - offset in present for offset in range(5)):
            return high
    return 0
