"""Label Studio / doccano exports -> project format."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from training import corpus as C
from training import data_cli, importers

TEXT = "主要问题：一是栏目更新不及时；二是解读形式单一。改进情况：已于5月开设图解专栏。"


def span(needle: str) -> tuple[int, int]:
    s = TEXT.index(needle)
    return s, s + len(needle)


def ls_region(rid, needle, labels):
    s, e = span(needle)
    return {"id": rid, "type": "labels", "from_name": "label", "to_name": "text",
            "value": {"start": s, "end": e, "text": needle, "labels": labels}}


def ls_choice(rid, name, needle, choices):
    s, e = span(needle)
    return {"id": rid, "type": "choices", "from_name": name, "to_name": "text",
            "value": {"start": s, "end": e, "choices": choices}}


def ls_export(tmp_path: Path, tasks) -> Path:
    p = tmp_path / "ls.json"
    p.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    return p


def good_task(task_id=1, **data):
    d = {"text": TEXT, "pid": f"ls-{task_id:04d}", "year": 2023, "level": "县", "section": 5, "style": "enumeration"}
    d.update(data)
    return {"id": task_id, "data": d, "annotations": [
        {"was_cancelled": True, "result": [ls_region("zz", "主要问题", ["other"])]},
        {"was_cancelled": False, "result": [
            ls_region("r1", "栏目更新不及时", ["problem:P03", "problem:P07"]),
            ls_region("r2", "解读形式单一", ["problem:P04"]),
            ls_region("r3", "已于5月开设图解专栏", ["remedy:R08"]),
            ls_choice("r3", "specific", "已于5月开设图解专栏", ["specific"]),
            ls_choice("r3", "status", "已于5月开设图解专栏", ["status:done"]),
        ]},
        {"was_cancelled": False, "result": [
            ls_region("q1", "栏目更新不及时", ["problem:P03"]),
            ls_region("q3", "已于5月开设图解专栏", ["remedy:R08", "remedy:R07"]),
            ls_choice("q3", "status", "已于5月开设图解专栏", ["planned"]),
        ]},
    ]}


def test_labelstudio_import(tmp_path):
    recs, issues = importers.import_labelstudio(ls_export(tmp_path, [good_task()]))
    assert issues == []
    (r,) = recs
    assert r["id"] == "ls-0001" and r["text"] == TEXT and r["section"] == 5 and r["origin"] == "authored"
    got = [(TEXT[s["start"]:s["end"]], s["role"], s["categories"], s["specific"], s["status"]) for s in r["statements"]]
    assert got == [
        ("栏目更新不及时", "problem", ["P03", "P07"], False, None),
        ("解读形式单一", "problem", ["P04"], False, None),
        ("已于5月开设图解专栏", "remedy", ["R08"], True, "done"),
    ]
    assert C.validate_record(r, "x", 1) == []


def test_labelstudio_second_annotator_and_defaults(tmp_path):
    task = good_task()
    for k in ("year", "level", "style"):
        task["data"].pop(k)
    recs, issues = importers.import_labelstudio(ls_export(tmp_path, [task]), annotation_index=1,
                                                defaults={"year": 2022, "level": "市", "style": "mixed"})
    assert issues == []
    r = recs[0]
    assert (r["year"], r["level"], r["style"]) == (2022, "市", "mixed")
    assert [(s["categories"], s["status"]) for s in r["statements"]] == [(["P03"], None), (["R07", "R08"], "planned")]


def test_labelstudio_problems_are_reported_not_fixed(tmp_path):
    t1 = good_task(1)
    res = t1["annotations"][1]["result"]
    res.append(ls_region("r4", "改进情况", ["problem:P02", "remedy:R05"]))  # two roles
    res.append(ls_region("r5", "主要问题", ["complaint"]))  # unknown label
    res.append(ls_choice("r9", "specific", "主要问题", ["specific"]))  # choice without a region
    t2 = {"id": 2, "data": {"text": TEXT}, "annotations": []}
    t3 = {"id": 3, "annotations": []}
    recs, issues = importers.import_labelstudio(ls_export(tmp_path, [t1, t2, t3]))
    codes = {(i.line, i.code) for i in issues}
    assert {(1, "role_conflict"), (1, "unknown_label"), (1, "choice_without_region"), (2, "no_annotation"),
            (3, "missing_field")} <= codes
    # a remedy exported without status and with a trailing space: the validator reports both
    t4 = good_task(4)
    t4["annotations"][1]["result"] = [ls_region("r1", "已于5月开设图解专栏。", ["remedy:R08"])]
    recs, issues = importers.import_labelstudio(ls_export(tmp_path, [t4]))
    assert issues == []
    vcodes = {i.code for i in C.validate_record(recs[0], "x", 1)}
    assert {"remedy_without_status", "span_punctuation"} <= vcodes


def test_doccano_label_and_entities_formats(tmp_path):
    s1, e1 = span("栏目更新不及时")
    s3, e3 = span("已于5月开设图解专栏")
    lines = [
        {"id": 7, "text": TEXT, "label": [[s1, e1, "problem:P03"], [s3, e3, "remedy:R08"], [s1, e1, "problem:P07"],
                                          [s3, e3, "specific"], [s3, e3, "status:done"]],
         "year": 2023, "level": "县", "section": 5, "style": "enumeration"},
        {"id": 8, "text": TEXT, "entities": [
            {"id": 1, "label": "remedy:R08|specific|status:planned", "start_offset": s3, "end_offset": e3}],
         "meta": {"pid": "dc-x", "year": 2024, "level": "市", "section": 5, "style": "short"}},
    ]
    p = tmp_path / "d.jsonl"
    p.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    recs, issues = importers.import_doccano(p, id_prefix="dc-")
    assert issues == []
    a, b = recs
    assert a["id"] == "dc-7" and b["id"] == "dc-x" and b["year"] == 2024
    assert [(s["start"], s["categories"], s["specific"], s["status"]) for s in a["statements"]] == [
        (s1, ["P03", "P07"], False, None), (s3, ["R08"], True, "done")]
    assert [(s["categories"], s["specific"], s["status"]) for s in b["statements"]] == [(["R08"], True, "planned")]
    for i, r in enumerate(recs, 1):
        assert C.validate_record(r, "x", i) == []


def test_cli_import_writes_only_clean_output(tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    assert data_cli.main(["import", "labelstudio", str(ls_export(tmp_path, [good_task()])), "--out", str(out)]) == 0
    assert C.validate_paths([out])[0] == []
    task = good_task()
    task["data"].pop("section")
    out2 = tmp_path / "out2.jsonl"
    rc = data_cli.main(["import", "labelstudio", str(ls_export(tmp_path, [task])), "--out", str(out2)])
    assert rc == 1 and not out2.exists()
    assert "section: [missing_field]" in capsys.readouterr().out


def test_labelstudio_config_covers_taxonomy():
    root = ET.parse(C.DATA_DIR / "labelstudio_config.xml").getroot()
    values = [el.get("value") for el in root.iter("Label")]
    tax = C.load_taxonomy()
    assert set(values) == {f"problem:{k}" for k in tax.problems} | {f"remedy:{k}" for k in tax.remedies} | {"other"}
    for v in values:
        labels, issues = importers.parse_labels([v], "x", "x", 1)
        assert issues == [] and labels["role"] in tax.roles
    choices = {el.get("value") for el in root.iter("Choice")}
    assert choices == {"specific", "status:done", "status:planned"}
    assert not any(el.get("alias") for el in root.iter())  # an alias would replace the value in exports
