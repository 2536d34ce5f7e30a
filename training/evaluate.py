"""Statement-level evaluation: spans, roles, categories, `specific`, `status`.

Matching: predictions and gold statements of a passage are paired one-to-one, greedily by overlap.
- exact: same (start, end);
- overlap: |intersection| / max(|pred|, |gold|) >= 0.5.
Role accuracy, category and attribute scores are computed on overlap-matched pairs. Category
micro/macro F1 is end-to-end: an unmatched gold statement counts its categories as misses, an
unmatched prediction its categories as false alarms.
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Callable, Iterable

OVERLAP = 0.5
SHORT = 6  # a predicted statement shorter than this is a fragment (issue target: none)


def _overlap(a: dict, b: dict) -> float:
    inter = min(a["end"], b["end"]) - max(a["start"], b["start"])
    if inter <= 0:
        return 0.0
    return inter / max(a["end"] - a["start"], b["end"] - b["start"])


def match(gold: list[dict], pred: list[dict], threshold: float = OVERLAP) -> list[tuple[int, int]]:
    pairs = sorted(
        ((_overlap(g, p), gi, pi) for gi, g in enumerate(gold) for pi, p in enumerate(pred)),
        reverse=True,
    )
    used_g, used_p, out = set(), set(), []
    for ov, gi, pi in pairs:
        if ov < threshold:
            break
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        out.append((gi, pi))
    return out


def _inside(a: dict, b: dict) -> float:
    """Share of a's characters that lie inside b."""
    inter = min(a["end"], b["end"]) - max(a["start"], b["start"])
    return max(inter, 0) / max(a["end"] - a["start"], 1)


ERROR_KINDS = ("joined", "joined_gold", "split", "split_pred", "missed", "spurious", "start_early", "start_late",
               "end_early", "end_late", "role", "category_wrong", "category_missing", "category_extra", "category_mixed")


def error_kinds(gold: list[dict], pred: list[dict], pairs: list[tuple[int, int]]) -> tuple[Counter, Counter]:
    """What went wrong in one passage, by the kinds issue 9 names (counts, no text), and the category
    confusions (gold -> predicted) of matched statements whose category sets share nothing.
    - joined: a prediction holding at least half of each of two or more gold statements (a clause list read as
      one); joined_gold counts the gold statements beyond the first. split / split_pred: the converse.
    - missed / spurious: a gold statement no prediction touches / a prediction touching no gold statement.
    - start_early ... end_late: edges of overlap-matched, not exact pairs (an early start keeps a lead-in or
      marker, a late end a tail).
    - role; category_wrong (sets disjoint), category_missing (prediction a proper subset), category_extra
      (a proper superset), category_mixed (some shared, some not), on matched problem/remedy pairs."""
    kinds, confusions = Counter(), Counter()
    # the same count both ways: predictions over gold (joined / spurious), gold over predictions (split / missed)
    for outer, inner, many, more, alone in ((pred, gold, "joined", "joined_gold", "spurious"),
                                            (gold, pred, "split", "split_pred", "missed")):
        for o in outer:
            held = sum(1 for i in inner if _inside(i, o) >= OVERLAP)
            if held >= 2:
                kinds[many] += 1
                kinds[more] += held - 1
            if not any(_inside(o, i) > 0 for i in inner):
                kinds[alone] += 1
    for gi, pi in pairs:
        g, p = gold[gi], pred[pi]
        kinds["start_early"] += p["start"] < g["start"]
        kinds["start_late"] += p["start"] > g["start"]
        kinds["end_early"] += p["end"] < g["end"]
        kinds["end_late"] += p["end"] > g["end"]
        if g["role"] != p["role"]:
            kinds["role"] += 1
            continue
        gc, pc = set(g.get("categories") or []), set(p.get("categories") or [])
        if not gc or not pc or gc == pc:
            continue
        if not gc & pc:
            kinds["category_wrong"] += 1
            confusions.update(f"{a}>{b}" for a in sorted(gc) for b in sorted(pc))
        elif pc < gc:
            kinds["category_missing"] += 1
        elif pc > gc:
            kinds["category_extra"] += 1
        else:
            kinds["category_mixed"] += 1
    return kinds, confusions


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def _binary_f1(pairs: list[tuple[bool, bool]]) -> float:
    tp = sum(1 for g, p in pairs if g and p)
    fp = sum(1 for g, p in pairs if not g and p)
    fn = sum(1 for g, p in pairs if g and not p)
    return _prf(tp, fp, fn)["f1"]


