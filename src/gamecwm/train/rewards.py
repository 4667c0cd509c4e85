"""Rewards: the verifier as a TRL reward function, partial credit, and per-tier scores for logging.

`VerifierReward` is a reward function on its own: a completion's reward is its verification report's
score, the same scorer as evaluation; `None` (TRL treats it as missing) when the sandbox itself failed,
so a model is never punished for the harness breaking. With `fresh_seeds`, every training step is
verified at its own seed, derived from the run's seed and the step.

`RewardSuite` verifies each batch of completions once (through `VerifierReward`'s sandbox pool) and
hands TRL several reward functions reading the same reports:

- `verifier_score`: the verification score, the same scorer as evaluation;
- `partial_credit`: graded credit for how far a completion is from a program at all (a fenced block,
  lines that are Python, the protocol's functions defined, code that parses). A random or barely
  trained model never writes a program that imports, so every verifier score is 0 and GRPO's
  group-relative advantages vanish; this term keeps a learning signal until the verifier takes over.
  Any program that imports gets the full partial credit, so the total reward is monotone: partial
  credit only grades completions that do not run yet, and never ranks a stub above a program that
  plays more of the game;
- `tier_<name>`: each verifier tier's score, given weight 0 so it is logged beside the total
  (as `rewards/tier_<name>/mean`) without changing the reward.

When the sandbox fails for a completion (an infrastructure failure, or an `InfrastructureError`
raised for the whole batch), every function returns None for it: TRL then marks it unscorable, keeps
it out of the group baseline and gives it no advantage, so a harness failure never becomes a reward.
"""

from __future__ import annotations

import builtins
import hashlib
import keyword
import re
from typing import Any, Callable

from gamecwm.evaluate.run import parses
from gamecwm.games import get_game
from gamecwm.extract import extract_code
from gamecwm.protocol import IMPERFECT_INFORMATION_FUNCTIONS, OPTIONAL_FUNCTIONS, required_functions
from gamecwm.sandbox import Limits, SandboxPool
from gamecwm.sandbox.runner import InfrastructureError
from gamecwm.verify.batch import Candidate, verify_many
from gamecwm.verify.config import TIER_ORDER, VerifyConfig
from gamecwm.verify.report import Report

_FENCE = re.compile(r"```\s*python", re.IGNORECASE)

# Parts of partial credit: each in [0, 1], weighted to sum to 1.
PARTIAL_CREDIT_WEIGHTS = {"fence": 0.1, "vocabulary": 0.15, "python_lines": 0.2, "mentions": 0.15, "defines": 0.25,
                          "parses": 0.15}
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Words a GameCWM is made of: Python's keywords and builtins, the protocol's names and arguments.
_PROGRAM_WORDS = frozenset(keyword.kwlist) | frozenset(dir(builtins)) | frozenset(OPTIONAL_FUNCTIONS) | \
    frozenset(IMPERFECT_INFORMATION_FUNCTIONS) | {"state", "action", "player", "player_id", "obs_action_history"}


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
        fresh_seeds: bool = False,
    ) -> None:
        self.__name__ = "verifier_score"  # TRL names a reward function's logged metrics by its __name__
        self.workers = workers
        self.seed = seed
        self.fresh_seeds = fresh_seeds
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

    def seed_for(self, step: int | None) -> int:
        """The verification seed of a training step: the run's seed, or with `fresh_seeds` one drawn per step.

        A fresh seed per step (derived from the run's seed and the step, so a run is reproducible) keeps a
        policy from learning the answers to one seed's questions instead of the game.
        """
        if not self.fresh_seeds or step is None:
            return self.seed
        digest = hashlib.sha256(f"{self.seed}:{step}".encode()).digest()
        return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF

    def reports(self, completions: list[Any], games: list[str], step: int | None = None) -> list[Report]:
        """Verify each completion for its game (at the step's seed); reports in input order."""
        candidates = [Candidate(str(i), game, extract_code(completion_text(c))) for i, (c, game) in
                      enumerate(zip(completions, games))]
        reports: list[Report | None] = [None] * len(candidates)
        for candidate, report in verify_many(candidates, self._get_pool(), self.seed_for(step), self.config):
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
        reports = self.reports(list(completions), games, training_step(columns))
        self.last_reports = list(reports)
        return [None if r.infrastructure_failure else float(r.score or 0.0) for r in reports]

    def __del__(self) -> None:
        self.close()


def training_step(columns: dict[str, Any]) -> int | None:
    """The trainer's global step when TRL passes its state to a reward function (None otherwise)."""
    state = columns.get("trainer_state")
    step = getattr(state, "global_step", None)
    return step if isinstance(step, int) else None


def _line_is_python(line: str) -> bool:
    text = line.strip()
    return parses(text + " pass" if text.endswith(":") else text)


