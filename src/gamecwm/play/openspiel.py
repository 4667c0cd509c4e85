"""Any GameCWM as an OpenSpiel game: a registered Python game that OpenSpiel's algorithms can run on.

`register_gamecwm(module, short_name)` registers the module with `pyspiel.register_game`;
`openspiel_game(module_or_game_name)` registers (once) and returns the loaded `pyspiel.Game`, on which
OpenSpiel's MCTSBot, ISMCTSBot, CFR, exploitability and `pyspiel.random_sim_test` run.

How the GameCWM maps onto OpenSpiel:

* **Action ids.** OpenSpiel actions are integers; GameCWM actions are strings. The wrapper explores
  the game to collect every action string (`gamecwm.games.exploration.explore`): a breadth-first
  search over distinct states from the initial state, capped at `max_states` states (default
  20,000), then `playouts` seeded random playouts (default 200, each at most `max_game_length`
  actions when that is given) to reach deeper parts of larger games. Player
  actions and chance outcomes get separate tables, each numbered in sorted string order, so legal
  action lists come out ascending. An action the exploration never met raises `ActionTableError`
  when it occurs; raise the caps or pass `actions=` / `chance_actions=` to give the tables outright.
* **Game facts.** The information kind is imperfect when the module defines `resample_history`;
  chance is explicit when a chance node was met. Utility bounds and the utility kind (zero-, constant-
  or general-sum) come from the terminal rewards met (exact when the search covered the whole game,
  `utility_range=` overrides them); `max_game_length` is the registry's bound for a registered game,
  else the longest game met, else the given value.
* **Information states.** A player's information state string is the canonical text
  (`gamecwm.games.runtime.canonical`) of its view: its (observation, own action) pairs at its own
  turns followed by its current observation, the same view `resample_history` receives
  (`gamecwm.games.information.player_view`). The observation string is the canonical text of the
  player's current observation. Equal observations give equal strings whatever their container types
  (tuples, sets, keys that are not strings). No tensors are provided.
* **Resampling.** `resample_from_infostate(player, sampler)` calls the module's `resample_history`
  on the player's view and replays the history it returns; the module draws from Python's global
  `random` (seed it for reproducible runs), not from OpenSpiel's sampler.

States of a GameCWM are treated as immutable values (the protocol's `apply_action` returns a new
state), so cloning an OpenSpiel state shares them instead of copying.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pyspiel

from gamecwm.games.exploration import explore
from gamecwm.games.runtime import canonical
from gamecwm.protocol import CHANCE_PLAYER_ID, TERMINAL_PLAYER_ID, Action, State, chance_outcomes

DEFAULT_MAX_STATES = 20_000
DEFAULT_PLAYOUTS = 200
NAME_PREFIX = "gamecwm_"


class ActionTableError(KeyError):
    """An action string outside the explored action table (raise the exploration caps)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "action outside the table"


class _Snapshot:
    """One GameCWM state with the path that reached it (immutable, so clones share it)."""

    __slots__ = ("state", "parent", "action", "mover", "_views")

    def __init__(self, state: State, parent: "_Snapshot | None", action: Action | None, mover: int | None):
        self.state = state
        self.parent = parent
        self.action = action
        self.mover = mover
        self._views: dict[int, list[tuple[Any, Action | None]]] = {}

    def __deepcopy__(self, memo: dict[int, Any]) -> "_Snapshot":
        return self

    def view(self, module: ModuleType, player: int) -> list[tuple[Any, Action | None]]:
        """The player's (observation, own action) pairs along the path, then its current observation."""
        cached = self._views.get(player)
        if cached is None:
            pairs: list[tuple[Any, Action | None]] = []
            node = self
            while node.parent is not None:
                if node.mover == player:
                    pairs.append((module.get_observations(node.parent.state)[player], node.action))
                node = node.parent
            pairs.reverse()
            pairs.append((module.get_observations(self.state)[player], None))
            cached = self._views[player] = pairs
        return cached


class _Adapter:
    """Everything shared by one registered GameCWM's games and states (never copied by clones)."""

    def __init__(self, name: str, module: ModuleType, player_actions: list[str], chance_table: list[str]):
        self.name = name
        self.module = module
        self.player_actions = player_actions
        self.chance_table = chance_table
        self.player_ids = {action: index for index, action in enumerate(player_actions)}
        self.chance_ids = {action: index for index, action in enumerate(chance_table)}

    def __deepcopy__(self, memo: dict[int, Any]) -> "_Adapter":
        return self

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (_adapter, (self.name,))

    def player_id(self, action: Action) -> int:
        """The OpenSpiel id of a player action."""
        return _table_id(self.player_ids, action, "action", "actions=")

    def chance_id(self, action: Action) -> int:
        """The OpenSpiel id of a chance outcome."""
        return _table_id(self.chance_ids, action, "chance outcome", "chance_actions=")