def _macro_f1(pairs: list[tuple[str, str | None]]) -> float:
    """Macro F1 over the classes present in gold or prediction (done / planned). F1 of `done` alone is
    undefined on real text, where nearly every remedy is planned."""
    classes = sorted({g for g, _ in pairs} | {p for _, p in pairs if p})
    if not classes:
        return 0.0
    return round(sum(_binary_f1([(g == c, p == c) for g, p in pairs]) for c in classes) / len(classes), 4)


def section5_points(text: str, statements: list[dict], rubric=None) -> dict[str, float]:
    """Points the rubric's statement parts (data/rubric.json, type `statements`) take from a section-五 passage
    whose statements are `statements`: what a user's rating would lose from these statements alone. A statement
    without a confidence (gold) counts as sure; predicted ones keep theirs, so uncertain ones are treated as the
    product treats them (需人工复核, the reading that costs the report less)."""
    from inference.report import Report, Section, Statement
    from inference.scoring import default_rubric, rate_report

    rubric = rubric or default_rubric()
    report = Report(source="evaluation", text=text, norm=text, sections=[Section(5, "", 0, 0, len(text))],
                    statements=[Statement.from_dict({"confidence": 1.0} | st | {"text": text[st["start"]:st["end"]], "section": 5})
                                for st in statements])
    # the whole rubric runs (the same caps as a user's rating); only the statement parts are read
    parts = rate_report(report, rubric).parts
    return {p["key"]: round(p["max"] - parts[p["key"]]["score"], 2) for p in rubric.parts if p["rule"]["type"] == "statements"}


def rating_agreement(gold_passages: list[dict], predictions: list[list[dict]]) -> dict:
    """How far the section-五 points of the rating move when the model's statements replace the gold ones:
    per section-五 passage (pages and seed passages of section 5), the points each statement part takes."""
    diffs, same, per_part = [], 0, Counter()
    for passage, pred in zip(gold_passages, predictions):
        if not passage.get("text") or passage.get("section", 5) != 5:
            continue
        gold_pts = section5_points(passage["text"], passage["statements"])
        pred_pts = section5_points(passage["text"], pred)
        diff = sum(pred_pts.values()) - sum(gold_pts.values())
        diffs.append(diff)
        same += abs(diff) < 1e-9
        per_part.update(k for k in gold_pts if abs(gold_pts[k] - pred_pts[k]) < 1e-9)
    n = len(diffs)
    if not n:
        return {}
    return {"passages": n, "same_points": same, "mean_abs_diff": round(sum(abs(d) for d in diffs) / n, 3),
            "mean_diff": round(sum(diffs) / n, 3), "part_same_share": {k: round(v / n, 3) for k, v in sorted(per_part.items())}}


