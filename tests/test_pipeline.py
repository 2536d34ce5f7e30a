"""The Pipeline (inference.load): components in order, batching, saving, provenance; the registries as
extension points; the Report round trip."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import inference
from inference.components import Component
from inference.pipeline import Pipeline, PipelineError
from inference.registry import checks, loaders
from inference.report import CheckResult, Evidence, Report
from tests.conftest import SAMPLE_NAMES, SAMPLES_DIR, FixedTagger

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
S01 = SAMPLES_DIR / "s01_yunxi_county_gov_2023.txt"


@pytest.fixture(scope="module")
def nlp() -> Pipeline:
    return inference.load(model=FixedTagger())


def test_pipe_names_and_call(nlp):
    assert nlp.pipe_names == ["clean", "metadata", "sections", "tables", "checks", "statements", "score"]
    report = nlp(S01)
    assert report.score is not None and report.statements and report.checks
    assert nlp(str(S01)).to_dict() == report.to_dict()
    text = nlp(S01.read_text(encoding="utf-8"))  # a text, not a path
    assert text.source == "<text>" and text.score.total == report.score.total


def test_pipe_batches_the_model_across_reports():
    calls = []

    class CountingTagger(FixedTagger):
        def predict(self, texts):
            calls.append(len(texts))
            return super().predict(texts)

    nlp = inference.load(model=CountingTagger())
    paths = [SAMPLES_DIR / n for n in SAMPLE_NAMES[:5]]
    reports = list(nlp.pipe(paths, batch_size=4))
    assert [Path(r.source).name for r in reports] == [p.name for p in paths]
    assert len(calls) == 2 and calls[0] > 4  # two model calls for five reports, several sections each
    single = [nlp(p) for p in paths]
    assert [r.score.total for r in reports] == [r.score.total for r in single]


def test_pipe_with_worker_processes(nlp):
    paths = [SAMPLES_DIR / n for n in SAMPLE_NAMES[:4]]
    assert [r.to_dict() for r in nlp.pipe(paths, n_process=2)] == [r.to_dict() for r in nlp.pipe(paths)]


def test_misordered_pipeline_fails_at_build_time():
    with pytest.raises(PipelineError, match="组件“checks”需要 tables.*应放在 tables 之后"):
        Pipeline(model=FixedTagger(), pipe_names=["clean", "metadata", "sections", "checks", "tables"])
    nlp = inference.load(model=FixedTagger())
    with pytest.raises(PipelineError, match="score"):
        nlp.remove_pipe("statements")
    with pytest.raises(PipelineError, match="需要"):
        nlp.add_pipe(Component("late", lambda r: r, requires=("score",)), before="score")
    assert "late" not in nlp.pipe_names


def test_add_get_remove_pipe():
    nlp = inference.load(model=FixedTagger())
    seen = []

    def count_sections(report: Report) -> Report:
        seen.append(len(report.sections))
        return report

    count_sections.requires = ("sections",)
    nlp.add_pipe(count_sections, after="sections")
    assert nlp.pipe_names.index("count_sections") == nlp.pipe_names.index("sections") + 1
    nlp(S01)
    assert seen == [6]
    assert nlp.get_pipe("count_sections").requires == ("sections",)
    nlp.remove_pipe("count_sections")
    assert "count_sections" not in nlp.pipe_names
    with pytest.raises(PipelineError):
        nlp.get_pipe("count_sections")


def test_to_disk_and_load(tmp_path, nlp):
    real = inference.load()  # shipped model reference
    real.to_disk(tmp_path / "nlp")
    config = json.loads((tmp_path / "nlp" / "pipeline.json").read_text(encoding="utf-8"))
    assert config["pipes"] == real.pipe_names and config["model"]["sha256"] and config["rules"]["sha256"]
    assert (tmp_path / "nlp" / "rubric.json").is_file() and (tmp_path / "nlp" / "rules" / "checks.json").is_file()
    again = inference.load(tmp_path / "nlp")
    assert again.pipe_names == real.pipe_names and again.model_dir == real.model_dir
    assert again.provenance() == real.provenance() | {"rubric": again.provenance()["rubric"]}


def test_every_result_records_provenance(nlp):
    prov = nlp(S01).provenance
    assert prov["nianbao"] and len(prov["rules"]) == 64 and prov["rubric"]["version"] == 1
    shipped = inference.load().provenance()["model"]
    assert shipped["id"] == "default" and len(shipped["sha256"]) == 64 and shipped["int8"] is False


def test_supported_file_types_come_from_the_loader_registry(tmp_path):
    from inference.batch import iter_files
    from inference.loaders import supported_extensions

    assert {".txt", ".html", ".htm", ".shtml", ".docx", ".pdf"} <= set(supported_extensions(in_folders=True))
    (tmp_path / "a.shtml").write_text("x", encoding="utf-8")
    (tmp_path / "b.xyz").write_text("x", encoding="utf-8")
    assert [p.name for p in iter_files([tmp_path])] == ["a.shtml"]

    @loaders.register(".xyz")
    def load_xyz(source: str, data: bytes) -> Report:
        return Report(source=source, text=data.decode("utf-8"), kind="xyz")

    try:
        assert [p.name for p in iter_files([tmp_path])] == ["a.shtml", "b.xyz"]
    finally:
        loaders.unregister(".xyz")


# -- a check registered from outside the package ----------------------------------------------------------
def check_contact_given(report: Report) -> CheckResult:
    contact = report.meta.contact
    if contact:
        return CheckResult("custom.contact", "pass", checks_message("contact_pass", contact=contact))
    return CheckResult("custom.contact", "fail", checks_message("contact_fail"), [Evidence(path="meta.contact")])


def checks_message(key: str, **kw) -> str:
    from inference.checks import message

    return message(key, **kw)


def test_custom_check_in_results_messages_and_rubric(tmp_path):
    from inference.scoring import Rubric

    checks.register("custom.contact", order=5, messages={"contact_pass": "已公布联系方式：{contact}。",
                                                         "contact_fail": "未公布政府信息公开工作机构的联系方式。"})(check_contact_given)
    try:
        raw = json.loads((SAMPLES_DIR.parents[0] / "rubric.json").read_text(encoding="utf-8"))
        part = next(p for p in raw["parts"] if p["key"] == "timeliness")
        part["rule"]["ids"].append("custom.contact")
        rubric_file = tmp_path / "rubric.json"
        rubric_file.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
        nlp = inference.load(model=FixedTagger(), rubric=rubric_file)
        report = nlp(S01)
        found = report.check("custom.contact")
        assert found is not None and report.checks[0] is found  # order=5: before every built-in check
        assert found.message.startswith("已公布联系方式") or found.message == "未公布政府信息公开工作机构的联系方式。"
        report.meta.contact = None
        report.checks = []
        nlp.get_pipe("checks")(report)
        nlp.get_pipe("score")(report)
        assert report.check("custom.contact").status == "fail"
        lost = [d for d in report.score.deductions if d.check_id == "custom.contact"]
        assert lost and lost[0].reason == "未公布政府信息公开工作机构的联系方式。" and lost[0].points == 8
        assert isinstance(Rubric.load(rubric_file), Rubric)
    finally:
        checks.unregister("custom.contact")
    assert "custom.contact" not in checks.names()


def test_category_role_comes_from_the_taxonomy():
    from inference import rules

    cats = rules.categories()
    assert cats["P01"].role == "problem" and cats["R01"].role == "remedy" and cats["P01"].remedies == ("R01",)
    assert set(rules.categories_of("problem")) | set(rules.categories_of("remedy")) == set(cats)


# -- Report round trip --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def scored() -> dict[str, Report]:
    nlp = inference.load(model=FixedTagger())
    return {p.name: nlp(p) for p in [SAMPLES_DIR / n for n in SAMPLE_NAMES] + SEED_FILES}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_report_round_trip_is_lossless(scored, data):
    name = data.draw(st.sampled_from(sorted(scored)))
    report = scored[name]
    through_json = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    again = Report.from_dict(through_json)
    assert again == report
    assert again.to_dict() == report.to_dict()


def test_round_trip_of_a_report_before_cleaning():
    report = Report(source="x", text="政府信息公开工作年度报告")
    assert Report.from_dict(report.to_dict()) == report


def test_rules_directory_is_chosen_once(tmp_path):
    import shutil

    from inference import rules
    from inference.errors import DataError

    same = tmp_path / "same"
    same.mkdir()
    for name in rules.RULE_FILES:
        shutil.copyfile(rules.directory() / f"{name}.json", same / f"{name}.json")
    assert inference.load(model=FixedTagger(), rules=same).rules_dir == rules.directory()  # same rules: fine
    other = tmp_path / "other"
    shutil.copytree(same, other)
    raw = json.loads((other / "checks.json").read_text(encoding="utf-8"))
    raw["timeliness"]["stale_days"] += 1
    (other / "checks.json").write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DataError, match="不能再切换"):
        inference.load(model=FixedTagger(), rules=other)


def test_custom_rubric_rule_type(tmp_path):
    from inference.registry import rubric_rules
    from inference.report import Deduction

    @rubric_rules.register("has_contact")
    def rule_has_contact(report, part, rubric, findings):
        return [] if report.meta.contact else [Deduction(part["key"], part["max"], "未公布联系方式")]

    try:
        raw = json.loads((SAMPLES_DIR.parents[0] / "rubric.json").read_text(encoding="utf-8"))
        part = next(p for p in raw["parts"] if p["key"] == "timeliness")
        part["rule"] = {"type": "has_contact"}
        (tmp_path / "rubric.json").write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
        report = inference.load(model=FixedTagger(), rubric=tmp_path / "rubric.json")(S01)
        assert report.score.parts["timeliness"]["score"] in (0, part["max"])
    finally:
        rubric_rules.unregister("has_contact")
