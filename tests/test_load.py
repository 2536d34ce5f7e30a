"""Tests for inference.loaders: encodings, HTML/DOCX/PDF tables, and every error code."""
from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from inference.errors import ReportError
from inference.loaders import MAX_BYTES, load

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
REPORT = (
    "某县人民政府2023年政府信息公开工作年度报告\n"
    "根据《中华人民共和国政府信息公开条例》，现公布本报告。\n"
    "一、总体情况\n全年主动公开信息100条。\n"
    "六、其他需要报告的事项\n无。\n"
)


def _code(path) -> str:
    with pytest.raises(ReportError) as ei:
        load(path)
    assert ei.value.path == str(path)
    assert ei.value.reason  # a Chinese reason is always given
    return ei.value.code


def _check_offsets(report) -> None:
    """Every non-spanned GridCell must point at its own text inside report.text."""
    for t in report.raw_tables:
        assert 0 <= t.start <= t.end <= len(report.text)
        for row in t.cells:
            for c in row:
                if c.spanned:
                    assert c.start == c.end
                else:
                    assert report.text[c.start : c.end] == c.text


# ---------------------------------------------------------------- plain text


def test_txt_utf8(tmp_path):
    p = tmp_path / "r.txt"
    p.write_bytes(REPORT.encode("utf-8"))
    r = load(p)
    assert r.text == REPORT and r.kind == "txt" and r.encoding == "utf-8"


def test_txt_utf8_bom_and_crlf(tmp_path):
    p = tmp_path / "r.txt"
    p.write_bytes(b"\xef\xbb\xbf" + REPORT.replace("\n", "\r\n").encode("utf-8"))
    r = load(p)
    assert r.text == REPORT
    assert r.encoding == "utf-8-sig"


def test_txt_gbk(tmp_path):
    p = tmp_path / "r.txt"
    p.write_bytes(REPORT.encode("gbk"))
    r = load(p)
    assert r.text == REPORT
    assert r.encoding in ("gbk", "gb18030")


def test_txt_gb18030_only_chars(tmp_path):
    text = REPORT + "㐀䶵\n"  # CJK extension A: not in GBK, in GB18030
    p = tmp_path / "r.txt"
    p.write_bytes(text.encode("gb18030"))
    r = load(p)
    assert r.text == text and r.encoding == "gb18030"


def test_txt_that_is_html_is_read_as_html(tmp_path):
    p = tmp_path / "r.txt"
    p.write_text("<!DOCTYPE html><html><body><p>2023年政府信息公开工作年度报告</p><p>一、总体情况</p></body></html>", encoding="utf-8")
    r = load(p)
    assert r.kind == "html"
    assert r.text.splitlines() == ["2023年政府信息公开工作年度报告", "一、总体情况"]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seeds folder missing")
def test_seeds_load():
    files = sorted(SEEDS.glob("*.txt"))
    assert len(files) >= 5
    for f in files:
        r = load(f)
        assert r.kind == "txt" and r.encoding == "utf-8"
        assert "\r" not in r.text
        assert "一、总体情况" in r.text


# ---------------------------------------------------------------- HTML

HTML = """<html><head><meta charset="gbk"><title>某县人民政府2023年政府信息公开工作年度报告</title>
<script>var hidden = "脚本文字";</script><style>p {color: red}</style></head>
<body><nav>导航文字 首页</nav>
<h1>某县人民政府2023年政府信息公开工作年度报告</h1>
<p>根据《中华人民共和国政府信息公开条例》，现公布<b>某县人民政府</b>2023年政府信息公开工作年度报告。</p>
<p>一、总体情况</p><p>（一）主动公开<br>全年主动公开信息100条。</p>
<p>二、主动公开政府信息情况</p>
<table border="1"><tr><td colspan="4">第二十条第（一）项</td></tr>
<tr><th>信息内容</th><th>本年制发件数</th><th>本年废止件数</th><th>现行有效件数</th></tr>
<tr><td rowspan="2">规章</td><td>1</td><td></td><td>3</td></tr>
<tr><td>4</td><td>5</td><td>6</td></tr>
<tr><td>结果<br>纠正</td><td>a|b</td><td>7</td><td>8</td></tr></table>
<p>六、其他需要报告的事项</p><p>无。</p></body></html>"""


