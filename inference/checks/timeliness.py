"""Timeliness (Art. 49): departments publish by 1月31日, people's governments by 3月31日."""
from __future__ import annotations

from datetime import date

from inference.agency import classify_body
from inference.checks.common import CFG, _msg
from inference.chinese import cn_date, iso_date
from inference.registry import checks
from inference.report import CheckResult, Evidence, Report

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
    d1 = date(y + 1, *tc["department_deadline"])
    d2 = date(y + 1, *tc["government_deadline"])
    ds = cn_date(d)
    if d < date(y + 1, 1, 1):
        return CheckResult(cid, "uncertain", _msg("time_early", which=which, date=ds, year=y), ev)
    body = classify_body(meta)
    deadline = {"government": d2, "department": d1}.get(body.kind)
    if deadline is None:
        # Body type unknown (or a development zone): only the two bounds are certain.
        if d <= d1:
            return CheckResult(cid, "pass", _msg("time_unknown_pass", which=which, date=ds, d1=cn_date(d1), note=note), ev)
        if d <= d2:
            return CheckResult(cid, "uncertain", _msg("time_unknown_between", which=which, date=ds, d1=cn_date(d1),
                                                       d2=cn_date(d2), agency=body.describe(), note=note), ev)
        deadline = d2
        if (d - deadline).days > tc["stale_days"]:
            return CheckResult(cid, "uncertain", _msg("time_stale", which=which, date=ds, deadline=cn_date(deadline)), ev)
        return CheckResult(cid, "fail", _msg("time_unknown_fail", which=which, date=ds, d1=cn_date(d1), d2=cn_date(d2), note=""), ev)
    kw = dict(body=body.describe(), deadline=cn_date(deadline), year=y, which=which, date=ds)
    if d <= deadline:
        return CheckResult(cid, "pass", _msg("time_pass", note=note, **kw), ev)
    if (d - deadline).days > tc["stale_days"]:
        return CheckResult(cid, "uncertain", _msg("time_stale", which=which, date=ds, deadline=cn_date(deadline)), ev)
    # A signing date after the deadline means publication was after it too.
    return CheckResult(cid, "fail", _msg("time_fail", days=(d - deadline).days, note="", **kw), ev)
