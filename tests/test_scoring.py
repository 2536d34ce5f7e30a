"""Rating: rubric arithmetic, and monotonicity — every deliberate defect injected into every sample lowers
the score (or leaves it equal only where that part already lost its maximum) and brings the matching
deduction (part key + check id)."""
from __future__ import annotations

import copy
import json
import re

import pytest

from inference.errors import DataError
from inference.report import CheckResult, Evidence, Report, Section, Statement
from inference.scoring import BatchFindings, Rubric, default_rubric, rate_report
from inference.statements import detect_statements
from tests.conftest import (
    EXPECTED,
    GOOD_PLAN,
    SAMPLE_NAMES,
    FixedTagger,
    edits_everywhere,
    loaded,
    parse_loaded,
    parsed,
)

RUBRIC_FILE = default_rubric().source


def _raw_rubric() -> dict:
    return json.loads(open(RUBRIC_FILE, encoding="utf-8").read())


def _write(tmp_path, raw: dict):
    p = tmp_path / "rubric.json"
    p.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return p


def _bare_report(checks=(), text="", sections=(), statements=()) -> Report:
    r = Report(source="x.txt", text=text)
    r.checks = list(checks)
    r.sections = list(sections)
    r.statements = list(statements)
    return r


def _part_of(score, key):
    return score.parts[key]


# ---------------------------------------------------------------------------------------------------------
# Rubric arithmetic
# ---------------------------------------------------------------------------------------------------------
def test_shipped_rubric_parts_sum_to_100():
    rubric = Rubric.load()
    assert sum(p["max"] for p in rubric.parts) == pytest.approx(100)
    assert len({p["key"] for p in rubric.parts}) == len(rubric.parts)
    assert all(p.get("name") and p.get("rationale") for p in rubric.parts)


def test_rubric_rejects_bad_sum(tmp_path):
    raw = _raw_rubric()
    raw["parts"][0]["max"] += 1
    with pytest.raises(DataError, match="100"):
        Rubric.load(_write(tmp_path, raw))


@pytest.mark.parametrize("breakage", ["not_json", "no_parts", "unknown_rule"])
def test_rubric_rejects_malformed(tmp_path, breakage):
    p = tmp_path / "rubric.json"
    raw = _raw_rubric()
    if breakage == "not_json":
        p.write_text("{not json", encoding="utf-8")
    elif breakage == "no_parts":
        del raw["parts"]
        p = _write(tmp_path, raw)
    else:
        raw["parts"][0]["rule"]["type"] = "magic"
        p = _write(tmp_path, raw)
    with pytest.raises(DataError):
        Rubric.load(p)


@pytest.mark.parametrize("total,grade", [(100, "优秀"), (90, "优秀"), (89.99, "良好"), (75, "良好"), (74.5, "合格"),
                                         (60, "合格"), (59.99, "不合格"), (0, "不合格")])
def test_grade_boundaries(total, grade):
    assert Rubric.load().grade(total) == grade


def _full_marks_report() -> Report:
    """A report whose checks all pass and whose section 五 has good statements: scores 100."""
    text = "五、存在的主要问题及改进情况\n" + "甲" * 40 + "乙" * 40 + "\n"
    sec = Section(5, "五、存在的主要问题及改进情况", 0, 15, len(text))
    # three problem categories (fewer costs points), each with its paired remedy
    sts = [Statement("甲" * 40, 15, 55, 5, "problem", ["P01", "P03", "P06"], True),
           Statement("乙" * 40, 55, 95, 5, "remedy", ["R01", "R02", "R06"], True, "done")]
    r = _bare_report(text=text, sections=[sec], statements=sts)
    from inference.report import Cell, Table

    for key in ("t2", "t3", "t4"):
        r.tables[key] = Table(key, found=True, rows={"a": {"b": Cell(1, "number", "1")}})
    return r


def test_clean_report_scores_full_marks():
    s = rate_report(_full_marks_report())
    assert s.total == 100 and s.grade == "优秀"
    assert [d for d in s.deductions if d.points > 0] == []


def test_part_never_loses_more_than_max():
    r = _full_marks_report()
    r.checks = [CheckResult(f"t3.identity.c{i}", "fail", "不平") for i in range(10)]  # 10 x 4 points, max 8
    s = rate_report(r)
    assert s.parts["t3_identity"]["score"] == 0
    assert s.total == pytest.approx(100 - 8)
    listed = [d for d in s.deductions if d.part == "t3_identity"]
    assert sum(d.points for d in listed if d.check_id != "cap") == 40  # each listed, part capped
    (cap,) = [d for d in listed if d.check_id == "cap"]
    assert cap.points == -32 and "封顶" in cap.reason and s.parts["t3_identity"]["capped"] == 32
    assert sum(d.points for d in s.deductions) == pytest.approx(100 - s.total, abs=1e-9)


