"""hand_of_war: battles, ties and the pot, depletion, hidden hands and piles, full-support resampling.

OpenSpiel does not implement Hand of War (it is not among `pyspiel.registered_names()`), so there is no
OpenSpiel cross-check; the test below asserts that it is still absent.
"""

import itertools
import random
from collections import Counter

import pyspiel

from gamecwm.games import load_reference
from gamecwm.games.information import player_view, view_mismatch
from gamecwm.games.playout import random_playout
from gamecwm.games.runtime import replay

GAME = load_reference("hand_of_war")
RANKS = "AKQJ"
WORKED_DEAL = [f"deal:{c}" for c in "AKQJAKQJ" * 2]


def _plays(cards: str) -> list[str]:
    return [f"play:{c}" for c in cards]


def test_not_in_openspiel() -> None:
    assert "hand_of_war" not in pyspiel.registered_names()
    assert not any("war" in name and name != "oware" for name in pyspiel.registered_names())


def test_chance_probabilities_follow_the_undealt_cards() -> None:
    state = GAME.get_initial_state()
    rng = random.Random(2)
    for _ in range(16):
        outcomes = dict(GAME.get_chance_outcomes(state))
        left = Counter({r: 4 for r in RANKS}) - Counter(state["dealt"])
        assert outcomes == {f"deal:{r}": left[r] / sum(left.values()) for r in RANKS if left[r]}
        assert list(outcomes) == GAME.get_legal_actions(state)
        state = GAME.apply_action(state, rng.choice(list(outcomes)))
    assert GAME.get_current_player(state) == 0


def test_worked_example_observations() -> None:
    assert GAME.get_observations(replay(GAME, WORKED_DEAL[:5])) == [{"cards_dealt": 5}, {"cards_dealt": 5}]
    state = replay(GAME, WORKED_DEAL)
    assert state["hands"] == [["A", "K", "Q"], ["A", "K", "Q"]]
    assert state["piles"] == [["J", "A", "K", "Q", "J"], ["J", "A", "K", "Q", "J"]]
    base = {"revealed": [], "hand_sizes": [3, 3], "pile_sizes": [5, 5], "win_pile_sizes": [0, 0],
            "pot_size": 0, "terminal": False}
    assert GAME.get_observations(state) == [
        {"my_hand": ["A", "K", "Q"], "my_pending": None, "opponent_committed": False, **base, "player_id": 0},
        {"my_hand": ["A", "K", "Q"], "my_pending": None, "opponent_committed": False, **base, "player_id": 1},
    ]
    obs0, obs1 = GAME.get_observations(replay(GAME, WORKED_DEAL + ["play:A"]))
    assert (obs0["my_pending"], obs0["opponent_committed"], obs0["my_hand"]) == ("A", False, ["K", "Q"])
    assert (obs1["my_pending"], obs1["opponent_committed"], obs1["hand_sizes"]) == (None, True, [2, 3])
    obs0, obs1 = GAME.get_observations(replay(GAME, WORKED_DEAL + _plays("AKQQ")))
    assert obs0["my_hand"] == ["K", "J"] and obs1["my_hand"] == ["A", "J"]
    counts = (obs0["pot_size"], obs0["hand_sizes"], obs0["pile_sizes"], obs0["win_pile_sizes"])
    assert counts == (4, [2, 2], [3, 3], [2, 0])
    assert obs0["revealed"] == [["A", "K"], ["Q", "Q"]]
    final = replay(GAME, WORKED_DEAL + _plays("AKQQKAKJQK"))
    obs0, obs1 = GAME.get_observations(final)
    assert obs0["terminal"] and obs1["terminal"] and obs0["win_pile_sizes"] == [4, 8]
    assert GAME.get_rewards(final) == [-1.0, 1.0] and final["winner"] == 1


def test_failed_refill_keeps_earlier_draws() -> None:
    """Three ties from the start: player 0 draws the last two cards of its pile, then the game ends."""
    state = replay(GAME, WORKED_DEAL + _plays("AAKKQQ"))
    assert GAME.get_current_player(state) == -4
    assert state["hands"] == [["Q", "J"], []] and state["piles"] == [[], ["Q", "J"]]
    assert len(state["pot"]) == 12 and GAME.get_rewards(state) == [0.0, 0.0]
    obs = GAME.get_observations(state)[1]
    assert (obs["hand_sizes"], obs["pile_sizes"], obs["pot_size"]) == ([2, 0], [0, 2], 12)


