"""Tests for inference.sections: heading recognition, order, sub-parts, section ends."""
from __future__ import annotations

from pathlib import Path

import pytest

from inference.clean import clean
from inference.loaders import load
from inference.metadata import extract_metadata
from inference.report import Report
from inference.sections import find_sections

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="seeds folder missing")


def parse(text: str) -> Report:
    return find_sections(extract_metadata(clean(Report(source="x", text=text))))


def numbers(r: Report) -> list[int]:
    return [s.number for s in r.sections]


FULL = (
    "某县人民政府2023年政府信息公开工作年度报告\n"
    "根据《条例》，现公布本报告。报告内容包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
    "政府信息公开行政复议、行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。\n"
    "一、总体情况\n"
    "2023年，全县扎实推进政务公开。\n"
    "（一）主动公开\n全年主动公开信息100条。\n"
    "（二）依申请公开\n收到申请3件。\n"
    "（三）政府信息管理\n加强管理。\n"
    "（四）平台建设\n网站改版。\n"
    "（五）监督保障\n开展考核。\n"
    "（六）其他工作\n其他。\n"
    "二、主动公开政府信息情况\n"
    "第二十条第（一）项 |\n规章 | 0 | 0 | 0 |\n"
    "三、收到和处理政府信息公开申请情况\n"
    "一、本年新收政府信息公开申请数量 | 3 |\n"
    "二、上年结转政府信息公开申请数量 | 0 |\n"
    "三、本年度办理结果 |\n（一）予以公开 | 3 |\n"
    "四、结转下年度继续办理 | 0 |\n"
    "四、政府信息公开行政复议、行政诉讼情况\n"
    "行政复议 | 行政诉讼 |\n0 | 0 |\n"
    "五、存在的主要问题及改进情况\n"
    "（一）存在问题\n一是公开不及时。\n"
    "（二）改进情况\n一是加强培训。\n"
    "六、其他需要报告的事项\n"
    "本年度未收取信息处理费。\n"
    "某县人民政府办公室\n"
    "2024年1月20日\n"
)


def test_full_report_sections():
    r = parse(FULL)
    assert numbers(r) == [1, 2, 3, 4, 5, 6]
    titles = [s.title for s in r.sections]
    assert titles == ["总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况",
                      "政府信息公开行政复议、行政诉讼情况", "存在的主要问题及改进情况", "其他需要报告的事项"]
    # headings are line-initial: the preface sentence listing the titles is not a heading
    assert r.sections[0].start == FULL.index("一、总体情况")
    # table rows inside section 三 are not headings
    s3 = r.section(3)
    assert "四、结转下年度继续办理" in r.text[s3.body_start : s3.end]
    assert "一、本年新收政府信息公开申请数量" in r.section_text(3)
    # sections are contiguous and in order
    for a, b in zip(r.sections, r.sections[1:]):
        assert a.start < a.body_start <= a.end <= b.start
    assert r.section_text(1).startswith("2023年，全县")


def test_section_six_ends_before_signature():
    r = parse(FULL)
    assert r.section_text(6) == "本年度未收取信息处理费。"


def test_subparts_of_sections_one_and_five():
    r = parse(FULL)
    kinds = [(p.title, p.kind) for p in r.section(1).subparts]
    assert kinds == [("主动公开", "主动公开"), ("依申请公开", "依申请公开"), ("政府信息管理", "政府信息管理"),
                     ("平台建设", "平台建设"), ("监督保障", "监督保障"), ("其他工作", "other")]
    five = r.section(5).subparts
    assert [(p.title, p.kind) for p in five] == [("存在问题", "problems"), ("改进情况", "improvements")]
    assert r.text[five[0].start : five[0].end] == "（一）存在问题\n一是公开不及时。"
    assert five[1].end == r.section(5).end
    # table rows like （一）予以公开 in section 三 are not sub-parts
    assert r.section(3).subparts == []


def test_title_and_numbering_variants():
    text = (
        "2023年政府信息公开工作年度报告\n"
        "一.总体情况\n内容一。\n"
        "二 主动公开政府信息情况\n表。\n"
        "三．收到和处理政府信息公开申请情况\n表。\n"
        "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况\n表。\n"
        "五、政府信息公开工作存在的主要问题及改进情况\n问题。\n"
        "六、其他需要汇报的事项\n无。\n"
    )
    r = parse(text)
    assert numbers(r) == [1, 2, 3, 4, 5, 6]
    assert r.section(4).title == "因政府信息公开工作被申请行政复议、提起行政诉讼情况"
    assert r.section(5).title == "政府信息公开工作存在的主要问题及改进情况"
    assert r.section_text(6) == "无。"


