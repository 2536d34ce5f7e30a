"""Tests for inference/tables.py: every table value of the five seeds, plus inline fixtures for
every layout (pipe, cell per line, run-together, grid), the 2019 trial format, blank markers,
ambiguous splits and missing tables."""
from __future__ import annotations

import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inference.report import GridCell, RawTable, Report, Section
from inference.tables import extract_tables

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"

T3_COLS = ["natural_person", "commercial", "research", "public_interest", "legal_service", "other_org", "total"]
T3_ROWS = [
    "new_received", "carried_over", "disclosed", "partially_disclosed", "withheld_state_secret",
    "withheld_prohibited", "withheld_three_safeties", "withheld_third_party", "withheld_internal_affairs",
    "withheld_process_info", "withheld_enforcement_files", "withheld_query", "unable_not_held",
    "unable_needs_creation", "unable_unclear", "declined_petition", "declined_duplicate",
    "declined_publications", "declined_excessive", "declined_confirmation", "other_no_correction",
    "other_unpaid_fee", "other_other", "results_total", "carried_forward",
]
T2_2021 = {
    "regulations": ["made", "repealed", "in_force"],
    "normative_documents": ["made", "repealed", "in_force"],
    "licensing": ["decisions"],
    "penalty": ["decisions"],
    "coercion": ["decisions"],
    "fees": ["amount_wan_yuan"],
}
T4_ROWS = ["review", "litigation_direct", "litigation_after_review"]
T4_COLS = ["upheld", "corrected", "other", "pending", "total"]

# The standard row labels of the 2021 format (public format text, written here by hand).
T3_LABELS = [
    ("一、本年新收政府信息公开申请数量", None),
    ("二、上年结转政府信息公开申请数量", None),
    ("（一）予以公开", "三、本年度办理结果"),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None),
    ("1.属于国家秘密", "（三）不予公开"),
    ("2.其他法律行政法规禁止公开", None),
    ("3.危及“三安全一稳定”", None),
    ("4.保护第三方合法权益", None),
    ("5.属于三类内部事务信息", None),
    ("6.属于四类过程性信息", None),
    ("7.属于行政执法案卷", None),
    ("8.属于行政查询事项", None),
    ("1.本机关不掌握相关政府信息", "（四）无法提供"),
    ("2.没有现成信息需要另行制作", None),
    ("3.补正后申请内容仍不明确", None),
    ("1.信访举报投诉类申请", "（五）不予处理"),
    ("2.重复申请", None),
    ("3.要求提供公开出版物", None),
    ("4.无正当理由大量反复申请", None),
    ("5.要求行政机关确认或重新出具已获取信息", None),
    ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "（六）其他处理"),
    ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", None),
    ("3.其他", None),
    ("（七）总计", None),
    ("四、结转下年度继续办理", None),
]


def norm_of(text: str) -> str:
    """The tests' own one-for-one normalisation (full-width -> half-width)."""
    out = []
    for ch in text:
        n = unicodedata.normalize("NFKC", ch)
        out.append(n if len(n) == 1 else ch)
    return "".join(out)


def parse(text: str, **kw) -> Report:
    r = Report(source="fixture", text=text, norm=norm_of(text), **kw)
    return extract_tables(r)


def seed_text(prefix: str) -> str:
    if not SEEDS.is_dir():
        pytest.skip("shared seeds folder missing")
    files = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not files:
        pytest.skip(f"seed {prefix} missing")
    return files[0].read_text(encoding="utf-8")


def seed_report(prefix: str) -> Report:
    return parse(seed_text(prefix))


def values(table, rows, cols_of):
    return {r: [table.value(r, c) for c in cols_of(r)] for r in rows}


def t3_expected(**overrides):
    exp = {r: [0] * 7 for r in T3_ROWS}
    exp.update(overrides)
    return exp


def assert_all_numbers(table):
    bad = {f"{r}.{c}": cell.state for r, cols in table.rows.items() for c, cell in cols.items() if cell.state != "number"}
    assert bad == {}


def assert_offsets(report):
    """Every number cell points at its own characters in report.text."""
    n = 0
    for t in report.tables.values():
        for cols in t.rows.values():
            for cell in cols.values():
                if cell.state == "number":
                    assert cell.start is not None and cell.end is not None
                    assert norm_of(report.text[cell.start:cell.end]) == cell.raw
                    n += 1
    return n


# ------------------------------------------------------------------------------------------
# the five seeds: every value


