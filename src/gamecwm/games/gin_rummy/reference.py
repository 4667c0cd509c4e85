"""Gin Rummy (a single hand): the reference GameCWM.

A 52-card deck is dealt one card per chance action: ten cards to player 0 (the non-dealer, who acts
first), ten to player 1 and one upcard that starts the discard pile. Player 0, then player 1, may take
the upcard or pass; after two passes player 0 draws from the stock. On a normal turn a player draws the
top discard (`Draw upcard`) or a stock card (`Draw stock`, dealt by chance), then discards a card or
knocks when the deadwood of its 11 cards is at most 10. A knocker declares melds one at a time and
ends with `Action: Done`; unless that was gin, the defender lays off cards onto the declared melds and
the hand is scored (gin bonus 25, undercut bonus 25). A discard that leaves two cards in the stock walls
the hand; the 50th upcard draw in the draw phase ends it as a draw.

State: `stock` (undealt cards, in canonical order), `hands` (each player's cards in the order received),
`discard_pile` (top last), `phase`, `current_player` (-1 at every deal, 0, 1, -4 once the hand is over),
`drawer` (the player receiving the stock card being dealt, else None), `passes` (first-turn passes),
`upcard_draws` (`Draw upcard` actions in phase `draw`), `knocker` (None until a knock), `knock_melds`
(the declared melds, each a list of cards), `layoffs` (cards laid off, in order) and `rewards`.
"""

from __future__ import annotations

import random
from functools import lru_cache
from typing import Any, Iterator

State = dict[str, Any]

CHANCE = -1
TERMINAL = -4
PLAYER_NAMES = {0: "Player 0", 1: "Player 1", CHANCE: "Chance", TERMINAL: "Terminal"}
RANKS = "A23456789TJQK"
SUITS = "scdh"
DECK = [rank + suit for suit in SUITS for rank in RANKS]  # canonical order, suit-major
CARD_INDEX = {card: index for index, card in enumerate(DECK)}
CARD_BIT = {card: 1 << index for index, card in enumerate(DECK)}
VALUE = {card: min(RANKS.index(card[0]) + 1, 10) for card in DECK}
RANK_OF = {card: RANKS.index(card[0]) for card in DECK}
SUIT_OF = {card: card[1] for card in DECK}
HAND_SIZE = 10
INITIAL_DEALS = 2 * HAND_SIZE + 1
KNOCK_LIMIT = 10
GIN_BONUS = 25
UNDERCUT_BONUS = 25
WALL_STOCK = 2
MAX_UPCARD_DRAWS = 50

DRAW_UPCARD = "Draw upcard"
DRAW_STOCK = "Draw stock"
PASS = "Pass"
KNOCK = "Action: Knock"
DONE = "Action: Done"
WALL_PASS = "Action: Pass"
DEAL_PREFIX = "deal:"
CARD_PREFIX = "Action: "


def _all_melds() -> list[tuple[str, ...]]:
    """Every set (3 or 4 of a rank) and run (3 or more in a suit) of the deck."""
    melds = []
    for rank in RANKS:
        cards = [rank + suit for suit in SUITS]
        melds.append(tuple(cards))
        for skip in range(4):
            melds.append(tuple(card for position, card in enumerate(cards) if position != skip))
    for suit in SUITS:
        for length in range(3, 14):
            for low in range(0, 14 - length):
                melds.append(tuple(RANKS[low + step] + suit for step in range(length)))
    return melds


# Every meld of the deck, its cards in canonical order, as (bitmask, action string, cards).
MELDS = [
    (sum(CARD_BIT[c] for c in cards), CARD_PREFIX + "".join(sorted(cards, key=CARD_INDEX.get)),
     sorted(cards, key=CARD_INDEX.get))
    for cards in _all_melds()
]
MELD_BY_ACTION = {action: cards for _, action, cards in MELDS}
# Melds whose lowest card (in canonical order) is the given card index: the deadwood search only
# needs the melds that can cover the lowest card still unresolved.
MELD_MASKS_FROM = [[mask for mask, _, cards in MELDS if CARD_INDEX[cards[0]] == index] for index in range(52)]
BIT_VALUE = [VALUE[card] for card in DECK]


