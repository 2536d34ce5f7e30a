"""Reliability under bad input (issue 13, part 3): the fast subset of the stress run. Every input class
gets its own outcome — a result, a result with a note, or a per-file error with a clear code — and the
batch goes on: no hang, no crash, nothing silently skipped. The full run is benchmarks/stress.py."""
from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from inference import limits
from inference.batch import RunLock, scan, score_batch, source_key
from inference.errors import NianbaoError, ReportError
from inference.registry import loaders
from tests.conftest import FixedTagger
from tests.stress import FAST_LIMITS, TXT, make_stress, odd_cell_report


@pytest.fixture(scope="module")
def stress_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("stress")
    cases = make_stress(root)
    cli = [p for c in cases if c.on_command_line for p in c.paths]
    with limits.override(**FAST_LIMITS):
        result = score_batch([root / "in", *cli], root / "out", model=FixedTagger(), progress=False)
    return cases, result, root


def test_every_input_class_gets_its_outcome(stress_run):
    cases, result, _ = stress_run
    ok = {r["source"]: r for r in result.results}
    errors = {e["source"]: e for e in result.errors}
    for case in cases:
        for path in case.paths:
            key = source_key(path, resolve=case.name != "dangling_link")
            if key in ok:
                got = "note" if ok[key].get("notes") else "ok"
            elif key in errors:
                got = errors[key]["code"]
                assert errors[key]["error"], key
            else:
                got = None
            if not case.expect:  # a folder named like a file: searched, nothing to report
                assert got is None, (case.name, got)
                continue
            assert got in case.expect, (case.name, str(path), got, errors.get(key))
    assert not any(e["code"] == "internal" for e in result.errors)


def test_notes_say_what_was_cut(stress_run):
    _, result, root = stress_run
    notes = {Path(r["source"]).name: r.get("notes", []) for r in result.results}
    assert any("只读取了前 2 页" in n for n in notes["over_pages.pdf"])
    assert any("第五部分过长" in n for n in notes["long_five.txt"])
    assert any("不是有效的 UTF-8" in n for n in notes["bad_last_byte.txt"])
    errors = {Path(e["source"]).name: e for e in result.errors}
    assert "压缩炸弹" in errors["zip.docx"]["error"] and "压缩炸弹" in errors["flate.pdf"]["error"]
    assert "命名管道" in errors["pipe.txt"]["error"] and errors["zero"]["code"] == "not_file"
    assert errors["dangling.txt"]["code"] == "dangling_link"  # reported under the link's own name


