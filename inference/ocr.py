"""OCR: image files, scanned PDF pages and pictures inside DOCX/PDF become text with positions.

The recogniser is RapidOCR (`rapidocr-onnxruntime`, the optional extra `nianbao[ocr]`): its wheel carries
the PP-OCRv4 Chinese detection and recognition models, run by onnxruntime on the CPU. Nothing is
downloaded at run time. Without the extra, image inputs fail with a Chinese reason that says what to
install, and scanned PDFs keep their `scanned_pdf` error.

One page image is read as:

1. ruled tables found from the lines (`inference/tables/geometry.py`); every cell's text lines are cut
   from the ink and recognised one by one (batched), so each cell carries its own score;
2. the rest of the page (tables blanked) by detection + recognition; boxes grouped into lines by their
   vertical overlap, wrapped lines of a paragraph joined again;
3. lines and tables in top-to-bottom order written into the loader's text builder: tables become
   `RawTable`s, the same model every other layout is read into.

What was OCR-read is recorded in `report.ocr`: `regions` (which page / picture, its text offsets and mean
score) and `spans` ([start, end, score] of every line and cell). After the tables are read,
`mark_tables` gives every cell whose offsets fall in an OCR span its `confidence`, turns a cell read below
`min_cell_confidence` (data/ocr.json) into `ambiguous` -- never a guessed number -- and notes on each table
that it came from OCR.
"""
from __future__ import annotations

import bisect
import io
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from inference import rules
from inference.errors import ReportError
from inference.report import Report

UNREADABLE = "?"  # written for a cell with ink that could not be read; its span has score 0
INSTALL_HINT = "请安装文字识别扩展：pip install 'nianbao[ocr]'"

_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[）)]|第[一二三四五六七八九十]+[章节部分])")
_NUMERIC_CELL = re.compile(r"^[\d.,，．\s%-]*$")


def settings() -> dict[str, Any]:
    return rules.read("ocr")


def available() -> bool:
    """The `ocr` extra is installed (checked once per process)."""
    return _importable()


@lru_cache(maxsize=1)
def _importable() -> bool:
    try:
        import cv2  # noqa: F401
        import rapidocr_onnxruntime  # noqa: F401
    except Exception:  # noqa: BLE001 - any import failure means "no OCR here"
        return False
    return True


@lru_cache(maxsize=1)
def engine():
    """The RapidOCR engine (models from its wheel), built once per process."""
    import logging

    from rapidocr_onnxruntime import RapidOCR

    logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    return RapidOCR(print_verbose=False, **settings().get("engine", {}))


# --------------------------------------------------------------------------------------------
# one page image
# --------------------------------------------------------------------------------------------


@dataclass
class Line:
    text: str
    confidence: float
    box: tuple[float, float, float, float]  # x0, y0, x1, y1


@dataclass
class TableBlock:
    grid: list[list[tuple[str, bool]]]
    confidence: list[list[float | None]]  # per grid position (None: empty cell)
    box: tuple[float, float, float, float]


@dataclass
class PageRead:
    blocks: list[Line | TableBlock] = field(default_factory=list)
    seconds: float = 0.0


def _to_bgr(image):
    """PIL image / numpy array -> BGR uint8 array, large pages scaled down to max_image_side."""
    import cv2
    import numpy as np

    if not isinstance(image, np.ndarray):
        image = image.convert("RGB")
        image = cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)
    elif image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    elif image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    limit = settings()["max_image_side"]
    h, w = image.shape[:2]
    if max(h, w) > limit:
        f = limit / max(h, w)
        image = cv2.resize(image, (int(w * f), int(h * f)), interpolation=cv2.INTER_AREA)
    return image


def _crop_for_rec(img, box: tuple[int, int, int, int]):
    import cv2

    x0, y0, x1, y1 = box
    pad = 6
    return cv2.copyMakeBorder(img[y0:y1, x0:x1], pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(255, 255, 255))


def _recognise(crops: list) -> list[tuple[str, float]]:
    """Recognise single-line crops in one batch; pixel-identical crops (the many "0" cells of a rendered
    table) are recognised once."""
    import hashlib

    if not crops:
        return []
    first: dict[bytes, int] = {}
    order = []
    for c in crops:
        key = hashlib.blake2b(c.tobytes(), digest_size=16, key=repr(c.shape).encode()).digest()
        order.append(first.setdefault(key, len(first)))
    unique = [None] * len(first)
    for c, k in zip(crops, order):
        if unique[k] is None:
            unique[k] = c
    results = engine().text_rec(unique)[0]
    return [results[k] for k in order]


