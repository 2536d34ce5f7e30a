"""The reader finds the problems/remedies text in older and unnumbered reports (invented texts)."""
from __future__ import annotations

import pytest

from inference.pipeline import read_report
from inference.statements import section_passages

TWO_SECTIONS = """某县水利局2012年政府信息公开工作年度报告
一、概述
2012年，我局认真贯彻《中华人民共和国政府信息公开条例》，主动公开信息56条。
二、主动公开政府信息情况
全年主动公开政府信息56条。
三、依申请公开情况
全年未收到政府信息公开申请。
四、存在的问题
一是公开内容不够全面；二是工作人员多为兼职。
五、改进措施
一是加强业务培训；二是扩大公开范围。
六、其他需要报告的事项
无。
"""

TRADITIONAL = """某鎮2010年政府信息公開工作年度報告
一、概述
本鎮全年主動公開政府信息20條。
七、主要問題和改進措施
公開形式較為單一，下一步將拓寬公開渠道。
"""

UNHEADED = """某乡2010年政府信息公开工作报告
全乡全年主动公开政府信息65条，未收到依申请公开申请。
2010年，我乡政府信息公开工作取得一定成效，但仍存在一些不足，主要是公开内容不够全面，更新不够及时。
2011年，我们将进一步加强培训，扩大公开范围。
"""

# a pasted section body, or a page cut above its heading: it opens inside the list of improvement items
CUT_LIST = """
（二）加强业务培训，提高工作人员的业务水平。
（三）进一步拓宽政府信息公开渠道，及时更新栏目内容。
"""


@pytest.mark.parametrize("text, must_contain", [
    (TWO_SECTIONS, ["公开内容不够全面", "扩大公开范围"]),
    (TRADITIONAL, ["公開形式較為單一"]),
    (UNHEADED, ["更新不够及时", "扩大公开范围"]),
    (CUT_LIST, ["加强业务培训", "拓宽政府信息公开渠道"]),
])
def test_problems_and_remedies_text_is_handed_to_the_model(tmp_path, text, must_contain):
    f = tmp_path / "r.txt"
    f.write_text(text, encoding="utf-8")
    five = "".join(body for number, _, body in section_passages(read_report(f)) if number == 5)
    for phrase in must_contain:
        assert phrase in five
    assert "主动公开政府信息56条" not in five and "无。" not in five


def test_an_item_list_further_down_an_unheaded_report_is_not_read_from_its_first_item(tmp_path):
    """Only a text that opens with an improvement item is read whole: in an unheaded report's account of the
    year the same shape lists what was done, and the problems text starts at its own cue line."""
    text = ("某乡2011年政府信息公开工作报告\n（一）加强组织领导，成立了工作领导小组。\n"
            "我乡政府信息公开工作还存在一些不足，主要是公开内容不够全面。\n")
    f = tmp_path / "r.txt"
    f.write_text(text, encoding="utf-8")
    five = "".join(body for number, _, body in section_passages(read_report(f)) if number == 5)
    assert "公开内容不够全面" in five and "成立了工作领导小组" not in five
