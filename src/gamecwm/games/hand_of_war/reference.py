"""Hand of War: the reference GameCWM.

A 16-card deck of four Aces, Kings, Queens and Jacks (A > K > Q > J; suits play no role). Chance deals
the deck one card per action (`deal:<rank>`): cards 1-8 become player 0's draw pile, cards 9-16 player
1's, top first, and each player then takes the top 3 cards of its pile into its hand. Each battle,
player 0 commits a card (`play:<rank>`), then player 1; the higher card takes both cards and the pot
into its owner's win pile and both hands refill to 3, player 0 first. Equal cards go to the pot and
each player burns the top card of its pile face down into the pot (after a third tie in a row, with
empty hands, both refill to 3). The first draw or burn that finds an empty pile ends the game: the
larger win pile wins. A player sees its own hand, the revealed battle cards and the public counts.

State: `dealt` (the ranks dealt so far, in deck order), `hands`, `piles` (each draw pile, top first),
`win_piles`, `pot` (cards at stake after ties), `pending` (player 0's committed card while player 1
decides, else None), `revealed` (every resolved battle as [P0 card, P1 card]), `current_player` (-1 during
the deal, 0, 1, -4 once the game is over) and `winner` (0, 1 or None).
"""

from __future__ import annotations

import random
from typing import Any

State = dict[str, Any]

CHANCE = -1
TERMINAL = -4
RANKS = ("A", "K", "Q", "J")
RANK_ORDER = {rank: index for index, rank in enumerate(RANKS)}  # lower index = stronger card
COPIES = 4
DECK_SIZE = COPIES * len(RANKS)
PILE_SIZE = DECK_SIZE // 2
HAND_SIZE = 3
DEAL_ACTIONS = {f"deal:{rank}": rank for rank in RANKS}
PLAY_ACTIONS = {f"play:{rank}": rank for rank in RANKS}
PLAYER_NAMES = {0: "Player 0", 1: "Player 1", CHANCE: "Chance", TERMINAL: "Terminal"}


def get_initial_state() -> State:
    """Nothing dealt yet: chance deals the first card."""
    return {
        "dealt": [],
        "hands": [[], []],
        "piles": [[], []],
        "win_piles": [[], []],
        "pot": [],
        "pending": None,
        "revealed": [],
        "current_player": CHANCE,
        "winner": None,
    }


def get_current_player(state: State) -> int:
    """-1 during the deal, 0 or 1 during battles, -4 once the game is over."""
    return state["current_player"]


def get_player_name(player_id: int) -> str:
    """`Player 0`, `Player 1`, `Chance` or `Terminal`."""
    return PLAYER_NAMES.get(player_id, "Terminal")


def get_legal_actions(state: State) -> list[str]:
    """One deal per undealt rank at chance nodes; one play per distinct rank in the mover's hand."""
    player = state["current_player"]
    if player == CHANCE:
        dealt = state["dealt"]
        return [f"deal:{rank}" for rank in RANKS if dealt.count(rank) < COPIES]
    if player == TERMINAL:
        return []
    hand = state["hands"][player]
    return [f"play:{rank}" for rank in RANKS if rank in hand]


def apply_action(state: State, action: str) -> State:
    """Deal a card, commit player 0's card, or play player 1's card and resolve the battle."""
    if action not in get_legal_actions(state):
        raise ValueError(f"illegal action {action!r}")
    player = state["current_player"]
    if player == CHANCE:
        return _apply_deal(state, DEAL_ACTIONS[action])
    rank = PLAY_ACTIONS[action]
    hands = [list(state["hands"][0]), list(state["hands"][1])]
    hands[player].remove(rank)
    next_state = dict(state)
    next_state["hands"] = hands
    if player == 0:
        next_state["pending"] = rank
        next_state["current_player"] = 1
        return next_state
    _resolve_battle(next_state, state["pending"], rank)
    return next_state


def get_rewards(state: State) -> list[float]:
    """+1/-1 for the player with the larger win pile at the end; 0/0 for a draw and before the end."""
    winner = state["winner"]
    if winner == 0:
        return [1.0, -1.0]
    if winner == 1:
        return [-1.0, 1.0]
    return [0.0, 0.0]