def _read_tables(img, gray, lines_mask, tables) -> list[TableBlock]:
    from inference.tables.geometry import cell_lines, span_grid

    crops, owners = [], []
    per_cell: dict[tuple[int, int, int], list[int]] = {}
    for ti, t in enumerate(tables):
        for cell in t.cells:
            for lb in cell_lines(gray, lines_mask, cell.box):
                per_cell.setdefault((ti, cell.row, cell.col), []).append(len(crops))
                crops.append(_crop_for_rec(img, lb))
                owners.append((ti, cell.row, cell.col))
    results = _recognise(crops)
    blocks = []
    for ti, t in enumerate(tables):
        texts: dict[tuple[int, int], str] = {}
        confs: dict[tuple[int, int], float] = {}
        for cell in t.cells:
            idx = per_cell.get((ti, cell.row, cell.col))
            if not idx:
                continue
            parts = [(results[i][0] or "").strip() for i in idx]
            scores = [float(results[i][1]) if parts[k] else 0.0 for k, i in enumerate(idx)]
            text = "".join(parts)
            texts[(cell.row, cell.col)] = text if text else UNREADABLE
            confs[(cell.row, cell.col)] = min(scores)
        grid = span_grid(t, texts)
        conf_grid: list[list[float | None]] = [[None] * t.n_cols for _ in range(t.n_rows)]
        for cell in t.cells:
            if (cell.row, cell.col) in confs:
                conf_grid[cell.row][cell.col] = confs[(cell.row, cell.col)]
        blocks.append(TableBlock(grid, conf_grid, t.box))
    return blocks


def _group_lines(boxes: list[tuple[list, str, float]]) -> list[Line]:
    """Detected text boxes -> visual lines (vertical overlap), left to right."""
    items = []
    for pts, text, score in boxes:
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        items.append(Line(text, float(score), (min(xs), min(ys), max(xs), max(ys))))
    items.sort(key=lambda it: (it.box[1] + it.box[3]) / 2)
    rows: list[list[Line]] = []
    for it in items:
        cy = (it.box[1] + it.box[3]) / 2
        if rows:
            last = rows[-1]
            y0 = min(b.box[1] for b in last)
            y1 = max(b.box[3] for b in last)
            if y0 <= cy <= y1:
                last.append(it)
                continue
        rows.append([it])
    out = []
    for row in rows:
        row.sort(key=lambda b: b.box[0])
        text = ""
        for i, b in enumerate(row):
            if i:
                gap = b.box[0] - row[i - 1].box[2]
                text += " " if gap > 1.5 * (b.box[3] - b.box[1]) else ""
            text += b.text
        out.append(Line(text, min(b.confidence for b in row),
                        (min(b.box[0] for b in row), min(b.box[1] for b in row),
                         max(b.box[2] for b in row), max(b.box[3] for b in row))))
    return out


def _join_paragraphs(lines: list[Line]) -> list[Line]:
    """Join the wrapped lines of a paragraph: a line that reaches the right margin continues on the next
    line when that one starts at the left margin and is no heading."""
    if len(lines) < 2:
        return lines
    left = min(ln.box[0] for ln in lines)
    right = max(ln.box[2] for ln in lines)
    out = [lines[0]]
    for ln in lines[1:]:
        prev = out[-1]
        h = max(ln.box[3] - ln.box[1], 1)
        full = prev.box[2] >= right - 1.5 * h
        at_left = ln.box[0] <= left + 0.8 * h
        close = ln.box[1] - prev.box[3] < 1.2 * h
        if full and at_left and close and not _HEADING.match(ln.text):
            out[-1] = Line(prev.text + ln.text, min(prev.confidence, ln.confidence),
                           (min(prev.box[0], ln.box[0]), prev.box[1], max(prev.box[2], ln.box[2]), ln.box[3]))
        else:
            out.append(ln)
    return out


