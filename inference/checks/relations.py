"""Cell terms and the relation judge: sum(lhs) == sum(rhs) under the blank / unknown policy of the
module docstring of `inference.checks`."""
from __future__ import annotations

import re
from dataclasses import dataclass

from inference.checks.common import CFG, EPS, _STATE_NOTE, _blank_note, _fmt_num, _msg, _row_name
from inference.report import Cell, CheckResult, Evidence, Table

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
    raws = {c.raw.strip() for c in table.rows.get(row, {}).values()
            if c.state not in ("number", "inferred") and c.raw and c.raw.strip()}  # inferred: one of the row's numbers
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
    if cell.state == "inferred" and cell.value is not None:  # fixed by the table's arithmetic (a note says how)
        return Term(path, label, "number", cell.value, cell=cell, implied=True)
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


def _check(check_id: str, r: RelResult) -> CheckResult:
    return CheckResult(check_id, r.status, r.message, r.evidence)
