"""Relevance scoring: how well each document of a collection matches a query.

Each collection gets a :class:`CollectionIndex` once, when the world is loaded (or a
collection changes): per-document TF-IDF vectors over the document's title, text,
description, tags and category. A request then only tokenises its query and takes
dot products, so scoring a few hundred documents costs well under a millisecond.

Scores are always in ``[0, 1]``:

- ``inputs.query``: cosine similarity between the query's TF-IDF vector and the
  document's (a query about headphones ranks the documents about headphones first).
- ``inputs.embedding``: cosine between the given vector and a deterministic
  pseudo-embedding of the document (the hashing trick over its weighted tokens, in as
  many dimensions as the given vector has), mapped from ``[-1, 1]`` into ``[0, 1]``.
  :func:`embed_text` builds such an embedding from text, so a client can send one
  that ranks like the text would.
- both: their mean; neither: :data:`NEUTRAL_SCORE` for every document.
"""

from __future__ import annotations

import hashlib
import math
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import add, mul
from typing import Any

from .bounded import BoundedDict

__all__ = [
    "NEUTRAL_SCORE",
    "TOKEN_COLUMNS_KEPT",
    "CollectionIndex",
    "embed_text",
    "score_documents",
    "tokenize",
]

NEUTRAL_SCORE = 0.5
"""The score of every document when the request carries neither query nor embedding."""

SCORE_DIGITS = 6
"""Scores are rounded to this many decimals, so they survive a JSON round trip unchanged."""

# Payload fields that describe a document, with the weight of their tokens.
_WEIGHTED_FIELDS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("title",), 2),
    (("name",), 2),
    (("text",), 1),
    (("description",), 1),
    (("tags",), 2),
    (("metadata", "tags"), 2),
    (("metadata", "category"), 1),
)

_TOKEN = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "how",
        "i",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
    ]
)


