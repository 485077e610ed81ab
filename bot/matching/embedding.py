"""Static word embeddings (WordLlama) as a second, meaning-based ranking signal.

WordLlama's wheel ships its weights and tokenizer, so they load offline in well under a second
and embed a short message in a fraction of a millisecond. Measured on the evaluation sets they
lift top-1 accuracy well above what rapidfuzz alone reaches (see README, "Matching accuracy").

A WordLlama embedding is the mean of the message's token vectors, normalised. We read the wheel's
two files ourselves (the tokenizer with ``tokenizers``, as WordLlama does) instead of importing
``wordllama``, to keep the bot's memory small (measured with ``bench/telegram.py``):

- WordLlama's loader widens the 16 MB half-precision table to 33 MB of float32, and its import
  pulls in ~20 MB of modules we never call (and configures the root logger).
- We keep the table as int8 with one scale per row (8 MB). Read in 1 MB chunks, it never needs
  the whole half-precision table in memory. Vectors stay within a cosine of 0.9999 of
  ``WordLlama.embed`` (``tests/test_embedding.py``), and the evaluation figures are unchanged.
"""

from __future__ import annotations

import importlib.util
import json
import os
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np

#: The model WordLlama loads by default, as named in its wheel.
_WEIGHTS = "weights/l2_supercat_256.safetensors"
_TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"
_TENSOR = "embedding.weight"
_CHUNK_ROWS = 2048


class Embedder(Protocol):
    """Turns texts into unit-length vectors whose dot product is their similarity."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, L2-normalised."""
        ...


@dataclass(frozen=True)
class QuantisedTable:
    """A float table stored as int8 rows, each with its own scale: row i ~ values[i] * scales[i]."""

    values: np.ndarray  #: int8, (rows, columns)
    scales: np.ndarray  #: float32, (rows,)

    def mean_of_rows(self, ids: np.ndarray) -> np.ndarray:
        """The float32 mean of the rows ``ids``."""
        rows = self.values[ids].astype(np.float32) * self.scales[ids, None]
        mean: np.ndarray = rows.sum(axis=0, dtype=np.float32) / len(ids)
        return mean


def quantise(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric per-row int8: the largest magnitude in each row maps to 127."""
    floats = rows.astype(np.float32)
    peak = np.abs(floats).max(axis=1)
    scales = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    values = np.clip(np.rint(floats / scales[:, None]), -127, 127).astype(np.int8)
    return values, scales


def read_quantised_safetensor(path: Path, name: str) -> QuantisedTable:
    """One float16 matrix from a safetensors file, quantised chunk by chunk as it is read.

    The format is an 8-byte little-endian header length, a JSON header naming each tensor's
    dtype, shape and byte range, then the raw data.
    """
    with path.open("rb") as file:
        (header_length,) = struct.unpack("<Q", file.read(8))
        info = json.loads(file.read(header_length))[name]
        if info["dtype"] != "F16" or len(info["shape"]) != 2:
            raise ValueError(f"{path.name}: {name} is {info['dtype']} {info['shape']}, not an F16 matrix")
        start, end = info["data_offsets"]
        n_rows, n_columns = info["shape"]
        if end - start != n_rows * n_columns * 2:
            raise ValueError(f"{path.name}: {name} has {end - start} bytes for shape {info['shape']}")
        file.seek(8 + header_length + start)
        values = np.empty((n_rows, n_columns), dtype=np.int8)
        scales = np.empty(n_rows, dtype=np.float32)
        for first in range(0, n_rows, _CHUNK_ROWS):
            count = min(_CHUNK_ROWS, n_rows - first)
            chunk = np.fromfile(file, dtype="<f2", count=count * n_columns)
            if chunk.size != count * n_columns:
                raise ValueError(f"{path.name}: {name} is truncated")
            values[first : first + count], scales[first : first + count] = quantise(
                chunk.reshape(count, n_columns)
            )
    return QuantisedTable(values, scales)


def wordllama_dir() -> Path:
    """The installed ``wordllama`` package folder, found without importing the package."""
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the wordllama package is not installed (pip install wordllama)")
    return Path(next(iter(spec.submodule_search_locations)))


class WordLlamaEmbedder:
    """The WordLlama ``l2_supercat`` 256-dimension model from the installed wheel (no download)."""

    def __init__(self, folder: Path | None = None) -> None:
        # One short text at a time gains nothing from the tokenizer's thread pool, whose threads
        # cost ~5 MB of memory; the variable must be set before the library first runs.
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from tokenizers import Tokenizer  # imported here: loading is the slow part of start-up

        folder = folder or wordllama_dir()
        self._tokenizer = Tokenizer.from_file(str(folder / _TOKENIZER))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        self._table = read_quantised_safetensor(folder / _WEIGHTS, _TENSOR)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors for ``texts`` (a text with no tokens gets the zero vector)."""
        n_rows, n_columns = self._table.values.shape
        vectors = np.zeros((len(texts), n_columns), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts), add_special_tokens=False)
        for row, encoding in enumerate(encodings):
            if encoding.ids:
                ids = np.clip(np.asarray(encoding.ids, dtype=np.intp), 0, n_rows - 1)
                vectors[row] = self._table.mean_of_rows(ids)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        np.divide(vectors, norms, out=vectors, where=norms > 0)
        return vectors


@cache
def default_embedder() -> Embedder:
    """The process-wide embedder, loaded once and shared by every FAQ reload."""
    return WordLlamaEmbedder()