def get_initial_state() -> State:
    """The full deck undealt; chance deals the first card."""
    return {
        "stock": list(DECK),
        "hands": [[], []],
        "discard_pile": [],
        "phase": "deal",
        "current_player": CHANCE,
        "drawer": None,
        "passes": 0,
        "upcard_draws": 0,
        "knocker": None,
        "knock_melds": [],
        "layoffs": [],
        "rewards": [0.0, 0.0],
    }


def get_current_player(state: State) -> int:
    """-1 at every deal, 0 or 1 while a player acts, -4 once the hand is over."""
    return state["current_player"]


def get_player_name(player_id: int) -> str:
    """`Player 0`, `Player 1`, `Chance`, `Terminal`, and `Player <id>` for any other id."""
    return PLAYER_NAMES.get(player_id, f"Player {player_id}")


def get_legal_actions(state: State) -> list[str]:
    """The legal list of the phase, in the reference order (hand order for discards and layoffs)."""
    phase = state["phase"]
    player = state["current_player"]
    if phase == "deal":
        return [DEAL_PREFIX + card for card in state["stock"]]
    if phase == "first_turn":
        return [DRAW_STOCK] if state["passes"] == 2 else [DRAW_UPCARD, PASS]
    if phase == "draw":
        return [DRAW_UPCARD, DRAW_STOCK]
    if phase == "discard":
        hand = state["hands"][player]
        actions = [CARD_PREFIX + card for card in hand]
        if _deadwood(_mask(hand)) <= KNOCK_LIMIT:
            actions.append(KNOCK)
        return actions
    if phase == "knock":
        return _knock_actions(state["hands"][player])
    if phase == "layoff":
        melds = state["knock_melds"]
        return [DONE] + [CARD_PREFIX + c for c in state["hands"][player] if _extended_meld(melds, c) is not None]
    if phase == "wall":
        return [WALL_PASS]
    return []


def apply_action(state: State, action: str) -> State:
    """Apply a deal or a player action; raises ValueError for anything not in the legal list."""
    if not isinstance(action, str) or action not in get_legal_actions(state):
        raise ValueError(f"illegal action {action!r} in phase {state['phase']}")
    phase = state["phase"]
    if phase == "deal":
        return _apply_deal(state, action[len(DEAL_PREFIX):])
    if phase in ("first_turn", "draw"):
        return _apply_draw(state, action)
    if phase == "discard":
        return _apply_discard(state, action)
    if phase == "knock":
        return _apply_declaration(state, action)
    if phase == "layoff":
        return _apply_layoff(state, action)
    return _finish(state, [0.0, 0.0])  # the wall's pass


def get_rewards(state: State) -> list[float]:
    """Points to the scoring player after a knock, 0.0 otherwise (also after a wall or the move cap)."""
    return list(state["rewards"])


def get_observations(state: State) -> list[dict[str, Any]]:
    """Own hand, the public piles, melds and layoffs, own legal list; the opponent's hand after a knock."""
    player_to_move = state["current_player"]
    legal = get_legal_actions(state) if player_to_move in (0, 1) else []
    pile = state["discard_pile"]
    revealed = state["phase"] == "game_over" and state["knocker"] is not None
    observations = []
    for player in (0, 1):
        observation = {
            "hand": sorted(state["hands"][player]),
            "discard_pile": list(pile),
            "discard_top": pile[-1] if pile else None,
            "stock_size": len(state["stock"]),
            "phase": state["phase"],
            "current_player": player_to_move,
            "knocker": state["knocker"],
            "knock_melds": [list(meld) for meld in state["knock_melds"]],
            "layoffs": list(state["layoffs"]),
            "legal_actions": list(legal) if player == player_to_move else [],
        }
        if revealed:
            observation["opponent_hand"] = sorted(state["hands"][1 - player])
        observations.append(observation)
    return observations


