"""Extract the Python program from a model completion.

Completions arrive with chat artefacts: prose around the code, several fenced blocks (an example
call, the program itself, a test), unterminated fences when generation hit its token limit, or
reasoning sections. The program is the fenced block that defines the most GameCWM protocol functions
(the last such block on ties, since models tend to end with the final version); without fences, the
whole text is the program.
"""

from __future__ import annotations

import re

from gamecwm.protocol import IMPERFECT_INFORMATION_FUNCTIONS, OPTIONAL_FUNCTIONS

_FENCE = re.compile(r"^[ \t]*(```|~~~)[ \t]*([\w+.-]*)[^\n]*\n(.*?)(?:^[ \t]*\1[ \t]*$|\Z)", re.MULTILINE | re.DOTALL)
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL)
_PROTOCOL_NAMES = tuple(IMPERFECT_INFORMATION_FUNCTIONS) + tuple(OPTIONAL_FUNCTIONS)
_NON_PYTHON = {"json", "text", "txt", "bash", "sh", "shell", "console", "markdown", "md", "yaml", "toml"}


def _protocol_functions_defined(code: str) -> int:
    return sum(bool(re.search(rf"^\s*def\s+{name}\s*\(", code, re.MULTILINE)) for name in _PROTOCOL_NAMES)


def defines_protocol_function(code: str) -> bool:
    """True when `code` defines (with `def`) at least one GameCWM protocol function: prose, or a snippet that
    only calls or discusses the functions, defines none."""
    return _protocol_functions_defined(code) > 0


def extract_code(completion: str) -> str:
    """The Python program in a completion (see the module docstring for the rules)."""
    text = _THINK.sub("", completion)
    blocks = [(lang.lower(), body) for _, lang, body in _FENCE.findall(text)]
    candidates = [body for lang, body in blocks if lang not in _NON_PYTHON]
    if not candidates:
        return text.strip() + "\n" if text.strip() else ""
    best = max(range(len(candidates)), key=lambda i: (_protocol_functions_defined(candidates[i]), i))
    return candidates[best].rstrip() + "\n"
