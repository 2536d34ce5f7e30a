"""Stage 4: find the six sections (一、总体情况 … 六、其他需要报告的事项) and their sub-parts.

Headings are recognised on `report.norm` only at the start of a line, by a numeral followed by
title keywords from `data/sections.json` — so table rows such as "一、本年新收政府信息公开申请数量"
and the preface sentence that lists all six titles are not headings. A section that is missing
is simply absent from `report.sections`; the list is in document order, so out-of-order sections
show up as such.
"""
from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from inference.report import Report, Section, Subpart

DATA_DIR = Path(__file__).resolve().parents[1] / "data"

_NUMERAL_VALUE = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
CN_NUMERALS = "一二三四五六"


@dataclass
class Heading:
    number: int  # section number given by the title keywords
    start: int  # start of the heading (numeral) in norm
    title_start: int
    title_end: int
    line_end: int
    numbered: bool
    numeral: int | None  # value of the printed numeral, if any


@lru_cache(maxsize=1)
def _data() -> dict:
    with open(DATA_DIR / "sections.json", encoding="utf-8") as f:
        raw = json.load(f)
    num = raw["heading_numerals"]
    sep = raw["heading_separators"]
    raw["_titles"] = [(s["number"], s["title"], [re.compile(p) for p in s["patterns"]]) for s in raw["sections"]]
    # one alternation, in priority order; group name says which section matched
    alts = [f"(?P<s{sec['number']}_{k}>{p.lstrip('^')})" for sec in raw["sections"] for k, p in enumerate(sec["patterns"])]
    raw["_title_rx"] = re.compile("|".join(alts))
    # whole-text scan: line start, optional numeral, then a title
    raw["_scan_rx"] = re.compile(
        rf"^[ \t]*+(?:(?:第)?(?P<num>{num}{{1,2}}|\d{{1,2}})(?:部分)?[ \t]*+{sep}?[ \t]*+)?(?:{'|'.join(alts)})", re.MULTILINE
    )
    sub = raw["subparts"]
    sub["_rx"] = re.compile(sub["heading"], re.MULTILINE)
    raw["_agency_suffix"] = re.compile(raw["agency_suffix"])
    return raw


