"""The arena: two agents play N games of the true game (the reference), seats alternating.

Rules of the arena:

* The true game is the game's reference GameCWM. Chance outcomes are drawn by their probabilities
  from the arena's own seeded stream.
* Seats alternate: in even games (0, 2, ...) the first agent is player 0, in odd games player 1.
* A planning agent plans with its own GameCWM (the reference unless a model is given), so it may
  choose an action that is illegal in the true game. **Illegal-move rule:** a choice that is not in
  the true game's legal actions at that point (or no choice at all, when the planner failed) counts
  as one illegal move of that agent and is replaced by a uniformly random legal action of the true
  game drawn from the arena's stream; the game goes on.
* A game that runs past the game's `max_game_length` actions stops there and is scored by the
  rewards of the state reached.
* An agent wins a game when its reward is strictly greater than its opponent's, draws when equal,
  and loses otherwise. Rates come with Wilson score 95% confidence intervals.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from gamecwm.games.registry import get_game, load_reference
from gamecwm.games.runtime import pick, random_action
from gamecwm.play.agents import Agent, build_agent, parse_agent_spec
from gamecwm.protocol import CHANCE_PLAYER_ID, TERMINAL_PLAYER_ID, Action

Z_95 = 1.959963984540054


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval for a binomial proportion (95% by default); (0, 1) for no trials."""
    if trials <= 0:
        return (0.0, 1.0)
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return (low, high)


@dataclass
class AgentRecord:
    """One agent's results over a match."""

    spec: str
    wins: int = 0
    draws: int = 0
    losses: int = 0
    total_return: float = 0.0
    illegal_moves: int = 0

    @property
    def games(self) -> int:
        """Games played."""
        return self.wins + self.draws + self.losses

    @property
    def mean_return(self) -> float:
        """The agent's average reward per game."""
        return self.total_return / self.games if self.games else 0.0

    def rate(self, outcome: str) -> tuple[float, tuple[float, float]]:
        """The rate of "wins", "draws" or "losses" with its Wilson 95% interval."""
        count = getattr(self, outcome)
        return (count / self.games if self.games else 0.0, wilson_interval(count, self.games))

    def to_json(self) -> dict[str, Any]:
        """`{"spec", "wins", "draws", "losses", "mean_return", "illegal_moves"}`."""
        return {"spec": self.spec, "wins": self.wins, "draws": self.draws, "losses": self.losses,
                "mean_return": self.mean_return, "illegal_moves": self.illegal_moves}


@dataclass
class GameRecord:
    """One played game: who sat where, the actions, the rewards, and the illegal choices replaced."""

    seats: tuple[int, int]  # seats[player] = index of the agent playing that player
    actions: list[Action]
    rewards: list[float]
    illegal: list[tuple[int, Action | None]]  # (agent index, the illegal choice) in order
    truncated: bool


@dataclass
class ArenaResult:
    """A match's results: per agent records (in the order the agents were given) and each game."""

    game: str
    games: int
    agents: list[AgentRecord]
    records: list[GameRecord] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """`{"game", "games", "agents": [{"spec", "wins", "draws", "losses", "mean_return", "illegal_moves"}]}`."""
        return {"game": self.game, "games": self.games, "agents": [agent.to_json() for agent in self.agents]}


def play_game(game: str, agents: Sequence[Agent], seats: tuple[int, int], rng: random.Random) -> GameRecord:
    """Play one game of the true game with `agents[seats[p]]` as player p; see the module's rules."""
    module = load_reference(game)
    limit = get_game(game).max_game_length
    state = module.get_initial_state()
    actions: list[Action] = []
    illegal: list[tuple[int, Action | None]] = []
    truncated = False
    while True:
        player = module.get_current_player(state)
        if player == TERMINAL_PLAYER_ID:
            break
        if len(actions) >= limit:
            truncated = True
            break
        if player == CHANCE_PLAYER_ID:
            action = random_action(module, state, rng)
        else:
            legal = module.get_legal_actions(state)
            index = seats[player]
            choice = agents[index].choose(list(actions), player, list(legal))
            if choice in legal:
                action = choice
            else:
                illegal.append((index, choice))
                action = pick(legal, rng.random())
        actions.append(action)
        state = module.apply_action(state, action)
    rewards = [float(r) for r in module.get_rewards(state)]
    return GameRecord(seats, actions, rewards, illegal, truncated)


