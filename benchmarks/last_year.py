"""How the `last_year` rule's wording match behaves (issue 12, "last year's problems").

1. Threshold: on the authored corpus (data/corpus/authored.jsonl), the share of (problem, remedy) pairs from
   *different* passages whose categories the taxonomy does not pair that still reach the rubric's
   `overlap_threshold` (a wording match where there is none: false matches), against the share for the
   problem's paired remedies of the same passage (answers written right under the problem).
2. Model: the authored pair of tests/test_last_year.py (one unit, 2022 and 2023) scored with the shipped
   statement model (or --model DIR): last year's problems and what the rule says about each, for the 2023
   report that answers them and for the one that ignores them.

    python benchmarks/last_year.py [--model DIR] [--skip-model]
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def threshold_table(rule: dict, seed: int = 0, unrelated_pairs: int = 20000) -> None:
    from inference import rules
    from inference.last_year import overlap

    pairs = {k: set(c.remedies) for k, c in rules.categories().items() if c.role == "problem"}
    generic = tuple(rule.get("generic_terms", []))
    problems, remedies, paired = [], [], []
    with (ROOT / "data" / "corpus" / "authored.jsonl").open(encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            r = json.loads(line)
            st = [dict(s, text=r["text"][s["start"]:s["end"]], passage=i) for s in r.get("statements", [])]
            ps = [s for s in st if s["role"] == "problem"]
            rs = [s for s in st if s["role"] == "remedy"]
            problems += ps
            remedies += rs
            for p in ps:
                want = set().union(*(pairs.get(c, set()) for c in p["categories"])) if p["categories"] else set()
                paired += [(p, x) for x in rs if want & set(x["categories"])]
    rng = random.Random(seed)
    unrelated = []
    while len(unrelated) < unrelated_pairs:
        p, x = rng.choice(problems), rng.choice(remedies)
        want = set().union(*(pairs.get(c, set()) for c in p["categories"])) if p["categories"] else set()
        if p["passage"] != x["passage"] and not want & set(x["categories"]):
            unrelated.append((p, x))
    print(f"authored corpus: {len(problems)} problems, {len(remedies)} remedies; "
          f"{len(paired)} same-passage paired pairs, {len(unrelated)} unrelated pairs (other passage, unpaired categories)")
    print("threshold  unrelated ≥ t (false matches)   same-passage paired ≥ t")
    scores_u = [overlap(p["text"], x["text"], generic) for p, x in unrelated]
    scores_p = [overlap(p["text"], x["text"], generic) for p, x in paired]
    for t in (0.2, 0.3, 0.4, 0.5, 0.6):
        fu = sum(s >= t for s in scores_u) / len(scores_u)
        fp = sum(s >= t for s in scores_p) / max(1, len(scores_p))
        mark = "  <- rubric" if abs(t - float(rule["overlap_threshold"])) < 1e-9 else ""
        print(f"  {t:.1f}      {fu:8.2%}                       {fp:8.2%}{mark}")


def model_run(model: str | None) -> None:
    from inference.batch import score_batch
    from tests.test_last_year import ADDRESSED_FIVE, PREV_FIVE, YEAR, write_report

    for label, five in (("answers last year's problems", ADDRESSED_FIVE), ("ignores them (sample's own section 五)", None)):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            write_report(tmp / "in" / "2022.txt", YEAR - 1, PREV_FIVE)
            write_report(tmp / "in" / "2023.txt", YEAR, five)
            res = score_batch([tmp / "in"], tmp / "out", model=model, progress=False, workers=0)
            now = next(r for r in res.results if r["source"].endswith("2023.txt"))
            part = now["score"]["parts"]["last_year"]
            print(f"\n2023 report that {label}: last_year {part['score']:g}/{part['max']:g}")
            for p in (now["batch"]["last_year"] or {}).get("problems", []):
                print(f"  last year's problem {p['categories']} conf {p['confidence']:.2f}: {p['text']}")
            for d in now["score"]["deductions"]:
                if d["part"] == "last_year":
                    print(f"  -{d['points']:g} [{d['check_id']}] {d['reason']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=None)
    ap.add_argument("--skip-model", action="store_true")
    args = ap.parse_args()
    from inference.scoring import default_rubric

    rule = next(p["rule"] for p in default_rubric().parts if p["key"] == "last_year")
    threshold_table(rule)
    if not args.skip_model:
        model_run(args.model)


if __name__ == "__main__":
    main()