def score(gold_passages: list[dict], predictions: list[list[dict]]) -> dict:
    """gold_passages[i]["statements"] vs predictions[i] (dicts with start/end/role/categories/...)."""
    n_gold = n_pred = exact_tp = overlap_tp = 0
    role_right = role_total = 0
    cat_tp: Counter = Counter()
    cat_fp: Counter = Counter()
    cat_fn: Counter = Counter()
    specific_pairs: list[tuple[bool, bool]] = []
    status_pairs: list[tuple[bool, bool]] = []
    set_counts = {"P": [0, 0, 0], "R": [0, 0, 0]}  # report-level category sets: tp, fp, fn
    short = 0
    kinds, confusions = Counter(), Counter()
    for passage, pred in zip(gold_passages, predictions):
        gold = passage["statements"]
        short += sum(1 for p in pred if p["end"] - p["start"] < SHORT)
        for fam, counts in set_counts.items():
            gs = {c for g in gold for c in g.get("categories") or [] if c.startswith(fam)}
            ps = {c for p in pred for c in p.get("categories") or [] if c.startswith(fam)}
            counts[0] += len(gs & ps)
            counts[1] += len(ps - gs)
            counts[2] += len(gs - ps)
        n_gold += len(gold)
        n_pred += len(pred)
        gold_keys = {(g["start"], g["end"]) for g in gold}
        exact_tp += sum(1 for p in pred if (p["start"], p["end"]) in gold_keys)
        pairs = match(gold, pred)
        overlap_tp += len(pairs)
        k, c = error_kinds(gold, pred, pairs)
        kinds.update(k)
        confusions.update(c)
        matched_g = {g for g, _ in pairs}
        matched_p = {p for _, p in pairs}
        for gi, pi in pairs:
            g, p = gold[gi], pred[pi]
            role_total += 1
            role_right += g["role"] == p["role"]
            gc, pc = set(g.get("categories") or []), set(p.get("categories") or [])
            for c in gc & pc:
                cat_tp[c] += 1
            for c in pc - gc:
                cat_fp[c] += 1
            for c in gc - pc:
                cat_fn[c] += 1
            specific_pairs.append((bool(g.get("specific")), bool(p.get("specific"))))
            if g["role"] == "remedy" and p["role"] == "remedy" and g.get("status"):
                status_pairs.append((g["status"], p.get("status")))
        for gi, g in enumerate(gold):
            if gi not in matched_g:
                for c in g.get("categories") or []:
                    cat_fn[c] += 1
        for pi, p in enumerate(pred):
            if pi not in matched_p:
                for c in p.get("categories") or []:
                    cat_fp[c] += 1
    labels = sorted(set(cat_tp) | set(cat_fp) | set(cat_fn))
    per_cat = {c: _prf(cat_tp[c], cat_fp[c], cat_fn[c]) | {"support": cat_tp[c] + cat_fn[c]} for c in labels}
    supported = [per_cat[c]["f1"] for c in labels if per_cat[c]["support"] > 0]
    micro = _prf(sum(cat_tp.values()), sum(cat_fp.values()), sum(cat_fn.values()))
    return {
        "passages": len(gold_passages),
        "gold_statements": n_gold,
        "predicted_statements": n_pred,
        "span_exact": _prf(exact_tp, n_pred - exact_tp, n_gold - exact_tp),
        "span_overlap50": _prf(overlap_tp, n_pred - overlap_tp, n_gold - overlap_tp),
        "role_accuracy": round(role_right / role_total, 4) if role_total else 0.0,
        "category_micro_f1": micro["f1"],
        "category_macro_f1": round(sum(supported) / len(supported), 4) if supported else 0.0,
        "per_category": per_cat,
        "specific_f1": _binary_f1(specific_pairs),
        "status_f1": _macro_f1(status_pairs),
        "category_set_f1": {fam: _prf(*c)["f1"] for fam, c in (("problems", set_counts["P"]), ("remedies", set_counts["R"]))},
        "short_predictions": short,
        "errors": {kind: kinds[kind] for kind in ERROR_KINDS} | {"confusions": dict(confusions.most_common())},
        "rating": rating_agreement(gold_passages, predictions),
    }


def evaluate_tagger(tagger, passages: list[dict]) -> dict:
    preds = tagger.predict([p["text"] for p in passages])
    return score(passages, [[s.to_dict() for s in ps] for ps in preds])


def evaluate_sets(predict: Callable[[list[str]], list[list[dict]]], sets: dict[str, list[dict]],
                  pool: tuple[str, ...] = ()) -> dict:
    """Each non-empty set scored alone; with `pool`, those of its sets that are present are also scored as one
    set, named "a+b" and listed first, from the same predictions (nothing is predicted twice)."""
    out, predictions = {}, {}
    for name, passages in sets.items():
        if passages:
            predictions[name] = predict([p["text"] for p in passages])
            out[name] = score(passages, predictions[name])
    pooled = [name for name in pool if name in predictions]
    if len(pooled) > 1:
        both = score([p for n in pooled for p in sets[n]], [q for n in pooled for q in predictions[n]])
        out = {"+".join(pooled): both} | out
    return out


