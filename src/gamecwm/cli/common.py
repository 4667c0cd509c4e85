"""What the command modules share: the usage error, reading input files, the model options."""

from __future__ import annotations

import argparse
import math
from typing import Any, Callable

EXIT_USAGE = 2


class UsageError(Exception):
    """Bad input from the user: reported as a clear message with exit status 2."""


def read_text(path: str) -> str:
    """A text file's contents, or a UsageError naming the file and the problem."""
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from exc


def _number(kind: type, low: float, high: float | None, what: str) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not math.isfinite(value) or value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return value

    parse.__name__ = what  # argparse names the type in its messages
    return parse


positive_int = _number(int, 1, None, "an integer >= 1")
non_negative_int = _number(int, 0, None, "an integer >= 0")
positive_float = _number(float, math.ulp(0.0), None, "a number > 0")
non_negative_float = _number(float, 0.0, None, "a number >= 0")
unit_float = _number(float, 0.0, 1.0, "a number in [0, 1]")


def seed_list(text: str) -> list[int]:
    """A comma-separated list of integer seeds, e.g. `0,1,2` (argparse type)."""
    try:
        seeds = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers such as 0,1,2, got {text!r}") from None
    if not seeds or len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError(f"expected distinct comma-separated integers such as 0,1,2, got {text!r}")
    return seeds


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """The backend, model, sampling and endpoint options shared by `generate` and `repair`."""
    parser.add_argument("--backend", required=True, choices=("transformers", "openai", "vllm", "llamacpp"))
    parser.add_argument("--model", required=True, help="a known model (gamecwm models list), local folder or hub id "
                        "(transformers, vllm); a known model, GGUF file or folder (llamacpp); model name (openai)")
    parser.add_argument("--temperature", type=non_negative_float, default=0.7)
    parser.add_argument("--top-p", type=_number(float, math.ulp(0.0), 1.0, "a number in (0, 1]"), default=0.95)
    parser.add_argument("--max-tokens", type=positive_int, default=4096)
    parser.add_argument("--base-url", default=None, help="openai: the endpoint (default $OPENAI_BASE_URL)")
    parser.add_argument("--api-key-env", default="OPENAI_API_KEY", help="openai: variable holding the API key")
    parser.add_argument("--concurrency", type=positive_int, default=8, help="openai: concurrent requests")
    parser.add_argument("--max-retries", type=non_negative_int, default=5,
                        help="openai: retries with backoff on rate limits, server errors, timeouts, lost "
                             "connections and malformed or empty answers (default 5)")
    parser.add_argument("--timeout", type=positive_float, default=600.0,
                        help="openai: seconds to wait for one answer before retrying it (default 600)")
    parser.add_argument("--threads", type=positive_int, default=None,
                        help="llamacpp: CPU threads (default llama.cpp's choice, half the logical cores)")


def backend_options(args: argparse.Namespace) -> dict:
    """Constructor options for the chosen backend from the shared model arguments."""
    if args.backend == "llamacpp":
        return {"threads": args.threads} if args.threads is not None else {}
    if args.backend != "openai":
        return {}
    return {"base_url": args.base_url, "api_key_env": args.api_key_env, "concurrency": args.concurrency,
            "max_retries": args.max_retries, "timeout_s": args.timeout}


def add_isolation_argument(parser: argparse.ArgumentParser) -> None:
    """`--isolation weak`: accept running untrusted code below the sandbox's full isolation level."""
    parser.add_argument("--isolation", choices=("full", "weak"), default="full",
                        help="sandbox isolation for generated code: full (default; refuse to run when the machine "
                             "offers less) or weak (accept the strongest level available, named in every report)")


def add_resume_arguments(parser: argparse.ArgumentParser, kind: str) -> None:
    """`--resume-anyway`: continue an output file written by a run with other settings."""
    parser.add_argument("--resume-anyway", action="store_true",
                        help=f"add to an --out {kind} file written with other settings (mixes runs; by default "
                             "that is an error)")
