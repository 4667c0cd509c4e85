"""The README's layout section names every top-level module and package, and every file it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "gamecwm"


def _layout_block() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Layout"):]
    return section.split("```")[1].splitlines()


def _entries() -> dict[str, str]:
    """Top-level entry of src/gamecwm/ -> its description (continuation lines joined)."""
    entries: dict[str, str] = {}
    current = None
    for line in _layout_block():
        match = re.match(r"^  (\S+)\s+(.*)$", line)
        if match:
            current = match.group(1)
            entries[current] = match.group(2)
        elif current and line.startswith("    ") and line.strip():
            entries[current] += " " + line.strip()
        elif line and not line.startswith(" "):
            current = None
    return entries


def test_every_top_level_module_and_package_is_in_the_layout() -> None:
    actual = {p.name + ("/" if p.is_dir() else "") for p in PACKAGE.iterdir()
              if not p.name.startswith("__") and (p.suffix == ".py" or (p / "__init__.py").is_file())}
    assert set(_entries()) == actual


def test_every_file_the_layout_names_exists() -> None:
    for entry, description in _entries().items():
        folder = PACKAGE / entry.rstrip("/")
        for name in re.findall(r"\b([a-z_]+\.py)\b", description):
            assert (folder / name).is_file() or (PACKAGE / name).is_file(), f"{entry}: {name} does not exist"
    for line in _layout_block():
        top = re.match(r"^([a-z_/]+/)\s", line)
        if top and top.group(1) != "src/gamecwm/":
            assert (ROOT / top.group(1)).is_dir(), top.group(1)