def read_image(image) -> PageRead:
    """One page image (PIL or numpy) -> lines and tables in reading order."""
    import cv2

    from inference.tables.geometry import deskew, find_tables, line_mask

    t0 = time.perf_counter()
    img, _angle = deskew(_to_bgr(image))  # a scanned page is rarely straight
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    mask = line_mask(gray)
    tables = find_tables(gray, mask)
    blocks: list[Line | TableBlock] = list(_read_tables(img, gray, mask, tables))
    rest = img.copy()
    for t in tables:
        x0, y0, x1, y1 = t.box
        rest[max(0, y0 - 2):y1 + 3, max(0, x0 - 2):x1 + 3] = 255
    result = None
    if int((cv2.cvtColor(rest, cv2.COLOR_BGR2GRAY) < 160).sum()) > 30:  # ink outside the tables
        result, _ = engine()(rest, use_cls=False)
    if result:
        # lines between tables are grouped and joined per stretch, so a table never glues two paragraphs
        lines = _group_lines(result)
        cuts = sorted(t.box[1] for t in tables)
        groups: dict[int, list[Line]] = {}
        for ln in lines:
            groups.setdefault(bisect.bisect(cuts, ln.box[1]), []).append(ln)
        for k in sorted(groups):
            blocks.extend(_join_paragraphs(groups[k]))
    blocks.sort(key=lambda b: b.box[1])
    return PageRead(blocks, time.perf_counter() - t0)


# --------------------------------------------------------------------------------------------
# writing into a loader's text builder
# --------------------------------------------------------------------------------------------


def _log(b) -> dict[str, list]:
    if not hasattr(b, "ocr"):
        b.ocr = {"regions": [], "spans": []}
    return b.ocr


def emit(page: PageRead, b, where: str) -> bool:
    """Write an OCR-read page into the builder `b` (inference.loaders._Builder); False if it held no text."""
    log = _log(b)
    start = b.pos
    scores: list[float] = []
    for blk in page.blocks:
        if isinstance(blk, Line):
            text = blk.text.strip()
            if not text:
                continue
            s = b.pos
            b.line(text)
            if b.pos > s:
                log["spans"].append([s, b.pos - 1, round(blk.confidence, 4)])
                scores.append(blk.confidence)
        else:
            b.table(blk.grid)
            raw = b.tables[-1]
            for r, row in enumerate(raw.cells):
                for c, cell in enumerate(row):
                    conf = blk.confidence[r][c] if r < len(blk.confidence) and c < len(blk.confidence[r]) else None
                    if conf is None or cell.spanned or cell.end <= cell.start:
                        continue
                    log["spans"].append([cell.start, cell.end, round(conf, 4)])
                    scores.append(conf)
    if b.pos == start:
        return False
    log["regions"].append({"where": where, "start": start, "end": b.pos,
                           "confidence": round(sum(scores) / len(scores), 4) if scores else None})
    return True


def report_ocr(b) -> dict[str, Any]:
    return getattr(b, "ocr", None) or {}


# --------------------------------------------------------------------------------------------
# inputs: image files, PDF pages and pictures, DOCX pictures
# --------------------------------------------------------------------------------------------


def _require(src: str, what: str) -> None:
    if not available():
        raise ReportError(src, "ocr_unavailable", f"{what}需要文字识别（OCR），本机未安装。{INSTALL_HINT}")


def _frames(src: str, data: bytes) -> list:
    from PIL import Image, ImageSequence

    try:
        img = Image.open(io.BytesIO(data))
        frames = [f.copy() for f in ImageSequence.Iterator(img)]
    except Exception as e:  # noqa: BLE001 - a damaged or unknown picture
        raise ReportError(src, "corrupt", f"图片无法打开，可能已损坏（{type(e).__name__}）") from e
    return frames[: settings()["max_pages"]]


IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".tif", ".tiff")


def load_image(src: str, data: bytes, b) -> Report:
    """An image file (a TIF may hold several pages) read into the empty text builder `b`; registered for
    IMAGE_EXTENSIONS by inference/loaders.py."""
    _require(src, "图片文件")
    frames = _frames(src, data)
    for i, frame in enumerate(frames, 1):
        emit(read_image(frame), b, f"图片第{i}页" if len(frames) > 1 else "图片")
    return Report(source=src, text=b.text(), kind="image", encoding=None, raw_tables=b.tables, ocr=report_ocr(b))


