"""End-to-end truth tests on the authored sample reports in data/samples/.

Each sample has designed truth in data/samples/expected.json (metadata, section numbers, every value of
tables 2/3/4, blank cells, and the check ids that must fail). Every sample is read with
`inference.pipeline.read_report` and compared; every aspect of every sample is its own test, so a
failure names the sample and what went wrong.

Also checks that expected.json and the committed text samples agree with their generator
(data/samples/make_samples.py) and that the expected arithmetic failures follow from the expected
numbers (recomputed here independently).
"""
from __future__ import annotations

import functools
import importlib
import json
import math
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES_DIR = ROOT / "data" / "samples"
EXPECTED = json.loads((SAMPLES_DIR / "expected.json").read_text(encoding="utf-8"))["samples"]
NAMES = sorted(EXPECTED)

T3_COLS = ["natural_person", "commercial", "research", "public_interest", "legal_service", "other_org", "total"]
T4_BLOCKS = ["review", "litigation_direct", "litigation_after_review"]


@functools.lru_cache(maxsize=None)
def read(name: str):
    from inference.pipeline import read_report

    return read_report(SAMPLES_DIR / name)


def _fmt(report) -> str:
    return f"{report.source}: checks={[(c.id, c.status) for c in report.checks if c.status != 'pass']}"


# ---------------------------------------------------------------------------------------------
# The sample set itself (no pipeline needed)
# ---------------------------------------------------------------------------------------------


def test_sample_set_covers_the_brief():
    exp = list(EXPECTED.values())
    kinds = {e["kind"] for e in exp}
    assert {"txt", "html", "docx", "pdf"} <= kinds
    assert len(exp) >= 14
    assert sum(1 for e in exp if e["format"] == "2019" and e["year"] in (2019, 2020)) >= 3
    assert {e["year"] for e in exp} >= set(range(2019, 2026))
    assert sum(1 for e in exp if not e["expected_fail"] and e["section5"] == "clean_specific") >= 3
    assert any(e["encoding"] == "gbk" for e in exp)
    layouts = {e["layout"] for e in exp}
    assert {"pipe_cell", "pipe_row", "tab_cell", "run_together", "html", "docx", "pdf"} <= layouts
    for name in NAMES:
        assert (SAMPLES_DIR / name).is_file(), name


@pytest.mark.parametrize("name", NAMES)
def test_expected_arithmetic_follows_from_numbers(name):
    """Recompute relations 1-4 from the expected numbers; designed t3/t4 failures must be exactly those."""
    e = EXPECTED[name]
    t3, t4 = e["tables"]["t3"], e["tables"]["t4"]
    fails = set()
    results = [r for r in t3 if r not in ("new_received", "carried_over", "results_total", "carried_forward")]

    def z(v):  # blank-like read as 0 (blank cells never carry a designed defect)
        return 0 if v is None else v

    for c in T3_COLS:
        if z(t3["new_received"][c]) + z(t3["carried_over"][c]) != z(t3["results_total"][c]) + z(t3["carried_forward"][c]):
            fails.add(f"t3.identity.{c}")
        if sum(z(t3[r][c]) for r in results) != z(t3["results_total"][c]):
            fails.add(f"t3.results_total.{c}")
    for r, cols in t3.items():
        if sum(z(cols[c]) for c in T3_COLS[:-1]) != z(cols["total"]):
            fails.add(f"t3.row_sum.{r}")
    if t4:
        for b in T4_BLOCKS:
            v = t4[b]
            if z(v["upheld"]) + z(v["corrected"]) + z(v["other"]) + z(v["pending"]) != z(v["total"]):
                fails.add(f"t4.total.{b}")
    designed = {c for c in e["expected_fail"] if c.startswith(("t3.", "t4."))}
    assert fails == designed


@pytest.mark.parametrize("name", [n for n in NAMES if EXPECTED[n]["kind"] == "txt"])
def test_text_sample_matches_generator(name):
    """The committed .txt files are exactly what make_samples.py renders (no hand edits drift)."""
    sys.path.insert(0, str(SAMPLES_DIR))
    try:
        ms = importlib.import_module("make_samples")
    finally:
        sys.path.remove(str(SAMPLES_DIR))
    spec = next(s for s in ms.SAMPLES if s.file == name)
    assert (SAMPLES_DIR / name).read_bytes() == spec.page_text().encode(spec.encoding)
    assert spec.expected() == EXPECTED[name]


# ---------------------------------------------------------------------------------------------
# The pipeline against the truth
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_metadata(name):
    e, r = EXPECTED[name], read(name)
    got = {
        "agency": r.meta.agency,
        "year": r.meta.year,
        "published_on": r.meta.published_on,
        "signed_on": r.meta.signed_on,
        "format": r.meta.format,
    }
    want = {k: e[k] for k in got}
    if got["agency"] in e.get("agency_aliases", []):
        want["agency"] = got["agency"]  # an equally valid short form of the name
    assert got == want


@pytest.mark.parametrize("name", NAMES)
def test_sections(name):
    e, r = EXPECTED[name], read(name)
    assert [s.number for s in r.sections] == e["sections"], [(s.number, s.title) for s in r.sections]


def _compare_table(report, key: str, want: dict | None) -> list[str]:
    table = report.tables.get(key)
    if want is None:
        return [] if table is None or not table.found else [f"{key}: found a table that the sample does not have"]
    if table is None or not table.found:
        return [f"{key}: not found"]
    problems = []
    for row, cols in want.items():
        for col, v in cols.items():
            cell = table.cell(row, col)
            path = f"{key}.{row}.{col}"
            if cell is None:
                problems.append(f"{path}: missing (want {v!r})")
            elif v is None:
                if cell.state != "blank":
                    problems.append(f"{path}: want blank, got {cell.state} {cell.value!r} raw={cell.raw!r}")
            elif cell.state != "number" or cell.value is None or not math.isclose(cell.value, v, abs_tol=1e-6):
                problems.append(f"{path}: want {v!r}, got {cell.state} {cell.value!r} raw={cell.raw!r}")
    return problems


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("key", ["t2", "t3", "t4"])
def test_table_values(name, key):
    e, r = EXPECTED[name], read(name)
    problems = _compare_table(r, key, e["tables"][key])
    assert not problems, "\n".join(problems[:25]) + (f"\n... {len(problems)} in all" if len(problems) > 25 else "")


@pytest.mark.parametrize("name", NAMES)
def test_table_format(name):
    e, r = EXPECTED[name], read(name)
    for key in ("t2", "t3"):
        assert r.tables[key].format == e["format"], key


@pytest.mark.parametrize("name", NAMES)
def test_expected_failures_fail(name):
    e, r = EXPECTED[name], read(name)
    status = {c.id: c for c in r.checks}
    wrong = {cid: (status[cid].status, status[cid].message) if cid in status else "absent"
             for cid in e["expected_fail"] if cid not in status or status[cid].status != "fail"}
    assert not wrong, wrong


@pytest.mark.parametrize("name", NAMES)
def test_no_false_failures(name):
    e, r = EXPECTED[name], read(name)
    extra = {c.id: c.message for c in r.checks if c.status == "fail" and c.id not in e["expected_fail"]}
    assert not extra, extra


@pytest.mark.parametrize("name", NAMES)
def test_every_check_id_is_known(name):
    """Every designed failure id is a check the pipeline actually runs (catches renamed ids)."""
    e, r = EXPECTED[name], read(name)
    ids = {c.id for c in r.checks}
    assert set(e["expected_fail"]) <= ids, sorted(set(e["expected_fail"]) - ids)
