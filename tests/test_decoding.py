"""Decoding rules that keep real-text output clean: no fragments, no openers, traditional text, older headings."""
from __future__ import annotations

import pytest

from model.tagger import strip_openers, without_fragments
from model.textnorm import model_view, simplified


def _span(role, text, sub, start_from=0):
    s = text.index(sub, start_from)
    chars = [(i, i + 1) for i in range(s, s + len(sub))]
    positions = [(0, i) for i in range(s, s + len(sub))]
    return (role, positions, chars, [0.9] * len(sub), [positions])


def test_openers_and_self_reference_are_stripped_but_content_is_kept():
    text = "下一步，我局将加强业务培训。同时，已于12月补充公开目录。"
    s = strip_openers(text, 0, text.index("。"))
    assert text[s:text.index("。")] == "加强业务培训"
    start = text.index("同时")
    assert text[strip_openers(text, start, len(text) - 1):len(text) - 1] == "已于12月补充公开目录"
    short = "并加强"  # stripping would leave less than the rule's minimum: kept
    assert strip_openers(short, 0, 3) == 0


def test_fragments_join_a_same_role_neighbour_or_are_dropped():
    text = "公开内容不够全面，及时性，2024年。人员多为兼职"
    spans = [_span("problem", text, "公开内容不够全面"), _span("problem", text, "及时性"),
             _span("other", text, "2024年"), _span("problem", text, "人员多为兼职")]
    out = without_fragments(spans, text)
    got = [(r, text[c[0][0]:c[-1][1]]) for r, _, c, _, _ in out]
    assert got == [("problem", "公开内容不够全面，及时性"), ("problem", "人员多为兼职")]
    assert all(c[-1][1] - c[0][0] >= 6 for _, _, c, _, _ in out)


def test_traditional_text_and_glosses_keep_every_offset():
    raw = "五、存在的主要問題及改進(jìn)情況\n公開內(nèi)容不夠全面"
    view = model_view(raw)
    assert len(view) == len(raw)
    assert view.startswith("五、存在的主要问题及改进")
    assert "(jìn)" not in view and "公开内" in view
    assert simplified("\ud800中") == "\ud800中"  # a lone surrogate does not break the conversion


def test_a_closing_list_wrapper_is_left_out():
    from model.tagger import strip_closers

    text = "公开形式较为单一等问题。"
    assert text[:strip_closers(text, 0, len(text) - 1)] == "公开形式较为单一"
    assert strip_closers("等问题", 0, 3) == 3  # nothing would be left: kept


@pytest.mark.parametrize("text, specific", [
    # the examples of data/ANNOTATION.md §5 that name a number, a date, a document or a named column
    ("部分栏目信息更新不够及时", False), ("“财政预决算”栏目2023年仅更新2次", True), ("加强对工作人员的业务培训", False),
    ("9月组织全区32名信息员参加专题培训", True), ("将在“XX发布”公众号开设政策解读专栏", True),
    ("根据《条例》要求，确保信息及时准确公开", False), ("本年度未收取信息处理费", False),
    ("本年度共公开建议提案答复15件", True), ("2023年未开展政务公开社会评议", False), ("本机关收费金额为0元", False),
    ("印发《临江县政务公开工作考核办法》", True), ("2023年3月起实行月报制度", True),
    # §5: a held event, an issued document or an opened column counts; a recurring or planned one does not
    ("召开全县政务公开工作会议，部署年度工作", True), ("分管领导召开专项会议，优化了工作机制", True),
    ("定期召开例会，研究解决问题", False), ("将召开政务公开工作推进会", False), ("要适时举办业务培训班", False),
    # the 条例 under its short title and the 目录 / 指南 every body keeps are no named document
    ("切实加强对《政府信息公开条例》的学习宣传", False), ("按照《政府信息公开目录》要求，需主动公开的信息还没有全部公开", False),
    ("修订《政府信息公开指南》", False), ("修订《XX县政府信息公开实施办法》", True),
])
def test_concrete_facts_make_a_statement_specific(text, specific):
    from model.tagger import decoding_rules

    assert bool(decoding_rules()["_specific_facts"].search(text)) is specific


def test_kangxi_radicals_read_as_the_ordinary_characters():
    raw = "信息公开⼯作⼈员⼒量不⾜，⾧期兼职"  # radicals a PDF-to-HTML conversion put in place of 工人力足長
    view = model_view(raw)
    assert view == "信息公开工作人员力量不足，长期兼职" and len(view) == len(raw)


def test_glosses_are_cut_out_before_the_model_reads_and_offsets_map_back():
    from inference.statements import DEFAULT_MODEL_DIR
    from model.tagger import StatementTagger
    from model.textnorm import without_glosses

    assert without_glosses("没有注音的文字") == ("没有注音的文字", None)
    glossed = "一是公開內(nèi)容不夠全面;二是工作人員業(yè)務(wù)水平有待提高。下一步,我局將進(jìn)一步加強(qiáng)業(yè)務(wù)培訓(xùn)。"
    clean, keep = without_glosses(glossed)
    assert clean == "".join(glossed[i] for i in keep)
    assert "(" not in clean and clean.startswith("一是公開內容不夠全面")
    tagger = StatementTagger.from_pretrained(DEFAULT_MODEL_DIR)
    on_glossed, on_clean = tagger.predict([glossed, clean])
    assert on_glossed and len(on_glossed) == len(on_clean)
    for g, c in zip(on_glossed, on_clean):
        # the same statement, its offsets into the glossed text; its text is the clean one with glosses inside
        assert (g.role, g.categories) == (c.role, c.categories)
        assert (keep.index(g.start), keep.index(g.end - 1) + 1) == (c.start, c.end)
        assert "".join(glossed[i] for i in keep if g.start <= i < g.end) == clean[c.start:c.end]
