"""Batch outputs: summary.xlsx read back, summary.csv, well-formed offline HTML (dashboard + one page per
report) with highlighted statements and failing table cells marked."""
from __future__ import annotations

import csv
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from inference.outputs import REPORT_HEADERS, page_name, report_page, write_outputs
from tests.conftest import SAMPLE_NAMES

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
CJK = re.compile(r"[\u4e00-\u9fff]")


class StrictHTML(HTMLParser):
    """html.parser with bookkeeping: every non-void element closed in order, no external resources."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        for k, v in attrs:
            if k in ("src", "href", "action", "data") and v and re.match(r"\s*(https?:)?//", v):
                self.errors.append(f"external reference <{tag} {k}={v}>")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_data(self, data):
        # CSS / JS are inline; make sure nothing is fetched from a CDN by @import or url(...)
        if self.stack and self.stack[-1] in ("style", "script") and re.search(r"https?://|@import|url\(", data):
            self.errors.append(f"external reference in <{self.stack[-1]}>")


def parse_html(text: str) -> StrictHTML:
    p = StrictHTML()
    p.feed(text)
    p.close()
    assert text.lstrip().lower().startswith("<!doctype html>")
    assert not p.errors, p.errors[:5]
    assert not p.stack, f"unclosed: {p.stack}"
    return p


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_xlsx_read_back(sample_batch):
    from openpyxl import load_workbook

    result, _, out = sample_batch
    wb = load_workbook(out / "summary.xlsx", read_only=True)
    # + last year's problems and the figures (issue 12)
    assert wb.sheetnames == ["报告", "未通过检查", "陈述", "上年度问题整改", "无法读取", "指标数据"]
    rows = {name: list(wb[name].iter_rows(values_only=True)) for name in wb.sheetnames}
    for name, sheet in rows.items():
        assert all(h and CJK.search(str(h)) for h in sheet[0]), (name, sheet[0])
    assert list(rows["报告"][0]) == REPORT_HEADERS
    assert len(rows["报告"]) == 1 + len(result.results)
    n_checks = sum(1 for r in result.results for c in r["checks"] if c["status"] in ("fail", "uncertain"))
    assert len(rows["未通过检查"]) == 1 + n_checks
    assert len(rows["陈述"]) == 1 + sum(len(r.get("statements", [])) for r in result.results)
    assert len(rows["无法读取"]) == 1 + len(result.errors)
    totals = {Path(r[0]).name: r[5] for r in rows["报告"][1:]}
    assert totals == {Path(r["source"]).name: r["score"]["total"] for r in result.results}
    assert {r[1] for r in rows["无法读取"][1:]} == {"empty", "binary", "corrupt", "unsupported"}
    grades = {r[6] for r in rows["报告"][1:]}
    assert grades <= {"优秀", "良好", "合格", "不合格"}


def test_csv_read_back(sample_batch):
    result, _, out = sample_batch
    raw = (out / "summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens the Chinese headers correctly
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == REPORT_HEADERS + ["错误"]
    assert len(rows) == 1 + len(result.results) + len(result.errors)
    errs = [r for r in rows[1:] if r[-1]]
    assert len(errs) == len(result.errors) and all(r[-1].startswith("[") for r in errs)


def test_index_html(sample_batch):
    result, _, out = sample_batch
    text = (out / "index.html").read_text(encoding="utf-8")
    p = parse_html(text)
    links = [a["href"] for t, a in p.tags if t == "a" and "href" in a]
    assert sorted(links) == sorted(f"reports/{page_name(r)}" for r in result.results)
    for href in links:
        assert (out / href).is_file(), href
    for e in result.errors:
        assert Path(e["source"]).name in text
    assert "等级分布" in text and "问题类别频次" in text


def test_every_report_page(sample_batch):
    result, _, out = sample_batch
    pages = sorted((out / "reports").glob("*.html"))
    assert len(pages) == len(SAMPLE_NAMES)
    by_page = {page_name(r): r for r in result.results}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        p = parse_html(text)
        r = by_page[page.name]
        marks = [a for t, a in p.tags if t == "mark"]
        assert marks, page.name
        assert {a.get("class") for a in marks} <= {"problem", "remedy", "other"}
        assert any(a.get("class") == "problem" for a in marks)
        assert f"{r['score']['total']:g}" in text and r["score"]["grade"] in text
        for d in r["score"]["deductions"]:
            assert html.escape(d["reason"]) in text, d["reason"]


def test_report_page_marks_failing_cells(sample_batch):
    result, _, out = sample_batch
    r = next(r for r in result.results if Path(r["source"]).name == "s03_guixiang_street_2022.txt")
    failing = [c for c in r["checks"] if c["status"] == "fail"]
    assert failing
    text = (out / "reports" / page_name(r)).read_text(encoding="utf-8")
    p = parse_html(text)
    cells = [a for t, a in p.tags if t == "td" and a.get("class") == "fail"]
    paths = {e["path"] for c in failing for e in c["evidence"] if e.get("path", "").startswith("t3.")}
    assert len(cells) == len(paths), (len(cells), sorted(paths))
    rows = [a for t, a in p.tags if t == "tr" and a.get("class") == "fail"]
    assert len(rows) == len(failing)  # failing checks listed as such


def test_report_page_escapes_text_and_highlights_offsets():
    text = "五、存在的主要问题及改进情况\n<script>alert(1)</script>更新不及时。将及时更新。"
    s0 = text.index("更新不及时")
    s1 = text.index("将及时更新")
    result = {
        "source": "/x/<a>.txt", "agency": "某局<b>", "year": 2023, "format": "2021", "published_on": None,
        "checks": [{"id": "t3.identity.total", "status": "fail", "message": "不平<i>", "evidence": [{"path": "t3.new_received.total"}]}],
        "tables": {"t3": {"rows": {"new_received": {"total": 3, "natural_person": None}},
                          "non_numeric_cells": {"new_received.natural_person": "blank"}}},
        "statements": [
            {"text": "更新不及时", "start": s0, "end": s0 + 5, "section": 5, "role": "problem", "categories": ["P03"],
             "specific": False, "status": None, "confidence": 0.9},
            {"text": "将及时更新", "start": s1, "end": s1 + 5, "section": 5, "role": "remedy", "categories": ["R06"],
             "specific": False, "status": "planned", "confidence": 0.9},
        ],
        "score": {"total": 80, "grade": "良好", "parts": {"x": {"name": "某项", "max": 10, "score": 5}},
                  "deductions": [{"part": "x", "points": 5, "reason": "扣<分>", "treatment": None}]},
    }
    page = report_page(result, text)
    p = parse_html(page)
    assert not any(t == "script" for t, _ in p.tags)  # report text never becomes markup
    assert "&lt;script&gt;" in page and "扣&lt;分&gt;" in page
    marks = re.findall(r"<mark class='(\w+)'[^>]*>([^<]*)<sup>", page)
    assert marks == [("problem", "更新不及时"), ("remedy", "将及时更新")]
    assert "<td class='fail'>3</td>" in page and "<td class='uncertain'>空白</td>" in page


def test_outputs_survive_odd_values(tmp_path):
    """Control characters and formula-like text must not break the workbook."""
    from openpyxl import load_workbook

    r = {"source": "/x/=cmd.txt", "agency": "=HYPERLINK(\"x\")", "year": None, "format": "unknown", "published_on": None,
         "checks": [{"id": "c", "status": "fail", "message": "坏\x01字符", "evidence": []}], "tables": {},
         "statements": [], "score": {"total": 0, "grade": "不合格", "parts": {}, "deductions": []}}
    write_outputs(tmp_path, [r], [{"source": "/x/y.txt", "code": "empty", "error": "文件是空的\x0b"}], lambda s: "正文\x00")
    wb = load_workbook(tmp_path / "summary.xlsx")
    # formula-like text is stored as text, shown exactly as written (no literal apostrophe)
    cell = wb["报告"]["B2"]
    assert cell.value == "=HYPERLINK(\"x\")" and cell.data_type == "s" and cell.quotePrefix
    rows = list(csv.reader((tmp_path / "summary.csv").open(encoding="utf-8-sig")))
    assert rows[1][0] == "/x/=cmd.txt" and rows[1][1] == "'=HYPERLINK(\"x\")"
    assert wb["未通过检查"]["F2"].value == "坏字符"
    parse_html((tmp_path / "index.html").read_text(encoding="utf-8"))
    assert len(_jsonl(tmp_path / "results.jsonl")) == 1


def test_csv_neutralises_every_formula_start(tmp_path):
    base = {"year": None, "format": "unknown", "published_on": None, "checks": [], "tables": {}, "statements": [],
            "score": {"total": 0, "grade": "不合格", "parts": {}, "deductions": []}}
    starts = ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1"]
    results = [dict(base, source=f"/x/{i}.txt", agency=a) for i, a in enumerate(starts)]
    write_outputs(tmp_path, results, [{"source": "=bad.txt", "code": "empty", "error": "-空"}], lambda s: "")
    rows = list(csv.reader((tmp_path / "summary.csv").open(encoding="utf-8-sig")))
    assert [r[1] for r in rows[1:6]] == ["'" + a for a in starts]
    assert rows[6][0] == "'=bad.txt" and rows[6][-1] == "[empty] -空"
    assert not list(tmp_path.glob(".*.tmp"))  # atomic writes leave no temporary file behind



def _synthetic(i: int, agency: str) -> dict:
    return {"source": f"/x/{i:04d}.txt", "agency": agency, "year": 2023, "format": "2021", "published_on": None,
            "checks": [{"id": "t3.identity.total", "status": "fail", "message": f"第{i}份", "evidence": []}],
            "tables": {}, "statements": [{"text": "更新不及时", "start": 0, "end": 5, "section": 5, "role": "problem",
                                          "categories": ["P01"], "specific": True, "status": None, "confidence": 0.9}],
            "score": {"total": float(i % 100), "grade": "合格", "parts": {}, "deductions": []}}


def test_outputs_stream_past_the_rows_that_set_column_widths(tmp_path):
    """write_outputs reads its results once (a generator from the run store); the workbook's first 200 rows
    are held back for the column widths and every later row goes straight to disk: none is lost or moved,
    and a long value after those rows does not widen its column."""
    from openpyxl import load_workbook

    from inference.outputs import WIDTH_ROWS

    n = WIDTH_ROWS + 50
    results = [_synthetic(i, "临江市" + "很长的机关名称" * 8 if i == WIDTH_ROWS + 10 else "临江市交通运输局") for i in range(n)]
    consumed = []

    def stream():
        for r in results:
            consumed.append(r["source"])
            yield r

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write_outputs(tmp_path / "a", stream(), [], lambda s: "更新不及时。")
    write_outputs(tmp_path / "b", results, [], lambda s: "更新不及时。")
    assert consumed == [r["source"] for r in results]  # one pass, in order
    for name in ("results.jsonl", "summary.csv", "index.html"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert len(_jsonl(tmp_path / "a" / "results.jsonl")) == n
    wb = load_workbook(tmp_path / "a" / "summary.xlsx")
    for title in ("报告", "未通过检查", "陈述", "指标数据"):
        ws = wb[title]
        assert ws.max_row == 1 + n, title
        assert [c.font.b for c in ws[1]] == [True] * ws.max_column and not ws["A2"].font.b
        assert ws.auto_filter.ref.endswith(str(1 + n))
    sources = [row[0] for row in wb["报告"].iter_rows(min_row=2, values_only=True)]
    assert sources == [r["source"] for r in results]
    assert wb["未通过检查"].cell(row=2 + WIDTH_ROWS + 40, column=6).value == f"第{WIDTH_ROWS + 40}份"
    agency_width = wb["报告"].column_dimensions["B"].width
    assert agency_width == 2 + 2 * len("临江市交通运输局")  # from the first rows only, not the long name at row 212
    assert wb["指标数据"].freeze_panes == "C2" and wb["报告"].freeze_panes == "A2"
    assert len(list((tmp_path / "a" / "reports").glob("*.html"))) == n
