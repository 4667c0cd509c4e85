"""first_price_auction: payoffs, hidden information, full-support resampling, and OpenSpiel.

OpenSpiel's `first_sealed_auction` with `max_value=5` draws the two valuations uniformly from 1-5 (two
chance moves, player 0's first; ours is one chance move `<v0><v1>`), then player 0 bids, then player 1,
and pays the winner its valuation minus its bid and the loser 0, like ours. Differences: OpenSpiel only
allows bids strictly below the bidder's valuation (ours: any bid 0-5), and it breaks ties with a chance
move (ours: player 0 wins ties). The cross-check therefore plays OpenSpiel's bids, checks that our legal
set is OpenSpiel's plus exactly the bids at or above the valuation, resolves OpenSpiel's tie-break (a chance move
over the tied players' ids) in player 0's favour and compares the returns.
"""

import random

import pyspiel

from gamecwm.games import load_reference
from gamecwm.games.information import player_view
from gamecwm.games.runtime import replay
from tests.games.information_support import consistent_histories

GAME = load_reference("first_price_auction")


def _consistent_histories(view, player: int) -> set[tuple[str, ...]]:
    """Every history that fits the view and stops at its last turn."""
    return consistent_histories(GAME, view, player, max_length=3)


def test_payoffs_over_all_games() -> None:
    for v0 in range(1, 6):
        for v1 in range(1, 6):
            for b0 in range(6):
                for b1 in range(6):
                    state = replay(GAME, [f"{v0}{v1}", f"bid_{b0}", f"bid_{b1}"])
                    expected = [0.0, float(v1 - b1)] if b1 > b0 else [float(v0 - b0), 0.0]
                    assert GAME.get_rewards(state) == expected
                    assert GAME.get_current_player(state) == -4


def test_observations_hide_the_opponent() -> None:
    """Histories differing only in the opponent's valuation (and, for player 1, player 0's bid) look the same."""
    for own in range(1, 6):
        for b_own in range(6):
            p0_views = {repr(player_view(GAME, [f"{own}{other}", f"bid_{b_own}"], 0)) for other in range(1, 6)}
            assert len(p0_views) == 1
            p1_views = {
                repr(player_view(GAME, [f"{other}{own}", f"bid_{b}"], 1)) for other in range(1, 6) for b in range(6)
            }
            assert p1_views == {repr([({"my_valuation": own}, None)])}
            for other in range(1, 6):
                obs = GAME.get_observations(replay(GAME, [f"{own}{other}", "bid_2", f"bid_{b_own}"]))
                assert obs[1] == {"my_valuation": other, "my_bid": b_own, "opponent_bid": 2, "winner": 1 if b_own > 2 else 0}
                assert obs[0] == {"my_valuation": own, "my_bid": 2, "opponent_bid": b_own, "winner": 1 if b_own > 2 else 0}
    assert GAME.get_observations(GAME.get_initial_state()) == [{}, {}]
    assert GAME.get_observations(replay(GAME, ["35", "bid_2"])) == [{"my_valuation": 3, "my_bid": 2}, {"my_valuation": 5}]


def test_resample_has_full_support() -> None:
    random.seed(3)
    for actions, player in ((["35"], 0), (["35", "bid_2"], 0), (["35", "bid_2"], 1), (["42", "bid_5", "bid_1"], 1)):
        view = player_view(GAME, actions, player)
        expected = _consistent_histories(view, player)
        assert len(expected) == (5 if player == 0 else 30)
        seen = set()
        for _ in range(3000):
            seen.add(tuple(GAME.resample_history(view, player)))
            if seen >= expected:
                break
        assert seen == expected


def test_resample_uses_a_revealed_opponent_bid() -> None:
    random.seed(5)
    view = [({"my_valuation": 5, "my_bid": 4, "opponent_bid": 2, "winner": 1}, "bid_4")]
    for _ in range(20):
        history = GAME.resample_history(view, 1)
        assert history[1:] == ["bid_2", "bid_4"] and history[0][1] == "5"


def test_get_player_name() -> None:
    names = [GAME.get_player_name(p) for p in (0, 1, -1, -4, 7)]
    assert names == ["Player 0", "Player 1", "Chance", "Terminal", "Unknown"]


def test_agrees_with_openspiel_first_sealed_auction() -> None:
    game = pyspiel.load_game("first_sealed_auction", {"max_value": 5})
    rng = random.Random(2)
    for _ in range(300):
        os_state = game.new_initial_state()
        values = []
        for _ in range(2):
            outcomes = os_state.chance_outcomes()
            assert outcomes == [(v, 0.2) for v in range(1, 6)]
            values.append(rng.choice(outcomes)[0])
            os_state.apply_action(values[-1])
        state = GAME.get_initial_state()
        assert GAME.get_current_player(state) == -1
        state = GAME.apply_action(state, f"{values[0]}{values[1]}")
        for player in (0, 1):
            assert GAME.get_current_player(state) == os_state.current_player() == player
            os_bids = {f"bid_{a}" for a in os_state.legal_actions()}
            ours = set(GAME.get_legal_actions(state))
            assert ours - os_bids == {f"bid_{n}" for n in range(values[player], 6)}
            assert os_bids <= ours
            bid = rng.choice(sorted(os_state.legal_actions()))
            os_state.apply_action(bid)
            state = GAME.apply_action(state, f"bid_{bid}")
        assert os_state.is_chance_node()
        winners = [outcome for outcome, _ in os_state.chance_outcomes()]
        os_state.apply_action(0 if 0 in winners else winners[0])
        assert os_state.is_terminal() and GAME.get_current_player(state) == -4
        assert GAME.get_rewards(state) == list(os_state.returns())
