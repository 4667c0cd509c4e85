"""Hanabi (two players, cooperative): the reference GameCWM.

Fifty cards in five colours (R, Y, G, B, W; ranks 1 x3, 2 x2, 3 x2, 4 x2, 5 x1 per colour). Each
player holds five cards that the partner sees and the holder does not. On a turn a player plays a card
(`Play <i>`), discards one for a clue (`Discard <i>`, only below 8 clues) or spends a clue to point out
all of the partner's cards of one colour or rank (`Reveal color <p> <Colour>`, `Reveal rank <p> <r>`).
Every card entering a hand is a separate chance action `deal:<C>,<r>`, weighted by the copies left in
the deck. The score is the sum of the five stack heights; a third misplay ends the game with score 0.

State: `deck` (copies left undealt, per card in `CARDS` order), `hands` (each player's cards as [colour,
rank], oldest first), `knowledge` (per card, the [colour, rank] revealed by clues, None where unknown),
`fireworks` (the top rank per colour), `discard`, `clues`, `lives`, `history` (player actions so far),
`current_player` (-1 while a card is dealt, 0, 1, -4 once the game is over), `drawer` (who receives the
card being dealt), `final_turns_left` (None until the deck runs out), `game_over` and `lost` (the third
misplay happened).
"""

from __future__ import annotations

import random
from typing import Any

State = dict[str, Any]

CHANCE = -1
TERMINAL = -4
COLOURS = ("R", "Y", "G", "B", "W")
COLOUR_NAMES = ("Red", "Yellow", "Green", "Blue", "White")
RANKS = (1, 2, 3, 4, 5)
COPIES = {1: 3, 2: 2, 3: 2, 4: 2, 5: 1}
HAND_SIZE = 5
MAX_CLUES = 8
LIVES = 3
MAX_SCORE = 25
INITIAL_DEAL = 2 * HAND_SIZE
PLAYER_NAMES = {0: "Player 0", 1: "Player 1", CHANCE: "Chance", TERMINAL: "Terminal"}

# Card ids 0..24: colour index * 5 + rank - 1; the deck is a list of 25 counts in that order.
CARDS = [(colour, rank) for colour in COLOURS for rank in RANKS]
CARD_ID = {card: index for index, card in enumerate(CARDS)}
COLOUR_INDEX = {colour: index for index, colour in enumerate(COLOURS)}
FULL_DECK = [COPIES[rank] for _, rank in CARDS]
DECK_SIZE = sum(FULL_DECK)
DEAL_ACTIONS = [f"deal:{colour},{rank}" for colour, rank in CARDS]
DEAL_CARD = {action: CARDS[index] for index, action in enumerate(DEAL_ACTIONS)}
PLAY_ACTIONS = [f"Play {i}" for i in range(HAND_SIZE)]
DISCARD_ACTIONS = [f"Discard {i}" for i in range(HAND_SIZE)]
# REVEAL_COLOUR[target][colour] and REVEAL_RANK[target][rank] are the reveal strings for that target.
REVEAL_COLOUR = [{c: f"Reveal color {p} {n}" for c, n in zip(COLOURS, COLOUR_NAMES)} for p in (0, 1)]
REVEAL_RANK = [{r: f"Reveal rank {p} {r}" for r in RANKS} for p in (0, 1)]
# Player action string -> (kind, argument): ("play", i), ("discard", i), ("colour", C), ("rank", r).
PLAYER_ACTIONS: dict[str, tuple[str, Any]] = {
    **{a: ("play", i) for i, a in enumerate(PLAY_ACTIONS)},
    **{a: ("discard", i) for i, a in enumerate(DISCARD_ACTIONS)},
    **{a: ("colour", c) for p in (0, 1) for c, a in REVEAL_COLOUR[p].items()},
    **{a: ("rank", r) for p in (0, 1) for r, a in REVEAL_RANK[p].items()},
}


def get_initial_state() -> State:
    """A full deck, empty hands and stacks, 8 clues and 3 lives; chance deals player 0's first card."""
    return {
        "deck": list(FULL_DECK),
        "hands": [[], []],
        "knowledge": [[], []],
        "fireworks": {colour: 0 for colour in COLOURS},
        "discard": [],
        "clues": MAX_CLUES,
        "lives": LIVES,
        "history": [],
        "current_player": CHANCE,
        "drawer": 0,
        "final_turns_left": None,
        "game_over": False,
        "lost": False,
    }


def get_current_player(state: State) -> int:
    """-1 while a card is being dealt or drawn, 0 or 1 on a turn, -4 once the game is over."""
    return state["current_player"]