def partial_credit(completion: str, game: str) -> float:
    """Graded credit in [0, 1] for looking like this game's GameCWM, without running anything.

    The weighted parts (`PARTIAL_CREDIT_WEIGHTS`): a ```python fence; the fraction of the program's
    words that are Python keywords, builtins or protocol names; the fraction of its non-blank lines
    that are Python statements on their own; the fractions of the game's required protocol functions
    mentioned, and defined with `def`; the whole program parsing.
    """
    code = extract_code(completion)
    names = list(required_functions(get_game(game).imperfect_information))
    lines = [line for line in code.splitlines() if line.strip()]
    words = _WORD.findall(code)
    parts = {
        "fence": float(bool(_FENCE.search(completion))),
        "vocabulary": sum(word in _PROGRAM_WORDS for word in words) / len(words) if words else 0.0,
        "python_lines": sum(map(_line_is_python, lines)) / len(lines) if lines else 0.0,
        "mentions": sum(name in code for name in names) / len(names),
        "defines": sum(bool(re.search(rf"^\s*def\s+{name}\s*\(", code, re.MULTILINE)) for name in names) / len(names),
        "parses": float(bool(lines) and parses(code)),
    }
    return sum(PARTIAL_CREDIT_WEIGHTS[name] * value for name, value in parts.items())


class RewardSuite:
    """Reward functions for TRL sharing one verification per batch (see the module docstring)."""

    def __init__(self, verifier: VerifierReward | None = None, game_column: str = "game") -> None:
        self.verifier = verifier or VerifierReward()
        self.game_column = game_column
        self._batch_key: tuple | None = None
        self._reports: list[Report | None] = []
        self.infrastructure_failures = 0

    def _verify(self, completions: list[Any], columns: dict[str, Any]) -> list[Report | None]:
        """Reports for a batch, verified once however many functions ask; None where the harness failed."""
        if self.game_column not in columns:
            raise ValueError(f"the dataset needs a {self.game_column!r} column naming each prompt's game")
        texts = [completion_text(c) for c in completions]
        games = list(columns[self.game_column])
        if len(games) != len(texts):
            raise ValueError(f"{len(texts)} completions but {len(games)} game names")
        key = (tuple(texts), tuple(games), self.verifier.seed_for(training_step(columns)))
        if key != self._batch_key:
            try:
                reports: list[Report | None] = list(self.verifier.reports(texts, games, training_step(columns)))
            except InfrastructureError:
                reports = [None] * len(texts)
            if len(reports) != len(texts):  # a report went missing: the harness, not the candidates
                reports = [None] * len(texts)
            reports = [None if r is None or r.infrastructure_failure else r for r in reports]
            self.infrastructure_failures += sum(r is None for r in reports)
            self._batch_key, self._reports = key, reports
        return self._reports

    @property
    def last_reports(self) -> list[Report | None]:
        """The reports of the last batch (None where the harness failed)."""
        return list(self._reports)

    def _function(self, name: str,
                  value: Callable[[Report, str, str], float | None]) -> Callable[..., list[float | None]]:
        def reward(prompts: list[Any] | None = None, completions: list[Any] | None = None,
                   **columns: Any) -> list[float | None]:
            if completions is None:
                raise ValueError("the reward function needs the completions")
            reports = self._verify(list(completions), columns)
            games = list(columns[self.game_column])
            values = [None if report is None else value(report, completion_text(c), game)
                      for report, c, game in zip(reports, completions, games)]
            return [None if v is None else float(v) for v in values]

        reward.__name__ = name  # TRL logs each function's mean as rewards/<name>/mean
        return reward

    def functions(self) -> list[Callable[..., list[float | None]]]:
        """The reward functions in the order of `weights`: score, partial credit, then one per tier."""
        functions = [
            self._function("verifier_score", lambda report, text, game: report.score or 0.0),
            self._function("partial_credit", lambda report, text, game: 1.0 if _imports(report)
                           else partial_credit(text, game)),
        ]
        for tier in TIER_ORDER:
            functions.append(self._function(f"tier_{tier}", _tier_score(tier)))
        return functions

    @staticmethod
    def weights(partial_credit_weight: float) -> list[float]:
        """TRL reward weights matching `functions()`: the tiers are logged only (weight 0)."""
        return [1.0, partial_credit_weight] + [0.0] * len(TIER_ORDER)

    def close(self) -> None:
        """Stop the verifier's sandbox workers."""
        self.verifier.close()


def _imports(report: Report) -> bool:
    """True when the verifier could import the program (its static tier's `imports` check passed)."""
    static = report.tier("static")
    return static is not None and any(check.name == "imports" and check.passed for check in static.checks)


def _tier_score(tier: str) -> Callable[[Report, str, str], float | None]:
    def value(report: Report, text: str, game: str) -> float | None:
        found = report.tier(tier)
        if found is not None:
            return found.score
        # The information tier does not exist for perfect-information games; any other missing tier
        # was never reached because an earlier one failed, which scores 0.
        return None if tier == "information" and not get_game(game).imperfect_information else 0.0

    return value
