"""Fit the character n-gram category model (model/lexical.py) and choose its blend weight on real text.

Protocol: fit on the authored train split and the real train split (real statements weighted up, they are
few and they are what users send), choose C, the real weight and the blend on the real dev split alone. The real
test split and the seed gold are test sets (stop 24): this command neither scores nor prints them, and
`nianbao promote` looks at both once a candidate is chosen. `nianbao lexical --out DIR` writes the chosen model
into a model folder (a copy of --model; default under runs/); then `nianbao calibrate --model DIR` and
`nianbao promote`.
"""
from __future__ import annotations

import itertools
import json
import shutil
import sys
from pathlib import Path

from model.lexical import LexicalCategoryModel
from model.tagger import StatementTagger
from model.textnorm import simplified, without_glosses

GRID_C = (1.0, 4.0, 16.0)
GRID_REAL_WEIGHT = (1.0, 5.0, 20.0)
GRID_BLEND = (0.0, 0.2, 0.35, 0.5, 0.65, 0.8, 1.0)


def statement_examples(passages: list[dict], weight: float = 1.0) -> tuple[list[str], list[list[str]], list[float]]:
    """Problem / remedy statements as the tagger's category models read them: simplified characters, romanisation
    glosses cut out (model/tagger.py `predict`)."""
    texts, labels, weights = [], [], []
    for p in passages:
        view = simplified(p["text"])
        for st in p["statements"]:
            if st["role"] in ("problem", "remedy") and st.get("categories"):
                texts.append(without_glosses(view[st["start"] : st["end"]])[0])
                labels.append(list(st["categories"]))
                weights.append(weight)
    return texts, labels, weights


def fit(categories: list[str], authored: list[dict], real: list[dict], C: float, real_weight: float,
        blend: float = 0.5) -> LexicalCategoryModel:
    a = statement_examples(authored)
    r = statement_examples(real, real_weight)
    model = LexicalCategoryModel(categories, C=C, blend=blend)
    return model.fit(a[0] + r[0], a[1] + r[1], a[2] + r[2])


def selection_score(metrics: dict) -> float:
    """Span F1, category micro-F1 and the report-level category sets (what the rubric reads)."""
    sets = metrics["category_set_f1"]
    return (metrics["span_overlap50"]["f1"] + metrics["category_micro_f1"]
            + 0.5 * (sets["problems"] + sets["remedies"]) / 2)


def choose(results: list[tuple[float, float, float, float]]) -> tuple[float, float, float, float]:
    """(selection score, C, real weight, blend) rows -> the best score; ties go to more weight on the BERT head."""
    return max(results, key=lambda r: (r[0], r[3]))


def add_arguments(parser) -> None:
    from training.data import repo_root

    root = repo_root()
    parser.add_argument("--model", default=str(root / "model" / "default"),
                        help="model folder whose BERT category head is blended (default: the shipped model)")
    parser.add_argument("--out", default=str(root / "runs" / "lexical" / "model"),
                        help="model folder to write: a copy of --model with the chosen lexical model and its blend")
    parser.add_argument("--data", nargs="*", default=[],
                        help="newly labelled passages to fit on as well (project JSONL, Label Studio or doccano "
                             "exports, e.g. the service's reviewed.jsonl), weighted like the real train split")


def run(args) -> int:
    from training.data import load_passages, repo_root, split_passages
    from training.evaluate import evaluate_tagger, format_metrics
    from training.real import load_real, split_related

    root = repo_root()

    # never the real test split nor the seeds: both are test sets (see training/train.py report_sets)
    real_train, real_dev = load_real("train"), load_real("dev")
    # report pages only: related documents lowered real text when trained on (stop 24)
    real_train = split_related(real_train)[0]
    if not (real_train and real_dev):
        print("真实标注集缓存缺失：无法在真实文本上选择（python -m training.real_cli missing）", file=sys.stderr)
        return 2
    authored = split_passages(load_passages([root / "data" / "corpus" / "authored.jsonl"]))
    # users' newly labelled reports are real text: fitted with the real train split, never selected on
    real_train = real_train + (load_passages(args.data) if args.data else [])
    tagger = StatementTagger.from_pretrained(args.model, lexical=None)
    categories = tagger.categories

    results = []
    for C, rw in itertools.product(GRID_C, GRID_REAL_WEIGHT):
        lex = fit(categories, authored["train"], real_train, C, rw)
        for blend in GRID_BLEND:
            tagger.lexical, tagger.blend = lex, blend
            m = evaluate_tagger(tagger, real_dev)
            results.append((selection_score(m), C, rw, blend))
            print(f"C={C:<5} real×{rw:<5} blend={blend:<5} select={results[-1][0]:.4f} "
                  f"real:dev: cat {m['category_micro_f1']:.3f} span {m['span_overlap50']['f1']:.3f}", flush=True)
    _, C, rw, blend = choose(results)
    print(f"chosen: C={C} real×{rw} blend={blend}")
    lex = fit(categories, authored["train"], real_train, C, rw, blend)
    out = Path(args.out)
    if out.resolve() != Path(args.model).resolve():
        shutil.copytree(args.model, out, dirs_exist_ok=True)
    lex.save_pretrained(out)
    chosen = StatementTagger.from_pretrained(out)
    report = {"chosen": {"C": C, "real_weight": rw, "blend": blend}}
    for name, ps in {"real:dev": real_dev, "authored:test": authored["test"]}.items():
        if ps:
            base = evaluate_tagger(StatementTagger.from_pretrained(args.model, lexical=None), ps)
            new = evaluate_tagger(chosen, ps)
            report[name] = {"head_only": base, "blended": new}
            print(format_metrics(f"{name} head only", base))
            print(format_metrics(f"{name} blended", new))
    (out / "lexical_selection.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0