def test_html_table_grid(tmp_path):
    p = tmp_path / "r.html"
    p.write_bytes(HTML.encode("gbk"))
    r = load(p)
    assert r.kind == "html" and r.encoding in ("gbk", "gb18030")
    assert "脚本文字" not in r.text and "导航文字" not in r.text and "color" not in r.text
    lines = r.text.splitlines()
    assert "根据《中华人民共和国政府信息公开条例》，现公布某县人民政府2023年政府信息公开工作年度报告。" in lines
    assert "（一）主动公开" in lines and "全年主动公开信息100条。" in lines
    assert len(r.raw_tables) == 1
    t = r.raw_tables[0]
    grid = [[(c.text, c.spanned) for c in row] for row in t.cells]
    assert grid[0] == [("第二十条第（一）项", False)] + [("第二十条第（一）项", True)] * 3
    assert grid[2] == [("规章", False), ("1", False), ("", False), ("3", False)]
    assert grid[3] == [("规章", True), ("4", False), ("5", False), ("6", False)]
    assert grid[4][0] == ("结果纠正", False)  # <br> inside a CJK cell joins without a space
    assert "|" not in grid[4][1][0]  # a literal pipe cannot break the row format
    # table written as one line per row, spanned copies empty
    assert "规章 | 1 |  | 3" in lines
    assert " | 4 | 5 | 6" in lines
    assert "第二十条第（一）项 |  |  | " in lines
    _check_offsets(r)
    # block order: table between section 二 and 六
    assert r.text.index("二、主动公开政府信息情况") < t.start < r.text.index("六、其他需要报告的事项")


def test_html_layout_table_is_not_a_data_table(tmp_path):
    body = "根据《中华人民共和国政府信息公开条例》现公布2023年政府信息公开工作年度报告。" * 5
    inner = "<table><tr><td>规章</td><td>0</td></tr></table>"
    html = f"<html><body><table><tr><td><p>{body}</p>{inner}</td></tr></table></body></html>"
    p = tmp_path / "r.htm"
    p.write_text(html, encoding="utf-8")
    r = load(p)
    assert len(r.raw_tables) == 1
    assert [[c.text for c in row] for row in r.raw_tables[0].cells] == [["规章", "0"]]
    _check_offsets(r)


# ---------------------------------------------------------------- DOCX


def _make_docx(path: Path) -> None:
    docx = pytest.importorskip("docx")
    doc = docx.Document()
    doc.add_paragraph("某市人民政府2023年政府信息公开工作年度报告")
    doc.add_paragraph("一、总体情况")
    doc.add_paragraph("全年主动公开信息100条。")
    doc.add_paragraph("二、主动公开政府信息情况")
    t = doc.add_table(rows=3, cols=3)
    t.cell(0, 0).merge(t.cell(0, 2)).text = "第二十条第（一）项"
    t.cell(1, 0).text = "信息内容"
    t.cell(1, 1).text = "本年制发件数"
    t.cell(1, 2).text = "本年废止件数"
    t.cell(1, 0).merge(t.cell(2, 0))
    t.cell(2, 1).text = "7"
    t.cell(2, 2).text = "8"
    doc.add_paragraph("三、收到和处理政府信息公开申请情况")
    doc.save(path)


def test_docx_paragraphs_and_merged_cells(tmp_path):
    p = tmp_path / "r.docx"
    _make_docx(p)
    r = load(p)
    assert r.kind == "docx"
    lines = r.text.splitlines()
    assert lines[:4] == ["某市人民政府2023年政府信息公开工作年度报告", "一、总体情况", "全年主动公开信息100条。", "二、主动公开政府信息情况"]
    assert lines[-1] == "三、收到和处理政府信息公开申请情况"  # document order kept around the table
    assert len(r.raw_tables) == 1
    grid = [[(c.text, c.spanned) for c in row] for row in r.raw_tables[0].cells]
    assert grid[0] == [("第二十条第（一）项", False), ("第二十条第（一）项", True), ("第二十条第（一）项", True)]
    assert grid[2] == [("信息内容", True), ("7", False), ("8", False)]
    assert " | 7 | 8" in lines
    _check_offsets(r)


