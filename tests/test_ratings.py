"""Issue 12, part 2: ratings an evaluator would sign -- one root cause, one deduction; deductions that add
up; capped parts shown. Seeds are read from ../shared/seeds (skipped where absent)."""
from __future__ import annotations

from pathlib import Path

import pytest

from inference.scoring import COUNTED_ONCE, INPUT_QUALITY, rate_report

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
SAMPLES = ROOT / "data" / "samples"


@pytest.fixture(scope="module")
def nlp():
    import inference

    return inference.load()


def _seed(name: str) -> Path:
    found = sorted(SEEDS.glob(f"{name}_*.txt")) if SEEDS.is_dir() else []
    if not found:
        pytest.skip(f"seed {name} not in {SEEDS}")
    return found[0]


def test_seed_002_lost_positions_are_a_note_not_three_deductions(nlp):
    r = nlp(_seed("002"))
    s = r.score
    assert r.tables["t3"].ambiguous_rows  # the scraper dropped the blank cells' positions
    charged = [d for d in s.deductions if d.points > 0]
    # the blanks the agency published cost once, in the tables part
    blank = [d for d in charged if d.check_id == "tables.t3"]
    assert len(blank) == 1 and "空白" in blank[0].reason
    # the lost positions cost nothing: every check that is uncertain only for them is listed with 0 points
    notes = [d for d in s.deductions if d.treatment == INPUT_QUALITY]
    assert notes and all(d.points == 0 for d in notes)
    assert not [d for d in charged if d.check_id and d.check_id.startswith(("t3.identity", "t3.row_sum"))]
    assert s.grade != "不合格", s.total


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.iterdir() if p.suffix in (".txt", ".html", ".docx", ".pdf")))
def test_deductions_add_up_to_what_was_lost(nlp, name):
    s = nlp(SAMPLES / name).score
    assert sum(d.points for d in s.deductions) == pytest.approx(100 - s.total, abs=1e-9)
    for key, part in s.parts.items():
        listed = sum(d.points for d in s.deductions if d.part == key)
        assert listed == pytest.approx(part["max"] - part["score"], abs=1e-9), key


def test_uncertain_because_of_blank_cells_is_charged_once():
    from inference.report import Cell, CheckResult, Evidence, Report, Table

    r = Report(source="x", text="")
    t = Table("t3", found=True, rows={"new_received": {"total": Cell(None, "blank")}})
    r.tables = {"t3": t, "t2": Table("t2", found=True, rows={"a": {"b": Cell(1, "number")}}),
                "t4": Table("t4", found=True, rows={"a": {"b": Cell(1, "number")}})}
    r.checks = [CheckResult("t3.identity.total", "uncertain", "无法确定",
                            [Evidence(path="t3.new_received.total", value="blank")]),
                CheckResult("t4.total.review", "uncertain", "无法确定", [])]
    s = rate_report(r)
    (blank_caused,) = [d for d in s.deductions if d.check_id == "t3.identity.total"]
    assert blank_caused.points == 0 and blank_caused.treatment == COUNTED_ONCE
    (own,) = [d for d in s.deductions if d.check_id == "t4.total.review"]
    assert own.points > 0  # an uncertainty of the check's own still costs its share


def test_seed_002_total_column_inferred_from_the_rows_own_arithmetic(nlp):
    t = nlp(_seed("002")).tables["t3"]
    for row, total in (("new_received", 4), ("results_total", 4), ("withheld_third_party", 1)):
        cell = t.cell(row, "total")
        assert (cell.state, cell.value) == ("inferred", total), row
        assert t.cell(row, "natural_person").state == "ambiguous"  # which applicant column: unknown
        assert row in t.ambiguous_rows
    assert any("推算（inferred）" in n and "行内合计关系" in n for n in t.notes)
    assert t.to_dict()["non_numeric_cells"]["new_received.total"] == "inferred"


def test_infer_row_keeps_only_readings_that_add_up():
    from inference.report import Cell, Table
    from inference.tables.config import load_config
    from inference.tables.infer import infer_row
    from inference.tables.layouts import _Item

    cfg = load_config()
    spec = cfg.t3
    row = next(r for r in spec.rows if r.key == "new_received")
    t = Table("t3", found=True, rows={row.key: {c: Cell(None, "ambiguous", "2 3 5") for c in row.cols}})
    items = [_Item("num", v, str(v), i * 2, i * 2 + 1) for i, v in enumerate((2, 3, 5))]
    assert infer_row(cfg, spec, row, items, t) == ["total"]
    assert t.rows[row.key]["total"].value == 5 and t.rows[row.key]["natural_person"].state == "ambiguous"
    # a row that adds up in no reading infers nothing (the checks judge it)
    t2 = Table("t3", found=True, rows={row.key: {c: Cell(None, "ambiguous", "2 9") for c in row.cols}})
    items = [_Item("num", v, str(v), i * 2, i * 2 + 1) for i, v in enumerate((2, 9))]
    assert infer_row(cfg, spec, row, items, t2) == []


@pytest.mark.parametrize("role, charged", [("later", True), ("earlier", False), ("same_day", False), ("undated", False)])
def test_copying_costs_only_the_later_report(role, charged):
    from inference.report import Cell, Report, Table
    from inference.scoring import BatchFindings

    r = Report(source="x", text="")
    r.tables = {k: Table(k, found=True, rows={"a": {"b": Cell(1, "number")}}) for k in ("t2", "t3", "t4")}
    match = {"scope": "section5", "other": "other.txt", "similarity": 0.95, "role": role,
             "other_date": None if role == "undated" else "2024-01-20", "passages": ["本机关政府信息公开工作仍存在一些不足之处。"]}
    s = rate_report(r, findings=BatchFindings(similar=[match]))
    (d,) = [d for d in s.deductions if d.part == "originality"]
    assert (d.points > 0) == charged
    assert "other.txt" in d.reason and any(e.text for e in d.evidence)
    if role in ("same_day", "undated"):
        assert d.treatment.startswith("需人工复核")
