"""Speed work (issue 13, part 1) that must not change results: length buckets cover every window once,
bf16 autocast is a switch recorded in provenance, PDF pages without rulings are read by pdfium (pdfplumber
only where table geometry is needed), parse and model overlap in a parser process with the same results.
Timings are printed by benchmarks/, never asserted here."""
from __future__ import annotations

import json

import pytest

from model.tagger import length_buckets
from tests.conftest import SAMPLES_DIR, FixedTagger


def test_length_buckets_cover_every_window_once_within_budget():
    lengths = [5, 256, 40, 40, 130, 7, 256, 90, 3] * 7
    groups = length_buckets(lengths, 16 * 256)
    flat = [w for g in groups for w in g]
    assert sorted(flat) == list(range(len(lengths)))
    for g in groups:
        assert len(g) * max(lengths[w] for w in g) <= 16 * 256 or len(g) == 1
    # short windows share a batch beyond 16 windows: fewer forward passes than fixed batches of 16
    assert len(groups) < -(-len(lengths) // 16) + 1
    assert length_buckets([], 100) == []


def test_precision_switch_is_recorded(tiny_model_dir):
    from inference.pipeline import load
    from inference.statements import resolve_precision

    assert resolve_precision("fp32") is False and resolve_precision("bf16") is True
    assert resolve_precision("bf16", int8=True) is False
    fp32 = load(model=str(tiny_model_dir))
    bf16 = load(model=str(tiny_model_dir), bf16=True)
    assert fp32.model_info()["precision"] == "fp32" and bf16.model_info()["precision"] == "bf16"
    assert bf16.model.bf16 and not fp32.model.bf16
    text = (SAMPLES_DIR / "s01_yunxi_county_gov_2023.txt").read_text(encoding="utf-8")
    a, b = fp32.model.predict([text[:600]]), bf16.model.predict([text[:600]])
    assert len(a) == len(b) == 1  # both run; agreement is measured by benchmarks/precision.py


def test_pdf_pages_without_pictures_do_not_open_pdfplumber(tmp_path, monkeypatch):
    pytest.importorskip("reportlab")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    import pdfplumber

    from inference.loaders import load

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "text.pdf"
    c = canvas.Canvas(str(path))
    c.setFont("STSong-Light", 12)
    for i, line in enumerate(["某县人民政府2023年政府信息公开工作年度报告", "一、总体情况", "本年度主动公开信息120条。"]):
        c.drawString(72, 760 - 20 * i, line)
    c.showPage()
    c.save()
    opened = []
    real = pdfplumber.open
    monkeypatch.setattr(pdfplumber, "open", lambda *a, **k: opened.append(1) or real(*a, **k))
    report = load(path)
    assert "政府信息公开工作年度报告" in report.text and "主动公开信息120条" in report.text
    assert not opened
    # the sample PDF draws its tables: pdfium's characters and ruling edges give them without pdfplumber
    sample = load(SAMPLES_DIR / "s07_linjiang_city_gov_2024.pdf")
    assert not opened and sample.raw_tables


def test_parser_process_gives_the_in_process_results(tmp_path):
    from inference.batch import score_batch

    files = [SAMPLES_DIR / n for n in ("s01_yunxi_county_gov_2023.txt", "s05_lanjiang_transport_dept_2021.html",
                                      "s06_qinglan_hitech_zone_2022.docx", "s07_linjiang_city_gov_2024.pdf")]
    one = score_batch(files, tmp_path / "a", model=FixedTagger(), progress=False, write=False, workers=0)
    two = score_batch(files, tmp_path / "b", model=FixedTagger(), progress=False, write=False, workers=2)
    assert json.dumps(one.results, sort_keys=True) == json.dumps(two.results, sort_keys=True)