def _stem(token: str) -> str:
    """A deliberately small stemmer: folds common English plurals onto the singular."""
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens of ``text``, without stop words, plurals folded."""
    return [_stem(t) for t in _TOKEN.findall(text.lower()) if t not in _STOPWORDS]


def _texts_of(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            if isinstance(item, str):
                yield item


def _word_tokens(text: str, words: dict[str, str]) -> list[str]:
    """:func:`tokenize` with a memory: ``words`` maps each word seen to its token ("" for a
    stop word), so a collection stems each distinct word once."""
    tokens = []
    for word in _TOKEN.findall(text.lower()):
        token = words.get(word)
        if token is None:
            token = words[word] = "" if word in _STOPWORDS else _stem(word)
        if token:
            tokens.append(token)
    return tokens


def _weighted_counts(
    payload: Mapping[str, Any], texts: dict[str, list[str]], words: dict[str, str]
) -> dict[str, int]:
    """Token -> weighted count over the payload's described fields (``texts`` and
    ``words`` remember what was tokenised: tags and categories repeat)."""
    counts: dict[str, int] = {}
    for path, weight in _WEIGHTED_FIELDS:
        value: Any = payload
        for key in path:
            value = value.get(key) if type(value) is dict or isinstance(value, Mapping) else None
        if value is None:
            continue
        for text in (value,) if type(value) is str else _texts_of(value):
            tokens = texts.get(text)
            if tokens is None:
                tokens = texts[text] = _word_tokens(text, words)
            for token in tokens:
                counts[token] = counts.get(token, 0) + weight
    return counts


def _token_hash(token: str) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "big")


def _hashed_vector(weights: Iterable[tuple[int, float]], dimensions: int) -> list[float]:
    vector = [0.0] * dimensions
    for token_hash, weight in weights:
        sign = 1.0 if token_hash & 1 else -1.0
        vector[(token_hash >> 1) % dimensions] += sign * weight
    return vector


def embed_text(text: str, dimensions: int) -> list[float]:
    """A deterministic pseudo-embedding of ``text`` (hashing trick, unit length).

    Sending it as ``inputs.embedding`` ranks documents much like ``inputs.query=text``.
    """
    if dimensions < 1:
        raise ValueError("dimensions must be at least 1")
    counts = Counter(tokenize(text))
    vector = _hashed_vector(
        ((_token_hash(t), 1.0 + math.log(c)) for t, c in counts.items()), dimensions
    )
    norm = math.sqrt(sum(v * v for v in vector))
    return [v / norm for v in vector] if norm else vector


@dataclass(frozen=True, slots=True)
class _DocumentVector:
    weights: Mapping[str, float]  # token -> unit-normalised TF-IDF weight
    hashed: tuple[tuple[int, float], ...]  # (token hash, weight), for pseudo-embeddings


TOKEN_COLUMNS_KEPT = 32
"""Token columns kept per collection (8 bytes a document each), least recently used out."""


@dataclass(frozen=True, slots=True)
class CollectionIndex:
    """Token statistics of one collection, built once from its documents' payloads.

    A query reads, for each of its tokens, that token's weight in every document. Those
    weights are laid out once per token as a column (``array('d')``, one 8-byte weight
    per document, 0.0 where the document lacks it), on first use, and kept
    (:data:`TOKEN_COLUMNS_KEPT` per collection). Scoring then reads contiguous memory in
    C instead of one dictionary per document: its cost per document stays the same when
    the corpus outgrows the CPU caches.
    """

    idf: Mapping[str, float]
    vectors: tuple[_DocumentVector, ...]
    default_idf: float  # idf of a token no document contains
    columns: BoundedDict[str, array] = field(
        default_factory=lambda: BoundedDict(TOKEN_COLUMNS_KEPT, evict="least_recent"),
        compare=False,
        repr=False,
    )

    @classmethod
    def build(cls, payloads: Sequence[Mapping[str, Any]]) -> CollectionIndex:
        texts: dict[str, list[str]] = {}
        words: dict[str, str] = {}
        counts = [_weighted_counts(p, texts, words) for p in payloads]
        document_frequency: Counter[str] = Counter()
        for c in counts:
            document_frequency.update(c.keys())
        n = len(payloads)
        idf = {t: math.log((1 + n) / (1 + df)) + 1.0 for t, df in document_frequency.items()}
        hashes = {t: _token_hash(t) for t in idf}
        damped: dict[int, float] = {}  # 1 + log(tf), per distinct tf
        vectors = []
        for c in counts:
            raw = {
                t: (damped.get(tf) or damped.setdefault(tf, 1.0 + math.log(tf))) * idf[t]
                for t, tf in c.items()
            }
            norm = math.sqrt(sum(w * w for w in raw.values()))
            weights = {t: w / norm for t, w in raw.items()} if norm else {}
            hashed = tuple((hashes[t], w) for t, w in sorted(weights.items()))
            vectors.append(_DocumentVector(weights=weights, hashed=hashed))
        return cls(idf=idf, vectors=tuple(vectors), default_idf=math.log(1 + n) + 1.0)

    def query_vector(self, query: str) -> dict[str, float]:
        counts = Counter(tokenize(query))
        raw = {
            t: (1.0 + math.log(tf)) * self.idf.get(t, self.default_idf) for t, tf in counts.items()
        }
        norm = math.sqrt(sum(w * w for w in raw.values()))
        return {t: w / norm for t, w in raw.items()} if norm else {}

    def _vectors(self, positions: Sequence[int] | None) -> Sequence[_DocumentVector]:
        if positions is None:
            return self.vectors
        vectors = self.vectors
        return [vectors[p] for p in positions]

    def column(self, token: str) -> array:
        """The weight of ``token`` in each document, in document order (0.0 where absent)."""
        return self.columns.get_or_put(
            token, lambda: array("d", [v.weights.get(token, 0.0) for v in self.vectors])
        )

    def text_scores(self, query: str, positions: Sequence[int] | None = None) -> list[float]:
        """Cosine similarity of ``query`` with every document (or those at ``positions``),
        in document order."""
        terms = self.query_vector(query)
        size = len(self.vectors) if positions is None else len(positions)
        if not terms:  # the sum of no products: 0, as sum([]) gives
            return [0] * size
        # A token no document has adds 0.0 to every sum, which changes no sum: no column.
        known = [(token, weight) for token, weight in terms.items() if token in self.idf]
        if not known:
            return [0.0] * size
        # Per document: min(1.0, sum(w * weight of t in the document, for t, w in terms)),
        # the same operations in the same order as over the document's own weights; in C.
        products = []
        for token, weight in known:
            column = self.column(token)
            weights = column if positions is None else map(column.__getitem__, positions)
            products.append(map(mul, repeat(weight), weights))
        return list(map(min, repeat(1.0), map(sum, zip(*products, strict=True))))

    def embedding_scores(
        self, embedding: Sequence[float], positions: Sequence[int] | None = None
    ) -> list[float]:
        """Cosine of ``embedding`` with each document's pseudo-embedding (or those at
        ``positions``), mapped into [0, 1]."""
        vectors = self._vectors(positions)
        dimensions = len(embedding)
        query_norm = math.sqrt(sum(x * x for x in embedding))
        if dimensions == 0 or query_norm == 0.0:
            return [NEUTRAL_SCORE] * len(vectors)
        scores = []
        for v in vectors:
            buckets: dict[int, float] = {}  # the sparse pseudo-embedding of the document
            for token_hash, weight in v.hashed:
                bucket = (token_hash >> 1) % dimensions
                sign = 1.0 if token_hash & 1 else -1.0
                buckets[bucket] = buckets.get(bucket, 0.0) + sign * weight
            doc_norm = math.sqrt(sum(x * x for x in buckets.values()))
            if doc_norm == 0.0:
                scores.append(NEUTRAL_SCORE)
                continue
            dot = sum(x * embedding[b] for b, x in buckets.items())
            cosine = dot / (doc_norm * query_norm)
            scores.append(min(1.0, max(0.0, (cosine + 1.0) / 2.0)))
        return scores


def score_documents(
    index: CollectionIndex,
    query: str | None,
    embedding: Sequence[float] | None,
    positions: Sequence[int] | None = None,
) -> list[float]:
    """The relevance of every document of the indexed collection (or of those at
    ``positions``, in their order), in ``[0, 1]``. A document's score does not depend on
    which others are scored with it."""
    parts: list[list[float]] = []
    if query and query.strip():
        parts.append(index.text_scores(query, positions))
    if embedding:
        parts.append(index.embedding_scores(embedding, positions))
    if not parts:
        return [NEUTRAL_SCORE] * (len(index.vectors) if positions is None else len(positions))
    if len(parts) == 1:  # sum((v,)) / 1 is 0.0 + v, to the bit (an int 0 included)
        return list(map(round, map(add, repeat(0.0), parts[0]), repeat(SCORE_DIGITS)))
    return [round(sum(values) / len(values), SCORE_DIGITS) for values in zip(*parts, strict=True)]
