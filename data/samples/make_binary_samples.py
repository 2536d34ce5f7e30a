"""Generate the HTML, DOCX and PDF samples from the invented texts defined in make_samples.py.

Run from the repo root:  python data/samples/make_binary_samples.py   (or make_samples.py, which calls it)

Needs python-docx (in the project venv) and reportlab (only here, not at run time:
`pip install reportlab`, or put it on PYTHONPATH). The PDF uses reportlab's built-in CID font
STSong-Light, so it has a real text layer that pdfplumber reads back.
Tables are written as real tables with merged cells, laid out like the official report formats.
"""
from __future__ import annotations

import html
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from samplekit import (  # noqa: E402
    T3_HEAD_NOTE,
    T3_PARTY_LABELS,
    T4_COL_LABELS,
    Sample,
    t2_spec,
    t3_result_rows,
    t4_flat,
)

# A span table: rows of (text, rowspan, colspan) in HTML order.
SpanRow = list[tuple[str, int, int]]


def t2_span(s: Sample) -> tuple[int, list[SpanRow]]:
    width = 4
    rows: list[SpanRow] = []
    for heading, header, items in t2_spec(s.fmt):
        rows.append([(heading, 1, width)])
        extra = width - len(header)
        rows.append([(h, 1, 1 + (extra if i == len(header) - 1 else 0)) for i, h in enumerate(header)])
        for key, label, cols in items:
            vals = s.t2[key]
            extra = width - 1 - len(vals)
            rows.append([(label, 1, 1)] + [(v, 1, 1 + (extra if i == len(vals) - 1 else 0)) for i, v in enumerate(vals)])
    return width, rows


def t3_span(s: Sample) -> tuple[int, list[SpanRow]]:
    t3 = s.t3
    result_rows = t3_result_rows(s.fmt)
    rows: list[SpanRow] = [
        [(T3_HEAD_NOTE, 3, 3), ("申请人情况", 1, 7)],
        [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)],
        [(x, 1, 1) for x in T3_PARTY_LABELS],
        [("一、本年新收政府信息公开申请数量", 1, 3)] + [(v, 1, 1) for v in t3.rows["new_received"]],
        [("二、上年结转政府信息公开申请数量", 1, 3)] + [(v, 1, 1) for v in t3.rows["carried_over"]],
    ]
    n_result = len(result_rows) + 1
    group_sizes: dict[str, int] = {}
    for _, g, _ in result_rows:
        if g:
            group_sizes[g] = group_sizes.get(g, 0) + 1
    last = None
    for i, (key, group, label) in enumerate(result_rows):
        row: SpanRow = []
        if i == 0:
            row.append(("三、本年度办理结果", n_result, 1))
        if group is None:
            row.append((label, 1, 2))
        else:
            if group != last:
                row.append((group, group_sizes[group], 1))
            row.append((label, 1, 1))
        last = group
        rows.append(row + [(v, 1, 1) for v in t3.rows[key]])
    rows.append([("（七）总计", 1, 2)] + [(v, 1, 1) for v in t3.rows["results_total"]])
    rows.append([("四、结转下年度继续办理", 1, 3)] + [(v, 1, 1) for v in t3.rows["carried_forward"]])
    return 10, rows


