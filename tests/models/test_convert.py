"""Converting a trained transformers folder (the tiny Qwen2 model) to GGUF, by command and on first use."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from gamecwm.cli import main
from gamecwm.models.convert import ConversionError, convert_hf_to_gguf
from gamecwm.models.resolve import CONVERTED_NAME, resolve_gguf


def _field(reader, key: str):
    field = reader.fields[key]
    return field.contents()


def test_the_tiny_model_converts_to_a_complete_gguf(tiny_model_dir: Path, tmp_path: Path) -> None:
    from gguf import GGUFReader

    config = json.loads((tiny_model_dir / "config.json").read_text())
    out = convert_hf_to_gguf(tiny_model_dir, tmp_path / "tiny.gguf")
    reader = GGUFReader(str(out))
    assert _field(reader, "general.architecture") == "qwen2"
    assert _field(reader, "qwen2.block_count") == config["num_hidden_layers"]
    assert _field(reader, "qwen2.embedding_length") == config["hidden_size"]
    assert len(_field(reader, "tokenizer.ggml.tokens")) == config["vocab_size"]
    assert _field(reader, "tokenizer.ggml.pre") == "qwen2"
    assert "<|im_start|>" in _field(reader, "tokenizer.chat_template")
    names = {tensor.name for tensor in reader.tensors}
    assert {"token_embd.weight", "output_norm.weight", "blk.1.attn_q.bias", "blk.1.ffn_down.weight"} <= names
    # every weight of the model is in the file (tied output embeddings are llama.cpp's token embeddings)
    from safetensors import safe_open

    with safe_open(str(tiny_model_dir / "model.safetensors"), "pt") as weights:
        expected = len([k for k in weights.keys() if k != "lm_head.weight"])  # noqa: SIM118 (safe_open has no __iter__)
    assert len(names) == expected
    types = {tensor.name: tensor.tensor_type.name for tensor in reader.tensors}
    assert types["blk.0.ffn_up.weight"] == "Q8_0" and types["output_norm.weight"] == "F32"
    assert not list(tmp_path.glob("*.partial"))


def test_other_folders_are_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(ConversionError, match="not a transformers model folder"):
        convert_hf_to_gguf(tmp_path, tmp_path / "x.gguf")
    (tmp_path / "config.json").write_text(json.dumps({"architectures": ["GPT2LMHeadModel"]}))
    with pytest.raises(ConversionError, match="cannot convert the architecture"):
        convert_hf_to_gguf(tmp_path, tmp_path / "x.gguf")
    assert not (tmp_path / "x.gguf").exists()


def test_models_convert_command(tiny_model_dir: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "model.gguf"
    assert main(["models", "convert", str(tiny_model_dir), "--out", str(out), "--type", "f16"]) == 0
    assert f"converted to {out}" in capsys.readouterr().out
    assert main(["models", "convert", str(tiny_model_dir), "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["models", "convert", str(tmp_path), "--out", str(tmp_path / "y.gguf")]) == 2


def test_a_trained_folder_is_converted_on_first_use_and_again_when_retrained(tiny_model_dir: Path,
                                                                              tmp_path: Path) -> None:
    run = tmp_path / "final"
    shutil.copytree(tiny_model_dir, run)
    notes = []
    first = resolve_gguf(str(run), progress=notes.append)
    assert first == run / CONVERTED_NAME and len(notes) == 1
    assert resolve_gguf(str(run), progress=notes.append) == first and len(notes) == 1  # reused
    later = first.stat().st_mtime + 10
    os.utime(run / "model.safetensors", (later, later))  # the weights changed after the conversion
    resolve_gguf(str(run), progress=notes.append)
    assert len(notes) == 2
