"""The verifier's settings: tier weights and how much play each tier samples."""

from __future__ import annotations

from dataclasses import dataclass, field

# Agreement with the reference carries most of the weight: it is the tier a wrong program cannot
# satisfy vacuously. Static checks are cheap to pass and weigh little, so a program that merely
# imports scores almost nothing.
DEFAULT_WEIGHTS: dict[str, float] = {
    "static": 0.05,
    "properties": 0.10,
    "agreement": 0.50,
    "information": 0.15,
    "scenarios": 0.20,
}
TIER_ORDER = ("static", "properties", "agreement", "information", "scenarios")


@dataclass(frozen=True)
class VerifyConfig:
    """How much the verifier samples, and how the tiers are weighed."""

    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    reference_playouts: int = 6  # reference-driven histories replayed on the candidate
    candidate_playouts: int = 6  # candidate-driven walks (also the property tier's evidence)
    step_budget: int = 1500  # total steps across each kind of playout, so long games stay fast
    mutation_checks: int = 40  # steps per walk where mutation and determinism are tested
    info_probes: int = 12  # imperfect information: states probed per player for leaks and losses
    resample_probes: int = 8  # imperfect information: histories whose resample_history is checked
    resample_repeats: int = 10

    def __post_init__(self) -> None:
        unknown = set(self.weights) - set(TIER_ORDER)
        if unknown:
            raise ValueError(f"unknown tier weights {sorted(unknown)}; tiers are {list(TIER_ORDER)}")
        if any(w < 0 for w in self.weights.values()):
            raise ValueError("tier weights must be non-negative")

    def cache_key(self) -> tuple:
        """What the reference-side plan depends on (the weights do not affect it)."""
        return (
            self.reference_playouts,
            self.candidate_playouts,
            self.step_budget,
            self.mutation_checks,
            self.info_probes,
            self.resample_probes,
            self.resample_repeats,
        )
