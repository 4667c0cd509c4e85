"""The llamacpp backend: in-process generation from a GGUF file (the tiny model converted, or a real model).

These tests need llama-cpp-python (`pip install 'gamecwm[llamacpp]'`); without it they are skipped, and
the backend's own error message is checked instead.
"""

from __future__ import annotations

import importlib.util
import shutil
import threading
from pathlib import Path

import pytest

from gamecwm.cli import main
from gamecwm.generate.backends import BackendError, SamplingParams, make_backend
from gamecwm.jsonl import read_records
from gamecwm.models.cache import cached_model
from gamecwm.models.resolve import CONVERTED_NAME

INSTALLED = importlib.util.find_spec("llama_cpp") is not None
needs_llamacpp = pytest.mark.skipif(not INSTALLED, reason="llama-cpp-python is not installed: "
                                    "pip install 'gamecwm[llamacpp]' to run the llamacpp backend tests")
PROMPTS = [[{"role": "system", "content": "You write Python."}, {"role": "user", "content": "Write tic-tac-toe."}],
           [{"role": "user", "content": "Write connect four."}]]
SHORT = SamplingParams(temperature=1.0, top_p=0.95, max_tokens=8)


@pytest.fixture(scope="module")
def tiny_gguf(tiny_model_dir: Path, tmp_path_factory) -> Path:
    from gamecwm.models.convert import convert_hf_to_gguf

    return convert_hf_to_gguf(tiny_model_dir, tmp_path_factory.mktemp("gguf") / "tiny.gguf")


@pytest.mark.skipif(INSTALLED, reason="llama-cpp-python is installed")
def test_without_llama_cpp_the_backend_says_how_to_install_it() -> None:
    with pytest.raises(BackendError, match=r"pip install 'gamecwm\[llamacpp\]'"):
        make_backend("llamacpp", "anything.gguf")


@needs_llamacpp
def test_generation_uses_the_gguf_chat_template_and_is_seeded(tiny_gguf: Path, tiny_model_dir: Path) -> None:
    from transformers import AutoTokenizer

    backend = make_backend("llamacpp", str(tiny_gguf), context_length=512, threads=1)
    assert (backend.name, backend.model) == ("llamacpp", str(tiny_gguf))
    first = dict(backend.generate(PROMPTS, [1, 2], SHORT))
    assert sorted(first) == [0, 1]
    tokenizer = AutoTokenizer.from_pretrained(str(tiny_model_dir))
    for index, generation in first.items():
        expected = tokenizer.apply_chat_template(PROMPTS[index], add_generation_prompt=True, tokenize=True,
                                                 return_dict=True)["input_ids"]
        assert generation.prompt_tokens == len(expected)  # the prompt was formatted with the model's template
        assert 1 <= generation.completion_tokens <= 8 and generation.error is None and generation.elapsed_s > 0
    # Same seeds, same completions, whatever ran before (the context starts empty each time).
    backend.generate(PROMPTS[::-1], [7, 8], SHORT).__next__()
    again = dict(backend.generate(PROMPTS, [1, 2], SHORT))
    assert [again[i].text for i in (0, 1)] == [first[i].text for i in (0, 1)]
    other = dict(backend.generate(PROMPTS, [3, 4], SamplingParams(temperature=1.0, max_tokens=8)))
    assert [other[i].text for i in (0, 1)] != [first[i].text for i in (0, 1)]


@needs_llamacpp
def test_a_prompt_that_does_not_fit_fails_alone(tiny_gguf: Path) -> None:
    backend = make_backend("llamacpp", str(tiny_gguf), context_length=64, threads=1)
    long_prompt = [{"role": "user", "content": " ".join(["state"] * 400)}]
    results = dict(backend.generate([long_prompt, PROMPTS[1]], [0, 0], SHORT))
    assert results[0].error and "max-tokens" in results[0].error and results[0].text == ""
    assert results[1].error is None and results[1].completion_tokens >= 1


@needs_llamacpp
def test_callers_in_threads_share_the_model_safely(tiny_gguf: Path) -> None:
    backend = make_backend("llamacpp", str(tiny_gguf), context_length=512, threads=1)
    expected = dict(backend.generate(PROMPTS, [5, 6], SHORT))
    got: list[dict] = []

    def run() -> None:
        got.append(dict(backend.generate(PROMPTS, [5, 6], SHORT)))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(got) == 3
    assert all([g[i].text for i in (0, 1)] == [expected[i].text for i in (0, 1)] for g in got)


@needs_llamacpp
def test_generate_command_with_a_trained_folder_converts_it_and_resumes(tiny_model_dir: Path, tmp_path: Path,
                                                                        capsys) -> None:
    run = tmp_path / "final"
    shutil.copytree(tiny_model_dir, run)
    out = tmp_path / "gens.jsonl"
    command = ["generate", "--backend", "llamacpp", "--model", str(run), "--games", "tic_tac_toe", "--samples", "2",
               "--max-tokens", "8", "--out", str(out)]
    assert main(command) == 0
    assert (run / CONVERTED_NAME).is_file()  # converted on first use
    records = read_records(out)
    assert len(records) == 2 and {r["backend"] for r in records} == {"llamacpp"}
    assert all(r["model"] == str(run) and r["completion_tokens"] >= 1 for r in records)
    capsys.readouterr()
    assert main(command) == 0  # resumed: nothing left to do
    assert len(read_records(out)) == 2


@needs_llamacpp
def test_a_missing_model_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GAMECWM_CACHE", str(tmp_path))
    with pytest.raises(BackendError, match="run `gamecwm models fetch qwen2.5-coder-0.5b-instruct`"):
        make_backend("llamacpp", "qwen2.5-coder-0.5b-instruct")
    with pytest.raises(BackendError, match="no such model file or folder: ./runs/final"):
        make_backend("llamacpp", "./runs/final")


@pytest.mark.slow
@needs_llamacpp
def test_the_real_small_model_writes_python() -> None:
    name = "qwen2.5-coder-0.5b-instruct"
    if not cached_model(name).has_gguf():
        pytest.skip(f"{name} is not fetched: gamecwm models fetch {name}")
    backend = make_backend("llamacpp", name, context_length=2048)
    prompt = [{"role": "user", "content": "Write a Python function add(a, b) that returns a + b. Only code."}]
    generation = dict(backend.generate([prompt], [0], SamplingParams(temperature=0.0, max_tokens=64)))[0]
    assert "def add" in generation.text and generation.completion_tokens <= 64


@needs_llamacpp
def test_a_lora_sft_result_generates_through_llamacpp(tiny_model_dir: Path, tmp_path: Path) -> None:
    from gamecwm.train.data import write_sft_dataset
    from gamecwm.train.sft import SFTRunConfig, run_sft

    write_sft_dataset(tmp_path / "data", template="protocol-no-example")
    result = run_sft(str(tiny_model_dir), tmp_path / "data", tmp_path / "run",
                     SFTRunConfig(lora_r=4, lora_alpha=8, max_steps=1, max_length=2048, save_steps=1))
    backend = make_backend("llamacpp", str(result.final_model), context_length=512)
    generation = dict(backend.generate(PROMPTS[:1], [0], SHORT))[0]
    assert backend.path == result.final_model / CONVERTED_NAME
    assert generation.error is None and 1 <= generation.completion_tokens <= 8
