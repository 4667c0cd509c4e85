"""poker_holdem: betting, observations, hand ranking, hidden hole cards, resampling, OpenSpiel's universal_poker.

OpenSpiel's universal_poker is configured with an ACPC gamedef for the same game: limit betting, four rounds
(0, 3, 1, 1 board cards), two hole cards, blinds 1 and 2 chips with our player 0 posting the small one, raise
sizes 2, 2, 4, 4 chips, at most 3, 4, 4, 4 raises (the big blind counting as the first pre-flop bet), player 0
first pre-flop and player 1 afterwards, stacks too deep to matter. Its card id is rank * 4 + suit with suits
c, d, h, s (so the ids run in a different order from our reference order, compared as sets), and it deals
the hole cards in our order. Its action 1 is our `Check` when nothing is owed (it then offers no fold) and
`Call` otherwise. Chips are half big blinds, so its returns are twice ours.
"""

import itertools
import random

import pyspiel

from gamecwm.games import load_reference
from gamecwm.games.information import player_view, view_mismatch
from gamecwm.games.runtime import replay
from tests.games.openspiel_crosscheck import crosscheck_playouts

GAME = load_reference("poker_holdem")
RANKS = "23456789TJQKA"
SUITS = "cdhs"
ALL_CARDS = [r + s for s in SUITS for r in RANKS]
WORKED = ["deal:Ah", "deal:Kh", "deal:7d", "deal:2s", "Call", "Check", "deal:Tc", "deal:3c", "deal:8s", "Check",
          "Check", "deal:4d", "Check", "Check", "deal:9h", "Check", "Raise", "Call"]
GAMEDEF = """GAMEDEF
limit
numPlayers = 2
numRounds = 4
blind = 1 2
raiseSize = 2 2 4 4
firstPlayer = 1 2 2 2
maxRaises = 3 4 4 4
numSuits = 4
numRanks = 13
numHoleCards = 2
numBoardCards = 0 3 1 1
stack = 1000 1000
END GAMEDEF"""


def test_worked_example_observations() -> None:
    start = GAME.get_observations(GAME.get_initial_state())
    assert start[0] == {"my_hole_cards": [], "board": [], "pot": 1.5, "my_contribution": 0.5, "opp_contribution": 1.0,
                        "round": 0, "player_id": 0, "terminal": False, "history": []}
    after_three = GAME.get_observations(replay(GAME, WORKED[:3]))
    assert after_three[0]["my_hole_cards"] == ["Ah", "Kh"] and after_three[1]["my_hole_cards"] == ["7d"]
    assert after_three[1]["round"] == 0
    preflop = GAME.get_observations(replay(GAME, WORKED[:4]))
    assert preflop[1] == {"my_hole_cards": ["7d", "2s"], "board": [], "pot": 1.5, "my_contribution": 1.0,
                          "opp_contribution": 0.5, "round": 1, "player_id": 1, "terminal": False, "history": []}
    flop_deal = GAME.get_observations(replay(GAME, WORKED[:7]))[0]
    assert (flop_deal["round"], flop_deal["board"], flop_deal["pot"]) == (2, ["Tc"], 2.0)
    assert flop_deal["history"] == ["Call", "Check"]
    river = replay(GAME, WORKED[:17])
    assert river["contributions"] == [3.0, 1.0] and river["round"] == 4 and river["bets_in_round"] == 1
    final = GAME.get_observations(replay(GAME, WORKED))
    assert final[0] == {"my_hole_cards": ["Ah", "Kh"], "board": ["Tc", "3c", "8s", "4d", "9h"], "pot": 6.0,
                        "my_contribution": 3.0, "opp_contribution": 3.0, "round": 4, "player_id": 0, "terminal": True,
                        "history": ["Call", "Check", "Check", "Check", "Check", "Check", "Check", "Raise", "Call"],
                        "opponent_hole_cards": ["7d", "2s"]}
    assert final[1]["opponent_hole_cards"] == ["Ah", "Kh"]
    assert GAME.get_rewards(replay(GAME, WORKED)) == [3.0, -3.0]


