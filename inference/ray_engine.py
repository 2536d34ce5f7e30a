"""Cluster backend: phase 1 of a batch run (read, statement model, score) on Ray Data.

    nianbao score PATH... --out DIR --engine ray [--address ADDR]

The driver (this process) scans the inputs, skips what the run store already holds (--resume), and writes
every result into the same run store and history store as the local engine, as the results stream back;
phases 2 and 3 (batch findings, outputs) are the local engine's. Ray Data runs `map_batches` over the file
list with `RayScorer`, an actor class: each actor builds the pipeline once (model, rubric, rules) and scores
batches of files with it. Input paths must be readable on every node (a shared file system); only paths
and results travel. Ray is an optional extra: `pip install "nianbao[ray]"`.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from inference.errors import NianbaoError, ReportError
from inference.workers import CHUNK, ParserPool, read_one, release_memory, source_key



def pipeline_spec(nlp) -> dict[str, Any]:
    """What an actor needs to build the same pipeline: model folder, rubric, rules, precision, components."""
    if nlp.model_dir is None:
        raise NianbaoError("Ray 引擎需要模型文件夹（--model），不能使用内存中的模型对象")
    from inference import limits

    return {"model": str(nlp.model_dir), "rubric": nlp.rubric.source, "rules": str(nlp.rules_dir),
            "int8": nlp.int8, "bf16": nlp.bf16, "pipes": nlp.pipe_names,
            "limits": {k: limits.get(k) for k in limits.limits() if k not in ("messages", "_comment")}}


class RayScorer:
    """Ray Data actor: the pipeline is loaded once in `__init__`; `__call__` scores one batch of files."""

    def __init__(self, spec: dict[str, Any]):
        from inference import limits
        from inference.pipeline import Pipeline

        limits._overrides.update(spec["limits"])
        self.nlp = Pipeline(model=spec["model"], rubric=spec["rubric"], rules_dir=spec["rules"], int8=spec["int8"],
                            pipe_names=spec["pipes"], bf16=spec["bf16"])
        self.pool = None  # parser process of this actor, started on the first batch (per-file limits as locally)
        if self.nlp.has_pipe("statements"):
            self.nlp.model  # noqa: B018 - load once per actor

    def __call__(self, batch: dict) -> dict:
        import numpy as np

        from inference import pipeline

        pipeline._WORKER = self.nlp
        if self.pool is None:
            self.pool = ParserPool(read_one, processes=1, window=CHUNK)
        rows: list[dict[str, Any]] = []
        reports = []
        paths = [Path(p) for chunk in batch["paths"] for p in json.loads(str(chunk))]
        for outcome in self.pool.imap(paths):
            path = outcome.path
            if isinstance(outcome.result, ReportError):
                rows.append({"path": str(path), "digest": outcome.digest, "status": "error", "code": outcome.result.code,
                             "reason": outcome.result.reason, "result": "", "seconds": outcome.seconds,
                             "s5": "", "whole": ""})
            else:
                rows.append({"path": str(path), "digest": outcome.digest, "status": "ok", "code": "", "reason": "",
                             "result": "", "seconds": outcome.seconds, **_signature_text(outcome.signatures)})
                reports.append((len(rows) - 1, outcome.result))
        t0 = time.perf_counter()
        if reports:
            done = self.nlp.finish([r for _, r in reports])
            for (i, _), report in zip(reports, done):
                rows[i]["result"] = json.dumps(report.to_dict(), ensure_ascii=False)
        model_seconds = time.perf_counter() - t0
        release_memory()  # as the local engine does after each chunk: the actor's heap stays flat
        out = {k: np.array([r[k] for r in rows], dtype=object) for k in rows[0]} if rows else {}
        if rows:
            out["model_seconds"] = np.array([model_seconds / len(rows)] * len(rows), dtype=object)
        return out


def _signature_text(signatures) -> dict[str, str]:
    """MinHash signatures as hex text for a Ray row (a numpy batch turns a tuple of arrays into a 3-D array and
    strips the trailing zero bytes of bytes values); "" where there is none (no section 五, too little text)."""
    from inference.store import signature_bytes

    return {key: "" if sig is None else signature_bytes(sig).hex() for key, sig in zip(("s5", "whole"), signatures)}


def _signatures(row) -> tuple:
    from inference.store import signature_array

    return tuple(signature_array(bytes.fromhex(str(row[key]))) if row[key] else None for key in ("s5", "whole"))


def connect(address: str | None) -> None:
    try:
        import ray
    except ImportError as exc:
        raise NianbaoError("Ray 引擎需要安装 Ray：pip install \"nianbao[ray]\"（或 pip install \"ray[data]\"）") from exc
    if ray.is_initialized():
        return
    try:
        ray.init(address=address, log_to_driver=False, include_dashboard=False, configure_logging=False) if address \
            else ray.init(log_to_driver=False, include_dashboard=False, configure_logging=False)
    except Exception as exc:  # noqa: BLE001 - unreachable address, version mismatch ...
        raise NianbaoError(f"无法连接 Ray 集群（{address or '本机'}）：{type(exc).__name__}: {exc}") from exc


def score_files(todo: list[Path], nlp, address: str | None, actors: int | None, on_result) -> None:
    """Score `todo` on Ray; `on_result(path, digest, Report | ReportError, seconds, model_seconds[, signatures])`
    is called in the driver for every file as results stream back (the caller stores them; the actors made
    the MinHash signatures, so the driver, the one serial step, does not)."""
    import ray
    import ray.data

    from inference.report import Report

    connect(address)
    spec = pipeline_spec(nlp)
    if actors is None:
        actors = max(1, int(ray.cluster_resources().get("CPU", 1)))
    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True
    ctx.enable_progress_bars = False
    # One row per run of CHUNK consecutive files, scored as one model batch: the same groups of reports as the
    # local engine's chunks (when every file parses), so results agree in bf16 too, where a statement's numbers
    # depend on which reports share a forward pass (row-count batching let Ray regroup them: 46 of 300 differed).
    items = [{"paths": json.dumps([str(p) for p in todo[i : i + CHUNK]], ensure_ascii=False)}
             for i in range(0, len(todo), CHUNK)]
    ds = ray.data.from_items(items, override_num_blocks=max(1, len(items)))
    scored = ds.map_batches(RayScorer, fn_constructor_kwargs={"spec": spec}, batch_size=1, batch_format="numpy",
                            concurrency=(1, actors), num_cpus=1)
    by_path = {str(p): p for p in todo}
    for row in scored.iter_rows():
        path = by_path.get(row["path"], Path(row["path"]))
        if row["status"] == "ok":
            report = Report.from_dict(json.loads(row["result"]))
            report.source = source_key(path)
            on_result(path, row["digest"], report, float(row["seconds"]), float(row["model_seconds"]),
                      _signatures(row))
        else:
            on_result(path, row["digest"], ReportError(source_key(path), row["code"], row["reason"]),
                      float(row["seconds"]), 0.0)


# -- a one-machine Ray head on loopback (tests, benchmarks/ray_speed.py, trying --engine ray locally) ----------
def start_local_head(num_cpus: int, temp_dir: Path, wait_s: float = 120.0):
    """`ray start --head --block` on 127.0.0.1 with `num_cpus`; returns (process, address) once a client can
    connect. Raises RuntimeError when the ray command is missing or the head does not come up."""
    import os
    import signal
    import socket
    import subprocess
    import sys

    ray_bin = Path(sys.executable).with_name("ray")
    if not ray_bin.exists():
        raise RuntimeError('the ray command is not installed: pip install "nianbao[ray]"')
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0")
    head = subprocess.Popen([str(ray_bin), "start", "--head", "--block", "--node-ip-address=127.0.0.1", f"--port={port}",
                             f"--num-cpus={num_cpus}", "--include-dashboard=false", "--disable-usage-stats",
                             f"--temp-dir={temp_dir}"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    address = f"127.0.0.1:{port}"
    deadline = time.time() + wait_s
    while time.time() < deadline:
        probe = subprocess.run([sys.executable, "-c", f"import ray; ray.init(address='{address}'); print('up')"],
                               capture_output=True, text=True, env=env, timeout=90)
        if "up" in probe.stdout:
            return head, address
        if head.poll() is not None:
            raise RuntimeError("ray start --head exited")
        time.sleep(2)
    os.killpg(head.pid, signal.SIGTERM)
    raise RuntimeError("the local Ray head did not come up")


def stop_local_head(head) -> None:
    import os
    import signal
    import subprocess

    os.killpg(head.pid, signal.SIGTERM)  # ray start --block stops what it started
    try:
        head.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(head.pid, signal.SIGKILL)
