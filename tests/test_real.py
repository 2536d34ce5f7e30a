"""The real labelled set: offsets-only records, reserved pages refused, absent cache skipped clearly."""
from __future__ import annotations

import json

import pytest

from training import real

PAGE = "一、总体情况\n我局公开信息20条。\n五、存在的主要问题及改进情况\n一是公开内容不够全面；二是人员多为兼职。下一步，我局将加强业务培训。\n"


def _work(**over):
    line = {"url": "https://example.gov.cn/ndbg/1.html", "query": "q", "rank": 1, "file": "1.txt", "year": 2022,
            "level": "县", "layout": "one_section", "passage_first": "一是公开内容不够全面", "passage_last": "我局将加强业务培训。",
            "cut_start": False, "cut_end": False,
            "statements": [
                {"quote": "公开内容不够全面", "role": "problem", "categories": ["P02"], "specific": False},
                {"quote": "人员多为兼职", "role": "problem", "categories": ["P06"], "specific": False},
                {"quote": "加强业务培训", "role": "remedy", "categories": ["R02"], "specific": False, "status": "planned"}]}
    line.update(over)
    return line


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NIANBAO_REAL_CACHE", str(tmp_path))
    (tmp_path / "inbox" / "zz").mkdir(parents=True)
    (tmp_path / "inbox" / "zz" / "1.txt").write_text(PAGE, encoding="utf-8")
    (tmp_path / "work").mkdir()
    return tmp_path


def _write_work(cache, lines):
    (cache / "work" / "zz.jsonl").write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")


def test_quotes_resolve_to_offsets_and_no_text_is_written(cache, tmp_path):
    _write_work(cache, [_work()])
    out = tmp_path / "out"
    assert real.check("zz", write=True, out_dir=out) == 0
    record = json.loads((out / "zz.jsonl").read_text(encoding="utf-8"))
    assert record["sha1"] == real.sha1_text(PAGE) and record["id"] == "real-" + record["sha1"][:12]
    assert [PAGE[s["start"]:s["end"]] for s in record["statements"]] == ["公开内容不够全面", "人员多为兼职", "加强业务培训"]
    stored = (out / "zz.jsonl").read_text(encoding="utf-8")
    assert "兼职" not in stored and "培训" not in stored  # offsets and labels only
    passage = real.to_project(record, PAGE)
    assert passage["text"].startswith("一是公开内容不够全面") and passage["statements"][0]["start"] == 2


def test_bad_quotes_and_edge_punctuation_are_reported(cache, tmp_path, capsys):
    bad = _work(statements=[{"quote": "不存在的句子", "role": "problem", "categories": ["P02"], "specific": False},
                            {"quote": "人员多为兼职。", "role": "problem", "categories": ["P06"], "specific": False}])
    _write_work(cache, [bad])
    assert real.check("zz", write=False, out_dir=tmp_path / "out") == 1
    assert "quote not found" in capsys.readouterr().out
    _write_work(cache, [_work(statements=[bad["statements"][1]])])
    assert real.check("zz", write=False, out_dir=tmp_path / "out") == 1
    assert "span_punctuation" in capsys.readouterr().out


def test_reserved_urls_are_rejected_by_data_validate(cache, tmp_path, monkeypatch):
    _write_work(cache, [_work()])
    out = tmp_path / "out"
    real.check("zz", write=True, out_dir=out)
    record = json.loads((out / "zz.jsonl").read_text(encoding="utf-8"))
    monkeypatch.setattr(real, "reserved_urls", lambda path=None: {record["url"]})
    issues, n = real.validate_paths([out / "zz.jsonl"])
    assert n == 1 and [i.code for i in issues] == ["reserved_url"]


def test_shipped_records_validate_and_never_name_a_reserved_page():
    files = real.record_files()
    if not files:
        pytest.skip("no real records yet")
    reserved = real.reserved_urls()
    for rec in real.read_records():
        assert rec["url"] not in reserved
        assert set(rec) <= set(real.RECORD_FIELDS) | set(real.OPTIONAL_FIELDS)  # no text field
    issues, _ = real.validate_paths(files)
    assert not issues, issues[:5]


def test_whole_real_folder_validates_second_pass_included():
    """`nianbao data validate data/real` as the README gives it: the second-pass files label first-pass pages
    again by design, so they are no duplicates; the folder passes."""
    from training import data_cli

    if not real.record_files():
        pytest.skip("no real records yet")
    assert data_cli.cmd_validate([str(real.REAL_DIR)], None) == 0


def test_a_page_twice_in_one_pass_is_a_duplicate_but_not_across_passes(cache, tmp_path):
    _write_work(cache, [_work()])
    out = tmp_path / "out"
    real.check("zz", write=True, out_dir=out)
    line = (out / "zz.jsonl").read_text(encoding="utf-8")
    (out / "second_zy.jsonl").write_text(line, encoding="utf-8")
    issues, n = real.validate_paths([out / "zz.jsonl", out / "second_zy.jsonl"])
    assert n == 2 and issues == []
    (out / "zy.jsonl").write_text(line, encoding="utf-8")
    issues, _ = real.validate_paths([out / "zz.jsonl", out / "zy.jsonl"])
    assert sorted(i.code for i in issues) == ["duplicate_id", "duplicate_url"]


