"""Load test of `nianbao serve`: concurrent clients posting the samples to /api/v1/score, then one large
batch posted as a zip to /api/v1/batches and followed until done.

    python benchmarks/service_load.py [--clients 4] [--requests 100] [--batch 1000] [--workers 1] [--int8]

The server runs as a subprocess (`nianbao serve` on a free loopback port, a temporary store, the shipped
model); its resident memory is sampled every second from /proc. Prints reports/s, p50/p95 latency, errors
(must be 0) and memory over time (should stay flat once the model is loaded).
"""
from __future__ import annotations

import argparse
import io
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
SAMPLES = ROOT / "data" / "samples"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Sampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.samples, self.stop = pid, [], threading.Event()
        self.t0 = time.monotonic()

    def run(self) -> None:
        while not self.stop.is_set():
            self.samples.append((round(time.monotonic() - self.t0, 1), round(rss_mb(self.pid), 1)))
            self.stop.wait(1.0)


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    v = sorted(values)
    return v[min(len(v) - 1, int(q * len(v)))]


def main() -> int:
    import httpx

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--requests", type=int, default=100, help="requests to /score in all")
    ap.add_argument("--batch", type=int, default=1000, help="reports in the batch (0: skip)")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--int8", action="store_true")
    args = ap.parse_args()

    expected = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))["samples"]
    samples = [(n, (SAMPLES / n).read_bytes()) for n in sorted(expected)]
    store = Path(tempfile.mkdtemp(prefix="nianbao-load-"))
    port = free_port()
    cmd = [sys.executable, "-m", "inference.cli", "serve", "--port", str(port), "--store", str(store),
           "--workers", str(args.workers), "--max-files", str(max(500, args.batch))] + (["--int8"] if args.int8 else [])
    server = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    sampler = Sampler(server.pid)
    sampler.start()
    try:
        t0 = time.monotonic()
        while True:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() - t0 > 300:
                print(server.stderr.read().decode(errors="replace")[-2000:], file=sys.stderr)
                return 1
            time.sleep(0.5)
        print(f"server ready in {time.monotonic() - t0:.1f} s, RSS {rss_mb(server.pid):.0f} MB")

        # -- /score under concurrent clients ------------------------------------------------------------
        latencies, errors, lock = [], [], threading.Lock()
        counter = iter(range(args.requests))

        def client() -> None:
            with httpx.Client(base_url=base, timeout=120) as c:
                for i in counter:
                    name, data = samples[i % len(samples)]
                    t = time.perf_counter()
                    r = c.post("/api/v1/score", files={"file": (name, data)})
                    with lock:
                        latencies.append(time.perf_counter() - t)
                        if r.status_code != 200:
                            errors.append((name, r.status_code, r.text[:200]))

        t1 = time.monotonic()
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - t1
        print(f"/score: {len(latencies)} requests from {args.clients} clients in {wall:.1f} s: "
              f"{len(latencies) / wall:.2f} reports/s, p50 {pct(latencies, 0.5) * 1000:.0f} ms, "
              f"p95 {pct(latencies, 0.95) * 1000:.0f} ms, errors {len(errors)}")
        for e in errors[:5]:
            print("  error:", e)

        # -- one large batch ----------------------------------------------------------------------------
        if args.batch:
            from batch_speed import build_batch

            folder = Path(tempfile.mkdtemp(prefix="nianbao-load-batch-"))
            files = build_batch(args.batch, folder)
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                for f in files:
                    z.write(f, f.name)
            t2 = time.monotonic()
            r = httpx.post(f"{base}/api/v1/batches", files={"files": ("batch.zip", buf.getvalue())}, timeout=600)
            if r.status_code != 202:
                print("batch upload failed:", r.status_code, r.text[:500])
                return 1
            batch_id = r.json()["id"]
            upload_s = time.monotonic() - t2
            while True:
                view = httpx.get(f"{base}/api/v1/batches/{batch_id}", timeout=120).json()
                if view["status"] in ("done", "failed"):
                    break
                time.sleep(2)
            total = time.monotonic() - t2
            print(f"batch: {view['total']} reports uploaded in {upload_s:.1f} s, done in {total:.1f} s: "
                  f"{view['total'] / total:.2f} reports/s; ok {view['ok']}, unreadable {view['errors']}, status {view['status']}")
        sampler.stop.set()
        sampler.join()
        marks = sampler.samples[:: max(1, len(sampler.samples) // 12)]
        print("RSS over time (s, MB): " + ", ".join(f"{t:g}:{m:.0f}" for t, m in marks))
        loaded = [m for t, m in sampler.samples if t > 0.2 * sampler.samples[-1][0]] or [0]
        print(f"RSS after start-up: min {min(loaded):.0f} MB, max {max(loaded):.0f} MB")
        return 1 if errors else 0
    finally:
        sampler.stop.set()
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        os.environ.get("KEEP_STORE") or __import__("shutil").rmtree(store, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
