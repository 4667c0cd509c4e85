#!/usr/bin/env bash
# Qwen2.5-Coder-Instruct on CPU, end to end: the 0.5B base model, the 0.5B after LoRA SFT on the training
# references, and the 1.5B base model write GameCWMs for the same games; each set is verified and reported side
# by side; then a few GRPO steps record whether any completion earns a non-zero verifier reward.
#
#   experiments/qwen-coder-cpu/run.sh [RUN_DIR]        (default runs/qwen-coder-cpu)
#
# The steps run in the order that gives the main comparison first: the 0.5B base model, its SFT and a few GRPO
# steps, the 0.5B model's repairs, then the 1.5B base model, the side-by-side reports, and last the 1.5B
# model's repairs (a repair call reads a whole program and its report, so it is the slowest per program).
#
# Every output goes under RUN_DIR. The script is resumable stage by stage: a step whose output is complete is
# skipped, an interrupted step is continued by the command's own resume (generate, evaluate and train resume the
# same run), and the scale is recorded in RUN_DIR/params.env on the first run; a rerun with another scale into
# the same folder is refused (use another RUN_DIR). Scale parameters (environment variables, defaults = the
# full experiment):
#   GAMES            games for the 0.5B models: test, train, all or comma-separated names
#                    (default: the 7 test games and tic_tac_toe, connect4, kuhn_poker)
#   SAMPLES          samples per game for the 0.5B base and SFT models (default 4)
#   TEMPLATES        prompt templates for the 0.5B base model, the first one is used everywhere else
#                    (default "protocol-rules@1 protocol@1")
#   BIG_GAMES, BIG_SAMPLES   games and samples for the 1.5B base model (default GAMES, SAMPLES)
#   MAX_TOKENS       completion tokens per sample (default 4096); TEMPERATURE (0.7); SEED (0)
#   SFT_STEPS        LoRA SFT steps, one row each (default 23: one pass over the 23 references)
#   SFT_MAX_LENGTH   tokens per SFT row (default 8192: every reference row fits with protocol-rules@1)
#   SFT_LORA_R       LoRA rank (default 8); SFT_LR learning rate (default 0.0002)
#   REPAIR_PROGRAMS  programs of each base model (the first sample of each game, main template) that the same
#                    model repairs with the verifier's feedback (default 6; 0 skips repair)
#   REPAIR_ROUNDS    repair rounds per program (default 2)
#   GRPO_STEPS       GRPO steps on the SFT model (default 2; 0 skips GRPO)
#   GRPO_GENERATIONS completions per prompt (default 2); GRPO_COMPLETION_TOKENS (default 1200)
#   GRPO_GAMES       training games whose prompts GRPO uses (default tic_tac_toe)
#   GRPO_TIME_LIMIT  seconds GRPO may run before it is stopped and recorded as not finished (default 0: no limit)
#   WORKERS          sandbox workers for evaluation and the GRPO reward (default 2)
#   THREADS          llama.cpp CPU threads for generation and repair (default: every core; like WORKERS, not part
#                    of the run's scale)
set -euo pipefail

RUN="${1:-runs/qwen-coder-cpu}"
DEFAULT_GAMES="converge,gen_chess,gen_tic_tac_toe,gin_rummy,hand_of_war,quadranto,y,tic_tac_toe,connect4,kuhn_poker"
GAMES="${GAMES:-$DEFAULT_GAMES}"
SAMPLES="${SAMPLES:-4}"
TEMPLATES="${TEMPLATES:-protocol-rules@1 protocol@1}"
BIG_GAMES="${BIG_GAMES:-$GAMES}"
BIG_SAMPLES="${BIG_SAMPLES:-$SAMPLES}"
MAX_TOKENS="${MAX_TOKENS:-4096}"
TEMPERATURE="${TEMPERATURE:-0.7}"
SEED="${SEED:-0}"
SFT_STEPS="${SFT_STEPS:-23}"
SFT_MAX_LENGTH="${SFT_MAX_LENGTH:-8192}"
SFT_LORA_R="${SFT_LORA_R:-8}"
SFT_LR="${SFT_LR:-0.0002}"
REPAIR_PROGRAMS="${REPAIR_PROGRAMS:-6}"
REPAIR_ROUNDS="${REPAIR_ROUNDS:-2}"
GRPO_STEPS="${GRPO_STEPS:-2}"
GRPO_GENERATIONS="${GRPO_GENERATIONS:-2}"
GRPO_COMPLETION_TOKENS="${GRPO_COMPLETION_TOKENS:-1200}"
GRPO_GAMES="${GRPO_GAMES:-tic_tac_toe}"
GRPO_TIME_LIMIT="${GRPO_TIME_LIMIT:-0}"
WORKERS="${WORKERS:-2}"
THREADS="${THREADS:-$(nproc)}"

