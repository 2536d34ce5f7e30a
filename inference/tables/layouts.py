"""Table layouts: how a table region becomes pieces (text fragments with offsets). A text layout is one
function registered in `inference.registry.table_layouts` with a `detects(norm, start, end)` test; the first
layout (by `order`) whose test holds reads the region. Real markup tables (HTML/DOCX/PDF grids) are read by
`grid_pieces`."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from inference.registry import table_layouts
from inference.report import Report
from inference.tables.text import _key, simple_norm

@dataclass
class _Piece:
    text: str  # normalised text; text[i] sits at offset start + i
    start: int
    explicit: bool = True  # cell boundaries known (pipe / tab / grid)
    brk: bool = False  # a row break marker (no text)

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass
class _Item:
    kind: str  # num | blank | invalid
    value: int | float | None
    raw: str
    start: int
    end: int
    splittable: bool = False  # a glued digit run from a plain line: may hold several cells


def _line_spans(text: str, start: int, end: int) -> Iterable[tuple[int, int]]:
    i = start
    while i < end:
        j = text.find("\n", i, end)
        if j < 0:
            j = end
        yield i, j
        i = j + 1


def _count_lines(norm: str, start: int, end: int, test) -> int:
    return sum(1 for ls, le in _line_spans(norm, start, end) if test(norm[ls:le]))


@table_layouts.register("pipe", order=10, detects=lambda norm, s, e: _count_lines(norm, s, e, lambda line: "|" in line) >= 3)
def _pieces_pipe(norm: str, start: int, end: int) -> list[_Piece]:
    out: list[_Piece] = []
    for ls, le in _line_spans(norm, start, end):
        line = norm[ls:le]
        if "|" not in line:
            if line.strip():
                out.append(_Piece(line, ls, explicit=False))
            continue
        if line.strip() == "|":
            # one-cell-per-line layout: a line holding only its cell's closing pipe is an explicit
            # blank cell (runs of several pipes on a line are colspan padding, handled below)
            out.append(_Piece(line[: line.index("|")], ls))
            continue
        segs: list[tuple[int, int]] = []
        a = 0
        for m in re.finditer(r"\|", line):
            segs.append((a, m.start()))
            a = m.end()
        segs.append((a, len(line)))
        contents = [bool(line[s:e].strip()) for s, e in segs]
        for idx, (s, e) in enumerate(segs):
            if contents[idx]:
                out.append(_Piece(line[s:e], ls + s))
            elif any(contents[idx + 1:]) and idx > 0:
                # a whitespace-only cell between two cells of the same line: an explicit blank.
                # Whitespace at the end of a line (before/among trailing pipes) is colspan padding.
                out.append(_Piece(line[s:e], ls + s))
    return out


@table_layouts.register("cell_per_line", order=20,
                        detects=lambda norm, s, e: _count_lines(norm, s, e, lambda line: line.startswith("\t")) >= 3)
def _pieces_tab(norm: str, start: int, end: int) -> list[_Piece]:
    out: list[_Piece] = []
    prev_blank = True
    for ls, le in _line_spans(norm, start, end):
        line = norm[ls:le]
        if not line.strip() and "\t" not in line:
            out.append(_Piece("", ls, brk=True))
            prev_blank = True
            continue
        parts = line.split("\t")
        offs = []
        a = 0
        for p in parts:
            offs.append(a)
            a += len(p) + 1
        first, rest = parts[0], list(zip(parts[1:], offs[1:]))
        if first.strip():
            if out and not prev_blank and not out[-1].brk:
                last = out[-1]  # continuation line of the previous cell
                new_end = ls + len(first)
                out[-1] = _Piece(norm[last.start:new_end], last.start, last.explicit)
            else:
                out.append(_Piece(first, ls, explicit=False))
        for p, o in rest:
            out.append(_Piece(p, ls + o))
        prev_blank = False
    return out


@table_layouts.register("plain", order=1000, detects=lambda norm, s, e: True)
def _pieces_plain(norm: str, start: int, end: int) -> list[_Piece]:
    return [_Piece(norm[ls:le], ls, explicit=False) for ls, le in _line_spans(norm, start, end) if norm[ls:le].strip()]


def _pieces_grid(report: Report, norm: str, start: int, end: int) -> list[_Piece] | None:
    grids = [t for t in report.raw_tables if t.start < end and t.end > start]
    # an outer (page-layout) table that contains another table is not a data table
    grids = [g for g in grids if not any(h is not g and g.start <= h.start and h.end <= g.end
                                         and (h.start, h.end) != (g.start, g.end) for h in grids)]
    if not grids:
        return None
    out: list[_Piece] = []
    for g in grids:
        for row in g.cells:
            if not any(start <= c.start < end for c in row):
                continue
            out.append(_Piece("", row[0].start if row else g.start, brk=True))
            for c in row:
                if c.spanned:
                    continue  # a copy of a spanned cell: not a cell of its own
                text = norm[c.start:c.end] if 0 <= c.start <= c.end <= len(norm) else ""
                if _key(text) != _key(c.text):
                    text = simple_norm(c.text)  # offsets do not fit the text: keep the cell text
                out.append(_Piece(text, c.start))
    return out


def _text_pieces(norm: str, start: int, end: int) -> tuple[list[_Piece], str]:
    """Pieces of a text region by the first registered layout (in `order`) that detects itself there."""
    for name, read in sorted(table_layouts.items(), key=lambda item: table_layouts.meta(item[0]).get("order", 500)):
        if table_layouts.meta(name)["detects"](norm, start, end):
            return read(norm, start, end), name
    raise LookupError("no table layout detects this region")