def resample_history(obs_action_history: list[tuple[Any, str | None]], player_id: int) -> list[str]:
    """A full action list (21 deals, every action, a deal after each stock draw) fitting the player's view.

    The player's own cards are dealt as observed; the opponent's actions are read off the public changes
    between observations; each card the opponent showed without having taken it from the pile is put in
    a random opponent slot (an initial deal position, a hidden upcard or a stock draw) acquired before it
    was shown, and the other slots get uniformly drawn unseen cards, low enough that a knocking opponent's
    undeclared cards total 1 to 10.
    """
    if not obs_action_history:
        return []
    views = obs_action_history
    first = views[0][0]
    tracker = _new_opponent_tracker()
    actions: list[Any] = []  # strings, or ints naming an opponent slot whose card is dealt there
    upcard: Any
    pile: list[str]
    if player_id == 0:
        upcard = first["discard_pile"][0]
        pile = [upcard]
    elif first["phase"] == "first_turn":
        upcard = first["discard_pile"][0]
        pile = [upcard]
        actions.append(PASS)
    else:
        upcard = _new_slot(tracker)  # player 0 took an upcard player 1 never saw
        actions.append(DRAW_UPCARD)
        pile = []
        _read_opponent_play(tracker, actions, pile, first)
    stock = first["stock_size"]
    for index, (observation, action) in enumerate(views):
        if action is None:
            break
        actions.append(action)
        following = views[index + 1][0] if index + 1 < len(views) else None
        if following is None:
            break
        phase = observation["phase"]
        if action == DRAW_UPCARD:
            pile.pop()
        elif action == DRAW_STOCK:
            drawn = set(following["hand"]) - set(observation["hand"])
            actions.append(DEAL_PREFIX + drawn.pop())
            stock -= 1
        elif phase == "first_turn" and action == PASS:
            stock = _read_opponent_turn(tracker, actions, pile, stock, following)
        elif phase == "discard" and action != KNOCK:
            pile.append(action[len(CARD_PREFIX):])
            stock = _read_opponent_turn(tracker, actions, pile, stock, following)

    slot_cards = _assign_slots(tracker, set(_cards_seen(views)))
    own_order = _own_deal_order(views)
    opponent_deal = [slot_cards[slot] for slot in range(HAND_SIZE)]
    deals = own_order + opponent_deal if player_id == 0 else opponent_deal + own_order
    deals.append(slot_cards[upcard] if isinstance(upcard, int) else upcard)
    history = [DEAL_PREFIX + card for card in deals]
    history.extend(DEAL_PREFIX + slot_cards[a] if isinstance(a, int) else a for a in actions)
    return history


def _new_opponent_tracker() -> dict[str, Any]:
    """What the opponent's hand must have held, as read from the player's observations."""
    return {
        # Opponent slots: the ten initial deal positions (ids 0-9) first, all acquired at time 0.
        "slot_times": [0] * HAND_SIZE,
        "clock": 0,
        "known": [],  # cards the opponent holds that the player saw it take from the pile
        "shown": [],  # (card, time): cards the opponent played that it had not visibly taken
        "knocked": False,
    }


def _new_slot(tracker: dict[str, Any]) -> int:
    """Open a new hidden-card slot in the opponent tracker; returns its index."""
    tracker["clock"] += 1
    tracker["slot_times"].append(tracker["clock"])
    return len(tracker["slot_times"]) - 1


def _read_opponent_turn(tracker: dict[str, Any], actions: list[Any], pile: list[str], stock: int,
                        following: dict[str, Any]) -> int:
    """The opponent's turn between two of the player's observations; returns the new stock size."""
    if following["stock_size"] == stock - 1:
        actions.append(DRAW_STOCK)
        actions.append(_new_slot(tracker))
        stock -= 1
    elif following["phase"] == "first_turn":
        actions.append(PASS)
        return stock
    else:
        actions.append(DRAW_UPCARD)
        tracker["known"].append(pile.pop())
    _read_opponent_play(tracker, actions, pile, following)
    return stock


