"""Tests for inference.clean: one-for-one normalisation, boilerplate, duplicate copies."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inference.clean import clean, find_duplicate_copy, normalise_chars
from inference.loaders import load
from inference.report import Report
from inference.sections import find_sections

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="seeds folder missing")


def seed(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))


def run(text: str) -> Report:
    return clean(Report(source="x", text=text))


# ---------------------------------------------------------------- characters


def test_fullwidth_to_halfwidth():
    assert normalise_chars("（一）２０２４年，共：１２件；ＡＢ！") == "(一)2024年,共:12件;AB!"
    assert normalise_chars("0470—2773823 a–b c－d") == "0470-2773823 a-b c-d"
    assert normalise_chars("a\u00a0b\u3000c\u200bd") == "a b c d"


def test_chars_kept():
    s = "国办公开办函〔2021〕30号“三安全一稳定”《条例》、。…①"
    out = normalise_chars(s)
    assert out[:-1] == s[:-1]  # CJK punctuation kept as is
    assert out[-1] == "1"  # one-char NFKC compatibility mapping applied


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abc 12\n\t（）：，—…①ﬁ\u00a0\u3000年月日〔〕Ａ１\x0c\x01")) | st.characters(), max_size=200))
def test_norm_same_length_and_newlines(text):
    r = run(text)
    assert len(r.norm) == len(r.text)
    for i, ch in enumerate(text):
        if ch == "\n":
            assert r.norm[i] == "\n"


# ---------------------------------------------------------------- boilerplate

PAGE = (
    "分享到：\n"
    "字号：大 中 小\n"
    "某县人民政府2023年政府信息公开工作年度报告\n"
    "根据《中华人民共和国政府信息公开条例》要求，现公布本报告。如有疑问请与县政府办公室联系。\n"
    "地址：某县人民路1号\n"
    "一、总体情况\n"
    "全年主动公开信息100条。\n"
    "五、存在的主要问题及改进情况\n"
    "一是公开不及时。\n"
    "六、其他需要报告的事项\n"
    "本年度未收取信息处理费。\n"
    "扫一扫在手机上查看当前页面\n"
    "主办单位：某县人民政府办公室\n"
    "京ICP备12345678号  网站标识码：1234000001\n"
    "京公网安备11010202000001号\n"
    "地址：某县人民路1号 邮编：100000\n"
    "【打印本页】【关闭窗口】\n"
)


def test_boilerplate_removed_body_kept():
    r = run(PAGE)
    lines = r.norm.split("\n")
    assert lines[0].strip() == "" and lines[1].strip() == ""
    for i in range(11, 17):
        assert lines[i].strip() == "", lines[i]
    # the 地址 line in the preface is content and stays; only the footer one goes
    assert lines[4] == "地址:某县人民路1号"
    for kept in ("某县人民政府2023年政府信息公开工作年度报告", "全年主动公开信息100条。", "本年度未收取信息处理费。", "一是公开不及时。"):
        assert kept in r.norm
    reasons = {why for _, _, why in r.removed}
    assert {"boilerplate:share", "boilerplate:qr_code", "boilerplate:icp", "boilerplate:address"} <= reasons
    for s, e, _ in r.removed:
        assert r.norm[s:e].strip() == ""
        assert r.text[s:e].strip() != ""


def test_weak_pattern_inside_body_not_removed():
    text = "2023年政府信息公开工作年度报告\n一、总体情况\n地址:某路1号\n邮编:100000\n六、其他需要报告的事项\n无。\n"
    r = run(text)
    assert r.removed == []
    assert r.norm == text


def test_inline_qr_code_only_match_removed():
    r = run("2023年政府信息公开工作年度报告\n六、其他需要报告的事项\n无其他事项。扫一扫在手机上查看当前页面\n")
    assert "无其他事项。" in r.norm and "扫一扫" not in r.norm


# ---------------------------------------------------------------- duplicate copy

BODY = "".join(f"第{i}段正文：政府信息公开工作取得了新的进展，这是用于测试的第{i}行内容。\n" for i in range(8))


def test_duplicate_copy_blanked():
    first = "2023年政府信息公开工作年度报告\n" + BODY
    text = first + "(Mac用户使用Command+S保存)\n" + first
    r = run(text)
    dup = [(s, e) for s, e, why in r.removed if why == "duplicate_copy"]
    assert len(dup) == 1
    s, e = dup[0]
    assert s == text.index(first, 1) and e == len(text) - 1
    assert r.norm.count("第0段正文") == 1 and r.norm.index("第0段正文") < s


def test_repeated_sentence_is_not_a_copy():
    line = "我们坚持以公开为常态、不公开为例外的原则推进政府信息公开工作。\n"
    text = line + BODY + line + "其他内容。\n"
    assert find_duplicate_copy(normalise_chars(text)) == []


# ---------------------------------------------------------------- seeds


@needs_seeds
def test_seed000_second_copy_and_footer_removed():
    r = clean(load(seed("000")))
    text = r.text
    preface = text.split("\n", 1)[0]
    second = text.index(preface, 1)
    dup = [(s, e) for s, e, why in r.removed if why == "duplicate_copy"]
    assert dup and dup[0][0] == second and dup[0][1] >= len(text.rstrip())
    assert r.norm.count("一、总体情况") == 1
    assert r.norm.count("六、其他需要报告的事项") == 1
    for junk in ("ICP备", "公网安备", "网站标识码", "主办单位", "Command+S"):
        assert junk in text and junk not in r.norm
    # the footer 地址 line goes, the 地址 in the preface stays
    assert r.norm[:second].count("地址:") == 1
    assert r.norm.startswith(normalise_chars(preface))


@needs_seeds
def test_seed002_003_boilerplate_removed():
    r2 = clean(load(seed("002")))
    assert r2.text.startswith("分享到") and not r2.norm.strip().startswith("分享到")
    r3 = clean(load(seed("003")))
    assert "扫一扫在手机上查看当前页面" in r3.text and "扫一扫" not in r3.norm


@needs_seeds
@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_removed_regions_never_touch_sections(prefix):
    r = find_sections(clean(load(seed(prefix))))
    assert len(r.norm) == len(r.text)
    assert [s.number for s in r.sections] == [1, 2, 3, 4, 5, 6]
    for s, e, why in r.removed:
        for sec in r.sections:
            assert e <= sec.start or s >= sec.end, (why, sec.number)
    if prefix != "000":
        assert not any(why == "duplicate_copy" for _, _, why in r.removed)


def test_meta_line_survives_inline_page_furniture():
    text = (
        "某局2023年政府信息公开工作年度报告\n"
        "发布时间：2024-01-29 09:15　浏览次数：35　【字体：大 中 小】 分享到：微信 微博\n"
        "一、总体情况\n我们将政策分享到微信群，全年网站访问量120万次。\n"
    )
    r = run(text)
    line = r.norm.split("\n")[1]
    assert line.startswith("发布时间:2024-01-29 09:15")
    for junk in ("浏览次数", "字体", "分享到"):
        assert junk not in line
    # the same words inside the body are content
    assert "我们将政策分享到微信群,全年网站访问量120万次。" in r.norm
