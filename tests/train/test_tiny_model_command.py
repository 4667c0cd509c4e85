"""The `gamecwm tiny-model` command: a Qwen2 model that transformers loads offline exactly as it was built."""

from __future__ import annotations

from pathlib import Path

import pytest

from gamecwm.cli import main
from gamecwm.games import get_game

# Text the tokenizer must encode the same way before and after loading: code, rules, digits, runs of
# whitespace and newlines, contractions and non-ASCII letters (where Qwen2's split regex matters).
SAMPLES = [
    get_game("tic_tac_toe").rules_path.read_text(),
    "def legal_actions(state):\n    return [a for a in range(9)  if state[a] == 0]\n\n\n",
    "It's the player's turn; they've 12345 chips.\r\n  Ünïcödé  naïve café — 東京 42\t\tend",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A tiny model written by the command itself."""
    out = tmp_path_factory.mktemp("cli") / "tiny"
    assert main(["tiny-model", "--out", str(out)]) == 0
    return out


def test_loads_offline_as_a_small_qwen2_chat_model(built: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(built, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(built, local_files_only=True)
    assert model.config.model_type == "qwen2"
    assert 100_000 < model.num_parameters() < 1_000_000
    assert tokenizer.eos_token == "<|im_end|>" and tokenizer.pad_token == "<|endoftext|>"
    assert model.generation_config.eos_token_id == tokenizer.eos_token_id

    messages = [{"role": "system", "content": "S"}, {"role": "user", "content": "U"}]
    prompt = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    assert prompt == "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n"

    inputs = tokenizer(prompt, return_tensors="pt")
    torch.manual_seed(0)
    output = model.generate(**inputs, max_new_tokens=5, do_sample=True)
    assert output.shape[1] > inputs["input_ids"].shape[1]


def test_tokenizer_encodes_as_built(built: Path) -> None:
    from tokenizers import Tokenizer
    from transformers import AutoTokenizer

    saved = Tokenizer.from_file(str(built / "tokenizer.json"))
    loaded = AutoTokenizer.from_pretrained(built, local_files_only=True)
    for text in SAMPLES:
        ids = saved.encode(text, add_special_tokens=False).ids
        assert loaded.encode(text, add_special_tokens=False) == ids
        assert loaded.decode(ids) == text
    assert loaded.convert_tokens_to_ids("<|im_start|>") == saved.token_to_id("<|im_start|>")


def test_same_seed_same_weights_and_other_seed_differs(built: Path, tiny_model_dir: Path, tmp_path: Path) -> None:
    from safetensors.torch import load_file

    def weights(path: Path) -> dict:
        return load_file(str(path / "model.safetensors"))

    reference = weights(built)
    assert reference.keys() == weights(tiny_model_dir).keys()
    assert all((reference[k] == v).all() for k, v in weights(tiny_model_dir).items())
    assert main(["tiny-model", "--out", str(tmp_path / "seed1"), "--seed", "1"]) == 0
    assert any((reference[k] != v).any() for k, v in weights(tmp_path / "seed1").items())


def test_out_that_is_a_file_exits_2(tmp_path: Path, capsys) -> None:
    target = tmp_path / "model"
    target.write_text("not a folder")
    assert main(["tiny-model", "--out", str(target)]) == 2
    assert "not a folder" in capsys.readouterr().err