class PdfPictures:
    """Renders pages (or parts of pages) of one PDF for OCR; opened on first use."""

    def __init__(self, data: bytes):
        self.data = data
        self._doc = None
        self.pages_read = 0

    def _page(self, index: int):
        if self._doc is None:
            import pypdfium2

            self._doc = pypdfium2.PdfDocument(self.data)
        return self._doc[index]

    def render(self, index: int, dpi: float, crop: tuple[float, float, float, float] = (0, 0, 0, 0)):
        return self._page(index).render(scale=dpi / 72, crop=crop).to_pil()

    def close(self) -> None:
        if self._doc is not None:
            self._doc.close()
            self._doc = None


def pdf_scanned_page(pictures: PdfPictures, index: int, b) -> bool:
    """A PDF page without a text layer: render and OCR it. False when OCR is missing or the cap is reached."""
    cfg = settings()
    if not available() or pictures.pages_read >= cfg["max_pages"]:
        return False
    pictures.pages_read += 1
    return emit(read_image(pictures.render(index, cfg["render_dpi"])), b, f"第{index + 1}页（扫描页）")


def pdf_page_pictures(pictures: PdfPictures, index: int, page, b) -> None:
    """Pictures on a PDF page that has text (a table published as an image): OCR each large one."""
    if not page.images or not available():  # most pages have no pictures: OpenCV is not even imported
        return
    cfg = settings()
    pw, ph = float(page.width), float(page.height)
    for k, im in enumerate(sorted(page.images, key=lambda i: (i["top"], i["x0"]))):
        x0, top, x1, bottom = (max(0.0, float(im["x0"])), max(0.0, float(im["top"])),
                               min(pw, float(im["x1"])), min(ph, float(im["bottom"])))
        if (x1 - x0) * (bottom - top) < cfg["min_pdf_image_fraction"] * pw * ph:
            continue
        if pictures.pages_read >= cfg["max_pages"]:
            return
        pictures.pages_read += 1
        pic = pictures.render(index, cfg["embedded_render_dpi"], crop=(x0, ph - bottom, pw - x1, top))
        emit(read_image(pic), b, f"第{index + 1}页图片{k + 1}")


_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_EMBED = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"


def docx_pictures(element, document, b, counter: list[int]) -> None:
    """Pictures inside a DOCX paragraph (an inline table image): OCR each one large enough."""
    blips = list(element.iter(_BLIP))
    if not blips or not available():
        return
    from PIL import Image

    cfg = settings()
    for blip in blips:
        rid = blip.get(_EMBED)
        part = document.part.related_parts.get(rid) if rid else None
        if part is None or counter[0] >= cfg["max_pages"]:
            continue
        try:
            img = Image.open(io.BytesIO(part.blob))
            img.load()
        except Exception:  # noqa: BLE001 - a picture format PIL cannot read (EMF/WMF): skipped
            continue
        if min(img.size) < cfg["min_image_px"]:
            continue
        counter[0] += 1
        emit(read_image(img), b, f"文档图片{counter[0]}")


# --------------------------------------------------------------------------------------------
# after the tables are read: confidence on cells, unreadable cells ambiguous, notes
# --------------------------------------------------------------------------------------------


def confidence_of(report: Report, start: int | None, end: int | None) -> float | None:
    """Lowest OCR score over the text [start, end), or None when that text did not come from OCR."""
    spans = report.ocr.get("spans") if report.ocr else None
    if not spans or start is None:
        return None
    end = max(end if end is not None else start, start + 1)
    starts = [s[0] for s in spans]
    i = bisect.bisect_right(starts, end) - 1
    found = []
    while i >= 0:
        s, e, conf = spans[i]
        if e > start and s < end:
            found.append(conf)
        elif e <= start and s < start - 2000:
            break
        i -= 1
    return min(found) if found else None