SMALL=qwen2.5-coder-0.5b-instruct
BIG=qwen2.5-coder-1.5b-instruct
read -r -a TEMPLATE_LIST <<< "$TEMPLATES"
MAIN_TEMPLATE="${TEMPLATE_LIST[0]}"

GAMECWM="${GAMECWM:-gamecwm}"
if ! command -v "$GAMECWM" > /dev/null; then
    echo "run.sh: '$GAMECWM' is not on PATH; activate the project's virtual environment (make install)" >&2
    exit 2
fi
for number in SAMPLES BIG_SAMPLES MAX_TOKENS SFT_STEPS SFT_MAX_LENGTH SFT_LORA_R REPAIR_PROGRAMS REPAIR_ROUNDS \
              GRPO_STEPS GRPO_GENERATIONS \
              GRPO_COMPLETION_TOKENS GRPO_TIME_LIMIT WORKERS THREADS SEED; do
    if ! [[ "${!number}" =~ ^[0-9]+$ ]]; then
        echo "run.sh: $number must be a whole number, not '${!number}'" >&2
        exit 2
    fi
done

mkdir -p "$RUN/timings" "$RUN/logs"

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

# The scale is part of the run: a folder started at one scale is never continued at another.
PARAMS="$(for name in GAMES SAMPLES TEMPLATES BIG_GAMES BIG_SAMPLES MAX_TOKENS TEMPERATURE SEED SFT_STEPS \
                      SFT_MAX_LENGTH SFT_LORA_R SFT_LR REPAIR_PROGRAMS REPAIR_ROUNDS GRPO_STEPS GRPO_GENERATIONS \
                      GRPO_COMPLETION_TOKENS \
                      GRPO_GAMES; do printf '%s=%q\n' "$name" "${!name}"; done)"
if [[ -f "$RUN/params.env" ]]; then
    if [[ "$(cat "$RUN/params.env")" != "$PARAMS" ]]; then
        echo "run.sh: $RUN was started with other parameters (see $RUN/params.env and the differences below);" \
             "rerun with the same ones or use another run folder" >&2
        diff <(cat "$RUN/params.env") <(printf '%s\n' "$PARAMS") >&2 || true
        exit 2
    fi
else
    printf '%s\n' "$PARAMS" > "$RUN/params.env"
fi

# expected_samples GAMES SAMPLES: how many generations a complete run of these games writes.
expected_samples() {
    local names
    names="$("$GAMECWM" games list --json | python3 -c '
import json, sys
games = json.load(sys.stdin)
spec = sys.argv[1]
if spec in ("test", "train"):
    print(sum(g["split"] == spec for g in games))
elif spec == "all":
    print(len(games))
else:
    print(len([name for name in spec.split(",") if name]))
' "$1")"
    echo $(( names * $2 ))
}

lines() { if [[ -f "$1" ]]; then grep -c . "$1" || true; else echo 0; fi; }

# step NAME DONE_TEST -- COMMAND...: run COMMAND unless DONE_TEST (a shell expression) says its output is
# complete; the wall time and peak memory of each attempt are appended to timings/NAME.time, the output to
# logs/NAME.log.
step() {
    local name="$1" done_test="$2"
    shift 3
    if eval "$done_test"; then
        log "skip $name (complete)"
        return 0
    fi
    log "run  $name: $*"
    local started=$SECONDS status=0
    if [[ -x /usr/bin/time ]]; then
        /usr/bin/time -v -a -o "$RUN/timings/$name.time" "$@" > >(tee -a "$RUN/logs/$name.log") 2>&1 || status=$?
    else
        "$@" > >(tee -a "$RUN/logs/$name.log") 2>&1 || status=$?
        printf 'Elapsed (wall clock) time (h:mm:ss or m:ss): %d:%02d\n' $(( (SECONDS - started) / 60 )) \
            $(( (SECONDS - started) % 60 )) >> "$RUN/timings/$name.time"
    fi
    if (( status != 0 )); then
        log "FAILED $name (exit $status); see $RUN/logs/$name.log; rerun this script to continue"
        return "$status"
    fi
    log "done $name in $(( SECONDS - started )) s"
}

