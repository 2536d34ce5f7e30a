"""Batch outputs: results.jsonl, summary.csv, summary.xlsx, index.html and one HTML page per report.
Everything is self-contained (inline CSS/JS, no CDN) so the pages open offline."""
from __future__ import annotations

import csv
import hashlib
import html
import os
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable

from inference.errors import NianbaoError
from inference.scoring import points_text
from inference.store import dumps

ROLE_CN = {"problem": "问题", "remedy": "改进措施", "other": "其他"}
STATUS_CN = {"done": "已采取", "planned": "计划", None: ""}
CHECK_CN = {"pass": "通过", "fail": "不通过", "uncertain": "无法确定", "not_assessable": "无法评估"}
REPORT_HEADERS = ["文件", "机关", "年度", "格式", "发布日期", "总分", "等级", "未通过检查数", "问题陈述数", "改进措施数", "主要扣分"]


TABLE_CN = {"t2": "表二 主动公开政府信息情况", "t3": "表三 收到和处理政府信息公开申请情况", "t4": "表四 行政复议、行政诉讼情况"}
STATE_CN = {"blank": "空白", "missing": "缺失", "ambiguous": "存疑", "invalid": "无效"}


def _label_names() -> tuple[dict[str, str], dict[str, str]]:
    """Chinese names of table rows and columns (data/table_labels.json)."""
    from inference.tables.config import load_config

    cfg = load_config()
    rows = {r.key: r.name for r in cfg.t3.rows}
    for _kws, spec in cfg.t2_formats.values():
        rows.update({r.key: r.name for r in spec.rows})
    rows.update({r["key"]: r["name"] for r in cfg.raw["t4"]["rows"]})
    return rows, dict(cfg.raw.get("col_names", {}))


def page_name(result: dict) -> str:
    stem = Path(result["source"]).stem
    return f"{stem[:40]}-{hashlib.sha1(result['source'].encode()).hexdigest()[:8]}.html"


def _top_deductions(result: dict, n: int = 3) -> str:
    items = [d for d in result["score"]["deductions"] if d["points"] > 0][:n]
    return "；".join(f"-{d['points']:g} {d['reason']}" for d in items)


def _report_row(r: dict) -> list:
    st = r.get("statements", [])
    return [
        r["source"], r.get("agency") or "", r.get("year") or "", r.get("format") or "", r.get("published_on") or "",
        r["score"]["total"], r["score"]["grade"], sum(1 for c in r["checks"] if c["status"] == "fail"),
        sum(1 for s in st if s["role"] == "problem"), sum(1 for s in st if s["role"] == "remedy"), _top_deductions(r),
    ]


@contextmanager
def atomic(path: Path, mode: str = "w", **kwargs):
    """Write `path` through a temporary file in the same folder, renamed over it when complete: a killed
    run leaves the previous complete file or the new one, never a truncated one."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if mode is None:  # the caller writes to the temporary path itself
            yield tmp
        else:
            with tmp.open(mode, **kwargs) as fh:
                yield fh
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_outputs(out_dir: Path, results: Iterable[dict], errors: list[dict], text_of=None) -> None:
    """`results`: any iterable of public result dicts (a list, or a generator streaming them from the run
    store), read once: results.jsonl, summary.csv, summary.xlsx (write-only sheets) and the report pages are
    written as it goes, the dashboard from counts and one short row per report, so memory does not grow with
    the batch beyond that row. `text_of(source) -> str` gives the report text for highlighting (default:
    load the file again). Every file is written atomically."""
    from contextlib import ExitStack

    out_dir = Path(out_dir)
    pages = out_dir / "reports"
    pages.mkdir(exist_ok=True)
    board = _Dashboard()
    current: set[str] = set()
    with ExitStack() as stack:
        jsonl = stack.enter_context(atomic(out_dir / "results.jsonl", encoding="utf-8"))
        summary = csv.writer(stack.enter_context(atomic(out_dir / "summary.csv", encoding="utf-8-sig", newline="")))
        summary.writerow(REPORT_HEADERS + ["错误"])  # utf-8-sig so that Excel opens the Chinese headers correctly
        book = _SummaryBook()
        for r in results:
            jsonl.write(dumps(r) + "\n")
            row = _report_row(r)
            summary.writerow([_csv_safe(v) for v in row + [""]])
            book.add(r, row)
            board.add(r, row)
            name = page_name(r)
            current.add(name)
            with atomic(pages / name, encoding="utf-8") as fh:
                fh.write(report_page(r, text_of(r["source"]) if text_of else None))
        _csv_errors(summary, errors)
        book.save(out_dir / "summary.xlsx", errors)
    for old in pages.glob("*.html"):  # pages of reports an earlier run scored into this folder
        if old.name not in current:
            old.unlink()
    with atomic(out_dir / "index.html", encoding="utf-8") as fh:
        fh.write(board.html(errors))


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(v):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe (OWASP CSV injection)."""
    return "'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v


