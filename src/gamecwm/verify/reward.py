"""The verifier as a reward: a callable usable directly as a TRL `GRPOTrainer` reward function.

TRL calls reward functions as `(prompts, completions, **columns) -> list[float]`, passing the
dataset's other columns as keyword arguments; the game comes from one of them (default `game`).
A completion's reward is its verification report's score: the same scorer as evaluation. When the
sandbox itself fails for a completion, the reward is `None` (TRL treats it as missing) rather than
0, so a model is never punished for the harness breaking.
"""

from __future__ import annotations

from typing import Any

from gamecwm.generate.extract import extract_code
from gamecwm.sandbox import Limits, SandboxPool
from gamecwm.verify.batch import Candidate, verify_many
from gamecwm.verify.config import VerifyConfig
from gamecwm.verify.report import Report


def completion_text(completion: Any) -> str:
    """The text of a completion, whether plain text or a conversational list of messages."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict):
        return str(completion.get("content", ""))
    if isinstance(completion, (list, tuple)):
        return "".join(completion_text(message) for message in completion)
    return str(completion)


class VerifierReward:
    """Reward completions by their verification score, verifying them in parallel in the sandbox pool.

    The last reports are kept in `last_reports` so a trainer can log per-tier scores alongside the total.
    """

    def __init__(
        self,
        workers: int | None = None,
        seed: int = 0,
        config: VerifyConfig | None = None,
        game_column: str = "game",
        limits: Limits | None = None,
    ) -> None:
        self.__name__ = "verifier_score"  # TRL names a reward function's logged metrics by its __name__
        self.workers = workers
        self.seed = seed
        self.config = config or VerifyConfig()
        self.game_column = game_column
        self.limits = limits or Limits()
        self.last_reports: list[Report | None] = []
        self._pool: SandboxPool | None = None

    def _get_pool(self) -> SandboxPool:
        if self._pool is None:
            self._pool = SandboxPool(workers=self.workers, limits=self.limits).__enter__()
        return self._pool

    def close(self) -> None:
        """Stop the sandbox pool's workers."""
        if self._pool is not None:
            self._pool.__exit__(None, None, None)
            self._pool = None

    def reports(self, completions: list[Any], games: list[str]) -> list[Report]:
        """Verify each completion for its game; reports in input order."""
        candidates = [Candidate(str(i), game, extract_code(completion_text(c))) for i, (c, game) in
                      enumerate(zip(completions, games))]
        reports: list[Report | None] = [None] * len(candidates)
        for candidate, report in verify_many(candidates, self._get_pool(), self.seed, self.config):
            reports[int(candidate.id)] = report
        return [r for r in reports if r is not None]

    def __call__(self, prompts: list[Any] | None = None, completions: list[Any] | None = None,
                 **columns: Any) -> list[float | None]:
        """One reward per completion: its verification score, or None when the harness failed."""
        if completions is None:
            raise ValueError("the reward function needs the completions")
        if self.game_column not in columns:
            raise ValueError(f"the dataset needs a {self.game_column!r} column naming each prompt's game")
        games = list(columns[self.game_column])
        if len(games) != len(completions):
            raise ValueError(f"{len(completions)} completions but {len(games)} game names")
        reports = self.reports(list(completions), games)
        self.last_reports = list(reports)
        return [None if r.infrastructure_failure else float(r.score or 0.0) for r in reports]

    def __del__(self) -> None:
        self.close()
