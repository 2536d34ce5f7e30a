"""Ray engine vs the local engine on the same batch: reports/s and reports/s per CPU, identical results.

    python benchmarks/ray_speed.py [--n 200] [--num-cpus 2] [--rounds 1] [--keep DIR]

The batch is benchmarks/scale.py's (N distinct reports varied from the authored samples). A Ray head is
started on loopback (`ray start --head --block --node-ip-address=127.0.0.1 --num-cpus=C`, as
tests/test_ray.py does) and stopped by its own process group at the end. Each round runs, one after the
other, `nianbao score BATCH --out OUT` with the local engine (default settings: one parser process beside
the model) and with `--engine ray --address 127.0.0.1:PORT` (one actor per Ray CPU, each with its own
parser process), as child processes. Printed per engine: wall seconds (Ray: with its actors starting and
loading the model), reports/s, reports/s per CPU (local: the machine's CPUs; Ray: --num-cpus), CPU-ms per
report (local: the CLI and its parser processes; Ray: the CLI plus what the Ray head's processes used
meanwhile, sampled from /proc every 0.2 s), peak RSS of the process trees, and whether results.jsonl is
identical between the two.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.scale import build, run_cli  # noqa: E402
from inference.ray_engine import start_local_head, stop_local_head as stop_head  # noqa: E402


def start_head(num_cpus: int, temp: Path):
    try:
        return start_local_head(num_cpus, temp)
    except RuntimeError as exc:
        raise SystemExit(str(exc))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--num-cpus", type=int, default=os.cpu_count() or 2, help="CPUs of the Ray head (default: this machine's)")
    ap.add_argument("--rounds", type=int, default=1, help="local and Ray runs, alternated")
    ap.add_argument("--keep", default=None)
    ap.add_argument("--extra", default="", help="more arguments for both runs, e.g. '--precision fp32'")
    args = ap.parse_args()
    try:
        import ray  # noqa: F401
        import ray.data  # noqa: F401
    except ImportError:
        print("Ray is not installed (pip install \"nianbao[ray]\"): nothing measured")
        return 1
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="nianbao-ray-"))
    batch = work / "batch"
    if not batch.exists() or sum(1 for _ in batch.iterdir()) != args.n:
        shutil.rmtree(batch, ignore_errors=True)
        build(args.n, batch)
    machine_cpus = os.cpu_count() or 1
    t0 = time.perf_counter()
    head, address = start_head(args.num_cpus, Path(tempfile.mkdtemp(prefix="ray", dir="/tmp")))
    print(f"Ray head on {address} with {args.num_cpus} CPUs, up in {time.perf_counter() - t0:.1f} s", flush=True)
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0")
    rows = {"local": [], "ray": []}
    try:
        for r in range(args.rounds):
            for engine in ("local", "ray"):
                out = work / f"out-{engine}"
                extra = args.extra.split() + (["--engine", "ray", "--address", address] if engine == "ray" else [])
                load = os.getloadavg()[0]
                m = run_cli(batch, out, 1, extra, env=env, roots=(head.pid,) if engine == "ray" else ())
                cpus = args.num_cpus if engine == "ray" else machine_cpus
                cpu = m["cpu"] + (m["sampled_cpu"] if engine == "ray" else 0.0)
                row = {"engine": engine, "round": r + 1, "wall_s": round(m["wall"], 1), "reports_per_s": round(args.n / m["wall"], 2),
                       "cpus": cpus, "reports_per_s_per_cpu": round(args.n / m["wall"] / cpus, 2),
                       "cpu_ms_per_report": round(1000 * cpu / args.n, 1), "peak_rss_tree_mb": round(m["peak_tree_mb"]),
                       "load_avg_before": round(load, 1)}
                rows[engine].append(row)
                print(json.dumps(row, ensure_ascii=False), flush=True)
            a = [json.loads(l) for l in (work / "out-local" / "results.jsonl").read_text(encoding="utf-8").splitlines()]
            b = [json.loads(l) for l in (work / "out-ray" / "results.jsonl").read_text(encoding="utf-8").splitlines()]
            same = len(a) == len(b) == args.n and a == b
            diff = sum(1 for x, y in zip(a, b) if x != y) + abs(len(a) - len(b))
            fields = sorted({k for x, y in zip(a, b) for k in x if x[k] != y.get(k)})
            print(f"round {r + 1}: results.jsonl local vs ray: {'identical' if same else f'DIFFERENT ({diff} of {args.n} results; fields {fields})'}"
                  f" ({len(a)} / {len(b)} results)", flush=True)
    finally:
        stop_head(head)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\n| engine (N = {args.n}{', ' + args.extra if args.extra else ''}) | CPUs | wall s | reports/s | reports/s per CPU | CPU-ms / report | peak RSS |")
    print("|---|---|---|---|---|---|---|")
    for engine, rs in rows.items():
        for x in rs:
            print(f"| {engine} (round {x['round']}) | {x['cpus']} | {x['wall_s']} | {x['reports_per_s']} | "
                  f"{x['reports_per_s_per_cpu']} | {x['cpu_ms_per_report']} | {x['peak_rss_tree_mb']} MB |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
