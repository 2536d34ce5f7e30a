"""Quick checks for data/corpus/src/writer_b.jsonl: parsing, fields, counts, near-duplicates.

Run: python data/corpus/authoring/writer_b/verify.py   (exit 1 on any hard error)
"""
from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[4]
SRC = REPO / "data" / "corpus" / "src" / "writer_b.jsonl"
LEVELS = {"省", "市", "县", "区", "乡镇", "街道", "部门", "开发区"}
STYLES = {"enumeration", "headed", "numbered", "prose", "mixed", "subparts"}
CATS = {f"P{i:02d}" for i in range(1, 13)} | {f"R{i:02d}" for i in range(1, 13)}
NUMBERING = re.compile(r"^\s*(\d+[.、]|[（(]\d+[)）]|[（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+是)")
END_PUNCT = "。；，、：;,:"


def main() -> int:
    errors: list[str] = []
    passages = []
    for ln, line in enumerate(SRC.read_text(encoding="utf-8").splitlines(), 1):
        try:
            p = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"line {ln}: bad json {e}")
            continue
        passages.append(p)
        pid = p.get("id", f"line{ln}")
        if set(p) != {"id", "year", "level", "section", "style", "segments"}:
            errors.append(f"{pid}: keys {sorted(p)}")
        if not isinstance(p.get("year"), int) or not 2008 <= p["year"] <= 2025:
            errors.append(f"{pid}: year")
        if p.get("level") not in LEVELS:
            errors.append(f"{pid}: level {p.get('level')}")
        if p.get("section") not in (1, 5, 6):
            errors.append(f"{pid}: section")
        if p.get("style") not in STYLES:
            errors.append(f"{pid}: style {p.get('style')}")
        segs = p.get("segments") or []
        if not any("role" in s for s in segs):
            errors.append(f"{pid}: no labelled statement")
        for s in segs:
            t = s.get("text")
            if not isinstance(t, str) or not t:
                errors.append(f"{pid}: empty segment")
                continue
            if "{" in t or "}" in t:
                errors.append(f"{pid}: leftover placeholder {t[:30]}")
            if "role" not in s:
                if set(s) != {"text"}:
                    errors.append(f"{pid}: connective with extra keys")
                continue
            role = s["role"]
            cats = s.get("categories")
            if role not in ("problem", "remedy", "other"):
                errors.append(f"{pid}: role {role}")
            if not isinstance(s.get("specific"), bool):
                errors.append(f"{pid}: specific missing")
            if role == "other":
                if cats != []:
                    errors.append(f"{pid}: other with categories")
            else:
                pre = "P" if role == "problem" else "R"
                if not cats or any(c not in CATS or not c.startswith(pre) for c in cats) or len(set(cats)) != len(cats):
                    errors.append(f"{pid}: bad categories {cats} for {role}")
            if role == "remedy" and s.get("status") not in ("done", "planned"):
                errors.append(f"{pid}: remedy status")
            if role != "remedy" and "status" in s:
                errors.append(f"{pid}: status on non-remedy")
            if t != "无" and (t[-1] in END_PUNCT or t[0] in END_PUNCT or t != t.strip()):
                errors.append(f"{pid}: statement edge punctuation/space: {t[:20]}…{t[-5:]}")
            if NUMBERING.match(t):
                errors.append(f"{pid}: statement starts with numbering: {t[:20]}")
    ids = [p["id"] for p in passages]
    if len(ids) != len(set(ids)):
        errors.append("duplicate ids")

    # counts
    sec = Counter(p["section"] for p in passages)
    role = Counter()
    cat = Counter()
    status = Counter()
    spec5 = Counter()
    style = Counter()
    level = Counter()
    n_stmt = 0
    for p in passages:
        style[(p["section"], p["style"])] += 1
        level[p["level"]] += 1
        for s in p["segments"]:
            if "role" not in s:
                continue
            n_stmt += 1
            role[(p["section"], s["role"])] += 1
            for c in s["categories"]:
                cat[c] += 1
            if s["role"] == "remedy":
                status[s["status"]] += 1
            if p["section"] == 5 and s["role"] != "other":
                spec5[s["specific"]] += 1
    print(f"passages: {len(passages)}  by section: {dict(sorted(sec.items()))}")
    print(f"labelled statements: {n_stmt}")
    print("roles by section:", dict(sorted(role.items())))
    print("status:", dict(status))
    print(f"section-5 P/R statements specific: {spec5[True]}  generic: {spec5[False]}  "
          f"({spec5[False] / max(1, sum(spec5.values())):.0%} generic)")
    print("levels:", dict(level))
    print("styles:", dict(sorted(style.items())))
    print("categories:", " ".join(f"{c}={cat[c]}" for c in sorted(CATS)))
    lens = sorted(len("".join(s["text"] for s in p["segments"])) for p in passages)
    print(f"passage length chars: min {lens[0]} median {lens[len(lens) // 2]} max {lens[-1]}")
    per = Counter(sum("role" in s for s in p["segments"]) for p in passages)
    print("statements per passage:", dict(sorted(per.items())))
    low = [c for c in sorted(CATS) if cat[c] < 45]
    if low:
        errors.append(f"categories under 45: {low}")
    if sec[5] < 300 or sec[1] + sec[6] < 170 or n_stmt < 2100:
        errors.append("volume targets not met")

    # statement reuse
    texts = Counter(s["text"] for p in passages for s in p["segments"] if "role" in s)
    over = [(t, n) for t, n in texts.items() if n > 3]
    print(f"statement texts used more than 3 times: {len(over)}")
    if over:
        errors.append(f"overused statements: {over[:5]}")

    # near duplicates: character 5-gram Jaccard
    gs = [{t[i:i + 5] for i in range(len(t) - 4)} for t in
          ("".join(s["text"] for s in p["segments"]) for p in passages)]
    worst, bad = 0.0, []
    for i in range(len(gs)):
        for j in range(i + 1, len(gs)):
            a, b = gs[i], gs[j]
            if not a or not b:
                jac = 1.0 if a == b else 0.0
            else:
                jac = len(a & b) / len(a | b)
            worst = max(worst, jac)
            if jac > 0.8:
                bad.append((passages[i]["id"], passages[j]["id"], round(jac, 2)))
    print(f"max pairwise 5-gram Jaccard: {worst:.2f}; pairs > 0.8: {len(bad)}")
    if bad:
        errors.append(f"near-duplicate passages: {bad[:5]}")

    for e in errors[:40]:
        print("ERROR", e)
    print("OK" if not errors else f"{len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
