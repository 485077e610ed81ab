"""The lean WordLlama reader gives the same vectors as WordLlama itself."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.matching.embedding import WordLlamaEmbedder, quantise, wordllama_dir

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


def test_vectors_match_wordllama_embed_to_a_cosine_of_0_9999(lean: WordLlamaEmbedder) -> None:
    import wordllama

    reference = wordllama.WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    expected = reference.embed(TEXTS, norm=True)
    cosines = (lean.embed(TEXTS) * expected).sum(axis=1)
    assert cosines.min() > 0.9999


def test_vectors_are_unit_length(lean: WordLlamaEmbedder) -> None:
    norms = np.linalg.norm(lean.embed(TEXTS), axis=1)
    np.testing.assert_allclose(norms, 1.0, atol=1e-5)


def test_text_without_tokens_gets_the_zero_vector_not_nan(lean: WordLlamaEmbedder) -> None:
    vectors = lean.embed(["", "hello"])
    assert not np.isnan(vectors).any()
    assert not vectors[0].any()


def test_table_is_held_as_int8_with_a_scale_per_row(lean: WordLlamaEmbedder) -> None:
    assert lean._table.values.dtype == np.int8
    assert lean._table.scales.shape == (lean._table.values.shape[0],)


def test_quantised_rows_are_within_half_a_step_of_the_original() -> None:
    rng = np.random.default_rng(7)
    rows = rng.normal(size=(5, 16)).astype(np.float16)
    rows[2] = 0  # an all-zero row must not divide by zero
    values, scales = quantise(rows)
    restored = values.astype(np.float32) * scales[:, None]
    assert np.all(np.abs(restored - rows.astype(np.float32)) <= scales[:, None] / 2 + 1e-6)
    assert not restored[2].any()


def test_package_folder_is_found_without_importing_wordllama() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from bot.matching.embedding import wordllama_dir; d = wordllama_dir(); "
        "print((d / 'weights').is_dir(), 'wordllama' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "False"]
    assert wordllama_dir().name == "wordllama"


def test_safetensor_reader_refuses_a_truncated_file(tmp_path: Path) -> None:
    from bot.matching.embedding import _TENSOR, _WEIGHTS, read_quantised_safetensor

    whole = (wordllama_dir() / _WEIGHTS).read_bytes()
    cut = tmp_path / "cut.safetensors"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ValueError, match="truncated"):
        read_quantised_safetensor(cut, _TENSOR)