def t4_span(s: Sample) -> tuple[int, list[SpanRow]]:
    return 15, [
        [("行政复议", 1, 5), ("行政诉讼", 1, 10)],
        [(x, 2, 1) for x in T4_COL_LABELS] + [("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)],
        [(x, 1, 1) for x in T4_COL_LABELS * 2],
        [(v, 1, 1) for v in t4_flat(s.t4)],
    ]


def tables_of(s: Sample) -> dict[int, tuple[int, list[SpanRow]]]:
    out = {2: t2_span(s), 3: t3_span(s)}
    if s.t4 is not None:
        out[4] = t4_span(s)
    return out


def to_grid(width: int, rows: list[SpanRow]):
    """Expand a span table to absolute cells: list of (r, c, rowspan, colspan, text)."""
    occupied: set[tuple[int, int]] = set()
    cells = []
    for r, row in enumerate(rows):
        c = 0
        for text, rs, cs in row:
            while (r, c) in occupied:
                c += 1
            cells.append((r, c, rs, cs, text))
            for dr in range(rs):
                for dc in range(cs):
                    occupied.add((r + dr, c + dc))
            c += cs
        if c > width:
            raise ValueError(f"row {r} wider than {width}")
    return cells


def paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n") if p.strip()]


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------


def html_table(width: int, rows: list[SpanRow]) -> str:
    out = ['<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse;width:100%">', "<tbody>"]
    for row in rows:
        tds = []
        for text, rs, cs in row:
            attrs = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
            tds.append(f'<td{attrs} valign="center"><p style="text-align:center">{html.escape(text)}</p></td>')
        out.append("<tr>" + "".join(tds) + "</tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def write_html(s: Sample, path: Path) -> None:
    tabs = tables_of(s)
    body = []
    for pos, number in enumerate(s.order):
        body.append(f'<p style="text-indent:2em"><strong>{html.escape(s.heading(pos, number))}</strong></p>')
        for p in paragraphs(s.bodies.get(number, "")):
            body.append(f'<p style="text-indent:2em">{html.escape(p)}</p>')
        if number in tabs:
            body.append(html_table(*tabs[number]))
    sig = "".join(f'<p style="text-align:right">{html.escape(x)}</p>' for x in paragraphs(s.signature))
    page = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{html.escape(s.title)}_{html.escape(s.agency)}</title>
<meta name="ArticleTitle" content="{html.escape(s.title)}">
<meta name="PubDate" content="{s.published_on} 09:15">
<meta name="ContentSource" content="省交通运输厅办公室">
<style>body{{font-family:SimSun}} .footer{{color:#666}}</style>
<script>var _hmt = _hmt || [];</script>
</head>
<body>
<div class="header"><a href="/">首页</a> | <a href="/zwgk/">政务公开</a> | <a href="/zwfw/">政务服务</a> | <a href="/hdjl/">互动交流</a></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政府信息公开</a> &gt; 政府信息公开年度报告</div>
<div class="article">
<h1 class="title">{html.escape(s.title)}</h1>
<div class="info">发布时间：{s.published_on} 09:15　　来源：省交通运输厅办公室　　【字体：<a>大</a> <a>中</a> <a>小</a>】</div>
<div class="share">分享到：<a>微信</a> <a>微博</a></div>
<div class="content" id="zoom">
<p style="text-indent:2em">{html.escape(s.intro)}</p>
{chr(10).join(body)}
{sig}
</div>
<div class="qr">扫一扫在手机上查看当前页面</div>
<div class="tools"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
</div>
<div class="footer">
<p>主办单位：澜江省交通运输厅　地址：澜江省江城市滨湖大道1200号　邮编：650100</p>
<p>网站标识码：5300000012　滇ICP备05001234号-1　滇公网安备 53010202000456号</p>
</div>
</body>
</html>
"""
    path.write_text(page, encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------------------------


def write_docx(s: Sample, path: Path) -> None:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    d = docx.Document()
    style = d.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    style.font.size = Pt(10.5)
    for line in paragraphs(s.title):
        p = d.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        r = p.add_run(line)
        r.bold = True
        r.font.size = Pt(16)
    d.add_paragraph(s.intro)
    tabs = tables_of(s)
    for pos, number in enumerate(s.order):
        p = d.add_paragraph()
        p.add_run(s.heading(pos, number)).bold = True
        for para in paragraphs(s.bodies.get(number, "")):
            d.add_paragraph(para)
        if number in tabs:
            width, rows = tabs[number]
            cells = to_grid(width, rows)
            n_rows = len(rows)
            table = d.add_table(rows=n_rows, cols=width)
            table.style = "Table Grid"
            for r, c, rs, cs, text in cells:
                cell = table.cell(r, c)
                if rs > 1 or cs > 1:
                    cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
                cell.text = text
                for cp in cell.paragraphs:
                    cp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in paragraphs(s.signature):
        p = d.add_paragraph(line.strip())
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    d.core_properties.title = s.title.replace("\n", "")
    d.core_properties.author = "党政办公室"
    d.save(str(path))


# ---------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------


def write_pdf(s: Sample, path: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = "STSong-Light"
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=17, firstLineIndent=21, wordWrap="CJK")
    head = ParagraphStyle("head", parent=body, firstLineIndent=0, fontSize=11)
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=24, alignment=TA_CENTER, wordWrap="CJK")
    right = ParagraphStyle("right", parent=body, alignment=TA_RIGHT, firstLineIndent=0)
    cell_style = ParagraphStyle("cell", fontName=font, fontSize=7, leading=9, alignment=TA_CENTER, wordWrap="CJK")

    story = [Paragraph(html.escape(s.title), title), Spacer(1, 6 * mm), Paragraph(html.escape(s.intro), body)]
    tabs = tables_of(s)
    page_w = A4[0] - 40 * mm
    for pos, number in enumerate(s.order):
        story.append(Paragraph(html.escape(s.heading(pos, number)), head))
        for para in paragraphs(s.bodies.get(number, "")):
            story.append(Paragraph(html.escape(para), body))
        if number in tabs:
            width, rows = tabs[number]
            cells = to_grid(width, rows)
            data = [["" for _ in range(width)] for _ in rows]
            style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                     ("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 7)]
            for r, c, rs, cs, text in cells:
                data[r][c] = Paragraph(html.escape(text), cell_style) if text else ""
                if rs > 1 or cs > 1:
                    style.append(("SPAN", (c, r), (c + cs - 1, r + rs - 1)))
            if number == 3:
                widths = [16 * mm, 16 * mm, 40 * mm] + [(page_w - 72 * mm) / 7] * 7
            else:
                widths = [page_w / width] * width
            story.append(Spacer(1, 2 * mm))
            story.append(Table(data, colWidths=widths, style=TableStyle(style), repeatRows=0))
            story.append(Spacer(1, 2 * mm))
    for line in paragraphs(s.signature):
        story.append(Paragraph(html.escape(line.strip()), right))

    def footer(canvas, doc):
        canvas.setFont(font, 8)
        canvas.drawCentredString(A4[0] / 2, 12 * mm, f"— {doc.page} —")

    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                            topMargin=20 * mm, bottomMargin=20 * mm, title=s.title, author="临江市人民政府办公室",
                            invariant=1)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)


WRITERS = {"html": write_html, "docx": write_docx, "pdf": write_pdf}


def main(samples: list[Sample] | None = None) -> None:
    if samples is None:
        import make_samples

        samples = [s for s in make_samples.SAMPLES if s.kind != "txt"]
    for s in samples:
        try:
            WRITERS[s.kind](s, HERE / s.file)
        except ImportError as exc:
            print(f"{s.file}: skipped ({exc}); install python-docx / reportlab to build it")


if __name__ == "__main__":
    main()