def test_uncertain_costs_factor_and_has_treatment():
    rubric = Rubric.load()
    r = _full_marks_report()
    r.checks = [CheckResult("t4.total.review", "uncertain", "无法确定")]
    s = rate_report(r, rubric)
    per_fail = next(p for p in rubric.parts if p["key"] == "t4_totals")["rule"]["per_fail"]
    (d,) = [d for d in s.deductions if d.check_id == "t4.total.review"]
    assert d.points == pytest.approx(per_fail * rubric.uncertain_factor)
    assert d.treatment and "50%" in d.treatment
    assert s.total == pytest.approx(100 - per_fail * rubric.uncertain_factor)


def test_uncertain_factor_comes_from_rubric(tmp_path):
    raw = _raw_rubric()
    raw["uncertain_factor"] = 0.25
    rubric = Rubric.load(_write(tmp_path, raw))
    r = _full_marks_report()
    r.checks = [CheckResult("timeliness", "uncertain", "无法确定")]
    s = rate_report(r, rubric)
    assert s.total == pytest.approx(100 - 8 * 0.25)


@pytest.mark.parametrize("check_id", ["fee_statement", "timeliness", "t4.total", "text_table", "t3.identity"])
def test_not_assessable_costs_nothing_and_is_listed(check_id):
    r = _full_marks_report()
    r.checks = [CheckResult(check_id, "not_assessable", "无法评估")]
    s = rate_report(r)
    assert s.total == 100
    listed = [d for d in s.deductions if d.check_id == check_id]
    assert listed, f"not-assessable {check_id} must be listed with its treatment, not dropped silently"
    assert all(d.points == 0 and d.treatment for d in listed)


def test_user_rubric_changes_result(tmp_path):
    raw = _raw_rubric()
    t = next(p for p in raw["parts"] if p["key"] == "timeliness")
    f = next(p for p in raw["parts"] if p["key"] == "fee")
    t["max"], t["rule"]["per_fail"] = 4, 4
    f["max"], f["rule"]["per_fail"] = 8, 8
    r = _full_marks_report()
    r.checks = [CheckResult("fee_statement", "fail", "未说明")]
    default = rate_report(copy.deepcopy(r)).total
    custom = rate_report(copy.deepcopy(r), Rubric.load(_write(tmp_path, raw))).total
    assert (default, custom) == (96, 92)


def test_missing_section5_costs_every_statement_part():
    r = _full_marks_report()
    r.sections = []
    s = rate_report(r)
    for key in ("problems_stated", "problems_specific", "pairing", "remedies_concrete", "remedies_done", "section5_quality"):
        assert s.parts[key]["score"] == 0, key


def test_copying_findings_threshold_and_cap():
    r = _full_marks_report()
    near = BatchFindings(similar=[{"scope": "section5", "other": "a.txt", "similarity": 0.79}])
    assert rate_report(copy.deepcopy(r), findings=near).total == 100
    # both others published first: this report is the later one, so it is charged (issue 12)
    hits = BatchFindings(similar=[{"scope": "section5", "other": "a.txt", "similarity": 0.95, "role": "later"},
                                  {"scope": "report", "other": "b.txt", "similarity": 0.97, "role": "later"}])
    s = rate_report(copy.deepcopy(r), findings=hits)
    assert s.parts["originality"]["score"] == 0 and s.total == 96
    reasons = " ".join(d.reason for d in s.deductions if d.part == "originality")
    assert "a.txt" in reasons and "b.txt" in reasons


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_rerating_the_stored_report_equals_rating_the_report(name):
    """Batch findings re-rate the stored Report (rebuilt from its JSON, no re-parse) through the same rules;
    it must give what rating the live Report gives."""
    from inference.findings import cross_year_checks
    from inference.report import BatchInfo

    r = parsed(name)
    detect_statements([r], FixedTagger())
    rate_report(r)
    stored = Report.from_dict(json.loads(json.dumps(r.to_dict(), ensure_ascii=False)))
    assert stored == r
    previous = {"source": "prev.txt", "carried_forward": {"total": 999, "natural_person": None},
                "in_force": {"regulations": {"in_force": 3}, "normative_documents": {"in_force": 40}}}
    similar = [{"scope": "section5", "other": "a.txt", "similarity": 0.93}]
    cross = cross_year_checks(r, previous)
    t3 = r.tables.get("t3")
    assert bool(cross) == bool((t3 and t3.found) or (r.tables.get("t2") and r.tables["t2"].found))
    r.checks.extend(cross)
    expected = rate_report(r, findings=BatchFindings(similar=similar)).to_dict()
    stored.checks.extend(cross_year_checks(stored, previous))
    stored.batch = BatchInfo(similar=similar, previous_year="prev.txt")
    got = rate_report(stored).to_dict()
    assert json.loads(json.dumps(got, ensure_ascii=False)) == json.loads(json.dumps(expected, ensure_ascii=False))
    assert any(d["part"] == "originality" for d in got["deductions"])