def _read_opponent_play(tracker: dict[str, Any], actions: list[Any], pile: list[str],
                        following: dict[str, Any]) -> None:
    """The discard, or the knock with its declarations, that led to the player's next observation."""
    if following["phase"] == "layoff":
        actions.append(KNOCK)
        for meld in following["knock_melds"]:
            for card in meld:
                _record_opponent_card(tracker, card)
            actions.append(CARD_PREFIX + "".join(meld))
        actions.append(DONE)
        tracker["knocked"] = True
    else:
        card = following["discard_pile"][-1]
        _record_opponent_card(tracker, card)
        pile.append(card)
        actions.append(CARD_PREFIX + card)


def _record_opponent_card(tracker: dict[str, Any], card: str) -> None:
    """Note that the opponent showed `card` (discarded or laid down) in the tracker."""
    tracker["clock"] += 1
    if card in tracker["known"]:
        tracker["known"].remove(card)
    else:
        tracker["shown"].append((card, tracker["clock"]))


def _assign_slots(tracker: dict[str, Any], seen: set[str]) -> dict[int, str]:
    """Cards for every opponent slot: shown cards to slots acquired earlier, unseen cards to the rest."""
    slot_times = tracker["slot_times"]
    free = list(range(len(slot_times)))
    cards: dict[int, str] = {}
    for card, time in tracker["shown"]:
        # Slots acquired earlier stay available later, so any choice here keeps the rest feasible.
        slot = random.choice([slot for slot in free if slot_times[slot] < time])
        free.remove(slot)
        cards[slot] = card
    unseen = [card for card in DECK if card not in seen]
    if tracker["knocked"]:
        known_total = sum(VALUE[card] for card in tracker["known"])
        held = _sample_cards_with_total(unseen, len(free), 1 - known_total, KNOCK_LIMIT - known_total)
        random.shuffle(held)
    else:
        held = random.sample(unseen, len(free))
    cards.update(zip(free, held))
    return cards


def _cards_seen(views: list[tuple[Any, str | None]]) -> Iterator[str]:
    """Every card that appears in the player's observations or own actions."""
    for observation, action in views:
        yield from observation["hand"]
        yield from observation["discard_pile"]
        for meld in observation["knock_melds"]:
            yield from meld
        if action is not None and action.startswith(CARD_PREFIX) and len(action) == len(CARD_PREFIX) + 2:
            yield action[len(CARD_PREFIX):]


def _own_deal_order(views: list[tuple[Any, str | None]]) -> list[str]:
    """The player's ten dealt cards in deal order, as its hand-ordered legal lists show them."""
    chains = []
    for observation, _ in views:
        legal = observation["legal_actions"]
        if observation["phase"] == "discard" and legal:
            # Ten dealt cards, then the card just drawn; nothing has left this hand yet.
            return [action[len(CARD_PREFIX):] for action in legal[:HAND_SIZE]]
        if observation["phase"] == "layoff" and legal:
            chains.append([action[len(CARD_PREFIX):] for action in legal[1:]])
    # Only layoff lists (all cards still from the deal): a random order that keeps each list's order.
    cards = list(views[0][0]["hand"])
    before = {card: set() for card in cards}
    for chain in chains:
        for earlier, later in zip(chain, chain[1:]):
            before[later].add(earlier)
    order = []
    placed = set()
    while len(order) < len(cards):
        ready = [card for card in cards if card not in placed and before[card] <= placed]
        card = random.choice(ready)
        order.append(card)
        placed.add(card)
    return order


