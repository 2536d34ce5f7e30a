"""Baseline the fine-tuned model must beat: rule-split clauses + jieba words + TF-IDF + logistic regression.

Clauses come from splitting at sentence punctuation and enumeration markers (一是, （一）, 1.); each clause
gets a role (problem / remedy / other / none) from one classifier, categories from one-vs-rest
classifiers, and `specific` / `status` from two binary classifiers. Labels for training clauses come
from the gold statement that overlaps the clause by at least half.
"""
from __future__ import annotations

import re

from inference.chinese import ENUM_MARKER
from inference.rules import categories as taxonomy

SPLIT = re.compile(rf"[。；;！？!?\n]|{ENUM_MARKER}")
EDGE = " \t\r\n\u3000，,。；;：:、.．"


def split_clauses(text: str) -> list[tuple[int, int]]:
    spans, last = [], 0
    for m in SPLIT.finditer(text):
        spans.append((last, m.start()))
        last = m.end()
    spans.append((last, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s] in EDGE:
            s += 1
        while e > s and text[e - 1] in EDGE:
            e -= 1
        if e - s >= 4:
            out.append((s, e))
    return out


def _label(span: tuple[int, int], statements: list[dict]) -> dict | None:
    s, e = span
    for st in statements:
        inter = min(e, st["end"]) - max(s, st["start"])
        if inter > 0 and inter * 2 >= (e - s):
            return st
    return None


def _tokenize(text: str) -> list[str]:
    import jieba

    return [w for w in jieba.lcut(text) if w.strip()]


class BaselineTagger:
    def __init__(self, categories: list[str]):
        self.categories = categories

    def fit(self, passages: list[dict]) -> "BaselineTagger":
        import jieba
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.preprocessing import MultiLabelBinarizer

        jieba.setLogLevel(60)
        texts, roles, cats, specific, status_x, status_y = [], [], [], [], [], []
        for p in passages:
            for span in split_clauses(p["text"]):
                clause = p["text"][span[0] : span[1]]
                st = _label(span, p["statements"])
                texts.append(clause)
                roles.append(st["role"] if st else "none")
                cats.append(st.get("categories") or [] if st else [])
                specific.append(bool(st and st.get("specific")))
                if st and st["role"] == "remedy" and st.get("status"):
                    status_x.append(clause)
                    status_y.append(st["status"])
        self.vectorizer = TfidfVectorizer(tokenizer=_tokenize, token_pattern=None, ngram_range=(1, 2), min_df=1, sublinear_tf=True)
        X = self.vectorizer.fit_transform(texts)
        self.role_clf = LogisticRegression(max_iter=2000, C=5.0).fit(X, roles)
        has = [i for i, c in enumerate(cats) if c]
        self.mlb = MultiLabelBinarizer(classes=self.categories).fit([self.categories])
        self.cat_clf = OneVsRestClassifier(LogisticRegression(max_iter=2000, C=5.0)).fit(
            X[has], self.mlb.transform([cats[i] for i in has])
        )
        self.specific_clf = LogisticRegression(max_iter=2000).fit(X, specific)
        self.status_clf = LogisticRegression(max_iter=2000).fit(self.vectorizer.transform(status_x), status_y) if len(set(status_y)) > 1 else None
        return self

    def predict_dicts(self, texts: list[str]) -> list[list[dict]]:
        out = []
        for text in texts:
            spans = split_clauses(text)
            if not spans:
                out.append([])
                continue
            X = self.vectorizer.transform([text[s:e] for s, e in spans])
            roles = self.role_clf.predict(X)
            cat_p = self.cat_clf.predict_proba(X)
            spec = self.specific_clf.predict(X)
            status = self.status_clf.predict(X) if self.status_clf is not None else ["planned"] * len(spans)
            preds = []
            for i, (s, e) in enumerate(spans):
                role = roles[i]
                if role == "none":
                    continue
                categories = []
                if role in ("problem", "remedy"):
                    allowed = [j for j, c in enumerate(self.categories) if taxonomy()[c].role == role]
                    categories = [self.categories[j] for j in allowed if cat_p[i, j] >= 0.5] or [
                        self.categories[max(allowed, key=lambda j: cat_p[i, j])]
                    ]
                preds.append({
                    "start": s, "end": e, "role": role, "categories": categories,
                    "specific": bool(spec[i]), "status": status[i] if role == "remedy" else None,
                })
            out.append(preds)
        return out

    @classmethod
    def train_default(cls) -> "BaselineTagger":
        from training.data import load_passages, repo_root, split_passages, taxonomy_categories

        passages = load_passages([repo_root() / "data" / "corpus" / "authored.jsonl"])
        return cls(taxonomy_categories()).fit(split_passages(passages)["train"])
