"""`nianbao inspect FILE [--json]`: parse one report and print its structure and checks."""
from __future__ import annotations

import argparse
import json
import sys

STATUS_SYMBOL = {"fail": "✗", "uncertain": "?", "not_assessable": "–", "pass": "✓"}
STATUS_ORDER = {"fail": 0, "uncertain": 1, "not_assessable": 2, "pass": 3}
SECTION_NUMERALS = "一二三四五六"
FORMAT_NAMES = {"2021": "2021版（国办公开办函〔2021〕30号）", "2019": "2019版试行格式", "older": "2019年以前（无统一格式）", "unknown": "未能判断"}
TABLE_NAMES = {"t2": "表二 主动公开政府信息情况", "t3": "表三 收到和处理政府信息公开申请情况", "t4": "表四 行政复议、行政诉讼情况"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="文件", help="报告文件（.txt .html .htm .docx .pdf，装有 OCR 扩展时也可为图片）")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出解析结果")


def summary(report) -> str:
    """Readable Chinese summary of a parsed report."""
    m = report.meta
    out: list[str] = []
    out.append(f"文件: {report.source}（{report.kind}{'，' + report.encoding if report.encoding else ''}）")
    out.append(f"机关: {m.agency or '未识别'}" + (f"（{m.level}）" if m.level else ""))
    out.append(f"年度: {m.year if m.year is not None else '未识别'}")
    out.append(f"格式: {FORMAT_NAMES.get(m.format, m.format)}")
    out.append(f"发布日期: {m.published_on or '未识别'}    落款日期: {m.signed_on or '未识别'}")
    if m.period:
        out.append(f"统计期限: {m.period[0]} 至 {m.period[1]}")
    if m.url:
        out.append(f"网址: {m.url}")
    from inference.ocr import summary as ocr_summary

    if ocr_summary(report):
        out.append(ocr_summary(report))
    if report.removed:
        n = sum(e - s for s, e, _ in report.removed)
        out.append(f"已清除网页杂项/重复内容: {len(report.removed)} 处，共 {n} 字")
    out.append("")
    out.append("各部分:")
    if not report.sections:
        out.append("  （未找到任何部分标题）")
    for s in report.sections:
        num = SECTION_NUMERALS[s.number - 1] if 1 <= s.number <= 6 else str(s.number)
        out.append(f"  {num}、{s.title}  [{s.start}-{s.end}]  {s.end - s.body_start} 字")
        for p in s.subparts:
            out.append(f"      · {p.title}（{p.kind}）[{p.start}-{p.end}]")
    missing = [SECTION_NUMERALS[n - 1] for n in range(1, 7) if report.section(n) is None]
    if missing:
        out.append(f"  缺少: {'、'.join(missing)}")
    out.append("")
    out.append("表格:")
    if not report.tables:
        out.append("  （未提取表格）")
    for key, t in report.tables.items():
        name = TABLE_NAMES.get(key, key)
        if not t.found:
            out.append(f"  {name}: 未找到")
            continue
        line = f"  {name}: 已找到，版式 {t.layout or '未知'}，格式 {t.format}，{len(t.rows)} 行"
        if t.start is not None:
            line += f" [{t.start}-{t.end}]"
        out.append(line)
        if t.ambiguous_rows:
            out.append(f"      有歧义的行: {'、'.join(t.ambiguous_rows)}")
        for note in t.notes:
            out.append(f"      注: {note}")
    out.append("")
    out.append("检查:")
    if not report.checks:
        out.append("  （没有检查结果）")
    for c in sorted(report.checks, key=lambda c: STATUS_ORDER.get(c.status, 9)):
        out.append(f"  {STATUS_SYMBOL.get(c.status, '?')} [{c.id}] {c.message}")
    counts = {st: sum(1 for c in report.checks if c.status == st) for st in STATUS_ORDER}
    if report.checks:
        out.append(
            f"  合计: 不通过 {counts['fail']}，存疑 {counts['uncertain']}，无法判断 {counts['not_assessable']}，通过 {counts['pass']}"
        )
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    from inference.errors import ReportError
    from inference.pipeline import read_report

    try:
        report = read_report(args.file)
    except ReportError as e:
        print(f"错误: {e.path}: {e.reason}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.to_dict(full=False), ensure_ascii=False, indent=2))
    else:
        print(summary(report))
    return 0
