"""`python -m training.real_cli`: the real labelled set's procedures (see training/real.py, data/real/README.md):
check / import an annotator's quote labels, measure a model on newly imported pages before they are frozen
into the split (and before anyone tunes on them), list and fill missing cache entries, freeze the split,
validate, and compute the two-annotator agreement."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from training.evaluate import real_agreement, seed_agreement
from training.real import REAL_DIR, REAL_SPLIT_RATIOS, cache_dir, check, freeze_splits, missing, put, read_records, record_files, \
    validate_paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.real_cli", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("check", "import"):
        p = sub.add_parser(name)
        p.add_argument("annotator")
    p = sub.add_parser("measure", help="a model's scores on one annotator's pages (new pages: before the split)")
    p.add_argument("annotator", nargs="+")
    p.add_argument("--model", default=None, help="model directory (default: the shipped model)")
    sub.add_parser("missing", help="records whose excerpt is not cached, with the query that retrieves it")
    p = sub.add_parser("put", help="store one excerpt in the cache after checking its sha1")
    p.add_argument("url")
    p.add_argument("file", type=Path)
    sub.add_parser("split", help="freeze the real train/dev/test split (new records only)")
    sub.add_parser("validate")
    sub.add_parser("agreement", help="first vs second pass on real pages, and the seed gold vs its blind second pass; "
                                  "writes data/real/agreement.json")
    args = ap.parse_args(argv)
    if args.cmd == "agreement":
        result = real_agreement() | seed_agreement()
        (REAL_DIR / "agreement.json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return 0
    if args.cmd in ("check", "import"):
        return check(args.annotator, write=args.cmd == "import")
    if args.cmd == "measure":
        return measure(args.annotator, args.model)
    if args.cmd == "missing":
        rows = missing()
        for r in rows:
            print(json.dumps({"url": r["url"], "query": r["query"], "sha1": r["sha1"]}, ensure_ascii=False))
        print(f"{len(rows)} of {len(read_records())} excerpts missing from {cache_dir() / 'pages'}", file=sys.stderr)
        return 0
    if args.cmd == "put":
        print(put(args.url, args.file))
        return 0
    if args.cmd == "split":
        a = freeze_splits(read_records())
        print({s: sum(1 for v in a.values() if v == s) for s in REAL_SPLIT_RATIOS})
        return 0
    issues, n = validate_paths(record_files())
    for i in issues:
        print(i)
    print(f"{n} records, {len(issues)} problems")
    return 1 if issues else 0


def measure(annotators: list[str], model: str | None) -> int:
    """Score `model` on the cached pages of `annotators` (data/real/<annotator>.jsonl), whatever their split:
    run it when a batch of new pages arrives, before `split` and before any rule is looked at with them."""
    from inference.statements import load_model
    from training.evaluate import evaluate_tagger, format_metrics, locate_sections
    from training.real import cached_text, to_project

    paths = [REAL_DIR / f"{a}.jsonl" for a in annotators]
    absent = [str(p) for p in paths if not p.is_file()]
    if absent:
        print(f"没有这些标注文件：{'、'.join(absent)}", file=sys.stderr)
        return 2
    records = read_records(paths)
    passages = [to_project(r, text) for r in records if (text := cached_text(r["sha1"])) is not None]
    print(f"{len(records)} pages, {len(passages)} cached, {sum(len(p['statements']) for p in passages)} statements")
    if not passages:
        return 1
    located = locate_sections(passages)
    print(f"section 五 located on {located['located']} of {located['pages']} pages")
    print(format_metrics("+".join(annotators), evaluate_tagger(load_model(model), passages)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
