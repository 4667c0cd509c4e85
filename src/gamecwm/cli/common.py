"""What the command modules share: the usage error, reading input files, the model options."""

from __future__ import annotations

import argparse

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


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """The backend, model, sampling and endpoint options shared by `generate` and `repair`."""
    parser.add_argument("--backend", required=True, choices=("transformers", "openai", "vllm"))
    parser.add_argument("--model", required=True, help="local path or hub id (transformers, vllm); model name (openai)")
    parser.add_argument("--temperature", type=float, default=0.7)
    parser.add_argument("--top-p", type=float, default=0.95)
    parser.add_argument("--max-tokens", type=int, default=4096)
    parser.add_argument("--base-url", default=None, help="openai: the endpoint (default $OPENAI_BASE_URL)")
    parser.add_argument("--api-key-env", default="OPENAI_API_KEY", help="openai: variable holding the API key")
    parser.add_argument("--concurrency", type=int, default=8, help="openai: concurrent requests")
    parser.add_argument("--max-retries", type=int, default=5,
                        help="openai: retries with backoff on rate limits, server errors and lost connections")


def backend_options(args: argparse.Namespace) -> dict:
    """Constructor options for the chosen backend from the shared model arguments."""
    if args.backend != "openai":
        return {}
    return {"base_url": args.base_url, "api_key_env": args.api_key_env, "concurrency": args.concurrency,
            "max_retries": args.max_retries}
