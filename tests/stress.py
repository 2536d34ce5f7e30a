"""Stress inputs for batch runs: malformed, hostile and odd files in one folder, plus the command-line
entries that are not files at all. Used by tests/test_stress.py (a fast subset in CI) and by
benchmarks/stress.py (the full run, which also kills runs at random moments and resumes them).

`make_stress(root, scale)` writes the inputs and returns `Case`s: each the path(s) of one input class and
what a batch must make of them (`ok` codes, error codes, or a note). Limits that make a class cheap to
trigger in CI are in `FAST_LIMITS` (the benchmark runs with the shipped limits).
"""
from __future__ import annotations

import io
import os
import random
import shutil
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
TXT = SAMPLES / "s01_yunxi_county_gov_2023.txt"
HTML = SAMPLES / "s05_lanjiang_transport_dept_2021.html"
DOCX = SAMPLES / "s06_qinglan_hitech_zone_2022.docx"
PDF = SAMPLES / "s07_linjiang_city_gov_2024.pdf"

# CI: limits low enough that the bombs and the long report are cheap to build and to refuse
FAST_LIMITS = {"max_inflated_bytes": 8 << 20, "max_seconds": 10, "max_chars": 150_000, "max_model_tokens": 2000,
               "max_pages": 2}
MULTI_PAGE_PDF = 3  # pages of the sample PDF: over FAST_LIMITS["max_pages"]


@dataclass
class Case:
    name: str  # input class
    paths: list[Path]
    expect: set[str]  # error codes accepted, or "ok" (scored), "note" (scored with a note)
    on_command_line: bool = False  # named explicitly rather than found in the folder
    extra: dict = field(default_factory=dict)


# -- hand-made PDFs -------------------------------------------------------------------------------------------
def tiny_pdf(objs: list[bytes]) -> bytes:
    """A PDF of the given object bodies (object 1 is the catalog), with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
LOOPING_PDFS = {
    # page tree whose kids include the tree itself (the 427-byte kind)
    "kids_loop": [CATALOG, b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>",
                  b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>", _stream(b"BT ET")],
    # content arrays that contain each other
    "contents_loop": [CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                      b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>", b"[4 0 R 5 0 R]",
                      b"[5 0 R 4 0 R]"],
    # form XObjects that draw each other twice: exponential if followed
    "xobject_loop": [CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                     b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                     b"/Resources << /XObject << /A 5 0 R >> >> >>", _stream(b"/A Do"),
                     _stream(b"/B Do /B Do", b"/Type /XObject /Subtype /Form /BBox [0 0 1 1] /Resources << /XObject << /B 6 0 R >> >>"),
                     _stream(b"/A Do /A Do", b"/Type /XObject /Subtype /Form /BBox [0 0 1 1] /Resources << /XObject << /A 5 0 R >> >>")],
}


def flate_bomb_pdf(inflated: int) -> bytes:
    data = zlib.compress(b"0 0 m " * (inflated // 6 + 1), 9)
    return tiny_pdf([CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                     b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
                     _stream(data, b"/Filter /FlateDecode")])


def zip_bomb_docx(inflated: int) -> bytes:
    """A .docx whose document.xml inflates to `inflated` bytes (declared truthfully in the zip)."""
    src = zipfile.ZipFile(DOCX)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info.filename, src.read(info.filename))
        with out.open("word/media/padding.bin", "w") as fh:  # streamed: never held whole in memory
            block = b"\0" * (1 << 20)
            for _ in range(inflated // len(block) + 1):
                fh.write(block)
    return buf.getvalue()


def span_bomb_html(cells: int = 2500) -> str:
    """~100 KB of rowspan/colspan cells: before the grid cap this grew past 20 GB."""
    head = (TXT.read_text(encoding="utf-8")[:400]).replace("<", "")
    rows = "".join("<tr>" + '<td rowspan="9999" colspan="9999">1</td>' * 25 + "</tr>" for _ in range(cells // 25))
    return f"<html><body><p>{head}</p><table>{rows}</table></body></html>"


def long_report(chars: int) -> str:
    """A valid report whose section 五 is repeated until the text has about `chars` characters."""
    text = TXT.read_text(encoding="utf-8")
    five = text.index("五、")
    six = text.index("六、", five)
    body = text[five:six].split("\n", 1)[1]
    copies = max(1, (chars - len(text)) // max(len(body), 1) + 1)
    return text[:six] + body * copies + text[six:]


def odd_cell_report(odd: str) -> str:
    """Sample s01 with the first cell of table 3's 法人或其他组织/商业企业 column replaced by `odd`."""
    text = TXT.read_text(encoding="utf-8")
    i = text.index("一、本年新收政府信息公开申请数量 |\n38 |\n5 |") + len("一、本年新收政府信息公开申请数量 |\n38 |\n")
    return text[:i] + odd + text[i + 1 :]


