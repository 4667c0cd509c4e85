"""hanabi: observations, hint knowledge, the last round, resampling, and OpenSpiel's hanabi.

OpenSpiel registers "hanabi" (the Hanabi Learning Environment) with the same defaults as our spec: two
players, five colours and ranks with the same copies, hands of 5, 8 information and 3 life tokens, the
first five cards dealt to player 0, draws appended to the actor's hand, discards illegal at 8 tokens,
reveals only of a colour/rank the partner holds, a last round of one turn per player after the last
draw, and a return equal to the score (0 once the lives are gone). One rule differs: OpenSpiel gives an
information token back when a stack is completed with a 5, ours does not. The lockstep check therefore
never plays a card that would complete a stack while fewer than 8 clues are left (so both games keep the
same clue count); everything else (players, legal sets, chance probabilities, returns) is compared at
every step. Its action strings `(Play i)`, `(Discard i)`, `(Reveal player +1 color R)`,
`(Reveal player +1 rank 3)` and `(Deal R1)` translate one to one into ours.
"""

import itertools
import random

import pyspiel
import pytest

from gamecwm.games import load_reference
from gamecwm.games.information import player_view, view_mismatch
from gamecwm.games.runtime import random_action, replay

GAME = load_reference("hanabi")
COLOUR_NAMES = {"R": "Red", "Y": "Yellow", "G": "Green", "B": "Blue", "W": "White"}
WORKED_DEAL = ["deal:R,1", "deal:B,3", "deal:G,1", "deal:W,5", "deal:R,2",
               "deal:Y,1", "deal:Y,1", "deal:G,2", "deal:B,4", "deal:W,1"]


def _careful_game(seed: int, deck_order: list[str] | None = None, script=None) -> list[str]:
    """A whole game where plays are only made with playable cards (so it usually reaches the last round).

    Chance follows `deck_order` when given; `script(state, turn)` may override a player's choice.
    """
    rng = random.Random(seed)
    state = GAME.get_initial_state()
    actions: list[str] = []
    turn = 0
    while GAME.get_current_player(state) != -4:
        player = GAME.get_current_player(state)
        if player == -1:
            if deck_order:
                action = deck_order[sum(1 for a in actions if a.startswith("deal"))]
            else:
                action = random_action(GAME, state, rng)
        else:
            turn += 1
            action = script(state, turn) if script else None
            if action is None:
                legal = GAME.get_legal_actions(state)
                hand = state["hands"][player]
                playable = [a for a in legal if a.startswith("Play")
                            and state["fireworks"][hand[int(a[5:])][0]] == hand[int(a[5:])][1] - 1]
                others = [a for a in legal if not a.startswith("Play")]
                action = rng.choice(playable if playable and rng.random() < 0.8 else others or legal)
        actions.append(action)
        state = GAME.apply_action(state, action)
    return actions


def test_worked_example_observations_and_knowledge() -> None:
    state = replay(GAME, WORKED_DEAL + ["Reveal rank 1 1"])
    obs0, obs1 = GAME.get_observations(state)
    assert obs1 == {
        "fireworks": {"R": 0, "Y": 0, "G": 0, "B": 0, "W": 0},
        "discard": [],
        "clues": 7,
        "lives": 3,
        "deck_size": 40,
        "partner_hand": [["R", 1], ["B", 3], ["G", 1], ["W", 5], ["R", 2]],
        "partner_knowledge": [[None, None]] * 5,
        "my_knowledge": [[None, 1], [None, 1], [None, None], [None, None], [None, 1]],
        "history": ["Reveal rank 1 1"],
        "current_player": 1,
        "game_over": False,
        "player_id": 1,
    }
    assert obs0["partner_hand"] == [["Y", 1], ["Y", 1], ["G", 2], ["B", 4], ["W", 1]]
    assert obs0["partner_knowledge"] == obs1["my_knowledge"] and obs0["my_knowledge"] == [[None, None]] * 5
    assert obs0["player_id"] == 0 and obs0["current_player"] == 1
    # Play 0 (Y1): the knowledge of the played card goes with it, the rest shift down.
    state = replay(GAME, WORKED_DEAL + ["Reveal rank 1 1", "Play 0", "deal:R,5"])
    obs0, obs1 = GAME.get_observations(state)
    assert obs1["my_knowledge"] == [[None, 1], [None, None], [None, None], [None, 1], [None, None]]
    assert obs0["partner_hand"] == [["Y", 1], ["G", 2], ["B", 4], ["W", 1], ["R", 5]]
    assert obs0["fireworks"]["Y"] == 1 and obs0["deck_size"] == 39 and obs0["history"] == ["Reveal rank 1 1", "Play 0"]
    # A colour reveal then fills the other half of the matching cards' knowledge.
    state = GAME.apply_action(state, "Reveal color 1 Yellow")
    assert GAME.get_observations(state)[1]["my_knowledge"] == [
        ["Y", 1], [None, None], [None, None], [None, 1], [None, None]]