def mark_tables(report: Report) -> Report:
    """Confidence on every OCR-read cell; low-score cells `ambiguous`; a note on each OCR-read table."""
    if not report.ocr or not report.ocr.get("spans"):
        return report
    from inference.tables.config import load_config
    from inference.tables.text import _CN_TABLE

    report.ocr["spans"].sort(key=lambda s: s[0])
    # metadata read from OCR text (agency, year, dates ...): the score of the text each was read from
    report.ocr["values"] = {name: conf for name, (s, e) in sorted(report.meta.spans.items())
                            if (conf := confidence_of(report, s, e)) is not None}
    cfg = load_config()
    names = cfg.raw.get("col_names", {})
    row_names = {r.key: r.name for r in cfg.t3.rows}
    for _kws, spec in cfg.t2_formats.values():
        row_names.update({r.key: r.name for r in spec.rows})
    row_names.update({r["key"]: r["name"] for r in cfg.raw["t4"]["rows"]})
    floor = settings()["min_cell_confidence"]
    for key, t in report.tables.items():
        if not t.found:
            continue
        low, scores = [], []
        for r, cols in t.rows.items():
            for c, cell in cols.items():
                if r in t.ambiguous_rows:
                    continue
                conf = confidence_of(report, cell.start, cell.end)
                if conf is None:
                    continue
                cell.confidence = conf
                scores.append(conf)
                if conf < floor and cell.state in ("number", "invalid", "blank"):
                    if cell.state == "invalid":
                        stale = f"列内容“{cell.raw}”不是数字，记为无效。"
                        t.notes[:] = [n for n in t.notes if not (f"“{names.get(c, c)}”{stale}" in n)]
                    shown = cell.raw if cell.raw and cell.raw != UNREADABLE else "无法辨认"
                    low.append(f"“{row_names.get(r, r)}”行“{names.get(c, c)}”列（{shown}，置信度{conf:.2f}）")
                    cell.state, cell.value = "ambiguous", None
        for r in {r for r, _c in _low_cells(t)}:
            _confirm_by_row_sum(cfg, key, t, r, row_names.get(r, r), names)
        if scores:
            t.notes.append(f"{_CN_TABLE[key]}由图片经文字识别（OCR）读取，{len(scores)}个单元格，最低置信度{min(scores):.2f}。")
        if low:
            t.notes.append(f"{_CN_TABLE[key]}以下单元格文字识别置信度低于{floor:.2f}，标记为存疑，不作推测：" + "；".join(low) + "。")
    return report


def _low_cells(t) -> list[tuple[str, str]]:
    return [(r, c) for r, cols in t.rows.items() if r not in t.ambiguous_rows
            for c, cell in cols.items() if cell.state == "ambiguous" and cell.confidence is not None]


def _confirm_by_row_sum(cfg, key: str, t, row: str, row_name: str, names: dict) -> None:
    """A low-score cell is used after all when two independent sources agree: the recogniser's reading
    parses to the very number the row's own sum requires (all other cells of the row read as numbers).
    The cell becomes `inferred` with the reasoning in a note; otherwise it stays `ambiguous`."""
    from inference.tables.assign import _parse_number
    from inference.tables.text import _CN_TABLE

    spec = cfg.t3 if key == "t3" else cfg.t4 if key == "t4" else None
    rs = spec.row_sum if spec is not None else None
    cells = t.rows.get(row, {})
    unknown = [c for c, cell in cells.items() if cell.state == "ambiguous"]
    if not rs or len(unknown) != 1 or rs["total"] not in cells:
        return
    col = unknown[0]
    others = {c: cell for c, cell in cells.items() if c != col and c in [rs["total"], *rs["parts"]]}
    if any(cell.state != "number" or cell.value is None for cell in others.values()):
        return
    parts = sum(cell.value for c, cell in others.items() if c != rs["total"])
    need = parts if col == rs["total"] else others[rs["total"]].value - parts
    cell = cells[col]
    read = _parse_number(cell.raw.strip()) if cell.raw else None
    if read is None or need < 0 or abs(read - need) > 1e-9:
        return
    cell.state, cell.value = "inferred", need
    t.notes.append(f"{_CN_TABLE[key]}“{row_name}”行“{names.get(col, col)}”列识别为“{cell.raw}”但置信度低"
                   f"（{cell.confidence:.2f}）；行内合计关系（总计=各列之和）要求该格为{need:g}，与识别结果一致，"
                   f"据此采用并标记为推算（inferred）。")


def summary(report: Report | dict) -> str:
    """One Chinese line saying which parts of the report came from OCR ('' when none); a Report or its
    `to_dict()` result."""
    ocr_info = report.get("ocr") if isinstance(report, dict) else report.ocr
    regions = (ocr_info or {}).get("regions", [])
    if not regions:
        return ""
    scores = [r["confidence"] for r in regions if r.get("confidence") is not None]
    where = "、".join(r["where"] for r in regions[:12]) + ("等" if len(regions) > 12 else "")
    mean = f"，平均置信度{sum(scores) / len(scores):.2f}" if scores else ""
    return f"以下内容由图片经文字识别（OCR）得到，请核对：{where}{mean}。"