SEED_EXPECT = {
    "000": {
        "layout": "pipe",
        "t2": {"regulations": [0, 0, 0], "normative_documents": [0, 0, 0], "licensing": [0], "penalty": [0],
               "coercion": [0], "fees": [1560]},
        "t3": t3_expected(new_received=[3, 0, 0, 0, 0, 0, 3], disclosed=[1, 0, 0, 0, 0, 0, 1],
                          withheld_enforcement_files=[1, 0, 0, 0, 0, 0, 1], unable_not_held=[1, 0, 0, 0, 0, 0, 1],
                          results_total=[3, 0, 0, 0, 0, 0, 3]),
        "t4": [0] * 15,
    },
    "001": {
        "layout": "cell_per_line",
        "t2": {"regulations": [0, 0, 0], "normative_documents": [0, 0, 0], "licensing": [0], "penalty": [0],
               "coercion": [0], "fees": [0]},
        "t3": t3_expected(),
        "t4": [0] * 15,
    },
    "003": {
        "layout": "pipe",
        "t2": {"regulations": [0, 0, 0], "normative_documents": [0, 0, 0], "licensing": [0], "penalty": [0],
               "coercion": [0], "fees": [0]},
        "t3": t3_expected(),
        "t4": [0] * 15,
    },
    "004": {
        "layout": "run_together",
        "t2": {"regulations": [0, 0, 0], "normative_documents": [0, 0, 0], "licensing": [0], "penalty": [48],
               "coercion": [0], "fees": [0]},
        "t3": t3_expected(),
        "t4": [0] * 15,
    },
}


@pytest.mark.parametrize("prefix", sorted(SEED_EXPECT))
def test_seed_every_value(prefix):
    exp = SEED_EXPECT[prefix]
    r = seed_report(prefix)
    t2, t3, t4 = r.tables["t2"], r.tables["t3"], r.tables["t4"]
    for t in (t2, t3, t4):
        assert t.found
        assert t.layout == exp["layout"]
        assert t.ambiguous_rows == []
        assert t.format == "2021"
        assert_all_numbers(t)
    assert set(t2.rows) == set(T2_2021)
    assert values(t2, T2_2021, T2_2021.get) == exp["t2"]
    assert list(t3.rows) == T3_ROWS
    assert values(t3, T3_ROWS, lambda _: T3_COLS) == exp["t3"]
    got4 = [t4.value(r_, c) for r_ in T4_ROWS for c in T4_COLS]
    assert got4 == exp["t4"]
    assert all(isinstance(v, int) for v in got4)
    assert assert_offsets(r) == 6 + 3 + 25 * 7 + 15 + 1  # every cell has evidence
    assert t2.start < t2.end <= t3.start < t3.end <= t4.start < t4.end


def test_seed_000_reads_the_first_copy():
    text = seed_text("000")
    r = parse(text)
    second = text.find("二、主动公开政府信息情况", text.find("二、主动公开政府信息情况") + 1)
    assert second > 0  # the page repeats the report
    for t in r.tables.values():
        assert t.end < second
    # the fee cell cites its characters
    fee = r.tables["t2"].cell("fees", "amount_wan_yuan")
    assert text[fee.start:fee.end] == "1560"


def test_seed_001_cell_with_newline_inside():
    text = seed_text("001")
    r = parse(text)
    # (二)部分公开 ends with a cell whose "0" sits on a line of its own
    c = r.tables["t3"].cell("partially_disclosed", "total")
    assert c.state == "number" and c.value == 0
    assert text[c.start - 1] == "\n"


def test_seed_004_run_together_splits():
    text = seed_text("004")
    r = parse(text)
    t2 = r.tables["t2"]
    pen = t2.cell("penalty", "decisions")
    assert (pen.value, pen.state, text[pen.start:pen.end]) == (48, "number", "48")
    assert text[pen.start - 4:pen.start] == "行政处罚"
    regs = [t2.cell("regulations", c) for c in ("made", "repealed", "in_force")]
    assert [c.value for c in regs] == [0, 0, 0]
    assert [c.end - c.start for c in regs] == [1, 1, 1]
    assert regs[1].start == regs[0].end and regs[2].start == regs[1].end
    assert text[regs[0].start - 2:regs[2].end] == "规章000"
    # a row of seven zeros written as 0000000
    cells = [r.tables["t3"].cell("results_total", c) for c in T3_COLS]
    assert [c.value for c in cells] == [0] * 7
    assert [c.start for c in cells] == list(range(cells[0].start, cells[0].start + 7))
    # table 4: fifteen digits in a row
    t4 = r.tables["t4"]
    assert t4.cell("litigation_after_review", "total").end - t4.cell("review", "upheld").start == 15


