"""Tables rebuilt from the geometry of a page image: ruling lines -> cells -> rows/columns with spans.

Used by OCR (`inference/ocr.py`). A printed report's tables are ruled grids, so the cells are found from
the lines, not guessed from where words happen to sit:

1. `find_tables`: long horizontal and vertical strokes (morphological opening with long kernels) form a
   line mask; each connected piece of the mask large enough to hold cells is a table.
2. Its cells are the white regions the lines enclose (connected components of the inverted mask).
3. Column starts are the distinct left edges of the cells, row starts the distinct top edges (clustered
   with a tolerance); a cell's column is that of its left edge and its colspan the number of column starts
   inside it (rows likewise). The result is the same span grid the HTML/DOCX/PDF loaders build.
4. `cell_lines`: the ink inside a cell, line strokes removed, cut into text lines by its horizontal
   projection; each line is recognised on its own (`inference/ocr.py`), so a single "0" the page-level
   detector would miss, or numbers of neighbouring cells read as one run, cannot happen.

Only numpy and OpenCV (both come with the `ocr` extra); nothing here knows about table 2/3/4 labels.
"""
from __future__ import annotations

from dataclasses import dataclass, field

INK = 160  # grey level below which a pixel is ink


@dataclass
class GeoCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 of the interior, page pixels


@dataclass
class GeoTable:
    box: tuple[int, int, int, int]
    n_rows: int
    n_cols: int
    cells: list[GeoCell] = field(default_factory=list)