def _sample_cards_with_total(pool: list[str], count: int, low: int, high: int) -> list[str]:
    """A uniformly random `count`-subset of `pool` whose values total between low and high."""
    low = max(low, 0)
    by_value = [[] for _ in range(11)]
    for card in pool:
        by_value[VALUE[card]].append(card)
    # ways[v][j][s]: subsets of j cards of values v..10 that total s (s up to high).
    ways = [[[0] * (high + 1) for _ in range(count + 1)] for _ in range(12)]
    ways[11][0][0] = 1
    for value in range(10, 0, -1):
        available = len(by_value[value])
        for taken in range(count + 1):
            for total in range(high + 1):
                ways_here = 0
                for use in range(min(available, taken) + 1):
                    rest = total - use * value
                    if rest < 0:
                        break
                    ways_here += _choose(available, use) * ways[value + 1][taken - use][rest]
                ways[value][taken][total] = ways_here
    totals = list(range(low, high + 1))
    total = random.choices(totals, weights=[ways[1][count][t] for t in totals])[0]
    chosen: list[str] = []
    remaining = count
    for value in range(1, 11):
        options = [use for use in range(min(len(by_value[value]), remaining) + 1) if use * value <= total]
        weights = [_choose(len(by_value[value]), use) * ways[value + 1][remaining - use][total - use * value]
                   for use in options]
        use = random.choices(options, weights=weights)[0]
        chosen.extend(random.sample(by_value[value], use))
        remaining -= use
        total -= use * value
    return chosen


@lru_cache(maxsize=None)
def _choose(n: int, k: int) -> int:
    """The binomial coefficient n over k (0 outside 0..n)."""
    if k < 0 or k > n:
        return 0
    result = 1
    for i in range(k):
        result = result * (n - i) // (i + 1)
    return result


def _apply_deal(state: State, card: str) -> State:
    """Deal one card: into a hand or the upcard during the deal, else to the drawer."""
    next_state = dict(state)
    stock = list(state["stock"])
    stock.remove(card)
    next_state["stock"] = stock
    dealt = len(DECK) - len(stock)
    hands = state["hands"]
    if dealt <= HAND_SIZE:
        next_state["hands"] = [hands[0] + [card], hands[1]]
    elif dealt <= 2 * HAND_SIZE:
        next_state["hands"] = [hands[0], hands[1] + [card]]
    elif dealt == INITIAL_DEALS:
        next_state["discard_pile"] = [card]
        next_state["phase"] = "first_turn"
        next_state["current_player"] = 0
    else:
        drawer = state["drawer"]
        new_hands = list(hands)
        new_hands[drawer] = hands[drawer] + [card]
        next_state["hands"] = new_hands
        next_state["drawer"] = None
        next_state["phase"] = "discard"
        next_state["current_player"] = drawer
    return next_state


def _apply_draw(state: State, action: str) -> State:
    """Apply a first-turn or normal-turn draw (or pass)."""
    player = state["current_player"]
    next_state = dict(state)
    if action == PASS:
        next_state["passes"] = state["passes"] + 1
        next_state["current_player"] = 1 - player
        return next_state
    if action == DRAW_STOCK:
        next_state["phase"] = "deal"
        next_state["drawer"] = player
        next_state["current_player"] = CHANCE
        return next_state
    if state["phase"] == "draw":
        next_state["upcard_draws"] = state["upcard_draws"] + 1
        if next_state["upcard_draws"] == MAX_UPCARD_DRAWS:
            return _finish(next_state, [0.0, 0.0])
    pile = state["discard_pile"]
    hands = list(state["hands"])
    hands[player] = hands[player] + [pile[-1]]
    next_state["hands"] = hands
    next_state["discard_pile"] = pile[:-1]
    next_state["phase"] = "discard"
    return next_state


def _apply_discard(state: State, action: str) -> State:
    """Apply a discard (the opponent draws next, or the wall) or a knock."""
    player = state["current_player"]
    next_state = dict(state)
    if action == KNOCK:
        next_state["knocker"] = player
        next_state["phase"] = "knock"
        return next_state
    card = action[len(CARD_PREFIX):]
    hands = list(state["hands"])
    hands[player] = [c for c in hands[player] if c != card]
    next_state["hands"] = hands
    next_state["discard_pile"] = state["discard_pile"] + [card]
    next_state["current_player"] = 1 - player
    next_state["phase"] = "wall" if len(state["stock"]) == WALL_STOCK else "draw"
    return next_state