def test_seed_002_blank_cells_dropped_by_scraper():
    text = seed_text("002")
    r = parse(text)
    t2, t3, t4 = r.tables["t2"], r.tables["t3"], r.tables["t4"]
    # table 2 and table 4 are complete: exact values
    assert values(t2, T2_2021, T2_2021.get) == {
        "regulations": [0, 0, 0], "normative_documents": [4, 0, 4], "licensing": [0], "penalty": [0],
        "coercion": [0], "fees": [0]}
    assert_all_numbers(t2)
    assert [t4.value(r_, c) for r_ in T4_ROWS for c in T4_COLS] == [0] * 15
    assert_all_numbers(t4)
    assert t2.layout == t3.layout == t4.layout == "pipe"
    # table 3: rows where blank cells vanished (positions lost) are ambiguous, never guessed
    ambiguous = {
        "new_received": "4 4", "carried_over": "0 0", "disclosed": "0 0 0", "partially_disclosed": "0 0",
        "withheld_third_party": "1 1", "declined_duplicate": "0 0", "results_total": "4 4",
        "carried_forward": "0 0",
    }
    assert sorted(t3.ambiguous_rows) == sorted(ambiguous)
    # ... except the 总计 of a row whose every arithmetically consistent reading puts the same number there
    # (issue 12: inferred from the row's own sum, with the reasoning in a note)
    inferred = {"new_received": 4, "withheld_third_party": 1, "results_total": 4}
    for row, raw in ambiguous.items():
        for c in T3_COLS:
            cell = t3.cell(row, c)
            if c == "total" and row in inferred:
                assert (cell.state, cell.value, cell.raw) == ("inferred", inferred[row], raw.split()[-1])
            else:
                assert (cell.state, cell.value, cell.raw) == ("ambiguous", None, raw)
            assert cell.start is not None and text[cell.start] == raw[0]
    # rows whose cells were all dropped are entirely blank (that is knowable), never 0
    blank_rows = [k for k in T3_ROWS if k not in ambiguous and not k.startswith("other_")]
    assert len(blank_rows) == 14
    for row in blank_rows + ["other_processing"]:
        assert [t3.cell(row, c).state for c in T3_COLS] == ["blank"] * 7
        assert [t3.value(row, c) for c in T3_COLS] == [None] * 7
    # its (六)其他处理 is a single row (2019 trial shape): other_processing, no sub-rows
    assert t3.format == "2019"
    assert "other_processing" in t3.rows
    assert not any(k in t3.rows for k in ("other_no_correction", "other_unpaid_fee", "other_other"))
    # every decision is stated in Chinese
    notes = "\n".join(t3.notes)
    assert "一、本年新收政府信息公开申请数量”行7列中仅见2个数值（4 4）" in notes
    assert "不作推测" in notes and "不视为0" in notes and "2019年试行格式" in notes
    d = t3.to_dict()
    assert d["rows"]["new_received"]["natural_person"] is None
    assert d["non_numeric_cells"]["new_received.natural_person"] == "ambiguous"
    assert d["rows"]["new_received"]["total"] == 4
    assert d["non_numeric_cells"]["new_received.total"] == "inferred"
    assert d["non_numeric_cells"]["withheld_state_secret.total"] == "blank"


def test_seed_parse_time(capsys):
    if not SEEDS.is_dir():
        pytest.skip("shared seeds folder missing")
    extract_tables(parse("预热"))  # config load
    lines = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        best = float("inf")
        for _ in range(5):
            r = Report(source=path.name, text=text, norm=norm_of(text))
            t0 = time.perf_counter()
            extract_tables(r)
            best = min(best, time.perf_counter() - t0)
        lines.append(f"{path.name}: {best * 1000:.2f} ms")
        assert best < 0.5
    with capsys.disabled():
        print("\nparse time per seed (best of 5): " + "; ".join(lines))


# ------------------------------------------------------------------------------------------
# inline fixtures


def plain_report(t2_lines, t3_rows, t4_line, t3_head="申请人情况\n自然人法人或其他组织总计\n"):
    """A run-together/plain report body. t3_rows: {index in T3_LABELS: value text}."""
    lines = ["报告前言。", "二、主动公开政府信息情况", "第二十条第（一）项", "信息内容本年制发件数本年废止件数现行有效件数"]
    lines += t2_lines
    lines += ["三、收到和处理政府信息公开申请情况", t3_head.rstrip("\n")]
    for i, (label, group) in enumerate(T3_LABELS):
        lines.append((group or "") + label + t3_rows.get(i, "0000000"))
    lines += ["四、政府信息公开行政复议、行政诉讼情况", "行政复议行政诉讼", "结果维持结果纠正其他结果尚未审结总计", t4_line,
              "五、存在的主要问题及改进情况", "一是问题。"]
    return "\n".join(lines) + "\n"


STD_T2 = ["规章000", "行政规范性文件000", "行政许可0", "行政处罚0", "行政强制0", "行政事业性收费0"]


