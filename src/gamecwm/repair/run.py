"""The repair loop: verify each sample, and while it fails and its budget lasts, ask the model to fix it.

Every version of every sample's program is one JSON line, written as soon as it is verified: version 0
is the sample itself, each later version records its parent, the failure it was asked to fix, the
prompt, the completion, the extracted code and its report. Records carry `id`, `model`, `game` and
`code` like generations, so a repair file can be evaluated, reported and distilled like one. A run
that is interrupted resumes from the file without asking the model again for versions already written.

The search runs in rounds across all samples at once: each round picks up to `width` versions per
unsolved sample (best first with exploration, see `gamecwm.repair.search`), asks the backend for all the
corrections in one batch, and verifies each as it arrives. An answer that gives no new program,
either the parent's program again (whitespace aside) or no program at all (prose such as "the module is
already correct", or code that defines none of the protocol's functions), is not verified and is no version:
it is asked for again at a higher temperature, a bounded number of times (`resamples`); a slot whose every
answer gave no new program, or whose request failed, is spent without a version.
"""

from __future__ import annotations

import concurrent.futures
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

from gamecwm.extract import defines_protocol_function, extract_code
from gamecwm.games.registry import game_problem
from gamecwm.generate.backends.base import Backend, Generation, SamplingParams
from gamecwm.generate.prompts import DEFAULT_TEMPLATE, Messages, get_template
from gamecwm.generate.run import sampled_record
from gamecwm.jsonl import append_record, resume_records
from gamecwm.records import RecordFileError, RecordKind, read_record_file
from gamecwm.repair.failure import Failure, most_informative_failure
from gamecwm.repair.prompt import REPAIR_TEMPLATE_ID, build_repair_messages
from gamecwm.repair.search import VersionTree
from gamecwm.sandbox import SandboxPool
from gamecwm.validation import require_minimums
from gamecwm.verify.batch import Candidate, verify_many
from gamecwm.verify.config import VerifyConfig
from gamecwm.verify.report import Report
from gamecwm.verify.verifier import verify

VERSION_SEPARATOR = "#v"
RESAMPLE_TEMPERATURE_STEP = 0.3  # added to the temperature for each new try after an answer with no new program
MAX_RESAMPLE_TEMPERATURE = 1.3


@dataclass(frozen=True)
class RepairConfig:
    """The search's budget and settings, per sample."""

    rounds: int = 3  # refinement rounds
    width: int = 1  # refinements asked for per round
    max_calls: int | None = None  # model calls per sample, its own generation included (default 1 + rounds * width)
    exploration: float = 0.1  # weight of the exploration term in choosing which version to refine
    seed: int = 0  # verification seed
    workers: int | None = None  # sandbox workers (default: one per core)
    resamples: int = 2  # new tries, each hotter, when an answer gives no new program (unchanged, or none)

    def __post_init__(self) -> None:
        require_minimums(self, {"rounds": 0, "width": 1, "max_calls": 1, "exploration": 0, "resamples": 0})

    @property
    def call_budget(self) -> int:
        """Model calls allowed per sample, counting the sample's own generation."""
        rounds_budget = 1 + self.rounds * self.width
        return rounds_budget if self.max_calls is None else min(self.max_calls, rounds_budget)


@dataclass
class SampleRepair:
    """The search state of one sample: its version tree and each version's record."""

    sample: dict[str, Any]
    tree: VersionTree = field(default_factory=VersionTree)
    records: list[dict[str, Any]] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    failures: dict[int, Failure | None] = field(default_factory=dict)
    spent: int = 0  # refinement slots of this run that gave no version (no new program on any try, or failed)

    @property
    def calls(self) -> int:
        """Refinement slots used on this sample so far, its own generation being the first."""
        return len(self.records) + self.spent

    @property
    def repairs(self) -> int:
        """Refinements asked for so far (those that gave no version included)."""
        return max(0, len(self.records) - 1 + self.spent)

    def add(self, record: dict[str, Any], report: Report) -> None:
        """Add a verified version (its record's `repair.parent` says where it hangs)."""
        self.tree.add(record["repair"]["parent"], report.score, report.passed)
        self.records.append(record)
        self.reports.append(report)