def _csv_errors(w, errors: list[dict]) -> None:
    for e in errors:
        w.writerow([_csv_safe(v) for v in [e["source"]] + [""] * (len(REPORT_HEADERS) - 1) + [f"[{e['code']}] {e['error']}"]])


def _safe(v):
    """openpyxl refuses control characters; cells are capped at Excel's limit."""
    if isinstance(v, str):
        v = "".join(ch for ch in v if ch in "\t\n" or ord(ch) >= 32)
        return v[:32000]
    return v


WIDTH_ROWS = 200  # column widths come from a sheet's first rows (header included)


class _StreamSheet:
    """A write-only sheet whose first WIDTH_ROWS rows are held back until the column widths are known
    (widths and frozen panes must precede the rows in the file); later rows go straight to disk."""

    def __init__(self, wb, title: str, freeze: str = "A2"):
        self.ws = wb.create_sheet(title)
        self.ws.freeze_panes = freeze
        self.held: list[list] | None = []
        self.rows = 0
        self.cols = 0

    def append(self, values, text: bool = False) -> None:
        """One row; with text=True, values are cleaned (`_safe`) and text that looks like a formula is
        stored as text (shown as typed, never run)."""
        values = [_safe(v) for v in values] if text else list(values)
        self.rows += 1
        self.cols = max(self.cols, len(values))
        if self.held is not None:
            self.held.append((values, text))
            if len(self.held) >= WIDTH_ROWS:
                self._flush()
        else:
            self._write(values, text)

    def _write(self, values: list, text: bool, bold: bool = False) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        if not bold and not (text and any(isinstance(v, str) and v.startswith(FORMULA_START[:4]) for v in values)):
            self.ws.append(values)
            return
        cells = []
        for v in values:
            cell = WriteOnlyCell(self.ws, value=v)
            if bold:
                cell.font = Font(bold=True)
            if text and isinstance(v, str) and v.startswith(FORMULA_START[:4]):
                cell.data_type = "s"
                cell.quotePrefix = True
            cells.append(cell)
        self.ws.append(cells)

    def _flush(self) -> None:
        from openpyxl.utils import get_column_letter

        held, self.held = self.held or [], None
        for i in range(1, self.cols + 1):
            width = max((_display_width(vals[i - 1] if i <= len(vals) else None) for vals, _ in held), default=8)
            self.ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, width + 2))
        for n, (vals, text) in enumerate(held):
            self._write(vals, text, bold=n == 0)

    def close(self) -> None:
        from openpyxl.utils import get_column_letter

        if self.held is not None:
            self._flush()
        if self.rows >= 1 and self.cols >= 1:
            self.ws.auto_filter.ref = f"A1:{get_column_letter(self.cols)}{self.rows}"


