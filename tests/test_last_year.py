"""Issue 12, "last year's problems": this year's 改进情况 against the problems the same body's previous report
stated -- within a batch, through the history store, and with no previous report at all.

Two reports of one unit are made from sample s14 (2023): the year before is the same file with its years moved
back one and an authored section 五; this year's section 五 either answers last year's problems or ignores
them. Statements come from `SpanTagger`, a test double that labels given passages wherever they occur, so the
rule is tested apart from the model."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from inference.batch import score_batch
from inference.report import Statement
from inference.scoring import BatchFindings, rate_report
from tests.conftest import EXPECTED, SAMPLES_DIR, parsed

NAME = "s14_linjiang_hrss_2023.txt"
YEAR = EXPECTED[NAME]["year"]
AGENCY = EXPECTED[NAME]["agency"]

# -- authored section 五 texts (invented, in the style of real reports) -------------------------------------
PREV_FIVE = (
    "（一）存在的主要问题。一是部分业务栏目更新不及时，“就业创业”栏目有4个月未发布新信息；"
    "二是政务公开工作人员多为兼职，业务培训不足，对新条例掌握不够；"
    "三是社保政策解读形式单一，以文字转载为主，缺少图解和视频解读。\n"
    "（二）改进情况。下一步，我局将建立栏目更新提醒机制，按季度组织业务培训，丰富政策解读形式。\n"
)
PREV_PROBLEMS = {  # passage -> categories
    "部分业务栏目更新不及时，“就业创业”栏目有4个月未发布新信息": ["P03"],
    "政务公开工作人员多为兼职，业务培训不足，对新条例掌握不够": ["P06"],
    "社保政策解读形式单一，以文字转载为主，缺少图解和视频解读": ["P04"],
}
ADDRESSED_FIVE = (
    "（一）上年度问题整改情况。针对上年度报告指出的栏目更新不及时问题，建立“就业创业”等业务栏目更新台账，"
    "每月5日前通报未更新栏目，全年各栏目均按期更新；针对兼职人员多、业务培训不足的问题，"
    "全年组织政务公开专题培训3次，培训兼职信息员86人次；"
    "社保政策解读形式单一的问题已改进，全年新增图解解读12篇、视频解读3篇，不再以文字转载为主。\n"
    "（二）存在的主要问题。基层人社服务平台公开不规范，抽查的15个乡镇（街道）人社服务所中有6个未公开办事指南。\n"
    "（三）改进情况。统一印制乡镇（街道）人社服务事项办事指南，9月底前15个服务所全部张贴并在网上公开。\n"
)
# the sample's own section 五 (other problems, no word about last year) is the report that ignores them
PLAN = [  # (passage, role, categories, status)
    *[(p, "problem", c, None) for p, c in PREV_PROBLEMS.items()],
    ("下一步，我局将建立栏目更新提醒机制，按季度组织业务培训，丰富政策解读形式", "remedy", ["R06", "R02", "R08"], "planned"),
    ("建立“就业创业”等业务栏目更新台账，每月5日前通报未更新栏目，全年各栏目均按期更新", "remedy", ["R06"], "done"),
    ("全年组织政务公开专题培训3次，培训兼职信息员86人次", "remedy", ["R02"], "done"),
    # labelled "other" with no category: only the wording can tie it to last year's P04
    ("社保政策解读形式单一的问题已改进，全年新增图解解读12篇、视频解读3篇，不再以文字转载为主", "other", [], None),
    ("基层人社服务平台公开不规范，抽查的15个乡镇（街道）人社服务所中有6个未公开办事指南", "problem", ["P11"], None),
    ("统一印制乡镇（街道）人社服务事项办事指南，9月底前15个服务所全部张贴并在网上公开", "remedy", ["R12"], "done"),
    ("建立依申请公开办理台账，答复到期前5个工作日系统提醒，第四季度未再发生延期未告知情况", "remedy", ["R09"], "done"),
    ("依申请公开答复期限把握不准，有2件申请延期答复未书面告知申请人", "problem", ["P05"], None),
]


class SpanTagger:
    """`predict(texts)`: every planned passage found in a text becomes a statement with the planned labels."""

    def __init__(self, plan=PLAN, confidence: dict[str, float] | None = None):
        self.plan, self.confidence = plan, confidence or {}

    def predict(self, texts):
        from model.tagger import PredictedStatement

        out = []
        for text in texts:
            preds = []
            for passage, role, cats, status in self.plan:
                for m in re.finditer(re.escape(passage), text):
                    preds.append(PredictedStatement(m.start(), m.end(), role, list(cats), True, status,
                                                    self.confidence.get(passage, 0.99)))
            out.append(sorted(preds, key=lambda p: p.start))
        return out


def _with_section_five(text: str, body: str | None) -> str:
    if body is None:
        return text
    new, n = re.subn(r"(五、存在的主要问题及改进情况\n).*?(?=六、其他需要报告的事项)", lambda m: m.group(1) + body, text, flags=re.S)
    assert n == 1
    return new


def write_report(dest: Path, year: int = YEAR, five: str | None = None) -> Path:
    """Sample s14 with its years moved to `year` (the publication dates move with them) and section 五 replaced."""
    text = (SAMPLES_DIR / NAME).read_text(encoding="utf-8")
    shift = year - YEAR
    if shift:
        text = re.sub(r"20\d\d(?=年|-)", lambda m: str(int(m.group()) + shift), text)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(_with_section_five(text, five), encoding="utf-8")
    return dest


def _by_name(results):
    return {Path(r["source"]).name: r for r in results}


def _part(res: dict, key: str = "last_year") -> list[dict]:
    return [d for d in res["score"]["deductions"] if d["part"] == key]


def _adds_up(res: dict) -> None:
    s = res["score"]
    assert sum(d["points"] for d in s["deductions"]) == pytest.approx(100 - s["total"], abs=1e-9)


# -- batch: the previous report is in the same batch --------------------------------------------------------
def test_batch_report_that_addresses_every_problem_loses_nothing(tmp_path):
    prev = write_report(tmp_path / "in" / "2022.txt", YEAR - 1, PREV_FIVE)
    write_report(tmp_path / "in" / "2023.txt", YEAR, ADDRESSED_FIVE)
    res = score_batch([tmp_path / "in"], tmp_path / "out", model=SpanTagger(), progress=False, workers=0)
    by = _by_name(res.results)
    now = by["2023.txt"]
    assert (now["agency"], now["year"], by["2022.txt"]["year"]) == (AGENCY, YEAR, YEAR - 1)
    assert now["batch"]["last_year"]["source"] == str(prev.resolve())
    lines = _part(now)
    addressed = [d for d in lines if d["check_id"] == "last_year.addressed"]
    assert len(addressed) == 3 and all(d["points"] == 0 for d in lines), lines
    assert now["score"]["parts"]["last_year"]["score"] == now["score"]["parts"]["last_year"]["max"]
    # each of last year's problems is listed with this year's matching statement as evidence
    for passage in PREV_PROBLEMS:
        (d,) = [d for d in addressed if any(e.get("text") == passage and e.get("path") == str(prev.resolve()) for e in d["evidence"])]
        answers = [e for e in d["evidence"] if e.get("start") is not None]
        assert answers, d
        for e in answers:  # offsets point into this year's text
            assert e["text"] in (tmp_path / "in" / "2023.txt").read_text(encoding="utf-8")
    p04 = next(d for d in addressed if "解读" in d["reason"])
    assert "相应表述" in p04["reason"]  # tied by wording only (labelled "other", no category)
    assert any(d["check_id"] == "last_year.refers_back" for d in lines)  # 针对上年度报告指出的……
    # last year's own report has no earlier one: listed, not charged
    (first,) = _part(by["2022.txt"])
    assert first["check_id"] == "last_year.not_found" and first["points"] == 0 and "未找到上年度报告" in first["reason"]
    _adds_up(now)


def test_batch_report_that_ignores_last_years_problems_is_charged(tmp_path):
    prev = write_report(tmp_path / "in" / "2022.txt", YEAR - 1, PREV_FIVE)
    write_report(tmp_path / "in" / "2023.txt", YEAR, None)  # the sample's own section 五: other problems, no look back
    res = score_batch([tmp_path / "in"], tmp_path / "out", model=SpanTagger(), progress=False, workers=0)
    now = _by_name(res.results)["2023.txt"]
    (d,) = _part(now)
    assert d["check_id"] == "last_year.silent" and d["points"] > 0, d
    assert "未报告上年度问题的整改情况" in d["reason"] and str(prev.resolve()) in d["reason"]
    listed = [e["text"] for e in d["evidence"] if e.get("path") == str(prev.resolve())]
    assert listed == list(PREV_PROBLEMS)  # every unaddressed problem of last year, in order
    assert now["score"]["parts"]["last_year"]["score"] == now["score"]["parts"]["last_year"]["max"] - d["points"]
    _adds_up(now)
    # what a user sees: the report page and the Excel sheet name the finding with last year's problems
    out = tmp_path / "out"
    page = next(p for p in (out / "reports").glob("2023-*.html")).read_text(encoding="utf-8")
    assert "未报告上年度问题的整改情况" in page and all(p in page for p in PREV_PROBLEMS)
    from openpyxl import load_workbook

    rows = list(load_workbook(out / "summary.xlsx", read_only=True)["上年度问题整改"].iter_rows(values_only=True))
    mine = [r for r in rows[1:] if Path(r[0]).name == "2023.txt"]
    assert [r[4] for r in mine] == list(PREV_PROBLEMS) and {r[6] for r in mine} == {"未报告整改（全文未提及）"}
    assert mine[0][8] == d["points"]


def test_one_problem_left_unanswered_costs_that_problem(tmp_path):
    partial = ADDRESSED_FIVE.replace("社保政策解读形式单一的问题已改进，全年新增图解解读12篇、视频解读3篇，不再以文字转载为主", "全年信息公开工作平稳有序")
    prev = write_report(tmp_path / "in" / "2022.txt", YEAR - 1, PREV_FIVE)
    write_report(tmp_path / "in" / "2023.txt", YEAR, partial)
    res = score_batch([tmp_path / "in"], tmp_path / "out", model=SpanTagger(), progress=False, workers=0)
    now = _by_name(res.results)["2023.txt"]
    charged = [d for d in _part(now) if d["points"] > 0]
    (d,) = charged
    assert d["check_id"] == "last_year.unaddressed" and "政策解读" in d["reason"]
    assert [e["text"] for e in d["evidence"]] == ["社保政策解读形式单一，以文字转载为主，缺少图解和视频解读"]
    assert d["evidence"][0]["path"] == str(prev.resolve())
    assert len([x for x in _part(now) if x["check_id"] == "last_year.addressed"]) == 2
    _adds_up(now)


# -- history store: the previous report was scored in an earlier run -----------------------------------------
def test_history_store_supplies_last_years_problems(tmp_path):
    history = tmp_path / "history.sqlite"
    prev = write_report(tmp_path / "run1" / "2022.txt", YEAR - 1, PREV_FIVE)
    score_batch([prev], tmp_path / "out1", model=SpanTagger(), history=history, progress=False, workers=0)
    now_file = write_report(tmp_path / "run2" / "2023.txt", YEAR, None)
    res = score_batch([now_file], tmp_path / "out2", model=SpanTagger(), history=history, progress=False, workers=0)
    (now,) = res.results
    assert now["batch"]["last_year"]["source"] == str(prev.resolve())
    assert [p["text"] for p in now["batch"]["last_year"]["problems"]] == list(PREV_PROBLEMS)
    (d,) = _part(now)
    assert d["check_id"] == "last_year.silent" and d["points"] > 0
    (public,) = [json.loads(x) for x in (tmp_path / "out2" / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert public["batch"]["last_year"] == now["batch"]["last_year"]
    # last year's problems travel with the stored Report: re-rating it (as a reviewer's correction does) gives the same
    from inference.store import RunStore

    store = RunStore(tmp_path / "out2" / "run.sqlite")
    ((_, stored),) = store.reports()
    store.close()
    stored.score = None
    assert rate_report(stored).to_dict() == now["score"]


def test_old_history_store_gains_the_problems_column(tmp_path):
    import sqlite3

    from inference.store import HistoryStore

    path = tmp_path / "old.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE reports (digest TEXT PRIMARY KEY, source TEXT NOT NULL, agency TEXT, year INTEGER, "
                "s5_minhash BLOB, report_minhash BLOB, carried_forward TEXT, in_force TEXT, created REAL NOT NULL)")
    con.execute("INSERT INTO reports VALUES ('d', 'old.txt', '某局', 2022, NULL, NULL, '{}', '{}', 0)")
    con.commit()
    con.close()
    h = HistoryStore(path)
    (entry,) = h.all()
    assert entry["problems"] is None  # not known: the check says so instead of reading "no problems"
    h.add("e", "new.txt", "某局", 2023, None, None, {}, {}, problems=[{"text": "问题", "categories": ["P03"], "confidence": 0.9}])
    assert {e["source"]: e["problems"] for e in h.all()}["new.txt"][0]["categories"] == ["P03"]
    h.close()


# -- no previous report --------------------------------------------------------------------------------------
def test_no_previous_report_costs_nothing_and_says_so(tmp_path):
    write_report(tmp_path / "in" / "2023.txt", YEAR, None)
    write_report(tmp_path / "in" / "2021.txt", YEAR - 2, PREV_FIVE)  # two years back is not last year
    res = score_batch([tmp_path / "in"], tmp_path / "out", model=SpanTagger(), progress=False, workers=0)
    now = _by_name(res.results)["2023.txt"]
    assert now["batch"]["last_year"] is None
    (d,) = _part(now)
    assert d["points"] == 0 and d["check_id"] == "last_year.not_found" and "未找到上年度报告" in d["reason"]
    assert d["treatment"] == "无法评估，不扣分"
    assert now["score"]["parts"]["last_year"]["score"] == now["score"]["parts"]["last_year"]["max"]


def test_single_report_has_no_previous_report():
    from inference.api import score_report

    r = score_report(SAMPLES_DIR / NAME, model=SpanTagger())
    (d,) = [d for d in r.score.deductions if d.part == "last_year"]
    assert (d.check_id, d.points) == ("last_year.not_found", 0)


# -- confidence ----------------------------------------------------------------------------------------------
def _rated(last_year: dict, statements: list[Statement]):
    r = parsed(NAME)
    r.statements = statements
    return rate_report(r, findings=BatchFindings(last_year=last_year))


def test_unsure_problem_of_last_year_is_listed_for_review_not_charged():
    last = {"source": "prev.txt", "year": YEAR - 1, "problems": [
        {"text": "部分业务栏目更新不及时，“就业创业”栏目有4个月未发布新信息", "categories": ["P03"], "confidence": 0.95},
        {"text": "社保政策解读形式单一，以文字转载为主，缺少图解和视频解读", "categories": ["P04"], "confidence": 0.3},
    ]}
    remedy = Statement("建立栏目更新台账，每月通报未更新栏目", 0, 10, 5, "remedy", ["R06"], True, "done", 0.9)
    s = _rated(last, [remedy])
    lines = [d for d in s.deductions if d.part == "last_year"]
    (review,) = [d for d in lines if d.check_id == "last_year.unaddressed"]
    assert review.points == 0 and review.treatment.startswith("需人工复核") and "0.30" in review.reason
    assert s.parts["last_year"]["score"] == s.parts["last_year"]["max"]
    # the same problem stated with confidence: charged
    last["problems"][1]["confidence"] = 0.9
    s = _rated(last, [remedy])
    (charged,) = [d for d in s.deductions if d.part == "last_year" and d.points > 0]
    assert charged.check_id == "last_year.unaddressed"


def test_silent_report_with_only_unsure_problems_is_not_charged():
    last = {"source": "prev.txt", "year": YEAR - 1, "problems": [
        {"text": "社保政策解读形式单一，以文字转载为主，缺少图解和视频解读", "categories": ["P04"], "confidence": 0.2}]}
    s = _rated(last, [])
    (d,) = [d for d in s.deductions if d.part == "last_year"]
    assert d.check_id == "last_year.silent" and d.points == 0 and d.treatment.startswith("需人工复核")


def test_problem_said_to_persist_is_not_addressed_by_its_wording():
    last = {"source": "prev.txt", "year": YEAR - 1, "problems": [
        {"text": "社保政策解读形式单一，以文字转载为主，缺少图解和视频解读", "categories": ["P04"], "confidence": 0.9}]}
    persists = Statement("上年度指出的社保政策解读形式单一、以文字转载为主的问题仍然存在", 0, 10, 5, "other", [], True, None, 0.9)
    s = _rated(last, [persists])
    (d,) = [d for d in s.deductions if d.part == "last_year" and d.check_id == "last_year.unaddressed"]
    assert d.points > 0 and "仍然存在" in d.reason


def test_previous_report_without_problems_needs_no_check():
    s = _rated({"source": "prev.txt", "year": YEAR - 1, "problems": []}, [])
    (d,) = [d for d in s.deductions if d.part == "last_year"]
    assert (d.check_id, d.points) == ("last_year.no_problems", 0)


def test_agency_names_of_one_body_match_across_years():
    from inference.findings import agency_key

    assert agency_key("临江市人力资源和社会保障局 ") == agency_key("临江市人力资源和社会保障局")
    assert agency_key("ＸＸ县人民政府") == agency_key("XX县人民政府")
    assert agency_key("临江市林业局") != agency_key("临江市水利局")
