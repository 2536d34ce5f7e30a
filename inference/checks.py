"""Structural checks of a parsed report: arithmetic of tables 2/3/4, text-vs-table figures,
timeliness, fee statement, sections and format version.

`run_checks(report) -> report` appends `CheckResult`s to `report.checks`. Every check returns one of
pass / fail / uncertain / not_assessable with a specific Chinese message and evidence (cell paths with
values, or text offsets). All rules, deadlines, patterns and message templates live in
`data/checks.json`; this module only interprets them.

Treatment of non-numeric cells (see `blank_policy` in the data file):
- number: used as is.
- blank (空白, /, —, 无): not 0, but a relation whose only gaps are blanks is judged with blanks read as 0
  and the message says which cells were so read. If the relation fails that way although the blanks could
  in principle make it hold, the status is `blank_policy.fails_if_zero` (fail by default: as printed,
  the table does not reconcile).
- missing / ambiguous / invalid: unknown. The relation is `uncertain` unless it cannot hold whatever
  non-negative values the unknown cells have (then `fail`).
- a row the table parser marked ambiguous (blank cells lost in scraping, so the column of each number is
  unknown; cell.raw holds the numbers seen) counts as unknown, except: when every number in it is 0, every
  column is 0 or blank and it is read as 0; and its total column is implied by the row's own consistency
  (total = half the sum of the row's numbers, if that is one of them). A relation that fails with implied
  totals cannot be made consistent by any column assignment, so it is judged like a blank-only failure.

Text-vs-table figures are matched only within one sentence (split on 。；; ！？ and line breaks), and
only where the text states a figure for a known fact; ambiguous wording, breakdowns (其中…, per-channel
counts), approximate figures and blank table cells give `uncertain`, never `fail`.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterable

from inference.report import Cell, CheckResult, Evidence, Report, Table

log = logging.getLogger(__name__)

DATA_PATH = Path(__file__).resolve().parents[1] / "data" / "checks.json"
CFG: dict = json.loads(DATA_PATH.read_text(encoding="utf-8"))
MSG: dict[str, str] = CFG["messages"]
EPS: float = float(CFG["float_eps"])

T3 = CFG["t3"]
T4 = CFG["t4"]
T2 = CFG["t2"]
TABLE_NAMES = {"t2": "表二", "t3": "表三", "t4": "表四"}


def _msg(key: str, **kw) -> str:
    return MSG[key].format(**kw)


def _fmt_num(v: float | int | None) -> str:
    if v is None:
        return "?"
    if isinstance(v, float) and abs(v - round(v)) < EPS:
        return str(int(round(v)))
    return str(v)


def _table(report: Report, key: str) -> Table | None:
    t = report.tables.get(key)
    if t is None or not t.found:
        return None
    return t


# ---------------------------------------------------------------------------------------------
# Cell terms and relations
# ---------------------------------------------------------------------------------------------

@dataclass
class Term:
    path: str
    label: str
    kind: str  # number | blank | unknown
    value: float | None  # number: the value; blank: 0 (assumed); unknown: None
    note: str = ""  # Chinese: why not a plain number ("空白", "缺失", ...)
    cell: Cell | None = None
    zero_row: str = ""  # name of an ambiguous all-zero row read as 0
    amb_row: str = ""  # name of the ambiguous row this term comes from (unknown or implied)
    implied: bool = False  # total of an ambiguous row, implied by the row's own consistency

    def render(self) -> str:
        if self.kind == "number":
            return f"{self.label}({_fmt_num(self.value)}{'，推算' if self.implied else ''})"
        return f"{self.label}({self.note})"

    def evidence(self) -> Evidence:
        c = self.cell
        if self.kind == "number" and not self.implied:
            val = self.value
        else:
            val = c.state if c is not None else "missing"
        return Evidence(path=self.path, value=val, start=c.start if c else None, end=c.end if c else None)


_NUM_IN_RAW = re.compile(r"-?\d+(?:\.\d+)?")
_TOTAL_COL = {"t3": "total", "t4": "total"}
_N_COLS = {"t3": len(CFG["t3"]["columns"]), "t4": len(CFG["t4"]["parts"]) + 1}


def _row_values(table: Table, row: str) -> list[float] | None:
    """Numbers printed in an ambiguous row whose blank cells were lost in scraping.

    The table parser gives every cell of such a row state 'ambiguous' and the row's numbers as `raw`
    (e.g. '4 4'). Returns them when all non-empty raws agree and fewer numbers than columns were seen
    (the missing ones were blank); None otherwise."""
    raws = {c.raw.strip() for c in table.rows.get(row, {}).values() if c.state != "number" and c.raw and c.raw.strip()}
    nums = [c.value for c in table.rows.get(row, {}).values() if c.state == "number" and c.value is not None]
    if len(raws) > 1 or (raws and nums):
        return None
    if nums:
        return nums if all(abs(v) <= EPS for v in nums) else None
    if not raws:
        return None
    vals = [float(x) for x in _NUM_IN_RAW.findall(raws.pop())]
    if not vals or len(vals) >= _N_COLS.get(table.key, 99):
        return None
    return vals


def _zero_row(table: Table, row: str) -> bool:
    """An ambiguous row whose every number is 0: whatever the column assignment, each cell is 0/blank."""
    vals = _row_values(table, row)
    return bool(vals) and all(abs(v) <= EPS for v in vals)


def _implied_total(table: Table, row: str) -> float | None:
    """If the row's total equals the sum of its other cells (blanks 0), the total is half the sum of all
    printed numbers, and must itself be one of them."""
    vals = _row_values(table, row)
    if not vals:
        return None
    half = sum(vals) / 2
    return half if any(abs(v - half) <= EPS for v in vals) else None


_STATE_NOTE = {"blank": "空白", "missing": "缺失", "ambiguous": "列对应不明", "invalid": "无法识别"}


def _term(table: Table, row: str, col: str, label: str) -> Term:
    path = f"{table.key}.{row}.{col}"
    cell = table.cell(row, col)
    if row in table.ambiguous_rows:
        name = _row_name(table.key, row)
        if _zero_row(table, row):
            return Term(path, label, "number", 0, cell=cell, zero_row=name)
        if col == _TOTAL_COL.get(table.key):
            implied = _implied_total(table, row)
            if implied is not None:
                return Term(path, label, "number", implied, cell=cell, amb_row=name, implied=True)
        return Term(path, label, "unknown", None, note="列对应不明", cell=cell, amb_row=name)
    if cell is None:
        return Term(path, label, "unknown", None, note="未识别", cell=None)
    if cell.state == "number" and cell.value is not None:
        return Term(path, label, "number", cell.value, cell=cell)
    if cell.state == "blank":
        return Term(path, label, "blank", 0, note="空白", cell=cell)
    note = _STATE_NOTE.get(cell.state, cell.state)
    if cell.state == "invalid" and cell.raw:
        note = f"无法识别“{cell.raw.strip()[:10]}”"
    return Term(path, label, "unknown", None, note=note, cell=cell)


def _render_sum(terms: list[Term], compact: bool) -> str:
    """'第一项(4)+第二项(0)=4'. Long sums show only non-zero and non-numeric terms."""
    known = sum(t.value for t in terms if t.kind != "unknown" and t.value is not None)
    if not compact or len(terms) <= 4:
        body = "+".join(t.render() for t in terms)
    else:
        shown = [t for t in terms if t.kind != "number" or abs(t.value or 0) > EPS]
        blanks = [t for t in shown if t.kind == "blank"]
        others = [t for t in shown if t.kind != "blank"]
        n_zero = len(terms) - len(shown)
        parts = [t.render() for t in others]
        if blanks:
            parts.append(f"{len(blanks)}项空白")
        if n_zero:
            parts.append(f"其余{n_zero}项均为0")
        body = "+".join(parts) if parts else "各项"
    if any(t.kind == "unknown" for t in terms):
        return f"{body}=已知部分{_fmt_num(known)}"
    return f"{body}={_fmt_num(known)}"


def _uncertain(scope: str, unknown: list[Term], lhs: list[Term], rhs: list[Term], lhs_s: str, rhs_s: str) -> str:
    cells = _unknown_summary(unknown)
    if any(t.kind == "number" for t in lhs + rhs):
        return _msg("rel_uncertain", scope=scope, cells=cells, lhs=lhs_s, rhs=rhs_s)
    return _msg("rel_uncertain_bare", scope=scope, cells=cells)


def _unknown_summary(unknown: list[Term]) -> str:
    """'（一）予以公开行列对应不明、（二）部分公开·总计(缺失)'."""
    amb = list(dict.fromkeys(t.amb_row for t in unknown if t.amb_row))
    parts = [f"{'、'.join(amb)}行列对应不明（抓取时空白单元格丢失）"] if amb else []
    parts += [f"{t.label}({t.note})" for t in unknown if not t.amb_row]
    return "；".join(parts)


@dataclass
class RelResult:
    status: str
    message: str
    evidence: list[Evidence]


def _relation(scope: str, lhs: list[Term], rhs: list[Term], compact_rhs: bool = False) -> RelResult:
    """Judge sum(lhs) == sum(rhs) under the blank / unknown policy."""
    terms = lhs + rhs
    ev = [t.evidence() for t in terms]
    lk = sum(t.value for t in lhs if t.kind == "number")
    rk = sum(t.value for t in rhs if t.kind == "number")
    unknown = [t for t in terms if t.kind == "unknown"]
    blanks = [t for t in terms if t.kind == "blank"]
    implied = list(dict.fromkeys(t.amb_row for t in terms if t.implied))
    zero_rows = list(dict.fromkeys(t.zero_row for t in terms if t.zero_row))
    free_l = any(t.kind != "number" for t in lhs)
    free_r = any(t.kind != "number" for t in rhs)
    lhs_s = _render_sum(lhs, compact=False)
    rhs_s = _render_sum(rhs, compact=compact_rhs)
    notes = _blank_note([t.label for t in blanks])
    if zero_rows:
        notes += _msg("zero_row_note", rows="、".join(zero_rows))
    if implied:
        notes += _msg("implied_note", rows="、".join(implied))
    diff = lk - rk
    if abs(diff) <= EPS:
        if unknown:
            return RelResult("uncertain", _uncertain(scope, unknown, lhs, rhs, lhs_s, rhs_s), ev)
        status = "pass" if not blanks else CFG["blank_policy"]["holds_if_zero"]
        if len(blanks) == len(terms):
            return RelResult(status, _msg("rel_all_blank", scope=scope), ev)
        return RelResult(status, _msg("rel_pass", scope=scope, lhs=lhs_s, rhs=rhs_s) + notes, ev)
    impossible = (diff > 0 and not free_r) or (diff < 0 and not free_l)
    if impossible and not implied:
        return RelResult("fail", _msg("rel_fail", scope=scope, lhs=lhs_s, rhs=rhs_s) + notes, ev)
    if unknown:
        return RelResult("uncertain", _uncertain(scope, unknown, lhs, rhs, lhs_s, rhs_s), ev)
    # Only blanks (read as 0) and/or totals implied by row consistency stand between us and a fail.
    status = CFG["blank_policy"]["fails_if_zero"]
    if implied:
        key = "rel_fail_implied" if status == "fail" else "rel_uncertain_blank"
    else:
        key = "rel_fail_blank" if status == "fail" else "rel_uncertain_blank"
    return RelResult(status, _msg(key, scope=scope, lhs=lhs_s, rhs=rhs_s) + notes, ev)


def _ambiguous_row_sum(t: Table, row: str, scope: str) -> RelResult | None:
    """Row total of a row whose column assignment is unknown: possible only if some printed number equals
    the sum of the others."""
    if row not in t.ambiguous_rows or _zero_row(t, row):
        return None
    vals = _row_values(t, row)
    ev = [Evidence(path=f"{t.key}.{row}.{c}", value="ambiguous") for c in t.rows.get(row, {})]
    if vals is None:
        return RelResult("uncertain", _msg("row_amb_unknown", scope=scope), ev)
    shown = " ".join(_fmt_num(v) for v in vals)
    implied = _implied_total(t, row)
    if implied is not None:
        return RelResult("uncertain", _msg("row_amb_possible", scope=scope, vals=shown, total=_fmt_num(implied)), ev)
    status = CFG["blank_policy"]["fails_if_zero"]
    return RelResult(status, _msg("row_amb_impossible", scope=scope, vals=shown), ev)


def _blank_note(labels: list[str]) -> str:
    if not labels:
        return ""
    if len(labels) > CFG["blank_list_max"]:
        return _msg("blank_note_many", n=len(labels))
    return _msg("blank_note", cells="、".join(labels))


def _check(check_id: str, r: RelResult) -> CheckResult:
    return CheckResult(check_id, r.status, r.message, r.evidence)


def _missing(check_id: str, table_key: str, what: str) -> CheckResult:
    return CheckResult(check_id, "not_assessable", _msg("table_missing", table=TABLE_NAMES[table_key], what=what))


# ---------------------------------------------------------------------------------------------
# Table 3 and table 4 arithmetic
# ---------------------------------------------------------------------------------------------

def _t3_format(t: Table) -> str:
    if t.format in ("2021", "2019"):
        return t.format
    has_new = any(r in t.rows for r in ("other_no_correction", "other_unpaid_fee", "other_other"))
    return "2019" if ("other_processing" in t.rows and not has_new) else "2021"


def _result_rows(t: Table) -> list[str]:
    """Result rows of the table's format; （六）其他处理 given as one row or as its three sub-rows is
    accepted either way (some 2021-format tables print only the parent row)."""
    fmt = _t3_format(t)
    rows = list(T3["result_rows"][fmt])
    other = {"2021": ["other_no_correction", "other_unpaid_fee", "other_other"], "2019": ["other_processing"]}
    alt = "2019" if fmt == "2021" else "2021"
    if not any(r in t.rows for r in other[fmt]) and any(r in t.rows for r in other[alt]):
        i = rows.index(other[fmt][0])
        rows[i:i + len(other[fmt])] = other[alt]
    return rows


def _t3_rows(t: Table) -> list[str]:
    return T3["head_rows"] + _result_rows(t) + T3["tail_rows"]


def check_t3(report: Report) -> list[CheckResult]:
    t = _table(report, "t3")
    if t is None:
        return [
            _missing("t3.identity", "t3", "申请数量勾稽关系（第一项+第二项=第三项总计+第四项）"),
            _missing("t3.results_total", "t3", "办理结果总计"),
            _missing("t3.row_sum", "t3", "各行总计"),
        ]
    names, cols = T3["row_names"], T3["column_names"]
    out: list[CheckResult] = []
    for col in T3["columns"]:
        scope = f"表三 {cols[col]}列"
        lhs = [_term(t, r, col, names[r].split("（")[0]) for r in T3["identity"]["lhs"]]
        rhs = [_term(t, r, col, names[r].split("（")[0]) for r in T3["identity"]["rhs"]]
        # Readable labels: 第一项, 第二项, 第三项总计, 第四项
        rhs[0].label = "第三项总计"
        out.append(_check(f"t3.identity.{col}", _relation(scope, lhs, rhs)))
    result_rows = _result_rows(t)
    for col in T3["columns"]:
        scope = f"表三 {cols[col]}列 办理结果"
        lhs = [_term(t, "results_total", col, "（七）总计")]
        rhs = [_term(t, r, col, names[r]) for r in result_rows]
        out.append(_check(f"t3.results_total.{col}", _relation(scope, lhs, rhs, compact_rhs=True)))
    for row in _t3_rows(t):
        scope = f"表三 {names[row]}行"
        amb = _ambiguous_row_sum(t, row, scope)
        if amb is not None:
            out.append(_check(f"t3.row_sum.{row}", amb))
            continue
        lhs = [_term(t, row, "total", "总计")]
        rhs = [_term(t, row, c, cols[c]) for c in T3["applicant_columns"]]
        out.append(_check(f"t3.row_sum.{row}", _relation(scope, lhs, rhs, compact_rhs=True)))
    return out


def check_t4(report: Report) -> list[CheckResult]:
    t = _table(report, "t4")
    if t is None:
        return [_missing("t4.total", "t4", "行政复议、行政诉讼总计")]
    out = []
    for block in T4["blocks"]:
        scope = f"表四 {T4['block_names'][block]}"
        amb = _ambiguous_row_sum(t, block, scope)
        if amb is not None:
            out.append(_check(f"t4.total.{block}", amb))
            continue
        lhs = [_term(t, block, T4["total"], T4["col_names"][T4["total"]])]
        rhs = [_term(t, block, p, T4["col_names"][p]) for p in T4["parts"]]
        out.append(_check(f"t4.total.{block}", _relation(scope, lhs, rhs)))
    return out


# ---------------------------------------------------------------------------------------------
# Values (non-negative integers)
# ---------------------------------------------------------------------------------------------

def _value_kind(table_key: str, col: str) -> str:
    if table_key == "t2":
        return T2["value_kinds"].get(col, T2["default_value_kind"])
    return "count"


def _row_name(table_key: str, row: str) -> str:
    names = {"t2": T2["row_names"], "t3": T3["row_names"], "t4": T4["block_names"]}[table_key]
    return names.get(row, row)


def _label(table_key: str, row: str, col: str) -> str:
    """'第一项（本年新收）总计栏', '行政复议总计栏', '规章本年制发件数栏'."""
    cols = {"t2": T2["col_names"], "t3": T3["column_names"], "t4": T4["col_names"]}[table_key]
    sep = "行" if table_key == "t3" else ""
    return f"{_row_name(table_key, row)}{sep}{cols.get(col, col)}栏"


def check_values(report: Report, key: str) -> CheckResult:
    cid = f"{key}.values"
    t = _table(report, key)
    name = TABLE_NAMES[key]
    if t is None:
        return _missing(cid, key, "数值合理性")
    bad: list[tuple[str, Evidence]] = []
    unreadable: list[tuple[str, Evidence]] = []
    n = 0
    for row, cells in t.rows.items():
        for col, c in cells.items():
            path = f"{key}.{row}.{col}"
            label = _label(key, row, col)
            if c.state == "invalid":
                unreadable.append((f"{label}“{(c.raw or '').strip()[:10]}”", Evidence(path=path, value=c.raw, start=c.start, end=c.end)))
                continue
            if c.state != "number" or c.value is None:
                continue
            n += 1
            v, kind = c.value, _value_kind(key, col)
            problem = None
            if kind in ("count", "amount") and v < -EPS:
                problem = "为负数"
            elif kind in ("count", "signed_count") and abs(v - round(v)) > EPS:
                problem = "不是整数"
            if problem:
                bad.append((f"{label}({_fmt_num(v)}){problem}", Evidence(path=path, value=v, start=c.start, end=c.end)))
    if bad:
        return CheckResult(cid, "fail", _msg("values_fail", table=name, items="；".join(b[0] for b in bad)),
                           [b[1] for b in bad + unreadable])
    if unreadable:
        return CheckResult(cid, "uncertain", _msg("values_uncertain", table=name, items="；".join(u[0] for u in unreadable)),
                           [u[1] for u in unreadable])
    if n == 0:
        return CheckResult(cid, "not_assessable", _msg("values_empty", table=name))
    return CheckResult(cid, "pass", _msg("values_pass", table=name, n=n))


# ---------------------------------------------------------------------------------------------
# Body type (agency) and rule-making power
# ---------------------------------------------------------------------------------------------

BODY = CFG["bodies"]
_BODY_RULES = [(r["kind"], r["tier"], re.compile(r["re"])) for r in BODY["rules"]]
_PLACE_RE = re.compile(BODY["place_re"])
KIND_NAMES = {"government": "人民政府", "department": "政府部门", "devzone": "开发区（园区）管理机构", "unknown": "发布机关"}
TIER_NAMES = {"national": "国务院", "provincial": "省级", "city": "市级", "league": "盟（地区）级",
              "county": "县级", "township": "乡镇（街道）级"}


@dataclass
class Body:
    kind: str  # government | department | devzone | unknown
    tier: str  # national | provincial | city | league | county | township | unknown
    name: str  # agency as given, for messages
    city_unsure: bool = False  # 'XX市': prefecture-level or county-level city cannot be told

    def describe(self) -> str:
        if self.kind == "unknown":
            return f"发布机关（{self.name}）" if self.name else "发布机关"
        tier = TIER_NAMES.get(self.tier, "")
        return f"{self.name}（{tier}{KIND_NAMES[self.kind]}）" if self.name else f"{tier}{KIND_NAMES[self.kind]}"


def _place_tier(name: str) -> tuple[str, bool]:
    m = _PLACE_RE.match(name)
    if not m:
        return "unknown", False
    for group, tier in (("township", "township"), ("county", "county"), ("city", "city"), ("province", "provincial")):
        g = m.group(group)
        if not g:
            continue
        if group == "city":
            if g in BODY["municipalities"] and not m.group("county"):
                return "provincial", False
            if any(g.endswith(s) for s in BODY["league_suffixes"]):
                return "league", False
            return "city", g.endswith("市")
        return tier, False
    return "unknown", False


def classify_body(meta) -> Body:
    """Body type and tier from meta.agency (pattern rules in data/checks.json), then meta.level."""
    agency = (meta.agency or "").strip()
    name = re.sub(r"\s+", "", agency)
    kind, tier, city_unsure = "unknown", "unknown", False
    if name:
        for k, t, rx in _BODY_RULES:
            if rx.search(name):
                kind = k
                if t:
                    tier = t
                break
        if tier == "unknown" and kind != "unknown":
            tier, city_unsure = _place_tier(name)
    level = (meta.level or "").strip()
    if level in BODY["level_map"]:
        lk, lt = BODY["level_map"][level]
        if kind == "unknown" and lk:
            kind = lk
        if tier == "unknown" and lt:
            tier = lt
    return Body(kind, tier, agency, city_unsure)


def check_regulations_authority(report: Report) -> CheckResult:
    cid = "t2.regulations_authority"
    t = _table(report, "t2")
    if t is None:
        return _missing(cid, "t2", "规章制定权限")
    row = T2["regulations_row"]
    cells = t.rows.get(row, {})
    if not cells:
        return CheckResult(cid, "not_assessable", _msg("reg_unknown_cells", cells="规章行未识别"))
    positive, unknown, ev = [], [], []
    for col, c in cells.items():
        label = T2["col_names"].get(col, col)
        ev.append(Evidence(path=f"t2.{row}.{col}", value=c.value if c.state == "number" else c.state, start=c.start, end=c.end))
        if c.state == "number" and c.value is not None and c.value > EPS:
            positive.append(f"{label}{_fmt_num(c.value)}")
        elif c.state in ("missing", "ambiguous", "invalid") or row in t.ambiguous_rows:
            unknown.append(f"{label}({_STATE_NOTE.get(c.state, c.state)})")
    if not positive:
        if unknown:
            return CheckResult(cid, "uncertain", _msg("reg_unknown_cells", cells="、".join(unknown)), ev)
        shown = "、".join(f"{T2['col_names'].get(k, k)}{_fmt_num(c.value) if c.state == 'number' else '空白'}" for k, c in cells.items())
        return CheckResult(cid, "pass", _msg("reg_none", cells=shown), ev)
    body = classify_body(report.meta)
    outcomes = CFG["rulemaking"]["outcomes"]
    status = outcomes.get(f"{body.kind}/{body.tier}") or outcomes.get(f"{body.kind}/*", "uncertain")
    pos = "、".join(positive)
    if status == "pass":
        note = _msg("reg_note_city") if (body.kind == "government" and body.tier == "city" and body.city_unsure) else ""
        return CheckResult(cid, "pass", _msg("reg_ok", body=body.describe(), cells=pos, note=note), ev)
    if status == "fail":
        return CheckResult(cid, "fail", _msg("reg_fail", body=body.describe(), cells=pos), ev)
    if body.kind == "department":
        reason = _msg("reg_reason_dept", body=body.describe())
    else:
        reason = _msg("reg_reason_unknown", agency=body.describe())
    return CheckResult(cid, "uncertain", _msg("reg_uncertain", cells=pos, reason=reason), ev)


# ---------------------------------------------------------------------------------------------
# Timeliness (Art. 49)
# ---------------------------------------------------------------------------------------------

def _parse_date(s: str) -> date | None:
    m = re.match(r"^\s*(\d{4})\D{1,3}(\d{1,2})\D{1,3}(\d{1,2})", s or "")
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def check_timeliness(report: Report) -> CheckResult:
    cid = "timeliness"
    meta = report.meta
    if not meta.year:
        return CheckResult(cid, "not_assessable", _msg("time_no_year"))
    raw, which, note = meta.published_on, "发布日期", ""
    span_key = "published_on"
    if not raw:
        raw, which, note, span_key = meta.signed_on, "落款日期", _msg("time_note_signed"), "signed_on"
    if not raw:
        return CheckResult(cid, "not_assessable", _msg("time_no_date"))
    sp = meta.spans.get(span_key)
    ev = [Evidence(path=f"meta.{span_key}", value=raw, start=sp[0] if sp else None, end=sp[1] if sp else None)]
    d = _parse_date(raw)
    if d is None:
        return CheckResult(cid, "not_assessable", _msg("time_bad_date", date=raw), ev)
    tc = CFG["timeliness"]
    y = meta.year
    d1 = date(y + 1, *tc["department_deadline"])
    d2 = date(y + 1, *tc["government_deadline"])
    ds = _cn_date(d)
    if d < date(y + 1, 1, 1):
        return CheckResult(cid, "uncertain", _msg("time_early", which=which, date=ds, year=y), ev)
    body = classify_body(meta)
    deadline = {"government": d2, "department": d1}.get(body.kind)
    if deadline is None:
        # Body type unknown (or a development zone): only the two bounds are certain.
        if d <= d1:
            return CheckResult(cid, "pass", _msg("time_unknown_pass", which=which, date=ds, d1=_cn_date(d1), note=note), ev)
        if d <= d2:
            return CheckResult(cid, "uncertain", _msg("time_unknown_between", which=which, date=ds, d1=_cn_date(d1),
                                                       d2=_cn_date(d2), agency=body.describe(), note=note), ev)
        deadline = d2
        if (d - deadline).days > tc["stale_days"]:
            return CheckResult(cid, "uncertain", _msg("time_stale", which=which, date=ds, deadline=_cn_date(deadline)), ev)
        return CheckResult(cid, "fail", _msg("time_unknown_fail", which=which, date=ds, d1=_cn_date(d1), d2=_cn_date(d2), note=""), ev)
    kw = dict(body=body.describe(), deadline=_cn_date(deadline), year=y, which=which, date=ds)
    if d <= deadline:
        return CheckResult(cid, "pass", _msg("time_pass", note=note, **kw), ev)
    if (d - deadline).days > tc["stale_days"]:
        return CheckResult(cid, "uncertain", _msg("time_stale", which=which, date=ds, deadline=_cn_date(deadline)), ev)
    # A signing date after the deadline means publication was after it too.
    return CheckResult(cid, "fail", _msg("time_fail", days=(d - deadline).days, note="", **kw), ev)


# ---------------------------------------------------------------------------------------------
# Fee statement (国办函〔2020〕109号)
# ---------------------------------------------------------------------------------------------

_FEE_RES = [re.compile(p) for p in CFG["fee_statement"]["patterns"]]
_SENT_SPLIT = re.compile(CFG["text_table"]["sentence_split"])


def _find_fee(text: str, offset: int) -> tuple[int, int] | None:
    """Span (absolute) of the first sentence in `text` that states the fee."""
    for rx in _FEE_RES:
        m = rx.search(text)
        if m:
            s = m.start()
            while s > 0 and not _SENT_SPLIT.match(text[s - 1]):
                s -= 1
            e = m.end()
            while e < len(text) and not _SENT_SPLIT.match(text[e]):
                e += 1
            return offset + s, offset + e
    return None


def _src(report: Report) -> str:
    return report.norm if report.norm and len(report.norm) == len(report.text) else report.text


def check_fee_statement(report: Report) -> CheckResult:
    cid = "fee_statement"
    src = _blank_tables(report, _src(report))
    year = report.meta.year
    six = report.section(6)
    span = _find_fee(src[six.body_start:six.end], six.body_start) if six else None
    where_six = span is not None
    if span is None:
        span = _find_fee(src, 0)
    quote = report.text[span[0]:span[1]].strip()[:80] if span else ""
    ev = [Evidence(start=span[0], end=span[1], text=quote)] if span else []
    if six is not None:
        ev.append(Evidence(path="section.6", start=six.start, end=six.end))
    if year is None:
        if span:
            return CheckResult(cid, "pass", _msg("fee_no_year_present", quote=quote), ev)
        return CheckResult(cid, "uncertain", _msg("fee_no_year_absent"), ev)
    if year < CFG["fee_statement"]["from_year"]:
        if span:
            return CheckResult(cid, "pass", _msg("fee_old_present", year=year, quote=quote), ev)
        return CheckResult(cid, "not_assessable", _msg("fee_old", year=year), ev)
    if where_six:
        return CheckResult(cid, "pass", _msg("fee_pass", quote=quote), ev)
    if span:
        return CheckResult(cid, "pass", _msg("fee_pass_elsewhere", quote=quote), ev)
    if six is None:
        return CheckResult(cid, "fail", _msg("fee_fail_no_six"), ev)
    return CheckResult(cid, "fail", _msg("fee_fail", year=year), ev)


# ---------------------------------------------------------------------------------------------
# Sections and format version
# ---------------------------------------------------------------------------------------------

SEC_NAMES = {int(k): v for k, v in CFG["sections"]["names"].items()}
_CN_ORD = "零一二三四五六七八九十"


def check_sections(report: Report) -> list[CheckResult]:
    year = report.meta.year
    secs = sorted(report.sections, key=lambda s: s.start)
    ev = [Evidence(path=f"section.{s.number}", value=s.title, start=s.start, end=s.body_start) for s in secs]
    numbers = {s.number for s in secs}
    found = "、".join(_CN_ORD[n] for n in sorted(numbers) if 0 < n < len(_CN_ORD)) or "无"
    out = []
    if year is not None and year < CFG["sections"]["from_year"]:
        out.append(CheckResult("sections.complete", "not_assessable", _msg("sec_old", year=year), ev))
    elif not secs:
        out.append(CheckResult("sections.complete", "uncertain", _msg("sec_none"), ev))
    else:
        missing = [SEC_NAMES[n] for n in sorted(SEC_NAMES) if n not in numbers]
        if missing:
            out.append(CheckResult("sections.complete", "fail", _msg("sec_fail", missing="、".join(missing), found=found), ev))
        else:
            out.append(CheckResult("sections.complete", "pass", _msg("sec_pass", found=found), ev))
    seq_nums = [s.number for s in secs]
    seq = "→".join(_CN_ORD[n] if 0 < n < len(_CN_ORD) else str(n) for n in seq_nums)
    if len(secs) < 2:
        out.append(CheckResult("sections.order", "not_assessable", _msg("order_few"), ev))
    elif len(set(seq_nums)) < len(seq_nums):
        out.append(CheckResult("sections.order", "uncertain", _msg("order_repeat", seq=seq), ev))
    else:
        pairs = [f"{_CN_ORD[b]}出现在{_CN_ORD[a]}之前" for a, b in zip(seq_nums, seq_nums[1:]) if b < a]
        if pairs:
            out.append(CheckResult("sections.order", "fail", _msg("order_fail", pairs="；".join(pairs), seq=seq), ev))
        else:
            out.append(CheckResult("sections.order", "pass", _msg("order_pass", seq=seq), ev))
    return out


def check_format_version(report: Report) -> CheckResult:
    cid = "format_version"
    fv = CFG["format_version"]
    names = fv["names"]
    year = report.meta.year
    if year is None:
        return CheckResult(cid, "not_assessable", _msg("fmt_no_year"))
    expected = next((e["format"] for e in fv["expected"]
                     if year >= e["min"] and (e["max"] is None or year <= e["max"])), None)
    if expected is None:
        return CheckResult(cid, "not_assessable", _msg("fmt_old", year=year))
    src_names = {"meta": "正文格式标记", "t2": "表二", "t3": "表三"}
    seen: list[tuple[str, str, str]] = []  # (source name, strength, format)
    for src, strength in fv["sources"]:
        if src == "meta":
            fmt = report.meta.format
        else:
            t = _table(report, src)
            fmt = t.format if t is not None else "unknown"
        if fmt and fmt != "unknown":
            seen.append((src_names[src], strength, fmt))
    ev = [Evidence(path=f"format.{name}", value=fmt) for name, _, fmt in seen]
    if not seen:
        return CheckResult(cid, "uncertain", _msg("fmt_unknown", detail="未识别到表格或格式标记", year=year), ev)
    main, _, fmt = seen[0]
    strong_conflict = [x for x in seen[1:] if x[1] == "strong" and x[2] != fmt]
    if strong_conflict:
        detail = "；".join(f"{n}：{names.get(f, f)}" for n, _, f in seen)
        return CheckResult(cid, "uncertain", _msg("fmt_conflict", detail=detail), ev)
    note = "".join(_msg("fmt_weak_note", src=n, fmt=names.get(f, f), main=main) for n, _, f in seen[1:] if f != fmt)
    if fmt == expected:
        return CheckResult(cid, "pass", _msg("fmt_pass", year=year, fmt=names[fmt], note=note), ev)
    return CheckResult(cid, "fail", _msg("fmt_fail", year=year, expected=names[expected], fmt=names.get(fmt, fmt),
                                         main=main, note=note), ev)


# ---------------------------------------------------------------------------------------------
# Text vs tables
# ---------------------------------------------------------------------------------------------

TT = CFG["text_table"]
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def cn_number(s: str) -> int | None:
    """'12' -> 12, '十二' -> 12, '两' -> 2, '一百零五' -> 105, '三万' -> 30000."""
    if s.isdigit():
        return int(s)
    total = section = num = 0
    for ch in s:
        if ch in _CN_DIGITS:
            num = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            section += (num or 1) * _CN_UNITS[ch]
            num = 0
        elif ch == "万":
            total += (section + num) * 10000
            section = num = 0
        else:
            return None
    return total + section + num


@dataclass
class Pattern:
    fact: str
    kind: str  # number | zero
    rx: re.Pattern
    exclude: re.Pattern | None
    subset: re.Pattern | None
    context: re.Pattern | None
    weak: bool
    tail: int
    weak_clause: re.Pattern | None


def _compile_patterns() -> list[Pattern]:
    out = []
    for p in TT["patterns"]:
        src = p["re"].replace("<NUM>", TT["num"]).replace("<G>", TT["gap"]).replace("<Z>", TT["zero_gap"])
        out.append(Pattern(p["fact"], p["kind"], re.compile(src),
                           re.compile(p["exclude"]) if p.get("exclude") else None,
                           re.compile(p["subset"]) if p.get("subset") else None,
                           re.compile(p["context"]) if p.get("context") else None,
                           bool(p.get("weak")), int(p.get("tail", 0)),
                           re.compile(p["weak_clause"]) if p.get("weak_clause") else None))
    return out


PATTERNS = _compile_patterns()
_PREFILTER = re.compile(TT["prefilter"])
_CLAUSE_SPLIT = re.compile(TT["clause_split"])
_OTHER_YEAR = re.compile(TT["other_year_markers"])
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_SUBSET = re.compile(TT["subset_markers"])
_SUBSET_CLAUSE = re.compile(TT["subset_clause_markers"])
_APPROX_PREFIX = re.compile(TT["approx_prefix"])


@dataclass
class Mention:
    fact: str
    value: int | None  # None: approximate figure could not be read
    approx: bool
    start: int
    end: int
    subset: bool = False
    zero: bool = False
    quote: str = ""
    weak: bool = False

    @property
    def decisive(self) -> bool:
        """May this mention alone make the check fail?"""
        return not (self.subset or self.weak or self.approx or self.value is None)


def _sentences(src: str) -> Iterable[tuple[int, int]]:
    start = 0
    for m in _SENT_SPLIT.finditer(src):
        if m.start() > start:
            yield start, m.start()
        start = m.end()
    if start < len(src):
        yield start, len(src)


def _blank_tables(report: Report, src: str) -> str:
    """Blank the table regions so flattened table rows are never read as prose figures."""
    spans = [(t.start, t.end) for t in report.tables.values() if t.start is not None and t.end is not None]
    spans += [(rt.start, rt.end) for rt in report.raw_tables]
    if not spans:
        return src
    chars = list(src)
    for s, e in spans:
        for i in range(max(0, s), min(len(chars), e)):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


def _clause_start(sentence: str, pos: int) -> int:
    cut = 0
    for m in _CLAUSE_SPLIT.finditer(sentence, 0, pos):
        cut = m.end()
    return cut


def _other_year(sentence: str, pos: int, year: int | None) -> bool:
    """Is the clause containing `pos` (text since the last comma) about another year?"""
    cut = _clause_start(sentence, pos)
    prefix = sentence[cut:pos]
    if _OTHER_YEAR.search(prefix):
        return True
    if year is not None:
        for m in _YEAR.finditer(sentence[cut:pos]):
            if int(m.group(1)) != year:
                return True
    return False


def find_mentions(report: Report) -> list[Mention]:
    src = _blank_tables(report, _src(report))
    year = report.meta.year
    mentions: list[Mention] = []
    for s0, s1 in _sentences(src):
        sent = src[s0:s1]
        if not _PREFILTER.search(sent):
            continue
        claimed: list[tuple[int, int]] = []
        found: list[Mention] = []
        for p in PATTERNS:
            for m in p.rx.finditer(sent):
                span_text = m.group(0)
                if p.exclude:
                    tail = _CLAUSE_SPLIT.split(sent[m.end():m.end() + p.tail], 1)[0] if p.tail else ""
                    if p.exclude.search(span_text + tail):
                        continue
                if _other_year(sent, m.start(), year):
                    continue
                cs = _clause_start(sent, m.start())
                subset = (bool(_SUBSET.search(sent, 0, m.start())) or bool(_SUBSET_CLAUSE.search(sent, cs, m.start()))
                          or bool(p.subset and p.subset.search(sent, cs, m.end())))
                weak = (p.weak or bool(p.context and not p.context.search(sent))
                        or bool(p.weak_clause and p.weak_clause.search(sent, cs, m.start())))
                if p.kind == "zero":
                    found.append(Mention(p.fact, 0, False, s0 + m.start(), s0 + m.end(), subset, True, span_text, weak))
                    continue
                ns, ne = m.span("num")
                if any(ns < b and a < ne for a, b in claimed):
                    continue
                claimed.append((ns, ne))
                approx = bool(m.group("approx")) or bool(_APPROX_PREFIX.search(sent, 0, ns))
                found.append(Mention(p.fact, cn_number(m.group("num")), approx, s0 + m.start(), s0 + m.end(),
                                     subset, False, span_text, weak))
        # Within one sentence a stated figure beats a zero statement of the same fact.
        numeric = {f.fact for f in found if not f.zero}
        found = [f for f in found if not (f.zero and f.fact in numeric)]
        zero_facts = {f.fact for f in found if f.zero}
        found = [f for i, f in enumerate(found)
                 if not (f.zero and any(g.zero and g.fact == f.fact for g in found[:i]))]
        # Several figures for one fact in one sentence: a breakdown; add their sum as a candidate.
        by_fact: dict[str, list[Mention]] = {}
        for f in found:
            by_fact.setdefault(f.fact, []).append(f)
        for fact, ms in by_fact.items():
            if len(ms) > 1 and fact not in zero_facts and all(x.value is not None and not x.approx for x in ms):
                for x in ms:
                    x.subset = True
                mentions.append(Mention(fact, sum(x.value for x in ms), False, ms[0].start, ms[-1].end, False, False,
                                        "＋".join(x.quote for x in ms), any(x.weak for x in ms)))
        mentions.extend(found)
    return mentions


@dataclass
class Target:
    value: float | None
    label: str
    blanks: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    table_missing: str | None = None


def _resolve_target(report: Report, paths: list[str]) -> Target:
    total = 0.0
    labels, blanks, unknown, ev = [], [], [], []
    missing_table = None
    for path in paths:
        key, row, col = path.split(".")
        t = _table(report, key)
        cols = col.split("|")
        if t is None:
            missing_table = TABLE_NAMES[key]
            labels.append(TABLE_NAMES[key])
            continue
        present = next((c for c in cols if t.cell(row, c) is not None), None)
        if present is None and t.rows.get(row) and row not in t.ambiguous_rows:
            # the row was read but has no such column: this table format does not report the figure
            missing_table = f"{TABLE_NAMES[key]}（本格式无“{_label(key, row, cols[0])}”）"
            labels.append(TABLE_NAMES[key])
            continue
        col = present or cols[0]
        label = f"{TABLE_NAMES[key]}{_label(key, row, col)}"
        term = _term(t, row, col, label)
        ev.append(term.evidence())
        labels.append(term.render())
        if term.kind == "number":
            total += term.value
        elif term.kind == "blank":
            blanks.append(label)
        else:
            unknown.append(f"{label}({term.note})")
    value = None if (unknown or missing_table) else total
    label = "+".join(labels)
    if len(paths) > 1 and value is not None:
        label += f"={_fmt_num(value)}"
    return Target(value, label, blanks, unknown, ev, missing_table)


def _quote(m: Mention) -> str:
    q = re.sub(r"\s+", "", m.quote)
    return f"“{q[:60]}”"


def _judge_fact(report: Report, fact: str, ms: list[Mention]) -> CheckResult:
    cid = f"text_table.{fact}"
    cands = [_resolve_target(report, paths) for paths in TT["targets"][fact]]
    weak = fact in TT["ambiguous_facts"]
    text_ev = [Evidence(start=m.start, end=m.end, text=report.text[m.start:m.end]) for m in ms]
    quotes = "、".join(dict.fromkeys(_quote(m) for m in ms))
    main = cands[0]
    if all(c.table_missing for c in cands):
        return CheckResult(cid, "not_assessable", _msg("tt_no_table", quotes=quotes, table=main.table_missing), text_ev)
    usable = [c for c in cands if c.value is not None]
    ev = text_ev + [e for c in cands for e in c.evidence]
    if not usable:
        reason = "、".join(main.unknown) if main.unknown else "未识别"
        return CheckResult(cid, "uncertain", _msg("tt_unknown_target", quotes=quotes, target=main.label, reason="无法识别：" + reason), ev)
    # Does any exact mention equal any candidate?
    for c in usable:
        hits = [m for m in ms if not m.approx and m.value is not None and abs(m.value - c.value) <= EPS]
        if hits:
            others = [m for m in ms if m not in hits and not m.subset]
            note = _msg("tt_note_others", quotes="、".join(_quote(m) for m in others)) if others else ""
            note += _blank_note(c.blanks)
            hq = "、".join(dict.fromkeys(_quote(m) for m in hits))
            return CheckResult(cid, "pass", _msg("tt_pass", quotes=hq, target=c.label, note=note), ev)
    target_label = "或".join(c.label for c in usable) if weak else usable[0].label
    decisive = [m for m in ms if m.decisive]
    if weak:
        reason = MSG["tt_reason_ambiguous"]
    elif not decisive:
        if all(m.approx for m in ms):
            reason = MSG["tt_reason_approx"]
        elif any(m.subset for m in ms):
            reason = MSG["tt_reason_subset"]
        else:
            reason = MSG["tt_reason_weak"]
    elif main.blanks and main is usable[0]:
        reason = MSG["tt_reason_blank"] + "（" + "、".join(main.blanks) + "）"
    else:
        reason = None
    if reason:
        return CheckResult(cid, "uncertain", _msg("tt_uncertain", quotes=quotes, target=target_label, reason=reason, note=""), ev)
    dq = "、".join(dict.fromkeys(_quote(m) for m in decisive))
    return CheckResult(cid, "fail", _msg("tt_fail", quotes=dq, target=target_label, note=""), ev)


def check_text_table(report: Report) -> list[CheckResult]:
    mentions = find_mentions(report)
    if not mentions:
        return [CheckResult("text_table", "not_assessable", _msg("tt_none"))]
    by_fact: dict[str, list[Mention]] = {}
    for m in mentions:
        by_fact.setdefault(m.fact, []).append(m)
    order = list(TT["targets"])
    return [_judge_fact(report, f, by_fact[f]) for f in order if f in by_fact]


# ---------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------

CHECKS: list[tuple[str, Callable[[Report], CheckResult | list[CheckResult]]]] = [
    ("sections", check_sections),
    ("format_version", check_format_version),
    ("timeliness", check_timeliness),
    ("t2.values", lambda r: check_values(r, "t2")),
    ("t2.regulations_authority", check_regulations_authority),
    ("t3", check_t3),
    ("t3.values", lambda r: check_values(r, "t3")),
    ("t4", check_t4),
    ("t4.values", lambda r: check_values(r, "t4")),
    ("text_table", check_text_table),
    ("fee_statement", check_fee_statement),
]


def run_checks(report: Report) -> Report:
    """Run every structural check and append the results to report.checks."""
    for name, fn in CHECKS:
        try:
            res = fn(report)
        except Exception as exc:  # one broken check must not lose the whole report
            log.exception("check %s failed on %s", name, report.source)
            res = CheckResult(name, "not_assessable", _msg("internal_error", error=type(exc).__name__))
        report.checks.extend(res if isinstance(res, list) else [res])
    return report
