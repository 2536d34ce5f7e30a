"""The project's error root and the model's own error. They live in the lowest layer (model/), so that the
runtime model raises them without importing `inference`; `inference.errors` re-exports both."""
from __future__ import annotations


class NianbaoError(Exception):
    """Base class: a clear, specific, user-facing problem."""


class ModelError(NianbaoError):
    """A model directory is missing, malformed or not safetensors."""
