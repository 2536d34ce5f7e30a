"""Print ONLY the concatenated text (and metadata) of the sampled passages, for blind labelling.
Labels in the source segments are never printed. Run: python data/agreement/show_texts.py [FROM TO]"""
from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "corpus" / "src"


def texts() -> list[dict]:
    sample = json.loads((HERE / "sample_ids.json").read_text(encoding="utf-8"))
    out = []
    for name, ids in sample["ids"].items():
        want = set(ids)
        with open(SRC / f"{name}.jsonl", encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                r = json.loads(line)
                if r["id"] in want:
                    out.append({"id": r["id"], "year": r["year"], "level": r["level"], "section": r["section"],
                                "style": r["style"], "text": "".join(s["text"] for s in r["segments"])})
    return out


if __name__ == "__main__":
    rows = texts()
    lo, hi = (int(sys.argv[1]), int(sys.argv[2])) if len(sys.argv) > 2 else (0, len(rows))
    for i, r in enumerate(rows[lo:hi], lo):
        print(f"=== [{i}] {r['id']} sec={r['section']} level={r['level']} style={r['style']} year={r['year']}")
        print(r["text"])
        print()
