"""Long generation runs: one bad sample never stops a run, reruns retry only failures, resume never mixes runs."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest

from gamecwm.cli import main
from gamecwm.generate.backends import SamplingParams, make_backend
from gamecwm.generate.run import failures_path, generate_samples
from gamecwm.jsonl import read_records
from gamecwm.records import RecordFileError
from tests.generate.chat_server import ChatServer

PROGRAM = "```python\ndef get_initial_state():\n    return {}\n```"
GAMES = ["tic_tac_toe", "pig", "kuhn_poker"]


def _backend(server: ChatServer, model: str = "m", **options):
    options = {"concurrency": 4, "max_retries": 0, **options}
    return make_backend("openai", model, base_url=server.base_url, **options)


def _generate(backend, out: Path, **options):
    return generate_samples(backend, GAMES, 3, out, SamplingParams(), progress=False, **options)


def test_a_failing_prompt_is_recorded_and_the_others_are_written(tmp_path: Path) -> None:
    out = tmp_path / "gens.jsonl"
    too_long = {1000, 1001, 1002}  # pig's seeds (second game): the endpoint rejects its prompts

    def answer(body: dict) -> tuple:
        if body["seed"] in too_long:
            return 400, "This model's maximum context length is 8 tokens"
        return 200, PROGRAM

    with ChatServer(responder=answer) as server:
        summary = _generate(_backend(server, concurrency=8), out)
    assert summary.written == 6 and summary.present == 6 and summary.total == 9
    assert sorted(summary.failures) == [f"m/pig/protocol@1/{i}" for i in range(3)]
    assert all("400" in error and "maximum context length" in error for error in summary.failures.values())
    assert sorted({r["game"] for r in read_records(out)}) == ["kuhn_poker", "tic_tac_toe"]
    failures = read_records(failures_path(out))
    assert sorted((r["id"], r["attempt"]) for r in failures) == [(f"m/pig/protocol@1/{i}", 1) for i in range(3)]
    assert "pig" in summary.describe(out) and "run the same command again" in summary.describe(out)


def test_a_rerun_retries_only_the_failures_up_to_the_attempt_limit(tmp_path: Path) -> None:
    out = tmp_path / "gens.jsonl"
    with ChatServer(responder=lambda body: (400, "bad prompt") if body["seed"] == 2000 else (200, PROGRAM)) as server:
        backend = _backend(server)
        first = _generate(backend, out, max_attempts=2)
        assert list(first.failures) == ["m/kuhn_poker/protocol@1/0"] and len(server.requests) == 9
        second = _generate(backend, out, max_attempts=2)
        assert second.written == 0 and len(server.requests) == 10  # only the failed sample was asked again
        assert second.given_up == ["m/kuhn_poker/protocol@1/0"]
        third = _generate(backend, out, max_attempts=2)
        assert len(server.requests) == 10 and not third.failures and third.given_up  # the limit holds
        assert "--max-attempts" in third.describe(out)
    assert [r["attempt"] for r in read_records(failures_path(out))] == [1, 2]


def test_an_endpoint_failing_one_request_in_three_finishes_after_reruns(tmp_path: Path) -> None:
    out = tmp_path / "gens.jsonl"
    count = Counter()
    lock = threading.Lock()

    def flaky(body: dict) -> tuple:
        with lock:
            count["requests"] += 1
            failing = count["requests"] % 3 == 0
        return (500, "internal error") if failing else (200, PROGRAM)

    with ChatServer(responder=flaky) as server:
        backend = _backend(server, concurrency=3)
        for _ in range(6):
            summary = _generate(backend, out, max_attempts=6)
            if summary.present == summary.total:
                break
    ids = [r["id"] for r in read_records(out)]
    assert len(ids) == 9 and len(set(ids)) == 9  # every sample present exactly once
    assert read_records(failures_path(out))  # the failed attempts are on record


def test_empty_null_and_malformed_answers_are_retried_like_other_errors(tmp_path: Path) -> None:
    script = [(200, ""), (200, None), (200, "x", {"choices": []}), (200, None, {"raw": b"{not json"}), (200, PROGRAM)]
    with ChatServer(script) as server:
        summary = generate_samples(_backend(server, max_retries=4), ["pig"], 1, tmp_path / "g.jsonl",
                                   progress=False)
    assert summary.written == 1 and len(server.requests) == 5


@pytest.mark.parametrize(("reply", "message"), [
    ((200, "   "), "empty completion"),
    ((200, None), "empty completion"),
    ((200, "x", {"choices": []}), "no choices"),
    ((200, None, {"raw": b"{not json"}), "malformed response"),
    ((200, None, {"raw": b"[1, 2]"}), "malformed response"),
])
def test_answers_without_a_completion_are_per_sample_failures(tmp_path: Path, reply: tuple, message: str) -> None:
    out = tmp_path / "g.jsonl"
    with ChatServer([reply]) as server:
        summary = generate_samples(_backend(server, max_retries=1), ["pig"], 2, out, progress=False)
    assert summary.written == 0 and len(summary.failures) == 2
    assert all(message in error for error in summary.failures.values())
    assert len(server.requests) == 4  # each sample tried 1 + max_retries times
    assert not out.read_text()


def test_a_hung_endpoint_times_out_per_sample(tmp_path: Path) -> None:
    import time

    with ChatServer([(200, PROGRAM, {"hang": 30})]) as server:
        started = time.monotonic()
        summary = generate_samples(_backend(server, timeout_s=0.5), ["pig"], 2, tmp_path / "g.jsonl",
                                   progress=False)
    assert time.monotonic() - started < 10
    assert len(summary.failures) == 2 and all("--timeout" in e for e in summary.failures.values())


def test_rate_limits_wait_for_retry_after() -> None:
    messages = [{"role": "user", "content": "hi"}]
    with ChatServer([(429, "slow down", {"headers": {"Retry-After": "1"}}), (200, "ok")]) as server:
        results = dict(_backend(server, max_retries=2).generate([messages], [0], SamplingParams()))
    assert results[0].text == "ok" and results[0].error is None
    assert server.arrivals[1] - server.arrivals[0] >= 0.9


def test_resume_refuses_another_model_or_other_sampling(tmp_path: Path) -> None:
    out = tmp_path / "gens.jsonl"
    with ChatServer([(200, PROGRAM)]) as server:
        generate_samples(_backend(server, "model-a"), ["pig"], 2, out, progress=False)
        with pytest.raises(RecordFileError, match=r"different run.*model: 'model-a' -> 'model-b'.*--resume-anyway"):
            generate_samples(_backend(server, "model-b"), ["pig"], 2, out, progress=False)
        with pytest.raises(RecordFileError, match="sampling"):
            generate_samples(_backend(server, "model-a"), ["pig"], 2, out, SamplingParams(temperature=0.1),
                             progress=False)
        added = generate_samples(_backend(server, "model-b"), ["pig"], 2, out, progress=False, resume_anyway=True)
    assert added.written == 2
    assert sorted(r["id"] for r in read_records(out)) == ["model-a/pig/protocol@1/0", "model-a/pig/protocol@1/1",
                                                          "model-b/pig/protocol@1/0", "model-b/pig/protocol@1/1"]


@pytest.mark.parametrize("command", ["generate", "import-samples"])
def test_out_that_is_not_a_generations_file_is_refused_and_left_as_it_is(tmp_path: Path, capsys,
                                                                          command: str) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text('# my notes\n{"id": 1}\nmore text\n')
    before = notes.read_bytes()
    folder = tmp_path / "samples"
    folder.mkdir()
    (folder / "pig_gen0.py").write_text("x = 1\n")
    argv = {"generate": ["generate", "--backend", "openai", "--model", "m", "--base-url", "http://127.0.0.1:9/v1",
                         "--games", "pig", "--out", str(notes)],
            "import-samples": ["import-samples", str(folder), "--model", "m", "--out", str(notes)]}[command]
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert str(notes) in error and "not a generations file" in error and "Traceback" not in error
    assert notes.read_bytes() == before


def test_generate_exits_1_and_counts_failures(tmp_path: Path, capsys) -> None:
    out = tmp_path / "gens.jsonl"
    with ChatServer(responder=lambda body: (400, "too long") if body["seed"] == 1 else (200, PROGRAM)) as server:
        argv = ["generate", "--backend", "openai", "--model", "m", "--base-url", server.base_url, "--games", "pig",
                "--samples", "3", "--max-retries", "0", "--out", str(out)]
        assert main(argv) == 1
        printed = capsys.readouterr().out
        assert "2 new samples" in printed and "1 samples failed" in printed and "m/pig/protocol@1/1" in printed


@pytest.mark.parametrize("option", [["--samples", "0"], ["--concurrency", "0"], ["--max-retries", "-1"],
                                    ["--timeout", "0"], ["--max-tokens", "0"], ["--top-p", "1.5"],
                                    ["--temperature", "nan"], ["--max-attempts", "0"]])
def test_numeric_options_are_range_checked_when_parsed(tmp_path: Path, capsys, option: list[str]) -> None:
    assert main(["generate", "--backend", "openai", "--model", "m", "--out", str(tmp_path / "g.jsonl"), *option]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and option[0] in error and "expected" in error
    assert not (tmp_path / "g.jsonl").exists()


def test_ctrl_c_prints_one_line_and_the_resume_command(tmp_path: Path, capsys, monkeypatch) -> None:
    from gamecwm.generate import run

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(run, "generate_samples", interrupted)
    argv = ["generate", "--backend", "openai", "--model", "m", "--base-url", "http://127.0.0.1:9/v1",
            "--games", "pig", "--out", str(tmp_path / "g.jsonl")]
    assert main(argv) == 130
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and error.endswith("gamecwm " + " ".join(argv))


def test_a_missing_local_model_folder_is_named(tmp_path: Path) -> None:
    pytest.importorskip("transformers")
    from gamecwm.generate.backends import BackendError

    with pytest.raises(BackendError, match="no such model folder"):
        make_backend("transformers", str(tmp_path / "models" / "base"))
