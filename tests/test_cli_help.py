"""Issue 12, part 3: every sub-command's --help prints and exits 0 (an unescaped % in a help string crashed
`nianbao score --help`)."""
from __future__ import annotations

import pytest
from pathlib import Path

from inference.cli import COMMANDS, main


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_help_of_every_command(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip()


def test_help_is_chinese(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "用法：" in out and "显示本帮助并退出" in out and "评分" in out
    assert "sub-command" not in out and "show this help" not in out  # no developer docstring, no English
    with pytest.raises(SystemExit):
        main(["score", "--help"])
    out = capsys.readouterr().out
    assert "输出文件夹" in out and "show this help" not in out and "output folder" not in out


def _fixed_model(monkeypatch):
    from tests.conftest import FixedTagger
    import inference.pipeline as pipeline

    real = pipeline.load
    monkeypatch.setattr(pipeline, "load", lambda *a, **k: real(model=FixedTagger(), rubric=k.get("rubric")))


def test_unsupported_files_are_listed_and_nothing_scored_exits_nonzero(tmp_path, monkeypatch, capsys):
    _fixed_model(monkeypatch)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "2023年报.doc").write_bytes(b"\xd0\xcf\x11\xe0 old word")
    (folder / "统计.xls").write_bytes(b"\xd0\xcf\x11\xe0 old excel")
    code = main(["score", str(folder), "--out", str(tmp_path / "out"), "--no-progress"])
    out, err = capsys.readouterr()
    assert code != 0
    assert "2023年报.doc" in out and ".docx" in out  # each skipped file with its reason
    assert "统计.xls" in out and "Excel" in out
    assert "没有任何报告被评分" in err


def test_stale_report_pages_are_removed(tmp_path, monkeypatch, capsys):
    from tests.conftest import SAMPLES_DIR

    _fixed_model(monkeypatch)
    out = tmp_path / "out"
    a, b = SAMPLES_DIR / "s01_yunxi_county_gov_2023.txt", SAMPLES_DIR / "s13_linjiang_housing_2024.txt"
    assert main(["score", str(a), "--out", str(out), "--no-progress"]) == 0
    assert [p.name.startswith("s01") for p in (out / "reports").glob("*.html")] == [True]
    assert main(["score", str(b), "--out", str(out), "--no-progress"]) == 0
    assert [p.name[:3] for p in (out / "reports").glob("*.html")] == ["s13"]


def test_report_page_names_parts_rows_and_columns_in_chinese(sample_batch):
    from inference.outputs import report_page

    result, _bad, _out = sample_batch
    r = next(x for x in result.results if x["source"].endswith("s03_guixiang_street_2022.txt"))
    page = report_page(r, text="")
    for english in ("<th>withheld_state_secret</th>", "<th>natural_person</th>", ">t3_identity<", "<th>made</th>",
                    "<th>in_force</th>", "<h3>t3</h3>"):
        assert english not in page, english
    # identifiers only follow the Chinese text, in parentheses (check ids)
    import re

    for m in re.finditer("natural_person|withheld_state_secret", page):
        assert "（" in page[max(0, m.start() - 40):m.start()] and "）" in page[m.end():m.end() + 40], page[m.start() - 60:m.end() + 20]
    assert "自然人" in page and "表三 收到和处理政府信息公开申请情况" in page and "属于国家秘密" in page


def test_dashboard_orders_grades_and_score_bins():
    from inference.outputs import dashboard, score_bin

    assert [score_bin(x) for x in (0, 59.5, 60, 89.99, 90, 100)] == ["0–59", "0–59", "60–69", "80–89", "90–100", "90–100"]

    def result(total, grade):
        return {"source": f"/x/{total}.txt", "score": {"total": total, "grade": grade, "deductions": [], "parts": {}},
                "checks": [], "statements": []}

    page = dashboard([result(100, "优秀"), result(61, "合格"), result(61.5, "合格"), result(40, "不合格")], [])
    assert "100–109" not in page
    grades = page[page.index("等级分布"):page.index("分数分布")]
    assert grades.index("优秀") < grades.index("良好") < grades.index("合格") < grades.index("不合格")
    bins = page[page.index("分数分布"):page.index("最常见")]
    assert bins.index("90–100") < bins.index("60–69") < bins.index("0–59")


def test_summary_xlsx_has_figures_sheet_widths_and_filters(sample_batch):
    from openpyxl import load_workbook

    from inference.outputs import figure_columns

    result, _bad, out = sample_batch
    wb = load_workbook(out / "summary.xlsx")
    ws = wb["指标数据"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["机关", "年度", "文件"] and len(header) == 3 + len(figure_columns())
    assert "表三/一、本年新收政府信息公开申请数量/自然人" in header
    assert ws.max_row == 1 + len(result.results)
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if str(r[2]).endswith("s07_linjiang_city_gov_2024.pdf"))
    import json

    exp = json.loads((Path(__file__).resolve().parents[1] / "data/samples/expected.json").read_text(encoding="utf-8"))
    want = exp["samples"]["s07_linjiang_city_gov_2024.pdf"]["tables"]["t3"]["new_received"]["total"]
    assert row[header.index("表三/一、本年新收政府信息公开申请数量/总计")] == want
    for sheet in wb.worksheets:
        assert sheet.auto_filter.ref and sheet.column_dimensions["A"].width >= 8