def test_statement_parts_on_parsed_sample():
    r = parsed("s01_yunxi_county_gov_2023.txt")
    detect_statements([r], FixedTagger())
    s = rate_report(r)
    for key in ("problems_specific", "pairing", "remedies_concrete", "remedies_done", "section5_quality"):
        assert s.parts[key]["score"] == s.parts[key]["max"], (key, s.deductions)
    assert s.parts["problems_stated"]["score"] == s.parts["problems_stated"]["max"] - 2  # 2 problem categories


def test_every_deduction_is_explained():
    for name in SAMPLE_NAMES:
        r = parsed(name)
        detect_statements([r], FixedTagger())
        s = rate_report(r)
        assert 0 <= s.total <= 100
        assert s.total == pytest.approx(sum(p["score"] for p in s.parts.values()))
        for d in s.deductions:
            assert d.reason and re.search(r"[\u4e00-\u9fff]", d.reason), d
            assert d.part in s.parts
        for key, p in s.parts.items():
            lost = sum(d.points for d in s.deductions if d.part == key)
            assert p["score"] == pytest.approx(p["max"] - min(p["max"], lost)), key


# ---------------------------------------------------------------------------------------------------------
# Monotonicity: inject each defect into each sample
# ---------------------------------------------------------------------------------------------------------
class Skip(Exception):
    """This (sample, defect) pair cannot be built; the message says why."""


def _number_edit(cell, new_value: int) -> tuple[int, int, str]:
    raw = cell.raw
    m = re.search(r"\d+", raw)
    if cell.start is None or m is None:
        raise Skip("cell has no text offsets")
    digits = m.group(0)
    new = str(new_value)
    if len(new) != len(digits):  # keep the digit count: run-together rows are split by digit count
        new = str((int(digits[-1]) + 5) % 10).rjust(len(digits), digits[0]) if len(digits) == 1 else digits[:-1] + str((int(digits[-1]) + 5) % 10)
    return cell.start + m.start(), cell.start + m.end(), new


def _changed_value(v: int) -> int:
    s = str(v)
    return int(s[:-1] + str((int(s[-1]) + 5) % 10))


def break_t3_identity(name, base):
    t3 = base.tables.get("t3")
    if t3 is None or not t3.found:
        raise Skip("sample has no table 3")
    cell = t3.cell("carried_forward", "total")
    if cell is None or cell.state != "number":
        raise Skip("table 3 carried-forward total is not a number")
    rep = loaded(name)
    edits_everywhere(rep, [_number_edit(cell, _changed_value(int(cell.value)))])
    return rep, "t3_identity", "t3.identity.total"


def break_t4_total(name, base):
    t4 = base.tables.get("t4")
    if t4 is None or not t4.found:
        raise Skip("sample has no table 4 (missing by design)")
    for block in ("review", "litigation_direct", "litigation_after_review"):
        c = base.check(f"t4.total.{block}")
        cell = t4.cell(block, "total")
        if c is not None and c.status == "pass" and cell is not None and cell.state == "number":
            rep = loaded(name)
            edits_everywhere(rep, [_number_edit(cell, _changed_value(int(cell.value)))])
            return rep, "t4_totals", f"t4.total.{block}"
    raise Skip("no passing table-4 total to break")


def remove_section6(name, base):
    s6 = base.section(6)
    if s6 is None:
        raise Skip("sample has no section 六")
    rep = loaded(name)
    edits_everywhere(rep, [(s6.start, s6.end, "")])
    return rep, "sections", "sections.complete"


def swap_sections(name, base):
    s5, s6 = base.section(5), base.section(6)
    if s5 is None or s6 is None:
        raise Skip("sample lacks section 五 or 六")
    rep = loaded(name)
    a, b = rep.text[s5.start:s5.end], rep.text[s6.start:s6.end]
    edits_everywhere(rep, [(s5.start, s5.end, b), (s6.start, s6.end, a)])
    return rep, "sections", "sections.order"