def test_fold_keeps_round_and_hides_cards() -> None:
    folded = replay(GAME, WORKED[:9] + ["Raise", "Fold"])
    assert GAME.get_rewards(folded) == [-1.0, 1.0]
    for observation in GAME.get_observations(folded):
        assert observation["round"] == 2 and observation["terminal"] and "opponent_hole_cards" not in observation
    assert all("opponent_hole_cards" not in o for o in GAME.get_observations(replay(GAME, WORKED[:17])))
    assert GAME.get_player_name(0) == "Small Blind" and GAME.get_player_name(1) == "Big Blind"
    assert GAME.get_player_name(-1) == "Chance" and GAME.get_player_name(-4) == "Terminal"


def _five_card_strength(cards):
    """An independent five-card ranking: (category, tie-break ranks)."""
    values = sorted((RANKS.index(c[0]) + 2 for c in cards), reverse=True)
    flush = len({c[1] for c in cards}) == 1
    distinct = sorted(set(values), reverse=True)
    straight_high = 0
    if len(distinct) == 5 and distinct[0] - distinct[4] == 4:
        straight_high = distinct[0]
    elif distinct == [14, 5, 4, 3, 2]:
        straight_high = 5
    by_count = sorted(((values.count(v), v) for v in distinct), reverse=True)
    shape = [count for count, _ in by_count]
    ordered = [v for _, v in by_count]
    if straight_high and flush:
        return (8, straight_high)
    if shape == [4, 1]:
        return (7, *ordered)
    if shape == [3, 2]:
        return (6, *ordered)
    if flush:
        return (5, *values)
    if straight_high:
        return (4, straight_high)
    if shape == [3, 1, 1]:
        return (3, *ordered)
    if shape == [2, 2, 1]:
        return (2, *ordered)
    if shape == [2, 1, 1, 1]:
        return (1, *ordered)
    return (0, *values)


def _best_of_seven(cards):
    return max(_five_card_strength(five) for five in itertools.combinations(cards, 5))


def _showdown(hole0, hole1, board):
    actions = [f"deal:{c}" for c in hole0 + hole1] + ["Call", "Check"]
    actions += [f"deal:{c}" for c in board[:3]] + ["Check", "Check", f"deal:{board[3]}", "Check", "Check"]
    actions += [f"deal:{board[4]}", "Check", "Check"]
    return GAME.get_rewards(replay(GAME, actions))


def test_showdowns_agree_with_brute_force_ranking() -> None:
    rng = random.Random(5)
    outcomes = set()
    for index in range(1500):
        if index % 3 == 0:
            # Few ranks and one or two suits make straights, flushes, full houses and quads common.
            pool = [r + s for r in rng.sample(RANKS, 6) for s in SUITS]
        elif index % 3 == 1:
            low = rng.randrange(-1, 7)  # -1: a window holding the ace below the deuce
            ranks = [RANKS[i] for i in range(low, low + 7)]
            pool = [r + s for r in ranks for s in rng.sample(SUITS, 2)]
        else:
            pool = ALL_CARDS
        cards = rng.sample(pool, 9)
        hole0, hole1, board = cards[:2], cards[2:4], cards[4:]
        s0, s1 = _best_of_seven(hole0 + board), _best_of_seven(hole1 + board)
        expected = [1.0, -1.0] if s0 > s1 else [-1.0, 1.0] if s1 > s0 else [0.0, 0.0]
        assert _showdown(hole0, hole1, board) == expected, (hole0, hole1, board)
        outcomes.add(tuple(expected))
        outcomes.update((s0[0], s1[0]))
    assert outcomes >= {(1.0, -1.0), (-1.0, 1.0), (0.0, 0.0), *range(9)}


def _random_line(rng, state):
    line = []
    while GAME.get_current_player(state) >= 0:
        action = rng.choice(GAME.get_legal_actions(state))
        line.append(action)
        state = GAME.apply_action(state, action)
        while GAME.get_current_player(state) == -1:
            action = rng.choice(GAME.get_legal_actions(state))
            line.append(action)
            state = GAME.apply_action(state, action)
    return line