def test_ambiguous_run_together_row_is_not_guessed():
    text = plain_report(["规章1012", "行政规范性文件2025"] + STD_T2[2:], {}, "0" * 15)
    t2 = parse(text).tables["t2"]
    assert t2.layout == "run_together"
    assert sorted(t2.ambiguous_rows) == ["normative_documents", "regulations"]
    for c in ("made", "repealed", "in_force"):
        cell = t2.cell("regulations", c)
        assert cell.state == "ambiguous" and cell.value is None and cell.raw == "1012"
    note = next(n for n in t2.notes if "“规章”" in n)
    assert "1/0/12" in note and "10/1/2" in note and "存疑" in note
    assert t2.value("licensing", "decisions") == 0


def test_split_chosen_by_row_relation():
    # 10 applications from natural persons, total 10: "100000010" splits 2 ways, one has total = sum
    text = plain_report(STD_T2, {16: "100000010"}, "0" * 15)
    t3 = parse(text).tables["t3"]
    assert [t3.value("declined_duplicate", c) for c in T3_COLS] == [10, 0, 0, 0, 0, 0, 10]
    assert "declined_duplicate" not in t3.ambiguous_rows
    assert any("按勾稽关系确定为10/0/0/0/0/0/10" in n for n in t3.notes)


def test_split_chosen_by_column_relation():
    # "000011011" fits total = sum two ways (…/1/10/11 and …/11/0/11); 一+二 = (七)+四 decides
    rows = {0: "000011011", 2: " 0 0 0 0 11 0 11", 23: " 0 0 0 0 11 0 11"}
    t3 = parse(plain_report(STD_T2, rows, "0" * 15)).tables["t3"]
    assert [t3.value("new_received", c) for c in T3_COLS] == [0, 0, 0, 0, 11, 0, 11]
    assert t3.ambiguous_rows == []
    assert t3.layout == "mixed"  # glued rows and rows with separated values
    # without the deciding rows it stays ambiguous
    rows2 = {0: "000011011", 23: "000011011", 2: "000011011"}
    t3b = parse(plain_report(STD_T2, rows2, "0" * 15)).tables["t3"]
    assert "new_received" in t3b.ambiguous_rows
    assert t3b.value("new_received", "total") is None


def test_short_glued_run_is_ambiguous():
    t = parse(plain_report(STD_T2, {1: "000000"}, "0" * 13)).tables
    assert "carried_over" in t["t3"].ambiguous_rows
    assert t["t4"].ambiguous_rows == T4_ROWS
    assert any("位数少于15" in n for n in t["t4"].notes)


def test_slash_dash_and_wu_are_blank_not_zero():
    t2_lines = ["规章 / / /", "行政规范性文件 — 0 —", "行政许可 无", "行政处罚 -", "行政强制 ——", "行政事业性收费 0.5"]
    t3_rows = {0: " / 1 — 0 0 0 1", 1: " 0 0 0 0 0 0 0"}
    r = parse(plain_report(t2_lines, t3_rows, "0 0 0 0 0 / / / / / 1 0 0 0 1"))
    t2, t3, t4 = r.tables["t2"], r.tables["t3"], r.tables["t4"]
    assert [t2.cell("regulations", c).state for c in ("made", "repealed", "in_force")] == ["blank"] * 3
    assert [t2.value("normative_documents", c) for c in ("made", "repealed", "in_force")] == [None, 0, None]
    assert t2.cell("normative_documents", "made").raw == "—"
    for row in ("licensing", "penalty", "coercion"):
        assert t2.cell(row, "decisions").state == "blank"
    assert t2.value("fees", "amount_wan_yuan") == 0.5
    assert [t3.cell("new_received", c).state for c in T3_COLS] == ["blank", "number", "blank"] + ["number"] * 4
    assert t4.value("litigation_after_review", "total") == 1
    assert [t4.cell("litigation_direct", c).state for c in T4_COLS] == ["blank"] * 5
    assert t2.cell("penalty", "decisions").raw == "-"


def test_pipe_layout_with_blank_markers_and_padding():
    t2 = (
        "二、主动公开政府信息情况\n第二十条第(一)项 | |||\n信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n"
        "规章 | / |  | 0 |\n行政规范性文件 | 3 | — | 12 |\n第二十条第(五)项 | |||\n行政许可 | 7 | ||\n"
        "第二十条第(六)项 | |||\n行政处罚 | 无 | ||\n行政强制 | 2 | ||\n第二十条第(八)项 | |||\n行政事业性收费 | 1.25 |\n"
        "三、收到和处理政府信息公开申请情况\n"
    )
    t = parse(t2).tables["t2"]
    assert t.layout == "pipe"
    assert [t.cell("regulations", c).state for c in ("made", "repealed", "in_force")] == ["blank", "blank", "number"]
    assert [t.value("normative_documents", c) for c in ("made", "repealed", "in_force")] == [3, None, 12]
    assert t.value("licensing", "decisions") == 7
    assert t.cell("penalty", "decisions").state == "blank"
    assert t.value("fees", "amount_wan_yuan") == 1.25
    assert not r_found(parse(t2), "t3") and not r_found(parse(t2), "t4")


