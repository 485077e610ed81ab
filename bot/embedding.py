"""Static word embeddings (WordLlama) as a second, meaning-based ranking signal.

WordLlama ships its weights inside the wheel, so it loads offline in well under a second and
embeds a short message in a fraction of a millisecond. Measured on the evaluation set it lifts
top-1 accuracy well above what rapidfuzz alone reaches (see README, "Matching accuracy").
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np


class Embedder(Protocol):
    """Turns texts into unit-length vectors whose dot product is their similarity."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, L2-normalised."""
        ...


class WordLlamaEmbedder:
    """The bundled WordLlama model, loaded from the installed package (no download)."""

    def __init__(self) -> None:
        import wordllama  # imported here: loading the weights is the slow part of start-up

        self._model = wordllama.WordLlama.load(
            cache_dir=Path(wordllama.__file__).parent, disable_download=True
        )

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors for ``texts``."""
        vectors: np.ndarray = self._model.embed(list(texts), norm=True)
        return vectors


@cache
def default_embedder() -> Embedder:
    """The process-wide embedder, loaded once and shared by every FAQ reload."""
    return WordLlamaEmbedder()
