"""Tests for `nianbao inspect` (inference/inspect_cmd.py), run through the real pipeline."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from inference import inspect_cmd

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="seeds folder missing")


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser()
    inspect_cmd.add_arguments(p)
    return p.parse_args(argv)


def test_arguments():
    a = parse_args(["r.txt", "--json"])
    assert a.file == "r.txt" and a.json is True
    assert parse_args(["r.txt"]).json is False


def test_error_prints_reason_and_returns_2(tmp_path, capsys):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    rc = inspect_cmd.run(parse_args([str(p)]))
    err = capsys.readouterr().err
    assert rc == 2
    assert err.startswith(f"错误: {p}: ") and "空" in err


@needs_seeds
def test_summary_on_seed004(capsys):
    f = next(SEEDS.glob("004_*.txt"))
    assert inspect_cmd.run(parse_args([str(f)])) == 0
    out = capsys.readouterr().out
    assert "机关: 科尔沁左翼中旗敖包苏木人民政府" in out
    assert "年度: 2024" in out and "2025-02-25" in out and "2025-01-09" in out
    for title in ("一、总体情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"):
        assert title in out
    assert "检查:" in out and "表格:" in out


@needs_seeds
def test_failing_checks_listed_first(capsys):
    from inference.pipeline import read_report

    f = next(SEEDS.glob("000_*.txt"))
    report = read_report(f)
    text = inspect_cmd.summary(report)
    lines = [ln for ln in text.splitlines() if ln.startswith("  ") and "[" in ln and ln.strip()[:1] in "✗?–✓"]
    order = [inspect_cmd.STATUS_ORDER[next(s for s, sym in inspect_cmd.STATUS_SYMBOL.items() if sym == ln.strip()[0])] for ln in lines]
    assert order == sorted(order)
    assert len(lines) == len(report.checks)


@needs_seeds
def test_json_on_seed000(capsys):
    f = next(SEEDS.glob("000_*.txt"))
    assert inspect_cmd.run(parse_args([str(f), "--json"])) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["agency"] == "呼和浩特经济技术开发区"
    assert data["year"] == 2024 and data["format"] == "2021"
    assert [s["number"] for s in data["sections"]] == [1, 2, 3, 4, 5, 6]
    assert "checks" in data and "tables" in data