@dataclass
class RepairSummary:
    """What a repair run did."""

    samples: int = 0
    passed_before: int = 0  # samples whose own version passed
    passed_after: int = 0  # samples with a passing version
    calls: int = 0  # model calls made by this run (resumed work not counted)
    unchanged: int = 0  # answers that returned the parent program unchanged (not verified, no version)
    no_program: int = 0  # answers that held no program at all (not verified, no version)
    failed: int = 0  # requests that got no answer
    mean_best_score: float | None = None


@dataclass
class RepairJob:
    """One refinement to ask for: which sample, which version, the prompt and the seed."""

    state: SampleRepair
    parent: int
    round: int
    seed: int
    failure: Failure | None
    prompt: Messages
    resample: int = 0  # how many answers with no new program (unchanged, or none) came before this try


def version_id(sample_id: str, number: int) -> str:
    """The id of a sample's version `number` in a repair file."""
    return f"{sample_id}{VERSION_SEPARATOR}{number}"


def same_program(code: str, other: str) -> bool:
    """True when two programs differ at most in whitespace at line ends, blank lines and the ends of the text."""
    def normal(text: str) -> list[str]:
        return [line.rstrip() for line in text.strip().splitlines() if line.strip()]

    return normal(code) == normal(other)


def resample_params(params: SamplingParams, resample: int) -> SamplingParams:
    """The sampling for try number `resample` after answers with no new program: hotter each time, up to a ceiling."""
    if resample == 0 or params.temperature >= MAX_RESAMPLE_TEMPERATURE:
        return params
    hotter = min(params.temperature + RESAMPLE_TEMPERATURE_STEP * resample, MAX_RESAMPLE_TEMPERATURE)
    return replace(params, temperature=round(hotter, 3))


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def root_code(sample: dict[str, Any]) -> str:
    """A sample's program: its `code`, or the program extracted from its completion."""
    return sample["code"] if sample.get("code") is not None else extract_code(sample.get("completion") or "")


def root_record(sample: dict[str, Any], backend: Backend, report: Report) -> dict[str, Any]:
    """The record of version 0: the sample as it was generated, with its report."""
    code = root_code(sample)
    return {
        "id": version_id(sample["id"], 0),
        "model": backend.model,
        "backend": backend.name,
        "prompt_template": sample.get("prompt_template"),
        "sampling": sample.get("sampling"),
        "seed": sample.get("seed"),
        "game": sample["game"],
        "completion": sample.get("completion") or code,
        "code": code,
        "prompt_tokens": sample.get("prompt_tokens"),
        "completion_tokens": sample.get("completion_tokens"),
        "elapsed_s": sample.get("elapsed_s"),
        "created": _now(),
        "prompt": None,
        "repair": {"sample": sample["id"], "version": 0, "parent": None, "round": 0, "calls": 1,
                   "generated_by": sample.get("model"), "failure": None},
        "score": report.score,
        "passed": report.passed,
        "report": report.to_json(),
    }


def repair_record(state: SampleRepair, backend: Backend, params: SamplingParams, job: RepairJob,
                  generation: Generation, report: Report) -> dict[str, Any]:
    """The record of one refined version."""
    number = len(state.records)
    return {
        **sampled_record(version_id(state.sample["id"], number), state.sample["game"], backend, REPAIR_TEMPLATE_ID,
                         params, job.seed, generation),
        "prompt": job.prompt,
        "repair": {"sample": state.sample["id"], "version": number, "parent": job.parent, "round": job.round,
                   "calls": number + 1, "failure": None if job.failure is None else job.failure.to_json(),
                   "unchanged_before": job.resample},  # answers with no new program before this one
        "score": report.score,
        "passed": report.passed,
        "report": report.to_json(),
    }


def _sample_problem(sample: dict[str, Any]) -> str | None:
    if "code" not in sample and "completion" not in sample:
        return "needs code (or a completion)"
    return game_problem(sample["game"])


SAMPLES = RecordKind("samples", ("id", "game"), lambda sample: str(sample["id"]), check=_sample_problem)


def read_samples(path: Path) -> list[dict[str, Any]]:
    """The samples of a generations file, checked: each needs an id, a registered game and code or a completion.

    An incomplete last line (a generation run interrupted mid-write) is left out; any other bad line is an error.
    """
    samples = read_record_file(Path(path), SAMPLES, allow_torn_end=True).records
    if not samples:
        raise RecordFileError(f"{path}: no samples")
    return samples