def test_burns_go_to_the_pot_face_down() -> None:
    state = replay(GAME, WORKED_DEAL + _plays("AA"))
    assert state["pot"] == ["A", "A", "J", "J"] and state["hands"] == [["K", "Q"], ["K", "Q"]]
    for obs in GAME.get_observations(state):
        assert obs["pot_size"] == 4 and "J" not in repr(obs["revealed"])
    # The next decisive battle takes pot and battle cards: 4 + 2.
    state = GAME.apply_action(GAME.apply_action(state, "play:K"), "play:Q")
    assert len(state["win_piles"][0]) == 6 and state["pot"] == []


def test_input_states_are_not_changed() -> None:
    state = replay(GAME, WORKED_DEAL + ["play:A"])
    snapshot = repr(state)
    GAME.apply_action(state, "play:A")
    assert repr(state) == snapshot


# ---- full support -------------------------------------------------------------------------------------


def _distinct_orders(cards: Counter) -> list[tuple[str, ...]]:
    return sorted(set(itertools.permutations(cards.elements())))


def _consistent_histories(actions: list[str], player: int, factorised: bool = True) -> set[tuple[str, ...]]:
    """Every history (16 deals, the plays) that reproduces the player's view of `actions`, by brute force.

    Candidates: every split of the deck into the player's 8 pile cards (which must include every card it
    has held) and the opponent's 8 (which must include every card the opponent revealed); every order of
    each pile whose top three fit what the game shows first (the player's first hand; the opponent's first
    revealed card among its top three); and, when player 0's committed card is still hidden, each rank.
    view_mismatch decides.

    `factorised`: for views that pin the split (the player has seen all its pile cards but burned ones, and
    the unseen cards are all of one rank), the battles' course is fixed by the revealed cards, so whether a
    deal fits depends on the player's pile order only through its own observations and on the opponent's
    pile order only through the legality of the revealed (and committed) plays. The consistent deals are
    then (own orders that fit with the true opponent pile) x (opponent orders that fit with the true own
    pile), which avoids replaying the whole product. One test checks both ways agree.
    """
    view = player_view(GAME, actions, player)
    opponent = 1 - player
    observations = [obs for obs, _ in view]
    own_actions = [a for _, a in view]
    held = Counter(observations[0]["my_hand"])
    for turn in range(len(view) - 1):
        kept = Counter(observations[turn]["my_hand"]) - Counter([own_actions[turn][5:]])
        held += Counter(observations[turn + 1]["my_hand"]) - kept
    battles = observations[-1]["revealed"]
    shown = Counter(b[opponent] for b in battles)
    deck = Counter({r: 4 for r in RANKS})
    pool = deck - held - shown
    plays = [f"play:{c}" for battle in battles for c in battle]
    tails = [[own_actions[-1]] if own_actions[-1] else []]
    if player == 1:
        tails = [[f"play:{r}"] + tails[0] for r in RANKS]
    splits = set(itertools.combinations(sorted(pool.elements()), 8 - sum(held.values())))

    def history(own_order, other_order, tail):
        piles = (own_order + other_order) if player == 0 else (other_order + own_order)
        return tuple([f"deal:{c}" for c in piles] + plays + tail)

    def fits(candidate) -> bool:
        return view_mismatch(GAME, list(candidate), player, view) is None

    found = set()
    for extra in splits:
        own = held + Counter(extra)
        other = deck - own
        own_orders = [o for o in _distinct_orders(own) if Counter(o[:3]) == Counter(observations[0]["my_hand"])]
        other_orders = [o for o in _distinct_orders(other) if not battles or battles[0][opponent] in o[:3]]
        if not factorised:
            for own_order, other_order, tail in itertools.product(own_orders, other_orders, tails):
                if fits(history(own_order, other_order, tail)):
                    found.add(history(own_order, other_order, tail))
            continue
        assert len(splits) == 1
        deals = [a[5:] for a in actions[:16]]
        true_own = tuple(deals[:8] if player == 0 else deals[8:])
        true_other = tuple(deals[8:] if player == 0 else deals[:8])
        true_tail = list(actions[16 + len(plays):])
        own_fit = [o for o in own_orders if fits(history(o, true_other, true_tail))]
        other_fit = [(o, t) for o in other_orders for t in tails if fits(history(true_own, o, t))]
        found |= {history(own_order, other_order, tail) for own_order in own_fit for other_order, tail in other_fit}
    return found