def _table_id(ids: dict[str, int], action: Action, kind: str, option: str) -> int:
    """The id of `action` in a table; ActionTableError naming the caps to raise when it is not there."""
    try:
        return ids[action]
    except KeyError:
        raise ActionTableError(f"{kind} {action!r} is not in the explored action table; "
                               f"raise max_states/playouts or pass {option}") from None


_ADAPTERS: dict[str, _Adapter] = {}


def _adapter(name: str) -> _Adapter:
    """The adapter registered under `name` (how pickled states find their module again)."""
    return _ADAPTERS[name]


class GameCWMState(pyspiel.State):
    """An OpenSpiel state backed by a GameCWM state."""

    def __init__(self, game: pyspiel.Game, adapter: _Adapter):
        """The initial state of `game`."""
        super().__init__(game)
        self._adapter = adapter
        self._snapshot = _Snapshot(adapter.module.get_initial_state(), None, None, None)

    @property
    def gamecwm_state(self) -> State:
        """The underlying GameCWM state."""
        return self._snapshot.state

    def current_player(self) -> int:
        """The player to move (chance and terminal ids coincide with the protocol's)."""
        player = self._adapter.module.get_current_player(self._snapshot.state)
        if player == TERMINAL_PLAYER_ID:
            return pyspiel.PlayerId.TERMINAL
        if player == CHANCE_PLAYER_ID:
            return pyspiel.PlayerId.CHANCE
        return int(player)

    def _legal_actions(self, player: int) -> list[int]:
        """The ids of the module's legal actions, ascending."""
        module = self._adapter.module
        if player != module.get_current_player(self._snapshot.state):
            return []
        return sorted(self._adapter.player_id(action) for action in module.get_legal_actions(self._snapshot.state))

    def chance_outcomes(self) -> list[tuple[int, float]]:
        """The chance outcomes' ids with their probabilities, ascending by id."""
        outcomes = chance_outcomes(self._adapter.module, self._snapshot.state)
        return sorted((self._adapter.chance_id(action), probability) for action, probability in outcomes if probability > 0)

    def _apply_action(self, action: int) -> None:
        """Apply an action id (a chance outcome id at chance nodes)."""
        adapter = self._adapter
        snapshot = self._snapshot
        mover = adapter.module.get_current_player(snapshot.state)
        table = adapter.chance_table if mover == CHANCE_PLAYER_ID else adapter.player_actions
        text = table[action]
        self._snapshot = _Snapshot(adapter.module.apply_action(snapshot.state, text), snapshot, text, mover)

    def _action_to_string(self, player: int, action: int) -> str:
        """The GameCWM action string of an id."""
        table = self._adapter.chance_table if player == pyspiel.PlayerId.CHANCE else self._adapter.player_actions
        return table[action]

    def is_terminal(self) -> bool:
        """True when the module says the game is over."""
        return self._adapter.module.get_current_player(self._snapshot.state) == TERMINAL_PLAYER_ID

    def returns(self) -> list[float]:
        """The module's rewards for the two players."""
        rewards = self._adapter.module.get_rewards(self._snapshot.state)
        return [float(rewards[0]), float(rewards[1])]

    def view(self, player: int) -> list[tuple[Any, Action | None]]:
        """The player's (observation, own action) view, ending with its current observation."""
        return self._snapshot.view(self._adapter.module, player)

    def resample_from_infostate(self, player_id: int, probability_sampler: Any) -> "GameCWMState":
        """A state drawn by the module's `resample_history` from the player's view (see the module doc)."""
        module = self._adapter.module
        if module.get_current_player(self._snapshot.state) != player_id:
            raise ValueError(f"resampling needs player {player_id} to be the one to move")
        view = [tuple(pair) for pair in self.view(player_id)]
        history = module.resample_history(view, player_id)
        state = self.get_game().new_initial_state()
        for action in history:
            mover = module.get_current_player(state.gamecwm_state)
            state.apply_action(self._adapter.chance_id(action) if mover == CHANCE_PLAYER_ID else self._adapter.player_id(action))
        return state

    def __str__(self) -> str:
        """The canonical text of the GameCWM state."""
        return canonical(self._snapshot.state)


class _Observer:
    """OpenSpiel's PyObserver interface: strings only (information state or observation)."""

    def __init__(self, perfect_recall: bool):
        self.perfect_recall = perfect_recall
        self.tensor = None
        self.dict: dict[str, Any] = {}

    def set_from(self, state: GameCWMState, player: int) -> None:
        """No tensors are provided."""

    def string_from(self, state: GameCWMState, player: int) -> str:
        """The player's view (perfect recall) or current observation, as canonical text."""
        if self.perfect_recall:
            return canonical([[obs, action] for obs, action in state.view(player)])
        return canonical(state._adapter.module.get_observations(state.gamecwm_state)[player])