def _template(sample: dict[str, Any]) -> str:
    try:
        return get_template(str(sample.get("prompt_template") or DEFAULT_TEMPLATE)).name
    except ValueError:
        return DEFAULT_TEMPLATE


def _call_seed(sample: dict[str, Any], number: int) -> int:
    return (int(sample.get("seed") or 0) * 7919 + number) % 2**31


def _resume(samples: list[dict[str, Any]], out_path: Path) -> dict[str, SampleRepair]:
    """Search states rebuilt from the versions already in the output file."""
    states = {s["id"]: SampleRepair(s) for s in samples}
    kept = resume_records(out_path, keep=lambda r: isinstance(r.get("repair"), dict) and "report" in r)
    for record in sorted(kept, key=lambda r: r["repair"]["version"]):
        state = states.get(record["repair"]["sample"])
        if state is not None and record["repair"]["version"] == len(state.records):
            state.add(record, Report.from_json(record["report"]))
    return states


def _reverify_infrastructure_failures(states: list[SampleRepair], pool: SandboxPool, config: RepairConfig,
                                      verify_config: VerifyConfig) -> None:
    """Versions whose verification the harness broke get a fresh report for the search (the file is left as is)."""
    todo = [(state, number) for state in states for number, report in enumerate(state.reports)
            if report.infrastructure_failure]
    candidates = [Candidate(str(i), s.sample["game"], s.records[n]["code"]) for i, (s, n) in enumerate(todo)]
    for candidate, report in verify_many(candidates, pool, config.seed, verify_config):
        state, number = todo[int(candidate.id)]
        state.reports[number] = report
        version = state.tree.versions[number]
        version.score, version.passed = report.score, report.passed


def _failure(state: SampleRepair, number: int, config: RepairConfig, verify_config: VerifyConfig) -> Failure | None:
    if number not in state.failures:
        state.failures[number] = most_informative_failure(state.reports[number], config.seed, verify_config)
    return state.failures[number]


def plan_round(states: list[SampleRepair], config: RepairConfig, verify_config: VerifyConfig) -> list[RepairJob]:
    """The refinements to ask for next: for each unsolved sample with budget left, the rest of its current round."""
    jobs = []
    for state in states:
        if not state.records or state.tree.solved:
            continue
        in_round = config.width - state.repairs % config.width
        slots = min(in_round, config.call_budget - state.calls)
        if slots <= 0:
            continue
        number = state.repairs // config.width + 1
        template = _template(state.sample)
        for offset, parent in enumerate(state.tree.select(slots, config.exploration)):
            failure = _failure(state, parent, config, verify_config)
            prompt = build_repair_messages(state.sample["game"], state.records[parent]["code"], state.reports[parent],
                                           failure, template)
            jobs.append(RepairJob(state, parent, number, _call_seed(state.sample, state.calls + offset), failure,
                                  prompt))
    return jobs


def _verify_roots(states: list[SampleRepair], backend: Backend, pool: SandboxPool, config: RepairConfig,
                  verify_config: VerifyConfig, out: TextIO) -> None:
    """Record version 0 of every sample that has none yet (a harness failure leaves it for a later run)."""
    todo = [state for state in states if not state.records]
    candidates = [Candidate(str(i), s.sample["game"], root_code(s.sample)) for i, s in enumerate(todo)]
    for candidate, report in verify_many(candidates, pool, config.seed, verify_config):
        if report.infrastructure_failure:
            continue
        state = todo[int(candidate.id)]
        record = root_record(state.sample, backend, report)
        append_record(out, record)
        state.add(record, report)


