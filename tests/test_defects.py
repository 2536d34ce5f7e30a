"""Issue 12, part 2: every injected defect lowers the score of a clean sample, and the clean sample loses
nothing it did not lose before. Defects are made on the text at the offsets the reader found (so every
layout is hit the same way), then the file is read again from scratch."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))["samples"]
CLEAN = ["s07_linjiang_city_gov_2024.pdf", "s05_lanjiang_transport_dept_2021.html", "s10_chengguan_street_2020.txt"]


@pytest.fixture(scope="module")
def nlp():
    import inference

    return inference.load()


def _cell_span(report, key, row, col):
    cell = report.tables[key].cell(row, col)
    assert cell is not None and cell.start is not None, (key, row, col)
    return cell.start, cell.end, cell.value


def arithmetic(text, report):
    """表三 本年新收 总计 off by 7: the table no longer adds up."""
    s, e, v = _cell_span(report, "t3", "new_received", "total")
    return text[:s] + str(v + 7) + text[e:]


def late(text, report):
    """Published and signed in September of the following year: past every deadline."""
    y = report.meta.year + 1
    text = re.sub(r"\d{4}-\d{2}-\d{2}", f"{y}-09-15", text)
    return re.sub(r"\d{4}年\d{1,2}月\d{1,2}日(?=\s*(?:<|\n|$))", f"{y}年9月10日", text)


def no_section_6(text, report):
    """Section 六 dropped (heading and body)."""
    sec = report.section(6)
    end = sec.end
    return text[:sec.start] + text[end:]


def vague_section_5(text, report):
    """Section 五 replaced by boilerplate without any specific problem or remedy."""
    sec = report.section(5)
    filler = "我单位政府信息公开工作取得了一定成效，但也存在一些不足。下一步，我们将进一步加强政府信息公开工作，不断提高工作水平。"
    return text[:sec.body_start] + filler + "\n" + text[sec.end:]


def misnumbered_section_6(text, report):
    """Section 六 numbered 五 (a second 五): the six titles are all there in order, numbered 一..五."""
    sec = report.section(6)
    assert text[sec.start] == "六", text[sec.start:sec.start + 8]
    return text[:sec.start] + "五" + text[sec.start + 1:]


def last_years_period(text, report):
    """Last year's text left in: section 一 opens with last year's "X年，本机关……" sentence."""
    sec = report.section(1)
    y = report.meta.year - 1
    return text[:sec.body_start] + f"{y}年，本机关继续推进政府信息公开工作。\n" + text[sec.body_start:]


def local_deadline(text, report):
    """Not damage to the text: a local rule (a test-only deadlines file, see the test) brings the deadline
    for this body forward to the day before it published."""
    return text


DEFECTS = [arithmetic, late, no_section_6, vague_section_5, misnumbered_section_6, last_years_period, local_deadline]


def _local_rule_file(tmp_path, report):
    """A deadlines file whose one local rule matches this report's agency and falls the day before its date."""
    from datetime import timedelta

    from inference import deadlines
    from inference.agency import classify_body
    from inference.chinese import iso_date

    published = iso_date(report.meta.published_on or report.meta.signed_on)
    before = published - timedelta(days=1)
    cat = deadlines.category(classify_body(report.meta))
    raw = deadlines.read()
    rule = {"name": "测试用地方时限", "match": [report.meta.agency], "deadlines": {cat: [before.month, before.day]}}
    f = tmp_path / "deadlines.json"
    f.write_text(json.dumps({"statutory": raw["statutory"], "local": [rule]}, ensure_ascii=False), encoding="utf-8")
    return f


@pytest.mark.parametrize("name", CLEAN)
@pytest.mark.parametrize("defect", DEFECTS, ids=lambda f: f.__name__)
def test_injected_defect_lowers_the_score(nlp, tmp_path, name, defect):
    src = SAMPLES / name
    clean = nlp(src)
    assert not [c for c in clean.checks if c.status == "fail"], name  # a clean sample
    # the reader's offsets point into the loaded text (for HTML/PDF: the extracted text), damaged as a .txt
    damaged = defect(clean.text, clean)
    out = tmp_path / (src.stem + ".txt")
    out.write_text(damaged, encoding="utf-8")
    if defect is local_deadline:
        from inference import deadlines

        with deadlines.using(_local_rule_file(tmp_path, clean)):
            hurt = nlp(out)
        assert hurt.check("timeliness").status == "fail", hurt.check("timeliness").message
    else:
        hurt = nlp(out)
    assert hurt.score.total < clean.score.total, (defect.__name__, clean.score.total, hurt.score.total)


@pytest.mark.parametrize("name", CLEAN)
def test_undamaged_text_scores_as_the_original(nlp, tmp_path, name):
    """The control: the loaded text written back as .txt, not damaged, scores what the original scored."""
    clean = nlp(SAMPLES / name)
    out = tmp_path / (Path(name).stem + ".txt")
    out.write_text(clean.text, encoding="utf-8")
    assert nlp(out).score.total == clean.score.total