class _SummaryBook:
    """summary.xlsx written as the results stream past: sheets 报告 / 未通过检查 / 陈述 / 上年度问题整改 / 无法读取 / 指标数据,
    header rows bold, panes frozen, filters on, column widths from the first rows (openpyxl write-only)."""

    def __init__(self):
        from openpyxl import Workbook

        self.wb = Workbook(write_only=True)
        self.reports = _StreamSheet(self.wb, "报告")
        self.reports.append(REPORT_HEADERS)
        self.checks = _StreamSheet(self.wb, "未通过检查")
        self.checks.append(["文件", "机关", "年度", "检查项", "结果", "说明"])
        self.statements = _StreamSheet(self.wb, "陈述")
        self.statements.append(["文件", "机关", "部分", "角色", "类别", "具体", "状态", "置信度", "起", "止", "原文"])
        self.last_year = _StreamSheet(self.wb, "上年度问题整改")
        self.last_year.append(["文件", "机关", "年度", "上年度报告", "上年度问题", "类别", "结果", "本年度对应表述", "扣分", "处理说明"])
        self.errors = _StreamSheet(self.wb, "无法读取")
        self.errors.append(["文件", "错误类型", "原因"])
        self.figures = _StreamSheet(self.wb, "指标数据", freeze="C2")
        self.cols = figure_columns()
        self.figures.append(["机关", "年度", "文件"] + [h for *_k, h in self.cols])

    def add(self, r: dict, row: list | None = None) -> None:
        self.reports.append(row if row is not None else _report_row(r), text=True)
        for c in r["checks"]:
            if c["status"] in ("fail", "uncertain"):
                self.checks.append((r["source"], r.get("agency") or "", r.get("year") or "", c["id"], CHECK_CN[c["status"]], c["message"]), text=True)
        for s in r.get("statements", []):
            self.statements.append((r["source"], r.get("agency") or "", s["section"], ROLE_CN.get(s["role"], s["role"]),
                                    "、".join(s["categories"]), "是" if s["specific"] else "否", STATUS_CN.get(s["status"], ""),
                                    s["confidence"], s["start"], s["end"], s["text"]), text=True)
        self.figures.append(_figures_row(r, self.cols))
        for line in last_year_rows(r):
            self.last_year.append((r["source"], r.get("agency") or "", r.get("year") or "") + line, text=True)

    def save(self, path: Path, errors: list[dict]) -> None:
        for e in errors:
            self.errors.append([e["source"], e["code"], e["error"]], text=True)
        for sheet in (self.reports, self.checks, self.statements, self.last_year, self.errors, self.figures):
            sheet.close()
        with atomic(path, mode=None) as tmp:
            self.wb.save(tmp)


def write_xlsx(path: Path, results: Iterable[dict], errors: list[dict]) -> None:
    book = _SummaryBook()
    for r in results:
        book.add(r)
    book.save(path, errors)


LAST_YEAR_CN = {"last_year.not_found": "未找到上年度报告，未核对", "last_year.no_problems": "上年度未列问题，无需核对",
                "last_year.addressed": "已整改", "last_year.unaddressed": "未见整改", "last_year.silent": "未报告整改（全文未提及）",
                "last_year.refers_back": "本年度的回顾表述"}


def last_year_rows(result: dict) -> list[tuple]:
    """One row per problem of last year (or one row saying why nothing was checked): (上年度报告, 上年度问题,
    类别, 结果, 本年度对应表述, 扣分, 处理说明), from the deductions of the rubric's `last_year` rule."""
    rows = []
    for d in result["score"]["deductions"]:
        cid = d.get("check_id") or ""
        if not cid.startswith("last_year."):
            continue
        ev = d.get("evidence", [])
        problems = [e for e in ev if e.get("path") and e.get("text")]
        here = "\n".join(f"{e['value']}：{e['text']}" if e.get("value") else e["text"] for e in ev if e.get("start") is not None)
        source = next((e["path"] for e in ev if e.get("path")), "")
        status = LAST_YEAR_CN.get(cid, cid)
        if not problems:
            rows.append((source, "", "", status, here or d["reason"], d["points"], d.get("treatment") or ""))
        for i, e in enumerate(problems):
            rows.append((e["path"], e["text"], str(e.get("value") or "").split("：")[0], status, here,
                         d["points"] if i == 0 else 0, d.get("treatment") or ""))
    return rows


def _display_width(v) -> int:
    """Width of a cell's text in Excel columns (a CJK character takes two)."""
    text = "" if v is None else str(v)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def figure_columns() -> list[tuple[str, str, str, str]]:
    """(table, row, column, header) of every figure of tables 2/3/4 in the official order (2021 format,
    then the rows only the 2019 format has)."""
    from inference.tables.config import load_config

    cfg = load_config()
    short = {"t2": "表二", "t3": "表三", "t4": "表四"}
    names = cfg.raw.get("col_names", {})
    out, seen = [], set()
    fmts = sorted(cfg.t2_formats, key=lambda f: f != cfg.t2_default)
    specs = [("t2", cfg.t2_formats[f][1].rows) for f in fmts] + [("t3", cfg.t3.rows)]
    for key, rows in specs:
        for r in rows:
            for c in r.cols:
                if (key, r.key, c) not in seen:
                    seen.add((key, r.key, c))
                    out.append((key, r.key, c, f"{short[key]}/{r.name}/{names.get(c, c)}"))
    for r in cfg.raw["t4"]["rows"]:
        for c in cfg.raw["t4"]["cols"]:
            out.append(("t4", r["key"], c, f"{short['t4']}/{r['name']}/{names.get(c, c)}"))
    return out


