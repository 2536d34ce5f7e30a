"""Labelled corpus: validator, conversion, de-duplication, frozen split, loading, agreement, build."""
from __future__ import annotations

import copy
import json
import random
from collections import Counter
from pathlib import Path

import pytest

from inference.errors import DataError
from training import corpus as C
from training import data_cli

TEXT = "存在问题：一是政策解读形式单一；二是将开设解读专栏。"
#       0123456789...


def _span(text: str, needle: str) -> tuple[int, int]:
    s = text.index(needle)
    return s, s + len(needle)


def project_record(pid: str = "t-0001") -> dict:
    s1, e1 = _span(TEXT, "政策解读形式单一")
    s2, e2 = _span(TEXT, "将开设解读专栏")
    return {
        "id": pid, "origin": "authored", "year": 2023, "level": "县", "section": 5,
        "text": TEXT, "style": "enumeration",
        "statements": [
            {"start": s1, "end": e1, "role": "problem", "categories": ["P04"], "specific": False, "status": None},
            {"start": s2, "end": e2, "role": "remedy", "categories": ["R08"], "specific": False, "status": "planned"},
        ],
    }


def authoring_record(pid: str = "a-0001") -> dict:
    return {
        "id": pid, "year": 2023, "level": "县", "section": 5, "style": "enumeration",
        "segments": [
            {"text": "2023年仍存在不足：一是"},
            {"text": "政策解读形式较为单一", "role": "problem", "categories": ["P04"], "specific": False},
            {"text": "；二是"},
            {"text": "栏目更新不及时", "role": "problem", "categories": ["P03"], "specific": False},
            {"text": "。下一步将"},
            {"text": "每月检查一次栏目更新", "role": "remedy", "categories": ["R06"], "specific": True,
             "status": "planned"},
            {"text": "。"},
        ],
    }


