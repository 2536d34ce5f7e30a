"""Figures the text states for a known fact ("收到申请12件"), one sentence at a time: the text side of
the text-vs-table check. Patterns live in data/checks.json (`text_table`)."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from inference.checks.common import CFG, _SENT_SPLIT, _blank_tables, _src
from inference.chinese import cn_number
from inference.report import Report

TT = CFG["text_table"]


@dataclass
class Pattern:
    fact: str
    kind: str  # number | zero
    rx: re.Pattern
    exclude: re.Pattern | None
    subset: re.Pattern | None
    context: re.Pattern | None
    weak: bool
    tail: int
    weak_clause: re.Pattern | None


def _compile_patterns() -> list[Pattern]:
    out = []
    for p in TT["patterns"]:
        src = p["re"].replace("<NUM>", TT["num"]).replace("<G>", TT["gap"]).replace("<Z>", TT["zero_gap"])
        out.append(Pattern(p["fact"], p["kind"], re.compile(src),
                           re.compile(p["exclude"]) if p.get("exclude") else None,
                           re.compile(p["subset"]) if p.get("subset") else None,
                           re.compile(p["context"]) if p.get("context") else None,
                           bool(p.get("weak")), int(p.get("tail", 0)),
                           re.compile(p["weak_clause"]) if p.get("weak_clause") else None))
    return out


PATTERNS = _compile_patterns()


_PREFILTER = re.compile(TT["prefilter"])


_CLAUSE_SPLIT = re.compile(TT["clause_split"])


_OTHER_YEAR = re.compile(TT["other_year_markers"])


_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


_SUBSET = re.compile(TT["subset_markers"])


_SUBSET_CLAUSE = re.compile(TT["subset_clause_markers"])


_APPROX_PREFIX = re.compile(TT["approx_prefix"])


@dataclass
class Mention:
    fact: str
    value: int | None  # None: approximate figure could not be read
    approx: bool
    start: int
    end: int
    subset: bool = False
    zero: bool = False
    quote: str = ""
    weak: bool = False

    @property
    def decisive(self) -> bool:
        """May this mention alone make the check fail?"""
        return not (self.subset or self.weak or self.approx or self.value is None)


def _sentences(src: str) -> Iterable[tuple[int, int]]:
    start = 0
    for m in _SENT_SPLIT.finditer(src):
        if m.start() > start:
            yield start, m.start()
        start = m.end()
    if start < len(src):
        yield start, len(src)


def _clause_start(sentence: str, pos: int) -> int:
    cut = 0
    for m in _CLAUSE_SPLIT.finditer(sentence, 0, pos):
        cut = m.end()
    return cut


def _other_year(sentence: str, pos: int, year: int | None) -> bool:
    """Is the clause containing `pos` (text since the last comma) about another year?"""
    cut = _clause_start(sentence, pos)
    prefix = sentence[cut:pos]
    if _OTHER_YEAR.search(prefix):
        return True
    if year is not None:
        for m in _YEAR.finditer(sentence[cut:pos]):
            if int(m.group(1)) != year:
                return True
    return False


def find_mentions(report: Report) -> list[Mention]:
    src = _blank_tables(report, _src(report))
    year = report.meta.year
    mentions: list[Mention] = []
    for s0, s1 in _sentences(src):
        sent = src[s0:s1]
        if not _PREFILTER.search(sent):
            continue
        claimed: list[tuple[int, int]] = []
        found: list[Mention] = []
        for p in PATTERNS:
            for m in p.rx.finditer(sent):
                span_text = m.group(0)
                if p.exclude:
                    tail = _CLAUSE_SPLIT.split(sent[m.end():m.end() + p.tail], 1)[0] if p.tail else ""
                    if p.exclude.search(span_text + tail):
                        continue
                if _other_year(sent, m.start(), year):
                    continue
                cs = _clause_start(sent, m.start())
                subset = (bool(_SUBSET.search(sent, 0, m.start())) or bool(_SUBSET_CLAUSE.search(sent, cs, m.start()))
                          or bool(p.subset and p.subset.search(sent, cs, m.end())))
                weak = (p.weak or bool(p.context and not p.context.search(sent))
                        or bool(p.weak_clause and p.weak_clause.search(sent, cs, m.start())))
                if p.kind == "zero":
                    found.append(Mention(p.fact, 0, False, s0 + m.start(), s0 + m.end(), subset, True, span_text, weak))
                    continue
                ns, ne = m.span("num")
                if any(ns < b and a < ne for a, b in claimed):
                    continue
                claimed.append((ns, ne))
                approx = bool(m.group("approx")) or bool(_APPROX_PREFIX.search(sent, 0, ns))
                found.append(Mention(p.fact, cn_number(m.group("num")), approx, s0 + m.start(), s0 + m.end(),
                                     subset, False, span_text, weak))
        # Within one sentence a stated figure beats a zero statement of the same fact.
        numeric = {f.fact for f in found if not f.zero}
        found = [f for f in found if not (f.zero and f.fact in numeric)]
        zero_facts = {f.fact for f in found if f.zero}
        found = [f for i, f in enumerate(found)
                 if not (f.zero and any(g.zero and g.fact == f.fact for g in found[:i]))]
        # Several figures for one fact in one sentence: a breakdown; add their sum as a candidate.
        by_fact: dict[str, list[Mention]] = {}
        for f in found:
            by_fact.setdefault(f.fact, []).append(f)
        for fact, ms in by_fact.items():
            if len(ms) > 1 and fact not in zero_facts and all(x.value is not None and not x.approx for x in ms):
                for x in ms:
                    x.subset = True
                mentions.append(Mention(fact, sum(x.value for x in ms), False, ms[0].start, ms[-1].end, False, False,
                                        "＋".join(x.quote for x in ms), any(x.weak for x in ms)))
        mentions.extend(found)
    return mentions