def get_player_name(player_id: int) -> str:
    """`Player 0`, `Player 1`, `Chance` or `Terminal`."""
    return PLAYER_NAMES.get(player_id, "Terminal")


def get_legal_actions(state: State) -> list[str]:
    """Deals of the distinct cards left (R..W, then rank) at chance; else plays, discards, reveals."""
    player = state["current_player"]
    if player == TERMINAL:
        return []
    if player == CHANCE:
        deck = state["deck"]
        return [DEAL_ACTIONS[card] for card in range(len(CARDS)) if deck[card]]
    hand_size = len(state["hands"][player])
    actions = PLAY_ACTIONS[:hand_size]
    clues = state["clues"]
    if clues < MAX_CLUES:
        actions = actions + DISCARD_ACTIONS[:hand_size]
    if clues > 0:
        partner = 1 - player
        partner_hand = state["hands"][partner]
        colours = {colour for colour, _ in partner_hand}
        ranks = {rank for _, rank in partner_hand}
        actions = actions + [REVEAL_COLOUR[partner][c] for c in COLOURS if c in colours]
        actions += [REVEAL_RANK[partner][r] for r in RANKS if r in ranks]
    return actions


def apply_action(state: State, action: str) -> State:
    """Deal or draw a card, or apply a play, discard or reveal; raises ValueError when not legal."""
    if action not in get_legal_actions(state):
        raise ValueError(f"illegal action {action!r}")
    if state["current_player"] == CHANCE:
        return _apply_deal(state, DEAL_CARD[action])
    return _apply_turn(state, action)


def get_rewards(state: State) -> list[float]:
    """[S, S] with S the sum of the stack heights, at every state; [0.0, 0.0] after a defeat."""
    if state["lost"]:
        return [0.0, 0.0]
    score = float(_score(state["fireworks"]))
    return [score, score]


def get_observations(state: State) -> list[dict[str, Any]]:
    """Each player sees the public board, the partner's cards and both hands' hint knowledge."""
    hands = state["hands"]
    knowledge = state["knowledge"]
    deck_size = sum(state["deck"])
    observations = []
    for player in (0, 1):
        partner = 1 - player
        observations.append({
            "fireworks": dict(state["fireworks"]),
            "discard": [list(card) for card in state["discard"]],
            "clues": state["clues"],
            "lives": state["lives"],
            "deck_size": deck_size,
            "partner_hand": [list(card) for card in hands[partner]],
            "partner_knowledge": [list(entry) for entry in knowledge[partner]],
            "my_knowledge": [list(entry) for entry in knowledge[player]],
            "history": list(state["history"]),
            "current_player": state["current_player"],
            "game_over": state["game_over"],
            "player_id": player,
        })
    return observations


def get_chance_outcomes(state: State) -> list[tuple[str, float]]:
    """Each distinct card left in the deck with probability copies left / cards left."""
    if state["current_player"] != CHANCE:
        return []
    deck = state["deck"]
    total = sum(deck)
    return [(DEAL_ACTIONS[card], deck[card] / total) for card in range(len(CARDS)) if deck[card]]