def r_found(report, key):
    return report.tables[key].found


def test_missing_tables():
    r = parse("一、总体情况\n本机关认真落实规章制度。\n五、存在的主要问题及改进情况\n无。\n")
    for key in ("t2", "t3", "t4"):
        t = r.tables[key]
        assert not t.found
        assert all(cell.state == "missing" for cols in t.rows.values() for cell in cols.values())
        assert t.notes and "未找到" in t.notes[0]
    assert set(r.tables["t2"].rows) == set(T2_2021)
    assert list(r.tables["t3"].rows) == T3_ROWS
    assert r.tables["t2"].to_dict()["regulations"]["made"] is None
    # table 4 published as an image: tables 2 and 3 still read, table 4 missing
    text = plain_report(STD_T2, {}, "")
    text = text.replace("行政复议行政诉讼\n结果维持结果纠正其他结果尚未审结总计\n", "（见图片）\n")
    r2 = parse(text)
    assert r2.tables["t2"].found and r2.tables["t3"].found and not r2.tables["t4"].found


def test_missing_rows_are_missing():
    text = plain_report(STD_T2, {}, "0" * 15)
    text = text.replace("2.重复申请0000000\n", "").replace("行政强制0\n", "")
    r = parse(text)
    assert [r.tables["t3"].cell("declined_duplicate", c).state for c in T3_COLS] == ["missing"] * 7
    assert r.tables["t2"].cell("coercion", "decisions").state == "missing"
    assert r.tables["t3"].value("declined_publications", "total") == 0
    assert any("缺少以下行" in n and "重复申请" in n for n in r.tables["t3"].notes)


def test_non_integer_negative_and_junk_cells():
    text = (
        "三、收到和处理政府信息公开申请情况\n申请人情况 |\n"
        "一、本年新收政府信息公开申请数量 | 1.5 | 0 | 0 | 0 | 0 | 0 | 1.5 |\n"
        "二、上年结转政府信息公开申请数量 | -1 | 0 | 0 | 0 | 0 | 0 | -1 |\n"
        "三、本年度办理结果 | (一)予以公开 | 不详 | 0 | 0 | 0 | 0 | 0 | 0 |\n"
        "四、政府信息公开行政复议、行政诉讼情况\n"
    )
    t3 = parse(text).tables["t3"]
    assert t3.value("new_received", "natural_person") == 1.5
    assert t3.value("carried_over", "total") == -1
    cell = t3.cell("disclosed", "natural_person")
    assert (cell.state, cell.value, cell.raw) == ("invalid", None, "不详")
    assert text[cell.start:cell.end] == "不详"
    notes = "\n".join(t3.notes)
    assert "非整数（1.5）" in notes and "负数（-1）" in notes and "不是数字" in notes


def test_cell_per_line_layout_with_tabs_and_stray_spaces():
    lines = ["二、主动公开政府信息情况", "", "\t第二十条第（一）项", "", "\t信息内容", "\t本年制发件数", "\t本年废止件数",
             "\t现行有效件数", "", "\t规章", "\t\u00a01", "\t0\u00a0", "\t\u3000", "", "\t行政规范性文件", "\t２", "\t0",
             "\t\u00a0", "１２", "", "\t行政许可", "\t5", "", "\t行政处罚", "\t/", "", "\t行政强制", "\t0", "",
             "\t行政事业性收费", "\t0", "", "三、收到和处理政府信息公开申请情况", "", "\t申请人情况", "", "\t",
             "\t自然人", "\t法人或其他组织", "\t总计", ""]
    for label, group in T3_LABELS:
        if group:
            lines += ["\t", "\t" + group]
        lines += ["\t" + label] + ["\t\u00a00"] * 7 + [""]
    lines += ["四、政府信息公开行政复议、行政诉讼情况", "", "\t行政复议", "\t行政诉讼", "", "\t", "\t结果\n维持", ""]
    lines += ["\t0"] * 14 + ["\t\u00a0", "3", "", "五、存在的主要问题及改进情况", "一是问题。"]
    r = parse("\n".join(lines))
    t2, t3, t4 = r.tables["t2"], r.tables["t3"], r.tables["t4"]
    assert t2.layout == t3.layout == t4.layout == "cell_per_line"
    assert [t2.value("regulations", c) for c in ("made", "repealed", "in_force")] == [1, 0, None]
    assert t2.cell("regulations", "in_force").state == "blank"
    assert [t2.value("normative_documents", c) for c in ("made", "repealed", "in_force")] == [2, 0, 12]
    assert t2.cell("penalty", "decisions").state == "blank"
    assert values(t3, T3_ROWS, lambda _: T3_COLS) == t3_expected()
    assert t4.value("litigation_after_review", "total") == 3
    assert t4.value("review", "upheld") == 0
    assert_offsets(r)