def format_metrics(name: str, m: dict) -> str:
    lines = [
        f"== {name}: {m['passages']} passages, {m['gold_statements']} gold / {m['predicted_statements']} predicted statements",
        f"  span exact      P {m['span_exact']['precision']:.3f}  R {m['span_exact']['recall']:.3f}  F1 {m['span_exact']['f1']:.3f}",
        f"  span overlap50  P {m['span_overlap50']['precision']:.3f}  R {m['span_overlap50']['recall']:.3f}  F1 {m['span_overlap50']['f1']:.3f}",
        f"  role accuracy   {m['role_accuracy']:.3f}",
        f"  category F1     micro {m['category_micro_f1']:.3f}  macro {m['category_macro_f1']:.3f}",
        f"  specific F1     {m['specific_f1']:.3f}   status F1 {m['status_f1']:.3f}",
        f"  report-level category-set F1  problems {m['category_set_f1']['problems']:.3f}  remedies "
        f"{m['category_set_f1']['remedies']:.3f}   predictions under {SHORT} chars: {m['short_predictions']}",
        "  per category    " + "  ".join(f"{c}:{v['f1']:.2f}({v['support']})" for c, v in m["per_category"].items()),
    ]
    e = m.get("errors")
    if e:
        top = "  ".join(f"{k.replace('>', '→')} {n}" for k, n in list(e["confusions"].items())[:6])
        lines += [
            f"  errors          joined {e['joined']} (holding {e['joined_gold']} more gold)  split {e['split']} "
            f"(into {e['split_pred']} more)  missed {e['missed']}  spurious {e['spurious']}",
            f"                  edges: start early {e['start_early']} / late {e['start_late']}, end early "
            f"{e['end_early']} / late {e['end_late']}  role {e['role']}  categories: wrong {e['category_wrong']}, "
            f"one missing {e['category_missing']}, one extra {e['category_extra']}, mixed {e['category_mixed']}",
            f"  confusions      {top or '-'}",
        ]
    r = m.get("rating")
    if r:
        parts = "  ".join(f"{k} {v:.2f}" for k, v in r["part_same_share"].items())
        lines.append(f"  rating (section-五 statement parts, model vs gold statements): same points on {r['same_points']} of "
                     f"{r['passages']} passages, mean |difference| {r['mean_abs_diff']:.2f} points (model minus gold "
                     f"{r['mean_diff']:+.2f}); same per part: {parts}")
    return "\n".join(lines)


# -- evaluation sets ------------------------------------------------------------------------------------
def default_sets(data: Iterable[str] | None = None, split: str = "test", seeds_dir: str | None = None) -> dict:
    """Real text first: the frozen real split (when its page cache is present), the real seed gold, then
    the frozen authored split."""
    from training.data import load_passages, repo_root, split_passages
    from training.real import load_real

    root = repo_root()
    sets: dict[str, list[dict]] = {}
    real = load_real(None if split == "all" else split)
    if real:
        sets[f"real:{split}"] = real
    else:
        print("真实标注集不可用（网页摘录缓存缺失），只评估种子与自编语料", file=sys.stderr)
    paths = list(data) if data else [str(root / "data" / "corpus" / "authored.jsonl")]
    passages = load_passages(paths)
    seeds = Path(seeds_dir) if seeds_dir else root.parent / "shared" / "seeds"
    if seeds.is_dir():
        from training.corpus import load_gold

        sets["seed_gold"] = load_gold(seeds)
    sets[f"authored:{split}"] = split_passages(passages)[split]
    return sets


def add_arguments(parser) -> None:
    parser.add_argument("--model", default=None, help="model directory (default: the shipped model/default)")
    parser.add_argument("--data", nargs="*", default=None, help="labelled JSONL (default: data/corpus/authored.jsonl)")
    parser.add_argument("--split", default="test", choices=["train", "dev", "test", "all"])
    parser.add_argument("--seeds", default=None, help="folder of the real seed reports (default ../shared/seeds)")
    parser.add_argument("--baseline", action="store_true", help="evaluate the TF-IDF baseline instead")
    parser.add_argument("--quantize", action="store_true", help="int8 dynamic quantisation")
    parser.add_argument("--json", dest="json_out", default=None, help="also write metrics to this file")


def run(args) -> int:
    sets = default_sets(args.data, args.split, args.seeds)
    if args.baseline:
        from training.baseline import BaselineTagger

        predictor = BaselineTagger.train_default().predict_dicts
    else:
        from inference.statements import load_model

        tagger = load_model(args.model, quantize=args.quantize)
        predictor = lambda texts: [[s.to_dict() for s in ps] for ps in tagger.predict(texts)]  # noqa: E731
    metrics = evaluate_sets(predictor, sets)
    for name, m in metrics.items():
        print(format_metrics(name, m))
    from training.real import load_real

    real_pages = load_real(quiet=True)
    if real_pages:
        loc = locate_sections(real_pages)
        metrics["real_located"] = loc
        print(f"== section 五 located on {loc['located']} of {loc['pages']} real pages ({loc['rate']:.3f}); "
              f"by layout {loc['by_layout']}")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


