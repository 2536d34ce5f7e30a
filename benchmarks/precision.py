"""bf16 autocast against fp32 for the statement model: speed (A/B runs alternated, ranges printed),
agreement (statements identical in every field) and accuracy on the evaluation sets.

    python benchmarks/precision.py [--sections 256] [--threads 2] [--rounds 3] [--batch-size 16]

Sections are sections 五 and 六 of whole reports (the samples and, when present, the real seeds in
../shared/seeds), as the batch runs them. Accuracy: `nianbao evaluate`'s sets (real split when its page
cache is present, the real seed gold, the authored test split) for each precision.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.model_speed import report_sections  # noqa: E402

FIELDS = ("start", "end", "role", "categories", "specific", "status")


def main() -> int:
    import torch

    from inference.statements import DEFAULT_MODEL_DIR
    from model.tagger import StatementTagger

    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=str(DEFAULT_MODEL_DIR))
    ap.add_argument("--sections", type=int, default=256)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--no-eval", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    texts = report_sections(args.sections)
    tagger = StatementTagger.from_pretrained(args.model, batch_size=args.batch_size)
    print(f"{len(texts)} sections, mean {sum(map(len, texts)) / len(texts):.0f} chars, {args.threads} threads, "
          f"token budget {args.batch_size} x {tagger.config.max_length}")
    tagger.predict(texts[:8])
    times: dict[str, list[float]] = {"fp32": [], "bf16": []}
    preds = {}
    for _ in range(args.rounds):
        for name in ("fp32", "bf16"):
            tagger.bf16 = name == "bf16"
            t0 = time.perf_counter()
            preds[name] = tagger.predict(texts)
            times[name].append(time.perf_counter() - t0)
    for name, ts in times.items():
        print(f"  {name}: {len(texts) / max(ts):.1f}-{len(texts) / min(ts):.1f} sections/s ({min(ts):.2f}-{max(ts):.2f} s)")
    print(f"  bf16 speed-up: {min(times['fp32']) / min(times['bf16']):.2f}x (best runs), "
          f"{sorted(times['fp32'])[len(ts) // 2] / sorted(times['bf16'])[len(ts) // 2]:.2f}x (medians)")
    same = total = 0
    conf = 0.0
    for a, b in zip(preds["fp32"], preds["bf16"]):
        keyed = {tuple(getattr(s, f) if f != "categories" else tuple(s.categories) for f in FIELDS): s for s in b}
        total += max(len(a), len(b))
        for s in a:
            k = tuple(getattr(s, f) if f != "categories" else tuple(s.categories) for f in FIELDS)
            if k in keyed:
                same += 1
                conf = max(conf, abs(keyed[k].confidence - s.confidence))
    print(f"  agreement: {same} of {total} statements identical in every field "
          f"({100 * same / max(total, 1):.1f} %); largest confidence difference {conf:.4f}")
    if args.no_eval:
        return 0
    from training.evaluate import default_sets, evaluate_sets

    sets = default_sets()
    for name in ("fp32", "bf16"):
        tagger.bf16 = name == "bf16"
        metrics = evaluate_sets(lambda xs: [[s.to_dict() for s in ps] for ps in tagger.predict(xs)], sets)
        for set_name, m in metrics.items():
            print(f"  {name} {set_name:16s} span F1 {m['span_overlap50']['f1']:.3f}  role {m['role_accuracy']:.3f}  "
                  f"category micro-F1 {m['category_micro_f1']:.3f}  specific {m['specific_f1']:.3f}  status {m['status_f1']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
