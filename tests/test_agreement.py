"""Double-labelling study (data/agreement/): sample, second pass built from quotes, agreement numbers."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from training import corpus as C

AGR = Path(__file__).resolve().parents[1] / "data" / "agreement"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"agreement_{name}", AGR / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def build():
    return _load("build_second_pass")


@pytest.fixture(scope="module")
def comp():
    return _load("compute_agreement")


@pytest.fixture(scope="module")
def second(build):
    return build.build()


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# --------------------------------------------------------------------------- sample


def test_sample_is_frozen_balanced_and_reproducible_where_sources_are_unchanged():
    """The sample is frozen in sample_ids.json. The section field of some writer_b passages was
    corrected after the draw, which changes the writer_b section-1/6 pools; the strata whose pools did
    not change (writer_a, writer_b section 5) must still come out of a fresh draw unchanged."""
    sample = _load("sample")
    frozen = json.loads((AGR / "sample_ids.json").read_text(encoding="utf-8"))
    assert frozen["seed"] == sample.SEED == 7
    drawn = sample.draw()
    assert drawn == sample.draw()  # deterministic
    ids = frozen["ids"]
    assert len(ids["writer_a"]) == 60 and len(ids["writer_b"]) == 60
    all_ids = ids["writer_a"] + ids["writer_b"]
    assert len(set(all_ids)) == 120
    sections = {p["id"]: p["section"] for name in ids for p in sample.meta(C.SRC_DIR / f"{name}.jsonl")}
    assert set(all_ids) <= set(sections)
    assert drawn["ids"]["writer_a"] == ids["writer_a"]
    n5 = sample.PLAN["writer_b"][5]
    assert drawn["ids"]["writer_b"][:n5] == ids["writer_b"][:n5]
    assert all(sections[i] == 5 for i in ids["writer_a"] + ids["writer_b"][:n5])
    assert all(sections[i] in (1, 6) for i in ids["writer_b"][n5:])
    assert sum(sections[i] in (1, 6) for i in all_ids) == 30


# --------------------------------------------------------------------------- second pass


def test_second_pass_validates():
    issues, n = C.validate_paths([AGR / "second_pass.jsonl"])
    assert issues == [], "\n".join(map(str, issues[:10]))
    assert n == 120


def test_second_pass_file_is_rebuilt_from_quotes(second):
    assert _read(AGR / "second_pass.jsonl") == second


def test_every_quote_maps_to_its_span(build, second):
    by_id = {p["id"]: p for p in second}
    quotes = build.read_quotes()
    assert {q["id"] for q in quotes} == set(by_id)
    n = 0
    for q in quotes:
        p = by_id[q["id"]]
        spans = {(s["start"], s["end"]) for s in p["statements"]}
        for lab in q["labels"]:
            occ = lab.get("occurrence", 1)
            start = build.find_occurrence(p["text"], lab["quote"], occ)
            assert start >= 0, (q["id"], lab["quote"])
            assert p["text"][start:start + len(lab["quote"])] == lab["quote"]
            assert (start, start + len(lab["quote"])) in spans
            n += 1
    assert n == sum(len(p["statements"]) for p in second)


def test_second_pass_text_equals_source_text(comp, second):
    first = {p["id"]: p for p in comp.first_pass()}
    for p in second:
        assert p["text"] == first[p["id"]]["text"]
        assert (p["year"], p["level"], p["section"]) == (first[p["id"]]["year"], first[p["id"]]["level"],
                                                        first[p["id"]]["section"])


def test_missing_quote_is_an_error(build, tmp_path):
    quotes = build.read_quotes()
    quotes[0]["labels"][0]["quote"] += "（不存在的文字）"
    bad = tmp_path / "quotes.jsonl"
    bad.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in quotes), encoding="utf-8")
    with pytest.raises(build.QuoteError, match="not found"):
        build.build(quotes_path=bad)


def test_missing_passage_and_unknown_id_are_errors(build, tmp_path):
    quotes = build.read_quotes()
    short = tmp_path / "short.jsonl"
    short.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in quotes[1:]), encoding="utf-8")
    with pytest.raises(build.QuoteError, match="without labels"):
        build.build(quotes_path=short)
    quotes[0]["id"] = "wa-9999"
    alien = tmp_path / "alien.jsonl"
    alien.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in quotes), encoding="utf-8")
    with pytest.raises(build.QuoteError, match="not in the sample"):
        build.build(quotes_path=alien)


def test_occurrence_picks_the_nth_match(build):
    text = "甲乙甲乙甲"
    assert build.find_occurrence(text, "甲", 1) == 0
    assert build.find_occurrence(text, "甲", 3) == 4
    assert build.find_occurrence(text, "甲", 4) == -1


# --------------------------------------------------------------------------- agreement


def test_agreement_json_is_reproducible(comp, second):
    on_disk = json.loads((AGR / "agreement.json").read_text(encoding="utf-8"))
    assert comp.compute(comp.first_pass(), second) == on_disk


def test_agreement_json_agrees_with_library(comp, second):
    on_disk = json.loads((AGR / "agreement.json").read_text(encoding="utf-8"))
    r = C.agreement(comp.first_pass(), second)
    assert on_disk["passages"] == r["passages"] == 120
    assert on_disk["statements"] == {"first": r["statements_a"], "second": r["statements_b"]}
    assert on_disk["span_exact"]["f1"] == r["span_exact"]["f1"]
    assert on_disk["span_overlap50"]["f1"] == r["span_overlap"]["f1"]
    assert on_disk["category_micro"]["f1"] == r["category_micro"]["f1"]
    # per-category and confusion counts are consistent with the micro totals
    pc = on_disk["per_category"]
    assert sum(v["tp"] for v in pc.values()) == r["category_micro"]["tp"]
    assert sum(v["fp"] for v in pc.values()) == r["category_micro"]["fp"]
    assert sum(v["fn"] for v in pc.values()) == r["category_micro"]["fn"]
    roles = on_disk["role_confusion_first_x_second"]
    assert sum(sum(row.values()) for row in roles.values()) == r["matched"]
    assert sum(roles[k][k] for k in roles) == round(r["role_accuracy"] * r["matched"])


def test_self_agreement_is_perfect(comp, second):
    res = comp.compute(second, second)
    assert res["span_exact"]["f1"] == 1.0 and res["category_micro"]["f1"] == 1.0
    assert all(v["f1"] == 1.0 for v in res["per_category"].values())
    assert res["role_accuracy"] == 1.0 and res["status_accuracy"] == 1.0


def test_breakdowns_detect_a_changed_label(comp, second):
    changed = json.loads(json.dumps(second))
    st = next(s for p in changed for s in p["statements"] if s["role"] == "problem")
    old = st["categories"][0]
    st["categories"] = ["P12" if old != "P12" else "P01"]
    res = comp.compute(second, changed)
    assert res["category_micro"]["f1"] < 1.0
    assert res["per_category"][old]["fn"] >= 1