def _figures_row(r: dict, cols: list[tuple[str, str, str, str]]) -> list:
    """One report's row of the 指标数据 sheet: every figure of tables 2/3/4 in the official row/column order,
    ready to be added up for a county or city: blank cells empty, unknown ones named (存疑/缺失/无效),
    inferred ones as figures."""
    row = [_safe(r.get("agency") or ""), r.get("year") or "", _safe(r["source"])]
    for key, rk, ck, _h in cols:
        t = r.get("tables", {}).get(key) or {}
        v = (t.get("rows") or {}).get(rk, {}).get(ck)
        state = (t.get("non_numeric_cells") or {}).get(f"{rk}.{ck}")
        row.append(v if v is not None else STATE_CN.get(state, "") if state != "blank" else "")
    return row


CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px}
ul.ev{margin:4px 0 0;padding-left:18px;color:#555;font-size:12px}
th{background:#f3f3f3;cursor:pointer}.bar{background:#4a7bd0;height:14px;display:inline-block}
.fail{background:#fbd3d3}.uncertain{background:#fff1c2}.pass{background:#e3f4e3}
.problem{background:#ffd9d9}.remedy{background:#d7ecff}.other{background:#eee}
.text{white-space:pre-wrap;line-height:1.8;font-size:14px;border:1px solid #ddd;padding:12px}
mark{padding:1px 0}mark sup{font-size:10px;color:#555}.legend span{margin-right:12px;padding:2px 6px}
"""

SORT_JS = """
document.querySelectorAll('table.sortable th').forEach(function(th, i){
  th.addEventListener('click', function(){
    var tb = th.closest('table').tBodies[0], rows = Array.from(tb.rows), asc = th.dataset.asc !== '1';
    rows.sort(function(a, b){
      var x = a.cells[i].dataset.v || a.cells[i].textContent, y = b.cells[i].dataset.v || b.cells[i].textContent;
      var nx = parseFloat(x), ny = parseFloat(y);
      var r = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y, 'zh');
      return asc ? r : -r;
    });
    rows.forEach(function(r){ tb.appendChild(r); }); th.dataset.asc = asc ? '1' : '0';
  });
});
"""


_CONTROL = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\n\r")


def _e(v) -> str:
    """HTML-escaped, without control characters (NUL etc. make pages invalid)."""
    return html.escape(str(v if v is not None else "").translate(_CONTROL))


def _bars(counter: Counter, total: int | None = None, order: list[str] | None = None) -> str:
    """Bars by count, or in the given `order` (grades, score bins: the reader's order, empty ones shown)."""
    if not counter:
        return "<p>无</p>"
    top = max(counter.values())
    items = [(k, counter.get(k, 0)) for k in order] if order else counter.most_common(30)
    rows = "".join(
        f"<tr><td>{_e(k)}</td><td>{n}</td><td><span class='bar' style='width:{int(300 * n / top)}px'></span></td></tr>"
        for k, n in items
    )
    return f"<table>{rows}</table>"


SCORE_BINS = ["0–59", "60–69", "70–79", "80–89", "90–100"]


def score_bin(total: float) -> str:
    """The score bin of a total: below 60 is one bin (不合格), 100 belongs to 90–100."""
    if total < 60:
        return SCORE_BINS[0]
    return SCORE_BINS[min(4, int(total // 10) - 5)]


class _Dashboard:
    """index.html from the results as they stream past: counts, and one table row (HTML) per report."""

    def __init__(self):
        self.grades: Counter = Counter()
        self.buckets: Counter = Counter()
        self.failed: Counter = Counter()
        self.problem_cats: Counter = Counter()
        self.remedy_cats: Counter = Counter()
        self.rows: list[tuple[float, int, str]] = []
        self.total = 0.0

    def add(self, r: dict, row: list | None = None) -> None:
        from inference.scoring import category_name

        total = r["score"]["total"]
        self.grades[r["score"]["grade"]] += 1
        self.buckets[score_bin(total)] += 1
        self.total += total
        self.failed.update(c["id"] for c in r["checks"] if c["status"] == "fail")
        for s in r.get("statements", []):
            if s["role"] in ("problem", "remedy"):
                (self.problem_cats if s["role"] == "problem" else self.remedy_cats).update(
                    f"{c} {category_name(c)}" for c in s["categories"])
        row = row if row is not None else _report_row(r)
        self.rows.append((total, len(self.rows),
                          "<tr>" + f"<td><a href='reports/{_e(page_name(r))}'>{_e(Path(r['source']).name)}</a></td>"
                          + "".join(f"<td>{_e(v)}</td>" for v in row[1:]) + "</tr>"))

    def html(self, errors: list[dict]) -> str:
        from inference.scoring import default_rubric

        n = len(self.rows)
        grade_order = [g["name"] for g in default_rubric().grades]  # best first
        grade_order += [g for g in self.grades if g not in grade_order]
        rows = [html_row for _t, _i, html_row in sorted(self.rows)]  # by score; ties in batch order
        errs = "".join(f"<tr><td>{_e(e['source'])}</td><td>{_e(e['code'])}</td><td>{_e(e['error'])}</td></tr>" for e in errors)
        mean = self.total / n if n else 0
        return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>政府信息公开年度报告评分</title>
<style>{CSS}</style></head><body>
<h1>政府信息公开工作年度报告评分汇总</h1>
<p>共 {n} 份报告已评分，平均 {mean:.1f} 分；{len(errors)} 个文件无法读取。</p>
<h2>等级分布</h2>{_bars(self.grades, order=grade_order)}
<h2>分数分布</h2>{_bars(self.buckets, order=SCORE_BINS[::-1])}
<h2>最常见的未通过检查</h2>{_bars(self.failed)}
<h2>问题类别频次</h2>{_bars(self.problem_cats)}
<h2>改进措施类别频次</h2>{_bars(self.remedy_cats)}
<h2>报告列表（点击表头排序）</h2>
<table class="sortable"><thead><tr>{''.join(f'<th>{h}</th>' for h in REPORT_HEADERS)}</tr></thead><tbody>{''.join(rows)}</tbody></table>
<h2>无法读取的文件</h2><table><thead><tr><th>文件</th><th>错误类型</th><th>原因</th></tr></thead><tbody>{errs}</tbody></table>
<script>{SORT_JS}</script></body></html>"""


def dashboard(results: Iterable[dict], errors: list[dict]) -> str:
    board = _Dashboard()
    for r in results:
        board.add(r)
    return board.html(errors)


def _highlighted_text(text: str, statements: list[dict]) -> str:
    parts, pos = [], 0
    for s in sorted(statements, key=lambda s: s["start"]):
        if s["start"] < pos:
            continue
        parts.append(_e(text[pos : s["start"]]))
        label = f"{ROLE_CN.get(s['role'], s['role'])} {'、'.join(s['categories'])} {STATUS_CN.get(s['status'], '')}".strip()
        parts.append(f"<mark class='{_e(s['role'])}' title='{_e(label)}'>{_e(text[s['start']:s['end']])}<sup>{_e(label)}</sup></mark>")
        pos = s["end"]
    parts.append(_e(text[pos:]))
    return "".join(parts)


def _table_html(key: str, table: dict, failing: set[str]) -> str:
    rows = table.get("rows") or {}
    if not rows:
        return f"<p>{_e(TABLE_CN.get(key, key))}：未识别</p>"
    row_cn, col_cn = _label_names()
    cols = list(next(iter(rows.values())).keys())
    conf = table.get("ocr_confidence", {})
    body = []
    for row, cells in rows.items():
        tds = []
        for c in cols:
            path = f"{key}.{row}.{c}"
            v = cells.get(c)
            state = table.get("non_numeric_cells", {}).get(f"{row}.{c}")
            cls = "fail" if path in failing else ("uncertain" if state else "")
            shown = v if v is not None else STATE_CN.get(state, "")
            if v is not None and state == "inferred":
                shown = f"{v}（推算）"
            title = f" title='文字识别置信度 {conf[f'{row}.{c}']:.2f}'" if f"{row}.{c}" in conf else ""
            tds.append(f"<td class='{cls}'{title}>{_e(shown)}</td>")
        body.append(f"<tr><th>{_e(row_cn.get(row, row))}</th>{''.join(tds)}</tr>")
    head = "".join(f"<th>{_e(col_cn.get(c, c))}</th>" for c in cols)
    notes = "".join(f"<li>{_e(n)}</li>" for n in table.get("notes", []))
    return (f"<table><thead><tr><th></th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            + (f"<ul class='notes'>{notes}</ul>" if notes else ""))


def _ocr_line(result: dict) -> str:
    from inference.ocr import summary

    line = summary(result)
    return f"<span class='uncertain'>{_e(line)}</span><br>" if line else ""


def _evidence_list(d: dict, n: int = 6) -> str:
    """The quoted evidence of a deduction (passages, last year's problems and this year's answers)."""
    items = [e for e in d.get("evidence", []) if e.get("text")]
    if not items:
        return ""
    lis = "".join(f"<li>{_e(str(e['value']) + '：') if e.get('value') is not None else ''}{_e(e['text'])}</li>" for e in items[:n])
    more = f"<li>……另有 {len(items) - n} 条</li>" if len(items) > n else ""
    return f"<ul class='ev'>{lis}{more}</ul>"


def report_page(result: dict, text: str | None = None) -> str:
    if text is None:
        from inference.loaders import load

        try:
            text = load(result["source"]).text
        except NianbaoError:
            text = ""
    failing = {e.get("path") for c in result["checks"] if c["status"] == "fail" for e in c["evidence"] if e.get("path")}
    parts_cn = {k: p.get("name", k) for k, p in result["score"]["parts"].items()}
    deductions = "".join(
        f"<tr><td>{_e(parts_cn.get(d['part'], d['part']))}</td><td>{points_text(d['points'])}</td><td>{_e(d['reason'])}{_evidence_list(d)}</td><td>{_e(d.get('treatment') or '')}</td></tr>"
        for d in result["score"]["deductions"]
    )
    parts = "".join(f"<tr><td>{_e(p.get('name', k))}</td><td>{p['score']:g}/{p['max']:g}</td></tr>" for k, p in result["score"]["parts"].items())
    checks = "".join(
        f"<tr class='{_e(c['status'])}'><td>{CHECK_CN[c['status']]}</td><td>{_e(c['message'])}<span class='id'>（{_e(c['id'])}）</span></td></tr>"
        for c in sorted(result["checks"], key=lambda c: ["fail", "uncertain", "not_assessable", "pass"].index(c["status"]))
    )
    tables = "".join(f"<h3>{_e(TABLE_CN.get(k, k))}</h3>{_table_html(k, t, failing)}" for k, t in result.get("tables", {}).items())
    sc = result["score"]
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{_e(result.get('agency') or result['source'])}</title>
<style>{CSS}</style></head><body><p><a href="../index.html">← 返回汇总</a></p>
<h1>{_e(result.get('agency') or '未识别机关')} {_e(result.get('year') or '')}年度报告</h1>
<p>文件：{_e(result['source'])}<br>{_ocr_line(result)}总分 <b>{sc['total']:g}</b>，等级 <b>{_e(sc['grade'])}</b>；格式 {_e(result.get('format'))}；发布日期 {_e(result.get('published_on') or '未识别')}</p>
<h2>扣分明细</h2><table><thead><tr><th>部分</th><th>扣分</th><th>原因</th><th>处理说明</th></tr></thead><tbody>{deductions}</tbody></table>
<h2>分项得分</h2><table>{parts}</table>
<h2>检查结果</h2><table><tbody>{checks}</tbody></table>
<h2>表格（红色为未通过检查涉及的单元格，黄色为空白/存疑）</h2>{tables}
<h2>正文（问题、改进措施已标出）</h2>
<p class="legend"><span class="problem">问题</span><span class="remedy">改进措施</span><span class="other">其他</span></p>
<div class="text">{_highlighted_text(text, result.get('statements', []))}</div>
</body></html>"""
