"""Structure: the six sections present, in order and numbered as the template numbers them, and the table
format required for the year."""
from __future__ import annotations

import re

from inference.checks.common import CFG, _msg, _src, _table
from inference.chinese import ORDINALS, numeral_value, ordinal
from inference.registry import checks
from inference.report import CheckResult, Evidence, Report

SEC_NAMES = {int(k): v for k, v in CFG["sections"]["names"].items()}


@checks.register("sections", order=10)
def check_sections(report: Report) -> list[CheckResult]:
    year = report.meta.year
    secs = sorted(report.sections, key=lambda s: s.start)
    ev = [Evidence(path=f"section.{s.number}", value=s.title, start=s.start, end=s.body_start) for s in secs]
    numbers = {s.number for s in secs}
    found = "、".join(ORDINALS[n] for n in sorted(numbers) if 0 < n < len(ORDINALS)) or "无"
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
    seq = "→".join(ordinal(n) for n in seq_nums)
    if len(secs) < 2:
        out.append(CheckResult("sections.order", "not_assessable", _msg("order_few"), ev))
    elif len(set(seq_nums)) < len(seq_nums):
        out.append(CheckResult("sections.order", "uncertain", _msg("order_repeat", seq=seq), ev))
    else:
        pairs = [f"{ORDINALS[b]}出现在{ORDINALS[a]}之前" for a, b in zip(seq_nums, seq_nums[1:]) if b < a]
        if pairs:
            out.append(CheckResult("sections.order", "fail", _msg("order_fail", pairs="；".join(pairs), seq=seq), ev))
        else:
            out.append(CheckResult("sections.order", "pass", _msg("order_pass", seq=seq), ev))
    return out


@checks.register("format_version", order=20)
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


_PRINTED = re.compile(r"(?:第)?([一二三四五六七八九十]{1,2}|\d{1,2})(?![\d年])")


def printed_numeral(src: str, section) -> int | None:
    """The number printed before a section's title (None: a bare title). Section.start is the numeral's
    offset for a numbered heading and the title's for a bare one."""
    m = _PRINTED.match(src, section.start)
    return numeral_value(m.group(1)) if m else None


@checks.register("sections.numbering", order=11)
def check_section_numbering(report: Report) -> CheckResult:
    """The numeral before each section title is the template's number for that title."""
    cid = "sections.numbering"
    year = report.meta.year
    if year is not None and year < CFG["sections"]["from_year"]:
        return CheckResult(cid, "not_assessable", _msg("num_old", year=year))
    secs = sorted(report.sections, key=lambda s: s.start)
    if not secs:
        return CheckResult(cid, "not_assessable", _msg("num_few"))
    src = _src(report)
    printed = [(s, printed_numeral(src, s)) for s in secs]
    ev = [Evidence(path=f"section.{s.number}", value=ordinal(n) if n else None, start=s.start,
                   end=min(s.body_start, s.start + len(s.title) + 4), text=s.title) for s, n in printed]
    seq = "→".join(ordinal(n) if n else "（无序号）" for _, n in printed)
    if all(n is None for _, n in printed):
        return CheckResult(cid, "not_assessable", _msg("num_none"), ev)
    # One root cause, one deduction: sections numbered 一, 二, 三… in the order they appear, where a section is
    # missing or out of place, differ from the template only because of that (sections.complete / .order).
    numbers_in_order = [n for _, n in printed]
    absent = set(range(1, len(SEC_NAMES) + 1)) - {s.number for s in secs}
    misplaced = [s.number for s in secs] != sorted(s.number for s in secs)
    if numbers_in_order == list(range(1, len(printed) + 1)) and (absent or misplaced):
        return CheckResult(cid, "pass", _msg("num_consequence", seq=seq), ev)
    issues, missing_only = [], True
    for s, n in printed:
        if n is None:
            issues.append(_msg("num_missing", title=s.title, right=ordinal(s.number)))
        elif n != s.number:
            missing_only = False
            issues.append(_msg("num_wrong", printed=ordinal(n), title=s.title, right=ordinal(s.number)))
    numbers = [n for _, n in printed if n is not None]
    for n in sorted({n for n in numbers if numbers.count(n) > 1}):
        missing_only = False
        issues.append(_msg("num_dup", printed=ordinal(n), n=numbers.count(n)))
    top = len(SEC_NAMES)
    bare_above = any(n is None and s.number > max(numbers) for s, n in printed)  # explains the short count
    if max(numbers) < top and issues and not bare_above:
        missing_only = False
        shifted = numbers == list(range(1, len(numbers) + 1)) and len(numbers) == len(printed)
        issues.append(_msg("num_short", last=ordinal(max(numbers))) + (_msg("num_shifted") if shifted else ""))
    if not issues:
        return CheckResult(cid, "pass", _msg("num_pass", seq=seq), ev)
    if missing_only and report.kind in CFG["sections"]["numbering_uncertain_kinds"]:
        return CheckResult(cid, "uncertain", _msg("num_uncertain", issues="；".join(issues), seq=seq), ev)
    return CheckResult(cid, "fail", _msg("num_fail", issues="；".join(issues), seq=seq), ev)
