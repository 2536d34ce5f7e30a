"""Cluster backend (issue 13, part 2): `--engine ray` against a local Ray head started by the test on
loopback (`ray start --head --block`, stopped by its own process id). Same run store and outputs,
identical results to the local engine on the samples, resumable. Skipped when Ray is not installed."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

ray = pytest.importorskip("ray")
pytest.importorskip("ray.data")

from tests.conftest import SAMPLES_DIR  # noqa: E402


@pytest.fixture(scope="module")
def ray_head(tmp_path_factory):
    from inference.ray_engine import start_local_head, stop_local_head

    try:
        head, address = start_local_head(2, tmp_path_factory.mktemp("ray"), wait_s=90)
    except RuntimeError as exc:
        pytest.skip(str(exc))
    yield address
    stop_local_head(head)


def _cli(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "inference.cli", "score", *args, "--no-progress"],
                          capture_output=True, text=True, timeout=900, env=dict(os.environ, RAY_USAGE_STATS_ENABLED="0"))


def _without_timing(line: str) -> dict:
    return json.loads(line)


def test_ray_engine_matches_local_engine(ray_head, tmp_path, tiny_model_dir):
    """Default precision (bf16 where the CPU has it): Ray scores the same runs of files per model batch as the
    local engine's chunks, so the results are identical, not just close."""
    samples = tmp_path / "in"
    shutil.copytree(SAMPLES_DIR, samples, ignore=shutil.ignore_patterns("*.py", "*.json"))
    local = _cli([str(samples), "--out", str(tmp_path / "local"), "--model", str(tiny_model_dir)])
    assert local.returncode == 0, local.stderr[-3000:]
    on_ray = _cli([str(samples), "--out", str(tmp_path / "ray"), "--model", str(tiny_model_dir),
                   "--engine", "ray", "--address", ray_head])
    assert on_ray.returncode == 0, on_ray.stderr[-3000:]
    a = (tmp_path / "local" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    b = (tmp_path / "ray" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(a) == len(b) == 17
    assert [json.loads(x) for x in a] == [json.loads(x) for x in b]
    for name in ("summary.csv", "index.html", "run.sqlite", "history.sqlite"):
        assert (tmp_path / "ray" / name).is_file()
    # resumable: a second run finds everything stored and scores nothing again
    again = _cli([str(samples), "--out", str(tmp_path / "ray"), "--model", str(tiny_model_dir),
                  "--engine", "ray", "--address", ray_head, "--resume"])
    assert again.returncode == 0 and "本次处理 0 个" in again.stdout, again.stdout + again.stderr[-2000:]