def test_failed_play_goes_to_the_discard_pile_in_order() -> None:
    state = replay(GAME, WORKED_DEAL + ["Play 1", "deal:Y,2", "Reveal rank 0 1", "Discard 0", "deal:R,3"])
    obs = GAME.get_observations(state)[1]
    assert obs["discard"] == [["B", 3], ["R", 1]]
    assert (obs["lives"], obs["clues"], obs["deck_size"]) == (2, 8, 38)
    assert obs["my_knowledge"] == [[None, None]] * 5
    assert obs["partner_hand"] == [["G", 1], ["W", 5], ["R", 2], ["Y", 2], ["R", 3]]
    # The revealed 1 (G1, index 2 then 0) keeps its knowledge; the discarded R1 takes its own with it.
    assert obs["partner_knowledge"] == [[None, 1], [None, None], [None, None], [None, None], [None, None]]


def test_observations_never_show_own_cards() -> None:
    for seed in range(20):
        actions = _careful_game(seed)
        state = GAME.get_initial_state()
        for action in actions:
            for player, observation in enumerate(GAME.get_observations(state)):
                assert observation["partner_hand"] == state["hands"][1 - player]
                assert len(observation["my_knowledge"]) == len(state["hands"][player])
                assert set(observation) == {"fireworks", "discard", "clues", "lives", "deck_size", "partner_hand",
                                            "partner_knowledge", "my_knowledge", "history", "current_player",
                                            "game_over", "player_id"}
            state = GAME.apply_action(state, action)


def test_last_round_gives_each_player_one_turn() -> None:
    checked = 0
    for seed in range(30):
        actions = _careful_game(seed)
        state = GAME.get_initial_state()
        last_draw = None
        for index, action in enumerate(actions):
            drawer = state["drawer"]
            state = GAME.apply_action(state, action)
            if action.startswith("deal") and not any(state["deck"]):
                last_draw = (index, drawer)
        if state["lost"] or sum(state["fireworks"].values()) == 25:
            continue
        index, drawer = last_draw
        # After the last draw: exactly two turns, the other player's first, and no chance node.
        tail = actions[index + 1:]
        assert len(tail) == 2 and not any(a.startswith("deal") for a in tail)
        assert GAME.get_current_player(replay(GAME, actions[:index + 1])) == 1 - drawer
        assert GAME.get_current_player(replay(GAME, actions[:index + 2])) == drawer
        assert GAME.get_observations(state)[0]["game_over"] is True
        assert GAME.get_current_player(state) == -4 and GAME.get_legal_actions(state) == []
        checked += 1
    assert checked >= 20


