"""Stage 1: read a file (TXT / HTML / DOCX / PDF) into a `Report` with `text` set.

Every failure is a `ReportError(path, code, reason)` with a Chinese reason; no other exception
escapes `load()`.

Tables read from real markup (HTML <table>, DOCX tables, PDF tables) are written into
`report.text` as one line per grid row, cells joined by " | " (spanned copies and empty cells are
written as empty strings), and kept as `RawTable`s whose `GridCell` offsets point into that text.
"""
from __future__ import annotations

import io
import logging
import os
import re
import stat
import zipfile
import zlib
from functools import lru_cache
from pathlib import Path

from inference import limits, pdf_geometry, rules
from model.textnorm import simplified
from inference.errors import ReportError
from inference.registry import loaders
from inference.report import GridCell, RawTable, Report

MAX_BYTES = 20 * 1024 * 1024  # default of data/limits.json max_bytes (the file rules)
MAX_SPAN = 200  # cap on rowspan/colspan values taken from markup
CELL_SEP = " | "

UNSUPPORTED_HINTS = {
    ".doc": "不支持旧版 Word (.doc) 格式，请另存为 .docx 后再读取",
    ".wps": "不支持 WPS (.wps) 格式，请另存为 .docx 后再读取",
    ".xls": "不支持 Excel 文件，年度报告应为文本、网页、Word 或 PDF",
    ".xlsx": "不支持 Excel 文件，年度报告应为文本、网页、Word 或 PDF",
    ".rtf": "不支持 RTF 格式，请另存为 .docx 或 .txt 后再读取",
}