# write_config FILE TEXT: a config file written by this script; an existing one must say the same.
write_config() {
    if [[ -f "$1" && "$(cat "$1")" != "$2" ]]; then
        echo "run.sh: $1 differs from what this run writes; use another run folder" >&2
        exit 2
    fi
    printf '%s\n' "$2" > "$1"
}

slug() { echo "${1%@*}"; }
MAIN_SLUG="$(slug "$MAIN_TEMPLATE")"

# newer_than_all TARGET FILE...: TARGET exists and is newer than every FILE.
newer_than_all() { local target="$1" file; shift; [[ -f "$target" ]] || return 1
                   for file in "$@"; do [[ "$target" -nt "$file" ]] || return 1; done; }

# generate_and_evaluate NAME MODEL GAMES SAMPLES TEMPLATE DIR
generate_and_evaluate() {
    local name="$1" model="$2" games="$3" samples="$4" template="$5" dir="$6"
    local gens="$dir/gens-$(slug "$template").jsonl" results="$dir/results-$(slug "$template").jsonl"
    local expected
    expected="$(expected_samples "$games" "$samples")"
    mkdir -p "$dir"
    # generate exits 1 when some samples kept failing (they are in <out>.failures.jsonl and a rerun retries
    # them): the finished ones are still evaluated
    step "generate-$name" "[[ \$(lines '$gens') -ge $expected ]]" -- \
        "$GAMECWM" generate --backend llamacpp --model "$model" --games "$games" --samples "$samples" \
        --template "$template" --max-tokens "$MAX_TOKENS" --temperature "$TEMPERATURE" --seed "$SEED" --out "$gens" \
        --threads "$THREADS" \
        || { status=$?; (( status == 1 )) && [[ -f "$gens.failures.jsonl" ]] || exit "$status"
             log "WARNING: some samples of $name failed (see $gens.failures.jsonl); evaluating the rest"; }
    step "evaluate-$name" "[[ \$(lines '$results') -ge \$(lines '$gens') ]]" -- \
        "$GAMECWM" evaluate "$gens" --out "$results" --workers "$WORKERS"
}

# 1. models (a no-op when they are cached and verified)
step fetch-0.5b false -- "$GAMECWM" models fetch "$SMALL"
step fetch-1.5b false -- "$GAMECWM" models fetch "$BIG" --no-hf

# 2. the 0.5B base model, with each template
for template in "${TEMPLATE_LIST[@]}"; do
    generate_and_evaluate "base-0.5b-$(slug "$template")" "$SMALL" "$GAMES" "$SAMPLES" "$template" "$RUN/base-0.5b"
done

# 3. LoRA SFT of the 0.5B model on the training references
step sft-data "[[ -f '$RUN/sft-data/dataset_info.json' ]]" -- \
    "$GAMECWM" dataset sft --out "$RUN/sft-data" --template "$MAIN_TEMPLATE"
write_config "$RUN/sft-0.5b.yaml" "sft:
  use_lora: true
  lora_r: $SFT_LORA_R
  lora_alpha: $(( 2 * SFT_LORA_R ))
  max_length: $SFT_MAX_LENGTH
  max_steps: $SFT_STEPS
  per_device_train_batch_size: 1
  gradient_accumulation_steps: 1
  gradient_checkpointing: true
  learning_rate: $SFT_LR
  save_steps: 2
  long_rows: warn
  seed: $SEED"
step sft-train "[[ -f '$RUN/sft-0.5b/train/final/config.json' && -f '$RUN/sft-0.5b/train/log_history.json' ]]" -- \
    "$GAMECWM" train sft --model "$SMALL" --data "$RUN/sft-data" --out "$RUN/sft-0.5b/train" \
    --config "$RUN/sft-0.5b.yaml"

