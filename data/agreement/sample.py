"""Draw the double-labelling sample (deterministic): 60 passages from each writer file.

writer_a holds section 5 only, so all 60 come from 5; writer_b is stratified as 30 from
section 5, 15 from section 1 and 15 from section 6. Only passage metadata is read here.
Writes data/agreement/sample_ids.json. Run: python data/agreement/sample.py
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
    res = draw()
    (HERE / "sample_ids.json").write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(sum(len(v) for v in res["ids"].values()), "ids")