def resample_history(obs_action_history: list[tuple[Any, str | None]], player_id: int) -> list[str]:
    """A full action list (deals, draws, turns) reproducing the player's view, own cards sampled.

    Every card the partner ever held is read off the player's observations. Each own card that left the
    hand before the last observation is the unique card whose play or discard turns the public board
    (stacks, discard pile, lives) of one observation into that of the next. The own cards held at the
    last observation are sampled from the cards not accounted for, each restricted to the colours and
    ranks its hint knowledge and the reveals it missed allow; a randomised backtracking search gives
    every consistent assignment positive probability.
    """
    if not obs_action_history:
        return []
    last_observation, last_action = obs_action_history[-1]
    actions = list(last_observation["history"])
    if last_action is not None:
        actions.append(last_action)
    observed_at = {len(observation["history"]): observation for observation, _ in obs_action_history}
    own_turns = sorted(observed_at)
    last_turn = len(last_observation["history"])
    partner = 1 - player_id

    # Each dealt card is a slot; slot_card holds its card id once known.
    slot_card: list[int | None] = [None] * INITIAL_DEAL
    hands = [list(range(HAND_SIZE)), list(range(HAND_SIZE, INITIAL_DEAL))]
    missed_colours: dict[int, set[str]] = {}
    missed_ranks: dict[int, set[int]] = {}
    events: list[Any] = list(range(INITIAL_DEAL))  # ints are deals of that slot, strings are turns
    fireworks = [0] * len(COLOURS)
    discard: list[int] = []
    lives = LIVES
    own_hand_at_last_turn = list(hands[player_id])
    for position, action in enumerate(actions):
        if position in observed_at:
            _read_partner_hand(observed_at[position], hands[partner], slot_card)
            if position == last_turn:
                own_hand_at_last_turn = list(hands[player_id])
        actor = position % 2
        events.append(action)
        kind, argument = PLAYER_ACTIONS[action]
        if kind in ("colour", "rank"):
            if actor == partner:
                missed = missed_colours if kind == "colour" else missed_ranks
                for slot in hands[player_id]:
                    missed.setdefault(slot, set()).add(argument)
            continue
        slot = hands[actor].pop(argument)
        if position == len(actions) - 1 and last_action is not None:
            break  # the player's own last action: its card stays hidden and nothing is drawn after it
        if slot_card[slot] is None:
            next_turn = next(turn for turn in own_turns if turn > position)
            slot_card[slot] = _deduce_card(
                actions, position, next_turn, observed_at[next_turn], hands, slot_card, fireworks, discard, lives
            )
        lives -= _resolve(kind, slot_card[slot], fireworks, discard)
        if lives > 0 and sum(fireworks) < MAX_SCORE and len(slot_card) < DECK_SIZE:
            slot_card.append(None)
            hands[actor].append(len(slot_card) - 1)
            events.append(len(slot_card) - 1)
    if last_action is None:
        _read_partner_hand(last_observation, hands[partner], slot_card)
        own_hand_at_last_turn = list(hands[player_id])

    hidden = own_hand_at_last_turn
    allowed = [
        _allowed_cards(entry, missed_colours.get(slot, ()), missed_ranks.get(slot, ()))
        for slot, entry in zip(hidden, last_observation["my_knowledge"])
    ]
    pool = list(FULL_DECK)
    for card in slot_card:
        if card is not None:
            pool[card] -= 1
    chosen = _sample_assignment(allowed, pool)
    if chosen is None:
        raise ValueError("no deal of the hidden cards reproduces these observations")
    for slot, card in zip(hidden, chosen):
        slot_card[slot] = card
    return [event if isinstance(event, str) else DEAL_ACTIONS[slot_card[event]] for event in events]


def _apply_deal(state: State, card: tuple[str, int]) -> State:
    """Deal one card to the end of the drawer's hand."""
    drawer = state["drawer"]
    deck = list(state["deck"])
    deck[CARD_ID[card]] -= 1
    hands = list(state["hands"])
    hands[drawer] = hands[drawer] + [list(card)]
    knowledge = list(state["knowledge"])
    knowledge[drawer] = knowledge[drawer] + [[None, None]]
    next_state = dict(state, deck=deck, hands=hands, knowledge=knowledge)
    if not state["history"]:
        # The initial deal: five cards to player 0, then five to player 1, then player 0 moves.
        if len(hands[1]) == HAND_SIZE:
            next_state.update(current_player=0, drawer=None)
        else:
            next_state["drawer"] = 0 if len(hands[0]) < HAND_SIZE else 1
        return next_state
    next_state.update(current_player=1 - drawer, drawer=None)
    if not any(deck):
        next_state["final_turns_left"] = 2  # the partner's turn, then the drawer's
    return next_state


def _apply_turn(state: State, action: str) -> State:
    """Apply a play, discard or clue by the player to move."""
    player = state["current_player"]
    partner = 1 - player
    kind, argument = PLAYER_ACTIONS[action]
    next_state = dict(state, history=state["history"] + [action])
    if kind in ("play", "discard"):
        hands = list(state["hands"])
        knowledge = list(state["knowledge"])
        card = hands[player][argument]
        hands[player] = hands[player][:argument] + hands[player][argument + 1:]
        knowledge[player] = knowledge[player][:argument] + knowledge[player][argument + 1:]
        next_state["hands"] = hands
        next_state["knowledge"] = knowledge
        colour, rank = card
        if kind == "play" and state["fireworks"][colour] == rank - 1:
            next_state["fireworks"] = dict(state["fireworks"], **{colour: rank})
        else:
            next_state["discard"] = state["discard"] + [list(card)]
            if kind == "play":
                next_state["lives"] = state["lives"] - 1
            else:
                next_state["clues"] = state["clues"] + 1
    else:
        next_state["clues"] = state["clues"] - 1
        field = 0 if kind == "colour" else 1
        knowledge = list(state["knowledge"])
        knowledge[partner] = [
            ([argument, entry[1]] if field == 0 else [entry[0], argument]) if card[field] == argument else entry
            for card, entry in zip(state["hands"][partner], state["knowledge"][partner])
        ]
        next_state["knowledge"] = knowledge

    final_turns_left = state["final_turns_left"]
    if final_turns_left is not None:
        final_turns_left -= 1
        next_state["final_turns_left"] = final_turns_left
    if next_state["lives"] == 0:
        next_state.update(game_over=True, lost=True, current_player=TERMINAL)
    elif _score(next_state["fireworks"]) == MAX_SCORE or final_turns_left == 0:
        next_state.update(game_over=True, current_player=TERMINAL)
    elif kind in ("play", "discard") and final_turns_left is None:
        next_state.update(current_player=CHANCE, drawer=player)
    else:
        next_state["current_player"] = partner
    return next_state


