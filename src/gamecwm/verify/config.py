"""The verifier's settings: how the tiers combine into a score, and how much play each tier samples.

The score is `play x outcomes x information`:
- *play* is the weighted mean of the additive tiers (static, properties, agreement, scenarios): how
  much of the game's moves the program gets right. Agreement with the reference carries most of the
  weight, because it is the tier a wrong program cannot satisfy vacuously; static checks are cheap to
  pass and weigh little, so a program that merely imports scores almost nothing.
- *outcomes* (the fraction of complete games that end when and as the reference's do) and, for
  imperfect-information games, *information* (observations that reveal exactly what the rules reveal,
  and a resample_history that reproduces a player's view) are factors, not terms: a game with the wrong
  winner, constant rewards or no end, or one whose players see too much or too little, cannot be planned
  with (planning with it loses to random play), however many of its moves are right; as a term such
  a program kept 80-90% of the score.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_WEIGHTS: dict[str, float] = {
    "static": 0.05,
    "properties": 0.15,
    "agreement": 0.55,
    "scenarios": 0.25,
}
FACTOR_TIERS = ("outcomes", "information")
TIER_ORDER = ("static", "properties", "agreement", "outcomes", "information", "scenarios")


@dataclass(frozen=True)
class VerifyConfig:
    """How much the verifier samples, and how the additive tiers are weighed."""

    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    reference_playouts: int = 6  # reference-driven histories replayed on the candidate, every state compared
    complete_games: int = 8  # reference games played to their end (every other one steered to a scoring
    # ending), fewer where they would exceed half the step budget
    candidate_playouts: int = 6  # candidate-driven walks (also the property tier's evidence)
    step_budget: int = 1500  # total steps across each kind of playout, so long games stay fast
    mutation_checks: int = 4  # states per reference history branched again once the history went on
    info_probes: int = 12  # imperfect information: decision points probed for leaks and losses
    resample_probes: int = 8  # imperfect information: views whose resample_history is checked
    resample_repeats: int = 10
    second_worker_share: float = 0.2  # the share of the play repeated in a second worker (another hash seed)

    def __post_init__(self) -> None:
        unknown = set(self.weights) - set(DEFAULT_WEIGHTS)
        if unknown:
            raise ValueError(f"unknown tier weights {sorted(unknown)}; weighted tiers are {list(DEFAULT_WEIGHTS)} "
                             f"({', '.join(FACTOR_TIERS)} are factors)")
        if any(not w >= 0 for w in self.weights.values()):
            raise ValueError("tier weights must be non-negative numbers")
        counts = (self.reference_playouts, self.complete_games, self.candidate_playouts, self.step_budget,
                  self.resample_repeats)
        if any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in counts):
            raise ValueError("playout counts, the step budget and resample_repeats must be positive integers")
        if not 0.0 <= self.second_worker_share <= 1.0:
            raise ValueError("second_worker_share must be in [0, 1]")

    def weight(self, tier: str) -> float:
        """The weight of an additive tier (0 for a tier the weights leave out)."""
        return float(self.weights.get(tier, 0.0))

    def cache_key(self) -> tuple:
        """What the reference-side plan depends on (the weights do not affect it)."""
        return (
            self.reference_playouts,
            self.complete_games,
            self.candidate_playouts,
            self.step_budget,
            self.mutation_checks,
            self.info_probes,
            self.resample_probes,
            self.resample_repeats,
            self.second_worker_share,
        )
