"""gin_rummy: deadwood, observations, hidden cards, full-support resampling, and OpenSpiel's gin_rummy.

OpenSpiel's gin_rummy matches our deal (one chance action per card, uniform over the undealt cards, ten to
player 0, ten to player 1, then the upcard; card ids in the same suit-major order), the first-turn upcard
offer (player 0, then player 1, then player 0 must draw from the stock), the draw/discard turn structure,
the wall after a discard that leaves 2 stock cards and the 50-upcard-draw cap. It differs in the rest:
its knock is allowed when the deadwood after the best discard is at most 10 (ours: the deadwood of all 11
cards), its knocker then discards and may lay melds in a different way, its defender also lays down its
own melds, it may knock at the wall (ours: only `Action: Pass`), and it ends the game when the same
upcard is drawn and discarded twice in a row. The lockstep check therefore never knocks, never discards
a card just taken from the pile, compares the legal sets without the knock action, checks that our knock
being legal implies OpenSpiel's, and compares the returns of the hands that end at the wall or the cap
(0 on both sides).
"""

from __future__ import annotations

import itertools
import random

import pyspiel

from gamecwm.games import load_reference
from gamecwm.games.information import player_view, view_mismatch
from gamecwm.games.playout import random_playout
from gamecwm.games.runtime import replay

GAME = load_reference("gin_rummy")
RANKS = "A23456789TJQK"
SUITS = "scdh"
DECK = [rank + suit for suit in SUITS for rank in RANKS]
VALUE = {card: min(RANKS.index(card[0]) + 1, 10) for card in DECK}
HEARTS_RUN = "Action: Ah2h3h4h5h6h7h8h9h"


def _deals(p0: str, p1: str, upcard: str) -> list[str]:
    return [f"deal:{card}" for card in p0.split() + p1.split() + [upcard]]


def _brute_deadwood(cards: list[str]) -> int:
    """Deadwood by trying every set of pairwise disjoint melds (independent of the reference's search)."""
    melds = []
    for size in (3, 4):
        for group in itertools.combinations(cards, size):
            ranks = [RANKS.index(c[0]) for c in group]
            if len(set(ranks)) == 1:
                melds.append(frozenset(group))
    for suit in SUITS:
        ranks = sorted(RANKS.index(c[0]) for c in cards if c[1] == suit)
        for low in ranks:
            high = low
            while high + 1 in ranks:
                high += 1
                if high - low >= 2:
                    melds.append(frozenset(RANKS[r] + suit for r in range(low, high + 1)))
    best = sum(VALUE[c] for c in cards)

    def search(start: int, used: frozenset) -> None:
        nonlocal best
        best = min(best, sum(VALUE[c] for c in cards if c not in used))
        for index in range(start, len(melds)):
            if not melds[index] & used:
                search(index + 1, used | melds[index])

    search(0, frozenset())
    return best


def test_deadwood_matches_brute_force() -> None:
    rng = random.Random(5)
    low_deck = [c for c in DECK if RANKS.index(c[0]) < 7]  # denser in melds than a full deck
    for trial in range(300):
        cards = rng.sample(low_deck if trial % 2 else DECK, rng.choice((9, 10, 11)))
        assert GAME._deadwood(GAME._mask(cards)) == _brute_deadwood(cards), cards


def test_worked_example_observations() -> None:
    deals = _deals("Ah 2h 3h 4h 5h 6h 7h 8h 9h 2c", "Ks Kc Qs Qd Qh Qc Js Jd Th 3c", "Ac")
    start = GAME.get_observations(replay(GAME, deals[:3]))
    assert start[0]["hand"] == ["2h", "3h", "Ah"] and start[1]["hand"] == []
    assert start[0]["phase"] == "deal" and start[0]["current_player"] == -1 and start[0]["stock_size"] == 49
    knock = deals + ["Draw upcard", "Action: Knock", HEARTS_RUN, "Action: Done"]
    obs = GAME.get_observations(replay(GAME, knock))
    assert obs[1] == {
        "hand": ["3c", "Jd", "Js", "Kc", "Ks", "Qc", "Qd", "Qh", "Qs", "Th"], "discard_pile": [],
        "discard_top": None, "stock_size": 31, "phase": "layoff", "current_player": 1, "knocker": 0,
        "knock_melds": [["Ah", "2h", "3h", "4h", "5h", "6h", "7h", "8h", "9h"]], "layoffs": [],
        "legal_actions": ["Action: Done", "Action: Th"],
    }
    assert obs[0]["hand"] == ["2c", "Ac"] and obs[0]["legal_actions"] == [] and "opponent_hand" not in obs[0]
    final = GAME.get_observations(replay(GAME, knock + ["Action: Th", "Action: Done"]))
    assert final[0]["opponent_hand"] == ["3c", "Jd", "Js", "Kc", "Ks", "Qc", "Qd", "Qh", "Qs"]
    assert final[1]["opponent_hand"] == ["2c", "Ac"]
    assert final[1]["knock_melds"] == [["Ah", "2h", "3h", "4h", "5h", "6h", "7h", "8h", "9h", "Th"]]
    assert final[1]["layoffs"] == ["Th"] and final[0]["phase"] == "game_over"
    walled = GAME.get_observations(replay(GAME, deals + ["Pass", "Pass", "Draw stock", "deal:As", "Action: As"]))
    assert walled[1]["discard_pile"] == ["Ac", "As"] and walled[1]["discard_top"] == "As"
    assert walled[1]["stock_size"] == 30 and walled[1]["legal_actions"] == ["Draw upcard", "Draw stock"]


