"""Batch scoring: `nianbao score PATH... --out DIR` and the `score_batch` API.

Phase 1 reads, tags and scores each report and stores the result in DIR/run.sqlite as soon as it is
made (a killed run resumes with --resume: stored files are skipped, none is scored twice).
Phase 2 compares the batch with itself and with the history store (copying, cross-year) and
re-scores only the reports those findings touch. Phase 3 writes results.jsonl, summary.csv,
summary.xlsx, index.html and one page per report.
"""
from __future__ import annotations

import hashlib
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from inference.errors import NianbaoError, ReportError
from inference.report import Report

CHUNK = 32  # reports per model call


@dataclass
class BatchResult:
    out_dir: Path
    results: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    processed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)


def iter_files(paths: list[str | Path]) -> list[Path]:
    """Every supported file under the given files/folders, sorted, each once. Unsupported extensions inside
    folders are ignored; a file named explicitly is always taken (and gets its own error if unreadable)."""
    from inference.loaders import supported_extensions

    supported = set(supported_extensions(in_folders=True))
    seen, out = set(), []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in supported)
        else:
            found = [p]
        for f in found:
            key = str(f.resolve())
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out


# document formats a report may come in that no loader reads: listed as skipped, with the reason (other
# files in a folder -- scripts, styles, data -- are no reports and are passed over silently)
DOCUMENT_LIKE = (".doc", ".wps", ".xls", ".xlsx", ".et", ".rtf", ".odt", ".ods", ".ofd", ".ppt", ".pptx", ".dps",
                 ".caj", ".mht", ".mhtml", ".gif", ".bmp", ".webp", ".zip", ".rar", ".7z")


def skipped_files(paths: list[str | Path]) -> list[tuple[Path, str]]:
    """Document files inside the given folders that no loader reads, each with the Chinese reason."""
    from inference.loaders import UNSUPPORTED_HINTS, supported_extensions

    supported = set(supported_extensions(in_folders=True))
    shown = " ".join(sorted(supported))
    out = []
    for raw in paths:
        p = Path(raw)
        if not p.is_dir():
            continue
        for f in sorted(p.rglob("*")):
            ext = f.suffix.lower()
            if not f.is_file() or ext in supported or ext not in DOCUMENT_LIKE:
                continue
            if any(x.startswith(".") for x in f.relative_to(p).parts):
                continue  # hidden files and folders
            out.append((f, UNSUPPORTED_HINTS.get(ext, f"不支持的文件类型“{ext}”（支持 {shown}），已跳过")))
    return out


def digest_of(path: Path) -> str:
    h = hashlib.sha1()
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return "unreadable"
    return h.hexdigest()


def _read(path: Path):
    """Worker: read one file with the pipeline's per-report components. Returns (path, digest, Report | ReportError, seconds)."""
    from inference.pipeline import _WORKER

    t0 = time.perf_counter()
    digest = digest_of(path)
    try:
        report = _WORKER.read(path)
    except ReportError as exc:
        return path, digest, exc, time.perf_counter() - t0
    except Exception as exc:  # a parser bug must not take the batch down; record it for this file
        return path, digest, ReportError(str(path), "internal", f"内部错误：{type(exc).__name__}: {exc}"), time.perf_counter() - t0
    return path, digest, report, time.perf_counter() - t0


def score_batch(
    paths: list[str | Path],
    out_dir: str | Path,
    workers: int = 1,
    resume: bool = False,
    rubric=None,
    model=None,
    history: str | Path | None = None,
    progress: bool = True,
    write: bool = True,
    nlp=None,
) -> BatchResult:
    """Score every report under `paths` into `out_dir` with the pipeline `nlp` (default: `inference.load(model,
    rubric)`; `model`: a loaded tagger, a model directory or None; `rubric`: a Rubric, a rubric file or None)."""
    from inference import pipeline
    from inference.store import HistoryStore, RunStore

    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    store_path = out_dir / "run.sqlite"
    if not resume and store_path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(str(store_path) + suffix).unlink(missing_ok=True)
    nlp = nlp or pipeline.load(model=model, rubric=rubric)
    store = RunStore(store_path)
    hist = HistoryStore(Path(history) if history else out_dir / "history.sqlite")
    files = iter_files(paths)
    done = store.done()
    todo = [f for f in files if done.get(str(f.resolve())) != digest_of(f)]
    taken = {str(f.resolve()) for f in files}
    for path, reason in skipped_files(paths):  # listed with the reason, never silently ignored
        if str(path.resolve()) not in taken:
            store.put_error(str(path.resolve()), digest_of(path), "unsupported", reason)
    result = BatchResult(out_dir=out_dir, skipped=len(files) - len(todo))
    stage = {"parse": 0.0, "statements": 0.0, "score": 0.0, "store": 0.0}

    bar = _progress(len(todo), progress)
    pipeline._WORKER = nlp
    pool = pipeline.worker_pool(nlp, workers).__enter__() if workers > 1 and len(todo) > 1 else None
    try:
        parsed_iter = pool.imap(_read, todo, chunksize=4) if pool else map(_read, todo)
        chunk: list[tuple[Path, str, Report]] = []
        for path, digest, outcome, seconds in parsed_iter:
            stage["parse"] += seconds
            if isinstance(outcome, ReportError):
                store.put_error(str(path.resolve()), digest, outcome.code, outcome.reason)
                result.processed += 1
                bar.update(1)
                continue
            chunk.append((path, digest, outcome))
            if len(chunk) >= CHUNK:
                _finish_chunk(nlp, chunk, store, hist, stage)
                result.processed += len(chunk)
                bar.update(len(chunk))
                chunk = []
        if chunk:
            _finish_chunk(nlp, chunk, store, hist, stage)
            result.processed += len(chunk)
            bar.update(len(chunk))
    finally:
        bar.close()
        if pool:
            pool.terminate()

    # Phase 2: batch findings against the batch itself and the history of earlier runs, then the same
    # score component as phase 1 re-rates each stored Report (the file is not read again).
    t0 = time.perf_counter()
    from inference.findings import BatchContext, run_findings

    stored = store.reports()
    context = BatchContext.build(hist.all(), {digest for digest, _ in stored}, reports=[r for _, r in stored])
    rescore = nlp.get_pipe("score") if nlp.has_pipe("score") else None
    for digest, report in stored:
        before = _findings_state(report)
        run_findings(report, digest, context)
        if rescore is not None:
            rescore(report)
        if _findings_state(report) != before:
            store.update_report(report)
    stage["batch_findings"] = time.perf_counter() - t0

    result.results = store.results()
    result.errors = store.errors()
    if write:
        t0 = time.perf_counter()
        from inference.outputs import write_outputs

        write_outputs(out_dir, result.results, result.errors, store.text)
        stage["outputs"] = time.perf_counter() - t0
    store.close()
    hist.close()
    result.seconds = time.perf_counter() - started
    result.stage_seconds = {k: round(v, 3) for k, v in stage.items()}
    return result