def _hidden_slots(actions: list[str], player: int, pending: bool) -> tuple[list[int], list[str]]:
    """Positions (in `actions`) of the deals of the player's hand at its last observation, and the pool
    of cards (that hand plus what is left in the deck) a consistent history may put there."""
    state = GAME.get_initial_state()
    positions: list[list[int]] = [[], []]
    stop = len(actions) if pending else len(actions) - 1
    for index, action in enumerate(actions[:stop]):
        mover = GAME.get_current_player(state)
        if mover == -1:
            positions[state["drawer"]].append(index)
        elif action.split()[0] in ("Play", "Discard"):
            positions[mover].pop(int(action.split()[1]))
        state = GAME.apply_action(state, action)
    pool = [f"deal:{c},{r}" for c, r in state["hands"][player]]
    for card, action in zip(state["deck"], [f"deal:{c},{r}" for c in "RYGBW" for r in range(1, 6)]):
        pool += [action] * card
    return positions[player], pool


def _consistent_histories(actions: list[str], player: int) -> set[tuple[str, ...]]:
    """Brute force: every placement of the unseen cards into the player's hand that replays to its view."""
    view = player_view(GAME, actions, player)
    pending = view[-1][1] is None
    slots, pool = _hidden_slots(actions, player, pending)
    found = set()
    for cards in set(itertools.permutations(pool, len(slots))):
        history = list(actions)
        for slot, card in zip(slots, cards):
            history[slot] = card
        if view_mismatch(GAME, history, player, view) is None:
            found.add(tuple(history))
    return found


def _exhaustion_line(last_drawer: int) -> list[str]:
    """A full deterministic game where one player only reveals and the other discards until the deck is empty."""
    order = ["R1", "Y2", "G2", "B2", "W2", "R2", "Y1", "G1", "B1", "W1"]
    rest = [f"{c}{r}" for c in "RYGBW" for r in (1, 1, 1, 2, 2, 3, 3, 4, 4, 5)]
    for card in order:
        rest.remove(card)
    random.Random(5).shuffle(rest)
    deck = [f"deal:{card[0]},{card[1]}" for card in order + rest]

    def script(state, turn):
        mover = state["current_player"]
        legal = GAME.get_legal_actions(state)
        if mover != last_drawer or state["clues"] == 8:
            # Revealing the rank of the deck's last card makes the unmarked cards exclude it.
            preferred = f"Reveal rank {1 - mover} {deck[-1][-1]}"
            return preferred if preferred in legal else [a for a in legal if a.startswith("Reveal")][0]
        return "Discard 0"

    return _careful_game(0, deck, script)


@pytest.mark.slow
def test_resample_has_full_support_in_the_last_round() -> None:
    random.seed(31)
    line0 = _exhaustion_line(0)
    line1 = _exhaustion_line(1)
    last0 = max(i for i, a in enumerate(line0) if a.startswith("deal"))
    last1 = max(i for i, a in enumerate(line1) if a.startswith("deal"))
    assert len(line0) == last0 + 3 and len(line1) == last1 + 3
    cases = [
        (line0[:last0 - 1], 0),  # pending, one card left in the deck
        (line0[:last0], 0),  # the player's own discard is the last action: its card stays unseen
        (line0[:last0 + 1], 1),  # the partner's view after the last draw
        (line0[:last0 + 2], 0),  # pending in the last round, deck empty
        (line1[:last1 + 1], 0),  # pending, deck empty, the partner drew last
        (line1, 1),  # the player's final action ends the game
    ]
    sizes = []
    for actions, player in cases:
        view = player_view(GAME, actions, player)
        expected = _consistent_histories(actions, player)
        assert len(expected) >= 2
        sizes.append(len(expected))
        seen = set()
        for _ in range(30 * len(expected) + 200):
            seen.add(tuple(GAME.resample_history(view, player)))
            if seen >= expected:
                break
        assert seen == expected, (player, len(seen), len(expected))
    assert max(sizes) >= 10