def _run_round(jobs: list[RepairJob], backend: Backend, params: SamplingParams, pool: SandboxPool,
               config: RepairConfig, verify_config: VerifyConfig, out: TextIO, summary: RepairSummary) -> None:
    """Ask for every job's correction, verify each new program as it arrives and record it; ask again (hotter)
    for those that gave no new program. The model calls and the answers without one are added to `summary`."""
    with concurrent.futures.ThreadPoolExecutor(pool.workers) as executor:
        pending: dict[concurrent.futures.Future, tuple[RepairJob, Generation, SamplingParams]] = {}

        def write(done: list[concurrent.futures.Future]) -> None:
            for future in done:
                job, generation, used = pending.pop(future)
                job.state.add(repair_record(job.state, backend, used, job, generation, future.result()),
                              future.result())
                append_record(out, job.state.records[-1])

        try:
            todo = jobs
            for resample in range(config.resamples + 1):
                used = resample_params(params, resample)
                tries = [replace(job, resample=resample, seed=_resample_seed(job.seed, resample)) for job in todo]
                no_new_program = []
                for index, generation in backend.generate([j.prompt for j in tries], [j.seed for j in tries], used):
                    summary.calls += 1
                    job = tries[index]
                    if generation.error is not None:
                        summary.failed += 1
                        job.state.spent += 1
                        continue
                    code = extract_code(generation.text)
                    if same_program(code, job.state.records[job.parent]["code"]):
                        summary.unchanged += 1
                        no_new_program.append(job)
                        continue
                    if not defines_protocol_function(code):
                        summary.no_program += 1
                        no_new_program.append(job)
                        continue
                    future = executor.submit(verify, code, job.state.sample["game"], config.seed, verify_config,
                                             pool.run)
                    pending[future] = (job, generation, used)
                    write([f for f in list(pending) if f.done()])
                todo = no_new_program
                if not todo:
                    break
            for job in todo:
                job.state.spent += 1
        finally:
            # Finished generations are verified and written even when the run is interrupted.
            concurrent.futures.wait(list(pending))
            write(list(pending))


def _resample_seed(seed: int, resample: int) -> int:
    return (seed + 1_000_003 * resample) % 2**31


def repair_samples(
    backend: Backend,
    generations: Path,
    out_path: Path,
    params: SamplingParams | None = None,
    config: RepairConfig | None = None,
    verify_config: VerifyConfig | None = None,
    progress: bool = True,
) -> RepairSummary:
    """Repair every sample of a generations file into `out_path` (resuming it); returns a summary."""
    from rich.progress import Progress

    params = params or SamplingParams()
    config = config or RepairConfig()
    verify_config = verify_config or VerifyConfig()
    states = list(_resume(read_samples(generations), out_path).values())
    summary = RepairSummary(samples=len(states))
    with SandboxPool(workers=config.workers) as pool, Path(out_path).open("a") as out, \
            Progress(disable=not progress) as bar:
        _reverify_infrastructure_failures(states, pool, config, verify_config)
        _verify_roots(states, backend, pool, config, verify_config, out)
        task = bar.add_task(f"repairing with {backend.model}", total=None)
        while jobs := plan_round(states, config, verify_config):
            _run_round(jobs, backend, params, pool, config, verify_config, out, summary)
            bar.update(task, description=f"repairing with {backend.model}: {summary.calls} model calls")
    best = [s.tree.best() for s in states]
    summary.passed_before = sum(bool(s.records) and s.tree.versions[0].passed for s in states)
    summary.passed_after = sum(s.tree.solved for s in states)
    scores = [b.score for b in best if b is not None and b.score is not None]
    summary.mean_best_score = sum(scores) / len(scores) if scores else None
    return summary


def default_repair_path(generations: Path) -> Path:
    """Where `generate --repair-rounds` writes the versions: beside the generations, `<name>.repairs.jsonl`."""
    return Path(generations).with_suffix(".repairs.jsonl")


def describe_summary(summary: RepairSummary, out_path: Path) -> str:
    """One line saying what a repair run did."""
    best = "-" if summary.mean_best_score is None else f"{summary.mean_best_score:.3f}"
    wasted = "; ".join(([f"{summary.unchanged} returned the program unchanged"] if summary.unchanged else [])
                       + ([f"{summary.no_program} held no program"] if summary.no_program else []))
    wasted = f" ({wasted})" if wasted else ""
    failed = f"; {summary.failed} requests failed" if summary.failed else ""
    return (f"{summary.samples} samples: {summary.passed_before} passed as generated, {summary.passed_after} after "
            f"repair; mean best score {best}; {summary.calls} model calls{wasted}{failed}; versions in {out_path}")
