"""negotiation: bargaining rules, private values, full-support resampling, and OpenSpiel's negotiation.

OpenSpiel's negotiation (with `enable_utterances=False`) is the same bargaining protocol: player 0
proposes first, a proposal is the proposer's kept share of each item type, the players alternate, the
agreement action (id 216) is legal once a proposal stands and makes a deal on the latest proposal, the
proposal that reaches `max_steps` ends the game with no deal, and a deal pays each player its received
items times its utilities. What differs, so that `crosscheck_playouts` cannot be used as is:
- its single chance outcome draws everything from an internal generator: an item pool of 0..5 per type,
  utilities 0..10 per type (not all zero), and `max_steps` between 4 and 10; ours is always a pool of
  2, 2, 2, values 0..3 and a deadline of 10 proposals, drawn by one of 4096 visible chance actions;
- it has no `reject` (walking away).
So the lockstep check keeps only OpenSpiel starts whose pool is 2, 2, 2 and whose `max_steps` is 10, plays
any of our value strings at our chance node, compares the player to move, terminal status and the legal
sets (ours without `reject`) at every step, never plays `reject`, and compares the returns: both
`[0, 0]` at the deadline, and after a deal our payoff rule evaluated with OpenSpiel's utility vectors
in place of our values (their utilities exceed our 0..3 range, so no value string of ours matches them).
"""

from __future__ import annotations

import copy
import itertools
import random

import pyspiel

from gamecwm.games import load_reference
from gamecwm.games.information import player_view, view_mismatch
from gamecwm.games.runtime import replay

GAME = load_reference("negotiation")
PROPOSALS = [f"propose_{b}_{h}_{l}" for b in range(3) for h in range(3) for l in range(3)]
VALUE_TRIPLES = list(itertools.product(range(4), repeat=3))
OS_AGREE = 216


def _values_action(v0, v1) -> str:
    return "v0_{}_{}_{}_v1_{}_{}_{}".format(*v0, *v1)


def test_legal_lists_and_reference_order() -> None:
    assert len(GAME.get_legal_actions(GAME.get_initial_state())) == 4096
    assert GAME.get_legal_actions(GAME.get_initial_state())[:2] == ["v0_0_0_0_v1_0_0_0", "v0_0_0_0_v1_0_0_1"]
    assert GAME.get_legal_actions(GAME.get_initial_state())[-1] == "v0_3_3_3_v1_3_3_3"
    state = replay(GAME, ["v0_1_2_3_v1_3_2_1"])
    assert GAME.get_legal_actions(state) == ["reject"] + PROPOSALS
    state = GAME.apply_action(state, "propose_1_0_2")
    assert GAME.get_legal_actions(state) == ["reject", "accept"] + PROPOSALS
    assert GAME.get_chance_outcomes(state) == []
    outcomes = GAME.get_chance_outcomes(GAME.get_initial_state())
    assert len(outcomes) == 4096 and all(p == 1 / 4096 for _, p in outcomes)


def test_observations_hold_only_own_values_and_public_facts() -> None:
    state = GAME.get_initial_state()
    assert GAME.get_observations(state) == [{}, {}]
    state = replay(GAME, ["v0_3_1_0_v1_0_2_2", "propose_2_0_0", "propose_1_2_2"])
    assert GAME.get_observations(state) == [
        {"my_values": [3, 1, 0], "proposal": [1, 2, 2], "proposer": 1, "num_proposals": 2},
        {"my_values": [0, 2, 2], "proposal": [1, 2, 2], "proposer": 1, "num_proposals": 2},
    ]
    final = GAME.apply_action(state, "accept")
    assert GAME.get_observations(final)[1] == {
        "my_values": [0, 2, 2], "proposal": [1, 2, 2], "proposer": 1, "num_proposals": 2, "outcome": "deal"}
    assert GAME.get_rewards(final) == [3.0, 8.0]
    walked = replay(GAME, ["v0_3_1_0_v1_0_2_2", "reject"])
    assert GAME.get_observations(walked)[0] == {
        "my_values": [3, 1, 0], "proposal": None, "proposer": None, "num_proposals": 0, "outcome": "no_deal"}


def test_deadline_and_no_mutation() -> None:
    state = replay(GAME, ["v0_3_3_3_v1_3_3_3"])
    for count in range(1, 11):
        assert GAME.get_current_player(state) == (count - 1) % 2
        before = copy.deepcopy(state)
        following = GAME.apply_action(state, "propose_2_2_2")
        assert state == before, "apply_action changed its input"
        assert following["num_proposals"] == count
        state = following
    assert GAME.get_current_player(state) == -4
    assert GAME.get_observations(state)[0]["outcome"] == "no_deal"
    assert GAME.get_observations(state)[0]["num_proposals"] == 10
    assert GAME.get_rewards(state) == [0.0, 0.0]
    for action in ("accept", "reject", "propose_0_0_0"):
        try:
            GAME.apply_action(state, action)
        except ValueError:
            continue
        raise AssertionError(f"{action} accepted after the deadline")


def _consistent_histories(view, player: int) -> set[tuple[str, ...]]:
    """Depth-first over the whole game tree, pruning a branch as soon as it contradicts the view.

    Every chance outcome and every opponent action is tried; a history is kept when it stops right
    after the player's last recorded action (or at the pending turn) with the view reproduced.
    """
    found = set()
    stack = [((), GAME.get_initial_state(), 0)]
    while stack:
        history, state, turn = stack.pop()
        mover = GAME.get_current_player(state)
        if mover == player:
            if turn >= len(view) or GAME.get_observations(state)[player] != view[turn][0]:
                continue
            action = view[turn][1]
            if action is None:
                found.add(history)
                continue
            if action not in GAME.get_legal_actions(state):
                continue
            if turn == len(view) - 1:
                found.add(history + (action,))
                continue
            stack.append((history + (action,), GAME.apply_action(state, action), turn + 1))
        elif mover != -4:
            for action in GAME.get_legal_actions(state):
                stack.append((history + (action,), GAME.apply_action(state, action), turn))
    assert all(view_mismatch(GAME, list(h), player, view) is None for h in found)
    return found


