"""The full stress run (issue 13, part 3): malformed and hostile inputs in one batch, runs killed at
random moments and resumed, concurrent runs on one --out. Prints the counts the issue asks for.

    python benchmarks/stress.py [--scale 20] [--valid 100] [--kills 6] [--workers 1] [--keep DIR]

Every run goes through the command line (`python -m inference.cli score`) with the shipped model and the
CI limits of tests/stress.py (FAST_LIMITS, written to a --limits file) so that the bombs stay small.
Printed: inputs by class; outcomes per class (expected / unexpected); batch crashes (a run that did not
end with exit 0); per-file errors; hangs (files stopped by the time limit); peak RSS of any run; results
lost or duplicated after kill -9 / SIGINT / SIGTERM and resumes; concurrent runs refused.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from inference.batch import source_key  # noqa: E402
from tests.stress import FAST_LIMITS, SAMPLES, make_stress  # noqa: E402


def cli(args: list[str], **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "inference.cli", "score", *args, "--no-progress"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def stored(out: Path) -> list[tuple[str, str]]:
    con = sqlite3.connect(f"file:{out / 'run.sqlite'}?mode=ro", uri=True, timeout=10)
    try:
        return list(con.execute("SELECT source, status FROM results"))
    finally:
        con.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=int, default=20, help="copies of each junk input (11 kinds)")
    ap.add_argument("--valid", type=int, default=100, help="valid reports for the kill/resume phase")
    ap.add_argument("--kills", type=int, default=6, help="kills (kill -9, SIGINT, SIGTERM in turn) before the final resume")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--keep", default=None, help="keep the inputs and outputs in this folder")
    args = ap.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="nianbao-stress-"))
    work.mkdir(parents=True, exist_ok=True)
    limits_file = work / "limits.json"
    limits_file.write_text(json.dumps(FAST_LIMITS), encoding="utf-8")
    common = ["--limits", str(limits_file), "--workers", str(args.workers)]

    # 1. every malformed class in one batch
    cases = make_stress(work / "stress", scale=args.scale)
    cli_paths = [str(p) for c in cases if c.on_command_line for p in c.paths]
    print(f"inputs: {sum(len(c.paths) for c in cases)} in {len(cases)} classes")
    for c in cases:
        print(f"  {c.name:26s} {len(c.paths):5d}")
    t0 = time.perf_counter()
    run = cli([str(work / "stress" / "in"), *cli_paths, "--out", str(work / "out-stress"), *common])
    try:
        _, err = run.communicate(timeout=3600)
    except subprocess.TimeoutExpired:
        run.kill()
        _, err = run.communicate()
    seconds = time.perf_counter() - t0
    crashes = int(run.returncode != 0)
    if crashes:
        print("batch crashed:", err[-2000:])
    results = {}
    for line in (work / "out-stress" / "results.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        results[r["source"]] = r
    con = sqlite3.connect(work / "out-stress" / "run.sqlite")
    errors = {s: c for s, c in con.execute("SELECT source, error_code FROM results WHERE status = 'error'")}
    con.close()
    unexpected = []
    per_class = []
    for c in cases:
        got = Counter()
        for p in c.paths:
            key = source_key(p, resolve=c.name != "dangling_link")
            outcome = ("note" if results[key].get("notes") else "ok") if key in results else errors.get(key)
            got[outcome] += 1
            if c.expect and outcome not in c.expect:
                unexpected.append((c.name, str(p), outcome))
        per_class.append((c.name, dict(got)))
    print(f"\nstress batch: {seconds:.1f} s, exit code {run.returncode}")
    for name, got in per_class:
        print(f"  {name:26s} {got}")
    hangs = sum(1 for code in errors.values() if code == "timeout")
    print(f"batch crashes: {crashes}   per-file errors: {len(errors)} ({dict(Counter(errors.values()))})   "
          f"hangs stopped by the time limit: {hangs}   unexpected outcomes: {len(unexpected)}")
    for u in unexpected[:20]:
        print("  unexpected:", u)

    # 2. valid files, killed at random moments and resumed
    rng = random.Random(13)
    valid = work / "valid"
    valid.mkdir(exist_ok=True)
    samples = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".txt", ".html", ".docx", ".pdf"))
    for i in range(args.valid):
        src = samples[i % len(samples)]
        data = src.read_bytes()
        if src.suffix == ".txt":  # distinct digests
            data += f"\n{i}\n".encode()
        (valid / f"{i:04d}_{src.name}").write_bytes(data)
    out = work / "out-kill"
    sigs = [signal.SIGKILL, signal.SIGINT, signal.SIGTERM]
    kills = 0
    for k in range(args.kills):
        proc = cli([str(valid), "--out", str(out), "--resume", *common])
        time.sleep(rng.uniform(2.0, 12.0))
        if proc.poll() is None:
            proc.send_signal(sigs[k % 3])
            kills += 1
        proc.communicate()
    final = cli([str(valid), "--out", str(out), "--resume", *common])
    final.communicate()
    rows = stored(out)
    lines = [json.loads(line)["source"] for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    expected = {source_key(p) for p in valid.iterdir()}
    lost = len(expected - {s for s, st in rows if st == "ok"})
    duplicated = len(lines) - len(set(lines))
    print(f"\nkill/resume: {args.valid} valid files, {kills} kills (SIGKILL/SIGINT/SIGTERM), final exit {final.returncode}")
    print(f"results lost: {lost}   duplicated: {duplicated}   results.jsonl lines: {len(lines)}   store rows: {len(rows)}")

    # 3. two runs on one --out at once
    a = cli([str(valid), "--out", str(work / "out-twice"), *common])
    time.sleep(0.5)
    b = cli([str(valid), "--out", str(work / "out-twice"), *common])
    _, err_b = b.communicate()
    _, err_a = a.communicate()
    codes = sorted((a.returncode, b.returncode))
    refused = codes == [0, 2] and "正被另一个评分任务使用" in (err_a + err_b)
    print(f"\nconcurrent runs on one --out: exit codes {a.returncode} and {b.returncode}"
          f" ({'one ran, the other was refused with a clear message' if refused else 'NOT refused'})")

    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\npeak RSS of any run or parser process: {peak:.0f} MB")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    bad = crashes + lost + duplicated + len(unexpected) + (0 if refused else 1)
    print("\nALL ZERO WHERE THEY MUST BE" if bad == 0 else f"\n{bad} PROBLEM(S)")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
