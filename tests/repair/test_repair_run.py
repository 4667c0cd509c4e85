"""The repair loop against the scripted chat server and the tiny model: it stops at the fixed version,
records the tree, respects its budget and resumes; `repair`, `generate --repair-rounds`, `evaluate` and
`report` end to end, and repaired programs as distillation data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gamecwm.cli import main
from gamecwm.generate.backends import SamplingParams, make_backend
from gamecwm.jsonl import read_records
from gamecwm.repair.run import RepairConfig, describe_summary, repair_samples
from tests.generate.chat_server import ChatServer
from tests.repair.programs import BROKEN, BROKEN_MESSAGE, FIXED, fenced

SAMPLE_ID = "tic_tac_toe/protocol@1/0"
GENERATION_FIELDS = {"id", "model", "game", "code", "completion", "prompt_template"}


def _generations(path: Path, *samples: tuple[str, str]) -> Path:
    lines = [{"id": f"tic_tac_toe/protocol@1/{i}", "model": "m", "game": "tic_tac_toe", "code": code,
              "completion": fenced(code), "prompt_template": "protocol@1", "seed": 5 + i}
             for i, (_, code) in enumerate(samples)]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def _fixed_on_second_look(body: dict) -> tuple[int, str]:
    """Broken differently (a comment added) on the first request; fixed once a prompt shows the failure again
    (the second request on)."""
    _fixed_on_second_look.calls += 1
    prompt = body["messages"][-1]["content"]
    fixed = _fixed_on_second_look.calls > 1 and BROKEN_MESSAGE in prompt
    return 200, fenced(FIXED if fixed else BROKEN + "# still broken\n")


def _always_broken(body: dict) -> tuple[int, str]:
    """A new broken program every time (a comment differs), so no answer repeats its parent."""
    _always_broken.calls = getattr(_always_broken, "calls", 0) + 1
    return 200, fenced(f"{BROKEN}# try {_always_broken.calls}\n")


def _backend(server: ChatServer):
    return make_backend("openai", "m", base_url=server.base_url, concurrency=2)


def test_the_loop_stops_at_the_fixed_version_and_records_the_tree(tmp_path: Path) -> None:
    _fixed_on_second_look.calls = 0
    gens, out = _generations(tmp_path / "gens.jsonl", ("broken", BROKEN)), tmp_path / "repairs.jsonl"
    with ChatServer(responder=_fixed_on_second_look) as server:
        summary = repair_samples(_backend(server), gens, out, config=RepairConfig(rounds=5), progress=False)
        requests = server.requests
    assert len(requests) == 2 and summary.calls == 2
    assert (summary.passed_before, summary.passed_after, summary.mean_best_score) == (0, 1, 1.0)
    records = read_records(out)
    assert [r["id"] for r in records] == [f"{SAMPLE_ID}#v{n}" for n in range(3)]
    assert [r["repair"]["parent"] for r in records] == [None, 0, 1]
    assert [r["repair"]["calls"] for r in records] == [1, 2, 3]
    assert [r["passed"] for r in records] == [False, False, True]
    assert records[2]["code"] == FIXED and records[0]["code"] == BROKEN
    assert all(GENERATION_FIELDS <= set(r) and r["model"] == "m" and r["report"]["tiers"] for r in records)
    for record, request in zip(records[1:], requests):
        assert record["prompt"] == request["messages"]
        prompt = request["messages"][-1]["content"]
        assert "reference_driven_play_agrees" in prompt and BROKEN_MESSAGE in prompt
        assert str(record["repair"]["failure"]["history"]) in prompt
        assert record["repair"]["failure"]["check"] == "reference_driven_play_agrees"


def test_the_budget_is_respected(tmp_path: Path) -> None:
    gens = _generations(tmp_path / "gens.jsonl", ("broken", BROKEN), ("fixed", FIXED))
    with ChatServer(responder=_always_broken) as server:
        repair_samples(_backend(server), gens, tmp_path / "a.jsonl", config=RepairConfig(rounds=2, width=2),
                       progress=False)
        assert len(server.requests) == 4  # the passing sample asks for nothing
        repair_samples(_backend(server), gens, tmp_path / "b.jsonl",
                       config=RepairConfig(rounds=2, width=2, max_calls=3), progress=False)
        assert len(server.requests) == 4 + 2
    records = [r for r in read_records(tmp_path / "a.jsonl") if r["repair"]["sample"] == SAMPLE_ID]
    assert [r["repair"]["round"] for r in records] == [0, 1, 1, 2, 2]
    assert sorted(r["repair"]["parent"] for r in records[1:3]) == [0, 0]
    assert len(read_records(tmp_path / "b.jsonl")) == 3 + 1


class _Interrupting:
    """Wraps a backend and raises KeyboardInterrupt (a user's Ctrl-C) once `after` generations have arrived."""

    def __init__(self, inner, after: int) -> None:
        self.inner, self.after, self.seen = inner, after, 0
        self.name, self.model = inner.name, inner.model

    def generate(self, prompts, seeds, params):
        for item in self.inner.generate(prompts, seeds, params):
            if self.seen == self.after:
                raise KeyboardInterrupt
            self.seen += 1
            yield item


def test_an_interrupted_run_resumes_without_asking_again(tmp_path: Path) -> None:
    gens, out = _generations(tmp_path / "gens.jsonl", ("broken", BROKEN)), tmp_path / "repairs.jsonl"
    config = RepairConfig(rounds=4)
    with ChatServer(responder=_always_broken) as server:
        backend = make_backend("openai", "m", base_url=server.base_url, concurrency=1)
        with pytest.raises(KeyboardInterrupt):
            repair_samples(_Interrupting(backend, 2), gens, out, config=config, progress=False)
        assert len(read_records(out)) == 3
        with out.open("a") as handle:
            handle.write('{"id": "tic_tac_toe/protocol@1/0#v3", "mod')  # a torn last line
        before = len(server.requests)
        summary = repair_samples(backend, gens, out, config=config, progress=False)
        assert summary.calls == 2 and len(server.requests) - before == 2
    records = read_records(out)
    assert [r["repair"]["version"] for r in records] == [0, 1, 2, 3, 4]
    assert [r["repair"]["calls"] for r in records] == [1, 2, 3, 4, 5]
    assert all(r["repair"]["parent"] is not None for r in records[1:])


def test_repair_evaluate_and_report_commands(tmp_path: Path, capsys) -> None:
    _fixed_on_second_look.calls = 0
    gens = _generations(tmp_path / "gens.jsonl", ("broken", BROKEN), ("fixed", FIXED))
    out, results = tmp_path / "repairs.jsonl", tmp_path / "results.jsonl"
    with ChatServer(responder=_fixed_on_second_look) as server:
        assert main(["repair", str(gens), "--backend", "openai", "--model", "m", "--base-url", server.base_url,
                     "--concurrency", "1", "--rounds", "3", "--workers", "1", "--out", str(out)]) == 0
    assert "2 samples: 1 passed as generated, 2 after repair" in " ".join(capsys.readouterr().out.split())
    assert main(["evaluate", str(out), "--out", str(results), "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    assert "| m | 1 (single sample) | 2 | " in printed and "| 50.0% |" in printed
    assert main(["report", str(results), "--out", str(tmp_path / "report")]) == 0
    report = (tmp_path / "report" / "report.md").read_text()
    curve = report.split("## Repair: score and pass rate by model calls")[1]
    rows = [line for line in curve.splitlines() if line.startswith("| m |")]
    assert [row.split("|")[2].strip() for row in rows] == ["1 (single sample)", "2", "3"]
    assert [row.split("|")[5].strip() for row in rows] == ["50.0%", "50.0%", "100.0%"]
    assert (tmp_path / "report" / "repair_curve.png").stat().st_size > 1000

    from gamecwm.train.data import distilled_rows

    rows, skipped = distilled_rows(out, results, 1.0)  # verified versions are SFT data
    assert len(rows) == 2 and skipped["below_threshold"] == 2
    assert all(FIXED.strip() in row["completion"][-1]["content"] for row in rows)


def test_repair_command_rejects_bad_input(tmp_path: Path, capsys) -> None:
    gens = _generations(tmp_path / "gens.jsonl", ("broken", BROKEN))
    assert main(["repair", str(gens), "--backend", "openai", "--model", "m", "--width", "0",
                 "--out", str(tmp_path / "r.jsonl")]) == 2
    assert "width" in capsys.readouterr().err
    (tmp_path / "bad.jsonl").write_text('{"id": "x", "game": "nope", "code": ""}\n')
    assert main(["repair", str(tmp_path / "bad.jsonl"), "--backend", "openai", "--model", "m",
                 "--out", str(tmp_path / "r.jsonl")]) == 2


def test_generate_with_repair_rounds(tmp_path: Path) -> None:
    def responder(body: dict) -> tuple[int, str]:
        repairing = "# What the verifier found" in body["messages"][-1]["content"]
        return 200, fenced(FIXED if repairing else BROKEN)

    out = tmp_path / "gens.jsonl"
    with ChatServer(responder=responder) as server:
        assert main(["generate", "--backend", "openai", "--model", "m", "--base-url", server.base_url,
                     "--games", "tic_tac_toe", "--samples", "2", "--repair-rounds", "2", "--repair-width", "1",
                     "--out", str(out)]) == 0
        assert len(server.requests) == 4
    repairs = read_records(tmp_path / "gens.repairs.jsonl")
    assert len(read_records(out)) == 2 and len(repairs) == 4
    assert sorted((r["repair"]["version"], r["passed"]) for r in repairs) == [(0, False), (0, False), (1, True), (1, True)]


def test_repair_with_the_tiny_model(tiny_model_dir: Path, tmp_path: Path) -> None:
    gens = _generations(tmp_path / "gens.jsonl", ("stub", "def get_initial_state():\n    return {}\n"))
    out = tmp_path / "repairs.jsonl"
    backend = make_backend("transformers", str(tiny_model_dir), batch_size=2)
    summary = repair_samples(backend, gens, out, SamplingParams(max_tokens=8),
                             RepairConfig(rounds=1, width=2, resamples=1), progress=False)
    # 8 tokens of a random-weight model define no protocol function: both answers of the round are asked for
    # again, hotter, and none becomes a version
    assert (summary.calls, summary.no_program, summary.failed, summary.passed_after) == (4, 4, 0, 0)
    records = read_records(out)
    assert [r["repair"]["version"] for r in records] == [0]
    json.dumps(records)


def _unchanged_then_fixed(unchanged: int):
    """Answers the parent (BROKEN, re-indented blank lines aside) `unchanged` times, then the fixed program."""
    answers = []

    def responder(body: dict) -> tuple[int, str]:
        answers.append(body["temperature"])
        same = "\n\n".join(BROKEN.split("\n\n")) + "\n   \n"
        return 200, fenced(same if len(answers) <= unchanged else FIXED)

    return responder, answers


def _repair_broken(tmp_path: Path, unchanged: int, temperature: float, config: RepairConfig):
    """Repair the broken sample against a model that answers it unchanged `unchanged` times, then fixed;
    returns the summary, the temperatures asked for and the versions file."""
    gens, out = _generations(tmp_path / "gens.jsonl", ("broken", BROKEN)), tmp_path / "repairs.jsonl"
    responder, temperatures = _unchanged_then_fixed(unchanged)
    with ChatServer(responder=responder) as server:
        summary = repair_samples(_backend(server), gens, out, SamplingParams(temperature=temperature), config,
                                 progress=False)
    return summary, temperatures, out


def test_an_unchanged_answer_is_resampled_hotter_and_is_no_version(tmp_path: Path) -> None:
    summary, temperatures, out = _repair_broken(tmp_path, 2, 0.5, RepairConfig(rounds=1, resamples=2))
    assert temperatures == [0.5, 0.8, 1.1]
    assert (summary.calls, summary.unchanged, summary.passed_after) == (3, 2, 1)
    records = read_records(out)
    assert [r["repair"]["version"] for r in records] == [0, 1]  # the unchanged answers are not versions
    assert records[1]["code"] == FIXED and records[1]["sampling"]["temperature"] == 1.1
    assert records[1]["repair"]["unchanged_before"] == 2


def test_a_slot_whose_every_try_is_unchanged_is_spent_without_a_version(tmp_path: Path) -> None:
    summary, temperatures, out = _repair_broken(tmp_path, 100, 1.2, RepairConfig(rounds=2, resamples=1))
    assert temperatures == [1.2, 1.3, 1.2, 1.3]  # two rounds, one hotter try each, up to the ceiling
    assert (summary.calls, summary.unchanged, summary.passed_after) == (4, 4, 0)
    assert [r["repair"]["version"] for r in read_records(out)] == [0]
    assert "4 model calls (4 returned the program unchanged)" in describe_summary(summary, out)


NO_PROGRAM_ANSWERS = [
    "The module is already correct and passes the required checks. No changes are needed.",
    fenced("state = get_initial_state()\nprint(get_legal_actions(state))\n"),  # calls, defines nothing
    "```python\n# no changes needed\n```",
]


def test_an_answer_with_no_program_is_resampled_hotter_and_is_no_version(tmp_path: Path) -> None:
    answers = [*NO_PROGRAM_ANSWERS, fenced(FIXED)]
    temperatures: list[float] = []

    def responder(body: dict) -> tuple[int, str]:
        temperatures.append(body["temperature"])
        return 200, answers[len(temperatures) - 1]

    gens, out = _generations(tmp_path / "gens.jsonl", ("broken", BROKEN)), tmp_path / "repairs.jsonl"
    with ChatServer(responder=responder) as server:
        summary = repair_samples(_backend(server), gens, out, SamplingParams(temperature=0.4),
                                 RepairConfig(rounds=1, resamples=3), progress=False)
    assert temperatures == [0.4, 0.7, 1.0, 1.3]
    assert (summary.calls, summary.no_program, summary.unchanged, summary.passed_after) == (4, 3, 0, 1)
    records = read_records(out)
    assert [r["repair"]["version"] for r in records] == [0, 1]  # the answers without a program are not versions
    assert records[1]["code"] == FIXED and records[1]["repair"]["unchanged_before"] == 3
    assert "4 model calls (3 held no program)" in describe_summary(summary, out)


def test_a_slot_whose_every_try_holds_no_program_is_spent_without_a_version(tmp_path: Path) -> None:
    gens, out = _generations(tmp_path / "gens.jsonl", ("broken", BROKEN)), tmp_path / "repairs.jsonl"
    with ChatServer(responder=lambda body: (200, NO_PROGRAM_ANSWERS[0])) as server:
        summary = repair_samples(_backend(server), gens, out, config=RepairConfig(rounds=2, resamples=1),
                                 progress=False)
    assert (summary.calls, summary.no_program, summary.passed_after) == (4, 4, 0)
    assert [r["repair"]["version"] for r in read_records(out)] == [0]


def test_a_broken_program_is_still_a_version() -> None:
    from gamecwm.extract import defines_protocol_function, extract_code

    cut_off = "def get_initial_state():\n    return {'board': [\n"  # a syntax error, but a program
    assert defines_protocol_function(extract_code(cut_off))
    assert defines_protocol_function(extract_code(fenced(BROKEN)))
    assert not any(defines_protocol_function(extract_code(answer)) for answer in NO_PROGRAM_ANSWERS)


def test_unchanged_means_equal_up_to_whitespace_and_resampling_gets_hotter() -> None:
    from gamecwm.repair.run import MAX_RESAMPLE_TEMPERATURE, resample_params, same_program

    assert same_program("x = 1\n\n\ndef f():\n    return x   \n", "\nx = 1\ndef f():\n    return x")
    assert not same_program("x = 1\n", "x = 2\n")
    assert not same_program("def f():\n    return 1\n", "def f():\n  return 1\n")  # indentation is code
    assert not same_program(BROKEN, FIXED)
    params = SamplingParams(temperature=0.0)
    assert resample_params(params, 0) is params
    assert [resample_params(params, n).temperature for n in (1, 2, 3, 9)] == [0.3, 0.6, 0.9, MAX_RESAMPLE_TEMPERATURE]
    hot = SamplingParams(temperature=2.0)
    assert resample_params(hot, 1) is hot
