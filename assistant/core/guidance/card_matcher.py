"""Which guidance card a worker's message asks for: a classifier learned from paraphrases.

Why learned, and why here: keyword rules and word overlap let one incidental word take over a
question ("school" in a question about consent). A linear classifier over words, word pairs
and character n-grams, trained on many paraphrases per card written the way workers type
(abbreviations, typos, the question buried in a story), weighs every word against every card
at once. Messages that are not questions about the procedure (a plan to resume, a quiz, a
greeting) are a class of their own, `OTHER`, learned from the engine's training examples for
those intents, so the matcher can say "none of the cards".

Pure numpy (multinomial logistic regression, Adam, L2), because both processes that run it (the
web app and the action server) have numpy and nothing heavier; trained when first used, from
the data, in about a second or two: no model file to ship or to go stale.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

OTHER = "_other"
EPOCHS = 20
LEARNING_RATE = 1.0
DECAY = 1e-4
L2 = 1e-5
SEED = 2026
CHAR_N = 4
PREFIX = 5

_TOKEN = re.compile(r"[a-z0-9]+")

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class CardMatch:
    """The best card (or OTHER) with its probability, and the runner-up."""

    label: str
    confidence: float
    runner_up: str
    runner_up_confidence: float

    @property
    def margin(self) -> float:
        return self.confidence - self.runner_up_confidence


def _normalise(text: str) -> str:
    return text.lower().replace("\u2019", "'").replace("'", "")


def features(text: str, expand: Callable[[str], str] = lambda t: t) -> list[str]:
    """Words, word pairs, word prefixes (a typo's ending matters less) and character
    4-grams (a typo in the middle of a word keeps most of them)."""
    tokens = _TOKEN.findall(_normalise(expand(text)))
    out = [f"w:{t}" for t in tokens]
    out += [f"b:{a}_{b}" for a, b in itertools.pairwise(tokens)]
    out += [f"p:{t[:PREFIX]}" for t in tokens if len(t) > PREFIX]
    for t in tokens:
        padded = f"<{t}>"
        out += [f"c:{padded[i : i + CHAR_N]}" for i in range(max(1, len(padded) - CHAR_N + 1))]
    return out


@dataclass(frozen=True)
class _Sparse:
    """Rows of (feature index, weight), L2-normalised per row."""

    indptr: IntArray
    indices: IntArray
    values: FloatArray

    @property
    def rows(self) -> int:
        return len(self.indptr) - 1


class CardMatcher:
    """Trained on construction; `match` is a few dot products."""

    def __init__(
        self,
        examples: Mapping[str, Sequence[str]],
        expand: Callable[[str], str] = lambda t: t,
        epochs: int = EPOCHS,
    ) -> None:
        self._expand = expand
        self.labels: tuple[str, ...] = tuple(sorted(examples))
        texts = [t for label in self.labels for t in examples[label]]
        targets = np.array(
            [i for i, label in enumerate(self.labels) for _ in examples[label]], dtype=np.int64
        )
        docs = [features(t, expand) for t in texts]
        document_frequency: dict[str, int] = {}
        for doc in docs:
            for f in set(doc):
                document_frequency[f] = document_frequency.get(f, 0) + 1
        self._index = {f: i for i, f in enumerate(sorted(document_frequency))}
        n = len(docs)
        self._idf = np.array(
            [math.log((1 + n) / (1 + document_frequency[f])) + 1 for f in sorted(self._index)],
            dtype=np.float32,
        )
        X = self._vectorise(docs)
        self._W, self._b = _train(X, targets, len(self._index), len(self.labels), epochs)

    def _vectorise(self, docs: Iterable[list[str]]) -> _Sparse:
        indptr = [0]
        indices: list[int] = []
        values: list[float] = []
        for doc in docs:
            counts: dict[int, float] = {}
            for f in doc:
                i = self._index.get(f)
                if i is not None:
                    counts[i] = 1.0  # presence, not count: long stories are not louder
            weights = {i: float(self._idf[i]) for i in counts}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for i, w in sorted(weights.items()):
                indices.append(i)
                values.append(w / norm)
            indptr.append(len(indices))
        return _Sparse(
            np.array(indptr, dtype=np.int64),
            np.array(indices, dtype=np.int64),
            np.array(values, dtype=np.float32),
        )

    def probabilities(self, text: str) -> dict[str, float]:
        x = self._vectorise([features(text, self._expand)])
        p = _softmax(_forward(x, self._W, self._b))[0]
        return {label: float(p[i]) for i, label in enumerate(self.labels)}

    def match(self, text: str) -> CardMatch:
        p = self.probabilities(text)
        first, second = sorted(p, key=lambda label: -p[label])[:2]
        return CardMatch(first, p[first], second, p[second])


def _forward(x: _Sparse, W: FloatArray, b: FloatArray) -> FloatArray:
    scores = np.zeros((x.rows, W.shape[1]), dtype=np.float32)
    if len(x.indices):
        contributions = W[x.indices] * x.values[:, None]
        starts = x.indptr[:-1]
        nonempty = x.indptr[1:] > starts
        scores[nonempty] = np.add.reduceat(contributions, starts[nonempty], axis=0)
    return scores + b


def _softmax(z: FloatArray) -> FloatArray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    probabilities: FloatArray = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
    return probabilities


def _train(
    x: _Sparse, targets: IntArray, n_features: int, n_labels: int, epochs: int
) -> tuple[FloatArray, FloatArray]:
    """Stochastic gradient descent on the cross-entropy, one example at a time.

    Each step touches only the rows of the features the example holds, so an epoch costs
    about as much as reading the examples once; a few epochs converge. Classes are weighted
    by how rare they are ("balanced"), so the many examples of OTHER do not drown the cards.
    The order is shuffled with a fixed seed: the same data always gives the same matcher.
    """
    W = np.zeros((n_features, n_labels), dtype=np.float32)
    b = np.zeros(n_labels, dtype=np.float32)
    counts = np.bincount(targets, minlength=n_labels).astype(np.float32)
    class_weight = len(targets) / (n_labels * np.maximum(counts, 1.0))
    rng = np.random.default_rng(SEED)
    step = 0
    for _ in range(epochs):
        for i in rng.permutation(x.rows):
            start, end = x.indptr[i], x.indptr[i + 1]
            rows, values = x.indices[start:end], x.values[start:end]
            scores = values @ W[rows] + b
            scores -= scores.max()
            p = np.exp(scores)
            p /= p.sum()
            p[targets[i]] -= 1.0
            gradient = p * class_weight[targets[i]]
            rate = LEARNING_RATE / (1.0 + DECAY * step)
            W[rows] -= rate * (np.outer(values, gradient) + L2 * W[rows])
            b -= rate * gradient
            step += 1
    return W, b