def _findings_state(report: Report) -> tuple:
    """What batch findings and re-rating can change: checks, batch info, score."""
    return ([c.to_dict() for c in report.checks], report.batch.to_dict() if report.batch else None,
            report.score.to_dict() if report.score else None)


def _finish_chunk(nlp, chunk, store, hist, stage) -> None:
    from inference.findings import signatures, table_figures

    for path, _, report in chunk:
        report.source = str(path.resolve())
    nlp.finish([r for _, _, r in chunk], seconds=stage)
    for path, digest, report in chunk:
        t2 = time.perf_counter()
        s5, whole = signatures(report)
        carried, in_force = table_figures(report)
        hist.add(digest, report.source, report.meta.agency, report.meta.year, s5, whole, carried, in_force,
                 published=report.meta.published_on or report.meta.signed_on)
        store.put_ok(digest, report, 0.0)
        stage["store"] += time.perf_counter() - t2


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, enabled: bool):
    if not enabled:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="份", desc="评分", dynamic_ncols=True, file=sys.stderr,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_fmt}]")


# -- CLI -------------------------------------------------------------------------------------------------
def add_arguments(parser) -> None:
    parser.add_argument("paths", nargs="+", metavar="路径", help="报告文件或文件夹（递归查找）")
    parser.add_argument("--out", required=True, metavar="输出文件夹", help="输出文件夹")
    parser.add_argument("--workers", type=int, default=1, help="并行解析进程数（默认 1）")
    parser.add_argument("--resume", action="store_true", help="继续 --out 中中断的评分（已完成的文件不再评分）")
    parser.add_argument("--rubric", default=None, help="评分细则 JSON（默认 data/rubric.json）")
    parser.add_argument("--model", default=None, help="语句模型目录（默认 model/default）")
    parser.add_argument("--int8", action="store_true", help="使用 int8 量化模型：约快 40%%，准确率略低")
    parser.add_argument("--history", default=None, help="跨次评分共用的历史库（默认 输出文件夹/history.sqlite）")
    parser.add_argument("--no-progress", action="store_true", help="不显示进度条")


def run(args) -> int:
    try:
        from inference.pipeline import load

        print("正在加载语句模型和规则（约需数秒）……", file=sys.stderr, flush=True)
        nlp = load(model=args.model, rubric=args.rubric, int8=args.int8)
        res = score_batch(args.paths, args.out, workers=args.workers, resume=args.resume, nlp=nlp,
                          history=args.history, progress=not args.no_progress)
    except NianbaoError as exc:
        print(f"错误: {exc}", file=sys.stderr)
        return 2
    grades: dict[str, int] = {}
    for r in res.results:
        g = r["score"]["grade"]
        grades[g] = grades.get(g, 0) + 1
    print(f"完成：{len(res.results)} 份报告已评分，{len(res.errors)} 个文件无法读取，本次处理 {res.processed} 个"
          f"（跳过已完成 {res.skipped} 个），用时 {res.seconds:.1f} 秒。")
    print("等级分布：" + "，".join(f"{g} {n}" for g, n in sorted(grades.items())))
    for e in res.errors:
        print(f"  无法读取 {e['source']}: [{e['code']}] {e['error']}")
    print(f"输出：{Path(args.out) / 'index.html'}")
    if not res.results:
        print("错误：没有任何报告被评分（见上面列出的文件和原因）。", file=sys.stderr)
        return 1
    return 0