# 4. the SFT model through llama.cpp: converted to GGUF (q8_0), then generated like the base model
step sft-convert "[[ -f '$RUN/sft-0.5b/model.gguf' ]]" -- \
    "$GAMECWM" models convert "$RUN/sft-0.5b/train/final" --out "$RUN/sft-0.5b/model.gguf" --type q8_0
generate_and_evaluate "sft-0.5b" "$RUN/sft-0.5b/model.gguf" "$GAMES" "$SAMPLES" "$MAIN_TEMPLATE" "$RUN/sft-0.5b"

# 5. a few GRPO steps on the SFT model, the verifier as reward
if (( GRPO_STEPS > 0 )); then
    write_config "$RUN/grpo.yaml" "grpo:
  games: $GRPO_GAMES
  template: $MAIN_TEMPLATE
  prompts_per_game: $(( GRPO_STEPS > 1 ? GRPO_STEPS : 1 ))
  max_steps: $GRPO_STEPS
  num_generations: $GRPO_GENERATIONS
  per_device_train_batch_size: $GRPO_GENERATIONS
  max_completion_length: $GRPO_COMPLETION_TOKENS
  lora_r: $SFT_LORA_R
  lora_alpha: $(( 2 * SFT_LORA_R ))
  gradient_checkpointing: true
  save_steps: 1
  verifier_workers: $WORKERS
  seed: $SEED
  trl_overrides:
    log_completions: true"
    limit=()
    (( GRPO_TIME_LIMIT > 0 )) && limit=(timeout --signal=TERM "$GRPO_TIME_LIMIT")
    grpo_status=0
    step grpo "[[ -f '$RUN/grpo/train/final/config.json' && -f '$RUN/grpo/train/log_history.json' ]]" -- \
        "${limit[@]}" "$GAMECWM" train grpo --model "$RUN/sft-0.5b/train/final" --out "$RUN/grpo/train" \
        --config "$RUN/grpo.yaml" || grpo_status=$?
    if (( grpo_status == 124 )); then
        log "WARNING: GRPO did not finish within GRPO_TIME_LIMIT=$GRPO_TIME_LIMIT s; stopped (checkpoints kept)"
    elif (( grpo_status != 0 )); then
        exit "$grpo_status"
    fi
    python3 - "$RUN/grpo/train/log_history.json" "$RUN/grpo/summary.json" "$GRPO_TIME_LIMIT" <<'EOF'
import json, pathlib, sys
if not pathlib.Path(sys.argv[1]).exists():
    summary = {"completed": False, "steps": 0,
               "note": "GRPO was stopped before it finished (GRPO_TIME_LIMIT=" + sys.argv[3] + " s, or by hand): "
                       "no verifier reward was recorded; see timings/grpo.time for how long each attempt ran"}
    json.dump(summary, open(sys.argv[2], "w"), indent=2)
    print(json.dumps(summary, indent=2))
    sys.exit(0)
history = json.load(open(sys.argv[1]))
steps = [entry for entry in history if "rewards/verifier_score/mean" in entry]
summary = {
    "completed": True,
    "steps": len(steps),
    "verifier_score_mean_per_step": [entry["rewards/verifier_score/mean"] for entry in steps],
    "reward_mean_per_step": [entry.get("reward") for entry in steps],
    "tier_means_per_step": [{key.split("/")[1]: value for key, value in entry.items()
                             if key.startswith("rewards/tier_") and key.endswith("/mean")} for entry in steps],
    # rewards are in [0, 1], so a positive mean means at least one completion scored above 0
    "any_nonzero_verifier_reward": any((entry["rewards/verifier_score/mean"] or 0) > 0 for entry in steps),
}
json.dump(summary, open(sys.argv[2], "w"), indent=2)
print(json.dumps(summary, indent=2))
EOF
fi