_DATE = re.compile(r"(\d{4})(\D{1,3})(\d{1,2})(\D{1,3})(\d{1,2})")


def late_publication(name, base):
    key = "published_on" if base.meta.published_on else "signed_on"
    span = base.meta.spans.get(key)
    if span is None or base.meta.year is None:
        raise Skip("no dated publication / signing")
    rep = loaded(name)
    old = rep.text[span[0]:span[1]]
    y = base.meta.year + 1
    new, n = _DATE.subn(lambda m: f"{y}{m.group(2)}{'05' if len(m.group(3)) == 2 else '5'}{m.group(4)}15", old, count=1)
    if not n:
        raise Skip(f"date {old!r} is not in digits")
    edits_everywhere(rep, [(span[0], span[1], new)])
    return rep, "timeliness", "timeliness"


def delete_fee_statement(name, base):
    fee = base.check("fee_statement")
    if fee is not None and fee.status == "fail":
        return loaded(name), "fee", "fee_statement"  # missing by design: the deduction must already be there
    if base.meta.year is not None and base.meta.year < 2021:
        raise Skip("fee statement only required from the 2021 report on (国办函〔2020〕109号): deleting it costs nothing")
    if fee is None or fee.status != "pass":
        raise Skip(f"fee statement check is {fee.status if fee else 'absent'}, nothing to delete")
    rep = loaded(name)
    for _ in range(6):  # the fee may be stated more than once
        cur = parse_loaded(copy.deepcopy(rep))
        c = cur.check("fee_statement")
        spans = [(e.start, e.end) for e in c.evidence if e.start is not None and e.path is None]
        if c.status != "pass" or not spans:
            break
        edits_everywhere(rep, [(spans[0][0], spans[0][1], "")])
    return rep, "fee", "fee_statement"


def contradict_table3(name, base):
    from inference.checks import find_mentions

    t3 = base.tables.get("t3")
    if t3 is None or not t3.found or t3.value("new_received", "total") is None:
        raise Skip("table 3 new-received total not read")
    bogus = int(t3.value("new_received", "total")) + int(t3.value("carried_over", "total") or 0) + 17
    rep = loaded(name)
    changes = []
    for m in find_mentions(base):
        if m.fact == "received" and not m.zero:
            num = re.search(r"\d+|[零〇一二两三四五六七八九十百千万]+", base.text[m.start:m.end])
            if num:
                changes.append((m.start + num.start(), m.start + num.end(), str(bogus)))
    s1 = base.section(1)
    if s1 is None:
        raise Skip("no section 一 to write the sentence into")
    changes.append((s1.body_start, s1.body_start, f"本年度共收到政府信息公开申请{bogus}件。"))
    edits_everywhere(rep, sorted(set(changes)))
    return rep, "text_table", "text_table.received"


def misnumber_section6(name, base):
    """Section 六's numeral replaced by 五: all six titles in order, numbered 一..五."""
    s6 = base.section(6)
    if s6 is None:
        raise Skip("sample has no section 六")
    rep = loaded(name)
    if rep.text[s6.start] != "六":
        # s12 drops section 四 and numbers 六 as 五 already (charged once, by sections.complete)
        raise Skip(f"section 六 heading starts with {rep.text[s6.start:s6.start + 4]!r}, not 六")
    edits_everywhere(rep, [(s6.start, s6.start + 1, "五")])
    return rep, "sections", "sections.numbering"


def stale_year(name, base):
    """Last year's "X年，本机关……" sentence left at the start of section 一."""
    s1 = base.section(1)
    if s1 is None or base.meta.year is None:
        raise Skip("no section 一 or no report year")
    rep = loaded(name)
    edits_everywhere(rep, [(s1.body_start, s1.body_start, f"{base.meta.year - 1}年，本机关继续推进政府信息公开工作。")])
    return rep, "format", "report_year"


TEXT_DEFECTS = {
    "misnumber_section6": misnumber_section6,
    "stale_year": stale_year,
    "t3_identity": break_t3_identity,
    "t4_total": break_t4_total,
    "remove_section6": remove_section6,
    "swap_sections": swap_sections,
    "late_publication": late_publication,
    "delete_fee": delete_fee_statement,
    "text_contradicts_t3": contradict_table3,
}

# Known parser limitations, stated per pair (the defect can't be observed through a wrong parse).
KNOWN_SKIPS: dict[tuple[str, str], str] = {}


def _score(report, tagger=None):
    detect_statements([report], tagger or FixedTagger())
    return rate_report(report)


