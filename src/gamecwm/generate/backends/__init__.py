"""Generation backends behind one interface: transformers (local), openai (any compatible endpoint), vllm."""

from gamecwm.generate.backends.base import Backend, BackendError, Generation, SamplingParams, make_backend

__all__ = ["Backend", "BackendError", "Generation", "SamplingParams", "make_backend"]
