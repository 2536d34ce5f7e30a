"""Batch scoring: score_batch over samples and bad files, the CLI with a real (tiny) model, resume after
kill -9 and Ctrl-C, copying and cross-year findings within a batch and across runs via the history store."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from inference.batch import iter_files, score_batch
from tests.conftest import EXPECTED, ROOT, SAMPLE_NAMES, SAMPLES_DIR, TEXT_SAMPLES, FixedTagger, copy_sample

INSPECT_KEYS = {"source", "agency", "year", "published_on", "signed_on", "period", "contact", "url", "level", "format",
                "kind", "encoding", "sections", "tables", "checks"}


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _db_rows(path: Path) -> list[tuple[str, str]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        return list(con.execute("SELECT source, status FROM results"))
    finally:
        con.close()


def _db_count(path: Path) -> int:
    if not path.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        try:
            return con.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


# ---------------------------------------------------------------------------------------------------------
# score_batch over the samples and bad files
# ---------------------------------------------------------------------------------------------------------
def test_batch_scores_samples_and_reports_bad_files(sample_batch):
    result, bad, out = sample_batch
    for name in ("results.jsonl", "summary.csv", "summary.xlsx", "index.html", "run.sqlite"):
        assert (out / name).is_file(), name
    scored = {Path(r["source"]).name for r in result.results}
    assert scored == set(SAMPLE_NAMES)
    codes = {Path(e["source"]).name: e["code"] for e in result.errors}
    assert codes == {"empty.txt": "empty", "junk.txt": "binary", "broken.docx": "corrupt", "table.xls": "unsupported"}
    assert all(e["error"] for e in result.errors)
    assert result.processed == len(SAMPLE_NAMES) + 4 and result.skipped == 0
    assert set(result.stage_seconds) >= {"parse", "statements", "score", "store", "batch_findings", "outputs"}
    assert len(list((out / "reports").glob("*.html"))) == len(SAMPLE_NAMES)


def test_results_jsonl_content(sample_batch):
    result, _, out = sample_batch
    rows = _jsonl(out / "results.jsonl")
    assert len(rows) == len(SAMPLE_NAMES)
    assert len({r["source"] for r in rows}) == len(rows)
    for r in rows:
        assert INSPECT_KEYS <= set(r), INSPECT_KEYS - set(r)
        assert not any(k.startswith("_") for k in r)
        assert r["statements"], r["source"]
        for s in r["statements"]:
            assert {"text", "start", "end", "section", "role", "categories", "specific", "status", "confidence"} <= set(s)
        sc = r["score"]
        assert {"total", "grade", "parts", "deductions"} <= set(sc)
        assert sc["total"] == pytest.approx(sum(p["score"] for p in sc["parts"].values()))
        assert sc["grade"] in ("优秀", "良好", "合格", "不合格")
        name = Path(r["source"]).name
        failing = {c["id"] for c in r["checks"] if c["status"] == "fail"}
        for cid in EXPECTED[name]["expected_fail"]:
            if cid in failing:
                assert any(d["check_id"] == cid and d["points"] > 0 for d in sc["deductions"]), (name, cid)


def test_batch_equals_single_report_api(sample_batch):
    from inference.api import score_report

    result, _, _ = sample_batch
    by = {Path(r["source"]).name: r for r in result.results}
    for name in ("s03_guixiang_street_2022.txt", "s06_qinglan_hitech_zone_2022.docx"):
        single = score_report(SAMPLES_DIR / name, model=FixedTagger())
        assert single.score.total == by[name]["score"]["total"]
        assert [s.to_dict() for s in single.statements] == by[name]["statements"]


def test_iter_files_explicit_and_folder(tmp_path):
    a = copy_sample(TEXT_SAMPLES[0], tmp_path / "a" / "x.txt")
    (tmp_path / "a" / "notes.md").write_text("x", encoding="utf-8")
    explicit = tmp_path / "y.xls"
    explicit.write_bytes(b"x")
    files = iter_files([tmp_path / "a", a, explicit])
    assert files == [a, explicit]  # folder ignores .md, explicit file taken, duplicates once


def test_workers_and_tiny_model_give_same_results(tmp_path, tiny_model_dir):
    names = TEXT_SAMPLES[:6]
    src = tmp_path / "in"
    for n in names:
        copy_sample(n, src / n)
    one = score_batch([src], tmp_path / "one", model=str(tiny_model_dir), progress=False, write=False)
    two = score_batch([src], tmp_path / "two", workers=2, model=str(tiny_model_dir), progress=False, write=False)
    assert len(one.results) == len(two.results) == len(names)

    def key(res):
        return {Path(r["source"]).name: (r["score"]["total"], len(r.get("statements", []))) for r in res.results}

    assert key(one) == key(two)


def test_rubric_option_changes_result(tmp_path, tiny_model_dir, capsys):
    from inference.cli import main

    src = tmp_path / "in"
    copy_sample("s04_yunxi_market_regulation_2023.txt", src / "late.txt")  # late publication by design
    raw = json.loads((ROOT / "data" / "rubric.json").read_text(encoding="utf-8"))
    t = next(p for p in raw["parts"] if p["key"] == "timeliness")
    f = next(p for p in raw["parts"] if p["key"] == "fee")
    t["max"], t["rule"]["per_fail"], f["max"] = 2, 2, f["max"] + 6
    rubric = tmp_path / "my_rubric.json"
    rubric.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    base = ["score", str(src), "--model", str(tiny_model_dir), "--no-progress"]
    assert main(base + ["--out", str(tmp_path / "a")]) == 0
    assert main(base + ["--out", str(tmp_path / "b"), "--rubric", str(rubric)]) == 0
    a = _jsonl(tmp_path / "a" / "results.jsonl")[0]["score"]
    b = _jsonl(tmp_path / "b" / "results.jsonl")[0]["score"]
    assert a["parts"]["timeliness"] == {"name": "按时发布", "max": 8, "score": 0}
    assert b["parts"]["timeliness"]["max"] == 2 and b["parts"]["timeliness"]["score"] == 0
    assert b["total"] == pytest.approx(a["total"] + 6)
    bad = tmp_path / "bad_rubric.json"
    raw["parts"][0]["max"] += 5
    bad.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    assert main(base + ["--out", str(tmp_path / "c"), "--rubric", str(bad)]) == 2
    assert "100" in capsys.readouterr().err


def test_missing_model_is_a_clear_error(tmp_path, capsys):
    from inference.cli import main

    src = tmp_path / "in"
    copy_sample(TEXT_SAMPLES[0], src / "a.txt")
    assert main(["score", str(src), "--out", str(tmp_path / "o"), "--model", str(tmp_path / "nomodel"), "--no-progress"]) == 2
    assert "模型" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------------------
# Resume after kill -9 and after Ctrl-C
# ---------------------------------------------------------------------------------------------------------
def _cli(args: list[str]) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    return subprocess.Popen([sys.executable, "-m", "inference.cli", "score", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_rows(proc: subprocess.Popen, db: Path, more_than: int, timeout: float = 120) -> int:
    deadline = time.time() + timeout
    while time.time() < deadline:
        n = _db_count(db)
        if n > more_than or proc.poll() is not None:
            return n
        time.sleep(0.01)
    proc.kill()
    raise AssertionError("no progress")


def test_resume_after_kill_and_interrupt(tmp_path, tiny_model_dir):
    src = tmp_path / "in"
    n_files = 40
    files = []
    for i in range(n_files):
        name = TEXT_SAMPLES[i % len(TEXT_SAMPLES)]
        files.append(copy_sample(name, src / f"c{i:02d}_{name}", marker=f"（副本 {i}）"))
    out = tmp_path / "out"
    db = out / "run.sqlite"
    args = [str(src), "--out", str(out), "--model", str(tiny_model_dir), "--no-progress"]

    # 1. kill -9 once some results are stored
    p1 = _cli(args)
    stored = _wait_rows(p1, db, 0)
    assert p1.poll() is None, f"run finished before it could be killed: {p1.communicate()}"
    p1.send_signal(signal.SIGKILL)
    p1.wait(30)
    stored = _db_count(db)
    assert 0 < stored < n_files, stored

    # 2. resume, then Ctrl-C (SIGINT) once it has stored more
    p2 = _cli(args + ["--resume"])
    _wait_rows(p2, db, stored)
    running = p2.poll() is None
    if running:
        p2.send_signal(signal.SIGINT)
    out2, err2 = p2.communicate(timeout=60)
    stored2 = _db_count(db)
    if running and p2.returncode != 0:
        assert p2.returncode == 130 and "中断" in err2, (p2.returncode, err2[-2000:])
    elif running:  # the interrupt landed after the last file: a finished run, nothing lost
        assert stored2 == n_files, (stored2, err2[-2000:])
    assert stored2 >= stored

    # 3. resume to the end
    p3 = _cli(args + ["--resume"])
    out3, err3 = p3.communicate(timeout=120)
    assert p3.returncode == 0, err3[-3000:]
    assert f"跳过已完成 {stored2} 个" in out3, out3
    assert f"本次处理 {n_files - stored2} 个" in out3, out3

    rows = _db_rows(db)
    assert sorted(s for s, _ in rows) == sorted(str(f.resolve()) for f in files)
    assert all(status == "ok" for _, status in rows)
    results = _jsonl(out / "results.jsonl")
    sources = [r["source"] for r in results]
    assert len(sources) == len(set(sources)) == n_files
    assert set(sources) == {str(f.resolve()) for f in files}
    assert all("score" in r for r in results)


def test_resume_rescores_changed_file(tmp_path):
    src = tmp_path / "in"
    a = copy_sample(TEXT_SAMPLES[0], src / "a.txt")
    copy_sample(TEXT_SAMPLES[1], src / "b.txt")
    first = score_batch([src], tmp_path / "out", model=FixedTagger(), progress=False, write=False)
    assert first.processed == 2
    again = score_batch([src], tmp_path / "out", resume=True, model=FixedTagger(), progress=False, write=False)
    assert (again.processed, again.skipped) == (0, 2)
    a.write_text(a.read_text(encoding="utf-8") + "\n（已修改）\n", encoding="utf-8")
    third = score_batch([src], tmp_path / "out", resume=True, model=FixedTagger(), progress=False)
    assert (third.processed, third.skipped) == (1, 1)
    assert len(_jsonl(tmp_path / "out" / "results.jsonl")) == 2


# ---------------------------------------------------------------------------------------------------------
# Copying and cross-year findings
# ---------------------------------------------------------------------------------------------------------
def _originality(res: dict) -> list[dict]:
    return [d for d in res["score"]["deductions"] if d["part"] == "originality" and d["points"] > 0]


def test_copies_with_changed_agency_name_each_other(tmp_path):
    name = "s15_linjiang_natural_resources_2023.txt"
    agency = EXPECTED[name]["agency"]
    a = copy_sample(name, tmp_path / "in" / "a.txt", replace={agency: "临江市林业局"})
    # b was published a week later: only the later report is penalised (issue 12)
    b = copy_sample(name, tmp_path / "in" / "b.txt", replace={agency: "临江市水利局", **{"2024-01-29": "2024-02-05", "2024年1月26日": "2024年2月2日"}})
    other = copy_sample("s01_yunxi_county_gov_2023.txt", tmp_path / "in" / "c.txt")
    res = score_batch([tmp_path / "in"], tmp_path / "out", model=FixedTagger(), progress=False)
    by = {Path(r["source"]).name: r for r in res.results}
    assert by["a.txt"]["agency"] == "临江市林业局" and by["b.txt"]["agency"] == "临江市水利局"
    ded = _originality(by["b.txt"])
    assert ded and any(str(a.resolve()) in d["reason"] and "晚发布" in d["reason"] for d in ded), ded
    assert by["b.txt"]["score"]["parts"]["originality"]["score"] < by["b.txt"]["score"]["parts"]["originality"]["max"]
    assert any(e.get("text") for d in ded for e in d["evidence"])  # the copied passages are shown
    assert not _originality(by["a.txt"])  # the earlier one: listed, not charged
    first = [d for d in by["a.txt"]["score"]["deductions"] if d["part"] == "originality"]
    assert first and all(d["points"] == 0 and str(b.resolve()) in d["reason"] for d in first)
    assert not _originality(by["c.txt"]), _originality(by["c.txt"])
    assert str(other.resolve()) not in json.dumps(by["a.txt"]["score"], ensure_ascii=False)


def _previous_year(name: str, dest: Path) -> Path:
    year = EXPECTED[name]["year"]
    text = (SAMPLES_DIR / name).read_text(encoding="utf-8")
    text = text.replace(str(year), "@@").replace(str(year + 1), str(year)).replace("@@", str(year - 1))
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(text, encoding="utf-8")
    return dest


def test_cross_year_carried_over_mismatch(tmp_path):
    name = "s01_yunxi_county_gov_2023.txt"  # 上年结转 3, 结转下年度 5
    now = copy_sample(name, tmp_path / "in" / "2023.txt")
    prev = _previous_year(name, tmp_path / "in" / "2022.txt")
    res = score_batch([tmp_path / "in"], tmp_path / "out", model=FixedTagger(), progress=False)
    by = {Path(r["source"]).name: r for r in res.results}
    assert by["2022.txt"]["year"] == 2022 and by["2023.txt"]["year"] == 2023
    checks = {c["id"]: c for c in by["2023.txt"]["checks"]}
    c = checks.get("cross_year.carried_over.total")
    assert c is not None and c["status"] == "fail", c
    assert str(prev.resolve()) in c["message"]
    assert any(d["check_id"] == "cross_year.carried_over.total" and d["points"] > 0 and d["part"] == "cross_year"
               for d in by["2023.txt"]["score"]["deductions"])
    public = {Path(r["source"]).name: r for r in _jsonl(tmp_path / "out" / "results.jsonl")}
    assert public["2023.txt"]["batch"]["previous_year"] == str(prev.resolve())
    assert not any(c["id"].startswith("cross_year.") for c in by["2022.txt"]["checks"])
    assert str(now.resolve()) == by["2023.txt"]["source"]


def test_cross_year_consistent_pair_passes(tmp_path):
    name = "s01_yunxi_county_gov_2023.txt"
    copy_sample(name, tmp_path / "in" / "2023.txt")
    prev = _previous_year(name, tmp_path / "in" / "2022.txt")
    # make last year's 结转下年度 row equal this year's 上年结转 row
    from inference.pipeline import read_report

    rep = read_report(prev)
    t3 = rep.tables["t3"]
    text = prev.read_text(encoding="utf-8")
    cur = read_report(SAMPLES_DIR / name).tables["t3"]
    cells = sorted((t3.cell("carried_forward", c) for c in t3.rows["carried_forward"]), key=lambda c: -c.start)
    for cell in cells:
        col = next(k for k, v in t3.rows["carried_forward"].items() if v is cell)
        text = text[:cell.start] + str(cur.value("carried_over", col)) + text[cell.end:]
    prev.write_text(text, encoding="utf-8")
    res = score_batch([tmp_path / "in"], tmp_path / "out", model=FixedTagger(), progress=False)
    now = next(r for r in res.results if r["source"].endswith("2023.txt"))
    cross = [c for c in now["checks"] if c["id"].startswith("cross_year.carried_over.")]
    assert cross and all(c["status"] == "pass" for c in cross), cross


def test_history_store_matches_earlier_run(tmp_path):
    history = tmp_path / "history.sqlite"
    a = copy_sample("s05_lanjiang_transport_dept_2021.html", tmp_path / "run1" / "a.html")
    r1 = score_batch([a], tmp_path / "out1", model=FixedTagger(), history=history, progress=False)
    assert not _originality(r1.results[0])
    b = copy_sample("s05_lanjiang_transport_dept_2021.html", tmp_path / "run2" / "b.html", marker="（转载）",
                    replace={"2022-01-26": "2022-02-09", "2022年1月24日": "2022年2月8日"})  # published later
    r2 = score_batch([b], tmp_path / "out2", model=FixedTagger(), history=history, progress=False)
    (res,) = r2.results
    ded = _originality(res)
    assert ded and any(str(a.resolve()) in d["reason"] for d in ded), res["score"]["deductions"]
    (public,) = _jsonl(tmp_path / "out2" / "results.jsonl")  # history is compared, not re-reported
    assert {m["other"] for m in public["batch"]["similar"]} == {str(a.resolve())}


def test_identical_files_each_get_batch_findings(tmp_path):
    """Byte-identical copies under two paths share a digest; both must still get the cross-year check."""
    name = "s01_yunxi_county_gov_2023.txt"
    copy_sample(name, tmp_path / "in" / "a.txt")
    copy_sample(name, tmp_path / "in" / "b.txt")
    _previous_year(name, tmp_path / "in" / "prev.txt")
    res = score_batch([tmp_path / "in"], tmp_path / "out", model=FixedTagger(), progress=False)
    by = {Path(r["source"]).name: r for r in res.results}
    for me in ("a.txt", "b.txt"):
        ids = {c["id"]: c["status"] for c in by[me]["checks"]}
        assert ids.get("cross_year.carried_over.total") == "fail", (me, ids)


def test_batch_findings_never_reread_files(tmp_path, monkeypatch):
    """Batch findings are recorded (below threshold) or re-rated (above) from the stored result: every
    file is parsed exactly once."""
    from inference.pipeline import Pipeline

    name = "s15_linjiang_natural_resources_2023.txt"
    agency = EXPECTED[name]["agency"]
    copy_sample(name, tmp_path / "in" / "a.txt", replace={agency: "临江市林业局"})
    copy_sample(name, tmp_path / "in" / "b.txt", replace={agency: "临江市水利局", **{"2024-01-29": "2024-02-05", "2024年1月26日": "2024年2月2日"}})
    calls = []
    real = Pipeline.read
    monkeypatch.setattr(Pipeline, "read", lambda self, p: calls.append(p) or real(self, p))
    raw = json.loads((ROOT / "data" / "rubric.json").read_text(encoding="utf-8"))
    for p in raw["parts"]:
        if p["rule"]["type"] == "batch":
            p["rule"]["section5_threshold"] = p["rule"]["report_threshold"] = 1.01  # never costs
    lenient = tmp_path / "lenient.json"
    lenient.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    # workers=0: files are read in this process, where the calls are counted
    score_batch([tmp_path / "in"], tmp_path / "o1", model=FixedTagger(), rubric=lenient, progress=False, workers=0)
    assert len(calls) == 2
    public = _jsonl(tmp_path / "o1" / "results.jsonl")
    assert all(r["batch"]["similar"] for r in public) and not any(_originality(r) for r in public)
    calls.clear()
    res = score_batch([tmp_path / "in"], tmp_path / "o2", model=FixedTagger(), progress=False, workers=0)
    assert len(calls) == 2
    assert [bool(_originality(r)) for r in sorted(res.results, key=lambda r: r["source"])] == [False, True]  # b is later


def test_score_with_a_rules_folder_applies_its_local_deadline(tmp_path):
    """`nianbao score --rules DIR`: a copy of the shipped rules with a city's own deadline (1月28日 for its
    departments) makes s15 (a 临江市 department, published 2024-01-29, on time by the statute) one day late."""
    import shutil

    from inference import rules as rule_files

    name = "s15_linjiang_natural_resources_2023.txt"
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    for f in rule_files.DEFAULT_DIR.glob("*.json"):
        shutil.copy(f, rules_dir / f.name)
    table = json.loads((rules_dir / "deadlines.json").read_text(encoding="utf-8"))
    table["local"] = [{"name": "临江市年报发布时限（测试用）", "match": ["临江市"], "deadlines": {"department": [1, 28]}}]
    (rules_dir / "deadlines.json").write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLES_DIR / name, src / name)
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "inference.cli", "score", str(src), "--out", str(out), "--rules",
                          str(rules_dir), "--no-progress", "--workers", "0"], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    result = json.loads((out / "results.jsonl").read_text(encoding="utf-8").splitlines()[0])
    timeliness = next(c for c in result["checks"] if c["id"] == "timeliness")
    assert timeliness["status"] == "fail" and "逾期1天" in timeliness["message"], timeliness
    assert "临江市年报发布时限" in timeliness["message"]
    assert result["provenance"]["rules"] != rule_files.fingerprint()  # the results say which rules made them
