"""Statement-model speed: sections/s (segmentation + classification in one pass) and statements/s,
fp32 vs int8 dynamic quantisation, on N CPU threads (default 2) and on a GPU when one is present.

    python benchmarks/model_speed.py [--model DIR] [--threads 2] [--sections 200]

Sections are real-sized free text: the section 五/六 passages of the authored corpus (test split first).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def sections(n: int) -> list[str]:
    rows = [json.loads(l) for l in (ROOT / "data" / "corpus" / "authored.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    texts = [r["text"] for r in rows if r["section"] in (5, 6)]
    return (texts * (n // max(1, len(texts)) + 1))[:n]


def report_sections(n: int) -> list[str]:
    """Sections 五 and 六 of whole reports: the authored samples and, when present, the real seeds."""
    from inference.batch import iter_files
    from inference.pipeline import read_report

    paths = [ROOT / "data" / "samples"] + ([ROOT.parent / "shared" / "seeds"] if (ROOT.parent / "shared" / "seeds").is_dir() else [])
    texts = []
    for f in iter_files(paths):
        report = read_report(f)
        texts += [report.section_text(k) for k in (5, 6) if report.section_text(k).strip()]
    return (texts * (n // max(1, len(texts)) + 1))[:n]


def bench(tagger, texts: list[str], repeats: int = 2) -> dict:
    tagger.predict(texts[:8])  # warm-up
    best = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        preds = tagger.predict(texts)
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    n_st = sum(len(p) for p in preds)
    chars = sum(len(t) for t in texts)
    return {"sections": len(texts), "statements": n_st, "chars": chars, "seconds": round(best, 3),
            "sections_per_s": round(len(texts) / best, 1), "statements_per_s": round(n_st / best, 1)}


def main() -> int:
    import torch

    from inference.statements import DEFAULT_MODEL_DIR
    from model.tagger import StatementTagger

    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=str(DEFAULT_MODEL_DIR))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--sections", type=int, default=200)
    ap.add_argument("--batch-size", type=int, default=16)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    for name, texts in (("corpus passages", sections(args.sections)), ("report sections", report_sections(args.sections))):
        print(f"model {args.model}; {name}: {len(texts)} sections, mean {sum(map(len, texts)) / len(texts):.0f} chars; "
              f"{args.threads} CPU threads")
        for quantize in (False, True):
            tagger = StatementTagger.from_pretrained(args.model, quantize=quantize, batch_size=args.batch_size)
            r = bench(tagger, texts)
            print(f"  cpu {'int8' if quantize else 'fp32'}: {r['sections_per_s']} sections/s, {r['statements_per_s']} statements/s "
                  f"({r['statements']} statements in {r['seconds']} s)")
    if torch.cuda.is_available():
        tagger = StatementTagger.from_pretrained(args.model, batch_size=64)
        tagger.model.to("cuda")
        r = bench(tagger, report_sections(args.sections))
        print(f"gpu {torch.cuda.get_device_name(0)} fp32: {r['sections_per_s']} sections/s, {r['statements_per_s']} statements/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
