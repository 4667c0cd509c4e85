"""`generate` and `import-samples`: one line per sample, resumable, nothing lost on interruption."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gamecwm.cli import main
from gamecwm.generate.backends import SamplingParams, make_backend
from gamecwm.generate.run import generate_samples, import_samples, select_games
from gamecwm.jsonl import read_records
from gamecwm.records import RecordFileError
from tests.generate.chat_server import ChatServer

FIELDS = {"id", "model", "backend", "prompt_template", "sampling", "seed", "game", "completion", "code",
          "prompt_tokens", "completion_tokens", "elapsed_s", "provenance"}


class _InterruptingBackend:
    """Wraps a backend and raises KeyboardInterrupt after a number of samples (a user's Ctrl-C)."""

    def __init__(self, inner, after: int) -> None:
        self.inner, self.after = inner, after
        self.name, self.model = inner.name, inner.model

    def generate(self, prompts, seeds, params):
        for count, item in enumerate(self.inner.generate(prompts, seeds, params)):
            if count == self.after:
                raise KeyboardInterrupt
            yield item


def test_generate_writes_every_field_and_resumes(tmp_path: Path) -> None:
    out = tmp_path / "gens.jsonl"
    with ChatServer([(200, "Sure.\n```python\ndef get_initial_state():\n    return {}\n```")]) as server:
        backend = make_backend("openai", "m", base_url=server.base_url, concurrency=1)
        with pytest.raises(KeyboardInterrupt):
            generate_samples(_InterruptingBackend(backend, 3), ["tic_tac_toe", "pig"], 3, out,
                             SamplingParams(temperature=0.2), progress=False)
        assert len(read_records(out)) == 3
        before = len(server.requests)
        summary = generate_samples(backend, ["tic_tac_toe", "pig"], 3, out, SamplingParams(temperature=0.2),
                                   progress=False)
        assert summary.written == 3 and len(server.requests) - before == 3  # only the missing samples are requested
        assert summary.present == summary.total == 6 and not summary.failures
    records = read_records(out)
    assert sorted(r["id"] for r in records) == sorted(f"m/{g}/protocol@1/{i}" for g in ("tic_tac_toe", "pig")
                                                      for i in range(3))
    assert all(FIELDS <= set(r) for r in records)
    assert records[0]["code"] == "def get_initial_state():\n    return {}\n"
    assert records[0]["sampling"]["temperature"] == 0.2
    assert len({r["seed"] for r in records}) == 6
    provenance = records[0]["provenance"]
    assert provenance["model"] == "m" and provenance["backend"] == "openai" and provenance["base_seed"] == 0
    assert provenance["sampling"]["temperature"] == 0.2 and provenance["prompt_template"] == "protocol@1"
    assert {"dataset_version", "package_version", "schema_version"} <= set(provenance)


def test_generate_command_end_to_end(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "gens.jsonl"
    with ChatServer([(200, "x = 1")]) as server:
        assert main(["generate", "--backend", "openai", "--model", "m", "--base-url", server.base_url,
                     "--games", "kuhn_poker", "--samples", "2", "--out", str(out)]) == 0
    assert [r["game"] for r in read_records(out)] == ["kuhn_poker", "kuhn_poker"]


def test_generate_command_reports_an_unreachable_endpoint(tmp_path: Path, capsys) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = main(["generate", "--backend", "openai", "--model", "m", "--base-url", f"http://127.0.0.1:{port}/v1",
                 "--games", "pig", "--max-retries", "0", "--out", str(tmp_path / "g.jsonl")])
    assert code == 1 and "cannot reach" in capsys.readouterr().err


def test_game_selection() -> None:
    assert set(select_games("test")) == {"y", "gen_tic_tac_toe", "gen_chess", "converge", "gin_rummy",
                                         "quadranto", "hand_of_war"} & set(select_games("all"))
    assert select_games("pig, kuhn_poker") == ["pig", "kuhn_poker"]
    with pytest.raises(KeyError):
        select_games("pig,chesss")


def test_import_samples(tmp_path: Path) -> None:
    folder = tmp_path / "samples"
    folder.mkdir()
    (folder / "tic_tac_toe_gen0.py").write_text("a = 1\n")
    (folder / "kuhn_poker_gen3.py").write_text("b = 2\n")
    out = tmp_path / "gens.jsonl"
    assert import_samples(folder, "outside-model", out) == 2
    assert import_samples(folder, "outside-model", out) == 0
    records = {r["id"]: r for r in read_records(out)}
    assert records["outside-model/kuhn_poker/imported/3"]["code"] == "b = 2\n"
    assert records["outside-model/tic_tac_toe/imported/0"]["model"] == "outside-model"
    with pytest.raises(RecordFileError, match="different run.*model"):
        import_samples(folder, "second-model", out)
    assert import_samples(folder, "second-model", out, resume_anyway=True) == 2
    assert len(read_records(out)) == 4
    (folder / "notagame_gen1.py").write_text("")
    with pytest.raises(ValueError, match="notagame_gen1.py"):
        import_samples(folder, "outside-model", out)


def test_transformers_backend_samples_from_the_tiny_model(tiny_model_dir: Path, tmp_path: Path) -> None:
    backend = make_backend("transformers", str(tiny_model_dir), batch_size=2)
    out = tmp_path / "gens.jsonl"
    generate_samples(backend, ["tic_tac_toe"], 3, out, SamplingParams(max_tokens=12), progress=False)
    records = read_records(out)
    assert len(records) == 3
    assert all(0 < r["completion_tokens"] <= 12 and r["prompt_tokens"] > 100 for r in records)
    assert all(isinstance(r["completion"], str) for r in records)
    json.dumps(records)


def test_a_failing_local_batch_is_a_failure_of_each_of_its_prompts(tiny_model_dir: Path, tmp_path: Path,
                                                                  monkeypatch) -> None:
    backend = make_backend("transformers", str(tiny_model_dir), batch_size=2)
    calls = []

    def out_of_memory(**kwargs):
        calls.append(kwargs)
        raise RuntimeError("CUDA out of memory")

    monkeypatch.setattr(backend.network, "generate", out_of_memory)
    out = tmp_path / "gens.jsonl"
    summary = generate_samples(backend, ["pig"], 3, out, SamplingParams(max_tokens=4), progress=False)
    assert len(calls) == 2 and summary.written == 0 and len(summary.failures) == 3
    assert all("CUDA out of memory" in error for error in summary.failures.values())
    assert out.read_text() == ""