# ---- grids (HTML / DOCX / PDF markup)


def build_grid(prefix: str, rows: list[list[tuple[str, bool]]], suffix: str) -> tuple[str, RawTable]:
    """Write rows as the loader does (cells joined by ' | ', spanned copies empty) and return
    (text, RawTable) with offsets into the text."""
    out = prefix
    grid = []
    start = len(out)
    for row in rows:
        cells = []
        for i, (txt, spanned) in enumerate(row):
            if i:
                out += " | "
            shown = "" if spanned else txt
            s = len(out)
            out += shown
            cells.append(GridCell(txt, s, s + len(shown), spanned))
        out += "\n"
        grid.append(cells)
    end = len(out)
    return out + suffix, RawTable(grid, start, end)


def shift(table: RawTable, off: int) -> RawTable:
    for row in table.cells:
        for c in row:
            c.start += off
            c.end += off
    table.start += off
    table.end += off
    return table


def V(t):
    return (t, False)


def S(t):
    return (t, True)


def test_grid_tables_positions_known():
    t2_rows = [
        [V("第二十条第（一）项"), S("第二十条第（一）项"), S("第二十条第（一）项"), S("第二十条第（一）项")],
        [V("信息内容"), V("本年制发件数"), V("本年废止件数"), V("现行有效件数")],
        [V("规章"), V("1"), V(""), V("3")],
        [V("行政规范性文件"), V("2"), V("/"), V("12")],
        [V("第二十条第（五）项"), S("x"), S("x"), S("x")],
        [V("信息内容"), V("本年处理决定数量"), S("本年处理决定数量"), S("本年处理决定数量")],
        [V("行政许可"), V("1,234"), S("1,234"), S("1,234")],
        [V("行政处罚"), V("—"), S("—"), S("—")],
        [V("行政强制"), V(""), S(""), S("")],
        [V("行政事业性收费"), V("0.35"), S("0.35"), S("0.35")],
    ]
    text, g2 = build_grid("前言。\n二、主动公开政府信息情况\n", t2_rows, "三、收到和处理政府信息公开申请情况\n")
    head = [
        [V("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"), S(""), S(""), V("申请人情况")] + [S("")] * 6,
        [S(""), S(""), S(""), V("自然人"), V("法人或其他组织")] + [S("")] * 4 + [V("总计")],
        [S("")] * 4 + [V("商业企业"), V("科研机构"), V("社会公益组织"), V("法律服务机构"), V("其他")] + [S("")],
    ]
    body = []
    vals = {0: ["2", "", "1", "", "", "", "3"], 2: ["1", "", "1", "", "", "", "2"], 16: ["", "", "", "", "", "", ""],
            23: ["3", "", "2", "", "", "", "5"], 24: ["", "", "", "", "", "", ""]}
    group = None
    for i, (label, g) in enumerate(T3_LABELS):
        if i == 0 or i == 1 or i == 24:
            lab = [V(label), S(label), S(label)]
        elif i in (2, 3):
            top = V("三、本年度办理结果") if i == 2 else S("三、本年度办理结果")
            lab = [top, V(label), S(label)]
        else:
            if g:
                group = g
            lab = [S("三、本年度办理结果"), V(group) if g else S(group), V(label)]
        body.append(lab + [V(x) for x in vals.get(i, ["0"] * 7)])
    # (二)部分公开 row: one value for natural persons
    body[3] = body[3][:3] + [V(x) for x in ["0", "0", "0", "0", "0", "0", "0"]]
    t3text, g3 = build_grid("", head + body, "四、政府信息公开行政复议、行政诉讼情况\n")
    g3 = shift(g3, len(text))
    text += t3text
    t4_rows = [
        [V("行政复议")] + [S("")] * 4 + [V("行政诉讼")] + [S("")] * 9,
        [V("结果维持"), V("结果纠正"), V("其他结果"), V("尚未审结"), V("总计"), V("未经复议直接起诉")] + [S("")] * 4
        + [V("复议后起诉")] + [S("")] * 4,
        [S("")] * 5 + [V("结果维持"), V("结果纠正"), V("其他结果"), V("尚未审结"), V("总计")] * 2,
        [V(x) for x in ["1", "0", "0", "1", "2", "0", "0", "0", "0", "0", "", "", "", "", ""]],
    ]
    t4text, g4 = build_grid("", t4_rows, "五、存在的主要问题及改进情况\n正文。\n")
    g4 = shift(g4, len(text))
    text += t4text
    r = Report(source="x.html", text=text, norm=norm_of(text), kind="html", raw_tables=[g2, g3, g4])
    extract_tables(r)
    t2, t3, t4 = r.tables["t2"], r.tables["t3"], r.tables["t4"]
    assert t2.layout == t3.layout == t4.layout == "grid"
    assert [t2.value("regulations", c) for c in ("made", "repealed", "in_force")] == [1, None, 3]
    assert t2.cell("regulations", "repealed").state == "blank"
    assert [t2.value("normative_documents", c) for c in ("made", "repealed", "in_force")] == [2, None, 12]
    assert t2.value("licensing", "decisions") == 1234
    assert t2.cell("penalty", "decisions").state == "blank"
    assert t2.cell("coercion", "decisions").state == "blank"
    assert t2.value("fees", "amount_wan_yuan") == 0.35
    assert [t3.value("new_received", c) for c in T3_COLS] == [2, None, 1, None, None, None, 3]
    assert [t3.cell("new_received", c).state for c in T3_COLS] == ["number", "blank", "number", "blank", "blank",
                                                                      "blank", "number"]
    assert [t3.value("results_total", c) for c in T3_COLS] == [3, None, 2, None, None, None, 5]
    assert [t3.cell("declined_duplicate", c).state for c in T3_COLS] == ["blank"] * 7
    assert t3.value("withheld_state_secret", "total") == 0
    assert t3.value("other_other", "total") == 0
    assert t3.ambiguous_rows == [] and t3.format == "2021"
    assert [t4.value("review", c) for c in T4_COLS] == [1, 0, 0, 1, 2]
    assert [t4.value("litigation_direct", c) for c in T4_COLS] == [0] * 5
    assert [t4.cell("litigation_after_review", c).state for c in T4_COLS] == ["blank"] * 5
    assert_offsets(r)


