"""The engine behind the service: one loaded pipeline per process, background workers that score the files of
each batch into the batch's run store (`inference/store.py`, the same file `nianbao score` writes), and the
batch phase that compares a finished batch with itself and the shared history store.

Workers are threads: the per-report components run in parallel; the statement model (one tokenizer, one
torch model) is called under a lock. Items left queued or running by a stopped server are queued again on
start, so a restart resumes the batch.
"""
from __future__ import annotations

import hashlib
import queue
import re
import threading
import time
from pathlib import Path

from inference.errors import ReportError
from inference.report import Report
from inference.service.db import ServiceDB
from inference.workers import batch_gc

BATCH_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
ROOT_BATCH = "_root"
CHUNK = 8  # files per job: one statement-model call each (progress is still reported per file)  # the store folder itself, when it is a `nianbao score --out` folder


def valid_batch_id(batch_id: str) -> bool:
    return batch_id == ROOT_BATCH or (bool(BATCH_ID.match(batch_id)) and ".." not in batch_id)


class Engine:
    def __init__(self, root: Path, db: ServiceDB, nlp, workers: int = 1):
        self.root, self.db, self.nlp = Path(root), db, nlp
        self.n_workers = max(1, workers)
        self.model_lock = threading.Lock()
        self.batch_lock = threading.Lock()
        self.queue: queue.Queue = queue.Queue()
        self.threads: list[threading.Thread] = []
        self.stopping = threading.Event()
        self._busy = 0
        self._busy_lock = threading.Lock()

    # -- folders ------------------------------------------------------------------------------------------
    def folder(self, batch_id: str) -> Path:
        if not valid_batch_id(batch_id):
            raise ValueError(batch_id)
        return self.root if batch_id == ROOT_BATCH else self.root / batch_id

    def uploads(self, batch_id: str) -> Path:
        return self.folder(batch_id) / "uploads"

    def run_store(self, batch_id: str):
        from inference.store import RunStore

        return RunStore(self.folder(batch_id) / "run.sqlite")

    def history(self):
        from inference.store import HistoryStore

        return HistoryStore(self.root / "history.sqlite")

    # -- scoring ------------------------------------------------------------------------------------------
    def score_path(self, path: Path, source: str) -> Report:
        """Read, tag and rate one file (raises ReportError); `source` names it in the result."""
        report = self.nlp.read(Path(path))
        report.source = source
        with self.model_lock:
            return self.nlp.finish([report])[0]

    def history_entry(self, source: str) -> dict | None:
        """The shared history store's entry of one report (table figures for the cross-year checks)."""
        hist = self.history()
        try:
            row = hist.con.execute("SELECT source, agency, year, carried_forward, in_force FROM reports WHERE source = ? "
                                   "ORDER BY created DESC LIMIT 1", (source,)).fetchone()
        finally:
            hist.close()
        if row is None:
            return None
        import json

        return {"source": row[0], "agency": row[1], "year": row[2], "carried_forward": json.loads(row[3] or "{}"),
                "in_force": json.loads(row[4] or "{}")}

    def rescore(self, report: Report) -> Report:
        """Re-rate a Report through the pipeline's score component (no file is read again)."""
        return self.nlp.get_pipe("score")(report)

    # -- workers ------------------------------------------------------------------------------------------
    def start(self) -> None:
        pending: dict[str, list[str]] = {}
        for item in self.db.rows("SELECT id, batch_id FROM items WHERE status IN ('queued', 'running') ORDER BY batch_id, seq"):
            pending.setdefault(item["batch_id"], []).append(item["id"])
        for batch_id, ids in pending.items():
            self._enqueue(batch_id, ids)
        for b in self.db.rows("SELECT id FROM batches WHERE status IN ('queued', 'running')"):
            if b["id"] not in pending:
                self.queue.put((b["id"], ()))  # stopped between the last file and the batch phase
        for i in range(self.n_workers):
            t = threading.Thread(target=self._loop, name=f"nianbao-worker-{i}", daemon=True)
            t.start()
            self.threads.append(t)

    def stop(self) -> None:
        self.stopping.set()
        for _ in self.threads:
            self.queue.put(None)
        for t in self.threads:
            t.join(timeout=10)

    def submit(self, batch_id: str) -> None:
        self._enqueue(batch_id, [item["id"] for item in self.db.items(batch_id) if item["status"] == "queued"])

    def _enqueue(self, batch_id: str, ids: list[str]) -> None:
        """Jobs of up to CHUNK files: each job's reports go through the statement model in one call."""
        for i in range(0, len(ids), CHUNK):
            self.queue.put((batch_id, tuple(ids[i:i + CHUNK])))

    def queued(self) -> int:
        return self.queue.qsize() + self._busy

    def wait_idle(self, timeout: float = 120.0) -> bool:
        """Block until no work is queued or running (tests, benchmarks)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.queue.unfinished_tasks == 0:
                return True
            time.sleep(0.02)
        return False

    def _loop(self) -> None:
        while True:
            job = self.queue.get()
            try:
                if job is None:
                    return
                with self._busy_lock:
                    self._busy += 1
                batch_id, item_ids = job
                with batch_gc():  # as in `nianbao score`: the loaded model is not rescanned per report
                    if item_ids:
                        self._score_items(batch_id, item_ids)
                    self._maybe_finish(batch_id)
            except Exception as exc:  # a worker must survive any one job
                import logging

                logging.getLogger("nianbao.service").exception("job %s failed: %s", job, exc)
            finally:
                if job is not None:
                    with self._busy_lock:
                        self._busy -= 1
                self.queue.task_done()

    def _score_items(self, batch_id: str, item_ids: tuple[str, ...]) -> None:
        """Read each file (per-report components), then tag and rate them together, then store each."""
        from inference.batch import digest_of, store_scored

        if self.db.batch(batch_id)["status"] == "queued":
            self.db.set_batch_status(batch_id, "running")
        store, hist = self.run_store(batch_id), self.history()
        try:
            read = []
            for item_id in item_ids:
                item = self.db.item(item_id)
                if item is None or item["status"] not in ("queued", "running"):
                    continue
                self.db.set_item(item_id, "running")
                path = self.uploads(batch_id) / item["stored"]
                digest = digest_of(path)
                t0 = time.perf_counter()
                try:
                    report = self.nlp.read(path)
                    report.source = item["source"]
                except Exception as exc:  # ReportError; a parser bug must not take the batch down either
                    code, reason = (exc.code, exc.reason) if isinstance(exc, ReportError) else \
                        ("internal", f"内部错误：{type(exc).__name__}")
                    store.put_error(item["source"], digest, code, reason)
                    self.db.set_item(item_id, "error", code, reason, time.perf_counter() - t0)
                    continue
                read.append((item_id, digest, report, time.perf_counter() - t0))
            if not read:
                return
            t0 = time.perf_counter()
            try:
                with self.model_lock:
                    self.nlp.finish([r for _, _, r, _ in read])
            except Exception as exc:  # the model or the rubric failed: every file of the job is marked
                reason = f"内部错误：{type(exc).__name__}"
                for item_id, digest, report, _ in read:
                    store.put_error(report.source, digest, "internal", reason)
                    self.db.set_item(item_id, "error", "internal", reason)
                import logging

                logging.getLogger("nianbao.service").exception("scoring failed in batch %s: %s", batch_id, exc)
                return
            shared = (time.perf_counter() - t0) / len(read)
            for item_id, digest, report, seconds in read:
                store_scored(store, hist, digest, report, seconds + shared)
                self.db.set_item(item_id, "ok", seconds=seconds + shared)
            self.db.set_summary(batch_id, [(r.source, r.to_dict(full=False)) for _, _, r, _ in read])
        finally:
            store.close()
            hist.close()

    def _maybe_finish(self, batch_id: str) -> None:
        """When the last file of a batch is done: the batch phase (copying, cross-year), once."""
        from inference.batch import apply_batch_findings

        with self.batch_lock:
            batch = self.db.batch(batch_id)
            if batch is None or batch["status"] in ("done", "failed"):
                return
            if self.db.row("SELECT 1 FROM items WHERE batch_id = ? AND status IN ('queued', 'running')", (batch_id,)):
                return
            store, hist = self.run_store(batch_id), self.history()
            try:
                apply_batch_findings(self.nlp, store, hist)
                self.refresh_summaries(batch_id, store)
                self.db.set_batch_status(batch_id, "done")
            except Exception:
                self.db.set_batch_status(batch_id, "failed")
                raise
            finally:
                store.close()
                hist.close()

    # -- folders scored on the command line ---------------------------------------------------------------
    def import_folders(self) -> list[str]:
        """Register every `nianbao score --out` folder in the store (DIR/NAME/run.sqlite, or DIR/run.sqlite
        itself) that is not yet a batch. Returns the new batch ids."""
        found = []
        if (self.root / "run.sqlite").is_file():
            found.append(ROOT_BATCH)
        for sub in sorted(self.root.iterdir()) if self.root.is_dir() else []:
            if sub.is_dir() and not sub.is_symlink() and BATCH_ID.match(sub.name) and (sub / "run.sqlite").is_file():
                found.append(sub.name)
        new = []
        for batch_id in found:
            if self.db.batch(batch_id) is not None:
                continue
            store = self.run_store(batch_id)
            try:
                rows = store.rows()
            finally:
                store.close()
            title = self.root.name if batch_id == ROOT_BATCH else batch_id
            self.db.add_batch(batch_id, f"命令行评分：{title}", "cli", "done", None)
            for seq, (source, status, code, err) in enumerate(rows):
                self.db.add_item(report_id(batch_id, source), batch_id, seq, Path(source).name, None, source,
                                 status, code, err)
            store = self.run_store(batch_id)
            try:
                self.refresh_summaries(batch_id, store)
            finally:
                store.close()
            new.append(batch_id)
        return new

    def refresh_summaries(self, batch_id: str, store) -> None:
        """The items' summary columns from the run store (after the batch phase may have changed scores)."""
        import json

        rows = store.con.execute("SELECT source, result FROM results WHERE status = 'ok'")
        self.db.set_summary(batch_id, [(source, json.loads(result)) for source, result in rows])


def report_id(batch_id: str, source: str) -> str:
    return hashlib.sha1(f"{batch_id}\0{source}".encode()).hexdigest()[:16]
