"""Draw the double-labelling sample (deterministic): 60 passages from each writer file.

writer_a holds section 5 only, so all 60 come from 5; writer_b is stratified as 30 from
section 5, 15 from section 1 and 15 from section 6. Only passage metadata is read here.
Writes data/agreement/sample_ids.json. Run: python data/agreement/sample.py [--force]

The written file is the frozen sample of the study: the draw depends on the section metadata of
the writer files at draw time, so once labelled, the sample is never re-drawn implicitly
(without --force an existing, different sample_ids.json is left alone and reported).
"""
from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "corpus" / "src"
SEED = 7
PLAN = {  # file -> {section: count}
    "writer_a": {5: 60},
    "writer_b": {5: 30, 1: 15, 6: 15},
}


def meta(path: Path) -> list[dict]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                r = json.loads(line)
                out.append({k: r[k] for k in ("id", "section", "level", "style", "year")})
    return out


def draw() -> dict:
    rng = random.Random(SEED)
    picked: dict[str, list[str]] = {}
    for name, plan in PLAN.items():
        rows = meta(SRC / f"{name}.jsonl")
        ids: list[str] = []
        for section, n in plan.items():
            pool = sorted(r["id"] for r in rows if r["section"] == section)
            ids += sorted(rng.sample(pool, n))
        picked[name] = ids
    return {"seed": SEED, "plan": {k: {str(s): n for s, n in v.items()} for k, v in PLAN.items()},
            "ids": picked}


if __name__ == "__main__":
    import sys

    res = draw()
    out = HERE / "sample_ids.json"
    if out.is_file() and "--force" not in sys.argv:
        frozen = json.loads(out.read_text(encoding="utf-8"))
        same = frozen.get("ids") == res["ids"]
        print("frozen sample " + ("matches a fresh draw" if same else "differs from a fresh draw (kept; use --force)"))
        sys.exit(0)
    out.write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(sum(len(v) for v in res["ids"].values()), "ids")