def _check_full_support(actions: list[str], player: int, minimum: int) -> None:
    view = player_view(GAME, actions, player)
    expected = _consistent_histories(actions, player)
    assert tuple(actions) in expected and len(expected) >= minimum
    seen = set()
    for _ in range(30 * len(expected)):
        history = tuple(GAME.resample_history(view, player))
        assert history in expected, history
        seen.add(history)
        if seen == expected:
            break
    assert seen == expected, (len(seen), len(expected))


NO_TIE_DEAL = [f"deal:{c}" for c in "AKAKKAKA" + "QJJQQJQJ"]


def test_factorised_enumeration_matches_the_full_product() -> None:
    actions = NO_TIE_DEAL + _plays("AQKJAQKJAQ")
    assert _consistent_histories(actions, 0, factorised=False) == _consistent_histories(actions, 0)


def test_full_support_player_0_without_ties() -> None:
    random.seed(11)
    _check_full_support(NO_TIE_DEAL + _plays("AQKJAQKJAQ"), 0, 50)


def test_full_support_player_1_with_hidden_commitment() -> None:
    random.seed(12)
    _check_full_support(NO_TIE_DEAL + _plays("AQKJAQKJAQ") + ["play:K"], 1, 50)


def test_full_support_with_a_tie_and_burned_cards() -> None:
    """A K-K tie in battle 5 burns the last pile card of each player, unseen even by its owner."""
    random.seed(13)
    deal = [f"deal:{c}" for c in "AQKAQKAJ" + "KQJAJQKJ"]
    _check_full_support(deal + _plays("AKQAAQKQKK"), 0, 20)
    deal = [f"deal:{c}" for c in "KQJAJQKJ" + "AQKAQKAJ"]
    _check_full_support(deal + _plays("KAAQQAQKKK") + ["play:J"], 1, 20)


# ---- no leak and speed ----------------------------------------------------------------------------------


def test_opponent_cards_never_leak() -> None:
    """Deals that differ only in the opponent's hidden cards give the player identical views."""
    # Player 1's pile differs in the cards below its top three; its plays stay the same.
    own = "AKQJAKQJ"
    first, second = "KQJAKQJA", "KQJJAAKQ"
    line = _plays("AK")  # decisive battle: each player draws one new card
    views = [player_view(GAME, [f"deal:{c}" for c in own + other] + line, 0) for other in (first, second)]
    assert views[0] == views[1]
    # Player 0's committed card stays hidden from player 1, whatever it is.
    deal = [f"deal:{c}" for c in own + first]
    views = [player_view(GAME, deal + [card], 1) for card in ("play:A", "play:K", "play:Q")]
    assert views[0] == views[1] == views[2]
    # Burned cards stay hidden from both players, their owner included: two A-A, K-K ties burn J then A
    # (first deal) or A then A (second deal, player 1 burning J then J instead).
    deals = ["AKQJAKQJ" + "AKQJAKQJ", "AKQAAKQJ" + "AKQJJKQJ"]
    for player in (0, 1):
        burned = [player_view(GAME, [f"deal:{c}" for c in d] + _plays("AAKK"), player) for d in deals]
        assert burned[0] == burned[1]


def test_no_leak_over_random_games() -> None:
    """Resampled histories differ in the opponent's hidden cards yet give the player the same views."""
    random.seed(21)
    differing = 0
    for seed in range(30):
        actions = random_playout(GAME, seed=seed).actions
        for player in (0, 1):
            view = player_view(GAME, actions[:-1], player)
            other = GAME.resample_history(view, player)
            opponent_deals = slice(8, 16) if player == 0 else slice(0, 8)
            differing += other[opponent_deals] != actions[opponent_deals]
            assert view_mismatch(GAME, other, player, view) is None
    assert differing > 10
