"""Report year: years written in phrases that state the reporting period (title, preface, statistics
period, 截至X年12月31日, "X年，本机关……", headings and table captions) must be the report year. A
report copied from last year's often keeps last year's year in some of them. Comparisons (较2022年),
spans of time (2019年以来), document references (《…》) and next year's plans are not contradictions.
Patterns and guards: data/checks.json, `report_year`."""
from __future__ import annotations

import re
from functools import lru_cache

from inference.checks.common import CFG, _msg, _src
from inference.registry import checks
from inference.report import CheckResult, Evidence, Report


@lru_cache(maxsize=1)
def _rules() -> dict:
    ry = CFG["report_year"]
    return {
        "patterns": [dict(p, rx=re.compile(p["re"]), skip=re.compile(p["skip_clause"]) if p.get("skip_clause") else None)
                     for p in ry["patterns"]],
        "before": re.compile(ry["guard_before"]),
        "window": int(ry["guard_before_window"]),
        "after": re.compile(ry["guard_after"]),
        "plan": re.compile(ry["plan_words"]),
        "split": re.compile(ry["clause_split"]),
        "max_evidence": int(ry["max_evidence"]),
    }


def _parts(report: Report, length: int) -> list[tuple[int, int, int]]:
    """(part, start, end): 0 = before the first section heading, then each section."""
    secs = sorted(report.sections, key=lambda s: s.start)
    if not secs:
        return [(0, 0, length)]
    out = [(0, 0, secs[0].start)]
    for k, s in enumerate(secs):
        end = secs[k + 1].start if k + 1 < len(secs) else max(s.end, s.body_start)
        out.append((s.number, s.start, end))
    return out


def _clause(src: str, start: int, end: int, split: re.Pattern) -> tuple[int, int]:
    a = start
    while a > 0 and not split.match(src[a - 1]):
        a -= 1
    b = end
    while b < len(src) and not split.match(src[b]):
        b += 1
    return a, b


def _in_title(before: str) -> bool:
    """An unclosed 《 (or <) before the year in its clause: the year is part of a document's title."""
    return before.count("《") > before.count("》") or before.count("<") > before.count(">")


def year_mentions(report: Report) -> list[tuple[str, int, int, int, str]]:
    """Every reporting-period mention: (pattern what, year, start, end, text around it), in text order, once per offset."""
    r = _rules()
    src = _src(report)
    seen: dict[int, tuple] = {}
    for part, ps, pe in _parts(report, len(src)):
        for p in r["patterns"]:
            if part not in p["parts"]:
                continue
            for m in p["rx"].finditer(src, ps, pe):
                for group in ("year", "year2"):
                    if group not in p["rx"].groupindex or m.group(group) is None:
                        continue
                    s, e = m.span(group)
                    if s in seen:
                        continue
                    cs, ce = _clause(src, s, e, r["split"])
                    if group == "year" and (r["before"].search(src[max(ps, s - r["window"]):s]) or r["after"].match(src, e)
                                            or _in_title(src[cs:s])):
                        continue
                    clause = src[cs:ce].strip()
                    snippet = src[max(cs, s - 24):min(ce, e + 24)].strip()
                    if p["skip"] is not None and p["skip"].search(clause):
                        continue
                    seen[s] = (p["what"], int(m.group(group)), s, e, snippet)
    return [seen[k] for k in sorted(seen)]


@checks.register("report_year", order=25)
def check_report_year(report: Report) -> CheckResult:
    cid = "report_year"
    year = report.meta.year
    if year is None:
        return CheckResult(cid, "not_assessable", _msg("year_no_year"))
    r = _rules()
    src = _src(report)
    bad, maybe, same = [], [], 0
    for what, y, s, e, text in year_mentions(report):
        if y == year:
            same += 1
        elif y == year + 1:
            if r["plan"].search(src[e:_clause(src, s, e, r["split"])[1]]):
                continue  # next year's plan
            maybe.append((what, y, s, e, text))
        else:
            bad.append((what, y, s, e, text))

    def items(found):
        return "；".join(_msg("year_item", what=w, text=c) for w, _y, _s, _e, c in found[:5]) + (
            f"等{len(found)}处" if len(found) > 5 else "")

    def evidence(found):
        return [Evidence(path="text.year", value=y, start=s, end=e, text=c) for _w, y, s, e, c in found[:r["max_evidence"]]]

    if bad:
        return CheckResult(cid, "fail", _msg("year_fail", year=year, items=items(bad)), evidence(bad + maybe))
    if maybe:
        return CheckResult(cid, "uncertain", _msg("year_uncertain", year=year, next=year + 1, items=items(maybe)), evidence(maybe))
    detail = f"（核对了{same}处）" if same else "（未找到写明年份的报告期表述）"
    return CheckResult(cid, "pass", _msg("year_pass", year=year, detail=detail))
