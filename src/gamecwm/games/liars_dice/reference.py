"""Liar's Dice (one bidding round, 5 dice each): the reference GameCWM.

Each player rolls five private six-sided dice (ten chance actions `roll:<face>`, Player 0's dice
first). Player 0 opens with a bid `bid:<quantity>:<face>` claiming that at least that many of the ten
dice show that face (ones are wild for faces 2-6); the players alternate, each bid raising the last,
until one says `liar`. The challenge ends the game: the bidder wins if the claim holds, otherwise the
challenger wins (+1/-1).

State: `dice` (each player's dice values in the order rolled), `history` (every action so far, rolls
included), `last_bid` ([quantity, face] or None), `last_bidder`, `current_player` (-1 while rolling, 0, 1,
-4 once the game is over) and `winner` (0, 1 or None).
"""

from __future__ import annotations

import random
from typing import Any

State = dict[str, Any]

CHANCE = -1
TERMINAL = -4
DICE_PER_PLAYER = 5
TOTAL_DICE = 2 * DICE_PER_PLAYER
FACES = 6
LIAR = "liar"
ROLL_ACTIONS = [f"roll:{face}" for face in range(1, FACES + 1)]
ROLL_FACES = {action: face for face, action in enumerate(ROLL_ACTIONS, start=1)}
# Bids in raising order: index (q - 1) * FACES + (f - 1); a bid raises another iff its index is larger.
BIDS = [(q, f) for q in range(1, TOTAL_DICE + 1) for f in range(1, FACES + 1)]
BID_ACTIONS = [f"bid:{q}:{f}" for q, f in BIDS]
BID_INDEX = {action: index for index, action in enumerate(BID_ACTIONS)}
PLAYER_NAMES = {0: "Player_0", 1: "Player_1", CHANCE: "Chance", TERMINAL: "Terminal"}


def get_initial_state() -> State:
    """No dice rolled, no bid; chance rolls Player 0's first die."""
    return {
        "dice": [[], []],
        "last_bid": None,
        "last_bidder": None,
        "history": [],
        "current_player": CHANCE,
        "winner": None,
    }


def get_current_player(state: State) -> int:
    """-1 during the ten rolls, then 0 or 1 alternately, -4 after `liar`."""
    return state["current_player"]


def get_player_name(player_id: int) -> str:
    """`Player_0`, `Player_1`, `Chance` or `Terminal`."""
    return PLAYER_NAMES.get(player_id, "Terminal")


def get_legal_actions(state: State) -> list[str]:
    """Six rolls at a chance node; otherwise `liar` (if a bid stands) then every higher bid."""
    player = state["current_player"]
    if player == CHANCE:
        return list(ROLL_ACTIONS)
    if player == TERMINAL:
        return []
    if state["last_bid"] is None:
        return list(BID_ACTIONS)
    return [LIAR] + BID_ACTIONS[_bid_index(state["last_bid"]) + 1 :]


def apply_action(state: State, action: str) -> State:
    """Roll a die, raise the bid, or challenge (which ends the game)."""
    if not isinstance(action, str):
        raise ValueError(f"illegal action {action!r}: an action is a string")
    player = state["current_player"]
    if player == TERMINAL:
        raise ValueError(f"the game is over; {action!r} is illegal")
    next_state = dict(state)
    next_state["history"] = state["history"] + [action]
    if player == CHANCE:
        face = ROLL_FACES.get(action)
        if face is None:
            raise ValueError(f"illegal chance action {action!r}")
        owner = 0 if len(state["dice"][0]) < DICE_PER_PLAYER else 1
        dice = list(state["dice"])
        dice[owner] = dice[owner] + [face]
        next_state["dice"] = dice
        next_state["current_player"] = 0 if len(dice[1]) == DICE_PER_PLAYER else CHANCE
        return next_state
    last_bid = state["last_bid"]
    if action == LIAR:
        if last_bid is None:
            raise ValueError("`liar` needs a standing bid")
        quantity, face = last_bid
        holds = _count(state["dice"], face) >= quantity
        next_state["winner"] = state["last_bidder"] if holds else player
        next_state["current_player"] = TERMINAL
        return next_state
    index = BID_INDEX.get(action)
    if index is None or (last_bid is not None and index <= _bid_index(last_bid)):
        raise ValueError(f"illegal bid {action!r} over {last_bid}")
    next_state["last_bid"] = list(BIDS[index])
    next_state["last_bidder"] = player
    next_state["current_player"] = 1 - player
    return next_state


def get_rewards(state: State) -> list[float]:
    """+1 to the winner and -1 to the loser once a challenge is resolved; 0/0 before."""
    winner = state["winner"]
    if winner is None:
        return [0.0, 0.0]
    return [1.0, -1.0] if winner == 0 else [-1.0, 1.0]


def get_observations(state: State) -> list[dict[str, Any]]:
    """Public bids, the standing bid and dice counts, plus each player's own dice (all dice at the end)."""
    return [_observation(state, 0), _observation(state, 1)]


def get_chance_outcomes(state: State) -> list[tuple[str, float]]:
    """Each face of the die being rolled has probability 1/6."""
    if state["current_player"] != CHANCE:
        return []
    return [(action, 1.0 / FACES) for action in ROLL_ACTIONS]


def resample_history(obs_action_history: list[tuple[Any, str | None]], player_id: int) -> list[str]:
    """Ten rolls (own dice as observed, the opponent's drawn uniformly), the public bids, own last action."""
    if not obs_action_history:
        return []
    observation, last_action = obs_action_history[-1]
    opponent_dice = [random.randint(1, FACES) for _ in range(DICE_PER_PLAYER)]
    dice = [observation["my_dice"], opponent_dice] if player_id == 0 else [opponent_dice, observation["my_dice"]]
    history = [ROLL_ACTIONS[face - 1] for face in dice[0]] + [ROLL_ACTIONS[face - 1] for face in dice[1]]
    history += observation["history"]
    if last_action is not None:
        history.append(last_action)
    return history


def _observation(state: State, player: int) -> dict[str, Any]:
    """What `player` sees: its own dice and the public bidding."""
    dice = state["dice"]
    terminal = state["current_player"] == TERMINAL
    observation = {
        "history": state["history"][len(dice[0]) + len(dice[1]) :],
        "last_bid": None if state["last_bid"] is None else list(state["last_bid"]),
        "num_dice": [len(dice[0]), len(dice[1])],
        "terminal": terminal,
        "my_dice": list(dice[player]),
        "player_id": player,
    }
    if terminal:
        observation["opponent_dice"] = list(dice[1 - player])
    return observation


def _bid_index(bid: list[int]) -> int:
    """The position of a [quantity, face] bid in the bid order."""
    return (bid[0] - 1) * FACES + (bid[1] - 1)


def _count(dice: list[list[int]], face: int) -> int:
    """Dice among all ten showing `face`, ones counted as wild unless the bid is on ones."""
    return sum(1 for hand in dice for d in hand if d == face or (d == 1 and face != 1))