def test_hidden_cards_never_leak() -> None:
    """Swapping two of a player's own cards that no reveal touched changes nothing the player sees."""
    rng = random.Random(7)
    compared = 0
    for seed in range(40):
        actions = _careful_game(seed)
        cut = rng.randrange(20, len(actions))
        prefix = actions[:cut]
        player = rng.randrange(2)
        slots, _ = _hidden_slots(prefix, player, pending=True)
        # Only slots that no reveal to the player has touched since their deal.
        untouched = []
        reveals_to_player = (f"Reveal color {player} ", f"Reveal rank {player} ")
        for slot in slots:
            if not any(a.startswith(reveals_to_player) for a in prefix[slot + 1:]):
                untouched.append(slot)
        pairs = [(a, b) for a, b in itertools.combinations(untouched, 2) if prefix[a] != prefix[b]]
        if not pairs:
            continue
        a, b = rng.choice(pairs)
        swapped = list(prefix)
        swapped[a], swapped[b] = prefix[b], prefix[a]
        assert player_view(GAME, swapped, player) == player_view(GAME, prefix, player)
        state, other = replay(GAME, prefix), replay(GAME, swapped)
        assert GAME.get_observations(state)[player] == GAME.get_observations(other)[player]
        assert GAME.get_observations(state)[1 - player] != GAME.get_observations(other)[1 - player]
        compared += 1
    assert compared >= 10


def _translate(os_state, os_action: int, mover: int) -> str:
    words = os_state.action_to_string(os_action).strip("()").split()
    if words[0] == "Deal":
        return f"deal:{words[1][0]},{words[1][1]}"
    if words[0] in ("Play", "Discard"):
        return f"{words[0]} {words[1]}"
    target = (mover + int(words[2])) % 2
    value = COLOUR_NAMES[words[4]] if words[3] == "color" else words[4]
    return f"Reveal {words[3]} {target} {value}"


def test_agrees_with_openspiel_hanabi() -> None:
    game = pyspiel.load_game("hanabi")
    assert game.num_players() == 2
    rng = random.Random(11)
    endings = {"lost": 0, "exhausted": 0}
    for _ in range(120):
        state = GAME.get_initial_state()
        os_state = game.new_initial_state()
        history = []
        while not os_state.is_terminal():
            player = GAME.get_current_player(state)
            assert player == (-1 if os_state.is_chance_node() else os_state.current_player()), history
            if os_state.is_chance_node():
                os_ids = {_translate(os_state, a, -1): (a, p) for a, p in os_state.chance_outcomes()}
                ours = dict(GAME.get_chance_outcomes(state))
                assert set(ours) == set(os_ids) == set(GAME.get_legal_actions(state)), history
                assert all(abs(ours[a] - os_ids[a][1]) < 1e-9 for a in ours), history
                action = rng.choice(sorted(ours))
                os_action = os_ids[action][0]
            else:
                os_ids = {_translate(os_state, a, player): a for a in os_state.legal_actions()}
                legal = GAME.get_legal_actions(state)
                assert set(legal) == set(os_ids), history
                hand = state["hands"][player]
                fireworks = state["fireworks"]
                playable = [a for a in legal if a.startswith("Play")
                            and fireworks[hand[int(a[5:])][0]] == hand[int(a[5:])][1] - 1]
                # A completing 5 with fewer than 8 clues is where OpenSpiel's clue count would differ.
                allowed = [a for a in legal if a not in playable or hand[int(a[5:])][1] < 5 or state["clues"] == 8]
                good = [a for a in playable if a in allowed]
                safe = [a for a in allowed if not a.startswith("Play")]
                roll = rng.random()
                action = rng.choice(good if good and roll < 0.7 else safe if safe and roll < 0.9 else allowed)
                os_action = os_ids[action]
            state = GAME.apply_action(state, action)
            os_state.apply_action(os_action)
            history.append(action)
        assert GAME.get_current_player(state) == -4, history
        assert GAME.get_rewards(state) == list(os_state.returns()), history
        endings["lost" if state["lost"] else "exhausted"] += 1
    assert min(endings.values()) >= 10
