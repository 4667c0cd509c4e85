"""A transformers folder of the Qwen2 family (what `train sft` and `train grpo` save) as one GGUF file,
written with the `gguf` package's writer, so that llama.cpp serves a trained model.

The mapping follows llama.cpp's own converter for Qwen2: the tokenizer is a byte-level BPE (`gpt2`
model, `qwen2` pre-tokenizer) with its merges, special tokens and chat template; tensor names come from
the `gguf` package's name map; norms and biases stay float32, and matrices are stored as `q8_0` (when
their rows divide into its blocks), `f16`, `bf16` or `f32`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

SUPPORTED_ARCHITECTURES = {"Qwen2ForCausalLM": "qwen2"}
OUT_TYPES = ("q8_0", "f16", "bf16", "f32")


class ConversionError(ValueError):
    """The folder cannot be converted (not a transformers folder, or an architecture we do not convert)."""


def _config(folder: Path) -> dict[str, Any]:
    try:
        config = json.loads((folder / "config.json").read_text())
    except (OSError, ValueError) as exc:
        raise ConversionError(f"{folder} is not a transformers model folder (no readable config.json)") from exc
    architectures = config.get("architectures") or []
    if not architectures or architectures[0] not in SUPPORTED_ARCHITECTURES:
        raise ConversionError(f"{folder}: cannot convert the architecture {architectures or 'unknown'} to GGUF "
                              f"(supported: {', '.join(SUPPORTED_ARCHITECTURES)}); llama.cpp's "
                              "convert_hf_to_gguf.py converts others")
    return config


def _rope_theta(config: dict[str, Any]) -> float:
    rope = config.get("rope_parameters") or {}
    return float(config.get("rope_theta") or rope.get("rope_theta") or 10000.0)


def _vocabulary(folder: Path, vocab_size: int) -> tuple[list[str], list[int]]:
    """Tokens in id order and their GGUF token types, padded to the model's vocabulary size."""
    import gguf
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    by_id = {index: token for token, index in tokenizer.get_vocab().items()}
    added = tokenizer.get_added_vocab()
    decoder = tokenizer.added_tokens_decoder
    tokens, types = [], []
    for index in range(max(vocab_size, len(by_id))):
        token = by_id.get(index)
        if token is None:
            tokens.append(f"[PAD{index}]")
            types.append(gguf.TokenType.UNUSED)
        elif token in added:
            tokens.append(token)
            types.append(gguf.TokenType.CONTROL if decoder[index].special else gguf.TokenType.USER_DEFINED)
        else:
            tokens.append(token)
            types.append(gguf.TokenType.NORMAL)
    return tokens, types


def _weights(folder: Path) -> dict[str, Any]:
    from safetensors.torch import load_file

    files = sorted(folder.glob("*.safetensors"))
    if not files:
        raise ConversionError(f"{folder}: no .safetensors weights")
    weights: dict[str, Any] = {}
    for file in files:
        weights.update(load_file(str(file)))
    return weights


def _encode(name: str, tensor: Any, out_type: str) -> tuple[Any, Any]:
    """The tensor's data for the file and its GGUF type: 1-D tensors as float32, matrices as `out_type`."""
    import gguf
    import numpy as np
    import torch

    types = gguf.GGMLQuantizationType
    data = tensor.to(torch.float32).numpy()
    if data.ndim <= 1 or out_type == "f32":
        return data, types.F32
    if out_type == "q8_0" and data.shape[-1] % gguf.GGML_QUANT_SIZES[types.Q8_0][0] == 0:
        return gguf.quants.quantize(data, types.Q8_0), types.Q8_0
    if out_type == "bf16":
        return gguf.quants.quantize(data, types.BF16), types.BF16
    return data.astype(np.float16), types.F16


def convert_hf_to_gguf(folder: Path, out: Path, out_type: str = "q8_0") -> Path:
    """Write the Qwen2-family model in the transformers folder `folder` as the GGUF file `out`.

    The file is written beside `out` and moved there when complete (replacing it).
    """
    import gguf

    folder, out = Path(folder), Path(out)
    if out_type not in OUT_TYPES:
        raise ConversionError(f"unknown output type {out_type!r}; choose one of {', '.join(OUT_TYPES)}")
    config = _config(folder)
    arch = SUPPORTED_ARCHITECTURES[config["architectures"][0]]
    blocks = int(config["num_hidden_layers"])
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.QWEN2, blocks)
    partial = out.with_name(f"{out.name}.{os.getpid()}.partial")  # processes converting at once never collide
    writer = gguf.GGUFWriter(str(partial), arch)
    try:
        writer.add_type(gguf.GGUFType.MODEL)
        writer.add_name(config.get("_name_or_path") or folder.name)
        writer.add_context_length(int(config["max_position_embeddings"]))
        writer.add_embedding_length(int(config["hidden_size"]))
        writer.add_block_count(blocks)
        writer.add_feed_forward_length(int(config["intermediate_size"]))
        writer.add_head_count(int(config["num_attention_heads"]))
        writer.add_head_count_kv(int(config.get("num_key_value_heads") or config["num_attention_heads"]))
        if config.get("head_dim"):
            writer.add_key_length(int(config["head_dim"]))
            writer.add_value_length(int(config["head_dim"]))
        writer.add_rope_freq_base(_rope_theta(config))
        writer.add_layer_norm_rms_eps(float(config.get("rms_norm_eps", 1e-6)))
        file_types = {"q8_0": gguf.LlamaFileType.MOSTLY_Q8_0, "f16": gguf.LlamaFileType.MOSTLY_F16,
                      "bf16": gguf.LlamaFileType.MOSTLY_BF16, "f32": gguf.LlamaFileType.ALL_F32}
        writer.add_file_type(file_types[out_type])
        tokens, token_types = _vocabulary(folder, int(config["vocab_size"]))
        writer.add_tokenizer_model("gpt2")
        writer.add_tokenizer_pre("qwen2")
        writer.add_token_list(tokens)
        writer.add_token_types(token_types)
        gguf.SpecialVocab(folder, load_merges=True, n_vocab=len(tokens)).add_to_gguf(writer, quiet=True)
        tied = bool(config.get("tie_word_embeddings"))
        for name, tensor in _weights(folder).items():
            if tied and name == "lm_head.weight":
                continue  # llama.cpp reuses the token embeddings
            mapped = names.get_name(name, try_suffixes=(".weight", ".bias"))
            if mapped is None:
                raise ConversionError(f"{folder}: no GGUF name for the tensor {name!r}")
            data, tensor_type = _encode(name, tensor, out_type)
            writer.add_tensor(mapped, data, raw_dtype=tensor_type)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return out
