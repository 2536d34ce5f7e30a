"""Would the model in every worker beat one parser process beside one model process? Upper bound, measured.

    python benchmarks/split_pipelines.py [--n 300] [--rounds 2]

The default local engine reads files in one parser process while the main process runs the model, then the
serial tail (batch findings, outputs). The alternative puts the whole pipeline in each of two processes: here
two independent `score_batch` runs on the two halves of the batch, each parsing in-process with one model
thread, started together. That is an upper bound for the design (each half's batch findings and outputs
cover half the batch; a real split would still need one tail over all of it). Alternated rounds on the same
batch (built as in batch_speed.py); prints wall seconds and reports/s of each.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def _score(paths, out, workers, threads, queue) -> None:
    from inference import pipeline
    from inference.batch import score_batch
    from inference.statements import native_bf16

    nlp = pipeline.load(bf16=native_bf16())
    nlp.model  # loaded before the clock starts, as in batch_speed.py
    t0 = time.perf_counter()
    result = score_batch(paths, out, workers=workers, nlp=nlp, progress=False, threads=threads)
    queue.put((time.perf_counter() - t0, result.scored))


def _timed(jobs: list[tuple]) -> tuple[float, int]:
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_score, args=(*job, queue)) for job in jobs]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    return max(r[0] for r in results), sum(r[1] for r in results)


def main() -> int:
    from batch_speed import build_batch

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="nianbao-split-"))
    try:
        paths = build_batch(args.n, work / "batch")
        for r in range(args.rounds):
            wall, n = _timed([(paths, work / f"one{r}", 1, None)])
            print(f"round {r + 1}: 1 parser process + model in the main process: {wall:.2f} s, {n / wall:.1f} reports/s", flush=True)
            wall, n = _timed([(paths[0::2], work / f"a{r}", 0, 1), (paths[1::2], work / f"b{r}", 0, 1)])
            print(f"round {r + 1}: 2 whole pipelines on halves (upper bound): {wall:.2f} s, {n / wall:.1f} reports/s", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
