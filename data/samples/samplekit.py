"""Building blocks for the authored sample reports in data/samples/.

Everything here is invented: agencies, people, numbers and prose are made up for the project's tests
and demo; nothing is copied from real reports.

A sample is described once (see make_samples.py): metadata, prose per section, the numbers of tables
2/3/4, the layout the tables are flattened in, and the defects that were put in on purpose. This
module turns table numbers into the text layouts seen on real pages, and recomputes the arithmetic
relations (勾稽) independently so that the list of checks expected to fail is derived, not guessed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# ---------------------------------------------------------------------------------------------
# Keys and labels
# ---------------------------------------------------------------------------------------------

T3_COLS = ["natural_person", "commercial", "research", "public_interest", "legal_service", "other_org", "total"]
T3_PARTY_COLS = T3_COLS[:-1]

# (key, group label or None, item label); group None = the row label itself.
T3_RESULT_ROWS_2021 = [
    ("disclosed", None, "（一）予以公开"),
    ("partially_disclosed", None, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("withheld_state_secret", "（三）不予公开", "1.属于国家秘密"),
    ("withheld_prohibited", "（三）不予公开", "2.其他法律行政法规禁止公开"),
    ("withheld_three_safeties", "（三）不予公开", "3.危及“三安全一稳定”"),
    ("withheld_third_party", "（三）不予公开", "4.保护第三方合法权益"),
    ("withheld_internal_affairs", "（三）不予公开", "5.属于三类内部事务信息"),
    ("withheld_process_info", "（三）不予公开", "6.属于四类过程性信息"),
    ("withheld_enforcement_files", "（三）不予公开", "7.属于行政执法案卷"),
    ("withheld_query", "（三）不予公开", "8.属于行政查询事项"),
    ("unable_not_held", "（四）无法提供", "1.本机关不掌握相关政府信息"),
    ("unable_needs_creation", "（四）无法提供", "2.没有现成信息需要另行制作"),
    ("unable_unclear", "（四）无法提供", "3.补正后申请内容仍不明确"),
    ("declined_petition", "（五）不予处理", "1.信访举报投诉类申请"),
    ("declined_duplicate", "（五）不予处理", "2.重复申请"),
    ("declined_publications", "（五）不予处理", "3.要求提供公开出版物"),
    ("declined_excessive", "（五）不予处理", "4.无正当理由大量反复申请"),
    ("declined_confirmation", "（五）不予处理", "5.要求行政机关确认或重新出具已获取信息"),
    ("other_no_correction", "（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("other_unpaid_fee", "（六）其他处理", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other_other", "（六）其他处理", "3.其他"),
]
T3_RESULT_ROWS_2019 = T3_RESULT_ROWS_2021[:18] + [("other_processing", None, "（六）其他处理")]


def t3_result_rows(fmt: str) -> list[tuple[str, str | None, str]]:
    return T3_RESULT_ROWS_2019 if fmt == "2019" else T3_RESULT_ROWS_2021


def t3_row_keys(fmt: str) -> list[str]:
    return ["new_received", "carried_over"] + [k for k, _, _ in t3_result_rows(fmt)] + [
        "results_total",
        "carried_forward",
    ]


T4_BLOCKS = ["review", "litigation_direct", "litigation_after_review"]
T4_COLS = ["upheld", "corrected", "other", "pending", "total"]

T2_2021 = [
    # (block heading, header labels, [(row key, row label, [col keys])])
    ("第二十条第（一）项", ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
     [("regulations", "规章", ["made", "repealed", "in_force"]),
      ("normative_documents", "行政规范性文件", ["made", "repealed", "in_force"])]),
    ("第二十条第（五）项", ["信息内容", "本年处理决定数量"], [("licensing", "行政许可", ["decisions"])]),
    ("第二十条第（六）项", ["信息内容", "本年处理决定数量"],
     [("penalty", "行政处罚", ["decisions"]), ("coercion", "行政强制", ["decisions"])]),
    ("第二十条第（八）项", ["信息内容", "本年收费金额（单位：万元）"], [("fees", "行政事业性收费", ["amount_wan_yuan"])]),
]
T2_2019 = [
    ("第二十条第（一）项", ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
     [("regulations", "规章", ["new_made", "new_published", "total_published"]),
      ("normative_documents", "规范性文件", ["new_made", "new_published", "total_published"])]),
    ("第二十条第（五）项", ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
     [("licensing", "行政许可", ["prev_count", "change", "decisions"]),
      ("other_services", "其他对外管理服务事项", ["prev_count", "change", "decisions"])]),
    ("第二十条第（六）项", ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
     [("penalty", "行政处罚", ["prev_count", "change", "decisions"]),
      ("coercion", "行政强制", ["prev_count", "change", "decisions"])]),
    ("第二十条第（八）项", ["信息内容", "上一年项目数量", "本年增/减"], [("fees", "行政事业性收费", ["prev_count", "change"])]),
    ("第二十条第（九）项", ["信息内容", "采购项目数量", "采购总金额"], [("procurement", "政府集中采购", ["count", "amount"])]),
]


def t2_spec(fmt: str):
    return T2_2019 if fmt == "2019" else T2_2021


BLANK_TOKENS = {"", "/", "—", "-", "无", "／", "——"}

# ---------------------------------------------------------------------------------------------
# Values: a cell is written as raw text; its truth is a number or None (blank-like)
# ---------------------------------------------------------------------------------------------


def parse_raw(raw: str) -> int | float | None:
    s = raw.strip()
    if s in BLANK_TOKENS:
        return None
    v = float(s)
    return int(v) if v == int(v) and "." not in s else v


def fmt_num(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    return str(v)


@dataclass
class T3:
    """Table 3 as raw cell strings: rows[row_key] = 7 raw strings (6 party columns + total)."""
    fmt: str
    rows: dict[str, list[str]]

    def value(self, row: str, col: str):
        return parse_raw(self.rows[row][T3_COLS.index(col)])


def build_t3(fmt: str, new: dict[str, int], carried: dict[str, int] | None = None,
             results: dict[str, dict[str, int]] | None = None,
             overrides: dict[tuple[str, str], Any] | None = None,
             blank: dict[str, str] | None = None) -> T3:
    """Build a reconciling table 3 from the party counts, then apply deliberate overrides.

    new / carried: {party_col: n}; results: {row_key: {party_col: n}}. Totals, results_total and
    carried_forward are computed so that all relations hold. `overrides` replaces single cells
    afterwards (raw string or number) to create defects. `blank` maps party_col -> blank token
    used instead of "0" for zero cells in that column (blank-like cells, real pages do this).
    """
    carried = carried or {}
    results = results or {}
    keys = t3_row_keys(fmt)
    for r in results:
        if r not in keys:
            raise ValueError(f"unknown t3 row {r}")
    num: dict[str, dict[str, int]] = {k: {c: 0 for c in T3_PARTY_COLS} for k in keys}
    for c, n in new.items():
        num["new_received"][c] = n
    for c, n in carried.items():
        num["carried_over"][c] = n
    for r, cols in results.items():
        for c, n in cols.items():
            num[r][c] = n
    result_keys = [k for k, _, _ in t3_result_rows(fmt)]
    for c in T3_PARTY_COLS:
        num["results_total"][c] = sum(num[r][c] for r in result_keys)
        fwd = num["new_received"][c] + num["carried_over"][c] - num["results_total"][c]
        if fwd < 0:
            raise ValueError(f"negative carried_forward in column {c}")
        num["carried_forward"][c] = fwd
    rows: dict[str, list[str]] = {}
    blank = blank or {}
    for k in keys:
        vals = [num[k][c] for c in T3_PARTY_COLS]
        raw = [blank[c] if (vals[i] == 0 and c in blank) else str(vals[i]) for i, c in enumerate(T3_PARTY_COLS)]
        rows[k] = raw + [str(sum(vals))]
    for (r, c), v in (overrides or {}).items():
        rows[r][T3_COLS.index(c)] = fmt_num(v)
    return T3(fmt, rows)


def build_t4(review=(0, 0, 0, 0), direct=(0, 0, 0, 0), after=(0, 0, 0, 0),
             overrides: dict[tuple[str, str], Any] | None = None) -> dict[str, list[str]]:
    out = {}
    for key, vals in zip(T4_BLOCKS, (review, direct, after)):
        out[key] = [str(v) for v in vals] + [str(sum(vals))]
    for (b, c), v in (overrides or {}).items():
        out[b][T4_COLS.index(c)] = fmt_num(v)
    return out


def t4_flat(t4: dict[str, list[str]]) -> list[str]:
    return t4["review"] + t4["litigation_direct"] + t4["litigation_after_review"]


def build_t2(fmt: str, values: dict[str, list[Any]]) -> dict[str, list[str]]:
    """values: {row_key: [v, ...]} in the column order of the format; missing rows are all 0."""
    out = {}
    for _, _, rows in t2_spec(fmt):
        for key, _, cols in rows:
            vals = values.get(key, [0] * len(cols))
            if len(vals) != len(cols):
                raise ValueError(f"t2 {key}: need {len(cols)} values")
            out[key] = [fmt_num(v) for v in vals]
    return out


# ---------------------------------------------------------------------------------------------
# Independent arithmetic: which checks must fail
# ---------------------------------------------------------------------------------------------


def t3_failures(t3: T3) -> tuple[list[str], list[str]]:
    """Return (failing check ids, check ids that involve a blank cell and are therefore not judged)."""
    fails, blanky = [], []
    result_keys = [k for k, _, _ in t3_result_rows(t3.fmt)]

    def v(r, c):
        return t3.value(r, c)

    for c in T3_COLS:
        terms = [v("new_received", c), v("carried_over", c), v("results_total", c), v("carried_forward", c)]
        cid = f"t3.identity.{c}"
        if None in terms:
            blanky.append(cid)
        elif terms[0] + terms[1] != terms[2] + terms[3]:
            fails.append(cid)
        terms = [v(r, c) for r in result_keys]
        cid = f"t3.results_total.{c}"
        tot = v("results_total", c)
        if None in terms or tot is None:
            if any(t for t in terms if t) or tot:
                blanky.append(cid)
            # all blank/zero: nothing to judge, cannot fail
        elif sum(terms) != tot:
            fails.append(cid)
    for r in t3_row_keys(t3.fmt):
        parts = [v(r, c) for c in T3_PARTY_COLS]
        tot = v(r, "total")
        cid = f"t3.row_sum.{r}"
        if None in parts or tot is None:
            if sum(p or 0 for p in parts) != (tot or 0):
                blanky.append(cid)
        elif sum(parts) != tot:
            fails.append(cid)
    return fails, blanky


def t4_failures(t4: dict[str, list[str]]) -> list[str]:
    fails = []
    for b in T4_BLOCKS:
        vals = [parse_raw(x) for x in t4[b]]
        if None not in vals and sum(vals[:4]) != vals[4]:
            fails.append(f"t4.total.{b}")
    return fails


# ---------------------------------------------------------------------------------------------
# Grid rows: the logical rows of each table with row-spanned positions as None
# ---------------------------------------------------------------------------------------------

T3_HEAD_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
T3_PARTY_LABELS = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
T4_COL_LABELS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]


@dataclass
class GridRow:
    cells: list[str | None]  # None = position covered by a cell spanning from above
    span_fill: int = 0  # how many grid positions the last cell covers beyond itself (pipe filler)
    lead_fill: int = 0


def t2_grid(fmt: str, t2: dict[str, list[str]]) -> list[GridRow]:
    rows: list[GridRow] = []
    width = 4
    for heading, header, items in t2_spec(fmt):
        rows.append(GridRow([heading], span_fill=width - 1))
        rows.append(GridRow(list(header), span_fill=width - len(header)))
        for key, label, cols in items:
            rows.append(GridRow([label] + t2[key], span_fill=width - 1 - len(cols)))
    return rows


def t3_grid(t3: T3, party_labels: list[str] | None = None) -> list[GridRow]:
    labels = party_labels or T3_PARTY_LABELS
    rows = [
        GridRow([T3_HEAD_NOTE, "申请人情况"], span_fill=8),
        GridRow([None, "自然人", "法人或其他组织", "总计"], span_fill=7),
        GridRow([None, None] + labels + [None], span_fill=5),
        GridRow(["一、本年新收政府信息公开申请数量"] + t3.rows["new_received"], span_fill=2),
        GridRow(["二、上年结转政府信息公开申请数量"] + t3.rows["carried_over"], span_fill=2),
    ]
    first = True
    last_group = None
    for key, group, label in t3_result_rows(t3.fmt):
        lead = "三、本年度办理结果" if first else None
        first = False
        if group is None:
            rows.append(GridRow([lead, label] + t3.rows[key], span_fill=1 if lead else 2))
        else:
            g = group if group != last_group else None
            rows.append(GridRow([lead, g, label] + t3.rows[key], span_fill=1 if g else 2))
        last_group = group
    rows.append(GridRow([None, "（七）总计"] + t3.rows["results_total"], span_fill=2))
    rows.append(GridRow(["四、结转下年度继续办理"] + t3.rows["carried_forward"], span_fill=0))
    return rows


def t4_grid(t4: dict[str, list[str]], labels: list[str] | None = None) -> list[GridRow]:
    lab = labels or T4_COL_LABELS
    return [
        GridRow(["行政复议", "行政诉讼"], span_fill=13),
        GridRow(lab + ["未经复议直接起诉", "复议后起诉"], span_fill=8),
        GridRow([None] * 5 + lab + lab, span_fill=5),
        GridRow(t4_flat(t4), span_fill=0),
    ]


# ---------------------------------------------------------------------------------------------
# Flattened text layouts (as scraped pages show them)
# ---------------------------------------------------------------------------------------------


def half(s: str) -> str:
    """Full-width parens/colons to half-width, as many scraped pages have them."""
    return s.translate(str.maketrans({"（": "(", "）": ")", "：": ":", "，": ","}))


def render_pipe_cell(rows: list[GridRow], halfwidth: bool = False) -> str:
    """One cell per line, each ending in ' |'; the last cell of a row carries the spanned '|' filler."""
    out = []
    for r in rows:
        cells = [c for c in r.cells if c is not None]
        for i, c in enumerate(cells):
            c = half(c) if halfwidth else c
            line = f"{c} |" if c != "" else "|"
            if i == len(cells) - 1 and r.span_fill:
                line += " " + "|" * r.span_fill
            out.append(line)
    return "\n".join(out)


def render_pipe_row(rows: list[GridRow], halfwidth: bool = False) -> str:
    """One row per line: 'a | b | c |' (empty cells stay as empty slots)."""
    out = []
    for r in rows:
        cells = [c for c in r.cells if c is not None]
        if halfwidth:
            cells = [half(c) for c in cells]
        line = " | ".join(cells) + " |"
        if r.span_fill:
            line += " " + "|" * r.span_fill
        out.append(line)
    return "\n".join(out)


def render_tab_cell(rows: list[GridRow], pad: bool = False, wrap: dict[str, str] | None = None) -> str:
    """One cell per line prefixed with a tab, blank line between rows; spanned positions are empty
    tab lines; `wrap` breaks some labels over two lines (the second line has no tab)."""
    out = [""]
    wrap = wrap or {}
    n = 0
    for r in rows:
        for c in r.cells:
            if c is None:
                out.append("\t")
                continue
            c = wrap.get(c, c)
            if pad and c.isdigit():
                c = (" " + c) if n % 2 else (c + " ")
                n += 1
            out.append("\t" + c)
        out.append("")
    return "\n".join(out)


def render_run_together(rows: list[GridRow]) -> str:
    """All cells of a row concatenated with no separator (numbers run into labels and each other)."""
    return "\n".join("".join(c for c in r.cells if c is not None) for r in rows)


def render_table(layout: str, rows: list[GridRow], **kw) -> str:
    if layout == "pipe_cell":
        return render_pipe_cell(rows, halfwidth=kw.get("halfwidth", False))
    if layout == "pipe_row":
        return render_pipe_row(rows, halfwidth=kw.get("halfwidth", False))
    if layout == "tab_cell":
        return render_tab_cell(rows, pad=kw.get("pad", False), wrap=kw.get("wrap"))
    if layout == "run_together":
        return render_run_together(rows)
    raise ValueError(layout)


# ---------------------------------------------------------------------------------------------
# Sample description
# ---------------------------------------------------------------------------------------------

NUMERALS = "一二三四五六七八九十"
STD_TITLES = {
    1: "总体情况",
    2: "主动公开政府信息情况",
    3: "收到和处理政府信息公开申请情况",
    4: "政府信息公开行政复议、行政诉讼情况",
    5: "存在的主要问题及改进情况",
    6: "其他需要报告的事项",
}


@dataclass
class Sample:
    file: str
    agency: str
    level: str
    year: int
    fmt: str  # table format actually used: "2021" or "2019"
    layout: str
    title: str
    intro: str
    bodies: dict[int, str]  # section number -> prose (2/3/4: text before the table, may be "")
    t2: dict[str, list[str]]
    t3: T3
    t4: dict[str, list[str]] | None
    order: list[int] = field(default_factory=lambda: [1, 2, 3, 4, 5, 6])
    titles: dict[int, str] = field(default_factory=dict)  # override heading titles
    after: dict[int, str] = field(default_factory=dict)  # prose after a table
    published_on: str | None = None
    signed_on: str | None = None
    signature: str = ""
    page_top: str = ""
    page_bottom: str = ""
    repeat: int = 1
    between_copies: str = ""
    encoding: str = "utf-8"
    kind: str = "txt"
    halfwidth: bool = False
    tab_pad: bool = False
    tab_wrap: dict[str, str] | None = None
    t3_party_labels: list[str] | None = None
    t4_labels: list[str] | None = None
    expected_fail: list[str] = field(default_factory=list)
    text_facts: dict[str, Any] = field(default_factory=dict)  # facts quoted in the text -> value
    defects: list[str] = field(default_factory=list)
    section5: str = ""  # clean_specific | vague_boilerplate | no_problems | unmatched_problems | specific
    notes: str = ""
    agency_aliases: list[str] = field(default_factory=list)  # other acceptable forms of the agency name

    # -- text ---------------------------------------------------------------------------------
    def heading(self, pos: int, number: int) -> str:
        title = self.titles.get(number, STD_TITLES[number])
        return f"{NUMERALS[pos]}、{title}"

    def table_text(self, number: int) -> str:
        kw = dict(halfwidth=self.halfwidth, pad=self.tab_pad, wrap=self.tab_wrap)
        if number == 2:
            return render_table(self.layout, t2_grid(self.fmt, self.t2), **kw)
        if number == 3:
            return render_table(self.layout, t3_grid(self.t3, self.t3_party_labels), **kw)
        if number == 4 and self.t4 is not None:
            return render_table(self.layout, t4_grid(self.t4, self.t4_labels), **kw)
        return ""

    def report_text(self) -> str:
        parts = [self.title, self.intro]
        for pos, number in enumerate(self.order):
            head = self.heading(pos, number)
            parts.append(half(head) if self.halfwidth else head)
            body = self.bodies.get(number, "")
            if body:
                parts.append(body)
            tab = self.table_text(number)
            if tab:
                parts.append(tab)
            if number in self.after:
                parts.append(self.after[number])
        if self.signature:
            parts.append(self.signature)
        text = "\n".join(p.strip("\n") for p in parts if p)
        return text

    def page_text(self) -> str:
        body = self.report_text()
        copies = [body] * self.repeat
        joined = ("\n" + self.between_copies + "\n").join(copies) if self.between_copies else "\n".join(copies)
        return "\n".join(p for p in (self.page_top, joined, self.page_bottom) if p) + "\n"

    # -- truth --------------------------------------------------------------------------------
    def computed_failures(self) -> list[str]:
        fails, _ = t3_failures(self.t3)
        if self.t4 is not None:
            fails += t4_failures(self.t4)
        return fails

    def expected(self) -> dict[str, Any]:
        t2 = {}
        blanks = []
        for _, _, items in t2_spec(self.fmt):
            for key, _, cols in items:
                t2[key] = {}
                for c, raw in zip(cols, self.t2[key]):
                    t2[key][c] = parse_raw(raw)
                    if t2[key][c] is None:
                        blanks.append(f"t2.{key}.{c}")
        t3 = {}
        for r in t3_row_keys(self.fmt):
            t3[r] = {}
            for c in T3_COLS:
                t3[r][c] = self.t3.value(r, c)
                if t3[r][c] is None:
                    blanks.append(f"t3.{r}.{c}")
        t4 = None
        if self.t4 is not None:
            t4 = {b: {c: parse_raw(x) for c, x in zip(T4_COLS, self.t4[b])} for b in T4_BLOCKS}
        _, blanky = t3_failures(self.t3)
        return {
            "kind": self.kind,
            "encoding": self.encoding,
            "layout": self.layout,
            "agency": self.agency,
            "agency_aliases": list(self.agency_aliases),
            "level": self.level,
            "year": self.year,
            "format": self.fmt,
            "published_on": self.published_on,
            "signed_on": self.signed_on,
            "sections": list(self.order),
            "section_headings": [self.heading(p, n) for p, n in enumerate(self.order)],
            "tables": {"t2": t2, "t3": t3, "t4": t4},
            "blank_cells": blanks,
            "checks_not_judged_because_blank": blanky,
            "text_facts": self.text_facts,
            "expected_fail": sorted(self.expected_fail),
            "section5": self.section5,
            "defects": self.defects,
            "notes": self.notes,
        }