def test_resample_has_full_support() -> None:
    random.seed(5)
    cases = [
        (["v0_3_1_0_v1_0_2_2"], 0),
        (["v0_3_1_0_v1_0_2_2", "propose_2_0_0"], 1),
        (["v0_1_2_3_v1_2_0_0", "propose_2_0_0", "propose_1_2_2", "propose_0_2_1"], 1),
        (["v0_0_0_1_v1_3_3_3", "propose_1_1_1", "propose_2_2_0", "propose_1_1_1", "accept"], 0),
        (["v0_2_3_0_v1_1_1_1", "propose_2_2_2", "propose_0_0_0", "reject"], 0),
    ]
    for actions, player in cases:
        view = player_view(GAME, actions, player)
        expected = _consistent_histories(view, player)
        own = GAME.get_observations(replay(GAME, actions[:1]))[player]["my_values"]
        # Exactly the 64 opponent valuations, with the player's own values and the public line fixed.
        assert len(expected) == 64
        assert {h[0] for h in expected} == {
            _values_action(own, other) if player == 0 else _values_action(other, own) for other in VALUE_TRIPLES}
        seen = set()
        for _ in range(5000):
            seen.add(tuple(GAME.resample_history(view, player)))
            if seen >= expected:
                break
        assert seen == expected


def test_resample_draws_opponent_values_uniformly() -> None:
    random.seed(9)
    view = player_view(GAME, ["v0_1_1_1_v1_2_2_2", "propose_1_1_1"], 1)
    counts = [[0] * 4 for _ in range(3)]
    samples = 4000
    for _ in range(samples):
        values = GAME.resample_history(view, 1)[0].split("_")[1:4]
        for item, value in enumerate(values):
            counts[item][int(value)] += 1
    assert all(abs(c / samples - 0.25) < 0.03 for row in counts for c in row)


def test_opponent_values_never_leak() -> None:
    """The same bargaining line under different opponent values looks identical to the player."""
    rng = random.Random(3)
    compared = 0
    for _ in range(60):
        player = rng.randrange(2)
        own = rng.choice(VALUE_TRIPLES)
        state = replay(GAME, [_values_action(own, own)])
        line = []
        while GAME.get_current_player(state) != -4:
            action = rng.choice(GAME.get_legal_actions(state))
            line.append(action)
            state = GAME.apply_action(state, action)
        seen = []
        for other in rng.sample(VALUE_TRIPLES, 4):
            actions = [_values_action(own, other) if player == 0 else _values_action(other, own)] + line
            observations = [GAME.get_observations(replay(GAME, actions[:k]))[player] for k in range(len(actions) + 1)]
            seen.append((observations, player_view(GAME, actions, player)))
        assert all(item == seen[0] for item in seen)
        compared += len(seen)
    assert compared == 240


def _openspiel_starts(count: int) -> list:
    """OpenSpiel states after the chance draw whose pool is 2, 2, 2 and whose deadline is 10 proposals."""
    game = pyspiel.load_game("negotiation", {"enable_utterances": False, "rng_seed": 7})
    starts = []
    for _ in range(400_000):
        state = game.new_initial_state()
        state.apply_action(0)
        if list(state.item_pool()) == [2, 2, 2] and str(state).startswith("Max steps: 10\n"):
            starts.append(state)
            if len(starts) == count:
                break
    assert len(starts) == count
    return starts


def _translate(os_state, action: int) -> str:
    if action == OS_AGREE:
        return "accept"
    text = os_state.action_to_string(action)
    assert text.startswith("Proposal: [")
    b, h, l = (int(n) for n in text[len("Proposal: ["):-1].split(", "))
    return f"propose_{b}_{h}_{l}"


def test_agrees_with_openspiel_negotiation() -> None:
    rng = random.Random(21)
    deals = deadlines = 0
    for start in _openspiel_starts(30):
        utilities = [list(start.agent_utils(0)), list(start.agent_utils(1))]
        for _ in range(12):
            os_state = start.clone()
            state = replay(GAME, [rng.choice(GAME.get_legal_actions(GAME.get_initial_state()))])
            history = []
            while not os_state.is_terminal():
                assert GAME.get_current_player(state) == os_state.current_player(), history
                os_ids = {_translate(os_state, a): a for a in os_state.legal_actions()}
                ours = set(GAME.get_legal_actions(state))
                assert ours - {"reject"} == set(os_ids), history
                choices = sorted(os_ids)
                # Accept often enough that deals happen before the deadline in a good share of games.
                action = "accept" if "accept" in choices and rng.random() < 0.25 else rng.choice(choices)
                state = GAME.apply_action(state, action)
                os_state.apply_action(os_ids[action])
                history.append(action)
            assert GAME.get_current_player(state) == -4, history
            returns = list(os_state.returns())
            if history[-1] == "accept":
                deals += 1
                assert GAME.get_rewards(dict(state, values=utilities)) == returns, history
            else:
                deadlines += 1
                assert len(history) == 10
                assert GAME.get_rewards(state) == returns == [0.0, 0.0], history
    assert deals > 100 and deadlines > 10
