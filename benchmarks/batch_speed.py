"""End-to-end batch speed: `score_batch` over N generated reports (default 1000).

    python benchmarks/batch_speed.py [--n 1000] [--model DIR | --base DIR] [--threads 2] [--workers 1]
                                     [--profile] [--no-linearity] [--keep DIR]

The batch is built from the authored samples in data/samples: each copy gets another agency name and
a shifted report year (dates follow); text files also get sections 一 (mostly) and 五 from the authored
corpus with other numbers, so reports are not byte-identical and the copying detector sees a mix of
near-copies and distinct texts rather than 17 templates. Binary samples are varied too (DOCX through python-docx) except PDFs, which are copied.

Model: the shipped model (model/default) if present, else --model DIR. With --base DIR (a BERT-family
encoder directory, e.g. runs/base/e5-small-zh-L4) an UNTRAINED statement model of the same architecture
is built for timing only: same cost per token as a trained one, meaningless statements.

Prints reports/s end to end, per-stage seconds (BatchResult.stage_seconds), peak RSS, and a linearity
check (the same batch scored at N/4, N/2 and N: seconds per report should stay flat). --profile runs
one extra batch of N/4 under cProfile and lists the top costs.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import random
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SAMPLES = ROOT / "data" / "samples"
PLACE_CHARS = "青石白云金山江河湖海桃李松柏东西南北清平安宁长兴华阳明德新丰永和福泰"
YEAR_RE = re.compile(r"(?<!\d)(20[12]\d)(?!\d)")


def _expected() -> dict:
    return json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))["samples"]


def _corpus(section: int) -> list[str]:
    rows = [json.loads(l) for l in (ROOT / "data" / "corpus" / "authored.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    return [r["text"] for r in rows if r["section"] == section]


def _place_of(agency: str) -> str:
    m = re.match(r"^(.{2,4}?[省市县区])", agency)
    return m.group(1) if m else agency[:2]


def _new_place(rng: random.Random, old: str) -> str:
    return "".join(rng.choice(PLACE_CHARS) for _ in range(len(old) - 1)) + old[-1]


def _shift_years(text: str, k: int) -> str:
    return YEAR_RE.sub(lambda m: str(int(m.group(1)) + k), text) if k else text


def _vary_text(text: str, info: dict, rng: random.Random, s1: tuple[int, int] | None, s5: tuple[int, int] | None,
               corpus: dict[int, list[str]], k: int) -> str:
    """Vary one text report: sections 一 and 五 from the corpus (numbers in 一 changed), agency, year."""
    if s5:
        text = text[: s5[0]] + rng.choice(corpus[5]) + "\n" + text[s5[1]:]
    if s1:
        body = rng.choice(corpus[1]) if corpus[1] and rng.random() < 0.8 else text[s1[0]:s1[1]]
        body = re.sub(r"(?<!\d)(?!20[12]\d)\d{1,3}(?!\d)", lambda m: str(rng.randint(1, 10 ** len(m.group(0)) - 1)), body)
        text = text[: s1[0]] + body + "\n" + text[s1[1]:]
    place = _place_of(info["agency"])
    text = text.replace(place, _new_place(rng, place))
    return _shift_years(text, k)


def build_batch(n: int, folder: Path, seed: int = 7) -> list[Path]:
    from inference.loaders import load
    from inference.pipeline import read_report

    rng = random.Random(seed)
    expected = _expected()
    names = sorted(p.name for p in SAMPLES.iterdir() if p.name in expected)
    corpus = {1: _corpus(1), 5: _corpus(5)}
    plans = {}
    for name in names:
        info = expected[name]
        spans = (None, None)
        if info["kind"] == "txt":
            enc = info.get("encoding", "utf-8")
            raw = (SAMPLES / name).read_bytes().decode(enc)
            rep = read_report(SAMPLES / name)
            if rep.text == raw:  # offsets of the loaded text are offsets into the file
                s1, s5 = rep.section(1), rep.section(5)
                spans = ((s1.body_start, s1.end) if s1 else None, (s5.body_start, s5.end) if s5 else None)
        plans[name] = spans
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(n):
        name = names[i % len(names)]
        info = expected[name]
        k = rng.choice([0, 1, 2]) if info["year"] >= 2021 else 0
        dest = folder / f"{i:05d}_{name}"
        if info["kind"] in ("txt", "html"):
            enc = info.get("encoding", "utf-8")
            raw = (SAMPLES / name).read_bytes().decode(enc)
            s1, s5 = plans[name]
            text = _vary_text(raw, info, rng, s1, s5, corpus, k) if info["kind"] == "txt" else _vary_text(raw, info, rng, None, None, corpus, k)
            dest.write_bytes(text.encode(enc))
        elif info["kind"] == "docx":
            from docx import Document

            doc = Document(str(SAMPLES / name))
            place = _place_of(info["agency"])
            new = _new_place(rng, place)
            for p in doc.paragraphs:
                for run in p.runs:
                    run.text = _shift_years(run.text.replace(place, new), k)
            doc.save(str(dest))
        else:
            shutil.copyfile(SAMPLES / name, dest)
        files.append(dest)
    return files


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def run_once(files: list[Path], out: Path, model, workers: int) -> dict:
    from inference.batch import score_batch

    if out.exists():
        shutil.rmtree(out)
    t0 = time.perf_counter()
    res = score_batch(files, out, workers=workers, model=model, progress=False)
    wall = time.perf_counter() - t0
    return {"n": len(files), "seconds": round(wall, 2), "reports_per_s": round(len(files) / wall, 2),
            "scored": len(res.results), "errors": len(res.errors), "stages": res.stage_seconds,
            "statements": sum(len(r.get("statements", [])) for r in res.results)}


CONFIGS = [  # (name, parser processes, bf16, token-budget buckets, model threads or None: --threads)
    ("in-process parse, fp32, fixed batches", 0, False, False, None),
    ("1 parser process, fp32, fixed batches", 1, False, False, None),
    ("1 parser process, fp32, length buckets", 1, False, True, None),
    ("1 parser process, bf16, length buckets", 1, True, True, None),
    ("1 parser, bf16, buckets, 1 model thread", 1, True, True, 1),
    ("2 parsers, bf16, buckets, 1 model thread", 2, True, True, 1),
]


def compare(files: list[Path], work: Path, model_dir: Path, rounds: int) -> None:
    """Each configuration in turn, `rounds` times alternated; reports/s as a range, stage shares of the last run."""
    from inference.pipeline import load

    nlps = {bf16: load(model=model_dir, bf16=bf16) for bf16 in (False, True)}
    for nlp in nlps.values():
        nlp.model.predict(["一是信息更新不及时。下一步将加强培训。"])
    seen: dict[str, list[float]] = {name: [] for name, *_ in CONFIGS}
    cpu: dict[str, list[float]] = {name: [] for name, *_ in CONFIGS}
    last: dict[str, dict] = {}
    import torch

    default_threads = torch.get_num_threads()
    for r in range(rounds):
        for name, workers, bf16, buckets, threads in CONFIGS:
            torch.set_num_threads(threads or default_threads)
            nlp = nlps[bf16]
            nlp.model.bucketing = buckets
            out = work / "out-compare"
            if out.exists():
                shutil.rmtree(out)
            from inference.batch import score_batch

            t0 = time.perf_counter()
            c0 = _cpu_seconds()
            res = score_batch(files, out, workers=workers, nlp=nlp, progress=False, threads=threads or default_threads)
            wall = time.perf_counter() - t0
            cpu_ms = 1000 * (_cpu_seconds() - c0) / len(files)
            seen[name].append(len(files) / wall)
            cpu[name].append(cpu_ms)
            last[name] = {"stages": res.stage_seconds, "wall": wall}
            print(f"  round {r + 1}: {name:44s} {len(files) / wall:6.2f} reports/s, {cpu_ms:6.1f} CPU-ms/report", flush=True)
    print(f"\ncomparison, {len(files)} reports, {rounds} alternated rounds: reports/s (min-max, wall clock: moves with"
          f" the machine's load), CPU-ms per report (parent + parser processes; min-max) and each stage's share:")
    for name, *_ in CONFIGS:
        v = seen[name]
        c = cpu[name]
        st = last[name]["stages"]
        busy = sum(st.values())
        shares = ", ".join(f"{k} {x / busy:.0%}" for k, x in sorted(st.items(), key=lambda kv: -kv[1]) if x > 0)
        print(f"  {name:44s} {min(v):6.2f}-{max(v):6.2f} reports/s  {min(c):6.1f}-{max(c):6.1f} CPU-ms  stages: {shares}")


def _cpu_seconds() -> float:
    """User + system CPU time of this process and of its finished children (the parser processes)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def untrained_model(base: str, out: Path) -> Path:
    from model.statement_model import StatementModel
    from training.train import taxonomy_categories

    model, tok = StatementModel.from_base(base, taxonomy_categories(), max_length=256, stride=64)
    return model.save_pretrained(out, tok)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--model", default=None, help="statement model dir (default: model/default)")
    ap.add_argument("--base", default=None, help="build an untrained model of this encoder for timing only")
    ap.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    ap.add_argument("--workers", type=int, default=1, help="parser processes (score_batch workers)")
    ap.add_argument("--int8", action="store_true", help="int8-quantised model (as `nianbao score --int8`)")
    ap.add_argument("--profile", action="store_true", help="profile one run of N/4 with cProfile")
    ap.add_argument("--no-linearity", action="store_true", help="only the full-N run")
    ap.add_argument("--keep", default=None, help="work folder to keep (default: a temp folder, removed)")
    ap.add_argument("--compare", type=int, default=0, metavar="ROUNDS",
                    help="compare parse/model overlap, length buckets and bf16 over N reports, alternated ROUNDS times")
    ap.add_argument("--precision", choices=("fp32", "bf16"), default="fp32", help="model arithmetic of the main run")
    args = ap.parse_args()

    import torch

    from inference.statements import DEFAULT_MODEL_DIR, load_model

    torch.set_num_threads(args.threads)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    try:
        if args.base:
            model_dir = untrained_model(args.base, work / "untrained-model")
            label = f"UNTRAINED {args.base} (timing only)"
        else:
            model_dir = Path(args.model) if args.model else DEFAULT_MODEL_DIR
            label = str(model_dir)
        t0 = time.perf_counter()
        files = build_batch(args.n, work / "batch")
        print(f"built {len(files)} reports in {time.perf_counter() - t0:.1f} s ({work / 'batch'})")
        if args.compare:
            compare(files, work, model_dir, args.compare)
            return 0
        t0 = time.perf_counter()
        model = load_model(model_dir, quantize=args.int8, bf16=args.precision == "bf16")
        print(f"model {label} ({'int8' if args.int8 else args.precision}): loaded in {time.perf_counter() - t0:.1f} s; {args.threads} torch threads, "
              f"{args.workers} parser process(es)")
        model.predict(["一是信息更新不及时。下一步将加强培训。"])  # warm-up

        sizes = [args.n] if args.no_linearity else sorted({max(1, args.n // 4), max(1, args.n // 2), args.n})
        runs = []
        for n in sizes:
            r = run_once(files[:n], work / f"out{n}", model, args.workers)
            runs.append(r)
            print(f"N={n:5d}: {r['seconds']:8.2f} s  {r['reports_per_s']:7.2f} reports/s  "
                  f"({r['scored']} scored, {r['errors']} errors, {r['statements']} statements)  stages {r['stages']}")
        full = runs[-1]
        print(f"\nend to end: {full['reports_per_s']} reports/s ({full['n']} reports in {full['seconds']} s)")
        total = sum(full["stages"].values())
        print("per stage (s, share of stage total): " + ", ".join(
            f"{k} {v:.2f} ({v / total:.0%})" for k, v in sorted(full["stages"].items(), key=lambda kv: -kv[1])))
        print(f"peak RSS: {peak_rss_mb():.0f} MB (this process; parser workers not included)")
        if len(runs) > 1:
            per = [r["seconds"] / r["n"] for r in runs]
            ratio = per[-1] / per[0]
            print("seconds per report: " + ", ".join(f"N={r['n']}: {p * 1000:.1f} ms" for r, p in zip(runs, per))
                  + f"; N/{sizes[0]} ratio {ratio:.2f} -> {'linear' if ratio < 1.3 else 'NOT linear'}")
        if args.profile:
            n = max(1, args.n // 4)
            prof = cProfile.Profile()
            prof.enable()
            run_once(files[:n], work / "out-profile", model, 1)
            prof.disable()
            s = io.StringIO()
            stats = pstats.Stats(prof, stream=s).sort_stats("cumulative")
            stats.print_stats(35)
            print(f"\ncProfile, N={n}, by cumulative time:\n" + s.getvalue())
            s = io.StringIO()
            pstats.Stats(prof, stream=s).sort_stats("tottime").print_stats(25)
            print("by own time:\n" + s.getvalue())
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