def _apply_declaration(state: State, action: str) -> State:
    """Apply the knocker's meld or `Action: Done` (ending the hand on gin)."""
    player = state["current_player"]
    hand = state["hands"][player]
    if action == DONE:
        if not hand:
            defender_deadwood = _deadwood(_mask(state["hands"][1 - player]))
            rewards = [0.0, 0.0]
            rewards[player] = float(GIN_BONUS + defender_deadwood)
            return _finish(state, rewards)
        next_state = dict(state)
        next_state["phase"] = "layoff"
        next_state["current_player"] = 1 - player
        return next_state
    meld = MELD_BY_ACTION[action]
    next_state = dict(state)
    hands = list(state["hands"])
    hands[player] = [c for c in hand if c not in meld]
    next_state["hands"] = hands
    next_state["knock_melds"] = state["knock_melds"] + [list(meld)]
    return next_state


def _apply_layoff(state: State, action: str) -> State:
    """Apply the defender's layoff or `Action: Done`, which scores the hand."""
    player = state["current_player"]
    knocker = 1 - player
    if action == DONE:
        knocker_total = sum(VALUE[c] for c in state["hands"][knocker])
        defender_deadwood = _deadwood(_mask(state["hands"][player]))
        rewards = [0.0, 0.0]
        if knocker_total < defender_deadwood:
            rewards[knocker] = float(defender_deadwood - knocker_total)
        else:
            rewards[player] = float(UNDERCUT_BONUS + knocker_total - defender_deadwood)
        return _finish(state, rewards)
    card = action[len(CARD_PREFIX):]
    melds = [list(meld) for meld in state["knock_melds"]]
    target = _extended_meld(melds, card)
    melds[target] = sorted(melds[target] + [card], key=CARD_INDEX.get)
    next_state = dict(state)
    hands = list(state["hands"])
    hands[player] = [c for c in state["hands"][player] if c != card]
    next_state["hands"] = hands
    next_state["knock_melds"] = melds
    next_state["layoffs"] = state["layoffs"] + [card]
    return next_state


def _finish(state: State, rewards: list[float]) -> State:
    """The state ended with the given rewards."""
    next_state = dict(state)
    next_state["phase"] = "game_over"
    next_state["current_player"] = TERMINAL
    next_state["rewards"] = rewards
    return next_state


def _extended_meld(melds: list[list[str]], card: str) -> int | None:
    """Index of the meld a layoff of `card` joins: the first run it extends, else a set; None if none."""
    rank = RANK_OF[card]
    suit = SUIT_OF[card]
    set_index = None
    for index, meld in enumerate(melds):
        if RANK_OF[meld[0]] == RANK_OF[meld[1]]:
            if len(meld) == 3 and RANK_OF[meld[0]] == rank:
                set_index = index if set_index is None else set_index
        elif SUIT_OF[meld[0]] == suit and (rank == RANK_OF[meld[0]] - 1 or rank == RANK_OF[meld[-1]] + 1):
            return index
    return set_index


def _knock_actions(hand: list[str]) -> list[str]:
    """The knocker's legal actions: `Action: Done` when allowed, then the melds."""
    mask = _mask(hand)
    actions = [DONE] if sum(VALUE[c] for c in hand) <= KNOCK_LIMIT else []
    melds = [action for meld_mask, action, _ in MELDS
             if meld_mask & mask == meld_mask and _deadwood(mask & ~meld_mask) <= KNOCK_LIMIT]
    melds.sort()
    return actions + melds


def _mask(cards: list[str]) -> int:
    """The bit mask of a list of cards."""
    mask = 0
    for card in cards:
        mask |= CARD_BIT[card]
    return mask


@lru_cache(maxsize=1 << 17)
def _deadwood(mask: int) -> int:
    """The smallest total value left outside non-overlapping melds, over the cards of `mask`."""
    if not mask:
        return 0
    low_bit = mask & -mask
    index = low_bit.bit_length() - 1
    best = BIT_VALUE[index] + _deadwood(mask ^ low_bit)
    for meld_mask in MELD_MASKS_FROM[index]:
        if meld_mask & mask == meld_mask:
            candidate = _deadwood(mask & ~meld_mask)
            if candidate < best:
                best = candidate
                if best == 0:
                    break
    return best