# ---------------------------------------------------------------- PDF


def _reportlab():
    return pytest.importorskip("reportlab", reason="reportlab not installed (test-only dependency)")


def test_pdf_text_and_table_not_duplicated(tmp_path):
    _reportlab()
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    st = ParagraphStyle("cn", fontName="STSong-Light", fontSize=11, leading=16)
    tb = Table([["信息内容", "本年制发件数", "本年废止件数"], ["规章", "1", "2"], ["行政规范性文件", "3", "4"]])
    tb.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), "STSong-Light"), ("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    story = [
        Paragraph("某区人民政府2023年政府信息公开工作年度报告", st),
        Paragraph("一、总体情况", st),
        Paragraph("二、主动公开政府信息情况", st),
        tb,
        Paragraph("三、收到和处理政府信息公开申请情况", st),
    ]
    p = tmp_path / "r.pdf"
    SimpleDocTemplate(str(p), pagesize=A4).build(story)
    r = load(p)
    assert r.kind == "pdf"
    assert r.text.count("行政规范性文件") == 1  # table text is not repeated as prose
    lines = r.text.splitlines()
    assert lines.index("二、主动公开政府信息情况") < lines.index("规章 | 1 | 2") < lines.index("三、收到和处理政府信息公开申请情况")
    assert [[c.text for c in row] for row in r.raw_tables[0].cells][2] == ["行政规范性文件", "3", "4"]
    _check_offsets(r)


def _geometry_reads(data: bytes):
    """Each page read twice through the same table finder: pdfium's geometry and pdfplumber's (pdfminer)."""
    import io

    import pdfplumber
    import pypdfium2 as pdfium

    from inference import loaders, pdf_geometry

    def read(pages):
        b = loaders._Builder()
        for geo in pages:
            pdf_geometry.page_text_and_tables(geo, b.line, b.table, loaders._cell_text)
        return b.text(), [[[c.text for c in row] for row in t.cells] for t in b.tables]

    doc = pdfium.PdfDocument(data)
    fast = []
    for i in range(len(doc)):
        page = doc[i]
        fast.append(pdf_geometry.pdfium_page(page, page.get_textpage()))
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        slow = [pdf_geometry.plumber_page(p) for p in pdf.pages]
    return read(fast), read(slow), fast


def test_pdfium_geometry_reads_what_pdfplumber_reads(tmp_path):
    (fast_text, fast_tables), (slow_text, slow_tables), pages = _geometry_reads(
        (Path(__file__).resolve().parents[1] / "data" / "samples" / "s07_linjiang_city_gov_2024.pdf").read_bytes())
    assert fast_tables and fast_text == slow_text and fast_tables == slow_tables
    assert all(e["orientation"] in "hv" for p in pages for e in p.edges) and any(p.edges for p in pages)

    _reportlab()  # rectangles with merged cells (SPAN, BOX, INNERGRID) instead of single lines
    from reportlab.lib import colors
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    tb = Table([["信息内容", "本年新增", ""], ["", "件数", "数量"], ["规章", "1", "2"], ["行政规范性文件", "3", "/"]])
    tb.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), "STSong-Light"), ("SPAN", (1, 0), (2, 0)),
                            ("SPAN", (0, 0), (0, 1)), ("BOX", (0, 0), (-1, -1), 1.0, colors.black),
                            ("INNERGRID", (0, 0), (-1, -1), 0.25, colors.black)]))
    p = tmp_path / "spans.pdf"
    SimpleDocTemplate(str(p)).build([tb])
    (fast_text, fast_tables), (slow_text, slow_tables), _ = _geometry_reads(p.read_bytes())
    assert fast_tables == slow_tables and fast_text == slow_text
    assert fast_tables[0][3] == ["行政规范性文件", "3", "/"] and fast_tables[0][0][:2] == ["信息内容", "本年新增"]


