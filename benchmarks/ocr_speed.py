"""OCR speed: seconds per page image, and per scanned PDF page end to end (render + OCR + tables).

    python benchmarks/ocr_speed.py [--threads 2] [--samples s07_linjiang_city_gov_2024.pdf s05_...]

The pages are the authored samples drawn as A4 pictures at 150 dpi (data/samples/make_image_samples.py,
needs a CJK font and the `ocr` extra). Prints, per sample, the seconds of every page (table pages and
text pages differ: a table cell is recognised on its own), the mean seconds per page, and the
same through `load()` of a scanned PDF (pdfium rendering included). The engine is built before the
clock starts (about 1 s, once per process).

Threads: onnxruntime uses all cores by default; --threads sets OMP/onnxruntime threads before import.
Identical cell crops are recognised once (a drawn table has many "0" cells of identical pixels): a real
scan has noise, so it gains less; --no-dedupe measures without that.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "data" / "samples"))

DEFAULT = ["s07_linjiang_city_gov_2024.pdf", "s05_lanjiang_transport_dept_2021.html", "s01_yunxi_county_gov_2023.txt"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--samples", nargs="*", default=DEFAULT)
    ap.add_argument("--no-dedupe", action="store_true", help="recognise every cell crop, identical or not")
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))

    import make_image_samples as mis

    from inference import ocr
    from inference.loaders import load

    if not ocr.available() or mis.font_path() is None:
        sys.exit("needs the ocr extra (pip install -e '.[ocr]') and a CJK font (fonts-noto-cjk)")
    import rapidocr_onnxruntime  # noqa: F401

    cfg = dict(ocr.settings().get("engine", {}))
    cfg.update(intra_op_num_threads=args.threads, inter_op_num_threads=1)
    from rapidocr_onnxruntime import RapidOCR

    engine = RapidOCR(print_verbose=False, **cfg)
    ocr_engine = ocr.engine
    ocr.engine = lambda: engine  # type: ignore[assignment] - the engine with the thread settings of this run
    if args.no_dedupe:
        ocr._recognise = lambda crops: engine.text_rec(crops)[0] if crops else []  # type: ignore[assignment]

    all_pages: list[float] = []
    all_cpu: list[tuple[float, int]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.samples:
            s = mis.sample(name)
            pages = mis.page_images(s)
            times = []
            c0 = time.process_time()
            for p in pages:
                t0 = time.perf_counter()
                ocr.read_image(p)
                times.append(time.perf_counter() - t0)
            all_cpu.append((time.process_time() - c0, len(pages)))
            all_pages += times
            pdf = mis.write_scanned_pdf(s, Path(tmp) / "scan.pdf")
            t0 = time.perf_counter()
            load(pdf)
            end_to_end = (time.perf_counter() - t0) / len(pages)
            shown = " ".join(f"{t:.2f}" for t in times)
            print(f"{name}: {len(pages)} pages, s/page {statistics.mean(times):.2f} ({shown}); "
                  f"scanned PDF load() {end_to_end:.2f} s/page")
    ocr.engine = ocr_engine
    cpu = sum(c for c, _ in all_cpu) / sum(n for _, n in all_cpu)
    print(f"mean {statistics.mean(all_pages):.2f} s per OCR page (wall), {cpu:.2f} CPU-seconds per page, "
          f"over {len(all_pages)} pages "
          f"({args.threads} threads, os.cpu_count()={os.cpu_count()}, load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