def _assert_worse(before, after, part, check_id, already_failing=False):
    matching = [d for d in after.deductions if d.part == part and (check_id is None or d.check_id == check_id) and d.points > 0]
    assert matching, f"no deduction for part {part} / check {check_id}: {[(d.part, d.check_id, d.points) for d in after.deductions]}"
    if already_failing:  # the sample carries this very defect by design: the check cannot fail twice
        assert after.total <= before.total
        assert after.parts[part]["score"] <= before.parts[part]["score"]
    elif before.parts[part]["score"] > 0:
        assert after.total < before.total, (before.total, after.total, part)
        assert after.parts[part]["score"] < before.parts[part]["score"]
    else:  # part already lost its maximum: equal is all we can ask, and the deduction is there
        assert after.total <= before.total
        assert after.parts[part]["score"] == 0


@pytest.mark.parametrize("defect", sorted(TEXT_DEFECTS))
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_text_defect_lowers_score(name, defect):
    if (name, defect) in KNOWN_SKIPS:
        pytest.skip(KNOWN_SKIPS[(name, defect)])
    base = parsed(name)
    try:
        rep, part, check_id = TEXT_DEFECTS[defect](name, base)
    except Skip as exc:
        pytest.skip(str(exc))
    before = _score(base)
    already = base.check(check_id) is not None and base.check(check_id).status == "fail"
    after_report = parse_loaded(rep)
    after = _score(after_report)
    assert after_report.check(check_id) is not None and after_report.check(check_id).status in ("fail", "uncertain"), (
        after_report.check(check_id))
    _assert_worse(before, after, part, check_id, already)


STATEMENT_DEFECTS = {
    # problems with no remedy of the paired category (P03 -> R06, P06 -> R02 in the taxonomy)
    "unpaired_problem": ([("problem", ["P03"], True, None), ("problem", ["P06"], True, None),
                          ("remedy", ["R08"], True, "done"), ("remedy", ["R02"], True, "done")], "pairing"),
    # section 五 says nothing is wrong
    "no_problems": ([("other", [], False, None), ("remedy", ["R06"], True, "planned")], "section5_quality"),
    # remedies only planned (下一步将…)
    "only_planned": ([("problem", ["P03"], True, None), ("problem", ["P06"], True, None),
                      ("remedy", ["R06"], True, "planned"), ("remedy", ["R02"], True, "planned")], "remedies_done"),
    # everything generic boilerplate
    "all_generic": ([(r, c, False, s) for r, c, _, s in GOOD_PLAN], "problems_specific"),
}


@pytest.mark.parametrize("defect", sorted(STATEMENT_DEFECTS))
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_statement_defect_lowers_score(name, defect):
    plan, part = STATEMENT_DEFECTS[defect]
    before = _score(parsed(name), FixedTagger())
    after = _score(parsed(name), FixedTagger(plan))
    _assert_worse(before, after, part, None)
    if defect == "no_problems":
        assert after.parts["problems_stated"]["score"] == 0


def test_deduction_points_read_as_taken_given_back_or_listed():
    """A cap line gives points back (+4, never "--4"); a listed finding takes none (0, never "-0")."""
    from inference.scoring import points_text
    from inference.service.names import check_name

    assert [points_text(p) for p in (4, 0.5, -4, 0, 0.0, -0.0)] == ["-4", "-0.5", "+4", "0", "0", "0"]
    assert check_name("cap").startswith("封顶")


def test_a_repeated_passage_is_read_by_the_model_once():
    """PassageMemo: the same section text in several reports (or batches) goes to the model once, and every
    report gets the same statements as without the memo; editing a report's statements leaves the memo alone."""
    from inference.statements import PassageMemo

    class CountingTagger(FixedTagger):
        def predict(self, texts):
            self.seen = getattr(self, "seen", []) + list(texts)
            return super().predict(texts)

    names = SAMPLE_NAMES[:2]
    plain = [parsed(n) for n in names + names]
    detect_statements(plain, FixedTagger())
    tagger, memo = CountingTagger(), PassageMemo()
    first = [parsed(n) for n in names + names]
    detect_statements(first, tagger, memo)
    assert len(tagger.seen) == len(set(tagger.seen)) == memo.misses
    assert [r.statements for r in first] == [r.statements for r in plain]
    first[0].statements[0].categories.append("P12")
    again = [parsed(n) for n in names]
    detect_statements(again, tagger, memo)
    assert len(tagger.seen) == memo.misses  # nothing new was read
    assert [r.statements for r in again] == [r.statements for r in plain[:2]]
    other = CountingTagger()
    detect_statements([parsed(names[0])], other, memo)  # another model reads for itself
    assert other.seen
