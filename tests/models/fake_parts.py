"""A small fake model split across wheels, laid out like the real part packages, for fetch tests offline."""

from __future__ import annotations

import base64
import hashlib
import random
import struct
import zipfile
from pathlib import Path

from gamecwm.models.catalog import KnownModel, PartPackage

PARTS = 3
VERSION = "0.1.0"


def fake_gguf(size: int = 3000, seed: int = 0) -> bytes:
    """Bytes that start like a GGUF v3 file, then noise."""
    rng = random.Random(seed)
    return b"GGUF" + struct.pack("<I", 3) + bytes(rng.randrange(256) for _ in range(size - 8))


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def write_wheel(folder: Path, package: str, number: int, data: bytes, record_data: bytes | None = None) -> Path:
    """A wheel of `package` holding `data` as `<module>/data/partNN.bin`, its RECORD stating the sha256 of
    `record_data` (by default the data itself)."""
    module = package.replace("-", "_")
    path = folder / f"{module}-{VERSION}-py3-none-any.whl"
    info = f"{module}-{VERSION}.dist-info"
    files = {
        f"{module}/__init__.py": b"",
        f"{module}/data/part{number:02d}.bin": data,
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {package}\nVersion: {VERSION}\n".encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    stated = dict(files, **{f"{module}/data/part{number:02d}.bin": record_data if record_data is not None else data})
    record = "".join(f"{name},{_record_hash(content)},{len(content)}\n" for name, content in stated.items())
    with zipfile.ZipFile(path, "w") as wheel:
        for name, content in files.items():
            wheel.writestr(name, content)
        wheel.writestr(f"{info}/RECORD", record + f"{info}/RECORD,,\n")
    return path


def fake_model(folder: Path, name: str = "fake-coder", data: bytes | None = None,
               sha256: str | None = None) -> tuple[KnownModel, bytes]:
    """A known model whose parts are wheels in `folder` (a pip --find-links folder); and its whole file."""
    folder.mkdir(parents=True, exist_ok=True)
    data = fake_gguf() if data is None else data
    step = -(-len(data) // PARTS)
    packages = []
    for number in range(1, PARTS + 1):
        package = f"{name}-part{number}"
        write_wheel(folder, package, number, data[(number - 1) * step:number * step])
        packages.append(PartPackage(package, VERSION))
    model = KnownModel(name, "a fake model for tests", tuple(packages), len(data),
                       sha256 or hashlib.sha256(data).hexdigest())
    return model, data