def _cluster(values: list[int], tol: int) -> list[int]:
    """Sorted representatives of values closer than `tol` to each other."""
    out: list[list[int]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [g[0] for g in out]


def line_mask(gray):
    """Mask (uint8 0/255) of the ruling lines of a grey page image."""
    import cv2
    import numpy as np

    bw = (gray < INK).astype(np.uint8) * 255
    h, w = bw.shape
    hk = max(25, w // 35)
    vk = max(15, h // 90)
    horiz = cv2.morphologyEx(bw, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (hk, 1)))
    vert = cv2.morphologyEx(bw, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, vk)))
    # a vertical stroke is a ruling line only where it meets a horizontal one at an end: the digit "1"
    # or a tall glyph inside a cell is as straight, but floats free of the grid
    near_h = cv2.dilate(horiz, np.ones((7, 7), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(vert, connectivity=8)
    keep = np.zeros(n, dtype=bool)
    for i in range(1, n):
        x, y, w_, h_, _a = stats[i]
        top = near_h[max(0, y - 2):y + 3, x:x + w_]
        bottom = near_h[max(0, y + h_ - 3):y + h_ + 2, x:x + w_]
        keep[i] = bool(top.any() or bottom.any())
    vert = np.where(keep[labels], vert, 0).astype(np.uint8)
    return cv2.dilate(horiz | vert, np.ones((3, 3), np.uint8))


def find_tables(gray, lines=None, min_cells: int = 4) -> list[GeoTable]:
    """The ruled tables of a grey page image, top to bottom."""
    import cv2
    import numpy as np

    if lines is None:
        lines = line_mask(gray)
    h, w = gray.shape
    n, labels, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    tables: list[GeoTable] = []
    for i in range(1, n):
        x, y, bw_, bh, _area = stats[i]
        if bw_ < w * 0.15 or bh < 20:
            continue
        crop = (labels[y:y + bh, x:x + bw_] == i)
        free = (~crop).astype(np.uint8)
        m, clabels, cstats, _ = cv2.connectedComponentsWithStats(free, connectivity=4)
        boxes = []
        for j in range(1, m):
            cx, cy, cw, ch, carea = cstats[j]
            if cx == 0 or cy == 0 or cx + cw >= bw_ or cy + ch >= bh:
                continue  # outside the grid (touches the table's bounding box)
            if cw < 8 or ch < 8 or carea < 0.5 * cw * ch:
                continue
            boxes.append((x + cx, y + cy, x + cx + cw, y + cy + ch))
        if len(boxes) < min_cells:
            continue
        tol = 6
        col_starts = _cluster([b[0] for b in boxes], tol)
        row_starts = _cluster([b[1] for b in boxes], tol)
        if len(col_starts) < 2:
            continue  # a framed paragraph, not a table (one row of cells is: a table continued from a page)

        def index(starts: list[int], v: int) -> int:
            return min(range(len(starts)), key=lambda k: abs(starts[k] - v))

        table = GeoTable((int(x), int(y), int(x + bw_), int(y + bh)), len(row_starts), len(col_starts))
        for b in boxes:
            c, r = index(col_starts, b[0]), index(row_starts, b[1])
            cs = max(1, sum(1 for s in col_starts if b[0] - tol <= s < b[2]))
            rs = max(1, sum(1 for s in row_starts if b[1] - tol <= s < b[3]))
            table.cells.append(GeoCell(r, c, rs, cs, tuple(int(v) for v in b)))
        tables.append(table)
    tables.sort(key=lambda t: (t.box[1], t.box[0]))
    return tables


def cell_lines(gray, lines, box: tuple[int, int, int, int], min_h: int = 5) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1) of the text lines inside a cell, ruling strokes removed; [] for an empty cell."""
    import numpy as np

    x0, y0, x1, y1 = box
    inner = 2
    sub = gray[y0 + inner:y1 - inner, x0 + inner:x1 - inner]
    if sub.size == 0:
        return []
    ink = (sub < INK) & (lines[y0 + inner:y1 - inner, x0 + inner:x1 - inner] == 0)
    rows = ink.sum(axis=1)
    out = []
    r, n = 0, len(rows)
    while r < n:
        if rows[r] == 0:
            r += 1
            continue
        s = r
        gap = 0
        while r < n and gap <= 2:
            gap = gap + 1 if rows[r] == 0 else 0
            r += 1
        e = r - gap
        if e - s >= min_h:
            cols = np.where(ink[s:e].any(axis=0))[0]
            out.append((x0 + inner + int(cols[0]), y0 + inner + s, x0 + inner + int(cols[-1]) + 1, y0 + inner + e))
    return out


def span_grid(table: GeoTable, texts: dict[tuple[int, int], str]) -> list[list[tuple[str, bool]]]:
    """The table as the loaders' span grid: grid[r][c] = (text, spanned); `texts` by (row, col) of a cell."""
    grid: list[list[tuple[str, bool]]] = [[("", False)] * table.n_cols for _ in range(table.n_rows)]
    for cell in table.cells:
        text = texts.get((cell.row, cell.col), "")
        for dr in range(cell.rowspan):
            for dc in range(cell.colspan):
                r, c = cell.row + dr, cell.col + dc
                if r < table.n_rows and c < table.n_cols:
                    grid[r][c] = (text, bool(dr or dc))
    return grid


def skew_angle(gray, max_angle: float = 5.0) -> float:
    """Skew of a scanned page in degrees (positive: lines rise to the right), from its long horizontal
    strokes (table rules, underlines); 0.0 when the page has none."""
    import cv2
    import numpy as np

    bw = (gray < INK).astype(np.uint8) * 255
    h, w = bw.shape
    horiz = cv2.morphologyEx(bw, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(25, w // 35), 1)))
    # a skewed rule breaks into steps; close them so each rule is one component
    horiz = cv2.morphologyEx(horiz, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (15, 5)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(horiz, connectivity=8)
    angles, weights = [], []
    for i in range(1, n):
        x, y, bw_, bh, _a = stats[i]
        if bw_ < w / 5:
            continue
        ys, xs = np.nonzero(labels[y:y + bh, x:x + bw_] == i)
        if len(xs) < 50:
            continue
        slope = np.polyfit(xs, ys, 1)[0]
        angles.append(-np.degrees(np.arctan(slope)))
        weights.append(bw_)
    if not angles:
        return 0.0
    order = np.argsort(angles)
    cum = np.cumsum(np.asarray(weights)[order])
    angle = float(np.asarray(angles)[order][np.searchsorted(cum, cum[-1] / 2)])  # weighted median
    return angle if abs(angle) <= max_angle else 0.0


def deskew(img, min_angle: float = 0.1):
    """The page rotated so that its rules are horizontal, and the angle corrected (degrees)."""
    import cv2

    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY) if img.ndim == 3 else img
    angle = skew_angle(gray)
    if abs(angle) < min_angle:
        return img, 0.0
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
    out = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT,
                         borderValue=(255, 255, 255))
    return out, angle
