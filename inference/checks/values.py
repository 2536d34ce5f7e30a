"""Plausibility of the figures: non-negative integers in tables 2/3/4, and rule-making power (table 2 规章)."""
from __future__ import annotations

from functools import partial

from inference.agency import classify_body
from inference.checks.common import (CFG, EPS, T2, TABLE_NAMES, _STATE_NOTE, _fmt_num, _label, _missing, _msg, _table,
                                     _value_kind)
from inference.registry import checks
from inference.report import CheckResult, Evidence, Report

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


@checks.register("t2.regulations_authority", order=50)
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


for _order, _key in ((40, "t2"), (70, "t3"), (90, "t4")):
    checks.register(f"{_key}.values", order=_order)(partial(check_values, key=_key))
