"""Scale: `nianbao score` (the local engine, default settings) on N distinct generated reports, N = 500, 2,000
and 10,000 by default — is time linear in N and is memory bounded?

    python benchmarks/scale.py [--n 500 2000 10000] [--workers 1] [--keep DIR] [--copies 0.02]

Each report is one of the 17 authored samples (data/samples/make_samples.py) rebuilt with another agency
(a unique place name), a shifted year where the format allows it, and sections 一, 五 and 六 composed from
sentences of several authored-corpus passages (numbers in 一 changed), then written in the sample's own
format (TXT UTF-8/GBK, HTML, DOCX through python-docx, PDF through reportlab), so no two reports are the
same file and no two free texts are near-duplicates by accident. A fixed share (--copies, default 2 %)
copies section 五 of an earlier report on purpose, so the copying finding has a constant amount of work
per report at every N.

For every N the CLI runs as a child process (`python -m inference.cli score DIR --out OUT --workers W
--no-progress`); the script prints wall seconds, reports/s, CPU-ms per report (the CLI and its parser
processes: RUSAGE_CHILDREN), the peak RSS of the whole process tree (sum over the CLI and its descendants,
sampled from /proc every 0.2 s; also the largest single process), the size of run.sqlite and of the
outputs, and checks that the outputs are complete (N results, N distinct sources, N report pages, N
summary rows). The last line compares seconds per report and peak RSS across the Ns.
"""
from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
PLACE_CHARS = "青石白云金山江河湖海桃李松柏东西南北清平安宁长兴华阳明德新丰永和福泰"
YEAR_RE = re.compile(r"(?<!\d)(20[12]\d)(?!\d)")
SENT_RE = re.compile(r"[^。；！？\n]+[。；！？]?")


def _samples():
    sys.path.insert(0, str(SAMPLES))
    import make_binary_samples  # noqa: F401  (python-docx, reportlab)
    import make_samples

    return make_samples.SAMPLES, make_binary_samples


