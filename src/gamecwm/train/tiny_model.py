"""A tiny Qwen2-architecture model built locally, for tests and the demo on machines without a model hub.

The tokenizer is a byte-level BPE trained here on the dataset's own text (rules, references, the
protocol), with Qwen2's normalizer (NFC) and pre-tokenizer (its split regex, then byte-level without
a regex), so transformers loads it exactly as it was built; the chat template is ChatML. The model
has random weights: it writes nonsense, and every stage of the pipeline can still run on it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from gamecwm.games import list_games
from gamecwm.generate.prompts import PROTOCOL_TEXT, SYSTEM_PROMPT
from gamecwm.train.models import config_values

# Qwen2's pre-tokenization pattern.
QWEN2_SPLIT_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
# TinyModelConfig's fields that Qwen2Config takes under the same names.
MODEL_SIZE_FIELDS = ("hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
                     "num_key_value_heads", "max_position_embeddings")
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


@dataclass(frozen=True)
class TinyModelConfig:
    """Sizes of the tiny model and its tokenizer."""

    vocab_size: int = 4096
    hidden_size: int = 64
    intermediate_size: int = 128
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    num_key_value_heads: int = 2
    max_position_embeddings: int = 32768
    seed: int = 0


def training_corpus() -> list[str]:
    """The text the tokenizer is trained on: the training games' rules and references, and the prompt texts.

    Test games stay out, so held-out references never shape the tokenizer.
    """
    texts = [SYSTEM_PROMPT, PROTOCOL_TEXT]
    for game in list_games(split="train"):
        texts.append(game.rules_path.read_text())
        texts.append(game.reference_path.read_text())
    return texts


def build_tokenizer(vocab_size: int):
    """A Qwen2 tokenizer (transformers) with a byte-level BPE trained on the training corpus."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
    from transformers import Qwen2TokenizerFast

    backend = Tokenizer(models.BPE())
    backend.normalizer = normalizers.NFC()
    backend.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_SPLIT_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
    ])
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIAL_TOKENS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    backend.train_from_iterator(training_corpus(), trainer)
    tokenizer = Qwen2TokenizerFast(tokenizer_object=backend, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                   unk_token=None, bos_token=None)
    tokenizer.chat_template = CHATML_TEMPLATE
    return tokenizer


def build_tiny_model(out_dir: Path, config: TinyModelConfig | None = None) -> Path:
    """Build and save the tokenizer and a random-weight Qwen2 causal LM to `out_dir`; returns it."""
    import torch
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    config = config or TinyModelConfig()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tokenizer(config.vocab_size)
    torch.manual_seed(config.seed)
    model_config = Qwen2Config(
        vocab_size=len(tokenizer),
        **config_values(config, MODEL_SIZE_FIELDS),
        tie_word_embeddings=True,
        bos_token_id=None,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    model = Qwen2ForCausalLM(model_config)
    model.generation_config = GenerationConfig(eos_token_id=tokenizer.eos_token_id,
                                               pad_token_id=tokenizer.pad_token_id)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    (out_dir / "gamecwm_tiny_model.json").write_text(json.dumps(asdict(config), indent=2) + "\n")
    return out_dir
