"""Image-only versions of the authored samples, for the OCR tests (nothing here is committed as an image).

The tests call these functions into a temporary folder; run by hand to look at the pictures:

    python data/samples/make_image_samples.py OUT_DIR

Text is drawn with a CJK font (Debian's fonts-noto-cjk, or the font named by NIANBAO_CJK_FONT) and the
tables are drawn as ruled grids with merged cells, laid out like the official formats (the same span
tables as the HTML/DOCX/PDF samples of make_binary_samples.py). What comes out:

- `write_scanned_pdf`: every page a picture, no text layer (a scanned report);
- `write_docx_with_table_images`: prose as Word text, tables 2/3/4 as pictures inside the document;
- `write_pdf_with_table_images`: prose as PDF text, the tables as pictures placed on the pages;
- `page_images`: the pages as PIL images (a page saved as PNG/JPG is an image input).
"""
from __future__ import annotations

import io
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_binary_samples import paragraphs, tables_of, to_grid  # noqa: E402
from samplekit import Sample  # noqa: E402

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)

PAGE_W, PAGE_H = 1240, 1754  # A4 at 150 dpi
MARGIN = 100
BODY, TITLE, CELL = 24, 34, 18  # font sizes in pixels


def font_path() -> str | None:
    env = os.environ.get("NIANBAO_CJK_FONT")
    if env and Path(env).is_file():
        return env
    return next((p for p in FONT_CANDIDATES if Path(p).is_file()), None)


def _font(size: int):
    from PIL import ImageFont

    path = font_path()
    if path is None:
        raise RuntimeError("no CJK font: apt-get install fonts-noto-cjk or set NIANBAO_CJK_FONT")
    # Noto CJK collections: index 2 is the Simplified Chinese face
    return ImageFont.truetype(path, size, index=2 if path.endswith("CJK-Regular.ttc") else 0)


def _wrap(text: str, font, width: int) -> list[str]:
    """Character-level wrapping (Chinese has no spaces to break at)."""
    lines, cur = [], ""
    for ch in text:
        if font.getlength(cur + ch) > width and cur:
            lines.append(cur)
            cur = ch
        else:
            cur += ch
    if cur:
        lines.append(cur)
    return lines or [""]


def table_image(width_cols: int, rows, number: int, total_w: int = PAGE_W - 2 * MARGIN):
    """A ruled table with merged cells, as a PIL image."""
    from PIL import Image, ImageDraw

    font = _font(CELL)
    cells = to_grid(width_cols, rows)
    n_rows = len(rows)
    if number == 3:
        fixed = [0.094, 0.094, 0.235]
        rest = (1 - sum(fixed)) / 7
        fracs = fixed + [rest] * 7
    else:
        fracs = [1 / width_cols] * width_cols
    xs = [0]
    for f in fracs:
        xs.append(xs[-1] + int(round(f * total_w)))
    line_h, pad = CELL + 8, 6
    heights = [line_h + 2 * pad] * n_rows
    wrapped = {}
    for r, c, rs, cs, text in cells:
        w = xs[c + cs] - xs[c] - 2 * pad
        wrapped[(r, c)] = _wrap(text, font, w) if text else []
    for r, c, rs, cs, text in sorted(cells, key=lambda x: x[2]):
        need = len(wrapped[(r, c)]) * line_h + 2 * pad
        have = sum(heights[r:r + rs])
        if need > have:
            heights[r + rs - 1] += need - have
    ys = [0]
    for h in heights:
        ys.append(ys[-1] + h)
    img = Image.new("RGB", (xs[-1] + 3, ys[-1] + 3), "white")
    img.info["row_tops"] = ys  # where a page break may cut the table (between rows)
    d = ImageDraw.Draw(img)
    for r, c, rs, cs, text in cells:
        x0, y0, x1, y1 = xs[c], ys[r], xs[c + cs], ys[r + rs]
        d.rectangle([x0, y0, x1, y1], outline="black", width=2)
        lines = wrapped[(r, c)]
        top = y0 + (y1 - y0 - len(lines) * line_h) // 2
        for i, line in enumerate(lines):
            lw = font.getlength(line)
            d.text((x0 + (x1 - x0 - lw) / 2, top + i * line_h + 2), line, font=font, fill="black")
    return img


def _blocks(s: Sample):
    """The report as a flow of ('title'|'para'|'head'|'right', text) and ('table', image)."""
    tabs = tables_of(s)
    yield "title", s.title.replace("\n", "")
    yield "para", s.intro
    for pos, number in enumerate(s.order):
        yield "head", s.heading(pos, number)
        for p in paragraphs(s.bodies.get(number, "")):
            yield "para", p
        if number in tabs:
            yield "table", table_image(*tabs[number], number)
    for line in paragraphs(s.signature):
        yield "right", line.strip()