def play_match(game: str, agents: Sequence[Agent], games: int, seed: int = 0,
               on_game: Callable[[int, GameRecord], None] | None = None) -> ArenaResult:
    """Play `games` games between two agents, seats alternating; `on_game(i, record)` after each."""
    if len(agents) != 2:
        raise ValueError("the arena plays exactly two agents")
    if games < 1:
        raise ValueError("games must be at least 1")
    get_game(game)
    rng = random.Random(seed)
    records = [AgentRecord(agent.spec) for agent in agents]
    result = ArenaResult(game, games, records)
    for number in range(games):
        seats = (0, 1) if number % 2 == 0 else (1, 0)
        for agent in agents:
            agent.new_game(rng.getrandbits(32))
        record = play_game(game, agents, seats, rng)
        result.records.append(record)
        for player, index in enumerate(seats):
            mine, theirs = record.rewards[player], record.rewards[1 - player]
            stats = records[index]
            stats.total_return += mine
            if mine > theirs:
                stats.wins += 1
            elif mine == theirs:
                stats.draws += 1
            else:
                stats.losses += 1
        for index, _choice in record.illegal:
            records[index].illegal_moves += 1
        if on_game is not None:
            on_game(number, record)
    return result


def run_arena(game: str, specs: Sequence[str], models: Sequence[str | None] = (None, None), games: int = 10,
              seed: int = 0, workers: int = 1) -> ArenaResult:
    """Build two agents from specs (each planner with its model's source, or the reference) and play.

    Untrusted models run in a SandboxPool of `workers` workers opened for the match.
    """
    if len(specs) != 2 or len(models) != 2:
        raise ValueError("the arena needs exactly two agent specs and two model slots")
    get_game(game)
    parsed = [parse_agent_spec(spec) for spec in specs]
    pool = None
    if any(model is not None for model in models):
        from gamecwm.sandbox import SandboxPool

        pool = SandboxPool(workers=workers)
    try:
        agents = [build_agent(spec, game, model, pool) for spec, model in zip(parsed, models)]
        try:
            return play_match(game, agents, games, seed)
        finally:
            for agent in agents:
                agent.close()
    finally:
        if pool is not None:
            pool.close()


def arena_table(result: ArenaResult) -> Any:
    """A rich table of a match: W/D/L counts, rates with 95% intervals, mean return, illegal moves."""
    from rich.table import Table

    table = Table(title=f"{result.game}: {result.games} games, seats alternating",
                  caption="an illegal choice counts and is replaced by a uniformly random legal action")
    table.add_column("")
    for index, agent in enumerate(result.agents):
        table.add_column(f"{chr(ord('A') + index)}: {agent.spec}", justify="right")
    table.add_row("wins / draws / losses", *(f"{a.wins} / {a.draws} / {a.losses}" for a in result.agents))
    for outcome, label in (("wins", "win rate (95% CI)"), ("draws", "draw rate (95% CI)"), ("losses", "loss rate (95% CI)")):
        cells = []
        for agent in result.agents:
            rate, (low, high) = agent.rate(outcome)
            cells.append(f"{rate:.3f} ({low:.3f}-{high:.3f})")
        table.add_row(label, *cells)
    table.add_row("mean return", *(f"{a.mean_return:+.3f}" for a in result.agents))
    table.add_row("illegal moves", *(str(a.illegal_moves) for a in result.agents))
    return table
