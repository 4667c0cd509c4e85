"""The transformers folder that training needs, made from a GGUF file.

transformers (with the `gguf` package) reads a GGUF file's tokenizer, chat template and weights,
dequantizing them to dense tensors; the loaded model still carries the GGUF quantizer, which
`save_pretrained` refuses, so it is dropped before the folder is saved.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def gguf_to_hf(gguf_path: Path, out_dir: Path, dtype: str = "float32") -> Path:
    """Save the model in `gguf_path` as a transformers folder at `out_dir` (written aside, moved in when complete)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf_path = Path(gguf_path)
    out_dir = Path(out_dir)
    if out_dir.exists():
        raise FileExistsError(f"{out_dir} already exists")
    folder, name = str(gguf_path.parent), gguf_path.name
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=getattr(torch, dtype))
    model.hf_quantizer = None  # the weights are already dense
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    staging = out_dir.with_name(f"{out_dir.name}.{os.getpid()}.partial")
    try:
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        staging.rename(out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out_dir
