"""Inter-annotator agreement: writers' labels (first pass) vs the independent second pass.

first pass  = the sampled passages of data/corpus/src/writer_{a,b}.jsonl converted with
              training.corpus.convert_authoring (kept in memory only: `nianbao data card` already
              compares every data/agreement/*.jsonl file with the corpus labels of the same ids)
second pass = data/agreement/second_pass.jsonl (built by build_second_pass.py)

All span matching is done by training.corpus.agreement (one-to-one, overlap >= 50 % of the longer
span). Per-category, per-role and status breakdowns reuse that same matching: the passages are
copied with the `categories` field replaced by an indicator, so that the category micro counts
of agreement() count exactly the matched pairs of interest.

Writes data/agreement/agreement.json. Run: python data/agreement/compute_agreement.py
"""
from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from training import corpus as C  # noqa: E402

SAMPLE_PATH = HERE / "sample_ids.json"
SECOND_PATH = HERE / "second_pass.jsonl"
OUT_PATH = HERE / "agreement.json"
ROLES = ("problem", "remedy", "other")
STATUSES = ("done", "planned")


def first_pass(sample_path: Path = SAMPLE_PATH, src_dir: Path = C.SRC_DIR) -> list[dict[str, Any]]:
    ids_by_file = json.loads(sample_path.read_text(encoding="utf-8"))["ids"]
    tax = C.load_taxonomy()
    out = []
    for name, ids in ids_by_file.items():
        want = set(ids)
        got = {}
        for _, obj, err in C.read_jsonl(src_dir / f"{name}.jsonl"):
            if err is None and obj.get("id") in want:
                p = C.convert_authoring(obj)
                p["style"] = tax.canonical_style(p["style"])
                got[p["id"]] = p
        out += [got[i] for i in ids]
    return out


def _relabel(passages: list[dict[str, Any]], fn: Callable[[dict[str, Any]], list[str]]) -> list[dict[str, Any]]:
    out = copy.deepcopy(passages)
    for p in out:
        for s in p["statements"]:
            s["categories"] = fn(s)
    return out


def _matched_count(a: list[dict], b: list[dict], fa: Callable[[dict], bool], fb: Callable[[dict], bool]) -> int:
    """Number of overlap-matched pairs (x, y) with fa(x) and fb(y)."""
    ra = _relabel(a, lambda s: ["x"] if fa(s) else [])
    rb = _relabel(b, lambda s: ["x"] if fb(s) else [])
    return C.agreement(ra, rb)["category_micro"]["tp"]


def per_category(a: list[dict], b: list[dict]) -> dict[str, dict[str, Any]]:
    tax = C.load_taxonomy()
    res = {}
    for key in sorted(tax.categories):
        ra = _relabel(a, lambda s, k=key: [k] if k in s["categories"] else [])
        rb = _relabel(b, lambda s, k=key: [k] if k in s["categories"] else [])
        m = C.agreement(ra, rb)["category_micro"]
        n_a = sum(key in s["categories"] for p in a for s in p["statements"])
        n_b = sum(key in s["categories"] for p in b for s in p["statements"])
        if n_a or n_b:
            res[key] = {"name": tax.categories[key]["name"], "f1": m["f1"], "precision": m["precision"],
                        "recall": m["recall"], "tp": m["tp"], "fp": m["fp"], "fn": m["fn"],
                        "statements_a": n_a, "statements_b": n_b}
    return res


def confusion(a: list[dict], b: list[dict], field: str, values: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """Rows: first pass value, columns: second pass value, over overlap-matched pairs."""
    return {va: {vb: _matched_count(a, b, lambda s, v=va: s[field] == v, lambda s, v=vb: s[field] == v)
                 for vb in values} for va in values}


def summarize(a: list[dict], b: list[dict]) -> dict[str, Any]:
    r = C.agreement(a, b)
    return {
        "passages": r["passages"],
        "statements_first": r["statements_a"],
        "statements_second": r["statements_b"],
        "span_f1_exact": r["span_exact"]["f1"],
        "span_f1_overlap50": r["span_overlap"]["f1"],
        "matched": r["matched"],
        "role_accuracy": r["role_accuracy"],
        "category_micro_f1": r["category_micro"]["f1"],
        "specific_accuracy": r["specific_accuracy"],
        "specific_kappa": r["specific_kappa"],
        "status_accuracy": r["status_accuracy"],
    }


def compute(first: list[dict], second: list[dict]) -> dict[str, Any]:
    r = C.agreement(first, second)
    ids = {p["id"] for p in second}
    first = [p for p in first if p["id"] in ids]
    sec_of = {p["id"]: p["section"] for p in first}
    subsets = {
        "writer_a": lambda pid: pid.startswith("wa-"),
        "writer_b": lambda pid: pid.startswith("wb-"),
        "section_5": lambda pid: sec_of[pid] == 5,
        "section_1_6": lambda pid: sec_of[pid] in (1, 6),
    }
    by_subset = {name: summarize([p for p in first if f(p["id"])], [p for p in second if f(p["id"])])
                 for name, f in subsets.items()}
    return {
        "annotators": {"first": "writers (data/corpus/src/writer_a|b.jsonl, convert_authoring)",
                       "second": "independent second pass (data/agreement/second_pass.jsonl)"},
        "method": "training.corpus.agreement: exact = identical [start,end); overlap = one-to-one greedy "
                  "match with overlap >= 50% of the longer span; category/role/specific/status over "
                  "overlap-matched pairs; first pass is the reference (recall = share of first-pass "
                  "statements found by the second pass)",
        "passages": r["passages"],
        "statements": {"first": r["statements_a"], "second": r["statements_b"]},
        "span_exact": r["span_exact"],
        "span_overlap50": r["span_overlap"],
        "matched": r["matched"],
        "role_accuracy": r["role_accuracy"],
        "role_confusion_first_x_second": confusion(first, second, "role", ROLES),
        "category_micro": r["category_micro"],
        "per_category": per_category(first, second),
        "specific_accuracy": r["specific_accuracy"],
        "specific_kappa": r["specific_kappa"],
        "specific_confusion_first_x_second": {
            str(va).lower(): {str(vb).lower(): _matched_count(first, second, lambda s, v=va: s["specific"] is v,
                                                               lambda s, v=vb: s["specific"] is v)
                              for vb in (True, False)} for va in (True, False)},
        "status_accuracy": r["status_accuracy"],
        "status_confusion_first_x_second": confusion(first, second, "status", STATUSES),
        "by_subset": by_subset,
    }


def main() -> int:
    first = first_pass()
    second = C.read_passages([SECOND_PATH])
    res = compute(first, second)
    OUT_PATH.write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: res[k] for k in ("passages", "statements", "span_exact", "span_overlap50",
                                          "role_accuracy", "category_micro", "specific_kappa",
                                          "status_accuracy")}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
