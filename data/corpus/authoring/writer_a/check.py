"""Validate a labelled corpus file (default: data/corpus/src/writer_a.jsonl) and print counts.

Checks: every line parses; ids unique; year/level/section/style valid; segments well formed;
labelled segments carry role/categories/specific (+status for remedies) with keys matching the role;
spans do not start with an enumeration marker nor end with punctuation; no two passages share
more than 80% of their character 5-grams (containment: shared / smaller set).
Exit status 1 on any error.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[4]
DEFAULT = REPO / "data" / "corpus" / "src" / "writer_a.jsonl"
LEVELS = {"省", "市", "县", "区", "乡镇", "街道", "部门", "开发区"}
STYLES = {"enumeration", "headed", "numbered", "prose", "mixed"}
PKEYS = [f"P{i:02d}" for i in range(1, 13)]
RKEYS = [f"R{i:02d}" for i in range(1, 13)]
MARKER_RE = re.compile(r"^(?:[一二三四五六七八九十]+是|其[一二三四五六七八九十]+|首先|其次|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．])")
END_PUNCT = set("。；，、：;,.:！!？? \n\t")


def grams(text: str, n: int = 5) -> set[str]:
    return {text[i : i + n] for i in range(max(0, len(text) - n + 1))}


def main(path: Path) -> int:
    errors: list[str] = []
    recs = []
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            recs.append((no, json.loads(line)))
        except json.JSONDecodeError as e:
            errors.append(f"line {no}: bad JSON {e}")
    ids = Counter(r["id"] for _, r in recs)
    errors += [f"duplicate id {i}" for i, c in ids.items() if c > 1]
    role_n, cat_n, status_n, spec_n = Counter(), Counter(), Counter(), Counter()
    spec_role = Counter()
    style_n, level_n, year_n = Counter(), Counter(), Counter()
    lengths, per_passage = [], []
    texts = []
    for no, r in recs:
        where = f"line {no} ({r.get('id')})"
        for k in ("id", "year", "level", "section", "style", "segments"):
            if k not in r:
                errors.append(f"{where}: missing {k}")
        if not (2019 <= r.get("year", 0) <= 2025):
            errors.append(f"{where}: year {r.get('year')}")
        if r.get("level") not in LEVELS:
            errors.append(f"{where}: level {r.get('level')}")
        if r.get("style") not in STYLES:
            errors.append(f"{where}: style {r.get('style')}")
        if r.get("section") not in (5, 6):
            errors.append(f"{where}: section {r.get('section')}")
        style_n[r.get("style")] += 1
        level_n[r.get("level")] += 1
        year_n[r.get("year")] += 1
        nlab = 0
        for s in r.get("segments", []):
            t = s.get("text")
            if not isinstance(t, str) or not t:
                errors.append(f"{where}: empty segment text")
                continue
            if "role" not in s:
                extra = set(s) - {"text"}
                if extra:
                    errors.append(f"{where}: connective with fields {extra}")
                continue
            nlab += 1
            role = s["role"]
            cats = s.get("categories")
            if role not in ("problem", "remedy", "other"):
                errors.append(f"{where}: role {role}")
            if not isinstance(cats, list) or not isinstance(s.get("specific"), bool):
                errors.append(f"{where}: categories/specific malformed")
                continue
            if role == "problem" and (not cats or any(c not in PKEYS for c in cats)):
                errors.append(f"{where}: problem cats {cats}")
            if role == "remedy":
                if not cats or any(c not in RKEYS for c in cats):
                    errors.append(f"{where}: remedy cats {cats}")
                if s.get("status") not in ("done", "planned"):
                    errors.append(f"{where}: remedy status {s.get('status')}")
                status_n[s.get("status")] += 1
            elif "status" in s:
                errors.append(f"{where}: status on {role}")
            if role == "other" and cats:
                errors.append(f"{where}: other with cats {cats}")
            if len(set(cats)) != len(cats):
                errors.append(f"{where}: repeated category {cats}")
            if MARKER_RE.match(t):
                errors.append(f"{where}: span starts with a marker: {t[:20]}")
            if t[-1] in END_PUNCT or t[0] in END_PUNCT:
                errors.append(f"{where}: span has edge punctuation/space: {t[:12]}…{t[-8:]}")
            if re.search(r"[{}|]", t):
                errors.append(f"{where}: markup left in span: {t[:30]}")
            role_n[role] += 1
            cat_n.update(cats)
            spec_n[s["specific"]] += 1
            spec_role[(role, s["specific"])] += 1
        if nlab == 0:
            errors.append(f"{where}: no labelled statement")
        text = "".join(s.get("text", "") for s in r.get("segments", []))
        if re.search(r"[{}|]", text):
            errors.append(f"{where}: markup left in text")
        lengths.append(len(text))
        per_passage.append(nlab)
        texts.append((r.get("id"), grams(text)))
    # the same labelled span text should not recur more than 3 times
    span_n = Counter(s["text"] for _, r in recs for s in r.get("segments", []) if "role" in s)
    over = {k: v for k, v in span_n.items() if v > 3}
    errors += [f"span used {v} times: {k[:30]}" for k, v in over.items()]
    # near-duplicates
    dup = 0
    worst = (0.0, None, None)
    for i in range(len(texts)):
        ia, ga = texts[i]
        for j in range(i + 1, len(texts)):
            ib, gb = texts[j]
            if not ga or not gb:
                continue
            small = min(len(ga), len(gb))
            if small * 0.8 > len(ga) + len(gb):  # cannot happen; cheap guard
                continue
            ov = len(ga & gb) / small
            if ov > worst[0]:
                worst = (ov, ia, ib)
            if ov > 0.8:
                dup += 1
                errors.append(f"near-duplicate {ia} ~ {ib}: {ov:.2f}")
    n = sum(role_n.values())
    print(f"file: {path}")
    print(f"passages {len(recs)}  labelled statements {n}  errors {len(errors)}")
    print(f"roles {dict(role_n)}  remedy status {dict(status_n)}")
    print(f"specific {spec_n[True]} ({spec_n[True] / max(n, 1):.0%})  generic {spec_n[False]}")
    print(f"specific by role {dict(sorted(spec_role.items()))}")
    print("styles", dict(style_n), " levels", dict(level_n))
    print("years", dict(sorted(year_n.items())))
    lengths.sort()
    print(f"chars min {lengths[0]} median {lengths[len(lengths) // 2]} max {lengths[-1]};"
          f" statements/passage min {min(per_passage)} max {max(per_passage)}")
    print("per category:", " ".join(f"{k}={cat_n[k]}" for k in PKEYS + RKEYS))
    low = [k for k in PKEYS + RKEYS if cat_n[k] < 45]
    print(f"categories under 45: {low or 'none'}")
    print(f"most repeated span text: {span_n.most_common(1)[0][1]} times")
    print(f"max 5-gram containment between two passages: {worst[0]:.2f} ({worst[1]} ~ {worst[2]})")
    for e in errors[:40]:
        print("ERROR", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT))
