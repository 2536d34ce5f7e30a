"""Seed gold: offsets map onto the real seed files; no seed text is stored in the repository."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from training import corpus as C

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
GOLD_DIR = C.DATA_DIR / "gold"

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds not available")


def gold_records() -> list[dict]:
    return [obj for _, obj, _ in C.read_jsonl(C.GOLD_PATH)]


def test_gold_validates_against_the_seed_files():
    issues, n = C.validate_paths([C.GOLD_PATH], seeds_dir=SEEDS)
    assert issues == [], [str(i) for i in issues]
    assert n == 10


def test_every_seed_has_sections_five_and_six():
    recs = gold_records()
    seeds = sorted(p.name for p in SEEDS.glob("*.txt"))
    assert sorted({(r["source"], r["section"]) for r in recs}) == sorted((s, k) for s in seeds for k in (5, 6))
    assert len({r["id"] for r in recs}) == len(recs)


def test_passages_are_section_bodies_and_spans_lie_inside():
    for r in gold_records():
        text = (SEEDS / r["source"]).read_text(encoding="utf-8")
        ps, pe = r["passage_start"], r["passage_end"]
        heading = "五" if r["section"] == 5 else "六"
        # the line before the passage is the section heading
        before = text[:ps].rstrip().rsplit("\n", 1)[-1]  # last non-blank line before the passage
        assert before.startswith(heading + "、"), (r["id"], before[:30])
        body = text[ps:pe]
        assert body.strip() == body and body
        assert not re.search(r"(?m)^[一二三四五六]、", body), r["id"]  # no other section heading inside
        assert r["statements"], r["id"]
        for st in r["statements"]:
            assert ps <= st["start"] < st["end"] <= pe
            span = text[st["start"]:st["end"]]
            assert span.strip() == span and span


def test_first_copy_only_in_seed_000():
    recs = [r for r in gold_records() if r["source"].startswith("000_")]
    text = (SEEDS / recs[0]["source"]).read_text(encoding="utf-8")
    second = [m.start() for m in re.finditer(r"(?m)^五、", text)]
    assert len(second) == 2  # the page really holds the report twice
    assert all(r["passage_end"] <= second[1] for r in recs)


def test_load_gold_rebases_offsets():
    passages = C.load_gold(SEEDS)
    assert len(passages) == 10
    by_id = {r["id"]: r for r in gold_records()}
    for p in passages:
        g = by_id[p["id"]]
        full = (SEEDS / g["source"]).read_text(encoding="utf-8")
        assert p["text"] == full[g["passage_start"]:g["passage_end"]]
        for st, gs in zip(p["statements"], sorted(g["statements"], key=lambda s: s["start"]), strict=True):
            assert p["text"][st["start"]:st["end"]] == full[gs["start"]:gs["end"]]
        assert C.validate_record(p, "gold", 1) == []
    roles = {s["role"] for p in passages for s in p["statements"]}
    assert roles == {"problem", "remedy", "other"}
    assert all(s["role"] == "other" for p in passages if p["section"] == 6 for s in p["statements"])


def test_no_seed_text_in_gold_or_data_docs():
    grams: set[str] = set()
    for f in SEEDS.glob("*.txt"):
        t = f.read_text(encoding="utf-8")
        grams.update(t[i:i + 20] for i in range(len(t) - 19))
    files = sorted(p for p in GOLD_DIR.rglob("*") if p.is_file())
    files += [C.DATA_DIR / "ANNOTATION.md", C.DATA_DIR / "taxonomy.json",
              C.DATA_DIR / "labelstudio_config.xml", C.SRC_DIR / "infra_examples.jsonl"]
    assert files
    for f in files:
        if not f.exists():
            continue
        raw = f.read_text(encoding="utf-8")
        # also check the decoded form of JSON strings (\\u escapes)
        texts = [raw]
        if f.suffix == ".jsonl":
            texts += [json.dumps(json.loads(l), ensure_ascii=False) for l in raw.splitlines() if l.strip()]
        for t in texts:
            hit = next((t[i:i + 20] for i in range(len(t) - 19) if t[i:i + 20] in grams), None)
            assert hit is None, f"{f} contains seed text: {hit!r}"


def test_load_gold_without_seeds_fails_clearly(tmp_path):
    from inference.errors import DataError

    with pytest.raises(DataError):
        C.load_gold(tmp_path / "missing")


def test_blind_second_pass_over_the_seeds_validates_and_its_agreement_is_the_one_on_disk():
    """data/gold/second_seeds.jsonl: the same ten passages labelled again from the guideline alone; the
    agreement it gives is what data/real/agreement.json (and so the model card) reports."""
    from training.evaluate import seed_agreement

    second = C.GOLD_PATH.parent / "second_seeds.jsonl"
    issues, n = C.validate_paths([second], seeds_dir=SEEDS)
    assert issues == [] and n == 10
    ids = lambda path: [json.loads(l)["id"] for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]
    assert ids(second) == ids(C.GOLD_PATH)
    on_disk = json.loads((C.DATA_DIR / "real" / "agreement.json").read_text(encoding="utf-8"))
    row = seed_agreement(SEEDS)["seeds: gold vs second_seeds"]
    assert row == on_disk["seeds: gold vs second_seeds"]
    assert row["statements_first"] == 50 and 0 < row["span_overlap50_f1"] <= 1
