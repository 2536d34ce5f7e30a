"""Stage 4: find the six sections (一、总体情况 … 六、其他需要报告的事项) and their sub-parts.

Headings are recognised on `report.norm` only at the start of a line, by a numeral followed by
title keywords from `data/sections.json` — so table rows such as "一、本年新收政府信息公开申请数量"
and the preface sentence that lists all six titles are not headings. A section that is missing
is simply absent from `report.sections`; the list is in document order, so out-of-order sections
show up as such.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from inference import rules
from inference.headings import _SENTENCE_PUNCT, Heading, find_headings
from inference.report import Report, Section, Subpart


@lru_cache(maxsize=1)
def _data() -> dict:
    raw = dict(rules.read("sections"))
    raw["subparts"] = dict(raw["subparts"], _rx=re.compile(raw["subparts"]["heading"], re.MULTILINE))
    raw["_agency_suffix"] = re.compile(raw["agency_suffix"])
    return raw


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
