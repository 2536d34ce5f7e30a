"""Section headings of a report text (一、总体情况 … 六、其他需要报告的事项), found at line starts.

Shared by the stages that need to know where the report body is (clean, metadata) and the
sections stage itself, so no stage has to import a later one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from inference import rules
from model.textnorm import cut_out, source_span



@dataclass
class Heading:
    number: int  # section number given by the title keywords
    start: int  # start of the heading (numeral) in norm
    title_start: int
    title_end: int
    line_end: int
    numbered: bool


@lru_cache(maxsize=1)
def _data() -> dict:
    """The heading scanner compiled from data/sections.json."""
    raw = dict(rules.read("sections"))
    num = raw["heading_numerals"]
    sep = raw["heading_separators"]
    # one alternation, in priority order; group name says which section matched
    alts = [f"(?P<s{sec['number']}_{k}>{p.lstrip('^')})" for sec in raw["sections"] for k, p in enumerate(sec["patterns"])]
    # whole-text scan: line start, optional numeral, then a title
    raw["_scan_rx"] = re.compile(
        rf"^[ \t]*+(?:(?:第)?(?P<num>{num}{{1,2}}|\d{{1,2}})(?:部分)?[ \t]*+{sep}?[ \t]*+)?(?:{'|'.join(alts)})", re.MULTILINE
    )
    return raw


_BARE_TITLE_MAX = 24
_SENTENCE_PUNCT = re.compile(r"[。,;:!?]")


# where a romanisation gloss was blanked (主动    公开: model/textnorm.py) a title would not match; headings are
# scanned with such blank runs between two characters cut out, and positions mapped back
_GLOSS_BLANK = re.compile(r"(?<=[\u4e00-\u9fff]) {3,10}(?=[\u4e00-\u9fff])")


def find_headings(norm: str) -> list[Heading]:
    """All line-initial section-heading candidates in document order."""
    view, where = cut_out(norm, _GLOSS_BLANK)
    out: list[Heading] = []
    for m in _data()["_scan_rx"].finditer(view):
        group = m.lastgroup  # the title alternative that matched, e.g. "s3_0"
        number = int(group[1:].split("_")[0])
        t_start, t_end = m.start(group), m.end(group)
        line_end = view.find("\n", t_end)
        line_end = len(view) if line_end < 0 else line_end
        title = source_span(where, t_start, t_end)
        if m.group("num") is not None:
            numeral = source_span(where, m.start("num"), t_end)[0]
            out.append(Heading(number, numeral, *title, source_span(where, t_start, line_end)[1], True))
            continue
        # a bare title without a numeral ("总体情况" alone on a line)
        stripped = view[t_start:line_end].strip()
        if len(stripped) <= _BARE_TITLE_MAX and not _SENTENCE_PUNCT.search(stripped) and t_end >= t_start + len(stripped) - 2:
            end = t_start + len(view[t_start:line_end].rstrip())
            out.append(Heading(number, title[0], *title, source_span(where, t_start, end)[1], False))
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
