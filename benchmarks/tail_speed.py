"""The serial tail of a batch run after phase 1: batch findings (phase 2) and the outputs (phase 3), which run
as one streamed pass over the run store, timed on a finished run folder.

    python benchmarks/tail_speed.py OUT [--rounds 2]

OUT is a `nianbao score --out` folder (run.sqlite, history.sqlite), e.g. one that benchmarks/scale.py --keep
left. Its stores are copied to a temporary folder each round (phase 2 updates the store), then
`iter_batch_findings` feeds `write_outputs`; prints seconds and ms per report for each round, and how much of
it was the batch findings.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", help="a finished nianbao score --out folder")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()

    import datasketch  # noqa: F401 - a one-off import (scipy), not per report

    from inference import pipeline
    from inference.batch import iter_batch_findings
    from inference.outputs import write_outputs
    from inference.store import HistoryStore, RunStore

    nlp = pipeline.load()
    src = Path(args.out)
    for r in range(args.rounds):
        work = Path(tempfile.mkdtemp(prefix="nianbao-tail-"))
        try:
            for name in ("run.sqlite", "history.sqlite"):
                shutil.copyfile(src / name, work / name)
            store, hist = RunStore(work / "run.sqlite"), HistoryStore(work / "history.sqlite")
            n = store.count() - len(store.errors())
            seconds: dict[str, float] = {}
            t0 = time.perf_counter()
            write_outputs(work, iter_batch_findings(nlp, store, hist, seconds), store.errors(), store.text)
            t = time.perf_counter() - t0
            store.close()
            hist.close()
            print(f"round {r + 1}: {n} reports, phase 2 + outputs {t:.2f} s = {1000 * t / max(n, 1):.1f} ms per report "
                  f"(batch findings {seconds['batch_findings']:.2f} s)", flush=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
