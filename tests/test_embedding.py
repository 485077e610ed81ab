"""The lean WordLlama reader gives the same vectors as WordLlama itself."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.embedding import WordLlamaEmbedder, wordllama_dir

TEXTS = [
    "can i drink alcohol on azathioprine",
    "my hair is falling out",
    "Imuraan + the flu jab?? 🤔",
    "x",
    "a much longer message about starting a new immunosuppressant tablet for crohns disease " * 5,
]


@pytest.fixture(scope="module")
def lean() -> WordLlamaEmbedder:
    return WordLlamaEmbedder()


def test_vectors_match_wordllama_embed(lean: WordLlamaEmbedder) -> None:
    import wordllama

    reference = wordllama.WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    expected = reference.embed(TEXTS, norm=True)
    np.testing.assert_allclose(lean.embed(TEXTS), expected, atol=1e-5)


def test_vectors_are_unit_length(lean: WordLlamaEmbedder) -> None:
    norms = np.linalg.norm(lean.embed(TEXTS), axis=1)
    np.testing.assert_allclose(norms, 1.0, atol=1e-5)


def test_text_without_tokens_gets_the_zero_vector_not_nan(lean: WordLlamaEmbedder) -> None:
    vectors = lean.embed(["", "hello"])
    assert not np.isnan(vectors).any()
    assert not vectors[0].any()


def test_weights_stay_half_precision_in_memory(lean: WordLlamaEmbedder) -> None:
    assert lean._table.dtype == np.float16


def test_package_folder_is_found_without_importing_wordllama() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from bot.embedding import wordllama_dir; d = wordllama_dir(); "
        "print((d / 'weights').is_dir(), 'wordllama' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "False"]
    assert wordllama_dir().name == "wordllama"