def test_layoff_joins_the_first_run_it_extends() -> None:
    melds = [["7s", "7c", "7h"], ["2h", "3h", "4h"], ["6h", "7h", "8h"]]
    assert GAME._extended_meld(melds, "5h") == 1  # extends both runs: the first declared one
    assert GAME._extended_meld(melds, "7d") == 0
    assert GAME._extended_meld(melds, "9h") == 2
    assert GAME._extended_meld([["As", "2s", "3s"]], "Ks") is None  # no wrap around
    assert GAME._extended_meld([["Js", "Qs", "Ks"]], "As") is None
    assert GAME._extended_meld([["7s", "7c", "7h", "7d"]], "7d") is None


def _opponent_private_variants(actions: list[str], player: int, rng: random.Random) -> list[list[str]]:
    """Histories that change only the opponent's private cards: a reordered deal, or a held card swapped
    for one that is never dealt."""
    opponent = 1 - player
    state = GAME.get_initial_state()
    opponent_deals = []  # indices of deal actions whose card went to the opponent's hand
    public = set()
    for index, action in enumerate(actions):
        mover = GAME.get_current_player(state)
        if mover == -1:
            dealt = 52 - len(state["stock"])
            receiver = 0 if dealt < 10 else 1 if dealt < 20 else None if dealt == 20 else state["drawer"]
            if receiver == opponent:
                opponent_deals.append(index)
        elif mover == opponent and action.startswith("Action: ") and action[8:] not in ("Knock", "Done", "Pass"):
            public.update(action[8 + 2 * i:10 + 2 * i] for i in range((len(action) - 8) // 2))
        state = GAME.apply_action(state, action)
    undealt = list(state["stock"])
    variants = []
    first_ten = [i for i in opponent_deals if i < 20]
    shuffled = list(actions)
    cards = [actions[i] for i in first_ten]
    rng.shuffle(cards)
    for i, card in zip(first_ten, cards):
        shuffled[i] = card
    variants.append(shuffled)
    private = [i for i in opponent_deals if actions[i][5:] not in public]
    for _ in range(3):
        if not private or not undealt:
            break
        swapped = list(actions)
        swapped[rng.choice(private)] = "deal:" + rng.choice(undealt)
        variants.append(swapped)
    return variants


def _observations_until_end(actions: list[str], player: int) -> list | None:
    state = GAME.get_initial_state()
    seen = []
    try:
        for action in actions:
            if GAME.get_current_player(state) != -4:
                seen.append(GAME.get_observations(state)[player])
            state = GAME.apply_action(state, action)
    except ValueError:
        return None  # the changed cards made one of the opponent's actions illegal
    if GAME.get_current_player(state) != -4:
        seen.append(GAME.get_observations(state)[player])
    return seen


def test_opponent_private_cards_never_leak() -> None:
    rng = random.Random(3)
    compared = 0
    for seed in range(40):
        actions = random_playout(GAME, seed=seed).actions
        for player in (0, 1):
            original = _observations_until_end(actions, player)
            original_view = player_view(GAME, actions, player)
            for variant in _opponent_private_variants(actions, player, rng):
                observed = _observations_until_end(variant, player)
                if observed is None or variant == actions:
                    continue
                assert observed == original, (seed, player)
                assert player_view(GAME, variant, player)[: len(original_view) - 1] == original_view[:-1]
                compared += 1
    assert compared > 100


def _sample_until(view, player: int, project, expected: set, tries: int) -> set:
    seen = set()
    for _ in range(tries):
        history = GAME.resample_history(view, player)
        seen.add(project(history))
        if seen >= expected:
            break
    return seen


def test_resample_full_support_hidden_upcard_and_knock_total() -> None:
    """Player 0 takes an upcard player 1 never sees and knocks: its two undeclared cards are any unseen
    pair totalling at most 10, and the upcard is any of its 11 cards."""
    random.seed(11)
    p0_hearts = "Ah 2h 3h 4h 5h 6h 7h 8h 9h"
    p1 = "As Ac Ad 2s 2c 2d 3s 3c 3d 4s"
    actions = _deals(p0_hearts + " 4c", p1, "5d") + ["Draw upcard", "Action: Knock", HEARTS_RUN, "Action: Done"]
    view = player_view(GAME, actions, 1)
    assert [obs["phase"] for obs, _ in view] == ["layoff"]
    unseen = [c for c in DECK if c not in set(p1.split()) | set(p0_hearts.split())]
    pairs = [frozenset(p) for p in itertools.combinations(unseen, 2) if 1 <= VALUE[p[0]] + VALUE[p[1]] <= 10]
    expected = {(pair, upcard) for pair in pairs for upcard in list(pair) + p0_hearts.split()}
    assert len(pairs) == 16

    def project(history):
        state = replay(GAME, history)
        return frozenset(state["hands"][0]), history[20][5:]

    seen = _sample_until(view, 1, project, expected, 6000)
    assert seen == expected
    firsts = {GAME.resample_history(view, 1)[10] for _ in range(300)}
    assert firsts == {f"deal:{c}" for c in p1.split()}  # no discard list seen: any own deal order


def test_resample_full_support_stock_draw_or_deal() -> None:
    """Player 1's discard after its stock draw may be the drawn card or any of its ten dealt cards; the
    drawn card may be any card player 0 has not seen, or that discard."""
    random.seed(12)
    deals = _deals("2s 5s 8s Jc 3c 6d 9d Qh 4h 7h", "As 4s 7s Tc 2c 5d 8d Jd 3h 6h", "Kd")
    actions = deals + ["Pass", "Pass", "Draw stock", "deal:9h", "Action: 9h", "Draw stock", "deal:Kh", "Action: 8d"]
    view = player_view(GAME, actions, 0)
    assert view[-1][1] is None and view[-1][0]["discard_pile"] == ["Kd", "9h", "8d"]
    seen_by_player = set("2s 5s 8s Jc 3c 6d 9d Qh 4h 7h Kd 9h 8d".split())
    positions = set(range(-1, 10))
    stock_cards = {c for c in DECK if c not in seen_by_player} | {"8d"}

    def project(history):
        p1_deal = [a[5:] for a in history[10:20]]
        drawn = history[27][5:]
        return p1_deal.index("8d") if "8d" in p1_deal else -1, drawn

    seen = set()
    for _ in range(8000):
        seen.add(project(GAME.resample_history(view, 0)))
        if {p for p, _ in seen} == positions and {d for _, d in seen} == stock_cards:
            break
    assert {p for p, _ in seen} == positions
    assert {d for _, d in seen} == stock_cards
    assert all((p == -1) == (d == "8d") for p, d in seen)


def test_resample_full_support_knock_with_a_pile_card() -> None:
    """Player 1 takes Ac from the pile and knocks keeping it: its other undeclared card is any unseen
    card worth at most 9."""
    random.seed(13)
    p0 = "Ac 2s 5s 8s Jc 4c 6d 9d Qs 7d"
    deals = _deals(p0, "Ah 2h 3h 4h 5h 6h 7h 8h 9h 3c", "Kd")
    actions = deals + ["Pass", "Pass", "Draw stock", "deal:Ts", "Action: Ac", "Draw upcard", "Action: Knock",
                       HEARTS_RUN, "Action: Done"]
    view = player_view(GAME, actions, 0)
    assert view[-1][0]["phase"] == "layoff"
    seen_by_player = set(p0.split()) | {"Kd", "Ts"} | {f"{r}h" for r in "A23456789"}
    expected = {c for c in DECK if c not in seen_by_player and VALUE[c] <= 9}

    def project(history):
        (other,) = set(replay(GAME, history)["hands"][1]) - {"Ac"}
        return other

    seen = _sample_until(view, 0, project, expected, 4000)
    assert seen == expected


def test_resample_orders_own_cards_by_the_layoff_lists() -> None:
    """A defender that never saw a discard list keeps the order its layoff lists show."""
    random.seed(14)
    deals = _deals("7s 7c 7h 4d 5d 6d 2s 3s 4s Ac", "7d 8d 3d As 5s Kc Kh Qc Qh Jc", "Ah")
    actions = deals + ["Draw upcard", "Action: Knock", "Action: 7s7c7h", "Action: 4d5d6d", "Action: 2s3s4s",
                       "Action: Done", "Action: 3d"]
    view = player_view(GAME, actions, 1)
    orders = set()
    for _ in range(400):
        history = GAME.resample_history(view, 1)
        assert view_mismatch(GAME, history, 1, view) is None
        own = [a[5:] for a in history[10:20]]
        assert own.index("7d") < own.index("3d") < own.index("As") < own.index("5s")
        orders.add(own.index("8d") < own.index("7d"))
    assert orders == {True, False}


def test_resample_reproduces_knocks_and_layoffs() -> None:
    """Random hands that end in a knock, cut at every turn of the defender and of the knocker."""
    random.seed(15)
    rng = random.Random(15)
    checked = 0
    for seed in range(400):
        state = GAME.get_initial_state()
        actions = []
        while GAME.get_current_player(state) != -4:
            action = _knocking_policy(state, rng)
            actions.append(action)
            state = GAME.apply_action(state, action)
        if state["knocker"] is None:
            continue
        for player in (0, 1):
            view = player_view(GAME, actions, player)
            for cut in range(1, len(view) + 1):
                prefix = view[:cut - 1] + [(view[cut - 1][0], None)]
                assert view_mismatch(GAME, GAME.resample_history(prefix, player), player, prefix) is None
                checked += 1
        if checked > 300:
            break
    assert checked > 300


def _knocking_policy(state: dict, rng: random.Random) -> str:
    """Mostly keep the hand with the least deadwood, knock and declare whenever possible."""
    legal = GAME.get_legal_actions(state)
    if "Action: Knock" in legal or (state["phase"] == "knock" and legal[-1] != "Action: Done"):
        return legal[-1]
    if state["phase"] == "discard" and rng.random() < 0.8:
        hand = state["hands"][state["current_player"]]
        return "Action: " + min(hand, key=lambda c: (GAME._deadwood(GAME._mask([h for h in hand if h != c])), rng.random()))
    return rng.choice(legal)


def _os_translate(os_state, action: int) -> str:
    text = os_state.action_to_string(action)
    if os_state.is_chance_node():
        return "deal:" + text.split()[-1]
    text = text.split("Action: ", 1)[1]
    if text == "Pass" and 52 not in os_state.legal_actions():
        return "Action: Pass"  # the wall's pass (at the upcard offer, drawing it is always possible)
    if text in ("Draw upcard", "Draw stock", "Pass"):
        return text
    return "Action: " + text


def test_agrees_with_openspiel_until_a_knock() -> None:
    game = pyspiel.load_game("gin_rummy")
    rng = random.Random(21)
    endings = {"wall": 0, "cap": 0}
    for playout in range(40):
        os_state = game.new_initial_state()
        state = GAME.get_initial_state()
        history = []
        drawn_upcard = None
        upcard_bias = playout % 2 == 1  # half the hands draw from the pile often, to reach the cap
        while not os_state.is_terminal():
            player = GAME.get_current_player(state)
            assert player == (-1 if os_state.is_chance_node() else os_state.current_player()), history
            if os_state.is_chance_node():
                theirs = {_os_translate(os_state, a): a for a, _ in os_state.chance_outcomes()}
                probabilities = {p for _, p in os_state.chance_outcomes()}
                assert set(GAME.get_legal_actions(state)) == set(theirs), history
                assert all(abs(p - 1 / len(theirs)) < 1e-12 for p in probabilities)
            else:
                theirs = {_os_translate(os_state, a): a for a in os_state.legal_actions()}
                ours = set(GAME.get_legal_actions(state))
                if "Action: Knock" in ours:
                    assert "Action: Knock" in theirs, history
                theirs.pop("Action: Knock", None)
                ours.discard("Action: Knock")
                assert ours == set(theirs), history
            options = sorted(set(theirs) - {f"Action: {drawn_upcard}"})
            if upcard_bias and "Draw upcard" in options and rng.random() < 0.9:
                action = "Draw upcard"
            else:
                action = rng.choice(options)
            drawn_upcard = state["discard_pile"][-1] if action == "Draw upcard" else None
            state = GAME.apply_action(state, action)
            os_state.apply_action(theirs[action])
            history.append(action)
        assert GAME.get_current_player(state) == -4, history
        assert GAME.get_rewards(state) == list(os_state.returns()) == [0.0, 0.0]
        endings["cap" if state["upcard_draws"] == 50 else "wall"] += 1
    assert endings["wall"] > 5 and endings["cap"] > 5
