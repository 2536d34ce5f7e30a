"""Review: confirm / dismiss deductions, correct statement labels, the score recomputed through the pipeline's
score component, the audit trail, the machine's result untouched, and the labelled export that
`nianbao train --data` reads."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.service_helpers import TWO, client, form_token, login, make_app, nlp, scored_batch  # noqa: F401

HTML = {"accept": "text/html"}


@pytest.fixture
def served(tmp_path, nlp):  # noqa: F811
    app = make_app(tmp_path, nlp, users={"rex": "reviewer", "ada": "admin"})
    c = client(app)
    login(c, "rex")
    view = scored_batch(c, app, names=TWO[:1])
    return app, c, view["reports"][0]["id"], tmp_path / view["id"] / "run.sqlite"


def _machine_row(run_store: Path) -> str:
    con = sqlite3.connect(run_store)
    try:
        return con.execute("SELECT result FROM results").fetchone()[0]
    finally:
        con.close()


def test_dismiss_changes_the_score_and_keeps_the_machine_result(served):
    app, c, rid, run_store = served
    before = c.get(f"/api/v1/reports/{rid}").json()
    stored = _machine_row(run_store)
    ded = next(d for d in before["score"]["deductions"] if d["points"] > 0)
    r = c.post(f"/api/v1/reports/{rid}/deductions/{ded['key']}", json={"decision": "dismiss", "note": "表格已核对，无误"})
    assert r.status_code == 200
    part = before["score"]["parts"][ded["part"]]
    lost_after = max(0, (part["max"] - part["score"]) - ded["points"])
    assert r.json()["score"]["parts"][ded["part"]]["score"] == pytest.approx(part["max"] - lost_after)
    assert r.json()["score"]["total"] > before["score"]["total"]
    assert ded["key"] in r.json()["dismissed"]
    after = c.get(f"/api/v1/reports/{rid}").json()
    assert after["score"] == before["score"]  # the machine's result as it was
    assert after["review"]["changed"] and after["review"]["score"]["total"] == r.json()["score"]["total"]
    assert _machine_row(run_store) == stored  # never overwritten
    audit = c.get(f"/api/v1/reports/{rid}/audit").json()["audit"]
    assert [(a["user"], a["kind"], a["target"], a["value"], a["note"]) for a in audit] == [
        ("rex", "deduction", ded["key"], {"decision": "dismiss"}, "表格已核对，无误")]
    assert audit[0]["at"] > 0
    # the batch view and the issue list show the reviewed score and the decision
    batch = c.get(f"/api/v1/batches/{after['batch_id']}").json()
    assert batch["reports"][0]["score"] == r.json()["score"]["total"] and batch["reports"][0]["reviewed"]
    assert batch["reports"][0]["machine_score"] == before["score"]["total"]
    issues = c.get(f"/api/v1/batches/{after['batch_id']}/issues").json()["issues"]
    assert any(i["review"] == "驳回" and i["reason"] == ded["reason"] for i in issues)
    # reset: back to the machine's score, the history kept
    r = c.post(f"/api/v1/reports/{rid}/deductions/{ded['key']}", json={"decision": "reset"})
    assert r.json()["score"]["total"] == before["score"]["total"]
    assert len(c.get(f"/api/v1/reports/{rid}/audit").json()["audit"]) == 2


def test_confirm_keeps_the_score(served):
    _, c, rid, _ = served
    before = c.get(f"/api/v1/reports/{rid}").json()
    key = before["score"]["deductions"][0]["key"]
    r = c.post(f"/api/v1/reports/{rid}/deductions/{key}", json={"decision": "confirm"})
    assert r.json()["score"]["total"] == before["score"]["total"] and r.json()["confirmed"] == [key]


def test_review_errors(served):
    _, c, rid, _ = served
    r = c.post(f"/api/v1/reports/{rid}/deductions/ffffffffffff", json={"decision": "dismiss"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    key = c.get(f"/api/v1/reports/{rid}").json()["score"]["deductions"][0]["key"]
    r = c.post(f"/api/v1/reports/{rid}/deductions/{key}", json={"decision": "maybe"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    r = c.post(f"/api/v1/reports/{rid}/statements/1-2", json={"role": "other"})
    assert r.status_code == 404
    st = c.get(f"/api/v1/reports/{rid}").json()["statements"][0]
    url = f"/api/v1/reports/{rid}/statements/{st['start']}-{st['end']}"
    for body in ({"role": "problem", "categories": ["R02"]}, {"role": "problem", "categories": []},
                 {"role": "remedy", "categories": ["R02"], "status": None}, {"role": "problem", "categories": ["X99"]}):
        r = c.post(url, json=body)
        assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error", body


def test_statement_correction_re_rates_through_the_score_component(served, nlp):  # noqa: F811
    from inference.report import Report

    app, c, rid, _ = served
    report = c.get(f"/api/v1/reports/{rid}").json()
    problems = [s for s in report["statements"] if s["role"] == "problem" and s["section"] == 5]
    st = problems[0]
    body = {"role": "problem", "categories": ["P01", "P02"], "specific": True, "status": None, "note": "补充类别"}
    r = c.post(f"/api/v1/reports/{rid}/statements/{st['start']}-{st['end']}", json=body)
    assert r.status_code == 200, r.text
    got = r.json()["score"]
    # the same correction applied by hand and rated by the pipeline's score component
    svc = app.state.svc
    machine = svc.machine_report(svc.item(rid))
    expected = Report.from_dict(machine.to_dict())
    for s in expected.statements:
        if (s.start, s.end) == (st["start"], st["end"]):
            s.categories, s.specific = ["P01", "P02"], True
    nlp.get_pipe("score")(expected)
    assert got["total"] == expected.score.total and got["parts"] == expected.score.parts
    assert got["total"] != report["score"]["total"]
    changed = next(s for s in r.json()["statements"] if (s["start"], s["end"]) == (st["start"], st["end"]))
    assert changed["categories"] == ["P01", "P02"]
    view = c.get(f"/api/v1/reports/{rid}").json()
    assert view["review"]["statements"] is not None and view["statements"] == report["statements"]  # original kept
    # reset restores the machine's labels
    r = c.post(f"/api/v1/reports/{rid}/statements/{st['start']}-{st['end']}", json={"reset": True})
    assert r.json()["score"]["total"] == report["score"]["total"]


def test_reviewed_statements_export_as_training_data(served, tmp_path):
    from training.corpus import validate_paths
    from training.data import load_passages

    _, c, rid, _ = served
    assert c.get("/api/v1/reviewed.jsonl").text == ""  # nothing reviewed yet
    report = c.get(f"/api/v1/reports/{rid}").json()
    st = next(s for s in report["statements"] if s["role"] == "remedy")
    r = c.post(f"/api/v1/reports/{rid}/statements/{st['start']}-{st['end']}",
               json={"role": "remedy", "categories": ["R01"], "specific": False, "status": "planned"})
    assert r.status_code == 200
    out = c.get(f"/api/v1/reviewed.jsonl?batch={report['batch_id']}")
    assert out.status_code == 200 and out.headers["content-type"].startswith("application/x-ndjson")
    path = tmp_path / "reviewed.jsonl"
    path.write_text(out.text, encoding="utf-8")
    records = [json.loads(line) for line in out.text.splitlines()]
    assert records and all(r["origin"] == "authored" and r["section"] in (5, 6) for r in records)
    issues, n = validate_paths([path])
    assert not issues and n == len(records), issues
    passages = load_passages([path])  # what `nianbao train --data` reads
    assert len(passages) == len(records)
    labelled = [s for p in passages for s in p["statements"] if s["categories"] == ["R01"] and s["status"] == "planned"]
    assert len(labelled) == 1
    assert c.get("/api/v1/reviewed.jsonl?batch=nope").status_code == 404


def test_web_review_forms(served):
    app, c, rid, _ = served
    page = c.get(f"/reports/{rid}", headers=HTML)
    assert page.status_code == 200
    token = form_token(page.text)
    before = c.get(f"/api/v1/reports/{rid}").json()
    ded = before["score"]["deductions"][0]
    r = c.post(f"/reports/{rid}/deductions/{ded['key']}", data={"csrf_token": token, "decision": "dismiss", "note": "误报"},
               headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/reports/{rid}#d-{ded['key']}"
    page = c.get(f"/reports/{rid}", headers=HTML).text
    assert "已驳回" in page and "误报" in page and "复核后已调整" in page
    total = c.get(f"/api/v1/reports/{rid}").json()["review"]["score"]["total"]
    assert f"{total:g} 分" in page
    st = before["statements"][0]
    r = c.post(f"/reports/{rid}/statements/{st['start']}-{st['end']}",
               data={"csrf_token": token, "role": "other", "note": "不是问题"}, headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    page = c.get(f"/reports/{rid}", headers=HTML).text
    assert "已更正" in page and "不是问题" in page


def test_cell_correction_reruns_the_checks_and_the_score(tmp_path, nlp):  # noqa: F811
    from tests.service_helpers import previous_year_text, sample_file, wait

    name = "s01_yunxi_county_gov_2023.txt"  # 上年结转 3; the year before, 结转下年度 5
    app = make_app(tmp_path, nlp, users={"rex": "reviewer", "vera": "viewer"})
    c = client(app)
    login(c, "rex")
    r = c.post("/api/v1/batches", files=[("files", sample_file(name)), ("files", ("2022.txt", previous_year_text(name)))])
    wait(app)
    rid = next(x["id"] for x in c.get(f"/api/v1/batches/{r.json()['id']}").json()["reports"] if x["name"] == name)
    before = c.get(f"/api/v1/reports/{rid}").json()
    checks = {x["id"]: x["status"] for x in before["checks"]}
    assert checks["cross_year.carried_over.total"] == "fail" and before["tables"]["t3"]["rows"]["carried_over"]["total"] == 3
    url = f"/api/v1/reports/{rid}/cells/t3.carried_over.total"
    r = c.post(url, json={"value": 5, "note": "原表为5，识别有误"})
    assert r.status_code == 200, r.text
    after = {x["id"]: x["status"] for x in r.json()["checks"]}
    assert after["cross_year.carried_over.total"] == "pass"  # against last year's 结转下年度
    # the table's own checks ran again: 一+二=三+四 no longer holds with the new 上年结转
    assert checks["t3.identity.total"] == "pass" and after["t3.identity.total"] == "fail"
    assert r.json()["tables"]["t3"]["rows"]["carried_over"]["total"] == 5
    assert r.json()["score"] != before["score"]
    # the machine's result is untouched; the change is in the audit trail
    assert c.get(f"/api/v1/reports/{rid}").json()["tables"]["t3"]["rows"]["carried_over"]["total"] == 3
    audit = c.get(f"/api/v1/reports/{rid}/audit").json()["audit"]
    assert [(a["kind"], a["target"], a["value"], a["user"]) for a in audit] == [("cell", "t3.carried_over.total", {"value": 5}, "rex")]
    # errors
    assert c.post(f"/api/v1/reports/{rid}/cells/t3.nope.total", json={"value": 1}).status_code == 404
    assert c.post(f"/api/v1/reports/{rid}/cells/..%2F..%2Fx", json={"value": 1}).status_code == 404
    assert c.post(url, json={"value": -1}).json()["error"]["code"] == "validation_error"
    viewer = client(app)
    login(viewer, "vera")
    assert viewer.post(url, json={"value": 4}).status_code == 403
    # the web form: click-to-fill table, the correction marked
    page = c.get(f"/reports/{rid}", headers=HTML).text
    assert 'data-path="t3.carried_over.total"' in page and "fixed" in page and "保存并重新评分" in page
    r = c.post(f"/reports/{rid}/cells", data={"csrf_token": form_token(page), "path": "t3.carried_over.total", "reset": "1"},
               headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    assert c.get(f"/api/v1/reports/{rid}").json()["review"]["score"] == before["review"]["score"]


def test_word_export_carries_the_review(served):
    import io

    from docx import Document

    _, c, rid, _ = served
    ded = c.get(f"/api/v1/reports/{rid}").json()["score"]["deductions"][0]
    c.post(f"/api/v1/reports/{rid}/deductions/{ded['key']}", json={"decision": "dismiss", "note": "不予采纳"})
    r = c.get(f"/api/v1/reports/{rid}.docx")
    assert r.status_code == 200 and r.headers["content-type"].endswith("wordprocessingml.document")
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(cell.text for t in doc.tables for row in t.rows for cell in row.cells)
    assert "年度政府信息公开工作年度报告评分" in text and "已人工复核" in text
    assert "驳回（rex：不予采纳）" in cells and ded["reason"] in cells
    assert c.get("/api/v1/reports/0123456789abcdef.docx").status_code == 404


def test_metadata_correction(served, nlp):  # noqa: F811
    _, c, rid, _ = served
    before = c.get(f"/api/v1/reports/{rid}").json()
    r = c.post(f"/api/v1/reports/{rid}/meta/agency", json={"value": "云溪县人民政府办公室", "note": "以落款为准"})
    assert r.status_code == 200 and r.json()["agency"] == "云溪县人民政府办公室"
    r = c.post(f"/api/v1/reports/{rid}/meta/level", json={"value": "市"})
    assert r.json()["level"] == "市"
    # the year drives the timeliness check: a year far from the publication date is re-checked
    r = c.post(f"/api/v1/reports/{rid}/meta/year", json={"value": 2019})
    assert r.json()["year"] == 2019 and r.json()["score"] != before["score"]
    for field, value in (("level", "村"), ("year", "二〇二三"), ("agency", "x"), ("source", "a")):
        r = c.post(f"/api/v1/reports/{rid}/meta/{field}", json={"value": value})
        assert r.status_code in (404, 422), (field, r.text)
    batch = c.get(f"/api/v1/batches/{before['batch_id']}").json()["reports"][0]
    assert (batch["agency"], batch["level"], batch["year"]) == ("云溪县人民政府办公室", "市", 2019)
    assert c.get(f"/api/v1/reports/{rid}").json()["agency"] == before["agency"]  # the machine's reading kept
    page = c.get(f"/reports/{rid}", headers=HTML).text
    assert "云溪县人民政府办公室" in page and "更正单位信息" in page
    r = c.post(f"/reports/{rid}/meta", data={"csrf_token": form_token(page), "field": "year", "reset": "1"},
               headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    assert c.get(f"/api/v1/batches/{before['batch_id']}").json()["reports"][0]["year"] == before["year"]
