"""Batch scoring: `nianbao score PATH... --out DIR` and the `score_batch` API.

Phase 1 reads, tags and scores each report and stores the result in DIR/run.sqlite as soon as it is
made (a killed run resumes with --resume: stored files are skipped, none is scored twice).
Phase 2 compares the batch with itself and with the history store (copying, cross-year) and
re-scores only the reports those findings touch. Phase 3 writes results.jsonl, summary.csv,
summary.xlsx, index.html and one page per report.
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import time
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Mapping

from inference.errors import NianbaoError, ReportError
from inference.report import BatchInfo, Report
from inference.workers import CHUNK, batch_gc, read_one as _read, release_memory, source_key  # noqa: F401 - re-exported



@dataclass
class BatchResult:
    """What a batch run did. The results themselves stay in `out_dir/run.sqlite`: `iter_results()` streams
    them (public schema, by source, as in results.jsonl), `results` reads them all into a list on first use."""
    out_dir: Path
    errors: list[dict] = field(default_factory=list)
    processed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)
    scored: int = 0  # results in the run store

    def iter_results(self):
        from inference.store import RunStore

        store = RunStore(Path(self.out_dir) / "run.sqlite")
        try:
            yield from store.public_results()
        finally:
            store.close()

    @cached_property
    def results(self) -> list[dict]:
        return list(self.iter_results())


@dataclass
class Skipped:
    """An entry met while scanning folders that is not read: reported as a per-file error, never silent."""
    source: str
    code: str
    reason: str


def scan(paths: list[str | Path]) -> tuple[list[Path], list[Skipped]]:
    """Every supported file under the given files/folders, sorted, each once, and the entries skipped on
    the way (unlistable folders, dangling links, FIFOs / sockets / devices with a report's extension).
    Unsupported extensions inside folders are ignored; a file named explicitly is always taken (and gets
    its own error if unreadable)."""
    from inference.loaders import extension_of, supported_extensions

    supported = set(supported_extensions(in_folders=True))
    seen, out, skipped = set(), [], []

    def skip(path: Path | str, code: str, reason: str) -> None:
        key = source_key(Path(path), resolve=False)
        if key not in seen:
            seen.add(key)
            skipped.append(Skipped(key, code, reason))

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = []

            def unlistable(err: OSError, top=p) -> None:
                skip(err.filename or top, "unlistable",
                     f"无法列出文件夹内容（{type(err).__name__}: {err.strerror or err}），其中的文件未读取")

            for root, dirs, files in os.walk(p, onerror=unlistable):
                dirs.sort()
                for name in files:
                    f = Path(root) / name
                    if extension_of(f) not in supported:
                        continue
                    try:
                        st = os.stat(f)
                    except FileNotFoundError:
                        skip(f, "dangling_link", "符号链接指向的文件不存在，未读取")
                        continue
                    except OSError as e:
                        skip(f, "unreadable", f"无法访问文件（{type(e).__name__}），未读取")
                        continue
                    if stat.S_ISREG(st.st_mode):
                        found.append(f)
                    elif not stat.S_ISDIR(st.st_mode):
                        skip(f, "not_file", "不是普通文件（命名管道、套接字或设备），未读取")
            found.sort()
        else:
            found = [p]
        for f in found:
            key = source_key(f)
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out, sorted(skipped, key=lambda e: e.source)


def iter_files(paths: list[str | Path]) -> list[Path]:
    """The files `scan` finds (entries it skips are left out)."""
    return scan(paths)[0]


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
    """sha1 of a regular file within the byte limit; `error:<code>` for anything `check_file` refuses
    (a FIFO or a device is never opened)."""
    from inference.loaders import check_file

    try:
        check_file(path)
    except ReportError as exc:
        return f"error:{exc.code}"
    h = hashlib.sha1()
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return "error:unreadable"
    return h.hexdigest()


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
    engine: str = "local",
    address: str | None = None,
    threads: int | None = None,
) -> BatchResult:
    """Score every report under `paths` into `out_dir` with the pipeline `nlp` (default: `inference.load(model,
    rubric)`; `model`: a loaded tagger, a model directory or None; `rubric`: a Rubric, a rubric file or None).

    `workers`: parser processes (at least 1; they read files while this process runs the model, under the
    per-file limits of data/limits.json); 0 reads in this process, without time or memory limits.
    `engine="ray"`: phase 1 runs on Ray Data (`address`: a cluster, default a local Ray), same store and outputs.
    `threads`: torch threads of the model while the parsers run (default: the CPUs left beside the parser
    processes, at least 1 — two model threads beside a parser on 2 cores lose to contention,
    benchmarks/batch_speed.py --compare); restored afterwards."""
    from inference import pipeline
    from inference.store import HistoryStore, RunStore

    started = time.perf_counter()
    out_dir = Path(out_dir)
    with RunLock(out_dir), batch_gc():
        store_path = out_dir / "run.sqlite"
        if not resume and store_path.exists():
            for suffix in ("", "-wal", "-shm"):
                Path(str(store_path) + suffix).unlink(missing_ok=True)
        nlp = nlp or pipeline.load(model=model, rubric=rubric)
        store = RunStore(store_path)
        hist = HistoryStore(Path(history) if history else out_dir / "history.sqlite")
        files, skipped = scan(paths)
        done = store.done()
        for entry in skipped:
            if done.get(entry.source) != f"error:{entry.code}":
                store.put_error(entry.source, f"error:{entry.code}", entry.code, entry.reason)
        taken = {source_key(f) for f in files}
        for path, reason in skipped_files(paths):  # documents no loader reads: listed with the reason, never silent
            if source_key(path) not in taken and done.get(source_key(path)) != "error:unsupported":
                store.put_error(source_key(path), "error:unsupported", "unsupported", reason)
        todo = [f for f in files if (key := source_key(f)) not in done or done[key] != digest_of(f)]
        result = BatchResult(out_dir=out_dir, skipped=len(files) - len(todo))
        stage = {"parse": 0.0, "statements": 0.0, "score": 0.0, "store": 0.0}

        bar = _progress(len(todo), progress)
        pipeline._WORKER = nlp
        pool = None
        if engine == "ray":
            _phase1_ray(todo, nlp, address, workers, store, hist, stage, result, bar)
            todo = []
        elif engine != "local":
            raise NianbaoError(f"未知的引擎“{engine}”（可选 local、ray）")
        restore_threads = None
        if workers > 0 and todo:
            from inference.workers import ParserPool

            pool = ParserPool(_read, processes=min(workers, len(todo)), window=2 * CHUNK)
            restore_threads = _model_threads(threads, min(workers, len(todo)))
        try:
            if nlp.has_pipe("statements"):
                nlp.model  # a malformed model folder fails here (while the parsers start), before any result
            parsed_iter = pool.imap(todo) if pool else map(_read, todo)
            chunk: list[tuple[Path, str, Report, Any]] = []
            for outcome in parsed_iter:
                stage["parse"] += outcome.seconds
                if isinstance(outcome.result, ReportError):
                    digest = outcome.digest
                    if digest.startswith("error:") and outcome.result.code in ("timeout", "memory", "crashed"):
                        digest = digest_of(outcome.path)  # the file is regular and within the byte limit
                    store.put_error(source_key(outcome.path), digest, outcome.result.code, outcome.result.reason)
                    result.processed += 1
                    bar.update(1)
                    continue
                chunk.append((outcome.path, outcome.digest, outcome.result, outcome.signatures))
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
                pool.close()
            if restore_threads is not None:
                import torch

                torch.set_num_threads(restore_threads)

        # Phase 2: batch findings against the batch itself and the history of earlier runs, then the same
        # score component as phase 1 re-rates each stored Report (the file is not read again).
        # Phase 3 in the same pass: each result goes to the outputs as soon as phase 2 is done with it (no list
        # of every result is held, no stored result is parsed twice).
        result.errors = store.errors()
        result.scored = store.count() - len(result.errors)
        t0 = time.perf_counter()
        if write:
            from inference.outputs import write_outputs

            write_outputs(out_dir, iter_batch_findings(nlp, store, hist, stage), result.errors, store.text)
            stage["outputs"] = time.perf_counter() - t0 - stage["batch_findings"]
        else:
            apply_batch_findings(nlp, store, hist)
            stage["batch_findings"] = time.perf_counter() - t0
        store.close()
        hist.close()
    result.seconds = time.perf_counter() - started
    result.stage_seconds = {k: round(v, 3) for k, v in stage.items()}
    return result


class RunLock:
    """An exclusive lock on the run folder for the whole run: a second run on the same --out is refused with
    a clear message instead of mixing its reports and summaries with the first one's. Also where a bad
    --out (a file, an unwritable folder) is reported."""

    NAME = ".nianbao.lock"

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.fh = None

    def __enter__(self) -> "RunLock":
        import fcntl

        out = self.out_dir
        if out.exists() and not out.is_dir():
            raise NianbaoError(f"输出路径 {out} 已存在且不是文件夹，请换一个 --out")
        try:
            out.mkdir(parents=True, exist_ok=True)
            self.fh = open(out / self.NAME, "a+")
        except OSError as exc:
            raise NianbaoError(f"无法在 {out} 创建或写入输出文件夹（{os_reason(exc)}），请换一个 --out") from exc
        try:
            fcntl.flock(self.fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.fh.seek(0)
            holder = self.fh.read().strip()
            self.fh.close()
            raise NianbaoError(f"输出文件夹 {out} 正被另一个评分任务使用（进程 {holder or '未知'}），"
                               "请等它结束后再运行，或换一个 --out") from None
        self.fh.seek(0)
        self.fh.truncate()
        self.fh.write(str(os.getpid()))
        self.fh.flush()
        return self

    def __exit__(self, *exc) -> None:
        import fcntl

        if self.fh is not None:
            try:
                self.fh.seek(0)
                self.fh.truncate()
                fcntl.flock(self.fh.fileno(), fcntl.LOCK_UN)
            finally:
                self.fh.close()


def os_reason(exc: BaseException) -> str:
    """A Chinese reason for the usual OS and SQLite write failures."""
    import errno
    import sqlite3

    code = getattr(exc, "errno", None)
    text = str(exc).lower()
    if code == errno.ENOSPC or "disk is full" in text or "database or disk is full" in text:
        return "磁盘已满"
    if code in (errno.EACCES, errno.EPERM) or "readonly" in text or "read-only" in text:
        return "没有写入权限"
    if code == errno.EROFS:
        return "只读文件系统"
    if code == errno.ENOTDIR:
        return "路径中有一部分不是文件夹"
    if isinstance(exc, sqlite3.Error):
        return f"数据库错误：{exc}"
    return f"{type(exc).__name__}: {exc}"


def _model_threads(threads: int | None, parsers: int) -> int | None:
    """Set the model's torch threads for the run; returns the previous number (None: torch not in use)."""
    if "torch" not in sys.modules and threads is None:
        return None
    import torch

    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 1
    before = torch.get_num_threads()
    torch.set_num_threads(max(1, threads if threads else cpus - parsers))
    return before


def _findings_state(report: Report) -> tuple:
    """What batch findings and re-rating can change: checks, batch info, score."""
    return ([c.to_dict() for c in report.checks], report.batch.to_dict() if report.batch else None,
            report.score.to_dict() if report.score else None)


def _stored_state(stored: dict) -> tuple:
    """`_findings_state` of a stored result, read from its dict (no conversion of the Report)."""
    return stored.get("checks", []), stored.get("batch"), stored.get("score")


def iter_batch_findings(nlp, store, hist, seconds: dict[str, float] | None = None):
    """Phase 2 over a run store, streamed: batch findings against the batch itself and the history store,
    then the pipeline's score component re-rates each stored Report that they touch (the file is not read
    again; a result that changed is written back). Yields every result in the public schema, by source, as it
    is done, so phase 3 writes the outputs in the same pass. Holds no Report (nor text) of the batch beyond
    the one at hand: who-copied-whom dates are read in SQL, a batch-mate's free text only when a match names
    it. `seconds["batch_findings"]` accumulates the time spent here."""
    from inference.findings import BatchContext, run_findings
    from inference.report import public_dict

    seconds = seconds if seconds is not None else {}
    t0 = time.perf_counter()
    context = BatchContext.build(hist.all(), store.digests(), dates=store.dates(), texts=_StoredTexts(store))
    rescore = nlp.get_pipe("score") if nlp.has_pipe("score") else None
    spent = time.perf_counter() - t0
    for i, (_, digest, stored, text) in enumerate(store.iter_stored(), 1):
        t0 = time.perf_counter()
        if i % 256 == 0:
            release_memory()
        report = Report.from_dict(stored | {"text": text})
        run_findings(report, digest, context)
        if rescore is not None:
            rescore(report)
        if _findings_state(report) != _stored_state(stored):
            # as read back from the store (JSON), so outputs never depend on whether a result was re-rated
            stored = json.loads(store.update_report(report))
        out = public_dict(stored)
        spent += time.perf_counter() - t0
        yield out
    seconds["batch_findings"] = seconds.get("batch_findings", 0.0) + spent


def apply_batch_findings(nlp, store, hist) -> int:
    """Phase 2 over a run store (`iter_batch_findings`, run to the end): updates the store; returns how many
    results it holds. Shared by `score_batch` (without outputs) and the service."""
    return sum(1 for _ in iter_batch_findings(nlp, store, hist))


class _StoredTexts(Mapping):
    """source -> free text of a stored result, read from the run store when asked (a few are kept)."""

    def __init__(self, store):
        self.store = store
        self._get = lru_cache(maxsize=256)(store.free_text)

    def __getitem__(self, source: str) -> str:
        text = self._get(source)
        if text is None:
            raise KeyError(source)
        return text

    def __iter__(self):
        return iter(self.store.sources())

    def __len__(self) -> int:
        return len(self.store.sources())


def store_scored(store, hist, digest: str, report: Report, seconds: float = 0.0, signatures_of=None) -> None:
    """Record a scored Report in the run store and its signatures / table figures in the history store
    (`signatures_of`: the report's MinHash signatures when its parser process made them already)."""
    from inference.findings import signatures, table_figures
    from inference.last_year import problems_of

    if report.batch is None:
        # what phase 2 records when it finds nothing: a result it leaves unchanged is not written twice
        report.batch = BatchInfo()
    s5, whole = signatures_of if signatures_of is not None else signatures(report)
    carried, in_force = table_figures(report)
    hist.add(digest, report.source, report.meta.agency, report.meta.year, s5, whole, carried, in_force,
             published=report.meta.published_on or report.meta.signed_on, problems=problems_of(report))
    store.put_ok(digest, report, seconds)


def _finish_chunk(nlp, chunk, store, hist, stage) -> None:
    for path, _, report, _ in chunk:
        report.source = source_key(path)
    nlp.finish([r for _, _, r, _ in chunk], seconds=stage)
    for path, digest, report, signatures_of in chunk:
        _store_scored(report, digest, store, hist, stage, signatures_of)
    release_memory()


def _store_scored(report: Report, digest: str, store, hist, stage, signatures_of=None) -> None:
    t2 = time.perf_counter()
    store_scored(store, hist, digest, report, signatures_of=signatures_of)
    stage["store"] += time.perf_counter() - t2


def _phase1_ray(todo, nlp, address, workers, store, hist, stage, result, bar) -> None:
    """Phase 1 on Ray Data (inference/ray_engine.py); results are stored here as they stream back."""
    from inference import ray_engine

    def on_result(path: Path, digest: str, outcome, seconds: float, model_seconds: float, signatures_of=None) -> None:
        stage["parse"] += seconds
        stage["statements"] += model_seconds
        if isinstance(outcome, ReportError):
            if digest.startswith("error:") and outcome.code in ("timeout", "memory", "crashed"):
                digest = digest_of(path)
            store.put_error(outcome.path, digest, outcome.code, outcome.reason)
        else:
            _store_scored(outcome, digest, store, hist, stage, signatures_of)
        result.processed += 1
        bar.update(1)

    if todo:
        if nlp.has_pipe("statements"):
            nlp.model  # a malformed model folder fails here with its own message, not inside an actor
        ray_engine.score_files(todo, nlp, address, workers if workers > 1 else None, on_result)


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
    parser.add_argument("--workers", type=int, default=1,
                        help="与模型并行的解析进程数（默认 1；0 表示在本进程中读取，不受时间和内存限制）")
    parser.add_argument("--resume", action="store_true", help="继续 --out 中中断的评分（已完成的文件不再评分）")
    parser.add_argument("--rubric", default=None, help="评分细则 JSON（默认 data/rubric.json）")
    parser.add_argument("--model", default=None, help="语句模型目录（默认 model/default）")
    parser.add_argument("--rules", default=None, metavar="规则文件夹",
                        help="规则文件夹（默认随程序安装的规则）：复制一份后修改，例如在 deadlines.json 中加入本省、本市的年报发布时限")
    parser.add_argument("--int8", action="store_true", help="使用 int8 量化模型：约快 40%%，准确率略低")
    parser.add_argument("--precision", choices=("auto", "fp32", "bf16"), default="auto",
                        help="模型运算精度：auto（默认，CPU 原生支持时用 bf16）、fp32 或 bf16；bf16 与 fp32 的语句 98%% 相同（见 README）")
    parser.add_argument("--history", default=None, help="跨次评分共用的历史库（默认 输出文件夹/history.sqlite）")
    parser.add_argument("--limits", default=None, help="修改单个文件限额的 JSON（键见 data/limits.json）")
    parser.add_argument("--threads", type=int, default=None, help="解析进程运行时模型使用的线程数（默认：解析进程之外剩余的 CPU）")
    parser.add_argument("--engine", choices=("local", "ray"), default="local",
                        help="local（默认）或 ray：第一阶段在 Ray Data 上运行，存储和输出相同（可选依赖 nianbao[ray]）")
    parser.add_argument("--address", default=None, help="--engine ray 时的 Ray 集群地址（默认：本机 Ray）")
    parser.add_argument("--no-progress", action="store_true", help="不显示进度条")


def run(args) -> int:
    import sqlite3

    try:
        from inference import limits
        from inference.pipeline import load

        if getattr(args, "limits", None):
            limits.use_file(args.limits)
        from inference.statements import resolve_precision

        print("正在加载语句模型和规则（约需数秒）……", file=sys.stderr, flush=True)
        nlp = load(model=args.model, rubric=args.rubric, rules=getattr(args, "rules", None), int8=args.int8,
                   bf16=resolve_precision(getattr(args, "precision", "fp32"), args.int8))
        res = score_batch(args.paths, args.out, workers=args.workers, resume=args.resume, nlp=nlp,
                          history=args.history, progress=not args.no_progress,
                          engine=getattr(args, "engine", "local"), address=getattr(args, "address", None),
                          threads=getattr(args, "threads", None))
    except NianbaoError as exc:
        print(f"错误: {exc}", file=sys.stderr)
        return 2
    except (OSError, sqlite3.Error) as exc:  # disk full, folder made read-only during the run ...
        print(f"错误: 写入输出文件夹 {args.out} 失败（{os_reason(exc)}）。已完成的结果保存在 run.sqlite 中，"
              "解决后可用 --resume 继续。", file=sys.stderr)
        return 2
    grades: dict[str, int] = {}
    notes = []
    for r in res.iter_results():  # streamed: a large run is never held in memory
        g = r["score"]["grade"]
        grades[g] = grades.get(g, 0) + 1
        notes.extend((r["source"], note) for note in r.get("notes", []))
    print(f"完成：{res.scored} 份报告已评分，{len(res.errors)} 个文件无法读取，本次处理 {res.processed} 个"
          f"（跳过已完成 {res.skipped} 个），用时 {res.seconds:.1f} 秒。")
    print("等级分布：" + "，".join(f"{g} {n}" for g, n in sorted(grades.items())))
    for e in res.errors:
        print(f"  无法读取 {e['source']}: [{e['code']}] {e['error']}")
    for source, note in notes:
        print(f"  注意 {source}: {note}")
    print(f"输出：{Path(args.out) / 'index.html'}")
    if not res.scored:
        print("错误：没有任何报告被评分（见上面列出的文件和原因）。", file=sys.stderr)
        return 1
    return 0