def _corpus() -> dict[int, list[str]]:
    rows = [json.loads(l) for l in (ROOT / "data" / "corpus" / "authored.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    out: dict[int, list[str]] = {1: [], 5: [], 6: []}
    for r in rows:
        if r["section"] in out:
            out[r["section"]].append(r["text"])
    return out


def _place_of(agency: str) -> str:
    m = re.match(r"^(.{2,4}?[省市县区镇街])", agency)
    return m.group(1) if m else agency[:2]


def _unique_place(i: int, old: str) -> str:
    """A place name no other report of the batch has: index i written in base len(PLACE_CHARS), 3 digits."""
    b = len(PLACE_CHARS)
    return PLACE_CHARS[(i // (b * b)) % b] + PLACE_CHARS[(i // b) % b] + PLACE_CHARS[i % b] + old[-1]


def _compose(rng: random.Random, passages: list[str], k: int, encoding: str, numbers: bool = False) -> str:
    """Sentences of k random passages, in passage order, keeping about two thirds of them."""
    chosen = []
    while len(chosen) < k:
        p = rng.choice(passages)
        try:
            p.encode(encoding)
        except UnicodeEncodeError:
            continue
        chosen.append(p)
    lines = []
    for p in chosen:
        for para in p.split("\n"):
            sents = [s for s in SENT_RE.findall(para) if s.strip()]
            keep = [s for s in sents if rng.random() < 0.67] or sents[:1]
            if keep:
                lines.append("".join(keep))
    text = "\n".join(lines)
    if numbers:
        text = re.sub(r"(?<!\d)(?!20[12]\d)\d{1,3}(?!\d)", lambda m: str(rng.randint(1, 10 ** len(m.group(0)) - 1)), text)
    return text


MARKED = (1, 5, 6)  # sections whose prose is composed per report


def _docx_template(s, writers, folder: Path) -> dict[str, bytes]:
    """The sample written once by make_binary_samples with a marker paragraph for each composed section."""
    import zipfile

    marked = dataclasses.replace(s, bodies={num: (f"@@B{num}@@" if num in MARKED and b else b) for num, b in s.bodies.items()})
    tmp = folder / f".template-{s.file}"
    writers.WRITERS["docx"](marked, tmp)
    with zipfile.ZipFile(tmp) as z:
        entries = {name: z.read(name) for name in z.namelist()}
    tmp.unlink()
    return entries


_WT = re.compile(r"(<w:t(?: [^>]*)?>)([^<]*)(</w:t>)")


def _write_docx(entries: dict[str, bytes], dest: Path, bodies: dict[int, str], vary) -> None:
    """Fill the template: each marker paragraph becomes one paragraph per line of the composed section; place
    and year changed in the text runs only (never in XML names: `.../word/2010/wordml` holds a year)."""
    import html
    import zipfile

    xml = entries["word/document.xml"].decode("utf-8")
    xml = _WT.sub(lambda m: m.group(1) + html.escape(vary(html.unescape(m.group(2))), quote=False) + m.group(3), xml)
    for num, body in bodies.items():
        marker = f"@@B{num}@@"
        at = xml.find(marker)
        if at < 0:
            continue
        a = max(xml.rfind("<w:p>", 0, at), xml.rfind("<w:p ", 0, at))
        b = xml.find("</w:p>", at) + len("</w:p>")
        para = xml[a:b]
        lines = [l for l in body.split("\n") if l.strip()]
        xml = xml[:a] + "".join(para.replace(marker, html.escape(vary(l), quote=False)) for l in lines) + xml[b:]
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, xml.encode("utf-8") if name == "word/document.xml" else data)


def build(n: int, folder: Path, seed: int = 13, copies: float = 0.02) -> list[Path]:
    samples, writers = _samples()
    rng = random.Random(seed)
    corpus = _corpus()
    folder.mkdir(parents=True, exist_ok=True)
    fives: list[str] = []
    files = []
    docx_templates: dict[str, dict[str, bytes]] = {}
    for i in range(n):
        s = samples[i % len(samples)]
        k = rng.choice([0, 1, 2]) if s.year >= 2021 else 0
        place = _place_of(s.agency)
        new_place = _unique_place(i, place)

        def vary(t: str) -> str:
            t = t.replace(place, new_place)
            return YEAR_RE.sub(lambda m: str(int(m.group(1)) + k), t) if k else t

        bodies = dict(s.bodies)
        if 1 in bodies:
            bodies[1] = _compose(rng, corpus[1], 2, s.encoding, numbers=True)
        if 5 in bodies and bodies[5]:
            if fives and rng.random() < copies:
                bodies[5] = rng.choice(fives)  # copied on purpose from an earlier report of the batch
            else:
                bodies[5] = _compose(rng, corpus[5], 3, s.encoding)
            fives.append(bodies[5])
            if len(fives) > 200:
                fives.pop(0)
        if 6 in bodies and bodies[6]:
            bodies[6] = _compose(rng, corpus[6], 1, s.encoding)
        v = dataclasses.replace(
            s, agency=vary(s.agency), year=s.year + k, title=vary(s.title), intro=vary(s.intro),
            bodies={num: vary(b) for num, b in bodies.items()}, after={num: vary(b) for num, b in s.after.items()},
            signature=vary(s.signature), page_top=vary(s.page_top), page_bottom=vary(s.page_bottom),
            published_on=vary(s.published_on) if s.published_on else None,
            signed_on=vary(s.signed_on) if s.signed_on else None,
        )
        dest = folder / f"{i:05d}_{s.file}"
        if s.kind == "txt":
            dest.write_bytes(v.page_text().encode(s.encoding))
        elif s.kind == "docx":  # python-docx takes ~1 s per table-heavy file: fill a template instead
            if s.file not in docx_templates:
                docx_templates[s.file] = _docx_template(s, writers, folder)
            _write_docx(docx_templates[s.file], dest, {num: b for num, b in bodies.items() if num in MARKED}, vary)
        else:
            writers.WRITERS[s.kind](v, dest)
        files.append(dest)
    return files


# -- measuring ---------------------------------------------------------------------------------------
def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            pass
    return out


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0


class TreeSampler(threading.Thread):
    """Peak of the summed RSS of a process and its descendants, and the largest single process, every `every` s;
    also the CPU seconds the tree used meanwhile (per process: last sample minus first; `roots` adds trees
    that are not descendants of `pid`, e.g. a Ray head's workers)."""

    def __init__(self, pid: int, every: float = 0.2, roots: tuple[int, ...] = ()):
        super().__init__(daemon=True)
        self.pid, self.every, self.roots = pid, every, roots
        self.peak_tree_kb = self.peak_one_kb = 0
        self.trace: list[tuple[float, int]] = []  # (seconds, tree MB) once a second
        self.first: dict[int, int] = {}
        self.last: dict[int, int] = {}
        for root in roots:  # processes already running before the measured command: count only what they add
            for p in _descendants(root):
                self.first[p] = _cpu_ticks(p)
        self.stop = threading.Event()

    def cpu_seconds(self) -> float:
        return sum(t - self.first.get(p, 0) for p, t in self.last.items()) / os.sysconf("SC_CLK_TCK")

    def run(self) -> None:
        t0 = time.perf_counter()
        last = -1.0
        while not self.stop.is_set():
            pids = _descendants(self.pid) + [p for root in self.roots for p in _descendants(root)]
            for p in pids:
                ticks = _cpu_ticks(p)
                if ticks:
                    self.last[p] = ticks
            rss = [_rss_kb(p) for p in pids]
            tree = sum(rss)
            self.peak_tree_kb = max(self.peak_tree_kb, tree)
            self.peak_one_kb = max(self.peak_one_kb, max(rss, default=0))
            now = time.perf_counter() - t0
            if now - last >= 1.0:
                self.trace.append((round(now, 1), tree // 1024))
                last = now
            self.stop.wait(self.every)


def _size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 2 ** 20
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2 ** 20


def run_cli(folder: Path, out: Path, workers: int, extra: list[str] | None = None, env: dict | None = None,
            roots: tuple[int, ...] = ()) -> dict:
    """`nianbao score folder --out out` as a child process; wall, CPU of the tree, peak RSS of the tree."""
    if out.exists():
        shutil.rmtree(out)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cmd = [sys.executable, "-m", "inference.cli", "score", str(folder), "--out", str(out), "--workers", str(workers),
           "--no-progress", *(extra or [])]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env or dict(os.environ))
    sampler = TreeSampler(proc.pid, roots=roots)
    sampler.start()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - t0
    sampler.stop.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"nianbao score exited {proc.returncode}:\n{stderr[-3000:]}")
    return {"wall": wall, "cpu": cpu, "sampled_cpu": sampler.cpu_seconds(), "peak_tree_mb": sampler.peak_tree_kb / 1024,
            "peak_one_mb": sampler.peak_one_kb / 1024, "trace": sampler.trace, "stdout": stdout, "cmd": cmd}


def check_outputs(out: Path, n: int) -> dict:
    """Complete and no duplicates: N results with N distinct sources, N report pages, N summary rows."""
    sources, lines = set(), 0
    with (out / "results.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            lines += 1
            sources.add(json.loads(line)["source"])
    with (out / "summary.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = sum(1 for _ in csv.reader(fh)) - 1
    pages = sum(1 for _ in (out / "reports").glob("*.html"))
    ok = lines == len(sources) == pages == rows == n
    return {"results": lines, "distinct": len(sources), "pages": pages, "csv_rows": rows, "complete": ok}


def without_timing(line: str) -> dict:
    """A results.jsonl object without what differs between two runs of the same input (none known today)."""
    return json.loads(line)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, nargs="+", default=[500, 2000, 10000])
    ap.add_argument("--workers", type=int, default=1, help="parser processes (nianbao score --workers; README: 1 on 2 cores)")
    ap.add_argument("--copies", type=float, default=0.02, help="share of reports that copy section 五 of an earlier one")
    ap.add_argument("--keep", default=None, help="work folder to keep (default: a temp folder, removed)")
    ap.add_argument("--extra", default="", help="more arguments for nianbao score, e.g. '--precision fp32'")
    args = ap.parse_args()

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="nianbao-scale-"))
    rows = []
    try:
        top = max(args.n)
        every = work / "all"
        if not every.exists() or sum(1 for _ in every.iterdir()) != top:
            shutil.rmtree(every, ignore_errors=True)
            t0 = time.perf_counter()
            build(top, every, copies=args.copies)
            print(f"built {top} reports in {time.perf_counter() - t0:.1f} s ({_size_mb(every):.1f} MB)", flush=True)
        names = sorted(p.name for p in every.iterdir())
        for n in sorted(args.n):
            batch = work / f"batch{n}"  # the first n reports (hard links)
            if not batch.exists() or sum(1 for _ in batch.iterdir()) != n:
                shutil.rmtree(batch, ignore_errors=True)
                batch.mkdir()
                for name in names[:n]:
                    os.link(every / name, batch / name)
            out = work / f"out{n}"
            load0 = os.getloadavg()[0]
            r = run_cli(batch, out, args.workers, args.extra.split())
            load1 = os.getloadavg()[0]
            chk = check_outputs(out, n)
            db = _size_mb(out / "run.sqlite") + sum(_size_mb(p) for p in out.glob("run.sqlite-*"))
            outputs = sum(_size_mb(out / f) for f in ("results.jsonl", "summary.csv", "summary.xlsx", "index.html")) + _size_mb(out / "reports")
            row = {"n": n, "wall_s": round(r["wall"], 1), "reports_per_s": round(n / r["wall"], 2),
                   "cpu_ms_per_report": round(1000 * r["cpu"] / n, 1), "peak_rss_tree_mb": round(r["peak_tree_mb"]),
                   "peak_rss_one_process_mb": round(r["peak_one_mb"]), "run_sqlite_mb": round(db, 1),
                   "history_sqlite_mb": round(_size_mb(out / "history.sqlite"), 1), "outputs_mb": round(outputs, 1),
                   "load_avg_before_after": [round(load0, 1), round(load1, 1)], **chk}
            rows.append(row)
            print(f"N={n}: " + json.dumps(row, ensure_ascii=False), flush=True)
            print(f"  RSS of the process tree over time (s, MB; every ~{max(1, len(r['trace']) // 12)}th sample): "
                  + " ".join(f"{t}:{m}" for t, m in r["trace"][:: max(1, len(r["trace"]) // 12)]), flush=True)
            print("  " + r["stdout"].strip().splitlines()[0], flush=True)
            if not chk["complete"]:
                print(f"  INCOMPLETE OUTPUTS: {chk}", flush=True)
        print("\n| N | wall s | reports/s | CPU-ms / report | peak RSS, process tree | largest process | run.sqlite | outputs | complete |")
        print("|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            print(f"| {r['n']:,} | {r['wall_s']} | {r['reports_per_s']} | {r['cpu_ms_per_report']} | {r['peak_rss_tree_mb']} MB "
                  f"| {r['peak_rss_one_process_mb']} MB | {r['run_sqlite_mb']} MB | {r['outputs_mb']} MB | "
                  f"{'yes' if r['complete'] else 'NO'} ({r['results']} results, {r['distinct']} distinct) |")
        if len(rows) > 1:
            a, b = rows[0], rows[-1]
            print(f"\nseconds per report N={a['n']} -> N={b['n']}: {a['wall_s'] / a['n'] * 1000:.1f} -> {b['wall_s'] / b['n'] * 1000:.1f} ms "
                  f"(ratio {(b['wall_s'] / b['n']) / (a['wall_s'] / a['n']):.2f}); CPU-ms per report "
                  f"{a['cpu_ms_per_report']} -> {b['cpu_ms_per_report']}; peak RSS {a['peak_rss_tree_mb']} -> {b['peak_rss_tree_mb']} MB")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
