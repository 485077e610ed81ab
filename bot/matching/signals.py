"""The matcher's ranking signals, each built once per FAQ load and computed over every entry at once.

- :class:`KeywordEvidence`: the summed rarity (BM25-style) of the message's words that an entry
  knows, so "allopurinol" counts for much more than "take".
- :class:`PhrasingSimilarity`: rapidfuzz ``token_sort_ratio`` of the message against every
  phrasing and keyword line, best per entry.
- :class:`Meaning`: WordLlama embeddings: the closest phrasing, the centre of all an entry's
  phrasings, and a classifier learned from them (``bot.matching.learned``).

Each returns one number per entry, in FAQ order. How they are weighed, and what is decided from
them, is the matcher's job (``bot.matching.matcher``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
from rapidfuzz import fuzz, process

from bot.matching.embedding import Embedder
from bot.matching.learned import EntryClassifier, train

#: BM25's k1: how quickly repeated mentions of a word in one entry stop adding weight.
_SATURATION = 1.5


class KeywordEvidence:
    """For each word, a weight per entry: how characteristic the word is of that entry."""

    def __init__(self, entry_words: Sequence[Counter[str]]) -> None:
        """``entry_words``: per entry, how often each of its words occurs (keywords count more)."""
        n_entries = len(entry_words)
        frequency: Counter[str] = Counter()
        for words in entry_words:
            frequency.update(words.keys())
        self._rarity = {
            word: math.log(1 + (n_entries - count + 0.5) / (count + 0.5)) for word, count in frequency.items()
        }
        self._postings: dict[str, np.ndarray] = {}
        for index, words in enumerate(entry_words):
            for word, count in words.items():
                weights = self._postings.setdefault(word, np.zeros(n_entries))
                weights[index] = count / (count + _SATURATION)
        for weights in self._postings.values():
            weights /= max(float(weights.max()), 1e-9)
        self._entries = n_entries
        #: Every word some entry knows, sorted (what misspellings are corrected to).
        self.vocabulary = sorted(self._postings)

    def knows(self, word: str) -> bool:
        """True when some entry has ``word``."""
        return word in self._postings

    def evidence(self, words: Sequence[str], scale: Mapping[str, float]) -> np.ndarray:
        """Each entry's summed rarity of the distinct ``words`` it knows; ``scale`` discounts some."""
        evidence = np.zeros(self._entries)
        for word in dict.fromkeys(words):
            postings = self._postings.get(word)
            if postings is not None:
                evidence += self._rarity[word] * scale.get(word, 1.0) * postings
        return evidence


class PhrasingSimilarity:
    """Fuzzy similarity of a message with every phrasing line of every entry."""

    def __init__(self, entry_lines: Sequence[Sequence[str]]) -> None:
        """``entry_lines``: per entry, its lines with their words already sorted (at least one)."""
        self._lines = [line for lines in entry_lines for line in lines]
        lengths = np.array([len(lines) for lines in entry_lines], dtype=np.intp)
        self._ends = np.cumsum(lengths)
        self._starts = self._ends - lengths

    def best(self, query: str, hint: np.ndarray, shortlist: int) -> np.ndarray:
        """Each entry's best fuzzy ratio (0-1) with ``query``, its words sorted.

        Lines were token-sorted once at load, so plain ``ratio`` here *is* ``token_sort_ratio``,
        and much faster than re-sorting every line for every message. Only the ``shortlist``
        entries leading on ``hint`` (the other signals) are compared; the rest count 0. Comparing
        every phrasing of 2,000 entries took two thirds of the time per message.
        """
        n = len(hint)
        if n <= shortlist:
            similarity = process.cdist([query], self._lines, scorer=fuzz.ratio)[0]
            best: np.ndarray = np.maximum.reduceat(similarity, self._starts) / 100.0
            return best
        chosen = np.sort(np.argpartition(-hint, shortlist)[:shortlist])
        starts, ends = self._starts[chosen], self._ends[chosen]
        lines = [self._lines[j] for a, b in zip(starts, ends, strict=True) for j in range(a, b)]
        similarity = process.cdist([query], lines, scorer=fuzz.ratio)[0]
        offsets = np.concatenate(([0], np.cumsum(ends - starts)[:-1]))
        best = np.zeros(n)
        best[chosen] = np.maximum.reduceat(similarity, offsets) / 100.0
        return best


class Meaning:
    """What a message means, compared with every entry's phrasings through static embeddings."""

    def __init__(self, embedder: Embedder, entry_texts: Sequence[Sequence[str]], learn: bool) -> None:
        """``entry_texts``: per entry, its normalised question and phrasings (at least one).

        ``learn``: also train the classifier (``bot.matching.learned``); it needs at least two entries.
        """
        self.embedder = embedder
        texts = [text for group in entry_texts for text in group]
        labels = np.repeat(np.arange(len(entry_texts)), [len(group) for group in entry_texts])
        self._vectors = embedder.embed(texts) if texts else np.zeros((0, 1))
        lengths = np.array([len(group) for group in entry_texts], dtype=np.intp)
        self._starts = np.cumsum(lengths) - lengths
        #: Learned from the phrasings: which directions of meaning separate the entries.
        self.classifier: EntryClassifier | None = None
        if texts and learn and len(entry_texts) > 1:
            self.classifier = train(self._vectors, labels, len(entry_texts))
        # Each entry's centre of meaning: what its phrasings share, not its single closest one.
        self._centres = np.zeros((0, 1))
        if texts:
            sums = np.add.reduceat(self._vectors, self._starts, axis=0)
            self._centres = sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-9)

    def embed(self, text: str) -> np.ndarray:
        """The unit vector of one (normalised) message."""
        vector: np.ndarray = self.embedder.embed([text])[0]
        return vector

    def closest(self, vector: np.ndarray) -> np.ndarray:
        """Each entry's best cosine similarity between ``vector`` and one of its phrasings."""
        best: np.ndarray = np.maximum.reduceat(self._vectors @ vector, self._starts)
        return best

    def centre(self, vector: np.ndarray) -> np.ndarray:
        """Each entry's cosine similarity between ``vector`` and the centre of its phrasings."""
        similarity: np.ndarray = self._centres @ vector
        return similarity

    def learned(self, vector: np.ndarray) -> np.ndarray | None:
        """The classifier's probability of each entry, or None when it was not trained."""
        return None if self.classifier is None else self.classifier.probabilities(vector)
