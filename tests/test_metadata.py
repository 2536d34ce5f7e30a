"""Tests for inference.metadata on small inline texts and on the real seeds."""
from __future__ import annotations

from pathlib import Path

import pytest

from inference.clean import clean
from inference.loaders import load
from inference.metadata import detect_format, extract_metadata, guess_level, parse_date
from inference.report import Report

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="seeds folder missing")


def meta_of(text: str):
    r = extract_metadata(clean(Report(source="x", text=text)))
    for key, (s, e) in r.meta.spans.items():
        assert 0 <= s < e <= len(text), key
    return r


def test_parse_date():
    assert parse_date("2025年1月9日") == "2025-01-09"
    assert parse_date("2025-02-25 11:41:41") == "2025-02-25"
    assert parse_date("2024/3/5") == "2024-03-05"
    assert parse_date("二〇二五年一月二十日") == "2025-01-20"
    assert parse_date("2025年13月1日") is None
    assert parse_date("无日期") is None


def test_title_line_preface_and_signature():
    text = (
        "某某市某某区人民政府2023年政府信息公开工作年度报告\n"
        "发布时间：2024年3月1日\n"
        "根据《中华人民共和国政府信息公开条例》，现公布某某区2023年政府信息公开工作年度报告。"
        "本报告所列数据统计期限为2023年1月1日至2023年12月31日。本报告电子版可在某某区人民政府网站"
        "（http://www.example.gov.cn/xxgk/）下载。如对本报告有疑问，请与某某区政务公开办公室联系（电话：010-12345678）。\n"
        "一、总体情况\n2023年，全区……\n"
        "六、其他需要报告的事项\n无。\n"
        "某某市某某区人民政府办公室\n2024年1月20日\n"
    )
    r = meta_of(text)
    m = r.meta
    assert m.agency == "某某市某某区人民政府"
    assert r.text[slice(*m.spans["agency"])] == "某某市某某区人民政府"
    assert m.year == 2023 and r.text[slice(*m.spans["year"])] == "2023"
    assert m.published_on == "2024-03-01"
    assert m.signed_on == "2024-01-20"
    assert r.text[slice(*m.spans["signed_on"])] == "2024年1月20日"
    assert m.period == ("2023-01-01", "2023-12-31")
    assert m.url == "http://www.example.gov.cn/xxgk/"
    assert m.contact.startswith("如对本报告有疑问,请与某某区政务公开办公室联系")
    assert "010-12345678" in m.contact
    assert m.level == "区"


def test_agency_from_preface_and_abbreviation_rejected():
    r = meta_of("根据《条例》，现发布某某县交通运输局2022年政府信息公开工作年度报告。\n一、总体情况\n内容。\n")
    assert r.meta.agency == "某某县交通运输局" and r.meta.year == 2022 and r.meta.level == "部门"
    r = meta_of("根据《条例》，现公布我局2022年政府信息公开工作年度报告。如有疑问请与某某县交通运输局办公室联系。\n一、总体情况\n")
    assert r.meta.agency == "某某县交通运输局办公室"


def test_agency_on_line_before_title():
    r = meta_of("2024年政府信息公开工作年度报告\n发布日期 2025-02-25 11:41:41\n某某县某某镇人民政府\n2024年政府信息公开工作年度报告\n一、总体情况\n")
    assert r.meta.agency == "某某县某某镇人民政府"
    assert r.meta.level == "乡镇"
    assert r.meta.published_on == "2025-02-25"


def test_year_from_period_when_no_title():
    r = meta_of("统计期限自2021年1月1日至2021年12月31日。政府信息公开情况如下。\n一、总体情况\n")
    assert r.meta.year == 2021 and r.meta.agency is None


def test_levels():
    cases = {
        "某某省人民政府": "省",
        "北京市人民政府": "省",
        "某某自治区人民政府": "省",
        "某某市人民政府": "市",
        "某某县人民政府": "县",
        "某某旗人民政府": "县",
        "某某市某某区人民政府": "区",
        "某某镇人民政府": "乡镇",
        "某某苏木人民政府": "乡镇",
        "某某街道办事处": "街道",
        "某某经济技术开发区管理委员会": "开发区",
        "某某市教育局": "部门",
        "某某县人民政府办公室": "部门",
    }
    for name, level in cases.items():
        assert guess_level(name) == level, name
    assert guess_level(None) is None


def test_format_detection():
    assert detect_format("信息内容 本年制发件数 本年废止件数 现行有效件数", 2022) == "2021"
    assert detect_format("规章 本年新制作数量 本年新公开数量 对外公开总数量", 2020) == "2019"
    assert detect_format("根据国办公开办函〔2021〕30号要求", 2021) == "2021"
    assert detect_format("主动公开政府信息情况 规章 3件", 2017) == "older"
    assert detect_format("主动公开政府信息情况 规章 3件", 2022) == "unknown"
    assert detect_format("主动公开政府信息情况", None) == "unknown"


# ---------------------------------------------------------------- seeds (values checked by hand)

EXPECTED = {
    "000": {"agency": "呼和浩特经济技术开发区", "year": 2024, "published_on": None, "signed_on": None,
             "period": ("2024-01-01", "2024-12-31"), "url": None, "level": "开发区", "format": "2021"},
    "001": {"agency": "呼伦贝尔经济技术开发区管理委员会", "year": 2021, "published_on": None, "signed_on": None,
             "period": ("2021-01-01", "2021-12-31"), "url": "http://kfq.hlbe.gov.cn/", "level": "开发区", "format": "2021"},
    "002": {"agency": "安顺经济技术开发区办公室", "year": 2022, "published_on": None, "signed_on": "2023-02-20",
             "period": ("2022-01-01", "2022-12-31"), "url": "http://www.anshunjkq.gov.cn/zwgk/zfxxgk/zfxxgknb",
             "format": "2021"},
    "003": {"agency": "武汉东湖新技术开发区党政办公室", "year": 2024, "published_on": None, "signed_on": None,
             "period": None, "url": "https://www.wehdz.gov.cn/", "format": "2021"},
    "004": {"agency": "科尔沁左翼中旗敖包苏木人民政府", "year": 2024, "published_on": "2025-02-25", "signed_on": "2025-01-09",
             "period": ("2024-01-01", "2024-12-31"), "url": "http://www.kzzq.gov.cn/", "level": "乡镇", "format": "2021"},
}


@needs_seeds
@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_seed_metadata(prefix):
    r = extract_metadata(clean(load(next(SEEDS.glob(f"{prefix}_*.txt")))))
    m = r.meta
    for key, value in EXPECTED[prefix].items():
        assert getattr(m, key) == value, key
    # every span quotes the fact it stands for
    assert r.norm[slice(*m.spans["agency"])] == m.agency
    assert r.text[slice(*m.spans["year"])] == str(m.year)
    for key in ("published_on", "signed_on"):
        if getattr(m, key):
            assert parse_date(r.norm[slice(*m.spans[key])]) == getattr(m, key)
    if m.url:
        assert r.text[slice(*m.spans["url"])] == m.url


@needs_seeds
def test_seed004_agency_is_the_sumu_government():
    r = extract_metadata(clean(load(next(SEEDS.glob("004_*.txt")))))
    assert r.meta.agency.endswith("敖包苏木人民政府")
    assert "0475-2780910" in r.meta.contact


@needs_seeds
def test_seed000_contact():
    r = extract_metadata(clean(load(next(SEEDS.glob("000_*.txt")))))
    assert "党政办公室信息科" in r.meta.contact and "0471-8127901" in r.meta.contact
