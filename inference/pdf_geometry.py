"""One PDF page's text and tables from its geometry: characters with boxes and ruling edges.

pdfplumber finds a page's tables from its ruling lines and reads each cell from the characters inside it,
but it gets both from pdfminer, which parses the page's content stream in Python (about 65 ms a ruled
page). pdfium parses the same stream in C: `pdfium_page` reads the characters and the straight segments of
the page's path objects from pypdfium2 into the dictionaries pdfplumber's own table finder and text
extraction take (`chars`, `edges`, top-down coordinates), so the table logic stays pdfplumber's and only
the parsing changes. `page_text_and_tables` turns either source into the loader's text lines and span
grids. Pages with pictures keep going through pdfplumber (OCR needs its image boxes).
"""
from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from typing import Callable

# pdfium path segment types (fpdf_edit.h)
_LINETO, _BEZIERTO, _MOVETO = 0, 1, 2
_AXIS_TOLERANCE = 0.5  # points: a segment this close to horizontal/vertical is a ruling line


@dataclass
class PageGeometry:
    """What table finding and text extraction need of a page, in pdfplumber's conventions (top-down y)."""

    width: float
    height: float
    chars: list[dict] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (0.0, 0.0, self.width, self.height)


def pdfium_page(page, textpage) -> PageGeometry:
    """Characters (loose boxes, generated spaces and line breaks left out) and ruling edges of a pdfium page."""
    import pypdfium2.raw as pdfium_c

    width, height = page.get_size()
    geo = PageGeometry(float(width), float(height))
    rect = pdfium_c.FS_RECTF()
    raw = textpage.raw
    count = pdfium_c.FPDFText_CountChars(raw)
    for i in range(count):
        code = pdfium_c.FPDFText_GetUnicode(raw, i)
        if code < 32 or 0xDC00 <= code <= 0xDFFF or pdfium_c.FPDFText_IsGenerated(raw, i) == 1:
            continue  # a low surrogate was joined to the high one before it
        if 0xD800 <= code <= 0xDBFF:  # UTF-16 pair (CJK extension characters): one character, never a lone half
            low = pdfium_c.FPDFText_GetUnicode(raw, i + 1) if i + 1 < count else 0
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00) if 0xDC00 <= low <= 0xDFFF else 0xFFFD
        if not pdfium_c.FPDFText_GetLooseCharBox(raw, i, rect):
            continue
        size = pdfium_c.FPDFText_GetFontSize(raw, i)
        geo.chars.append({
            "object_type": "char", "text": chr(code), "upright": True, "size": size,
            "x0": rect.left, "x1": rect.right, "top": height - rect.top, "bottom": height - rect.bottom,
            "doctop": height - rect.top, "width": rect.right - rect.left, "height": rect.top - rect.bottom,
        })
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=4):
        geo.edges.extend(_path_edges(obj, height))
    return geo


def _path_edges(obj, height: float) -> list[dict]:
    """The horizontal and vertical straight segments of one path object, closing segments included, in page
    coordinates: the same edges pdfplumber derives from lines and rectangles (curves are not rulings)."""
    import pypdfium2.raw as pdfium_c

    a, b, c, d, e, f = obj.get_matrix().get()
    x, y = ctypes.c_float(), ctypes.c_float()
    edges: list[dict] = []
    start = prev = None
    for k in range(pdfium_c.FPDFPath_CountSegments(obj.raw)):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj.raw, k)
        pdfium_c.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y))
        point = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        if kind == _MOVETO:
            start = point
        elif kind == _LINETO and prev is not None:
            _add_edge(edges, prev, point, height)
        if pdfium_c.FPDFPathSegment_GetClose(seg) and start is not None:
            _add_edge(edges, point, start, height)
        prev = point
    return edges


def _add_edge(edges: list[dict], p: tuple[float, float], q: tuple[float, float], height: float) -> None:
    (x0, y0), (x1, y1) = p, q
    if abs(y0 - y1) <= _AXIS_TOLERANCE and abs(x0 - x1) > _AXIS_TOLERANCE:
        top = height - (y0 + y1) / 2
        x0, x1 = min(x0, x1), max(x0, x1)
        edges.append({"object_type": "line", "orientation": "h", "x0": x0, "x1": x1, "top": top, "bottom": top,
                      "width": x1 - x0, "height": 0.0})
    elif abs(x0 - x1) <= _AXIS_TOLERANCE and abs(y0 - y1) > _AXIS_TOLERANCE:
        x = (x0 + x1) / 2
        top, bottom = height - max(y0, y1), height - min(y0, y1)
        edges.append({"object_type": "line", "orientation": "v", "x0": x, "x1": x, "top": top, "bottom": bottom,
                      "width": 0.0, "height": bottom - top})


def plumber_page(page) -> PageGeometry:
    """The same view of a pdfplumber page (pages with pictures, or PDFs pdfium refuses)."""
    return PageGeometry(float(page.width), float(page.height), list(page.chars), list(page.edges))


def _text(chars: list[dict]) -> str:
    from pdfplumber.utils import extract_text

    return extract_text(chars) if chars else ""


def page_text_and_tables(geo: PageGeometry, line: Callable[[str], None],
                         table: Callable[[list[list[tuple[str, bool]]]], None],
                         cell_text: Callable[[str], str]) -> None:
    """Emit the page top to bottom: the text between tables as lines, each table as a span grid (a cell
    covered by a merged cell repeats the text from its left, else from above, marked as covered)."""
    from pdfplumber.table import TableFinder

    try:
        tables = TableFinder(geo).tables
    except Exception:  # noqa: BLE001 - table detection is best effort; the text is still read
        tables = []
    tables = sorted(tables, key=lambda t: (t.bbox[1], t.bbox[0]))
    if not tables:
        line(_text(geo.chars))
        return
    boxes = [t.bbox for t in tables]

    def outside_tables(ch: dict) -> bool:
        h = (ch["x0"] + ch["x1"]) / 2
        v = (ch["top"] + ch["bottom"]) / 2
        return not any(x0 <= h < x1 and top <= v < bottom for x0, top, x1, bottom in boxes)

    def band_text(top: float, bottom: float) -> str:
        return _text([ch for ch in geo.chars if top <= (ch["top"] + ch["bottom"]) / 2 < bottom and outside_tables(ch)])

    cursor = float("-inf")
    for t in tables:
        line(band_text(cursor, t.bbox[1]))
        x0, top, x1, bottom = t.bbox
        # Table.extract scans the page's characters once per row: hand it only the table's own
        t.page = PageGeometry(geo.width, geo.height, [ch for ch in geo.chars if x0 <= (ch["x0"] + ch["x1"]) / 2 < x1
                                                      and top <= (ch["top"] + ch["bottom"]) / 2 < bottom])
        grid: list[list[tuple[str, bool]]] = []
        prev: list[tuple[str, bool]] = []
        for row in t.extract() or []:
            out: list[tuple[str, bool]] = []
            for c, cell in enumerate(row):
                if cell is None:  # covered by a merged cell: copy from the left, else from above
                    if out:
                        out.append((out[-1][0], True))
                    elif c < len(prev):
                        out.append((prev[c][0], True))
                    else:
                        out.append(("", False))
                else:
                    out.append((cell_text(cell), False))
            grid.append(out)
            prev = out
        table(grid)
        cursor = t.bbox[3]
    line(band_text(cursor, float("inf")))
