"""Static word embeddings (WordLlama) as a second, meaning-based ranking signal.

WordLlama's wheel ships its weights and tokenizer, so they load offline in well under a second
and embed a short message in a fraction of a millisecond. Measured on the evaluation sets they
lift top-1 accuracy well above what rapidfuzz alone reaches (see README, "Matching accuracy").

A WordLlama embedding is just the mean of the message's token vectors, normalised. We read the
wheel's two files with the libraries WordLlama itself uses (``tokenizers``, ``safetensors``)
instead of importing ``wordllama``: its loader widens the 16 MB half-precision table to 33 MB of
float32 and its import pulls in ~20 MB of modules we never call (and configures the root logger).
Gathering half-precision rows and widening only those gives the same vectors (fp16 -> fp32 is
exact); ``tests/test_embedding.py`` checks that against ``WordLlama.embed``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np

#: The model WordLlama loads by default, as named in its wheel.
_WEIGHTS = "weights/l2_supercat_256.safetensors"
_TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"
_TENSOR = "embedding.weight"


class Embedder(Protocol):
    """Turns texts into unit-length vectors whose dot product is their similarity."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, L2-normalised."""
        ...


def wordllama_dir() -> Path:
    """The installed ``wordllama`` package folder, found without importing the package."""
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the wordllama package is not installed (pip install wordllama)")
    return Path(next(iter(spec.submodule_search_locations)))


class WordLlamaEmbedder:
    """The WordLlama ``l2_supercat`` 256-dimension model from the installed wheel (no download)."""

    def __init__(self, folder: Path | None = None) -> None:
        from safetensors import safe_open  # imported here: loading is the slow part of start-up
        from tokenizers import Tokenizer

        folder = folder or wordllama_dir()
        self._tokenizer = Tokenizer.from_file(str(folder / _TOKENIZER))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        with safe_open(str(folder / _WEIGHTS), framework="np") as weights:
            self._table: np.ndarray = weights.get_tensor(_TENSOR)  # float16, (vocabulary, 256)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors for ``texts`` (a text with no tokens gets the zero vector)."""
        table = self._table
        vectors = np.zeros((len(texts), table.shape[1]), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts), add_special_tokens=False)
        for row, encoding in enumerate(encodings):
            if not encoding.ids:
                continue
            ids = np.clip(np.asarray(encoding.ids, dtype=np.intp), 0, table.shape[0] - 1)
            vectors[row] = table[ids].astype(np.float32).sum(axis=0, dtype=np.float32) / len(ids)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        np.divide(vectors, norms, out=vectors, where=norms > 0)
        return vectors


@cache
def default_embedder() -> Embedder:
    """The process-wide embedder, loaded once and shared by every FAQ reload."""
    return WordLlamaEmbedder()
