"""Timeliness (条例第四十九条): departments publish by 1月31日, people's governments by 3月31日, local rules
may bring these forward; townships and sub-district offices have no statutory deadline. Every deadline
comes from data/deadlines.json through `inference.deadlines`."""
from __future__ import annotations

from datetime import date

from inference import deadlines
from inference.agency import classify_body
from inference.checks.common import CFG, _msg
from inference.chinese import cn_date, iso_date
from inference.registry import checks
from inference.report import CheckResult, Evidence, Report


def _basis(dl: deadlines.Deadline) -> str:
    return _msg("time_basis_local", rule=dl.basis) if dl.local else _msg("time_basis_statute")


@checks.register("timeliness", order=30)
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
    d = iso_date(raw)
    if d is None:
        return CheckResult(cid, "not_assessable", _msg("time_bad_date", date=raw), ev)
    tc = CFG["timeliness"]
    y = meta.year
    ds = cn_date(d)
    if d < date(y + 1, 1, 1):
        return CheckResult(cid, "uncertain", _msg("time_early", which=which, date=ds, year=y), ev)
    body = classify_body(meta)
    cfg = deadlines.read()
    # the department and government deadlines that bind this body's place: the bounds when its kind is unknown
    dep = deadlines.deadline_for(body, cfg, "department")
    gov = deadlines.deadline_for(body, cfg, "government")
    d1, d2 = dep.on(y), gov.on(y)
    own = deadlines.deadline_for(body, cfg)
    if own.category == "township" and own.month_day is None:
        # 条例 names no deadline for 乡镇 / 街道: never judged as a county government
        if d <= d1:
            return CheckResult(cid, "pass", _msg("time_township_pass", body=body.describe(), which=which, date=ds,
                                                 d1=cn_date(d1), note=note), ev)
        return CheckResult(cid, "uncertain", _msg("time_township", body=body.describe(), which=which, date=ds,
                                                  d1=cn_date(d1), d2=cn_date(d2), note=note), ev)
    deadline = own.on(y)
    if deadline is None:
        # Body type unknown (or a development zone without a local rule): only the two bounds are certain.
        if d <= d1:
            return CheckResult(cid, "pass", _msg("time_unknown_pass", which=which, date=ds, d1=cn_date(d1), note=note), ev)
        if d <= d2:
            return CheckResult(cid, "uncertain", _msg("time_unknown_between", which=which, date=ds, d1=cn_date(d1),
                                                       d2=cn_date(d2), agency=body.describe(), note=note), ev)
        deadline = d2
        if (d - deadline).days > tc["stale_days"]:
            return CheckResult(cid, "uncertain", _msg("time_stale", which=which, date=ds, deadline=cn_date(deadline)), ev)
        return CheckResult(cid, "fail", _msg("time_unknown_fail", which=which, date=ds, d1=cn_date(d1), d2=cn_date(d2), note=""), ev)
    kw = dict(body=body.describe(), deadline=cn_date(deadline), year=y, which=which, date=ds, basis=_basis(own))
    if d <= deadline:
        return CheckResult(cid, "pass", _msg("time_pass", note=note, **kw), ev)
    if (d - deadline).days > tc["stale_days"]:
        return CheckResult(cid, "uncertain", _msg("time_stale", which=which, date=ds, deadline=cn_date(deadline)), ev)
    # A signing date after the deadline means publication was after it too.
    return CheckResult(cid, "fail", _msg("time_fail", days=(d - deadline).days, note="", **kw), ev)