# -- finding the text ----------------------------------------------------------------------------------
def locate_sections(real_passages: list[dict]) -> dict:
    """How often the reader hands the statement model the problems/remedies text of a real page: the page
    excerpt is read as a TXT report, and the passage counts as located when the bodies the statements
    stage reads (`inference.statements.section_passages`) cover at least half of it."""
    import tempfile

    from inference.pipeline import read_report
    from inference.statements import section_passages

    located, by_layout, missed = 0, Counter(), []
    with tempfile.TemporaryDirectory() as tmp:
        for i, p in enumerate(real_passages):
            f = Path(tmp) / f"{i}.txt"
            f.write_text(p["page_text"], encoding="utf-8")
            try:
                report = read_report(f)
                bodies = [(off, off + len(body)) for _, off, body in section_passages(report)]
            except Exception:  # noqa: BLE001 - an unreadable page counts as not located
                bodies = []
            ps, pe = p["passage_start"], p["passage_end"]
            covered = sum(max(0, min(pe, e) - max(ps, s)) for s, e in bodies)
            ok = covered * 2 >= pe - ps
            located += ok
            by_layout[(p["layout"], ok)] += 1
            if not ok:
                missed.append(p["id"])
    layouts = sorted({k for k, _ in by_layout})
    return {"pages": len(real_passages), "located": located,
            "rate": round(located / len(real_passages), 4) if real_passages else 0.0,
            "by_layout": {k: f"{by_layout[(k, True)]}/{by_layout[(k, True)] + by_layout[(k, False)]}" for k in layouts},
            "missed": missed}


# -- agreement of two annotators on real pages ------------------------------------------------------------
def _agreement_row(gold: list[dict], pred: list[list[dict]]) -> dict[str, Any]:
    m = score(gold, pred)
    return {"passages": len(gold), "statements_first": m["gold_statements"], "statements_second": m["predicted_statements"],
            "span_overlap50_f1": m["span_overlap50"]["f1"], "span_exact_f1": m["span_exact"]["f1"],
            "role_accuracy": m["role_accuracy"], "category_micro_f1": m["category_micro_f1"],
            "category_set_f1_problems": m["category_set_f1"]["problems"],
            "category_set_f1_remedies": m["category_set_f1"]["remedies"],
            "specific_f1": m["specific_f1"], "status_f1": m["status_f1"]} | (
            {"rating_passages": m["rating"]["passages"], "rating_same_points": m["rating"]["same_points"],
             "rating_mean_abs_diff": m["rating"]["mean_abs_diff"]}
            if m.get("rating") else {})


def seed_agreement(seeds_dir: Path | None = None) -> dict[str, Any]:
    """The seed gold against a blind second pass over the same passages (`data/gold/second_seeds.jsonl`,
    labelled from the guideline alone, without the gold or any model output). Empty without the seeds."""
    from training.corpus import DEFAULT_SEEDS_DIR, GOLD_PATH, load_gold

    seeds_dir = Path(seeds_dir or DEFAULT_SEEDS_DIR)
    second_path = GOLD_PATH.parent / "second_seeds.jsonl"
    if not seeds_dir.is_dir() or not second_path.is_file():
        return {}
    second = {p["id"]: p for p in load_gold(seeds_dir, second_path)}
    gold = [p for p in load_gold(seeds_dir) if p["id"] in second]
    return {"seeds: gold vs second_seeds": _agreement_row(gold, [second[p["id"]]["statements"] for p in gold])}


def real_agreement(real_dir: Path | None = None) -> dict[str, Any]:
    """First pass vs every second pass (`second_<annotator>.jsonl`) on the pages both labelled, with the
    evaluation scorer (first pass as reference): span F1, role accuracy, category micro-F1, report-level
    category-set F1, specific and status F1."""
    from training.real import REAL_DIR, cached_text, read_records, to_project

    real_dir = real_dir or REAL_DIR
    first = {r["sha1"]: r for r in read_records()}
    out: dict[str, Any] = {}
    for path in sorted(real_dir.glob("second_*.jsonl")):
        gold, pred = [], []
        for r in read_records([path]):
            ref = first.get(r["sha1"])
            if ref is None or cached_text(r["sha1"]) is None:
                continue
            # both passes on the first pass's passage, so the rating parts read the same text
            passage = to_project(ref, cached_text(r["sha1"]))
            ps, n = ref["passage_start"], len(passage["text"])
            gold.append(passage)
            pred.append([st | {"start": st["start"] - ps, "end": st["end"] - ps} for st in r["statements"]
                         if st["start"] >= ps and st["end"] - ps <= n])
        if not gold:
            continue
        out[f"real: first pass vs {path.stem}"] = _agreement_row(gold, pred)
    return out
