"""A character n-gram category model that the tagger blends with its BERT category head.

Why: real section-五 statements are short generic clauses (公开形式不够丰富, 加大宣传力度) whose category is
carried by a few words; the BERT head, trained mostly on authored text, confuses neighbouring categories on
them (P02/P07, R05/R06/R11). A linear model over character 1–3-grams, fitted on the authored corpus and the
real train/dev split, reads those words directly. The two are averaged with a weight chosen on real text
(`blend` in the tagger's nianbao.json).

Fitting uses scikit-learn (one-vs-rest logistic regression over sublinear TF-IDF); prediction needs only
numpy and the saved arrays, so a model folder holds no pickle: `lexical.safetensors` (idf, coef, intercept)
and `lexical.json` (n-gram vocabulary, categories).
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file

WEIGHTS_FILE, VOCAB_FILE = "lexical.safetensors", "lexical.json"
NGRAMS = (1, 2, 3)
_SPACES = re.compile(r"\s+")


def char_ngrams(text: str) -> list[str]:
    text = _SPACES.sub(" ", text.strip())
    return [text[i : i + n] for n in NGRAMS for i in range(len(text) - n + 1)]


class LexicalCategoryModel:
    """fit / predict_proba / save_pretrained / from_pretrained, multi-label over `categories`."""

    def __init__(self, categories: list[str], vocabulary: dict[str, int] | None = None, idf=None, coef=None,
                 intercept=None, C: float = 4.0, blend: float = 0.5):
        self.categories = list(categories)
        self.blend = blend  # the BERT head's weight when the tagger averages the two (chosen on real text)
        self.vocabulary = vocabulary or {}
        self.idf, self.coef, self.intercept = idf, coef, intercept
        self._coef_by_ngram = None
        self.C = C

    # ---------------------------------------------------------------- fit
    def fit(self, texts: list[str], labels: list[list[str]], weights: list[float] | None = None,
            min_df: int = 2) -> "LexicalCategoryModel":
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        vec = TfidfVectorizer(analyzer=char_ngrams, sublinear_tf=True, min_df=min_df)
        x = vec.fit_transform(texts)
        coef = np.zeros((len(self.categories), x.shape[1]), dtype=np.float32)
        intercept = np.full(len(self.categories), -10.0, dtype=np.float32)  # a category never seen: never predicted
        for j, cat in enumerate(self.categories):
            y = np.array([cat in ls for ls in labels], dtype=int)
            if 0 < y.sum() < len(y):
                clf = LogisticRegression(C=self.C, max_iter=2000, class_weight="balanced")
                clf.fit(x, y, sample_weight=weights)
                coef[j], intercept[j] = clf.coef_[0], clf.intercept_[0]
        self.vocabulary = {k: int(v) for k, v in vec.vocabulary_.items()}
        self.idf = vec.idf_.astype(np.float32)
        self.coef, self.intercept, self._coef_by_ngram = coef, intercept, None
        return self

    # ---------------------------------------------------------------- predict
    def _weights(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The text's n-grams as (vocabulary indices, l2-normalised sublinear tf-idf weights): a statement holds
        a few dozen of the ~27k n-grams, so nothing dense is built."""
        counts: dict[int, int] = {}
        for g in char_ngrams(text):
            j = self.vocabulary.get(g)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        idx = np.fromiter(counts, dtype=np.int64, count=len(counts))
        vals = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=np.float32, count=len(counts))
        vals *= self.idf[idx]
        norm = float(np.linalg.norm(vals))
        return idx, (vals / norm if norm > 0 else vals)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """(n_texts, n_categories) independent probabilities."""
        if self._coef_by_ngram is None:
            self._coef_by_ngram = np.ascontiguousarray(self.coef.T)  # rows gathered per n-gram
        z = np.tile(self.intercept, (len(texts), 1)).astype(np.float32)
        for row, text in enumerate(texts):
            idx, vals = self._weights(text)
            if len(idx):
                z[row] += vals @ self._coef_by_ngram[idx]
        return 1.0 / (1.0 + np.exp(-z))

    # ---------------------------------------------------------------- disk
    def save_pretrained(self, directory: str | Path) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        save_file({"idf": self.idf, "coef": self.coef.astype(np.float16), "intercept": self.intercept},
                  str(directory / WEIGHTS_FILE))
        ngrams = sorted(self.vocabulary, key=self.vocabulary.get)
        (directory / VOCAB_FILE).write_text(json.dumps({"categories": self.categories, "ngrams": ngrams, "C": self.C,
                                                        "blend": self.blend},
                                                       ensure_ascii=False), encoding="utf-8")

    @classmethod
    def from_pretrained(cls, directory: str | Path) -> "LexicalCategoryModel | None":
        """None when the folder has no lexical model (older model folders)."""
        directory = Path(directory)
        if not (directory / WEIGHTS_FILE).is_file() or not (directory / VOCAB_FILE).is_file():
            return None
        meta = json.loads((directory / VOCAB_FILE).read_text(encoding="utf-8"))
        arrays = load_file(str(directory / WEIGHTS_FILE))
        vocabulary = {g: i for i, g in enumerate(meta["ngrams"])}
        coef = arrays["coef"].astype(np.float32)
        if coef.shape != (len(meta["categories"]), len(vocabulary)) or arrays["idf"].shape != (len(vocabulary),):
            raise ValueError(f"{directory / WEIGHTS_FILE}: array shapes do not match {VOCAB_FILE}")
        return cls(meta["categories"], vocabulary, arrays["idf"].astype(np.float32), coef,
                   arrays["intercept"].astype(np.float32), C=meta["C"], blend=meta["blend"])
