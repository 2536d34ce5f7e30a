"""Supervised parser processes for batch runs.

Files are read (load + the per-report components) in forked worker processes while the parent runs the
statement model, so parsing and the model overlap. The parent enforces the per-file limits of
`data/limits.json` that a parser cannot enforce on itself: a worker still on one file after `max_seconds`,
or above `max_worker_rss_mb` of memory, is killed and replaced, and that file gets a per-file error
(`timeout`, `memory`, `crashed`) — the batch goes on. A supervisor thread in the parent dispatches files,
drains the workers' pipes (so a worker never waits on a parent busy with the model) and checks the
limits; outcomes are handed out in input order.
"""
from __future__ import annotations

import gc
import hashlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import connection
from pathlib import Path
from typing import Any

from inference import limits
from inference.errors import ReportError

# reports per statement-model call in a batch run, on either engine (the local chunks and the Ray rows are
# the same runs of files, so bf16 results agree between them)
CHUNK = 32

POLL = 0.1  # seconds between limit checks


@dataclass
class Outcome:
    path: Path
    digest: str
    result: Any  # Report | ReportError
    seconds: float
    # MinHash signatures of section 五 and the free text (inference/findings.py), made where the file was
    # read: the parser process has time to spare beside the model, the model process has none
    signatures: Any = None


def source_key(path: Path, resolve: bool = True) -> str:
    """The absolute path a result is stored under: the path itself, or — for a file name that is not valid
    UTF-8 — its bytes with the undecodable ones written as \\xNN (stable across runs, so --resume finds it).
    `resolve=False` keeps a link's own name (a dangling link is reported under its name)."""
    try:
        full = str(path.resolve()) if resolve else os.path.abspath(path)
    except (OSError, RuntimeError):
        full = os.path.abspath(path)
    try:
        full.encode("utf-8")
        return full
    except UnicodeEncodeError:
        return os.fsencode(full).decode("utf-8", "backslashreplace")


def read_one(path: Path) -> Outcome:
    """Worker: read one file (once) and run the pipeline's per-report components (of `pipeline._WORKER`) on it."""
    from inference.findings import signatures
    from inference.loaders import load, read_file
    from inference.pipeline import _WORKER

    t0 = time.perf_counter()
    digest = "error:unknown"
    try:
        data = read_file(path)
        digest = hashlib.sha1(data).hexdigest()
        report = _WORKER.read(load(path, data))
        signatures_of = signatures(report)
    except ReportError as exc:
        if digest.startswith("error:"):
            digest = f"error:{exc.code}"
        return Outcome(path, digest, ReportError(source_key(path), exc.code, exc.reason), time.perf_counter() - t0)
    except (MemoryError, RecursionError) as exc:
        return Outcome(path, digest, ReportError(source_key(path), "corrupt", f"文件结构过于复杂，无法解析（{type(exc).__name__}）"),
                       time.perf_counter() - t0)
    except Exception as exc:  # a parser bug must not take the batch down; record it for this file
        return Outcome(path, digest, ReportError(source_key(path), "internal", f"内部错误：{type(exc).__name__}: {exc}"),
                       time.perf_counter() - t0)
    report.source = source_key(path)
    return Outcome(path, digest, report, time.perf_counter() - t0, signatures_of)