def make_stress(root: Path, scale: int = 1, seed: int = 0) -> list[Case]:
    """Write every input class under root/in (scale > 1 repeats the generated junk classes) and return
    the cases; command-line-only entries (FIFO, /dev/zero, a folder named .txt) live under root/cli."""
    rng = random.Random(seed)
    folder = root / "in"
    cli = root / "cli"
    for d in (folder, cli):
        d.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []

    def put(name: str, data: bytes | str, sub: Path = folder) -> Path:
        p = sub / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            data = data.encode("utf-8")
        p.write_bytes(data)
        return p

    def case(name: str, paths: list[Path], expect: set[str], **kw) -> None:
        cases.append(Case(name, paths, expect, **kw))

    # valid reports of every kind
    valid = [put(f"valid/{i:03d}_{p.name}", p.read_bytes()) for i, p in enumerate(
        sorted(q for q in SAMPLES.iterdir() if q.suffix in (".txt", ".html", ".docx", ".pdf")))]
    case("valid", valid, {"ok", "note"})

    # a whole batch died or hung on these
    case("looping_pdf", [put(f"pdf/loop_{k}.pdf", tiny_pdf(v)) for k, v in LOOPING_PDFS.items()],
         {"corrupt", "scanned_pdf", "timeout", "empty", "not_report", "crashed", "memory"})
    odd_name = os.fsdecode(os.fsencode(str(folder)) + b"/name_\xff\xfe_gbk_\xd6\xd0.txt")
    shutil.copyfile(TXT, odd_name)
    case("non_utf8_name", [Path(odd_name)], {"ok", "note"})
    fifo_cli = cli / "pipe.txt"
    os.mkfifo(fifo_cli)
    case("fifo_on_command_line", [fifo_cli], {"not_file"}, on_command_line=True)
    case("dev_zero_on_command_line", [Path("/dev/zero")], {"not_file"}, on_command_line=True)
    (cli / "folder.txt").mkdir()
    case("folder_named_txt", [cli / "folder.txt"], set(), on_command_line=True)  # searched as a folder: nothing in it

    # memory without bounds
    case("span_bomb_html", [put("bombs/spans.html", span_bomb_html())], {"note", "not_report", "ok"})
    case("zip_bomb_docx", [put("bombs/zip.docx", zip_bomb_docx(2 * FAST_LIMITS["max_inflated_bytes"] * scale))], {"inflated"})
    case("flate_bomb_pdf", [put("bombs/flate.pdf", flate_bomb_pdf(2 * FAST_LIMITS["max_inflated_bytes"] * scale))], {"inflated"})
    case("too_long_text", [put("long/too_long.txt", long_report(2 * FAST_LIMITS["max_chars"] * scale))], {"too_long"})
    case("long_section_5", [put("long/long_five.txt", long_report(FAST_LIMITS["max_chars"] // 2))], {"note"})

    # silent or raw failures
    case("pdf_over_page_limit", [put("pdf/over_pages.pdf", PDF.read_bytes())], {"note"})
    case("file_named_.txt", [put("hidden/.txt", TXT.read_bytes())], {"ok", "note"})
    fifo = folder / "special" / "fifo.txt"
    fifo.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(fifo)
    case("fifo_in_folder", [fifo], {"not_file"})
    dangling = folder / "special" / "dangling.txt"
    os.symlink(folder / "special" / "no-such-file.txt", dangling)
    case("dangling_link", [dangling], {"dangling_link"})

    # wrong results
    case("bad_utf8_byte", [put("enc/bad_last_byte.txt", TXT.read_bytes() + b"\xff"),
                           put("enc/bad_middle_byte.txt", TXT.read_bytes().replace("五、".encode(), "五、".encode() + b"\x80", 1))],
         {"note"})
    case("odd_cell", [put(f"cells/odd_{i}.txt", odd_cell_report(v)) for i, v in enumerate(("1e30", "0x10"))], {"ok", "note"})

    # plain junk, repeated with `scale`
    junk: list[Path] = []
    for k in range(scale):
        junk += [
            put(f"junk/{k}_empty.txt", b""),
            put(f"junk/{k}_blank.txt", b" \n\t \n"),
            put(f"junk/{k}_random.pdf", rng.randbytes(4096)),
            put(f"junk/{k}_random.docx", b"PK\x03\x04" + rng.randbytes(4096)),
            put(f"junk/{k}_random.txt", rng.randbytes(4096)),
            put(f"junk/{k}_random.html", rng.randbytes(2048)),
            put(f"junk/{k}_cut.pdf", PDF.read_bytes()[: rng.randint(100, 3000)]),
            put(f"junk/{k}_cut.docx", DOCX.read_bytes()[: rng.randint(100, 3000)]),
            put(f"junk/{k}_nested.html", "<div>" * 20_000 + "政府信息公开工作年度报告" + "</div>" * 20_000),
            put(f"junk/{k}_controls.txt", "政府信息公开工作年度报告" + "\x01\x02\x03" * 3000),
            put(f"junk/{k}_one_line.txt", "政府信息公开工作年度报告" + "数" * 100_000),
        ]
    case("junk", junk, {"empty", "binary", "corrupt", "unreadable", "not_report", "ok", "note", "too_long"})
    return cases
