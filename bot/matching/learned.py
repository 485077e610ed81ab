"""A linear classifier learned from the FAQ's own phrasings, as one more ranking signal.

Each phrasing's embedding is a training example labelled with its entry. Multinomial logistic
regression over those vectors learns which directions of meaning separate the entries, rather
than comparing a message with single phrasings. It is trained when the FAQ is loaded (about 0.1 s
for the shipped FAQ, by plain gradient descent in numpy) from the phrasings alone: no evaluation
message is ever used. A softmax always favours some entry, so it ranks entries but never decides
on its own whether a message is in scope (``Thresholds.suggest``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Vectors are unit length, so their dot products are small; this scale lets the softmax peak.
SCALE = 10.0
STEPS = 150
LEARNING_RATE = 1.0
L2 = 1e-3


@dataclass(frozen=True)
class EntryClassifier:
    """Weights of a softmax over the FAQ's entries."""

    weights: np.ndarray  #: (dimensions, entries)
    bias: np.ndarray  #: (entries,)

    def probabilities(self, vector: np.ndarray) -> np.ndarray:
        """The probability of each entry for one unit-length vector (sums to 1)."""
        logits = SCALE * (vector @ self.weights) + self.bias
        logits = logits - logits.max()
        exp = np.exp(logits)
        result: np.ndarray = exp / exp.sum()
        return result


def train(vectors: np.ndarray, labels: np.ndarray, classes: int) -> EntryClassifier:
    """Fit the classifier to ``vectors`` (one row per phrasing) labelled 0..classes-1."""
    x = vectors.astype(np.float32)
    targets = np.zeros((len(x), classes), dtype=np.float32)
    targets[np.arange(len(x)), labels] = 1.0
    weights = np.zeros((x.shape[1], classes), dtype=np.float32)
    bias = np.zeros(classes, dtype=np.float32)
    for _ in range(STEPS):
        logits = SCALE * (x @ weights) + bias
        logits -= logits.max(axis=1, keepdims=True)
        probabilities = np.exp(logits)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        gradient = (probabilities - targets) / len(x)
        weights -= LEARNING_RATE * (SCALE * x.T @ gradient + L2 * weights)
        bias -= LEARNING_RATE * gradient.sum(axis=0)
    return EntryClassifier(weights, bias)