def _die_with_parent() -> None:
    """Linux: the worker gets SIGKILL when the parent dies (kill -9 of a run leaves no orphan parser)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - other platforms: the worker still exits when its pipe closes
        pass


def _limit_address_space(max_rss_mb: int) -> None:
    """A hard ceiling under the parent's RSS watch: the worker's address space may grow by about twice the
    memory limit beyond what it inherited, so a sudden allocation fails in the worker, not the machine."""
    try:
        import resource

        with open("/proc/self/statm") as fh:
            vsz = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        cap = vsz + 2 * max_rss_mb * (1 << 20)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except Exception:  # noqa: BLE001 - no /proc or no resource module: the parent's watch remains
        pass


def _worker_main(conn, reader: Callable[[Path], Outcome], max_rss_mb: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    _limit_address_space(max_rss_mb)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            break
        if task is None:
            break
        index, path = task
        try:
            outcome = reader(path)
        except MemoryError:
            outcome = Outcome(path, "", ReportError(str(path), "memory", limits.message("memory", limit=max_rss_mb)), 0.0)
        try:
            conn.send((index, outcome))
        except (BrokenPipeError, OSError):
            break
    os._exit(0)


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / (1 << 20)
    except (OSError, ValueError, IndexError):
        return 0.0


class _Worker:
    def __init__(self, read_one, max_rss_mb: int):
        import multiprocessing as mp

        parent, child = mp.Pipe(duplex=True)
        ctx = mp.get_context("fork")
        self.proc = ctx.Process(target=_worker_main, args=(child, read_one, max_rss_mb), daemon=True)
        self.proc.start()
        child.close()
        self.conn = parent
        self.task: tuple[int, Path] | None = None
        self.started = 0.0
        self.base_rss = 0.0

    def give(self, index: int, path: Path) -> None:
        self.task = (index, path)
        self.started = time.monotonic()
        # what the worker holds before this file (pages shared with the parent after fork count as RSS)
        self.base_rss = _rss_mb(self.proc.pid)
        self.conn.send(self.task)

    def kill(self) -> None:
        try:
            self.proc.kill()
        except Exception:  # noqa: BLE001
            pass
        self.proc.join(timeout=5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.proc.join(timeout=1)
        if self.proc.is_alive():
            self.kill()
        else:
            self.conn.close()


class ParserPool:
    """`imap(paths)` yields one `Outcome` per path, in order; `read_one(path) -> Outcome` runs in a worker."""

    def __init__(self, read_one: Callable[[Path], Outcome], processes: int = 1, window: int = 64):
        self.read_one = read_one
        self.processes = max(1, processes)
        self.window = max(window, 2 * self.processes)
        self.max_seconds = limits.get("max_seconds")
        self.max_rss_mb = limits.get("max_worker_rss_mb")
        self.workers = [_Worker(read_one, self.max_rss_mb) for _ in range(self.processes)]
        self.killed = 0  # workers killed for a limit (benchmarks print it)

    def imap(self, paths: Iterable[Path]) -> Iterator[Outcome]:
        paths = list(paths)
        done: dict[int, Outcome] = {}
        cond = threading.Condition()
        state = {"next_task": 0, "next_out": 0, "error": None, "stop": False}

        def finish(index: int, outcome: Outcome) -> None:
            with cond:
                done[index] = outcome
                cond.notify_all()

        def supervise() -> None:
            try:
                while not state["stop"]:
                    with cond:
                        limit = state["next_out"] + self.window
                    for w in self.workers:
                        if w.task is None and state["next_task"] < min(len(paths), limit):
                            i = state["next_task"]
                            state["next_task"] += 1
                            w.give(i, paths[i])
                    busy = [w for w in self.workers if w.task is not None]
                    if not busy:
                        if state["next_task"] >= len(paths):
                            return
                        with cond:
                            cond.wait(POLL)
                        continue
                    for conn in connection.wait([w.conn for w in busy], timeout=POLL):
                        w = next(x for x in busy if x.conn is conn)
                        try:
                            index, outcome = conn.recv()
                        except (EOFError, OSError):
                            self._replace(w, "crashed", finish)
                            continue
                        w.task = None
                        finish(index, outcome)
                    now = time.monotonic()
                    for w in busy:
                        if w.task is None:
                            continue
                        # memory first: a worker over both limits when the supervisor looks (it can look late on a
                        # loaded machine) is one whose memory grew, and that is the more specific reason to give
                        if _rss_mb(w.proc.pid) - w.base_rss > self.max_rss_mb:
                            self._replace(w, "memory", finish)
                        elif now - w.started > self.max_seconds:
                            self._replace(w, "timeout", finish)
            except BaseException as exc:  # noqa: BLE001 - handed to the consumer
                with cond:
                    state["error"] = exc
                    cond.notify_all()

        thread = threading.Thread(target=supervise, name="nianbao-parsers", daemon=True)
        thread.start()
        try:
            for i in range(len(paths)):
                with cond:
                    while i not in done and state["error"] is None:
                        cond.wait(0.5)
                    if i not in done:
                        raise state["error"]
                    outcome = done.pop(i)
                    state["next_out"] = i + 1
                    cond.notify_all()
                yield outcome
        finally:
            state["stop"] = True
            thread.join(timeout=5)

    def _replace(self, w: _Worker, code: str, finish) -> None:
        index, path = w.task
        seconds = time.monotonic() - w.started
        w.kill()
        code_of_death = w.proc.exitcode
        self.killed += 1
        if code == "timeout":
            reason = limits.message("timeout", limit=self.max_seconds)
        elif code == "memory":
            reason = limits.message("memory", limit=self.max_rss_mb)
        else:
            detail = f"信号 {-code_of_death}" if code_of_death and code_of_death < 0 else f"退出码 {code_of_death}"
            reason = limits.message("crashed", detail=detail)
        fresh = _Worker(self.read_one, self.max_rss_mb)
        self.workers[self.workers.index(w)] = fresh
        finish(index, Outcome(path, f"error:{code}", ReportError(str(path), code, reason), seconds))

    def close(self) -> None:
        for w in self.workers:
            if w.task is not None:
                w.kill()
            else:
                w.stop()

    def __enter__(self) -> "ParserPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_GC_THRESHOLD = (10_000, 10, 10)  # allocations before a young collection (Python's default: 700, 10, 10)
_gc_depth = 0
_gc_saved = gc.get_threshold()
_gc_lock = threading.Lock()


@contextmanager
def batch_gc():
    """A batch run's garbage collection: what exists at the start (the model, the rules, the pipeline:
    hundreds of thousands of objects that live as long as the process) is frozen out of the collector's
    scans, and young collections run every 10,000 allocations instead of 700. Each report makes and drops
    tens of thousands of small objects (its checks, its JSON), so the default collector rescanned the model
    again and again: 1.27-1.42 s of a 300-report run of 8.9-9.9 s, 0.14 s after this
    (benchmarks/batch_speed.py). Restored on exit, so what was frozen is collected as usual afterwards;
    nested and concurrent batches share one freeze. Parser processes forked inside inherit it."""
    global _gc_depth, _gc_saved
    with _gc_lock:
        _gc_depth += 1
        if _gc_depth == 1:
            _gc_saved = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(*_GC_THRESHOLD)
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0:
                gc.set_threshold(*_gc_saved)
                gc.unfreeze()


def release_memory() -> None:
    """Hand freed heap back to the system (glibc `malloc_trim`). The model's activations differ in size from
    one batch of windows to the next and each report's JSON is tens of KB, so the freed heap fragments and
    the model process grew by about 0.15 MB per report without this (benchmarks/scale.py: 870 MB at N = 500,
    1,090 MB at N = 2,000); trimmed after each chunk it stays flat. A no-op where glibc is not the C library."""
    global _TRIM
    if _TRIM is None:
        try:
            import ctypes

            _TRIM = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _TRIM = False
    if _TRIM:
        _TRIM(0)


_TRIM = None
