"""Field-weighted BM25 (BM25F) over character pairs: ranks FAQ entries for a message of any length.

Chinese has no spaces, so adjacent character pairs stand in for words. Unlike the share of a
message an entry covers, BM25 does not fall as a message grows: a long story that shares the
rare pairs of an entry still ranks that entry first. Pure Python, no dependency: the index is a
dict from term to the (entry, weight) pairs that hold it, so a message costs one pass over its terms.
"""

from __future__ import annotations

import math
from collections import defaultdict

K1 = 1.2  # term-frequency saturation: the third 工伤 in an entry adds little
B = 0.6  # how much a long field is discounted (answers are long, questions short)


class BM25F:
    """An index over documents that have several fields of text, each with a weight.

    `docs[i][field]` is a list of terms; `weights[field]` how much a term found there counts.
    """

    def __init__(self, docs: list[dict[str, list[str]]], weights: dict[str, float]):
        self.size = len(docs)
        avg = {f: sum(len(d.get(f, ())) for d in docs) / max(self.size, 1) or 1.0 for f in weights}
        pseudo: list[dict[str, float]] = []
        for doc in docs:
            tf: dict[str, float] = defaultdict(float)
            for f, w in weights.items():
                terms = doc.get(f, [])
                norm = 1 - B + B * len(terms) / avg[f]
                for t in terms:
                    tf[t] += w / norm
            pseudo.append(tf)
        df: dict[str, int] = defaultdict(int)
        for tf in pseudo:
            for t in tf:
                df[t] += 1
        self.idf = {t: math.log(1 + (self.size - n + 0.5) / (n + 0.5)) for t, n in df.items()}
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, tf in enumerate(pseudo):
            for t, v in sorted(tf.items()):
                self.postings[t].append((i, self.idf[t] * v * (K1 + 1) / (K1 + v)))

    def scores(self, terms) -> dict[int, float]:
        """Document index -> BM25F score, for documents sharing at least one term (each
        distinct term of the message counts once: repeating a word is not more relevant)."""
        out: dict[int, float] = defaultdict(float)
        for t in dict.fromkeys(terms):
            for i, v in self.postings.get(t, ()):
                out[i] += v
        return out