def write_lines(path: Path, lines: list) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for x in lines:
            fh.write((x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n")
    return path


def issues_for(tmp_path: Path, bad, name: str = "x.jsonl") -> list[C.Issue]:
    """Line 1 = a valid record, line 2 blank, line 3 = the record under test."""
    path = write_lines(tmp_path / name, [project_record("ok-1"), "", bad])
    issues, _ = C.validate_paths([path])
    return issues


# --------------------------------------------------------------------------- validator


def test_valid_records_have_no_issues(tmp_path):
    path = write_lines(tmp_path / "ok.jsonl", [project_record("p1"), authoring_record("a1")])
    issues, n = C.validate_paths([path])
    assert issues == [] and n == 2


def _mut(fn):
    r = project_record("bad-1")
    fn(r)
    return r


def _set(path, value):
    def f(r):
        obj = r
        for k in path[:-1]:
            obj = obj[k]
        obj[path[-1]] = value
    return f


def _del(key):
    return lambda r: r.pop(key)


CASES = [
    ("bad json", '{"id": "x", "year": 2023', "(json)", "bad_json"),
    ("missing field", _mut(_del("year")), "year", "missing_field"),
    ("unknown field", _mut(_set(["colour"], "red")), "colour", "unknown_field"),
    ("end out of range", _mut(_set(["statements", 1, "end"], len(TEXT) + 3)), "statements[1].end",
     "offset_out_of_range"),
    ("negative start", _mut(_set(["statements", 0, "start"], -1)), "statements[0].start", "offset_out_of_range"),
    ("start >= end", _mut(_set(["statements", 0, "end"], 7)), "statements[0].start", "start_ge_end"),
    ("offset not int", _mut(_set(["statements", 0, "end"], "9")), "statements[0].end", "bad_offset"),
    ("overlap", _mut(_set(["statements", 1, "start"], 10)), "statements[1]", "overlap"),
    ("trailing whitespace", None, "statements[0].text", "span_whitespace"),
    ("end punctuation", _mut(_set(["statements", 0, "end"], TEXT.index("；") + 1)), "statements[0].text",
     "span_punctuation"),
    ("marker in span", _mut(_set(["statements", 0, "start"], TEXT.index("一是"))), "statements[0].text",
     "span_marker"),
    ("unknown role", _mut(_set(["statements", 0, "role"], "complaint")), "statements[0].role", "unknown_role"),
    ("unknown category", _mut(_set(["statements", 0, "categories"], ["P99"])), "statements[0].categories",
     "unknown_category"),
    ("category type vs role", _mut(_set(["statements", 0, "categories"], ["R04"])), "statements[0].categories",
     "category_role_mismatch"),
    ("other with category", _mut(lambda r: r["statements"][0].update(role="other")), "statements[0].categories",
     "category_role_mismatch"),
    ("problem without category", _mut(_set(["statements", 0, "categories"], [])), "statements[0].categories",
     "missing_category"),
    ("remedy without status", _mut(_set(["statements", 1, "status"], None)), "statements[1].status",
     "remedy_without_status"),
    ("bad status", _mut(_set(["statements", 1, "status"], "ongoing")), "statements[1].status", "bad_status"),
    ("status on problem", _mut(_set(["statements", 0, "status"], "done")), "statements[0].status",
     "status_on_non_remedy"),
    ("status key missing", _mut(lambda r: r["statements"][0].pop("status")), "statements[0].status",
     "missing_field"),
    ("specific not bool", _mut(_set(["statements", 0, "specific"], "yes")), "statements[0].specific",
     "bad_specific"),
    ("text mismatch", _mut(_set(["statements", 0, "text"], "别的文字")), "statements[0].text", "text_mismatch"),
    ("empty text", _mut(lambda r: r.update(text="  ", statements=[])), "text", "empty_text"),
    ("duplicate id", project_record("ok-1"), "id", "duplicate_id"),
    ("section 3", _mut(_set(["section"], 3)), "section", "bad_section"),
    ("year too early", _mut(_set(["year"], 2007)), "year", "bad_year"),
    ("year too late", _mut(_set(["year"], 2031)), "year", "bad_year"),
    ("year is string", _mut(_set(["year"], "2023")), "year", "bad_year"),
    ("unknown level", _mut(_set(["level"], "村")), "level", "bad_level"),
    ("unknown style", _mut(_set(["style"], "poem")), "style", "bad_style"),
    ("unknown origin", _mut(_set(["origin"], "web")), "origin", "bad_origin"),
    ("id with space", _mut(_set(["id"], "a b")), "id", "bad_id"),
]


def _whitespace_case():
    text = "存在问题：一是 政策解读形式单一；"
    r = project_record("bad-1")
    s = text.index(" ")
    r.update(text=text, statements=[{"start": s, "end": s + 9, "role": "problem", "categories": ["P04"],
                                     "specific": False, "status": None}])
    return r


@pytest.mark.parametrize("name,bad,field,code", CASES, ids=[c[0] for c in CASES])
def test_each_error_kind_is_reported_with_line_and_field(tmp_path, name, bad, field, code):
    if bad is None:
        bad = _whitespace_case()
    issues = issues_for(tmp_path, bad)
    assert issues, f"{name}: nothing reported"
    hits = [i for i in issues if i.code == code]
    assert hits, f"{name}: expected {code}, got {[str(i) for i in issues]}"
    assert hits[0].line == 3 and hits[0].field == field, str(hits[0])
    assert all(i.line == 3 for i in issues), [str(i) for i in issues]  # the valid line 1 stays clean


def test_all_problems_of_one_record_are_reported(tmp_path):
    r = project_record("bad-1")
    r["year"] = 1999
    r["section"] = 4
    r["statements"][0]["role"] = "nope"
    r["statements"][1]["status"] = None
    codes = {i.code for i in issues_for(tmp_path, r)}
    assert {"bad_year", "bad_section", "unknown_role", "remedy_without_status"} <= codes


def test_validator_does_not_modify_the_file(tmp_path):
    path = write_lines(tmp_path / "x.jsonl", [_mut(_set(["year"], 1900))])
    before = path.read_bytes()
    assert data_cli.main(["validate", str(path)]) == 1
    assert path.read_bytes() == before


def test_cli_validate_prints_every_issue_and_fails(tmp_path, capsys):
    path = write_lines(tmp_path / "x.jsonl", [_mut(_set(["year"], 1900)), _mut(_set(["section"], 2))])
    rc = data_cli.main(["validate", str(path)])
    out = capsys.readouterr().out
    assert rc == 1
    assert f"{path}:1: year: [bad_year]" in out
    assert f"{path}:2: section: [bad_section]" in out
    assert "bad-1" in out  # the duplicate id on line 2
    ok = write_lines(tmp_path / "ok.jsonl", [project_record("z")])
    assert data_cli.main(["validate", str(ok)]) == 0


def test_duplicate_id_across_files(tmp_path):
    a = write_lines(tmp_path / "a.jsonl", [project_record("same")])
    b = write_lines(tmp_path / "b.jsonl", [authoring_record("same")])
    issues, _ = C.validate_paths([a, b])
    assert [(Path(i.path).name, i.line, i.code) for i in issues] == [("b.jsonl", 1, "duplicate_id")]


AUTH_CASES = [
    ("label fields without role", lambda r: r["segments"][1].pop("role"), "segments[1].role", "missing_field"),
    ("empty segment", lambda r: r["segments"][2].update(text=""), "segments[2].text", "empty_text"),
    ("remedy without status", lambda r: r["segments"][5].pop("status"), "segments[5].status",
     "remedy_without_status"),
    ("status on problem", lambda r: r["segments"][1].update(status="done"), "segments[1].status",
     "status_on_non_remedy"),
    ("missing specific", lambda r: r["segments"][3].pop("specific"), "segments[3].specific", "missing_field"),
    ("unknown segment field", lambda r: r["segments"][0].update(colour=1), "segments[0].colour", "unknown_field"),
    ("segment whitespace", lambda r: r["segments"][3].update(text="栏目更新不及时 "), "segments[3].text",
     "span_whitespace"),
    ("segment marker", lambda r: r["segments"][3].update(text="二是栏目更新不及时"), "segments[3].text",
     "span_marker"),
    ("remedy with P key", lambda r: r["segments"][5].update(categories=["P03"]), "segments[5].categories",
     "category_role_mismatch"),
    ("no segments", lambda r: r.update(segments=[]), "segments", "bad_segments"),
]


@pytest.mark.parametrize("name,fn,field,code", AUTH_CASES, ids=[c[0] for c in AUTH_CASES])
def test_authoring_format_errors(tmp_path, name, fn, field, code):
    r = authoring_record("a-bad")
    fn(r)
    issues = issues_for(tmp_path, r)
    hits = [i for i in issues if i.code == code]
    assert hits and hits[0].field == field and hits[0].line == 3, [str(i) for i in issues]


def test_gold_format_checked_against_seed_file(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    body = "五、存在的主要问题及改进情况\n一是栏目更新慢；二是将每周更新。\n六、其他\n无\n"
    (seeds / "s.txt").write_text(body, encoding="utf-8")
    ps = body.index("一是")
    pe = body.index("\n六")
    s1, e1 = _span(body, "栏目更新慢")
    good = {"id": "g1", "origin": "seed", "source": "s.txt", "year": 2023, "level": "县", "section": 5,
            "style": "enumeration", "passage_start": ps, "passage_end": pe,
            "statements": [{"start": s1, "end": e1, "role": "problem", "categories": ["P03"],
                            "specific": False, "status": None}]}
    bad = copy.deepcopy(good)
    bad["id"] = "g2"
    bad["statements"][0]["end"] = e1 + 1  # takes the ；
    outside = copy.deepcopy(good)
    outside["id"] = "g3"
    outside["statements"][0].update(start=0, end=2)  # in the heading, before passage_start
    path = write_lines(tmp_path / "gold.jsonl", [good, bad, outside])
    issues, _ = C.validate_paths([path], seeds_dir=seeds)
    got = {(i.line, i.code) for i in issues}
    assert got == {(2, "span_punctuation"), (3, "offset_out_of_range")}, [str(i) for i in issues]
    g = C.read_passages([write_lines(tmp_path / "g.jsonl", [good])], seeds_dir=seeds)[0]
    st = g["statements"][0]
    assert g["text"] == body[ps:pe] and g["text"][st["start"]:st["end"]] == "栏目更新慢"


# --------------------------------------------------------------------------- conversion


def test_conversion_offsets_match_segments():
    rec = authoring_record()
    out = C.convert_authoring(rec)
    assert out["text"] == "".join(s["text"] for s in rec["segments"])
    labelled = [s for s in rec["segments"] if "role" in s]
    assert len(out["statements"]) == len(labelled) == 3
    for st, seg in zip(out["statements"], labelled, strict=True):
        assert out["text"][st["start"]:st["end"]] == seg["text"]
        assert st["role"] == seg["role"] and st["categories"] == seg["categories"]
        assert st["specific"] == seg["specific"]
        assert st["status"] == seg.get("status")
    assert out["statements"][0]["status"] is None and out["statements"][2]["status"] == "planned"
    assert out["origin"] == "authored"
    assert C.validate_record(out, "x", 1) == []


def test_conversion_of_adjacent_statements_and_unicode():
    rec = authoring_record()
    rec["segments"] = [
        {"text": "一是"},
        {"text": "“网上办”专栏𠀀字符缺失", "role": "problem", "categories": ["P07"], "specific": True},
        {"text": "信息发布滞后", "role": "problem", "categories": ["P03"], "specific": False},
    ]
    out = C.convert_authoring(rec)
    a, b = out["statements"]
    assert a["end"] == b["start"]  # touching is not overlapping
    assert out["text"][a["start"]:a["end"]] == "“网上办”专栏𠀀字符缺失"
    assert C.validate_record(out, "x", 1) == []


# --------------------------------------------------------------------------- de-duplication


def _passage(pid: str, text: str, cats=("P02",)) -> dict:
    return {"id": pid, "origin": "authored", "year": 2023, "level": "县", "section": 5, "text": text,
            "style": "prose",
            "statements": [{"start": 0, "end": len(text), "role": "problem", "categories": list(cats),
                            "specific": False, "status": None}]}


# a pool of distinct characters, so that n-gram overlap is controlled exactly
POOL = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]


def test_near_duplicate_decision_follows_the_stated_criterion():
    rng = random.Random(7)
    base = "".join(rng.sample(POOL, 150))
    passages = [_passage("base", base)]
    expected = {}
    for k in range(40):
        chars = list(base)
        for pos in rng.sample(range(len(chars)), rng.randint(0, 12)):
            chars[pos] = rng.choice(POOL)
        text = "".join(chars)
        pid = f"v{k}"
        passages.append(_passage(pid, text))
        expected[pid] = C.jaccard(C.shingles(base), C.shingles(text))
    # compare each variant with the base only (variants of one base could also match each other)
    for pid, j in expected.items():
        pair = [passages[0], next(p for p in passages if p["id"] == pid)]
        dropped = C.near_duplicates(pair)
        assert (len(dropped) == 1) == (j >= C.DEDUP_THRESHOLD), (pid, j, dropped)
    assert any(j >= 0.8 for j in expected.values()) and any(j < 0.8 for j in expected.values())


def test_dedupe_keeps_first_and_prefers_already_split():
    rng = random.Random(3)
    a = "".join(rng.sample(POOL, 80))
    b = a[:-1] + "。"  # near-duplicate
    c = "".join(rng.sample(POOL, 80))
    ps = [_passage("x1", a), _passage("x2", b), _passage("x3", c)]
    kept, dropped = C.dedupe(ps)
    assert [p["id"] for p in kept] == ["x1", "x3"] and dropped[0][:2] == ("x2", "x1")
    kept, dropped = C.dedupe(ps, prefer={"x2"})
    assert [p["id"] for p in kept] == ["x2", "x3"] and dropped[0][:2] == ("x1", "x2")


# --------------------------------------------------------------------------- splits


def _synthetic(n: int, start: int = 0, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    keys = [f"P{i:02d}" for i in range(1, 13)]
    weights = [36, 59, 51, 8, 3, 31, 41, 13, 10, 15, 5, 5]
    out = []
    for i in range(start, start + n):
        if rng.random() < 0.25:  # section 六 passages with `other` statements only
            p = _passage(f"s-{i:05d}", "".join(rng.sample(POOL, 30)), [])
            p["section"] = 6
            p["statements"][0]["role"] = "other"
        else:
            cats = sorted(set(rng.choices(keys, weights, k=rng.randint(1, 3))))
            p = _passage(f"s-{i:05d}", "".join(rng.sample(POOL, 30)), cats)
        out.append(p)
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_split_ratios_and_stratification(seed):
    ps = _synthetic(400, seed=seed)
    m = C.assign_splits(ps)
    counts = Counter(m.values())
    for s, r in C.SPLIT_RATIOS.items():
        assert abs(counts[s] - r * 400) <= 1, counts
    per = {s: Counter() for s in C.SPLIT_RATIOS}
    total = Counter()
    for p in ps:
        for lab in C.passage_labels(p):
            per[m[p["id"]]][lab] += 1
            total[lab] += 1
    assert total["role:other"] >= 80
    for lab, n in total.items():
        if n >= 20:
            for s, r in C.SPLIT_RATIOS.items():
                assert per[s][lab] >= 1, (lab, s)
                assert abs(per[s][lab] - r * n) <= max(2.0, 0.3 * r * n), (lab, s, per[s][lab], n)


def test_split_is_deterministic_and_frozen():
    old = _synthetic(120)
    m1 = C.assign_splits(old)
    assert C.assign_splits(old) == m1
    more = old[10:] + _synthetic(60, start=1000, seed=1)  # 10 removed, 60 added
    m2 = C.assign_splits(more, existing=m1)
    for pid, sp in m1.items():
        assert m2[pid] == sp  # nothing moves, removed ids stay recorded
    assert set(m2) == set(m1) | {p["id"] for p in more}
    assert set(m2.values()) <= set(C.SPLIT_RATIOS)


def test_split_rejects_invalid_existing_split():
    with pytest.raises(DataError):
        C.assign_splits(_synthetic(3), existing={"s-00000": "holdout"})


# --------------------------------------------------------------------------- agreement


def test_agreement_on_toy_data():
    text = "A" * 100
    a = [{"id": "p", "text": text, "statements": [
        {"start": 0, "end": 10, "role": "problem", "categories": ["P01", "P03"], "specific": False, "status": None},
        {"start": 20, "end": 40, "role": "remedy", "categories": ["R02"], "specific": True, "status": "done"},
        {"start": 50, "end": 60, "role": "problem", "categories": ["P02"], "specific": False, "status": None},
    ]}, {"id": "only-a", "text": "x", "statements": []}]
    b = [{"id": "p", "text": text, "statements": [
        {"start": 0, "end": 10, "role": "problem", "categories": ["P01"], "specific": False, "status": None},
        {"start": 22, "end": 40, "role": "remedy", "categories": ["R02", "R03"], "specific": False,
         "status": "planned"},
        {"start": 70, "end": 80, "role": "other", "categories": [], "specific": False, "status": None},
    ]}]
    r = C.agreement(a, b)
    assert r["passages"] == 1 and r["statements_a"] == 3 and r["statements_b"] == 3
    assert r["span_exact"]["tp"] == 1 and r["span_exact"]["f1"] == pytest.approx(1 / 3, abs=1e-4)
    assert r["span_overlap"]["tp"] == 2 and r["span_overlap"]["f1"] == pytest.approx(2 / 3, abs=1e-4)
    # matched: (P01,P03) vs (P01) -> tp1 fn1; (R02) vs (R02,R03) -> tp1 fp1
    cat = r["category_micro"]
    assert (cat["tp"], cat["fp"], cat["fn"]) == (2, 1, 1) and cat["f1"] == pytest.approx(2 / 3, abs=1e-4)
    assert r["role_accuracy"] == 1.0 and r["specific_accuracy"] == 0.5 and r["status_accuracy"] == 0.0


def test_agreement_overlap_threshold_uses_longer_span():
    a = [{"id": "p", "statements": [{"start": 0, "end": 10, "role": "other", "categories": [],
                                      "specific": False, "status": None}]}]
    b4 = [{"id": "p", "statements": [{"start": 0, "end": 4, "role": "other", "categories": [],
                                       "specific": False, "status": None}]}]
    b5 = [{"id": "p", "statements": [{"start": 0, "end": 5, "role": "other", "categories": [],
                                       "specific": False, "status": None}]}]
    assert C.agreement(a, b4)["span_overlap"]["tp"] == 0
    assert C.agreement(a, b5)["span_overlap"]["tp"] == 1
    assert C.agreement(a, a)["span_exact"]["f1"] == 1.0


def test_agreement_refuses_different_texts():
    with pytest.raises(DataError):
        C.agreement([{"id": "p", "text": "甲", "statements": []}], [{"id": "p", "text": "乙", "statements": []}])


# --------------------------------------------------------------------------- loading and build


def test_load_dataset(tmp_path):
    corpus = write_lines(tmp_path / "c.jsonl", [project_record("p1"), project_record("p2")])
    splits = tmp_path / "splits.json"
    C.write_splits(splits, {"p1": "train", "p2": "test"})
    ds = C.load_dataset(corpus, splits_path=splits)
    assert len(ds) == 2 and ds[0]["id"] == "p1" and ds[0]["split"] == "train"
    st = ds[0]["statements"]
    assert st[0]["status"] is None and st[1]["status"] == "planned" and st[1]["categories"] == ["R08"]
    assert ds[0]["text"][st[0]["start"]:st[0]["end"]] == "政策解读形式单一"
    test = C.load_dataset([corpus], splits_path=splits, split="test")
    assert [r["id"] for r in test] == ["p2"]


def test_load_dataset_refuses_invalid_data(tmp_path):
    bad = write_lines(tmp_path / "c.jsonl", [_mut(_set(["section"], 2))])
    with pytest.raises(DataError, match="bad_section"):
        C.load_dataset(bad)


def test_build_end_to_end_and_frozen_across_rebuilds(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    rng = random.Random(11)
    recs = []
    for i in range(30):
        r = authoring_record(f"w-{i:03d}")
        r["segments"][1]["text"] = "".join(rng.sample(POOL, 40))
        r["segments"][3]["text"] = "".join(rng.sample(POOL, 40))
        recs.append(r)
    dup = copy.deepcopy(recs[4])
    dup["id"] = "w-dup"
    dup["segments"][6]["text"] = "！"
    write_lines(src / "w1.jsonl", recs + [dup])
    out, splits, card = tmp_path / "authored.jsonl", tmp_path / "splits.json", tmp_path / "README.md"
    assert data_cli.build(src, out, splits, card, quiet=True) == 0
    built = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    assert len(built) == 30 and "w-dup" not in {p["id"] for p in built}
    m1 = json.loads(splits.read_text(encoding="utf-8"))
    c1 = Counter(m1.values())
    assert abs(c1["train"] - 24) <= 1 and abs(c1["dev"] - 3) <= 1 and abs(c1["test"] - 3) <= 1, c1
    text = card.read_text(encoding="utf-8")
    assert f"| passages | {c1['train']} | {c1['dev']} | {c1['test']} | 30 |" in text and "P04" in text
    # add a second file: old ids keep their split
    more = []
    for i in range(20):
        r = authoring_record(f"v-{i:03d}")
        r["segments"][1]["text"] = "".join(rng.sample(POOL, 40))
        r["segments"][3]["text"] = "".join(rng.sample(POOL, 40))
        more.append(r)
    write_lines(src / "w2.jsonl", more)
    assert data_cli.build(src, out, splits, card, quiet=True) == 0
    m2 = json.loads(splits.read_text(encoding="utf-8"))
    assert all(m2[k] == v for k, v in m1.items()) and len(m2) == 50
    # a broken source file stops the build and leaves the outputs untouched
    before = out.read_bytes()
    write_lines(src / "w3.jsonl", [_mut(_set(["year"], 1990))])
    assert data_cli.build(src, out, splits, card, quiet=True) == 1
    assert out.read_bytes() == before


def test_card_reports_agreement(tmp_path):
    corpus = write_lines(tmp_path / "c.jsonl", [project_record("p1")])
    splits = tmp_path / "s.json"
    C.write_splits(splits, {"p1": "dev"})
    agr = tmp_path / "agreement"
    agr.mkdir()
    write_lines(agr / "ann1.jsonl", [project_record("p1")])
    other = project_record("p1")
    other["statements"][1]["categories"] = ["R07"]
    write_lines(agr / "ann2.jsonl", [other])
    text = data_cli.render_card(corpus, splits, None, agr, None)
    assert "| ann1 vs ann2 | 1 | 2/2 | 1.000 | 1.000 | 0.500 |" in text
    assert "| passages | 0 | 1 | 0 | 1 |" in text


def test_repository_taxonomy_and_built_corpus_are_consistent():
    tax = C.load_taxonomy()
    assert list(tax.problems) == [f"P{i:02d}" for i in range(1, 13)]
    assert list(tax.remedies) == [f"R{i:02d}" for i in range(1, 13)]
    expected_pairs = {"P01": ["R01"], "P02": ["R05"], "P03": ["R06"], "P04": ["R08"], "P05": ["R09"],
                      "P06": ["R02"], "P07": ["R07"], "P08": ["R03", "R01"], "P09": ["R04"],
                      "P10": ["R10", "R03"], "P11": ["R12"], "P12": ["R11"]}
    assert tax.pairs() == expected_pairs
    for v in tax.categories.values():
        assert v["slug"] and v["name"] and v["definition"] and isinstance(v["include"], list)
    files = [p for p in (C.AUTHORED_PATH, C.SRC_DIR) if p.exists()]
    if files:
        issues, _ = C.validate_paths([C.AUTHORED_PATH] if C.AUTHORED_PATH.exists() else [])
        assert issues == [], [str(i) for i in issues[:10]]
    if C.AUTHORED_PATH.exists() and C.SPLITS_PATH.exists():
        m = C.read_splits()
        ids = [json.loads(l)["id"] for l in C.AUTHORED_PATH.read_text(encoding="utf-8").splitlines() if l.strip()]
        assert all(i in m for i in ids), "authored.jsonl has passages without a split: run `nianbao data build`"


def test_style_alias_is_accepted_and_mapped(tmp_path):
    tax = C.load_taxonomy()
    alias, canonical = next(iter(tax.style_aliases.items()))
    r = authoring_record("al-1")
    r["style"] = alias
    path = write_lines(tmp_path / "a.jsonl", [r])
    assert C.validate_paths([path])[0] == []
    (p,) = C.read_passages([path])
    assert p["style"] == canonical and canonical in tax.styles


def test_sources_are_valid_and_built_corpus_is_up_to_date():
    files = C.expand_paths([C.SRC_DIR]) if C.SRC_DIR.is_dir() else []
    if not files:
        pytest.skip("no authoring files")
    issues, _ = C.validate_paths(files)
    assert issues == [], "\n".join(map(str, issues[:20]))
    assert C.AUTHORED_PATH.exists(), "run `nianbao data build`"
    passages = C.read_passages(files, validate=False)
    kept, _ = C.dedupe(passages, prefer=C.read_splits().keys())
    built = [json.loads(l) for l in C.AUTHORED_PATH.read_text(encoding="utf-8").splitlines() if l.strip()]
    assert built == kept, "data/corpus/authored.jsonl is stale: run `nianbao data build`"


def test_card_compares_agreement_files_with_the_corpus(tmp_path):
    corpus = write_lines(tmp_path / "c.jsonl", [project_record("p1"), project_record("p2")])
    splits = tmp_path / "s.json"
    C.write_splits(splits, {"p1": "train", "p2": "test"})
    agr = tmp_path / "agreement"
    agr.mkdir()
    second = project_record("p2")
    second["statements"] = second["statements"][:1]  # the second annotator missed the remedy
    write_lines(agr / "second.jsonl", [second])
    text = data_cli.render_card(corpus, splits, None, agr, None)
    assert "| corpus vs second | 1 | 2/1 | 0.667 | 0.667 | 1.000 |" in text


def test_card_skips_agreement_helper_files_visibly(tmp_path):
    corpus = write_lines(tmp_path / "c.jsonl", [project_record("p1")])
    splits = tmp_path / "s.json"
    C.write_splits(splits, {"p1": "train"})
    agr = tmp_path / "agreement"
    agr.mkdir()
    write_lines(agr / "quotes.jsonl", [{"id": "p1", "labels": []}])
    write_lines(agr / "second.jsonl", [project_record("p1")])
    text = data_cli.render_card(corpus, splits, None, agr, None)
    assert "| corpus vs second | 1 | 2/2 | 1.000 | 1.000 | 1.000 |" in text
    assert "`quotes.jsonl`" in text
