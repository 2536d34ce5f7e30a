"""Fee statement (国办函〔2020〕109号): from the 2021 report on, section 六 states the fees charged."""
from __future__ import annotations

import re

from inference.checks.common import CFG, _SENT_SPLIT, _blank_tables, _msg, _src
from inference.registry import checks
from inference.report import CheckResult, Evidence, Report

_FEE_RES = [re.compile(p) for p in CFG["fee_statement"]["patterns"]]


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


@checks.register("fee_statement", order=110)
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
