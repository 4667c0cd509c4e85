"""The recorded experiment's script: every stage in order (the main comparison first), resumable, and refusing
another scale in its folder.

The script runs against a stand-in for the `gamecwm` command (`GAMECWM`) that writes what each command would
write, so the orchestration is tested in seconds; the commands themselves are tested where they live.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "experiments" / "qwen-coder-cpu" / "run.sh"

STAND_IN = r'''
import json, os, pathlib, sys
args = sys.argv[1:]
with open(os.environ["STAND_IN_LOG"], "a") as log:
    log.write(" ".join(args[:2]) + "\n")
def option(name):
    return args[args.index(name) + 1]
def out():
    return pathlib.Path(option("--out"))
command = args[:2] if args[0] in ("games", "models", "train", "dataset") else args[:1]
if command == ["games", "list"]:
    print(json.dumps([{"name": "tic_tac_toe", "split": "train"}, {"name": "y", "split": "test"}]))
elif command == ["models", "fetch"]:
    pass
elif command == ["generate"]:
    games = [g for g in option("--games").split(",") if g]
    with out().open("a") as f:
        for game in games:
            for sample in range(int(option("--samples"))):
                f.write(json.dumps({"id": f"{game}/{sample}", "game": game}) + "\n")
elif command == ["evaluate"]:
    lines = pathlib.Path(args[1]).read_text().splitlines()
    out().write_text("".join(line + "\n" for line in lines))
elif command == ["dataset", "sft"]:
    out().mkdir(parents=True)
    (out() / "dataset_info.json").write_text("{}")
elif command == ["train", "sft"] or command == ["train", "grpo"]:
    (out() / "final").mkdir(parents=True, exist_ok=True)
    (out() / "final" / "config.json").write_text("{}")
    (out() / "log_history.json").write_text(json.dumps([{"step": 1, "reward": 0.1, "rewards/verifier_score/mean": 0.0}]))
elif command == ["models", "convert"]:
    out().write_text("gguf")
elif command == ["report"]:
    out().mkdir(parents=True, exist_ok=True)
    (out() / "report.md").write_text("report")
elif command == ["repair"]:
    out().write_text(pathlib.Path(args[1]).read_text())
else:
    sys.exit(f"unexpected command {args}")
'''

SCALE = {"GAMES": "tic_tac_toe,y", "SAMPLES": "2", "TEMPLATES": "protocol-rules@1 protocol@1", "SFT_STEPS": "1",
         "GRPO_STEPS": "1", "REPAIR_PROGRAMS": "1", "REPAIR_ROUNDS": "1"}


def _run(tmp_path: Path, **scale: str) -> subprocess.CompletedProcess:
    stand_in = tmp_path / "gamecwm"
    stand_in.write_text(f"#!{sys.executable}\n{STAND_IN}")
    stand_in.chmod(stand_in.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, **SCALE, **scale, "GAMECWM": str(stand_in), "STAND_IN_LOG": str(tmp_path / "calls.log")}
    return subprocess.run(["bash", str(SCRIPT), str(tmp_path / "run")], env=env, capture_output=True, text=True,
                          check=False, timeout=120)


def _calls(tmp_path: Path) -> list[str]:
    return (tmp_path / "calls.log").read_text().splitlines()


@pytest.mark.skipif(not Path("/bin/bash").exists(), reason="the script is a bash script")
def test_every_stage_runs_in_order_then_a_rerun_skips_them_all(tmp_path: Path) -> None:
    first = _run(tmp_path)
    assert first.returncode == 0, first.stderr + first.stdout
    calls = [c for c in _calls(tmp_path) if c != "games list"]
    assert calls == [
        "models fetch", "models fetch",
        "generate --backend", "evaluate " + str(tmp_path / "run/base-0.5b/gens-protocol-rules.jsonl"),
        "generate --backend", "evaluate " + str(tmp_path / "run/base-0.5b/gens-protocol.jsonl"),
        "dataset sft", "train sft", "models convert",
        "generate --backend", "evaluate " + str(tmp_path / "run/sft-0.5b/gens-protocol-rules.jsonl"),
        "train grpo",
        "repair " + str(tmp_path / "run/base-0.5b/repair-input.jsonl"),
        "evaluate " + str(tmp_path / "run/base-0.5b/repair-versions.jsonl"),
        "report " + str(tmp_path / "run/base-0.5b/repair-results.jsonl"),
        "generate --backend", "evaluate " + str(tmp_path / "run/base-1.5b/gens-protocol-rules.jsonl"),
        "report " + str(tmp_path / "run/base-0.5b/results-protocol-rules.jsonl"),
        "report " + str(tmp_path / "run/base-0.5b/results-protocol.jsonl"),
        "repair " + str(tmp_path / "run/base-1.5b/repair-input.jsonl"),
        "evaluate " + str(tmp_path / "run/base-1.5b/repair-versions.jsonl"),
        "report " + str(tmp_path / "run/base-1.5b/repair-results.jsonl"),
    ]
    repaired = (tmp_path / "run/base-0.5b/repair-input.jsonl").read_text().splitlines()
    assert [json.loads(line)["game"] for line in repaired] == ["tic_tac_toe"]  # REPAIR_PROGRAMS=1: the first game
    assert json.loads((tmp_path / "run/grpo/summary.json").read_text())["any_nonzero_verifier_reward"] is False
    assert (tmp_path / "run/timings.md").is_file()

    (tmp_path / "calls.log").write_text("")
    again = _run(tmp_path)
    assert again.returncode == 0, again.stderr
    # only the model fetches (verified no-ops) run again; every stage with a complete output is skipped
    assert [c for c in _calls(tmp_path) if c != "games list"] == ["models fetch", "models fetch"]
    assert "skip repair-base-1.5b (complete)" in again.stdout


def test_a_rerun_at_another_scale_is_refused(tmp_path: Path) -> None:
    assert _run(tmp_path, GRPO_STEPS="0", REPAIR_PROGRAMS="0", SFT_STEPS="1").returncode == 0
    other = _run(tmp_path, GRPO_STEPS="0", REPAIR_PROGRAMS="0", SAMPLES="3")
    assert other.returncode == 2
    assert "was started with other parameters" in other.stderr and "SAMPLES=3" in other.stderr
