"""Issue 12, "what graders check that we don't": section numbering, years that contradict the report year,
deadlines configurable per place (data/deadlines.json) with townships handled explicitly. Report texts are
authored for these tests in the style of real reports."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from inference import deadlines
from inference.agency import Body
from inference.checks.structure import check_section_numbering
from inference.errors import DataError
from inference.pipeline import read_report
from inference.scoring import rate_report
from inference.statements import detect_statements
from tests.conftest import FixedTagger

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"

HEADINGS = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]


def _report_text(year=2023, headings=None, s1=None, s5=None, preface=None, extra=None):
    """A short county-department report; each argument replaces one part."""
    h = list(HEADINGS if headings is None else headings)
    pre = preface if preface is not None else (
        f"根据《中华人民共和国政府信息公开条例》规定，现公布芦溪县司法局{year}年政府信息公开工作年度报告。"
        f"本报告所列数据统计期限为{year}年1月1日至{year}年12月31日。")
    bodies = [
        s1 if s1 is not None else f"{year}年，我局围绕法治政府建设和公共法律服务，主动公开政府信息132条，较上年增加12条。",
        "本年度制发行政规范性文件2件，行政处罚决定17件。",
        "本年度新收政府信息公开申请3件，均已按期答复。",
        "本年度未发生因政府信息公开引起的行政复议、行政诉讼。",
        s5 if s5 is not None else "一是政策解读形式较为单一；二是基层司法所信息更新不及时。针对上述问题，"
                                 "我局已组织业务培训2次，并建立每月更新台账。",
        "本年度未收取信息处理费。",
    ]
    parts = [f"芦溪县司法局{year}年政府信息公开工作年度报告", f"发布日期：{year + 1}-01-20", pre]
    for head, body in zip(h, bodies):
        if head is None:
            continue
        parts += [head, body]
    if extra:
        parts.append(extra)
    parts += ["芦溪县司法局", f"{year + 1}年1月18日"]
    return "\n".join(parts) + "\n"


def _read(tmp_path, text, name="r.txt"):
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    return read_report(f)


def _score(report):
    detect_statements([report], FixedTagger())
    return rate_report(report)


# ---------------------------------------------------------------------------------- section numbering

def test_clean_numbering_passes(tmp_path):
    r = _read(tmp_path, _report_text())
    c = r.check("sections.numbering")
    assert c.status == "pass", c.message
    assert [e.value for e in c.evidence] == list("一二三四五六")


@pytest.mark.parametrize("heads, says", [
    # 五 split in two and numbered 五 twice: 一..五
    (HEADINGS[:5] + ["五、其他需要报告的事项"], ["“五、其他需要报告的事项”是第六部分的标题，序号应为“六”", "序号“五”用了2次"]),
    # the last title left without its numeral: 一..五
    (HEADINGS[:5] + ["其他需要报告的事项"], ["“其他需要报告的事项”前没有序号（应为“六”）"]),
    # table 4's title printed as a caption without a numeral, the rest renumbered 一..五
    (HEADINGS[:3] + ["行政复议、行政诉讼情况", "四、存在的主要问题及改进情况", "五、其他需要报告的事项"],
     ["“行政复议、行政诉讼情况”前没有序号（应为“四”）", "“四、存在的主要问题及改进情况”是第五部分的标题，序号应为“五”"]),
])
def test_numbered_one_to_five_passes_the_old_checks_but_now_loses_points(tmp_path, heads, says):
    """All six titles are there in order (complete and order pass) but numbered 一..五: the numbering check
    fails, names what is wrong, and the report loses points."""
    clean = _read(tmp_path, _report_text(), "clean.txt")
    bad = _read(tmp_path, _report_text(headings=heads), "bad.txt")
    assert bad.check("sections.complete").status == "pass" and bad.check("sections.order").status == "pass"
    c = bad.check("sections.numbering")
    assert c.status == "fail", c.message
    for phrase in says:
        assert phrase in c.message, c.message
    # evidence: the offsets of every heading; the wrong ones read back as printed
    for ev in c.evidence:
        assert bad.norm[ev.start:ev.end].lstrip("一二三四五六、").startswith(ev.text[:2])
    s_clean, s_bad = _score(clean), _score(bad)
    assert s_bad.total < s_clean.total
    assert [d for d in s_bad.deductions if d.check_id == "sections.numbering" and d.points > 0]


def test_duplicate_number(tmp_path):
    heads = list(HEADINGS)
    heads[3] = "三、政府信息公开行政复议、行政诉讼情况"
    c = _read(tmp_path, _report_text(headings=heads)).check("sections.numbering")
    assert c.status == "fail" and "序号“三”用了2次" in c.message, c.message


def test_missing_section_renumbered_is_charged_once(tmp_path):
    """One root cause, one deduction: a dropped section with the rest renumbered in order costs
    sections.complete; the numbering says why it differs and takes nothing."""
    heads = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", None,
             "四、存在的主要问题及改进情况", "五、其他需要报告的事项"]
    r = _read(tmp_path, _report_text(headings=heads))
    assert r.check("sections.complete").status == "fail"
    c = r.check("sections.numbering")
    assert c.status == "pass" and "不重复扣分" in c.message, c.message
    assert not [d for d in _score(r).deductions if d.check_id == "sections.numbering" and d.points > 0]


def test_a_wrong_number_beside_a_missing_section_still_fails(tmp_path):
    heads = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", None,
             "五、存在的主要问题及改进情况", "五、其他需要报告的事项"]
    c = _read(tmp_path, _report_text(headings=heads)).check("sections.numbering")
    assert c.status == "fail" and "序号“五”用了2次" in c.message, c.message


def test_numbering_not_judged_before_the_2019_template(tmp_path):
    text = ("某县水利局2012年政府信息公开工作年度报告\n一、概述\n2012年，我局主动公开信息56条。\n"
            "二、主动公开政府信息情况\n全年主动公开政府信息56条。\n三、依申请公开情况\n全年未收到申请。\n"
            "四、存在的问题\n公开内容不够全面。\n五、改进措施\n加强业务培训。\n六、其他需要报告的事项\n无。\n")
    r = _read(tmp_path, text)
    assert r.meta.year == 2012
    assert r.check("sections.numbering").status == "not_assessable"


def test_docx_bare_heading_is_uncertain_not_failed(tmp_path):
    """Word auto-numbering is not in the text python-docx reads: a bare heading in a DOCX may have had one."""
    heads = list(HEADINGS)
    heads[5] = "其他需要报告的事项"
    r = _read(tmp_path, _report_text(headings=heads))
    assert r.check("sections.numbering").status == "fail"
    r.kind = "docx"
    c = check_section_numbering(r)
    assert c.status == "uncertain" and "自动编号" in c.message


def test_all_bare_headings_not_assessable(tmp_path):
    heads = [h.split("、", 1)[1] for h in HEADINGS]
    heads[3] = "行政复议、行政诉讼情况"  # a bare title must fill its line to be read as a heading
    r = _read(tmp_path, _report_text(headings=heads))
    assert len(r.sections) == 6
    assert r.check("sections.numbering").status == "not_assessable"


# ---------------------------------------------------------------------------------- report year

def test_years_consistent_and_legitimate_other_years_pass(tmp_path):
    s1 = ("2023年，我局主动公开政府信息132条，较2022年增加12条，2019年以来累计公开560条。"
          "按照《芦溪县2023年政务公开工作要点》，截至2022年12月31日结转的1件申请已于本年办结。")
    s5 = ("对照2022年度报告中指出的问题，我局已完成整改。2024年，我局将继续加强政策解读。")
    r = _read(tmp_path, _report_text(s1=s1, s5=s5))
    c = r.check("report_year")
    assert c.status == "pass", c.message


def test_last_years_text_left_in_is_a_fail_with_offsets(tmp_path):
    s1 = "2022年，我局围绕法治政府建设，主动公开政府信息120条。"
    pre = ("根据《中华人民共和国政府信息公开条例》规定，现公布芦溪县司法局2023年政府信息公开工作年度报告。"
           "本报告所列数据统计期限为2022年1月1日至2022年12月31日。")
    r = _read(tmp_path, _report_text(s1=s1, preface=pre))
    c = r.check("report_year")
    assert c.status == "fail", c.message
    assert "2023年" in c.message and "数据统计期限" in c.message
    assert len(c.evidence) == 3  # both ends of the period and the sentence of section 一
    for ev in c.evidence:
        assert r.text[ev.start:ev.end] == "2022" and ev.value == 2022


def test_table_caption_with_wrong_year(tmp_path):
    text = _report_text().replace("本年度新收政府信息公开申请3件", "2022年度收到和处理政府信息公开申请情况\n本年度新收政府信息公开申请3件")
    r = _read(tmp_path, text, "cap.txt")
    c = r.check("report_year")
    assert c.status == "fail" and "标题行或表格标题" in c.message, c.message


def test_next_year_without_plan_words_is_uncertain(tmp_path):
    s1 = "2024年，我局主动公开政府信息132条。"
    c = _read(tmp_path, _report_text(s1=s1)).check("report_year")
    assert c.status == "uncertain" and "2024" in c.message, c.message


def test_year_check_costs_points(tmp_path):
    clean = _read(tmp_path, _report_text(), "a.txt")
    bad = _read(tmp_path, _report_text(s1="2022年，我局主动公开政府信息120条。"), "b.txt")
    assert _score(bad).total < _score(clean).total


# ---------------------------------------------------------------------------------- deadlines

def test_statutory_defaults_in_the_data_file():
    cfg = deadlines.read()
    assert cfg["statutory"]["department"] == [1, 31] and cfg["statutory"]["government"] == [3, 31]
    assert cfg["statutory"]["township"] is None
    town = Body("government", "township", "石门岭镇人民政府")
    dl = deadlines.deadline_for(town, cfg)
    assert dl.category == "township" and dl.month_day is None


def _override_file(tmp_path, rules):
    raw = deadlines.read()
    raw = {"statutory": copy.deepcopy(raw["statutory"]), "local": rules}
    f = tmp_path / "deadlines.json"
    f.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return f


LINJIANG = {"name": "临江市年报发布时限（测试用）", "match": ["临江市"],
            "deadlines": {"department": [1, 28], "township": [2, 20]}}


def test_city_override_moves_the_department_deadline_forward(tmp_path):
    """A test-only file gives 临江市 (fictional) departments 1月28日: s15, published 2024-01-29, is on time
    under the statute and one day late under the local rule; s14 (2024-01-25) is on time under both."""
    s15 = read_report(SAMPLES / "s15_linjiang_natural_resources_2023.txt")
    s14 = read_report(SAMPLES / "s14_linjiang_hrss_2023.txt")
    assert s15.check("timeliness").status == "pass"
    from inference.checks.timeliness import check_timeliness

    with deadlines.using(_override_file(tmp_path, [LINJIANG])):
        c = check_timeliness(s15)
        assert c.status == "fail", c.message
        assert "2024年1月28日" in c.message and "逾期1天" in c.message and "临江市年报发布时限" in c.message
        assert check_timeliness(s14).status == "pass"
        # a 云溪县 department is not in 临江市: the statute applies
        s12 = read_report(SAMPLES / "s12_yunxi_medical_security_2025.txt")
        assert "条例第四十九条" in check_timeliness(s12).message
    assert check_timeliness(s15).status == "pass"  # the override is gone again


def test_township_gets_a_configured_local_rule(tmp_path):
    from inference.checks.timeliness import check_timeliness

    r = read_report(SAMPLES / "s03_guixiang_street_2022.txt")  # 临江市江北区桂香街道办事处, published 2023-01-12
    r.meta.published_on = "2023-02-15"
    assert check_timeliness(r).status == "uncertain"  # no statutory deadline for a 街道办事处
    assert "未规定乡镇人民政府、街道办事处的时限" in check_timeliness(r).message
    with deadlines.using(_override_file(tmp_path, [LINJIANG])):
        c = check_timeliness(r)
        assert c.status == "pass" and "2023年2月20日" in c.message, c.message
        r.meta.published_on = "2023-03-01"
        c = check_timeliness(r)
        assert c.status == "fail" and "逾期9天" in c.message, c.message


def test_shipped_local_rule_is_documented_and_applies_when_enabled(tmp_path):
    raw = deadlines.read()
    rule = next(x for x in raw["local"] if "岳阳市" in x["match"])
    assert rule["source"].startswith("https://") and rule["enabled"] is False
    body = Body("government", "county", "岳阳市岳阳楼区人民政府")
    assert deadlines.deadline_for(body, raw).month_day == (3, 31)  # disabled: the statute
    on = dict(rule, enabled=True)
    f = _override_file(tmp_path, [on])
    dl = deadlines.deadline_for(body, deadlines.read(f))
    assert dl.month_day == (2, 20) and dl.local
    # the city's own government and its departments keep the statutory dates
    assert deadlines.deadline_for(Body("government", "city", "岳阳市人民政府"), deadlines.read(f)).month_day == (3, 31)
    assert deadlines.deadline_for(Body("department", "city", "岳阳市教育局"), deadlines.read(f)).month_day == (1, 31)


@pytest.mark.parametrize("bad_rule, match", [
    ({"name": "x", "match": ["某市"], "deadlines": {"department": [2, 28]}}, "不能放宽法定时限"),
    ({"name": "x", "match": ["某市"], "deadlines": {"department": [2, 30]}}, "无效"),
    ({"name": "x", "match": [], "deadlines": {"department": [1, 20]}}, "match"),
    ({"name": "x", "match": ["某市"], "deadlines": {"village": [1, 20]}}, "未知机关类别"),
])
def test_bad_local_rules_are_refused(tmp_path, bad_rule, match):
    with pytest.raises(DataError, match=match):
        deadlines.read(_override_file(tmp_path, [bad_rule]))


def test_urban_rural_department_is_not_a_township_body():
    from inference.agency import classify_body
    from inference.report import Metadata

    b = classify_body(Metadata(agency="临江市住房和城乡建设局"))
    assert (b.kind, b.tier) == ("department", "city")
    assert deadlines.deadline_for(b).month_day == (1, 31)