def test_pdf_without_text_layer_is_scanned(tmp_path):
    _reportlab()
    from reportlab.pdfgen import canvas

    p = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(p))
    c.rect(100, 100, 300, 400, fill=1)  # an "image" of a page: graphics, no text
    c.showPage()
    c.save()
    assert _code(p) == "scanned_pdf"


# ---------------------------------------------------------------- errors


def test_error_missing(tmp_path):
    assert _code(tmp_path / "nope.txt") == "missing"


def test_error_directory(tmp_path):
    d = tmp_path / "dir.txt"
    d.mkdir()
    assert _code(d) == "not_file"


def test_error_empty(tmp_path):
    p = tmp_path / "e.txt"
    p.write_bytes(b"")
    assert _code(p) == "empty"
    p.write_bytes(b"  \n\r\n\t ")
    assert _code(p) == "empty"


def test_error_binary(tmp_path):
    p = tmp_path / "junk.txt"
    p.write_bytes(bytes(range(256)) * 8 + os.urandom(512))
    assert _code(p) == "binary"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 100)
    assert _code(p) == "binary"


def test_error_too_large(tmp_path):
    p = tmp_path / "big.txt"
    with open(p, "wb") as f:
        f.truncate(MAX_BYTES + 1)  # sparse: no real disk use
    assert _code(p) == "too_large"


def test_error_pdf_that_is_not_pdf(tmp_path):
    p = tmp_path / "fake.pdf"
    p.write_text("这不是PDF 政府信息公开工作年度报告", encoding="utf-8")
    assert _code(p) == "corrupt"
    p.write_bytes(b"%PDF-1.4\ngarbage that is not a pdf body\n%%EOF")
    assert _code(p) == "corrupt"


def test_error_zip_renamed_docx(tmp_path):
    p = tmp_path / "fake.docx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("hello.txt", "政府信息公开工作年度报告")
    assert _code(p) == "corrupt"
    p.write_bytes(b"PK\x03\x04 truncated zip")
    assert _code(p) == "corrupt"


def test_error_unsupported(tmp_path):
    for ext in (".doc", ".xlsx", ".gif", ".zzz"):
        p = tmp_path / f"r{ext}"
        p.write_bytes(b"x")
        assert _code(p) == "unsupported"
    # pictures are read by OCR (issue 12): a broken one is corrupt, or says what to install
    p = tmp_path / "r.png"
    p.write_bytes(b"x")
    assert _code(p) in ("corrupt", "ocr_unavailable")


def test_error_unreadable(tmp_path):
    p = tmp_path / "r.txt"
    p.write_bytes(bytes(range(128, 256)) * 4)  # no NULs, but no encoding makes text of it
    assert _code(p) == "unreadable"


def test_error_not_report(tmp_path):
    p = tmp_path / "r.txt"
    p.write_text("今天天气很好，我们去公园散步。\n晚饭吃饺子。\n", encoding="utf-8")
    assert _code(p) == "not_report"


def test_error_gbk_not_report_still_decoded(tmp_path):
    # GBK text is decoded (not 'unreadable' / 'binary'); it fails only for not being a report
    p = tmp_path / "r.txt"
    p.write_bytes("通知：明天开会，请准时参加。".encode("gbk"))
    assert _code(p) == "not_report"


def test_html_gbk_without_charset_and_http_equiv(tmp_path):
    body = "<html><body><p>某县2023年政府信息公开工作年度报告</p><p>一、总体情况</p></body></html>"
    p = tmp_path / "a.htm"
    p.write_bytes(body.encode("gbk"))  # no charset declared anywhere
    assert load(p).text.splitlines() == ["某县2023年政府信息公开工作年度报告", "一、总体情况"]
    head = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>'
    p.write_bytes((head + body[6:]).encode("gbk"))
    assert load(p).text.splitlines() == ["某县2023年政府信息公开工作年度报告", "一、总体情况"]