def test_a_mirror_of_a_reserved_page_is_refused_and_mirrors_are_one_page(cache, tmp_path, monkeypatch):
    assert real.page_key("http://a.gov.cn/zfxxgk/202301/0feb0e44ce214b3d.shtml") == \
        real.page_key("https://mirror.example.com/zfxxgk/202301/0feb0e44ce214b3d.shtml")
    assert real.page_key("http://a.gov.cn/xxgk/index.html") is None  # a generic path names no page
    _write_work(cache, [_work(url="http://copy.example.com/ndbg/t20230118_4373320.html")])
    out = tmp_path / "out"
    real.check("zz", write=True, out_dir=out)
    monkeypatch.setattr(real, "reserved_urls", lambda path=None: {"http://www.gov.cn/ndbg/t20230118_4373320.html"})
    issues, _ = real.validate_paths([out / "zz.jsonl"])
    assert [i.code for i in issues] == ["reserved_url"] and "镜像" in issues[0].message


def test_absent_cache_is_skipped_and_said(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NIANBAO_REAL_CACHE", str(tmp_path / "empty"))
    if not real.read_records():
        pytest.skip("no real records yet")
    assert real.load_real() == []
    assert "缓存" in capsys.readouterr().err


def test_nianbao_data_validate_refuses_a_reserved_page(cache, tmp_path, monkeypatch, capsys):
    from training import data_cli

    _write_work(cache, [_work()])
    out = tmp_path / "out"
    real.check("zz", write=True, out_dir=out)
    url = json.loads((out / "zz.jsonl").read_text(encoding="utf-8"))["url"]
    assert data_cli.cmd_validate([str(out / "zz.jsonl")], None) == 0
    monkeypatch.setattr(real, "reserved_urls", lambda path=None: {url})
    assert data_cli.cmd_validate([str(out / "zz.jsonl")], None) == 1
    assert "reserved_url" in capsys.readouterr().out


def test_data_validate_points_a_labelstudio_export_to_data_import(tmp_path, capsys):
    from training import data_cli

    export = tmp_path / "export.json"
    export.write_text(json.dumps([{"id": 1, "data": {"text": "公开内容不够全面"}, "annotations": []}] * 50,
                                 ensure_ascii=False, indent=1), encoding="utf-8")
    assert data_cli.cmd_validate([str(export)], None) == 1
    err = capsys.readouterr().err
    assert "nianbao data import labelstudio" in err and err.count("\n") <= 2


def test_evaluate_accepts_a_training_run_folder(tmp_path):
    import shutil

    from inference.statements import DEFAULT_MODEL_DIR, load_model

    run = tmp_path / "run"
    shutil.copytree(DEFAULT_MODEL_DIR, run / "model")
    assert load_model(run) is not None


def test_new_pages_are_measured_before_they_join_the_split(cache, tmp_path, monkeypatch, capsys):
    """`python -m training.real_cli measure ANN` scores the shipped model on an annotator's imported pages,
    whatever their split, and names a missing annotator file."""
    from training import real_cli

    _write_work(cache, [_work()])
    out = tmp_path / "out"
    assert real.check("zz", write=True, out_dir=out) == 0
    monkeypatch.setattr(real_cli, "REAL_DIR", out)
    capsys.readouterr()
    assert real_cli.measure(["zz"], None) == 0
    printed = capsys.readouterr().out
    assert "1 pages, 1 cached, 3 statements" in printed and "section 五 located on" in printed
    assert "span overlap50" in printed
    assert real_cli.measure(["nobody"], None) == 2
    assert "nobody.jsonl" in capsys.readouterr().err


def test_related_documents_always_train_and_never_share_a_site_with_dev_or_test(tmp_path):
    """R-9: a related document (self-inspection, rectification report) is training data only, and a site
    whose pages sit in dev or test is refused for it rather than put on both sides."""
    def rec(i, url, layout="one_section"):
        return {"id": f"real-{i:012d}", "url": url, "layout": layout}
    splits = tmp_path / "splits.json"
    reports = [rec(k, f"https://site{k}.gov.cn/ndbg/{k}.html") for k in range(12)]
    assignment = real.freeze_splits(reports, splits)
    assert {"train", "dev", "test"} <= set(assignment.values())
    free = [r for r in reports if assignment[r["id"]] == "train"][0]
    held = [r for r in reports if assignment[r["id"]] == "test"][0]
    before = dict(assignment)
    related = [rec(100, free["url"].replace(".html", "_zc.html"), "related"), rec(101, "https://new.gov.cn/zgbg/1.html", "related")]
    assignment = real.freeze_splits(reports + related, splits)
    assert [assignment[r["id"]] for r in related] == ["train", "train"]
    assert {k: v for k, v in assignment.items() if k in before} == before
    with pytest.raises(Exception, match="test"):
        real.freeze_splits(reports + related + [rec(102, held["url"].replace(".html", "_zc.html"), "related")], splits)


def test_a_related_document_from_a_site_that_holds_reserved_pages_is_refused(cache, tmp_path, monkeypatch):
    _write_work(cache, [_work(layout="related", url="https://www.county.gov.cn/zwgk/zcbg/2.html")])
    out = tmp_path / "out"
    real.check("zz", write=True, out_dir=out)
    monkeypatch.setattr(real, "reserved_urls", lambda path=None: {"https://www.county.gov.cn/xxgk/ndbg/2023.html"})
    issues, _ = real.validate_paths([out / "zz.jsonl"])
    assert [i.code for i in issues] == ["reserved_site"]
    (cache / "work" / "zz.jsonl").unlink()
    _write_work(cache, [_work(url="https://www.county.gov.cn/zwgk/ndbg/3.html")])  # a report page of that site: no rule
    real.check("zz", write=True, out_dir=out)
    issues, _ = real.validate_paths([out / "zz.jsonl"])
    assert issues == []