def _score(fireworks: dict[str, int]) -> int:
    """The total of the fireworks."""
    return sum(fireworks.values())


def _read_partner_hand(observation: dict[str, Any], partner_slots: list[int], slot_card: list[int | None]) -> None:
    """Record the identities of the partner's cards as the observation shows them."""
    shown = observation["partner_hand"]
    if len(shown) != len(partner_slots):
        raise ValueError("the partner's hand size does not fit the recorded actions")
    for slot, (colour, rank) in zip(partner_slots, shown):
        slot_card[slot] = CARD_ID[(colour, rank)]


def _resolve(kind: str, card: int, fireworks: list[int], discard: list[int]) -> int:
    """Apply a play or discard of `card` to the stacks and discard pile in place; returns lives lost."""
    colour, rank = divmod(card, len(RANKS))
    if kind == "play" and fireworks[colour] == rank:
        fireworks[colour] = rank + 1
        return 0
    discard.append(card)
    return 1 if kind == "play" else 0


def _deduce_card(
    actions: list[str],
    position: int,
    next_turn: int,
    observation: dict[str, Any],
    hands: list[list[int]],
    slot_card: list[int | None],
    fireworks: list[int],
    discard: list[int],
    lives: int,
) -> int:
    """The card whose play or discard at `position` leads to the public board seen at `next_turn`."""
    # The actions between the two (at most the partner's one turn) use cards already known. Distinct
    # cards always lead to distinct boards, so the answer is unique.
    kind = PLAYER_ACTIONS[actions[position]][0]
    target_fireworks = [observation["fireworks"][colour] for colour in COLOURS]
    target_discard = [CARD_ID[(colour, rank)] for colour, rank in observation["discard"]]
    for card in range(len(CARDS)):
        trial_fireworks = list(fireworks)
        trial_discard = list(discard)
        trial_lives = lives - _resolve(kind, card, trial_fireworks, trial_discard)
        for later in range(position + 1, next_turn):
            later_kind, index = PLAYER_ACTIONS[actions[later]]
            if later_kind in ("play", "discard"):
                later_card = slot_card[hands[later % 2][index]]
                trial_lives -= _resolve(later_kind, later_card, trial_fireworks, trial_discard)
        if (trial_fireworks, trial_discard, trial_lives) == (target_fireworks, target_discard, observation["lives"]):
            return card
    raise ValueError(f"no card explains {actions[position]!r} at position {position}")


def _allowed_cards(entry: list[Any], missed_colours: Any, missed_ranks: Any) -> list[int]:
    """Cards fitting one hint-knowledge entry: its known colour/rank, else none of the reveals it missed."""
    known_colour, known_rank = entry
    colours = [known_colour] if known_colour is not None else [c for c in COLOURS if c not in missed_colours]
    ranks = [known_rank] if known_rank is not None else [r for r in RANKS if r not in missed_ranks]
    return [CARD_ID[(colour, rank)] for colour in colours for rank in ranks]


def _sample_assignment(allowed: list[list[int]], pool: list[int]) -> list[int] | None:
    """A random assignment of cards to hidden slots within the pool's counts, or None if none exists."""
    # Depth-first search trying each slot's options in a random order weighted by the copies left, so
    # every feasible assignment is the first one found with positive probability.
    chosen: list[int] = []

    def extend(index: int) -> bool:
        if index == len(allowed):
            return True
        options = [card for card in allowed[index] if pool[card] > 0]
        options.sort(key=lambda card: random.random() ** (1.0 / pool[card]), reverse=True)
        for card in options:
            pool[card] -= 1
            chosen.append(card)
            if extend(index + 1):
                return True
            chosen.pop()
            pool[card] += 1
        return False

    return chosen if extend(0) else None