# 6. repair: each base model repairs its own programs (the first sample of each game, up to REPAIR_PROGRAMS) with
#    the verifier's feedback, REPAIR_ROUNDS rounds; the versions are evaluated (score by model calls)
repair_and_evaluate() {
    local name="$1" model="$2" dir="$3"
    local input="$dir/repair-input.jsonl" versions="$dir/repair-versions.jsonl" results="$dir/repair-results.jsonl"
    if [[ ! -f "$input" ]]; then
        python3 -c '
import json, sys
seen, limit = set(), int(sys.argv[2])
for line in open(sys.argv[1]):
    game = json.loads(line)["game"]
    if game not in seen and len(seen) < limit:
        seen.add(game)
        print(line, end="")
' "$dir/gens-$MAIN_SLUG.jsonl" "$REPAIR_PROGRAMS" > "$input.partial"
        mv "$input.partial" "$input"
    fi
    step "repair-$name" "newer_than_all '$results' '$versions'" -- \
        "$GAMECWM" repair "$input" --backend llamacpp --model "$model" --rounds "$REPAIR_ROUNDS" \
        --max-tokens "$MAX_TOKENS" --temperature "$TEMPERATURE" --seed "$SEED" --workers "$WORKERS" --out "$versions" \
        --threads "$THREADS"
    step "evaluate-repair-$name" "[[ \$(lines '$results') -ge \$(lines '$versions') ]]" -- \
        "$GAMECWM" evaluate "$versions" --out "$results" --workers "$WORKERS"
    step "report-repair-$name" "newer_than_all '$dir/repair-report/report.md' '$results'" -- \
        "$GAMECWM" report "$results" --out "$dir/repair-report"
}
if (( REPAIR_PROGRAMS > 0 )); then
    repair_and_evaluate base-0.5b "$SMALL" "$RUN/base-0.5b"
fi

# 7. the 1.5B base model
generate_and_evaluate "base-1.5b" "$BIG" "$BIG_GAMES" "$BIG_SAMPLES" "$MAIN_TEMPLATE" "$RUN/base-1.5b"

# 8. side by side, as soon as every set is in: the three models with the main template; the templates
#    compared on the 0.5B base model
MAIN_RESULTS=("$RUN/base-0.5b/results-$MAIN_SLUG.jsonl" "$RUN/sft-0.5b/results-$MAIN_SLUG.jsonl"
              "$RUN/base-1.5b/results-$MAIN_SLUG.jsonl")
step report "newer_than_all '$RUN/report/report.md' ${MAIN_RESULTS[*]}" -- \
    "$GAMECWM" report "${MAIN_RESULTS[@]}" --out "$RUN/report"
# report groups by model, so each template of the same model gets its own report
for template in "${TEMPLATE_LIST[@]:1}"; do
    results="$RUN/base-0.5b/results-$(slug "$template").jsonl"
    step "report-$(slug "$template")" "newer_than_all '$RUN/report-$(slug "$template")/report.md' $results" -- \
        "$GAMECWM" report "$results" --out "$RUN/report-$(slug "$template")"
done

# 9. the 1.5B model's own repairs: the longest stage per program, so it comes after the reports
if (( REPAIR_PROGRAMS > 0 )); then
    repair_and_evaluate base-1.5b "$BIG" "$RUN/base-1.5b"
fi

# 10. wall time and peak memory of every step
python3 - "$RUN/timings" "$RUN/timings.md" <<'EOF'
import pathlib, re, sys
rows = []
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.time"), key=lambda p: p.stat().st_mtime):
    text = path.read_text()
    walls = re.findall(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text)
    peaks = [int(kb) for kb in re.findall(r"Maximum resident set size \(kbytes\): (\d+)", text)]
    seconds = 0.0
    for wall in walls:  # one per attempt: a resumed step adds its attempts up
        attempt = 0.0
        for part in wall.split(":"):
            attempt = attempt * 60 + float(part)
        seconds += attempt
    peak = f"{max(peaks) / 2**20:.1f}" if peaks else "-"
    rows.append(f"| {path.stem} | {len(walls)} | {seconds:.0f} | {peak} |")
pathlib.Path(sys.argv[2]).write_text("| step | attempts | wall time (s) | peak memory (GiB) |\n"
                                     "| --- | --- | --- | --- |\n" + "\n".join(rows) + "\n")
print(pathlib.Path(sys.argv[2]).read_text())
EOF
log "done: $RUN/report/report.md, $RUN/timings.md"