def test_opponent_hole_cards_never_leak() -> None:
    """The same hand replayed with other opponent hole cards gives the player identical non-terminal views."""
    rng = random.Random(11)
    compared = 0
    for _ in range(60):
        player = rng.randrange(2)
        cards = rng.sample(ALL_CARDS, 4)
        base = [f"deal:{c}" for c in cards]
        line = _random_line(rng, replay(GAME, base))
        used = {a[5:] for a in base + line if a.startswith("deal:")}
        views = []
        for _ in range(3):
            other = rng.sample([c for c in ALL_CARDS if c not in used], 2)
            hole = cards[:2] + other if player == 0 else other + cards[2:]
            actions = [f"deal:{c}" for c in hole] + line
            views.append(player_view(GAME, actions, player))
            observations = [GAME.get_observations(replay(GAME, actions[:k]))[player] for k in range(len(actions))]
            views.append([o for o in observations if not o["terminal"]])
        assert views[0] == views[2] == views[4] and views[1] == views[3] == views[5]
        compared += bool(views[0])
    assert compared > 40


def test_resample_has_full_support() -> None:
    """Every ordered pair of unseen cards is a consistent opponent hand, and each one gets sampled."""
    random.seed(3)
    cases = [
        (WORKED[:17], 0),
        (WORKED[:16], 1),
        (WORKED[:9] + ["Raise"], 0),
    ]
    for actions, player in cases:
        view = player_view(GAME, actions, player)
        seen = set(view[-1][0]["my_hole_cards"]) | set(view[-1][0]["board"])
        expected = set()
        own = view[-1][0]["my_hole_cards"]
        betting = actions[4:]
        for first, second in itertools.permutations(ALL_CARDS, 2):
            hole = own + [first, second] if player == 0 else [first, second] + own
            history = [f"deal:{c}" for c in hole] + betting
            if view_mismatch(GAME, history, player, view) is None:
                expected.add((first, second))
        assert len(expected) == (52 - len(seen)) * (51 - len(seen))
        sampled = set()
        for _ in range(40000):
            history = GAME.resample_history(view, player)
            assert history[4:] == betting
            sampled.add(tuple(a[5:] for a in history[2:4]) if player == 0 else tuple(a[5:] for a in history[:2]))
            if len(sampled) == len(expected):
                break
        assert sampled == expected


def _openspiel_game():
    return pyspiel.universal_poker.load_universal_poker_from_acpc_gamedef(GAMEDEF)


def _translate(os_state, action: int) -> str:
    if os_state.is_chance_node():
        return f"deal:{RANKS[action // 4]}{SUITS[action % 4]}"
    if action == 1:
        return "Call" if 0 in os_state.legal_actions() else "Check"
    return {0: "Fold", 2: "Raise"}[action]


def test_agrees_with_openspiel_universal_poker_step_by_step() -> None:
    steps = crosscheck_playouts(GAME, _openspiel_game(), _translate, playouts=300, seed=1, compare_returns=False)
    assert steps > 3000


def test_returns_agree_with_openspiel_universal_poker() -> None:
    """Lockstep playouts that rarely fold, so most reach a showdown; OpenSpiel's chip returns are twice ours."""
    game = _openspiel_game()
    rng = random.Random(2)
    showdowns = 0
    for _ in range(1000):
        state, os_state = GAME.get_initial_state(), game.new_initial_state()
        while not os_state.is_terminal():
            if os_state.is_chance_node():
                os_action = rng.choice([a for a, _ in os_state.chance_outcomes()])
            else:
                legal = os_state.legal_actions()
                os_action = 0 if 0 in legal and rng.random() < 0.05 else rng.choice([a for a in legal if a != 0])
            state = GAME.apply_action(state, _translate(os_state, os_action))
            os_state.apply_action(os_action)
        assert GAME.get_current_player(state) == -4
        assert GAME.get_rewards(state) == [r / 2 for r in os_state.returns()]
        showdowns += state["folded"] is None
    assert showdowns > 700