# ---- 2019 trial format


def test_2019_trial_format():
    lines = [
        "二、主动公开政府信息情况",
        "第二十条第（一）项 | |||",
        "信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |",
        "规章 | 0 | 0 | 0 |",
        "规范性文件 | 2 | 2 | 15 |",
        "第二十条第（五）项 | |||",
        "信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |",
        "行政许可 | 35 | -2 | 1200 |",
        "其他对外管理服务事项 | 3 | 0 | 45 |",
        "第二十条第（六）项 | |||",
        "信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |",
        "行政处罚 | 10 | +1 | 230 |",
        "行政强制 | 2 | 0 | 5 |",
        "第二十条第（八）项 | |||",
        "信息内容 | 上一年项目数量 | 本年增/减 | |",
        "行政事业性收费 | 4 | -1 | |",
        "第二十条第（九）项 | |||",
        "信息内容 | 采购项目数量 | 采购总金额 | |",
        "政府集中采购 | 12 | 356.8 | |",
        "三、收到和处理政府信息公开申请情况",
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 | ||||||||",
    ]
    vals = {0: "5 | 1 | 0 | 0 | 0 | 0 | 6", 2: "3 | 1 | 0 | 0 | 0 | 0 | 4", 3: "1 | 0 | 0 | 0 | 0 | 0 | 1",
            12: "1 | 0 | 0 | 0 | 0 | 0 | 1", 23: "5 | 1 | 0 | 0 | 0 | 0 | 6"}
    zero = " | ".join(["0"] * 7)
    for i, (label, group) in enumerate(T3_LABELS):
        if 20 <= i <= 22:
            if i == 20:
                lines.append("（六）其他处理 | " + zero + " |")
            continue
        lines.append(((group + " | ") if group else "") + label + " | " + vals.get(i, zero) + " |")
    lines += ["四、政府信息公开行政复议、行政诉讼情况", "行政复议 | 行政诉讼 | |||", "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |",
              " | ".join(["0", "1", "0", "0", "1"] + ["0"] * 10) + " |", "五、存在的主要问题及改进情况", "一是问题。"]
    r = parse("\n".join(lines))
    t2, t3, t4 = r.tables["t2"], r.tables["t3"], r.tables["t4"]
    assert t2.format == "2019" and t3.format == "2019" and t4.format == "2019"
    assert values(t2, ["regulations", "normative_documents", "licensing", "other_services", "penalty", "coercion", "fees",
                       "procurement"], lambda k: list(t2.rows[k])) == {
        "regulations": [0, 0, 0], "normative_documents": [2, 2, 15], "licensing": [35, -2, 1200],
        "other_services": [3, 0, 45], "penalty": [10, 1, 230], "coercion": [2, 0, 5], "fees": [4, -1],
        "procurement": [12, 356.8]}
    assert list(t2.rows["licensing"]) == ["prev_count", "change", "decisions"]
    assert list(t2.rows["fees"]) == ["prev_count", "change"]
    assert list(t2.rows["procurement"]) == ["count", "amount"]
    assert not any("负数" in n for n in t2.notes)  # 本年增/减 may be negative
    assert [t3.value("other_processing", c) for c in T3_COLS] == [0] * 7
    assert "other_no_correction" not in t3.rows
    assert [t3.value("results_total", c) for c in T3_COLS] == [5, 1, 0, 0, 0, 0, 6]
    assert [t3.value("unable_not_held", c) for c in T3_COLS] == [1, 0, 0, 0, 0, 0, 1]
    assert [t4.value("review", c) for c in T4_COLS] == [0, 1, 0, 0, 1]