def get_observations(state: State) -> list[dict[str, Any]]:
    """The deal count during the deal; afterwards the own hand, revealed battles and public counts."""
    dealt = state["dealt"]
    if len(dealt) < DECK_SIZE:
        return [{"cards_dealt": len(dealt)}, {"cards_dealt": len(dealt)}]
    hands, piles, win_piles = state["hands"], state["piles"], state["win_piles"]
    pending = state["pending"]
    revealed = state["revealed"]
    terminal = state["current_player"] == TERMINAL
    observations = []
    for player in (0, 1):
        observations.append({
            "my_hand": list(hands[player]),
            "my_pending": pending if player == 0 else None,
            "opponent_committed": player == 1 and pending is not None,
            "revealed": [list(battle) for battle in revealed],
            "hand_sizes": [len(hands[0]), len(hands[1])],
            "pile_sizes": [len(piles[0]), len(piles[1])],
            "win_pile_sizes": [len(win_piles[0]), len(win_piles[1])],
            "pot_size": len(state["pot"]),
            "player_id": player,
            "terminal": terminal,
        })
    return observations


def get_chance_outcomes(state: State) -> list[tuple[str, float]]:
    """Each undealt rank with probability (its undealt copies) / (undealt cards)."""
    dealt = state["dealt"]
    left = DECK_SIZE - len(dealt)
    outcomes = []
    for rank in RANKS:
        copies = COPIES - dealt.count(rank)
        if copies:
            outcomes.append((f"deal:{rank}", copies / left))
    return outcomes


def resample_history(obs_action_history: list[tuple[Any, str | None]], player_id: int) -> list[str]:
    """A full deal that fits everything the player saw, then the battles, ending with its last action.

    The pile positions of both players are laid out by replaying the public course of the battles
    (which positions went to hands, which were burned). The player's own refills fix the multiset of
    each group of positions drawn together (placed in a random order); each card the opponent revealed
    is put on a random position of the opponent's hand at that battle; every other position gets a
    random permutation of the ranks left over. A card player 0 has committed but not yet revealed is
    drawn from player 0's hand in that deal. Every consistent deal has a positive probability.
    """
    if not obs_action_history:
        return []
    opponent = 1 - player_id
    observations = [obs for obs, _ in obs_action_history]
    own_actions = [action for _, action in obs_action_history]
    last = len(obs_action_history) - 1
    battles = observations[-1]["revealed"]  # every battle resolved before the last turn
    piles = [[None] * PILE_SIZE, [None] * PILE_SIZE]
    own_pile, opponent_pile = piles[player_id], piles[opponent]

    _place_group(own_pile, range(HAND_SIZE), observations[0]["my_hand"])
    opponent_hand = list(range(HAND_SIZE))  # pile positions of the cards in the opponent's hand
    hand_size, next_position = HAND_SIZE, HAND_SIZE
    for turn, battle in enumerate(battles):
        slot = opponent_hand.pop(random.randrange(len(opponent_hand)))
        opponent_pile[slot] = battle[opponent]
        hand_size -= 1
        drawn_positions = []
        if battle[0] == battle[1]:
            next_position += 1  # each player's burned card
            if hand_size == 0:
                drawn_positions = list(range(next_position, next_position + HAND_SIZE))
        else:
            drawn_positions = list(range(next_position, next_position + HAND_SIZE - hand_size))
        next_position += len(drawn_positions)
        hand_size += len(drawn_positions)
        opponent_hand.extend(drawn_positions)
        if drawn_positions:
            kept = _remove_cards(observations[turn]["my_hand"], PLAY_ACTIONS[own_actions[turn]])
            _place_group(own_pile, drawn_positions, _remove_cards(observations[turn + 1]["my_hand"], *kept))

    _fill_free_positions(piles)
    history = [f"deal:{rank}" for rank in piles[0] + piles[1]]
    for battle in battles:
        history.append(f"play:{battle[0]}")
        history.append(f"play:{battle[1]}")
    if player_id == 1:
        history.append(f"play:{opponent_pile[random.choice(opponent_hand)]}")
    if own_actions[last] is not None:
        history.append(own_actions[last])
    return history