BINARY_MAGIC = (
    (b"%PDF", "PDF"),
    (b"PK\x03\x04", "压缩包/Office 文档"),
    (b"\x89PNG", "PNG 图片"),
    (b"GIF8", "GIF 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"\xd0\xcf\x11\xe0", "旧版 Office 文档"),
    (b"Rar!", "RAR 压缩包"),
    (b"\x1f\x8b", "gzip 压缩包"),
    (b"7z\xbc\xaf", "7z 压缩包"),
)

_CJK = re.compile(r"[\u3400-\u9fff]")
_CTRL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_WS_RUN = re.compile(r"[ \t\r\n\f\v]+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)


@lru_cache(maxsize=1)
def _report_markers() -> tuple[str, ...]:
    return tuple(rules.read("sections")["report_markers"])


def supported_extensions(in_folders: bool = False) -> list[str]:
    """File extensions a registered loader reads; `in_folders`: those picked up when a folder is scanned
    (a file without extension is read when named, never collected from a folder)."""
    return [ext for ext in loaders.names() if ext and not (in_folders and not loaders.meta(ext).get("in_folders", True))]


# --------------------------------------------------------------------------------------------
# public entry point
# --------------------------------------------------------------------------------------------


def extension_of(path: Path) -> str:
    """The file type a loader is chosen by: the suffix, or the whole name when the name is only an
    extension (a file called `.txt` is a text file, not a hidden file without a type)."""
    ext = path.suffix.lower()
    if not ext and path.name.lower() in loaders and path.name.startswith("."):
        return path.name.lower()
    return ext


_SPECIAL_KINDS = (
    (stat.S_ISFIFO, "这是命名管道（FIFO），不是普通文件，未读取"),
    (stat.S_ISCHR, "这是字符设备，不是普通文件，未读取"),
    (stat.S_ISBLK, "这是块设备，不是普通文件，未读取"),
    (stat.S_ISSOCK, "这是套接字，不是普通文件，未读取"),
)


def check_file(path: str | Path) -> int:
    """Size of a regular file within the byte limit, checked with stat() before anything opens it (a FIFO
    or /dev/zero is never read). Raises ReportError (missing, dangling_link, not_file, empty, too_large,
    unreadable)."""
    p = Path(path)
    src = str(path)
    try:
        try:
            st = os.stat(p)
        except FileNotFoundError:
            if os.path.islink(p):
                raise ReportError(src, "dangling_link", "符号链接指向的文件不存在") from None
            raise ReportError(src, "missing", "文件不存在") from None
        if stat.S_ISDIR(st.st_mode):
            raise ReportError(src, "not_file", "这是一个文件夹，不是文件")
        for test, reason in _SPECIAL_KINDS:
            if test(st.st_mode):
                raise ReportError(src, "not_file", reason)
        if not stat.S_ISREG(st.st_mode):
            raise ReportError(src, "not_file", "不是普通文件，未读取")
    except ReportError:
        raise
    except (OSError, ValueError) as e:  # permissions, odd names (embedded NUL) ...
        raise ReportError(src, "unreadable", f"无法访问文件（{type(e).__name__}）") from e
    size = st.st_size
    if size == 0:
        raise ReportError(src, "empty", "文件是空的")
    max_bytes = limits.get("max_bytes")
    if size > max_bytes:
        raise ReportError(src, "too_large", limits.message("too_large", size=limits.human_bytes(size),
                                                           limit=limits.human_bytes(max_bytes)))
    return size


def read_file(path: str | Path) -> bytes:
    """The bytes of a report file after `check_file`, read once and never more than the byte limit."""
    src = str(path)
    check_file(path)
    max_bytes = limits.get("max_bytes")
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as e:
        raise ReportError(src, "unreadable", f"无法读取文件（{type(e).__name__}）") from e
    if len(data) > max_bytes:  # grew after stat
        raise ReportError(src, "too_large", limits.message("too_large", size=limits.human_bytes(len(data)),
                                                           limit=limits.human_bytes(max_bytes)))
    return data


def load(path: str | Path, data: bytes | None = None) -> Report:
    """Read one file into a Report (text, kind, encoding, raw_tables, notes). `data`: the file's bytes when
    the caller has already read them (`read_file`). Raises ReportError."""
    p = Path(path)
    src = str(path)
    ext = extension_of(p)
    if data is None:
        check_file(p)
        if ext not in loaders:
            raise _unsupported(src, ext)
        data = read_file(p)
    elif ext not in loaders:
        raise _unsupported(src, ext)
    if not data.strip():
        raise ReportError(src, "empty", "文件只有空白字符，没有内容")

    try:
        report = loaders.get(ext)(src, data)
    except ReportError:
        raise
    except (MemoryError, RecursionError) as e:
        raise ReportError(src, "corrupt", f"文件结构过于复杂，无法解析（{type(e).__name__}）") from e
    except Exception as e:  # any library failure on malformed input becomes a ReportError
        code = "corrupt" if loaders.meta(ext).get("container") else "unreadable"
        raise ReportError(src, code, f"文件无法解析，可能已损坏（{type(e).__name__}）") from e

    if not report.text.strip():
        raise ReportError(src, "empty", "文件中没有可读的文字")
    max_chars = limits.get("max_chars")
    if len(report.text) > max_chars:
        raise ReportError(src, "too_long", limits.message("too_long", chars=len(report.text), limit=max_chars))
    if not any(m in report.text for m in _report_markers()) and not any(
            m in simplified(report.text) for m in _report_markers()):  # mirror sites in traditional characters
        raise ReportError(src, "not_report", "内容不像政府信息公开工作年度报告（未出现“政府信息公开”“年度报告”等字样）")
    return report


def _unsupported(src: str, ext: str) -> ReportError:
    shown = " ".join(supported_extensions(in_folders=True))
    return ReportError(src, "unsupported", UNSUPPORTED_HINTS.get(ext, f"不支持的文件类型“{ext}”（支持 {shown}）"))


# --------------------------------------------------------------------------------------------
# plain text
# --------------------------------------------------------------------------------------------


def _normalise_newlines(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _looks_binary(data: bytes) -> str | None:
    for magic, what in BINARY_MAGIC:
        if data.startswith(magic):
            return what
    head = data[:8192]
    if b"\x00" in head:
        return "二进制数据"
    return None


def _too_many_controls(text: str) -> bool:
    sample = text[:20000]
    return len(_CTRL.findall(sample)) > max(2, len(sample) // 100)


def _mostly_utf8(data: bytes, max_bad: int = 16) -> tuple[str, int] | None:
    """UTF-8 with a few bad bytes (a cut last character, one stray byte): the text with U+FFFD for each bad
    byte and their count, or None when too many bytes are bad for this to be UTF-8 at all."""
    parts, pos, bad = [], 0, 0
    while True:
        try:
            parts.append(data[pos:].decode("utf-8"))
            break
        except UnicodeDecodeError as e:
            n = e.end - e.start
            bad += n
            if bad > max_bad:
                return None
            parts.append(data[pos : pos + e.start].decode("utf-8") + "\ufffd" * n)
            pos += e.end
    return ("".join(parts), bad) if bad <= 1 or bad * 1000 <= len(data) else None


def decode_bytes(data: bytes, notes: list[str] | None = None) -> tuple[str, str] | None:
    """Decode text bytes: BOMs, then UTF-8, then UTF-8 with a few bad bytes replaced (noted in `notes`),
    then GBK/GB18030 (if it reads as Chinese), then charset-normalizer. Returns (text, encoding) or None."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    lossy = _mostly_utf8(data)
    if lossy is not None:
        if notes is not None:
            notes.append(limits.message("bad_bytes", count=lossy[1]))
        return lossy[0], "utf-8"
    for enc in ("gbk", "gb18030"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        non_ascii = sum(1 for ch in text[:20000] if ord(ch) > 127)
        cjk = len(_CJK.findall(text[:20000]))
        if non_ascii == 0 or cjk / non_ascii >= 0.6:
            return text, enc
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # noqa: BLE001 - a detector failure just means "unknown encoding"
        best = None
    if best is not None and best.encoding:
        return str(best), best.encoding
    return None


@loaders.register(".txt", ".text")
@loaders.register("", in_folders=False)
def _load_txt(src: str, data: bytes) -> Report:
    what = _looks_binary(data)
    if what and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReportError(src, "binary", f"文件不是文本（看起来是{what}）")
    notes: list[str] = []
    decoded = decode_bytes(data, notes)
    if decoded is None:
        raise ReportError(src, "unreadable", "无法识别文件的文字编码")
    text, enc = decoded
    if _too_many_controls(text):
        raise ReportError(src, "binary", "文件不是文本（含大量控制字符）")
    head = text.lstrip()[:200].lower()
    if head.startswith(("<!doctype html", "<html")) or ("<body" in text[:5000].lower() and "</" in text):
        return _html_to_report(src, text, enc, notes)
    text = _normalise_newlines(text).lstrip("\ufeff")
    return Report(source=src, text=text, kind="txt", encoding=enc, notes=notes)


# --------------------------------------------------------------------------------------------
# shared text builder (HTML / DOCX / PDF)
# --------------------------------------------------------------------------------------------


_NL_BETWEEN_CJK = re.compile(r"(?<=[\u3400-\u9fff])[ \t\r\f]*\n[ \t\r\n\f]*(?=[\u3400-\u9fff])")


def _flow(raw: str) -> str:
    """Collapse layout whitespace like a browser, but drop a line break between two CJK
    characters (a wrapped Chinese line, e.g. '结果<br>纠正' -> '结果纠正')."""
    return _WS_RUN.sub(" ", _NL_BETWEEN_CJK.sub("", raw)).strip()


def _cell_text(raw: str) -> str:
    return _flow(raw).replace("|", "¦")


class _Builder:
    """Accumulates lines of text and tables with exact offsets."""

    def __init__(self, notes: list[str] | None = None) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.tables: list[RawTable] = []
        self.notes: list[str] = notes if notes is not None else []

    def line(self, s: str) -> None:
        s = s.strip()
        if not s:
            return
        for piece in s.split("\n"):
            piece = piece.strip()
            if piece:
                self.parts.append(piece + "\n")
                self.pos += len(piece) + 1

    def table(self, grid: list[list[tuple[str, bool]]]) -> None:
        """grid[r][c] = (text, spanned). Writes one line per row."""
        grid = [row for row in grid if row]
        if not grid:
            return
        budget = limits.get("max_table_cells")
        if sum(len(r) for r in grid) > budget or len(grid) * max(len(r) for r in grid) > budget:
            width = min(max(len(r) for r in grid), budget)
            grid = [r[:width] for r in grid[: max(1, budget // width)]]
            self.notes.append(limits.message("table_truncated", limit=budget))
        width = max(len(r) for r in grid)
        t_start = self.pos
        cells: list[list[GridCell]] = []
        for row in grid:
            row = list(row) + [("", False)] * (width - len(row))
            out_row: list[GridCell] = []
            line_parts: list[str] = []
            col_pos = self.pos
            for i, (text, spanned) in enumerate(row):
                if i:
                    col_pos += len(CELL_SEP)
                written = "" if spanned else text
                out_row.append(GridCell(text=text, start=col_pos, end=col_pos + len(written), spanned=spanned))
                line_parts.append(written)
                col_pos += len(written)
            line = CELL_SEP.join(line_parts)
            self.parts.append(line + "\n")
            self.pos += len(line) + 1
            cells.append(out_row)
        self.tables.append(RawTable(cells=cells, start=t_start, end=self.pos - 1))

    def text(self) -> str:
        return "".join(self.parts)


def _expand_spans(rows: list[list[tuple[str, int, int]]], notes: list[str] | None = None) -> list[list[tuple[str, bool]]]:
    """rows of (text, rowspan, colspan) -> rectangular-ish grid of (text, spanned). The grid is bounded by
    `max_table_cells` (data/limits.json): spans are capped one by one and the whole grid too, so a small
    page of huge rowspan/colspan cells cannot grow without bound; a cut table gets a note."""
    budget = limits.get("max_table_cells")
    grid: dict[tuple[int, int], tuple[str, bool]] = {}
    n_rows = len(rows)
    width = 0
    cut = False
    for r, row in enumerate(rows):
        c = 0
        for text, rs, cs in row:
            while (r, c) in grid:
                c += 1
            rs = max(1, min(rs, MAX_SPAN, n_rows - r))
            cs = max(1, min(cs, MAX_SPAN))
            if len(grid) + rs * cs > budget or (r + 1) * max(width, c + cs) > budget:
                cut = True
                break
            for dr in range(rs):
                for dc in range(cs):
                    grid[(r + dr, c + dc)] = (text, bool(dr or dc))
            c += cs
            width = max(width, c)
        if cut:
            n_rows = r + 1
            break
    if not grid:
        return []
    width = max(c for _, c in grid) + 1
    if n_rows * width > budget:
        n_rows, cut = max(1, budget // width), True
    if cut and notes is not None:
        notes.append(limits.message("table_truncated", limit=budget))
    return [[grid.get((r, c), ("", False)) for c in range(width)] for r in range(n_rows)]


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------

_DROP_TAGS = frozenset({"script", "style", "nav", "noscript", "template", "svg", "select", "button", "iframe", "object"})
_BLOCK_TAGS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article", "header",
    "footer", "main", "aside", "blockquote", "pre", "dl", "dt", "dd", "form", "hr", "center", "address",
    "figure", "figcaption", "caption", "tr", "td", "th", "tbody", "thead", "tfoot", "body", "html", "title",
    "fieldset", "legend", "details", "summary", "table",
}


def _span_attr(tag, name: str) -> int:
    try:
        return int(str(tag.get(name, "1")).strip() or "1")
    except ValueError:
        return 1


def _decode_html(data: bytes, notes: list[str]) -> tuple[str, str]:
    m = _META_CHARSET.search(data[:4096])
    if m:
        enc = m.group(1).decode("ascii", "ignore").lower()
        if enc in ("gb2312", "gbk"):
            enc = "gb18030"
        try:
            return data.decode(enc), enc
        except (LookupError, UnicodeDecodeError):
            pass
    decoded = decode_bytes(data, notes)
    if decoded is None:
        raise ReportError("", "unreadable", "无法识别网页的文字编码")
    return decoded


@loaders.register(".html", ".htm", ".shtml", ".xhtml")
def _load_html(src: str, data: bytes) -> Report:
    if data.startswith((b"%PDF", b"PK\x03\x04")) or b"\x00" in data[:4096]:
        raise ReportError(src, "binary", "文件不是网页文本")
    notes: list[str] = []
    try:
        text, enc = _decode_html(data, notes)
    except ReportError as e:
        raise ReportError(src, e.code, e.reason) from None
    return _html_to_report(src, text, enc, notes)


def _html_to_report(src: str, html: str, enc: str | None, notes: list[str] | None = None) -> Report:
    from bs4 import BeautifulSoup, NavigableString, Tag
    from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

    soup = BeautifulSoup(html, "lxml")
    b = _Builder(notes)
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    if soup.head is not None:
        soup.head.decompose()
    if title:
        b.line(title)

    buf: list[str] = []

    def flush() -> None:
        if buf:
            b.line(_flow("".join(buf)))
            buf.clear()

    def is_layout_table(table: Tag) -> bool:
        if table.find("table") is not None:
            return True
        cells = table.find_all(["td", "th"])
        return len(cells) <= 4 and any(len(c.get_text(strip=True)) > 200 for c in cells)

    def inline_text(node: Tag) -> str:
        parts: list[str] = []
        for d in node.descendants:
            if isinstance(d, (Comment, Declaration, Doctype, ProcessingInstruction)):
                continue
            if any(p.name in _DROP_TAGS for p in (d.parent,) if p is not None):
                continue
            if isinstance(d, NavigableString):
                parts.append(str(d))
            elif isinstance(d, Tag) and (d.name == "br" or d.name in _BLOCK_TAGS):
                parts.append("\n")
        return "".join(parts)

    def own_rows(table: Tag) -> list[Tag]:
        return [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]

    def emit_table(table: Tag) -> None:
        rows: list[list[tuple[str, int, int]]] = []
        for tr in own_rows(table):
            row = []
            for td in tr.find_all(["td", "th"], recursive=False):
                txt = _cell_text(inline_text(td))
                row.append((txt, _span_attr(td, "rowspan"), _span_attr(td, "colspan")))
            rows.append(row)
        b.table(_expand_spans(rows, b.notes))

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, (Comment, Declaration, Doctype, ProcessingInstruction)):
                continue
            if isinstance(child, NavigableString):
                buf.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if name in _DROP_TAGS:  # script/style/nav...: skipped, never written
                continue
            if name == "br":
                flush()
                continue
            if name == "table":
                flush()
                if is_layout_table(child):
                    walk(child)
                else:
                    caption = child.find("caption")
                    if caption is not None:
                        b.line(caption.get_text(" ", strip=True))
                        caption.decompose()
                    emit_table(child)
                continue
            block = name in _BLOCK_TAGS
            if block:
                flush()
            walk(child)
            if block:
                flush()

    walk(soup)
    flush()
    return Report(source=src, text=b.text(), kind="html", encoding=enc, raw_tables=b.tables, notes=b.notes)


# --------------------------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------------------------


@loaders.register(".docx", container=True)
def _load_docx(src: str, data: bytes) -> Report:
    if not data.startswith(b"PK"):
        raise ReportError(src, "corrupt", "不是有效的 Word (.docx) 文件（不是 zip 格式）")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = set(zf.namelist())
    except zipfile.BadZipFile as e:
        raise ReportError(src, "corrupt", "Word 文件已损坏（zip 结构无效）") from e
    if "word/document.xml" not in names:
        raise ReportError(src, "corrupt", "不是有效的 Word (.docx) 文件（缺少 word/document.xml）")
    # Zip bombs are measured on the inflated size: zipfile never inflates an entry past its declared size.
    inflated, max_inflated = sum(max(0, zi.file_size) for zi in zf.infolist()), limits.get("max_inflated_bytes")
    if inflated > max_inflated:
        raise ReportError(src, "inflated", limits.message("inflated", limit=limits.human_bytes(max_inflated)))
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:
        raise ReportError(src, "corrupt", f"Word 文件无法打开，可能已损坏（{type(e).__name__}）") from e

    b = _Builder()
    pictures = [0]  # pictures read by OCR so far

    def emit_table(table: Table) -> None:
        keep: dict[int, object] = {}  # id -> tc, keeps lxml proxies alive so ids stay unique
        grid: list[list[tuple[str, bool]]] = []
        texts: dict[int, str] = {}
        for row in table.rows:
            out: list[tuple[str, bool]] = [("", False)] * getattr(row, "grid_cols_before", 0)
            for cell in row.cells:
                tc = cell._tc
                key = id(tc)
                if key in keep:
                    out.append((texts[key], True))
                else:
                    keep[key] = tc
                    texts[key] = _cell_text(cell.text)
                    out.append((texts[key], False))
            grid.append(out)
        b.table(grid)

    def walk(parent) -> None:
        for child in parent.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                b.line(Paragraph(child, document).text)
                ocr.docx_pictures(child, document, b, pictures)  # a table published as a picture
            elif tag == "tbl":
                emit_table(Table(child, document))
            elif tag in ("sdt", "sdtContent", "customXml", "ins", "smartTag"):
                walk(child)

    walk(document.element.body)
    return Report(source=src, text=b.text(), kind="docx", encoding=None, raw_tables=b.tables, notes=b.notes,
                  ocr=ocr.report_ocr(b))


# --------------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------------


@loaders.register(".pdf", container=True)
def _load_pdf(src: str, data: bytes) -> Report:
    if b"%PDF" not in data[:1024]:
        raise ReportError(src, "corrupt", "不是有效的 PDF 文件（缺少 PDF 文件头）")
    max_inflated = limits.get("max_inflated_bytes")
    if pdf_inflated_size(data, max_inflated) > max_inflated:
        raise ReportError(src, "inflated", limits.message("inflated", limit=limits.human_bytes(max_inflated)))
    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # a malformed PDF's warnings are not the user's business
    try:
        import pypdfium2 as pdfium

        doc = pdfium.PdfDocument(data)
        n_pages = len(doc)
    except Exception as e:
        doc = None
        if "password" in str(e).lower() or "Password" in type(e).__name__:
            raise ReportError(src, "corrupt", "PDF 文件已加密，无法读取") from e
        n_pages = None  # pdfium refused it: pdfplumber gets a try below
    b = _Builder()
    pictures = ocr.PdfPictures(data)  # pages without a text layer and pictures on pages: OCR
    plumber = None

    def plumber_pdf():
        nonlocal plumber
        if plumber is None:
            import pdfplumber

            try:
                plumber = pdfplumber.open(io.BytesIO(data))
            except Exception as e:
                name = type(e).__name__
                if "Password" in name or "Encrypt" in name:
                    raise ReportError(src, "corrupt", "PDF 文件已加密，无法读取") from e
                raise ReportError(src, "corrupt", f"PDF 文件已损坏，无法打开（{name}）") from e
        return plumber

    try:
        if n_pages is None:
            n_pages = len(plumber_pdf().pages)
        if not n_pages:
            raise ReportError(src, "corrupt", "PDF 文件没有页面")
        max_pages = limits.get("max_pages")
        if n_pages > max_pages:
            b.notes.append(limits.message("pages_truncated", pages=n_pages, limit=max_pages))
        for i in range(min(n_pages, max_pages)):
            # pdfium reads a page's text and geometry several times faster than pdfplumber (pdfminer);
            # pdfplumber only opens the PDF for pages with pictures (OCR needs their boxes), pages with no
            # text layer, or a PDF pdfium refuses
            content = _pdfium_page(doc, i) if doc is not None else None
            if isinstance(content, str):
                b.line(content)
            elif content is not None:
                pdf_geometry.page_text_and_tables(content, b.line, b.table, _cell_text)
            else:
                page = plumber_pdf().pages[i]
                if not page.chars:
                    ocr.pdf_scanned_page(pictures, i, b)
                    continue
                pdf_geometry.page_text_and_tables(pdf_geometry.plumber_page(page), b.line, b.table, _cell_text)
                ocr.pdf_page_pictures(pictures, i, page, b)
    except ReportError:
        raise
    except Exception as e:
        raise ReportError(src, "corrupt", f"PDF 文件内容无法解析，可能已损坏（{type(e).__name__}）") from e
    finally:
        pictures.close()
        if plumber is not None:
            plumber.close()
        if doc is not None:
            doc.close()
    if not b.text().strip():
        reason = "扫描版PDF，经文字识别（OCR）未读出文字" if ocr.available() else f"扫描版PDF，没有文字层，无法读取。{ocr.INSTALL_HINT}"
        raise ReportError(src, "scanned_pdf", reason)
    return Report(source=src, text=b.text(), kind="pdf", encoding=None, raw_tables=b.tables, notes=b.notes,
                  ocr=ocr.report_ocr(b))



def _pdfium_page(doc, index: int) -> str | pdf_geometry.PageGeometry | None:
    """A page read by pdfium: its text when it draws no lines or boxes, its characters and ruling edges
    when it does (tables), None when it has pictures or no text (pdfplumber and OCR take it then)."""
    import pypdfium2.raw as pdfium_c

    page = doc[index]
    try:
        kinds = {obj.type for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_IMAGE],
                                                       max_depth=2)}
        if pdfium_c.FPDF_PAGEOBJ_IMAGE in kinds:
            return None
        textpage = page.get_textpage()
        try:
            if pdfium_c.FPDF_PAGEOBJ_PATH in kinds:
                geometry = pdf_geometry.pdfium_page(page, textpage)
                return geometry if geometry.chars else None
            text = textpage.get_text_range()
        finally:
            textpage.close()
    finally:
        page.close()
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return text if text.strip() else None


_PDF_STREAM = re.compile(rb"(?<!end)stream\r?\n")


def pdf_inflated_size(data: bytes, limit: int) -> int:
    """Total inflated size of the PDF's deflate streams, counted in bounded steps and stopped once past
    `limit`: a flate bomb is refused on what it would inflate to, before any PDF library inflates it."""
    total = 0
    for m in _PDF_STREAM.finditer(data):
        end = data.find(b"endstream", m.end())
        if end < 0:
            break
        inflater = zlib.decompressobj()
        pending = data[m.end() : end]
        try:
            while pending and total <= limit:
                total += len(inflater.decompress(pending, 1 << 20))
                pending = inflater.unconsumed_tail
        except zlib.error:  # not a deflate stream (images, other filters): nothing to count
            pass
        if total > limit:
            break
    return total


# image inputs (.png .jpg .jpeg .tif) and the OCR used above for scanned pages and pictures
from inference import ocr  # noqa: E402 - imports nothing heavy (the OCR engine loads on first use)

loaders.register(*ocr.IMAGE_EXTENSIONS, container=True)(lambda src, data: ocr.load_image(src, data, _Builder()))
