"""Build the second annotator's pass (project format) from quote-based labels.

Input
  data/agreement/sample_ids.json          the sampled passage ids (see sample.py)
  data/agreement/second_pass_quotes.jsonl one line per passage:
      {"id", "labels": [{"quote", "occurrence", "role", "categories", "specific", "status"?}]}
      `quote` is an exact substring of the passage text; `occurrence` (1-based, default 1)
      picks which occurrence. `status` is required for remedies and must be absent/null otherwise.
  data/corpus/src/<writer>.jsonl          only the passage TEXT and metadata are used
Output
  data/agreement/second_pass.jsonl        project format, statements sorted by start

Any quote that is not found (or an id that is not in the sample, or a sampled id without
labels) is an error: nothing is guessed or repaired. Run: python data/agreement/build_second_pass.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from training import corpus as C  # noqa: E402

SAMPLE_PATH = HERE / "sample_ids.json"
QUOTES_PATH = HERE / "second_pass_quotes.jsonl"
OUT_PATH = HERE / "second_pass.jsonl"
SRC_DIR = C.SRC_DIR
LABEL_KEYS = {"quote", "occurrence", "role", "categories", "specific", "status", "note"}


class QuoteError(ValueError):
    pass


def sample_ids(path: Path = SAMPLE_PATH) -> dict[str, list[str]]:
    return json.loads(path.read_text(encoding="utf-8"))["ids"]


def source_passages(ids_by_file: dict[str, list[str]], src_dir: Path = SRC_DIR) -> dict[str, dict[str, Any]]:
    """Metadata + concatenated text of the sampled passages (labels are dropped)."""
    out: dict[str, dict[str, Any]] = {}
    tax = C.load_taxonomy()
    for name, ids in ids_by_file.items():
        want = set(ids)
        for _, obj, err in C.read_jsonl(src_dir / f"{name}.jsonl"):
            if err is None and obj.get("id") in want:
                out[obj["id"]] = {
                    "id": obj["id"], "origin": "authored", "year": obj["year"], "level": obj["level"],
                    "section": obj["section"], "text": "".join(s["text"] for s in obj["segments"]),
                    "style": tax.canonical_style(obj["style"]),
                }
        missing = want - out.keys()
        if missing:
            raise QuoteError(f"{name}: sampled ids not found in source: {sorted(missing)}")
    return out


def find_occurrence(text: str, quote: str, occurrence: int) -> int:
    if not quote:
        raise QuoteError("empty quote")
    pos = -1
    for _ in range(occurrence):
        pos = text.find(quote, pos + 1)
        if pos < 0:
            break
    return pos


def quotes_to_statements(text: str, labels: list[dict[str, Any]], pid: str) -> list[dict[str, Any]]:
    stmts = []
    for k, lab in enumerate(labels):
        extra = set(lab) - LABEL_KEYS
        if extra:
            raise QuoteError(f"{pid} labels[{k}]: unknown keys {sorted(extra)}")
        occ = lab.get("occurrence", 1)
        if not isinstance(occ, int) or occ < 1:
            raise QuoteError(f"{pid} labels[{k}]: bad occurrence {occ!r}")
        start = find_occurrence(text, lab["quote"], occ)
        if start < 0:
            raise QuoteError(f"{pid} labels[{k}]: quote not found (occurrence {occ}): {lab['quote']!r}")
        stmts.append({
            "start": start,
            "end": start + len(lab["quote"]),
            "role": lab["role"],
            "categories": list(lab["categories"]),
            "specific": lab["specific"],
            "status": lab.get("status"),
        })
    stmts.sort(key=lambda s: (s["start"], s["end"]))
    return stmts


def read_quotes(path: Path = QUOTES_PATH) -> list[dict[str, Any]]:
    rows = []
    for line, obj, err in C.read_jsonl(path):
        if err is not None:
            raise QuoteError(f"{path}:{line}: bad JSON: {err}")
        rows.append(obj)
    return rows


def build(sample_path: Path = SAMPLE_PATH, quotes_path: Path = QUOTES_PATH,
          src_dir: Path = SRC_DIR) -> list[dict[str, Any]]:
    ids_by_file = sample_ids(sample_path)
    order = [i for ids in ids_by_file.values() for i in ids]
    src = source_passages(ids_by_file, src_dir)
    quotes = read_quotes(quotes_path)
    seen: set[str] = set()
    by_id = {}
    for q in quotes:
        pid = q.get("id")
        if pid not in src:
            raise QuoteError(f"quotes: id {pid!r} is not in the sample")
        if pid in seen:
            raise QuoteError(f"quotes: duplicate id {pid!r}")
        seen.add(pid)
        rec = dict(src[pid])
        rec["statements"] = quotes_to_statements(rec["text"], q["labels"], pid)
        by_id[pid] = rec
    missing = [i for i in order if i not in by_id]
    if missing:
        raise QuoteError(f"quotes: sampled ids without labels: {missing}")
    return [by_id[i] for i in order]


def main() -> int:
    try:
        recs = build()
    except QuoteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    C.write_jsonl(OUT_PATH, recs)
    issues, n = C.validate_paths([OUT_PATH])
    for i in issues:
        print(i, file=sys.stderr)
    print(f"{OUT_PATH.name}: {n} passages, {sum(len(r['statements']) for r in recs)} statements, "
          f"{len(issues)} validation issues")
    return 1 if issues else 0


if __name__ == "__main__":
    sys.exit(main())
