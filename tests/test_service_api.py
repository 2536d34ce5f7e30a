"""The JSON API under /api/v1: every endpoint and its error codes (open local mode: no accounts)."""
from __future__ import annotations

import io
import json
from re import findall as re_findall
from pathlib import Path

import pytest

from tests.conftest import SAMPLES_DIR, FixedTagger
from tests.service_helpers import TWO, client, make_app, nlp, sample_file, scored_batch, upload, wait  # noqa: F401


@pytest.fixture(scope="module")
def served(tmp_path_factory, nlp):  # noqa: F811
    app = make_app(tmp_path_factory.mktemp("store"), nlp)
    c = client(app)
    view = scored_batch(c, app, extra=[("empty.txt", b"")])
    return app, c, view


def _error(r, status: int, code: str) -> dict:
    assert r.status_code == status, (r.status_code, r.text)
    body = r.json()["error"]
    assert body["code"] == code, body
    assert body["message"] and any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), body  # Chinese message
    return body


def test_health(served):
    _, c, _ = served
    r = c.get("/api/v1/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["pipeline"][-1] == "score" and body["accounts"] is False


def test_docs_and_openapi(served):
    _, c, _ = served
    docs = c.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    assert "cdn" not in docs.text and "https://" not in docs.text  # works offline
    for asset in re_findall(r'(?:src|href)="(/[^"]+)"', docs.text):
        assert c.get(asset).status_code == 200, asset
    schema = c.get("/openapi.json").json()
    assert set(schema["components"]["securitySchemes"]) == {"session", "csrf"}
    paths = schema["paths"]
    for p in ("/api/v1/health", "/api/v1/score", "/api/v1/batches", "/api/v1/batches/{batch_id}",
              "/api/v1/reports/{report_id}", "/api/v1/batches/{batch_id}/summary.xlsx"):
        assert p in paths, p


def test_score_returns_the_results_jsonl_object(served, nlp):  # noqa: F811
    from inference.report import public_dict

    _, c, _ = served
    name = "s01_yunxi_county_gov_2023.txt"
    r = c.post("/api/v1/score", files={"file": sample_file(name)})
    assert r.status_code == 200, r.text
    got = r.json()
    want = public_dict(nlp(SAMPLES_DIR / name).to_dict())
    assert got["source"] == name
    assert set(got) == set(want)
    for key in ("score", "checks", "statements", "tables", "agency", "year"):
        assert got[key] == want[key], key


@pytest.mark.parametrize("name", ["s07_linjiang_city_gov_2024.pdf", "s06_qinglan_hitech_zone_2022.docx",
                                  "s05_lanjiang_transport_dept_2021.html"])
def test_score_binary_and_html_formats(served, name):
    _, c, _ = served
    r = c.post("/api/v1/score", files={"file": sample_file(name)})
    assert r.status_code == 200, r.text
    assert r.json()["score"]["grade"]


def test_score_errors(served):
    _, c, _ = served
    body = _error(c.post("/api/v1/score", files={"file": ("empty.txt", b"")}), 422, "unreadable_report")
    assert body["reason_code"] == "empty"
    _error(c.post("/api/v1/score", files={"file": ("x.exe", b"MZ\x90\x00")}), 415, "unsupported_type")
    _error(c.post("/api/v1/score", files={"file": ("x.xls", b"\xd0\xcf\x11\xe0")}), 415, "unsupported_type")
    from tests.service_helpers import zip_bytes

    z = zip_bytes({"a.txt": b"x" * 100, "b.txt": b"y" * 100})
    _error(c.post("/api/v1/score", files={"file": ("two.zip", z)}), 400, "bad_request")
    _error(c.post("/api/v1/score"), 422, "validation_error")
    # nothing left behind in the temporary folder
    assert not list((Path(served[0].state.svc.settings.store) / "_tmp").iterdir())


def test_batch_progress_and_status(served):
    _, c, view = served
    assert view["total"] == 3 and view["finished"] == 3 and view["progress"] == 1.0
    assert view["ok"] == 2 and view["errors"] == 1
    by = {r["name"]: r for r in view["reports"]}
    assert by["empty.txt"]["status"] == "error" and by["empty.txt"]["error_code"] == "empty"
    for n in TWO:
        assert by[n]["status"] == "ok" and isinstance(by[n]["score"], (int, float)) and by[n]["grade"]
    listed = c.get("/api/v1/batches").json()["batches"]
    assert any(b["id"] == view["id"] and b["total"] == 3 for b in listed)


def test_batch_scores_equal_the_pipeline(served, nlp):  # noqa: F811
    _, c, view = served
    for r in view["reports"]:
        if r["status"] == "ok":
            assert r["score"] == nlp(SAMPLES_DIR / r["name"]).score.total


def test_report(served):
    _, c, view = served
    rid = next(r["id"] for r in view["reports"] if r["name"] == TWO[0])
    r = c.get(f"/api/v1/reports/{rid}")
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == rid and body["batch_id"] == view["id"] and body["name"] == TWO[0]
    assert body["source"] == TWO[0] and "text" not in body
    assert body["review"]["changed"] is False and body["review"]["score"]["total"] == body["score"]["total"]
    assert all(len(d["key"]) == 12 for d in body["score"]["deductions"])
    assert c.get(f"/api/v1/reports/{rid}/audit").json() == {"audit": []}


def test_not_found_codes(served):
    _, c, view = served
    _error(c.get("/api/v1/batches/nope"), 404, "batch_not_found")
    _error(c.get("/api/v1/batches/nope/summary.xlsx"), 404, "batch_not_found")
    _error(c.get("/api/v1/reports/0123456789abcdef"), 404, "report_not_found")
    _error(c.get("/api/v1/reports/not-hex"), 404, "report_not_found")
    _error(c.get("/api/v1/nothing"), 404, "not_found")
    _error(c.delete("/api/v1/health"), 405, "method_not_allowed")
    bad = next(r["id"] for r in view["reports"] if r["status"] == "error")
    body = _error(c.get(f"/api/v1/reports/{bad}"), 422, "unreadable_report")
    assert body["reason_code"] == "empty"


@pytest.mark.parametrize("path", ["/api/v1/batches/..%2F..%2Fetc", "/api/v1/batches/%2E%2E", "/api/v1/batches/..",
                                  "/api/v1/reports/..%2Fservice.sqlite", "/api/v1/batches/_tmp",
                                  "/api/v1/batches/..%5C..%5Cwindows"])
def test_path_traversal_is_not_found(served, path):
    _, c, _ = served
    r = c.get(path)
    assert r.status_code == 404, (path, r.status_code, r.text)
    assert r.json()["error"]["code"] in ("not_found", "batch_not_found", "report_not_found")


def test_uploads_are_never_served(served):
    app, c, view = served
    stored = [p.name for p in (Path(app.state.svc.settings.store) / view["id"] / "uploads").iterdir()]
    assert stored and all(len(Path(n).stem) == 24 for n in stored)  # generated names
    for n in stored:
        for url in (f"/{view['id']}/uploads/{n}", f"/uploads/{n}", f"/api/v1/batches/{view['id']}/uploads/{n}"):
            assert c.get(url).status_code == 404


def test_summary_xlsx(served):
    from openpyxl import load_workbook

    _, c, view = served
    r = c.get(f"/api/v1/batches/{view['id']}/summary.xlsx")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["报告", "未通过检查", "陈述", "上年度问题整改", "无法读取", "指标数据"]
    rows = list(wb["报告"].iter_rows(values_only=True))
    assert {row[0] for row in rows[1:]} == set(TWO)
    assert [row[0] for row in wb["无法读取"].iter_rows(values_only=True)][1:] == ["empty.txt"]


def test_issues_xlsx_and_json(served):
    from openpyxl import load_workbook

    _, c, view = served
    issues = c.get(f"/api/v1/batches/{view['id']}/issues").json()["issues"]
    assert issues and all(i["review"] == "未复核" for i in issues)
    # a problem list: points taken (or given back by a cap) or a line to review, not 0-point notes
    assert all(i["points"] != 0 or "复核" in i["treatment"] for i in issues), issues
    scored = [c.get(f"/api/v1/reports/{rep['id']}").json() for rep in view["reports"]]
    every = [d for rep in scored if rep.get("score") for d in rep["score"]["deductions"]]
    assert any(d["points"] == 0 and "复核" not in (d.get("treatment") or "") for d in every)  # left out here
    r = c.get(f"/api/v1/batches/{view['id']}/issues.xlsx")
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["问题清单", "问题汇总"]
    assert len(list(wb["问题清单"].iter_rows())) == len(issues) + 1


def test_batch_not_ready_and_restart_resumes(tmp_path, nlp):  # noqa: F811
    app = make_app(tmp_path, nlp, start_workers=False)
    c = client(app)
    r = upload(c, TWO[:1])
    assert r.status_code == 202
    view = c.get(f"/api/v1/batches/{r.json()['id']}").json()
    assert view["status"] == "queued" and view["reports"][0]["status"] == "queued" and view["progress"] == 0
    _error(c.get(f"/api/v1/reports/{view['reports'][0]['id']}"), 409, "batch_not_ready")
    # a new process over the same store picks the queued file up
    app2 = make_app(tmp_path, nlp)
    wait(app2)
    c2 = client(app2)
    again = c2.get(f"/api/v1/batches/{r.json()['id']}").json()
    assert again["status"] == "done" and again["reports"][0]["status"] == "ok"
    app2.state.svc.engine.stop()


def test_folder_scored_on_the_command_line_opens_in_the_app(tmp_path, nlp):  # noqa: F811
    from inference.batch import score_batch

    src = tmp_path / "in"
    src.mkdir()
    for n in TWO:
        (src / n).write_bytes((SAMPLES_DIR / n).read_bytes())
    score_batch([src], tmp_path / "store" / "county-2023", model=FixedTagger(), progress=False)
    app = make_app(tmp_path / "store", nlp)
    c = client(app)
    view = c.get("/api/v1/batches/county-2023").json()
    assert view["origin"] == "cli" and view["status"] == "done" and view["ok"] == 2
    rid = view["reports"][0]["id"]
    body = c.get(f"/api/v1/reports/{rid}").json()
    stored = [json.loads(line) for line in (tmp_path / "store" / "county-2023" / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    for d in body["score"]["deductions"]:
        d.pop("key")  # the API adds each deduction's review key
    assert body["score"] == next(s for s in stored if s["source"] == body["source"])["score"]
    assert c.get("/batches/county-2023", headers={"accept": "text/html"}).status_code == 200


def test_a_failing_model_marks_the_files_and_finishes_the_batch(tmp_path, nlp):  # noqa: F811
    class Broken:
        def predict(self, texts):
            raise RuntimeError("boom")

    import inference

    app = make_app(tmp_path, inference.load(model=Broken()))
    c = client(app)
    r = upload(c, TWO)
    wait(app)
    view = c.get(f"/api/v1/batches/{r.json()['id']}").json()
    assert view["status"] == "done" and view["errors"] == 2
    assert {x["error_code"] for x in view["reports"]} == {"internal"}
    # the server goes on serving
    assert c.get("/api/v1/health").status_code == 200