def _utility(terminals: set[tuple[float, float]], utility_range: tuple[float, float] | None) -> tuple[Any, float, float, float | None]:
    sums = {round(a + b, 9) for a, b in terminals}
    if sums == {0.0} or not sums:
        kind, total = pyspiel.GameType.Utility.ZERO_SUM, 0.0
    elif len(sums) == 1:
        kind, total = pyspiel.GameType.Utility.CONSTANT_SUM, next(iter(sums))
    else:
        kind, total = pyspiel.GameType.Utility.GENERAL_SUM, None
    if utility_range is not None:
        low, high = utility_range
    elif terminals:
        values = [value for pair in terminals for value in pair]
        low, high = min(values), max(values)
    else:
        low, high = -1.0, 1.0
    if low == high:
        low, high = low - 1.0, high + 1.0
    return kind, float(low), float(high), total


def register_gamecwm(module: ModuleType, short_name: str, *, long_name: str | None = None,
                     max_states: int = DEFAULT_MAX_STATES, playouts: int = DEFAULT_PLAYOUTS, seed: int = 0,
                     actions: list[str] | None = None, chance_actions: list[str] | None = None,
                     max_game_length: int | None = None, utility_range: tuple[float, float] | None = None) -> str:
    """Register a GameCWM module as the OpenSpiel Python game `short_name`; return the name.

    See the module doc for how actions, facts and information states are derived. Registering a name
    again replaces what it loads.
    """
    found = explore(module, max_states, playouts, seed, max_playout_length=max_game_length)
    player_actions = sorted(set(actions) if actions is not None else found.player_actions)
    chance_table = sorted(set(chance_actions) if chance_actions is not None else found.chance_outcomes)
    if not player_actions:
        raise ValueError("the exploration found no player actions")
    imperfect = callable(getattr(module, "resample_history", None))
    utility, low, high, total = _utility(found.terminal_rewards, utility_range)
    length = max_game_length or max(found.max_depth, 1)
    game_type = pyspiel.GameType(
        short_name=short_name,
        long_name=long_name or short_name,
        dynamics=pyspiel.GameType.Dynamics.SEQUENTIAL,
        chance_mode=(pyspiel.GameType.ChanceMode.EXPLICIT_STOCHASTIC if chance_table
                     else pyspiel.GameType.ChanceMode.DETERMINISTIC),
        information=(pyspiel.GameType.Information.IMPERFECT_INFORMATION if imperfect
                     else pyspiel.GameType.Information.PERFECT_INFORMATION),
        utility=utility,
        reward_model=pyspiel.GameType.RewardModel.TERMINAL,
        max_num_players=2,
        min_num_players=2,
        provides_information_state_string=True,
        provides_information_state_tensor=False,
        provides_observation_string=True,
        provides_observation_tensor=False,
        parameter_specification={},
    )
    game_info = pyspiel.GameInfo(
        num_distinct_actions=len(player_actions),
        max_chance_outcomes=len(chance_table),
        num_players=2,
        min_utility=low,
        max_utility=high,
        utility_sum=total,
        max_game_length=length,
    )
    adapter = _Adapter(short_name, module, player_actions, chance_table)
    _ADAPTERS[short_name] = adapter

    class GameCWMGame(pyspiel.Game):
        """A GameCWM registered as an OpenSpiel game."""

        def __init__(self, params: dict[str, Any] | None = None):
            super().__init__(game_type, game_info, params or {})
            self.adapter = _ADAPTERS[short_name]

        def new_initial_state(self) -> GameCWMState:
            """The GameCWM's initial state."""
            return GameCWMState(self, self.adapter)

        def make_py_observer(self, iig_obs_type: Any = None, params: Any = None) -> _Observer:
            """An observer for information state (perfect recall) or observation strings."""
            if params:
                raise ValueError(f"observation parameters are not supported: {params}")
            return _Observer(bool(iig_obs_type is not None and iig_obs_type.perfect_recall))

    GameCWMGame.__name__ = GameCWMGame.__qualname__ = f"GameCWMGame_{short_name}"
    pyspiel.register_game(game_type, GameCWMGame)
    return short_name


def openspiel_game(source: ModuleType | str, **options: Any) -> pyspiel.Game:
    """The loaded OpenSpiel game for a GameCWM module, or for a registered game's reference by name.

    A game name is registered once as `gamecwm_<name>` with the registry's `max_game_length`;
    `options` go to `register_gamecwm`.
    """
    if isinstance(source, str):
        from gamecwm.games.registry import get_game, load_reference

        info = get_game(source)
        short_name = NAME_PREFIX + info.name
        if short_name not in _ADAPTERS or options:
            options.setdefault("max_game_length", info.max_game_length)
            register_gamecwm(load_reference(info.name), short_name, long_name=f"GameCWM {info.title}", **options)
        return pyspiel.load_game(short_name)
    short_name = options.pop("short_name", None) or f"{NAME_PREFIX}module_{source.__name__.replace('.', '_')}"
    register_gamecwm(source, short_name, **options)
    return pyspiel.load_game(short_name)
