"""Locating each table's region: sections 2/3/4, table headings, or anchor labels."""
from __future__ import annotations

from dataclasses import dataclass

from inference.report import Report
from inference.tables.config import _Config
from inference.tables.layouts import _line_spans
from inference.tables.text import TABLE_KEYS, _CN_NUM, _key

@dataclass
class _Region:
    start: int
    end: int
    how: str  # section | heading | anchor


def _line_key_index(norm: str) -> list[tuple[int, int, str]]:
    """(start, end, key) of every short line: candidates for headings and anchors."""
    out = []
    for ls, le in _line_spans(norm, 0, len(norm)):
        if le - ls <= 200:
            k = _key(norm[ls:le])
            if k:
                out.append((ls, le, k))
    return out


def _find_regions(report: Report, norm: str, cfg: _Config) -> dict[str, list[_Region]]:
    """Candidate regions per table, best first."""
    cands: dict[str, list[_Region]] = {k: [] for k in TABLE_KEYS}
    secs = {s.number: s for s in report.sections}
    for tk, num in (("t2", 2), ("t3", 3), ("t4", 4)):
        s = secs.get(num)
        if s is not None and s.end > s.body_start:
            cands[tk].append(_Region(s.body_start, s.end, "section"))

    lines = _line_key_index(norm)

    def heading_at(tk: str, after: int) -> tuple[int, int] | None:
        for ls, le, k in lines:
            if ls < after or len(k) > cfg.heading_max_len:
                continue
            core = k.lstrip(_CN_NUM)
            if any(core.startswith(h) for h in cfg.headings[tk]):
                return ls, le
        return None

    # headings, in order
    pos = 0
    heads: dict[str, tuple[int, int] | None] = {}
    for tk in (*TABLE_KEYS, "end"):
        h = heading_at(tk, pos)
        heads[tk] = h
        if h:
            pos = h[1]

    def anchor_at(tk: str, after: int) -> int | None:
        for ls, le, k in lines:
            if ls < after:
                continue
            if tk == "t4":
                if any(k.startswith(a) for a in cfg.anchors[tk]) and len(k) <= cfg.heading_max_len:
                    return ls
            elif any(a in k for a in cfg.anchors[tk]):
                return ls
        return None

    anchors: dict[str, int | None] = {}
    pos = 0
    for tk in TABLE_KEYS:
        a = anchor_at(tk, pos)
        anchors[tk] = a
        if a is not None:
            pos = a + 1

    text_end = len(norm)
    order = list(TABLE_KEYS)
    for i, tk in enumerate(order):
        h = heads[tk]
        if h:
            nxt = [heads[o][0] for o in (*order[i + 1:], "end") if heads.get(o) and heads[o][0] > h[1]]
            # a later table's own labels also end this one (its heading may be missing)
            nxt += [anchors[o] for o in order[i + 1:] if anchors.get(o) is not None and anchors[o] > h[1]]  # type: ignore[operator]
            cands[tk].append(_Region(h[1], min(nxt) if nxt else text_end, "heading"))
        a = anchors[tk]
        if a is not None:
            nxt = [anchors[o] for o in order[i + 1:] if anchors.get(o) is not None and anchors[o] > a]  # type: ignore[operator]
            if heads.get("end") and heads["end"][0] > a:  # type: ignore[index]
                nxt.append(heads["end"][0])  # type: ignore[index]
            cands[tk].append(_Region(a, min(nxt) if nxt else text_end, "anchor"))  # type: ignore[type-var]
    return cands