def test_outputs_hold_odd_names_and_stay_valid(stress_run):
    _, result, root = stress_run
    out = root / "out"
    lines = (out / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(result.results)
    sources = [json.loads(line)["source"] for line in lines]
    assert any("\\xff" in s for s in sources)  # the non-UTF-8 name, written reversibly
    assert len(sources) == len(set(sources))
    assert not list(out.glob(".*.tmp")) and not list((out / "reports").glob(".*.tmp"))


def test_resume_after_stress_does_nothing_twice(stress_run):
    cases, first, root = stress_run
    cli = [p for c in cases if c.on_command_line for p in c.paths]
    with limits.override(**FAST_LIMITS):
        again = score_batch([root / "in", *cli], root / "out", model=FixedTagger(), progress=False, resume=True)
    assert again.processed == 0
    assert len(again.results) == len(first.results) and len(again.errors) == len(first.errors)


# -- limits enforced by the parent: time, memory, a dying parser -------------------------------------------
@pytest.fixture
def hostile_loaders():
    def hang(src, data):
        while True:
            time.sleep(0.05)

    def grow(src, data):
        hog = []
        while True:
            hog.append(bytearray(32 << 20))
            time.sleep(0.01)

    def die(src, data):
        os._exit(3)

    for ext, fn in ((".hang", hang), (".grow", grow), (".die", die)):
        loaders.register(ext)(fn)
    yield
    for ext in (".hang", ".grow", ".die"):
        loaders.unregister(ext)


def test_hang_memory_and_crash_are_per_file_errors(tmp_path, hostile_loaders):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.hang", "b.grow", "c.die"):
        (folder / name).write_bytes(b"x" * 100)
    (folder / "d.txt").write_bytes(TXT.read_bytes())
    with limits.override(max_seconds=2, max_worker_rss_mb=256):
        res = score_batch([folder], tmp_path / "out", model=FixedTagger(), progress=False)
    codes = {Path(e["source"]).name: e["code"] for e in res.errors}
    assert codes == {"a.hang": "timeout", "b.grow": "memory", "c.die": "crashed"}
    assert [Path(r["source"]).name for r in res.results] == ["d.txt"]
    reasons = {Path(e["source"]).name: e["error"] for e in res.errors}
    assert "超时" in reasons["a.hang"] and "内存" in reasons["b.grow"] and "退出码 3" in reasons["c.die"]


# -- scanning reports what it skips ---------------------------------------------------------------------------
def test_unlistable_folder_is_reported(tmp_path, monkeypatch):
    (tmp_path / "in" / "locked").mkdir(parents=True)
    (tmp_path / "in" / "a.txt").write_bytes(TXT.read_bytes())
    real = os.scandir

    def scandir(path="."):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    files, skipped = scan([tmp_path / "in"])
    assert [f.name for f in files] == ["a.txt"]
    assert [(Path(s.source).name, s.code) for s in skipped] == [("locked", "unlistable")]
    assert "无法列出文件夹内容" in skipped[0].reason


# -- bad --out, concurrent runs, tampered models ----------------------------------------------------------------
def test_bad_out_is_a_clear_error(tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(NianbaoError, match="不是文件夹"):
        score_batch([TXT], a_file, model=FixedTagger(), progress=False)
    with pytest.raises(NianbaoError, match="无法在"):
        score_batch([TXT], a_file / "sub", model=FixedTagger(), progress=False)


def test_second_run_on_the_same_out_is_refused(tmp_path):
    out = tmp_path / "out"
    with RunLock(out):
        with pytest.raises(NianbaoError, match="正被另一个评分任务使用"):
            score_batch([TXT], out, model=FixedTagger(), progress=False)
    res = score_batch([TXT], out, model=FixedTagger(), progress=False)  # free again once the first ends
    assert len(res.results) == 1


def test_cli_gives_clear_errors_for_bad_out_and_model(tmp_path, capsys):
    from inference.cli import main

    a_file = tmp_path / "file"
    a_file.write_text("x")
    assert main(["score", str(TXT), "--out", str(a_file), "--no-progress"]) == 2
    assert "不是文件夹" in capsys.readouterr().err
    broken = tmp_path / "model"
    shutil_copy_model(broken)
    (broken / "model.safetensors").write_bytes(b"\x00" * 64)
    assert main(["score", str(TXT), "--out", str(tmp_path / "o"), "--model", str(broken), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "模型文件无法加载" in err and "Traceback" not in err
    (broken / "config.json").unlink()
    assert main(["score", str(TXT), "--out", str(tmp_path / "o2"), "--model", str(broken), "--no-progress"]) == 2
    assert "缺少 config.json" in capsys.readouterr().err


def shutil_copy_model(target: Path) -> None:
    import shutil

    from inference.statements import DEFAULT_MODEL_DIR

    shutil.copytree(DEFAULT_MODEL_DIR, target)


# -- small things that changed results --------------------------------------------------------------------------
def test_one_odd_cell_does_not_blank_its_row():
    from inference.pipeline import reader
    from inference.report import Report

    for odd in ("1e30", "0x10"):
        report = reader().read(Report(source="x", text=odd_cell_report(odd)))
        row = report.tables["t3"].rows["new_received"]
        assert row["commercial"].state == "invalid" and row["commercial"].value is None, odd
        assert row["natural_person"].value == 38 and row["total"].value == 46, odd


def test_one_bad_byte_does_not_reject_a_utf8_file(tmp_path):
    from inference.loaders import load

    for data in (TXT.read_bytes() + b"\xff", TXT.read_bytes()[:-1] + b"\xe4\xb8"):
        p = tmp_path / "r.txt"
        p.write_bytes(data)
        report = load(p)
        assert report.encoding == "utf-8" and report.notes and "\ufffd" in report.text
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(TXT.read_text(encoding="utf-8").encode("gbk"))
    assert load(gbk).encoding == "gbk" and not load(gbk).notes


def test_near_duplicate_ties_are_named_in_a_fixed_order():
    from inference.findings import minhash, similar_pairs

    sig = minhash(TXT.read_text(encoding="utf-8"))
    entries = [{"digest": d, "source": f"/x/{d}.txt", "s5": sig, "whole": sig} for d in ("c", "a", "b", "d")]
    first = similar_pairs(entries, {"a"})["a"]
    assert [m["other"] for m in first] == ["/x/b.txt", "/x/c.txt", "/x/d.txt"] * 2
    assert [m["scope"] for m in first] == ["report"] * 3 + ["section5"] * 3


def test_inspect_refuses_a_fifo_and_a_device(tmp_path, capsys):
    from inference.cli import main

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert main(["inspect", str(fifo)]) == 2
    assert "命名管道" in capsys.readouterr().err
    assert main(["inspect", "/dev/zero"]) == 2
    assert "设备" in capsys.readouterr().err
