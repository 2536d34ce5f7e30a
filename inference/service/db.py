"""service.sqlite: users, sessions, batches, the files of each batch (items) and the review audit trail.

Scored results never live here: they are in each batch's run store (`inference/store.py`), exactly as
`nianbao score` writes them. Reviews are an append-only audit table; the machine's result is never changed.
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,            -- viewer | reviewer | admin
    hash TEXT NOT NULL,            -- argon2id
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,   -- sha256 of the cookie value (the cookie itself is never stored)
    user TEXT,                     -- NULL: the anonymous local session (loopback without accounts)
    csrf TEXT NOT NULL,
    created REAL NOT NULL,
    expires REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS batches (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    origin TEXT NOT NULL,          -- upload | cli (a folder scored by `nianbao score`)
    status TEXT NOT NULL,          -- queued | running | done | failed
    created REAL NOT NULL,
    created_by TEXT,
    finished REAL
);
CREATE TABLE IF NOT EXISTS items (
    id TEXT PRIMARY KEY,           -- the report id of the API
    batch_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    name TEXT NOT NULL,            -- the uploaded file name, for display only (never a path)
    stored TEXT,                   -- generated file name under DIR/<batch>/uploads/
    source TEXT NOT NULL,          -- key of the result in the batch's run store
    status TEXT NOT NULL,          -- queued | running | ok | error
    error_code TEXT,
    error TEXT,
    seconds REAL,
    agency TEXT,                   -- summary of the machine's result (after the batch phase), for listings
    year INTEGER,
    level TEXT,
    score REAL,
    grade TEXT
);
CREATE INDEX IF NOT EXISTS items_batch ON items(batch_id, seq);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id TEXT NOT NULL,
    user TEXT NOT NULL,
    at REAL NOT NULL,
    kind TEXT NOT NULL,            -- deduction | statement
    target TEXT NOT NULL,          -- deduction key | statement "start-end"
    value TEXT NOT NULL,           -- JSON: {"decision": ...} | {"role", "categories", "specific", "status"}
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS audit_report ON audit(report_id, id);
"""


class ServiceDB:
    """One connection per thread (sqlite3 connections are not shared across threads)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self.con:
            self.con.executescript(SCHEMA)

    @property
    def con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(str(self.path), timeout=30)
            con.row_factory = sqlite3.Row
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            self._local.con = con
        return con

    def execute(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        with self.con:
            return self.con.execute(sql, args)

    def rows(self, sql: str, args: tuple = ()) -> list[dict]:
        return [dict(r) for r in self.con.execute(sql, args)]

    def row(self, sql: str, args: tuple = ()) -> dict | None:
        r = self.con.execute(sql, args).fetchone()
        return dict(r) if r else None

    # -- users -------------------------------------------------------------------------------------------
    def user(self, name: str) -> dict | None:
        return self.row("SELECT * FROM users WHERE name = ?", (name,))

    def users(self) -> list[dict]:
        return self.rows("SELECT name, role, created FROM users ORDER BY name")

    def user_count(self) -> int:
        return self.con.execute("SELECT COUNT(*) FROM users").fetchone()[0]

    def put_user(self, name: str, role: str, hash_: str) -> None:
        self.execute("INSERT OR REPLACE INTO users VALUES (?, ?, ?, ?)", (name, role, hash_, time.time()))

    def delete_user(self, name: str) -> None:
        self.execute("DELETE FROM users WHERE name = ?", (name,))
        self.execute("DELETE FROM sessions WHERE user = ?", (name,))

    # -- batches and items -------------------------------------------------------------------------------
    def add_batch(self, batch_id: str, title: str, origin: str, status: str, user: str | None) -> None:
        self.execute("INSERT INTO batches VALUES (?, ?, ?, ?, ?, ?, NULL)", (batch_id, title, origin, status, time.time(), user))

    def batch(self, batch_id: str) -> dict | None:
        return self.row("SELECT * FROM batches WHERE id = ?", (batch_id,))

    def batches(self) -> list[dict]:
        return self.rows(
            "SELECT b.*, COUNT(i.id) AS total, SUM(i.status IN ('ok', 'error')) AS finished_items, "
            "SUM(i.status = 'error') AS errors FROM batches b LEFT JOIN items i ON i.batch_id = b.id "
            "GROUP BY b.id ORDER BY b.created DESC")

    def set_batch_status(self, batch_id: str, status: str) -> None:
        finished = time.time() if status in ("done", "failed") else None
        self.execute("UPDATE batches SET status = ?, finished = ? WHERE id = ?", (status, finished, batch_id))

    def add_item(self, item_id: str, batch_id: str, seq: int, name: str, stored: str | None, source: str,
                 status: str = "queued", error_code: str | None = None, error: str | None = None) -> None:
        self.execute("INSERT INTO items (id, batch_id, seq, name, stored, source, status, error_code, error) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (item_id, batch_id, seq, name, stored, source, status, error_code, error))

    def items(self, batch_id: str) -> list[dict]:
        return self.rows("SELECT * FROM items WHERE batch_id = ? ORDER BY seq", (batch_id,))

    def item(self, item_id: str) -> dict | None:
        return self.row("SELECT * FROM items WHERE id = ?", (item_id,))

    def item_by_source(self, batch_id: str, source: str) -> dict | None:
        return self.row("SELECT * FROM items WHERE batch_id = ? AND source = ?", (batch_id, source))

    def set_item(self, item_id: str, status: str, error_code: str | None = None, error: str | None = None,
                 seconds: float | None = None) -> None:
        self.execute("UPDATE items SET status = ?, error_code = ?, error = ?, seconds = ? WHERE id = ?",
                     (status, error_code, error, seconds, item_id))

    def set_summary(self, batch_id: str, summaries: list[tuple[str, dict]]) -> None:
        """(source, public or full result dict) of a batch's scored reports -> the items' summary columns."""
        with self.con:
            self.con.executemany(
                "UPDATE items SET agency = ?, year = ?, level = ?, score = ?, grade = ? WHERE batch_id = ? AND source = ?",
                [(d.get("agency"), d.get("year"), d.get("level"), d["score"]["total"], d["score"]["grade"], batch_id, source)
                 for source, d in summaries if d.get("score")])

    # -- audit -------------------------------------------------------------------------------------------
    def add_audit(self, report_id: str, user: str, kind: str, target: str, value: dict, note: str) -> None:
        self.execute("INSERT INTO audit (report_id, user, at, kind, target, value, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (report_id, user, time.time(), kind, target, json.dumps(value, ensure_ascii=False), note))

    def audit(self, report_id: str) -> list[dict]:
        rows = self.rows("SELECT * FROM audit WHERE report_id = ? ORDER BY id", (report_id,))
        for r in rows:
            r["value"] = json.loads(r["value"])
        return rows

    def reviewed_report_ids(self, batch_id: str | None = None) -> list[str]:
        if batch_id is None:
            return [r["report_id"] for r in self.rows("SELECT DISTINCT report_id FROM audit ORDER BY report_id")]
        return [r["report_id"] for r in self.rows(
            "SELECT DISTINCT a.report_id FROM audit a JOIN items i ON i.id = a.report_id WHERE i.batch_id = ? "
            "ORDER BY a.report_id", (batch_id,))]