def page_images(s: Sample, split_tables: bool = False) -> list:
    """The whole report drawn on A4 pages at 150 dpi. `split_tables`: a table that does not fit is cut
    between two rows and continued on the next page (as printed reports do), instead of moved whole."""
    from PIL import Image, ImageDraw

    fonts = {"title": _font(TITLE), "para": _font(BODY), "head": _font(BODY), "right": _font(BODY)}
    pages = []
    text_w = PAGE_W - 2 * MARGIN

    def new_page():
        img = Image.new("RGB", (PAGE_W, PAGE_H), "white")
        pages.append(img)
        return img, ImageDraw.Draw(img), MARGIN

    img, d, y = new_page()
    for kind, item in _blocks(s):
        if kind == "table":
            room = PAGE_H - MARGIN - y - 10
            if split_tables and item.height > room:
                cuts = [t for t in item.info["row_tops"] if 0 < t <= room]
                if cuts and cuts[-1] > 100:
                    cut = cuts[-1]
                    img.paste(item.crop((0, 0, item.width, cut + 2)), (MARGIN, y + 10))
                    rest = item.crop((0, cut, item.width, item.height))
                    img, d, y = new_page()
                    img.paste(rest, (MARGIN, y))
                    y += rest.height + 20
                    continue
            if y + item.height > PAGE_H - MARGIN:
                img, d, y = new_page()
            y += 10
            img.paste(item, (MARGIN, y))
            y += item.height + 20
            continue
        font = fonts[kind]
        lh = int(font.size * 1.7)
        indent = 2 * font.size if kind == "para" else 0
        lines = _wrap(item, font, text_w - indent)
        for i, line in enumerate(lines):
            if y + lh > PAGE_H - MARGIN:
                img, d, y = new_page()
            lw = font.getlength(line)
            if kind == "title":
                x = (PAGE_W - lw) / 2
            elif kind == "right":
                x = PAGE_W - MARGIN - lw
            else:
                x = MARGIN + (indent if i == 0 else 0)
            d.text((x, y), line, font=font, fill="black")
            y += lh
        y += 6
    return pages


def as_scanned(img, angle: float = 1.5, blur: float = 0.8, noise: float = 12.0, seed: int = 0):
    """A page as a flatbed scan sees it: slightly rotated, soft, with grey noise."""
    import numpy as np
    from PIL import Image, ImageFilter

    img = img.rotate(angle, resample=Image.BICUBIC, fillcolor="white").filter(ImageFilter.GaussianBlur(blur))
    a = np.asarray(img.convert("L")).astype(np.int16)
    a = a + np.random.default_rng(seed).normal(0, noise, a.shape)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def write_scanned_pdf(s: Sample, path: Path, split_tables: bool = False) -> Path:
    """Every page a picture: a PDF without a text layer."""
    pages = [p.convert("RGB") for p in page_images(s, split_tables)]
    pages[0].save(path, "PDF", resolution=150.0, save_all=True, append_images=pages[1:])
    return path


def _png(img) -> io.BytesIO:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    buf.seek(0)
    return buf


def write_docx_with_table_images(s: Sample, path: Path) -> Path:
    """Prose as Word paragraphs, tables 2/3/4 as inline pictures."""
    import docx
    from docx.shared import Mm

    d = docx.Document()
    for kind, item in _blocks(s):
        if kind == "table":
            d.add_picture(_png(item), width=Mm(170))
        else:
            d.add_paragraph(item)
    d.save(str(path))
    return path


def write_pdf_with_table_images(s: Sample, path: Path) -> Path:
    """Prose as PDF text (reportlab's CID font), tables as pictures on the pages."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Image as RLImage
    from reportlab.platypus import Paragraph, SimpleDocTemplate
    from xml.sax.saxutils import escape

    font = "STSong-Light"
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=17, wordWrap="CJK")
    story = []
    for kind, item in _blocks(s):
        if kind == "table":
            w = 170 * mm
            story.append(RLImage(_png(item), width=w, height=w * item.height / item.width))
        else:
            story.append(Paragraph(escape(item), body))
    SimpleDocTemplate(str(path), pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm,
                      bottomMargin=20 * mm, invariant=1).build(story)
    return path


def sample(file: str) -> Sample:
    import make_samples

    return next(x for x in make_samples.SAMPLES if x.file == file)


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    s7 = sample("s07_linjiang_city_gov_2024.pdf")
    write_scanned_pdf(s7, out / "s07_scanned.pdf")
    for i, p in enumerate(page_images(s7), 1):
        p.save(out / f"s07_page{i}.png")
    s5 = sample("s05_lanjiang_transport_dept_2021.html")
    write_docx_with_table_images(s5, out / "s05_table_images.docx")
    write_pdf_with_table_images(s5, out / "s05_table_images.pdf")