# ---- locating tables


def test_uses_sections_and_falls_back_to_labels():
    text = plain_report(STD_T2, {0: "1000001"}, "0" * 15)
    heads = ["二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况",
             "五、存在的主要问题及改进情况"]
    pos = [text.index(h) for h in heads]
    secs = [Section(n, heads[i], pos[i], pos[i] + len(heads[i]) + 1, pos[i + 1]) for i, n in enumerate((2, 3, 4))]
    r = parse(text, sections=secs)
    assert r.tables["t3"].value("new_received", "total") == 1
    assert not any("未在对应章节" in n for t in r.tables.values() for n in t.notes)
    # wrong sections (all pointing at the preface): tables are still found by their labels
    bad = [Section(n, "x", 0, 0, 5) for n in (2, 3, 4)]
    r2 = parse(text, sections=bad)
    assert r2.tables["t3"].value("new_received", "total") == 1
    assert r2.tables["t4"].found
    assert any("未在对应章节" in n for n in r2.tables["t3"].notes)
    # no headings at all: anchors (第二十条, 申请人情况, 行政复议) still locate the tables
    bare = text
    for h in heads[:3]:
        bare = bare.replace(h + "\n", "")
    r3 = parse(bare)
    assert r3.tables["t2"].found and r3.tables["t3"].found and r3.tables["t4"].found
    assert r3.tables["t3"].value("new_received", "natural_person") == 1
    assert [r3.tables["t4"].value("review", c) for c in T4_COLS] == [0] * 5


def test_prose_mentioning_labels_is_not_a_table():
    text = "二、主动公开政府信息情况\n规章制度建设情况良好。\n三、收到和处理政府信息公开申请情况\n本年度未收到申请。\n"
    r = parse(text)
    assert not r.tables["t2"].found and not r.tables["t3"].found


# ---- property: explicit layouts read back exactly; glued runs are exact or ambiguous, never wrong


def render(values_t3, layout):
    lines = ["三、收到和处理政府信息公开申请情况", "申请人情况 |" if layout.startswith("pipe") else "申请人情况"]
    for (label, group), vals in zip(T3_LABELS, values_t3):
        cells = [str(v) for v in vals]
        if layout == "pipe_lines":  # one cell per line, each ending " |", colspan padding
            if group:
                lines.append(group + " |")
            lines.append(label + " |")
            lines += [c + " |" for c in cells[:-1]] + [cells[-1] + " | ||"]
        elif layout == "pipe_row":
            lines.append(((group + " | ") if group else "") + label + " | " + " | ".join(cells) + " | |")
        elif layout == "tabs":
            lines += ([""] + (["\t" + group] if group else []) + ["\t" + label] + ["\t" + c for c in cells])
        elif layout == "spaces":
            lines.append((group or "") + label + " " + " ".join(cells))
        else:  # glued
            lines.append((group or "") + label + "".join(cells))
    lines += ["四、政府信息公开行政复议、行政诉讼情况"]
    return "\n".join(lines) + "\n"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.integers(0, 30), min_size=6, max_size=6), min_size=25, max_size=25),
       st.sampled_from(["pipe_lines", "pipe_row", "tabs", "spaces", "glued"]))
def test_property_layouts_round_trip(parts, layout):
    table = [p + [sum(p)] for p in parts]
    t3 = parse(render(table, layout)).tables["t3"]
    assert t3.found
    for key, vals in zip(T3_ROWS, table):
        got = [t3.cell(key, c) for c in T3_COLS]
        if layout == "glued" and key in t3.ambiguous_rows:
            assert all(c.state == "ambiguous" and c.value is None for c in got)
            continue
        assert [c.value for c in got] == vals, (layout, key)
    if layout != "glued":
        assert t3.ambiguous_rows == []
