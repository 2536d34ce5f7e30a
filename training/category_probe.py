"""Would a sentence-embedding category signal help on real text? A measurement, not a shipped component.

One logistic model per category is fitted on mean-pooled e5 features of the gold problem/remedy statements
(authored train split + real train split, real statements repeated `--real-weight` times), computed by the
first N layers of a base encoder (N = 0: the embedding layer alone, a bag of sub-word vectors). Its
probabilities replace a share of the lexical model's in the shipped tagger's category blend; spans and roles
stay the tagger's. Each (layers, share) is scored end to end on real dev, real test and the seed gold, and
the cost of the features is timed (ms per statement, 1 thread, bf16 where the CPU has it).

    python -m training.category_probe --base runs/base/e5-small-zh-L12 --layers 0 2 12 --share 0.35 0.5

The base is built offline by `nianbao base-model build --layers 12 --out runs/base/e5-small-zh-L12`.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np


class E5Features:
    """Mean-pooled, L2-normalised e5 features ("query: " prefix) from the first `layers` layers of `base`."""

    def __init__(self, base: str | Path, layers: int):
        import torch
        from transformers import AutoModel, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(str(base))
        self.model = AutoModel.from_pretrained(str(base), add_pooling_layer=False).eval()
        self.model.encoder.layer = self.model.encoder.layer[:layers]
        self.layers = layers
        self._torch = torch

    def __call__(self, texts: list[str], bf16: bool = False) -> np.ndarray:
        from model.base import e5_embed

        torch = self._torch
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # little padding per batch
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            feats = e5_embed(self.model, self.tokenizer, [texts[i] for i in order]).float().numpy()
        out = np.zeros_like(feats)
        out[order] = feats
        return out


class ProbeBlend:
    """Stands in for the tagger's lexical model: (1 - share) x lexical + share x the e5 logistic models."""

    def __init__(self, lexical, features: E5Features, classifiers: list, share: float):
        self.lexical, self.features, self.classifiers, self.share = lexical, features, classifiers, share
        self.categories, self.blend = lexical.categories, lexical.blend

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        lex = self.lexical.predict_proba(texts)
        if self.share == 0.0 or not len(texts):
            return lex
        x = self.features(list(texts))
        probe = np.stack([c.predict_proba(x)[:, 1] for c in self.classifiers], axis=1).astype(lex.dtype)
        return (1.0 - self.share) * lex + self.share * probe


def fit_classifiers(features: E5Features, categories: list[str], texts: list[str], labels: list[list[str]],
                    C: float = 4.0) -> list:
    from sklearn.linear_model import LogisticRegression

    x = features(texts)
    out = []
    for c in categories:
        y = np.array([c in ls for ls in labels])
        if y.all() or not y.any():
            raise ValueError(f"类别 {c} 在训练语句中只有一类样本，无法拟合")
        out.append(LogisticRegression(C=C, max_iter=3000, class_weight="balanced").fit(x, y))
    return out


def run(args) -> int:
    import torch

    from model.lexical import LexicalCategoryModel
    from model.tagger import StatementTagger
    from training.corpus import load_gold
    from training.data import load_passages, repo_root, split_passages
    from training.evaluate import evaluate_sets
    from training.real import load_real

    torch.set_num_threads(args.threads)
    root = repo_root()
    authored = split_passages(load_passages([str(root / "data" / "corpus" / "authored.jsonl")]))
    real_train = load_real("train")
    if not real_train:
        print("真实标注集不可用（网页摘录缓存缺失），无法测量", file=sys.stderr)
        return 1
    sets = {"real:dev": load_real("dev"), "real:test": load_real("test")}
    seeds = Path(args.seeds) if args.seeds else root.parent / "shared" / "seeds"
    if seeds.is_dir():
        sets["seed_gold"] = load_gold(seeds)
    from training.lexical import statement_examples

    a_texts, a_labels, _ = statement_examples(authored["train"])
    r_texts, r_labels, _ = statement_examples(real_train)
    texts = a_texts + r_texts * args.real_weight
    labels = a_labels + r_labels * args.real_weight
    lexical = LexicalCategoryModel.from_pretrained(args.model)
    if lexical is None:
        print(f"{args.model} 没有词汇类别模型（lexical.safetensors），无法比较", file=sys.stderr)
        return 1
    rows = []

    def measure(name: str, blend) -> None:
        tagger = StatementTagger.from_pretrained(args.model, lexical=blend, blend=lexical.blend)
        m = evaluate_sets(lambda ts: [[s.to_dict() for s in ps] for ps in tagger.predict(ts)], sets)
        row = {"probe": name}
        for k, v in m.items():
            row[k] = {"span": round(v["span_overlap50"]["f1"], 3), "category": round(v["category_micro_f1"], 3),
                      "sets": [round(v["category_set_f1"]["problems"], 3), round(v["category_set_f1"]["remedies"], 3)]}
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)

    measure("shipped (lexical model only)", lexical)
    from inference.statements import native_bf16

    for layers in args.layers:
        features = E5Features(args.base, layers)
        classifiers = fit_classifiers(features, lexical.categories, texts, labels, C=args.C)
        torch.set_num_threads(1)
        sample = (r_texts * 8)[:400]
        t0 = time.perf_counter()
        features(sample, bf16=native_bf16())
        ms = 1000 * (time.perf_counter() - t0) / len(sample)
        torch.set_num_threads(args.threads)
        print(f"e5 first {layers} layers: {ms:.2f} ms per statement (1 thread)", flush=True)
        for share in args.share:
            measure(f"e5 first {layers} layers, share {share}", ProbeBlend(lexical, features, classifiers, share))
            rows[-1]["ms_per_statement"] = round(ms, 2)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", default="runs/base/e5-small-zh-L12", help="base encoder folder (nianbao base-model build)")
    ap.add_argument("--model", default=str(Path(__file__).resolve().parents[1] / "model" / "default"),
                    help="statement model whose category blend is probed (default: the shipped one)")
    ap.add_argument("--layers", type=int, nargs="+", default=[0, 2, 12])
    ap.add_argument("--share", type=float, nargs="+", default=[0.35, 0.5])
    ap.add_argument("--C", type=float, default=4.0)
    ap.add_argument("--real-weight", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seeds", default=None, help="folder of the real seed reports (default ../shared/seeds)")
    ap.add_argument("--json", default=None, help="also write the rows to this file")
    return run(ap.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