def _numeral_value(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    if len(s) == 1:
        return _NUMERAL_VALUE.get(s)
    if s[0] == "十":
        return 10 + _NUMERAL_VALUE.get(s[1], 0)
    return None


def _match_title(rest: str) -> tuple[int, int] | None:
    """(section number, end of title within rest) or None."""
    m = _data()["_title_rx"].match(rest)
    if m is None:
        return None
    return int(m.lastgroup[1:].split("_")[0]), m.end()


_BARE_TITLE_MAX = 24
_SENTENCE_PUNCT = re.compile(r"[。,;:!?]")


_last: tuple = (None, [])  # (norm, headings) of the last call: metadata and sections share it


def find_headings(norm: str) -> list[Heading]:
    """All line-initial section-heading candidates in document order."""
    global _last
    last = _last  # one read: safe if threads share the module
    if last[0] is norm:
        return list(last[1])
    out = _find_headings(norm)
    _last = (norm, out)
    return list(out)


def _find_headings(norm: str) -> list[Heading]:
    out: list[Heading] = []
    for m in _data()["_scan_rx"].finditer(norm):
        group = m.lastgroup  # the title alternative that matched, e.g. "s3_0"
        number = int(group[1:].split("_")[0])
        t_start, t_end = m.start(group), m.end(group)
        line_end = norm.find("\n", t_end)
        line_end = len(norm) if line_end < 0 else line_end
        if m.group("num") is not None:
            out.append(Heading(number, m.start("num"), t_start, t_end, line_end, True, _numeral_value(m.group("num"))))
            continue
        # a bare title without a numeral ("总体情况" alone on a line)
        stripped = norm[t_start:line_end].strip()
        if len(stripped) <= _BARE_TITLE_MAX and not _SENTENCE_PUNCT.search(stripped) and t_end >= t_start + len(stripped) - 2:
            out.append(Heading(number, t_start, t_start, t_end, t_start + len(norm[t_start:line_end].rstrip()), False, None))
    return out


def report_start(norm: str, heads: list[Heading] | None = None) -> int:
    """Offset of the first line that belongs to the report (title, preface or first heading)."""
    markers = _data()["report_markers"]
    first_heading = heads[0].start if heads else len(norm)
    pos = 0
    for line in norm.split("\n"):
        if pos >= first_heading:
            break
        if any(mk in line for mk in markers) or "根据《" in line:
            return pos
        pos += len(line) + 1
    return min(first_heading, len(norm))


def _choose(heads: list[Heading], norm: str) -> list[Heading]:
    """One heading per section number: numbered ones first; among several, the first whose body
    (up to the next candidate) has text — so a table-of-contents list does not win."""
    chosen: list[Heading] = []
    starts = [h.start for h in heads]
    for number in range(1, 7):
        for numbered in (True, False):
            cands = [h for h in heads if h.number == number and h.numbered == numbered]
            if not cands:
                continue
            pick = cands[0]
            for h in cands[:20]:
                k = bisect_right(starts, h.start)
                nxt = starts[k] if k < len(starts) else len(norm)
                if norm[h.title_end : nxt].strip():
                    pick = h
                    break
            chosen.append(pick)
            break
    chosen.sort(key=lambda h: h.start)
    return chosen


_TRIM_PUNCT = " \t。.:;,"
_DATE_LINE = re.compile(r"^\s*(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})\s*$")


def _rstrip_end(norm: str, start: int, end: int) -> int:
    while end > start and norm[end - 1].isspace():
        end -= 1
    return end


def _signature_start(norm: str, body_start: int, end: int) -> int:
    """Cut a trailing signature block (agency name line and/or date line) off the last section."""
    suffix = _data()["_agency_suffix"]
    lines = norm[body_start:end].split("\n")
    cut = end
    pos = end
    checked = 0
    for line in reversed(lines):
        line_start = pos - len(line)
        pos = line_start - 1
        s = line.strip()
        if not s:
            continue
        checked += 1
        if checked > 4:
            break
        if _DATE_LINE.match(s) or (
            len(s) <= 40 and not _SENTENCE_PUNCT.search(s) and suffix.search(s) and not s.startswith("(")
        ):
            cut = line_start
            continue
        break
    return cut


def _subparts(norm: str, number: int, body_start: int, end: int) -> list[Subpart]:
    d = _data()
    sub = d["subparts"]
    heads = []
    for m in sub["_rx"].finditer(norm, body_start, end):
        line_end = norm.find("\n", m.end())
        line_end = end if line_end < 0 or line_end > end else line_end
        rest = norm[m.end() : line_end]
        cut = re.search(r"[。:;]", rest)
        title = rest[: cut.start()] if cut else rest
        title = title.strip()[: int(sub["max_title"])]
        heads.append((m.start(), title))
    out: list[Subpart] = []
    for k, (s, title) in enumerate(heads):
        e = heads[k + 1][0] if k + 1 < len(heads) else end
        out.append(Subpart(title=title, start=s, end=_rstrip_end(norm, s, e), kind=_kind(number, title)))
    return out


def _kind(number: int, title: str) -> str:
    sub = _data()["subparts"]
    if number == 1:
        for kind, words in sub["section1_kinds"]:
            if any(w in title for w in words):
                return kind
        return "other"
    if number == 5:
        kinds = sub["section5_kinds"]
        p = any(w in title for w in kinds["problems"])
        i = any(w in title for w in kinds["improvements"])
        if p and not i:
            return "problems"
        if i and not p:
            return "improvements"
        return "other"
    if number == 6:
        for kind, words in sub["section6_kinds"]:
            if any(w in title for w in words):
                return kind
        return "other"
    return "other"


def find_sections(report: Report) -> Report:
    norm = report.norm or report.text
    heads = _choose(find_headings(norm), norm)
    sections: list[Section] = []
    for k, h in enumerate(heads):
        line_end = norm.find("\n", h.title_start)
        line_end = len(norm) if line_end < 0 else line_end
        tail = norm[h.title_end : line_end]
        if len(tail.strip(_TRIM_PUNCT)) <= 12 and not _SENTENCE_PUNCT.search(tail.strip(_TRIM_PUNCT)):
            title_end = h.title_end + len(tail.rstrip())
            body_start = min(line_end + 1, len(norm))
        else:  # body text continues on the heading line
            title_end = h.title_end
            body_start = title_end
            while body_start < line_end and norm[body_start] in _TRIM_PUNCT:
                body_start += 1
        end = heads[k + 1].start if k + 1 < len(heads) else len(norm)
        if k + 1 == len(heads):
            later = [s for s, _e, _r in report.removed if s >= body_start]
            if later:
                end = min(end, min(later))
            end = _signature_start(norm, body_start, _rstrip_end(norm, body_start, end))
        end = max(body_start, _rstrip_end(norm, body_start, end))
        title = report.text[h.title_start:title_end].strip()
        sec = Section(number=h.number, title=title, start=h.start, body_start=body_start, end=end)
        if h.number in (1, 5, 6):
            sec.subparts = _subparts(norm, h.number, body_start, end)
        sections.append(sec)
    report.sections = sections
    return report