def _apply_deal(state: State, rank: str) -> State:
    """Deal one card; after the last one, fill the piles and hands."""
    next_state = dict(state)
    dealt = state["dealt"] + [rank]
    next_state["dealt"] = dealt
    if len(dealt) == DECK_SIZE:
        piles = [dealt[:PILE_SIZE], dealt[PILE_SIZE:]]
        next_state["hands"] = [_sorted_hand(pile[:HAND_SIZE]) for pile in piles]
        next_state["piles"] = [pile[HAND_SIZE:] for pile in piles]
        next_state["current_player"] = 0
    return next_state


def _resolve_battle(state: State, card0: str, card1: str) -> None:
    """Reveal both cards and settle the battle in place on a fresh state dict (its lists are copied)."""
    state["pending"] = None
    state["revealed"] = state["revealed"] + [[card0, card1]]
    hands = state["hands"]  # already copied by apply_action
    piles = [list(state["piles"][0]), list(state["piles"][1])]
    state["piles"] = piles
    pot = state["pot"] + [card0, card1]
    if card0 != card1:
        taker = 0 if RANK_ORDER[card0] < RANK_ORDER[card1] else 1
        win_piles = [list(state["win_piles"][0]), list(state["win_piles"][1])]
        win_piles[taker].extend(pot)
        state["win_piles"] = win_piles
        state["pot"] = []
        if len(win_piles[taker]) == DECK_SIZE:
            _finish(state, taker)
            return
        _refill_hands(state)
        return
    state["pot"] = pot
    for player in (0, 1):
        if not piles[player]:
            _finish(state, _larger_win_pile(state))
            return
        pot.append(piles[player].pop(0))
    if not hands[0] and not hands[1]:
        _refill_hands(state)
        return
    state["current_player"] = 0


def _refill_hands(state: State) -> None:
    """Draw up to 3 cards, player 0 first, one at a time; an empty pile ends the game at once."""
    hands, piles = state["hands"], state["piles"]
    for player in (0, 1):
        hand, pile = hands[player], piles[player]
        while len(hand) < HAND_SIZE:
            if not pile:
                hands[player] = _sorted_hand(hand)
                _finish(state, _larger_win_pile(state))
                return
            hand.append(pile.pop(0))
        hands[player] = _sorted_hand(hand)
    state["current_player"] = 0


def _finish(state: State, winner: int | None) -> None:
    """End the game in place with `winner` (None for a draw)."""
    state["winner"] = winner
    state["current_player"] = TERMINAL


def _larger_win_pile(state: State) -> int | None:
    """The player with the larger win pile, None when they are equal."""
    size0, size1 = len(state["win_piles"][0]), len(state["win_piles"][1])
    if size0 == size1:
        return None
    return 0 if size0 > size1 else 1


def _sorted_hand(cards: list[str]) -> list[str]:
    """The cards sorted strongest first."""
    return sorted(cards, key=RANK_ORDER.__getitem__)


def _remove_cards(cards: list[str], *removed: str) -> list[str]:
    """The multiset `cards` minus the cards `removed`."""
    left = list(cards)
    for card in removed:
        left.remove(card)
    return left


def _place_group(pile: list[str | None], positions: Any, ranks: list[str]) -> None:
    """Put a known multiset of ranks on a group of pile positions, in a random order."""
    shuffled = random.sample(ranks, len(ranks))
    for position, rank in zip(positions, shuffled):
        pile[position] = rank


def _fill_free_positions(piles: list[list[str | None]]) -> None:
    """Give the still unknown positions a random arrangement of the ranks not yet placed."""
    left = {rank: COPIES for rank in RANKS}
    free = []
    for player in (0, 1):
        for position, rank in enumerate(piles[player]):
            if rank is None:
                free.append((player, position))
            else:
                left[rank] -= 1
    remaining = [rank for rank in RANKS for _ in range(left[rank])]
    random.shuffle(remaining)
    for (player, position), rank in zip(free, remaining):
        piles[player][position] = rank