def test_headings_with_pinyin_glosses_on_a_mirror_page():
    """Mirror pages gloss characters in traditional script (問(wèn)題); the reader blanks the glosses (length kept),
    and the titles are still found, with the section's text and offsets those of the page as written."""
    text = (
        "2023年政府信息公開(kāi)工作年度報(bào)告\n"
        "一、總體情況\n全縣推進公開(kāi)。\n"
        "二、主動(dòng)公開(kāi)政府信息情況\n表。\n"
        "五、存在的主要問(wèn)題及改進(jìn)情況\n(一)存在問(wèn)題\n部分欄目更新不夠及時(shí)。\n"
    )
    r = parse(text)
    assert numbers(r) == [1, 2, 5]
    five = r.section(5)
    assert text[five.start:].startswith("五、存在的主要問(wèn)題")
    assert r.section_text(5).endswith("部分欄目更新不夠及時(shí)。")


def test_heading_with_body_on_same_line():
    r = parse("2023年政府信息公开工作年度报告\n一、总体情况。2023年，全县推进公开。\n二、主动公开政府信息情况\n表\n")
    s1 = r.section(1)
    assert s1.title == "总体情况"
    assert r.section_text(1) == "2023年，全县推进公开。"


def test_missing_and_out_of_order_sections():
    text = (
        "2023年政府信息公开工作年度报告\n"
        "一、总体情况\n内容。\n"
        "三、收到和处理政府信息公开申请情况\n表。\n"
        "二、主动公开政府信息情况\n表。\n"
        "六、其他需要报告的事项\n无。\n"
    )
    r = parse(text)
    assert numbers(r) == [1, 3, 2, 6]
    assert r.section(4) is None and r.section(5) is None


def test_subpart_heading_is_not_a_section():
    r = parse("2023年政府信息公开工作年度报告\n一、总体情况\n（一）总体情况概述\n内容。\n（二）主动公开\n内容。\n")
    assert numbers(r) == [1]
    assert len(r.section(1).subparts) == 2


def test_no_headings():
    r = parse("2023年政府信息公开工作年度报告\n今年我们做了很多工作。\n")
    assert r.sections == []


# ---------------------------------------------------------------- seeds (checked by hand)

SEED_TITLES = {
    "000": ["总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况", "政府信息公开行政复议、行政诉讼情况",
            "存在的主要问题及改进情况", "其他需要报告的事项"],
    "001": ["总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况", "政府信息公开行政复议、行政诉讼情况",
            "政府信息公开工作存在的主要问题及改进情况", "其他需要报告的事项"],
}


def seed(prefix: str) -> Report:
    f = next(SEEDS.glob(f"{prefix}_*.txt"))
    return find_sections(extract_metadata(clean(load(f))))


@needs_seeds
@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_six_sections_in_order(prefix):
    r = seed(prefix)
    assert numbers(r) == [1, 2, 3, 4, 5, 6]
    if prefix in SEED_TITLES:
        assert [s.title for s in r.sections] == SEED_TITLES[prefix]
    for s in r.sections:
        heading = r.text[s.start : s.body_start]
        assert heading.lstrip().startswith("一二三四五六"[s.number - 1])
    s1 = r.section(1)
    assert [p.kind for p in s1.subparts][:2] == ["主动公开", "依申请公开"]


@needs_seeds
def test_seed000_first_copy_only_and_six_before_footer():
    r = seed("000")
    six = r.section(6)
    assert six.end < r.text.index("主办单位")
    assert r.text[: six.end].endswith("目前答复情况均已主动公开。")
    # the preface lists every title in one sentence; section 一 starts at the heading line
    assert r.text[r.section(1).start : r.section(1).body_start].strip() == "一、总体情况"
    assert [p.kind for p in r.section(1).subparts] == ["主动公开", "依申请公开", "政府信息管理", "平台建设", "监督保障"]


@needs_seeds
def test_seed002_six_is_just_wu():
    r = seed("002")
    assert r.section_text(6).strip() == "无"


@needs_seeds
def test_seed003_six_ends_before_qr_code():
    r = seed("003")
    assert r.section_text(6).rstrip().endswith("本年度无其他需要报告的事项。")


@needs_seeds
def test_seed004_five_subparts_and_six_before_signature():
    r = seed("004")
    five = r.section(5).subparts
    assert [(p.title, p.kind) for p in five] == [("存在问题", "problems"), ("改进情况", "improvements")]
    assert r.section_text(6).strip() == "本年度本机关未收取政府信息公开信息处理费。"
