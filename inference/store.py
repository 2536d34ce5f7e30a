"""SQLite stores: the run store (one row per input file, written as each result is made, so a killed
run resumes without losing or duplicating a report) and the history store (what later runs compare
against: section-五 MinHash signatures, whole-report signatures, the cross-year table figures and the
section-五 problem statements that next year's report should address)."""
from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import numpy as np
import orjson

from inference.report import Report, public_dict

RUN_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    source TEXT PRIMARY KEY,      -- absolute path of the input file
    digest TEXT NOT NULL,         -- sha1 of the file bytes: a changed file is scored again
    status TEXT NOT NULL,         -- ok | error
    result TEXT,                  -- JSON: inspect --json content + statements + score
    text TEXT,                    -- the report text as loaded (offsets in `result` point into it)
    error_code TEXT,
    error TEXT,
    seconds REAL,
    created REAL NOT NULL
);
"""

HISTORY_SCHEMA = """
CREATE TABLE IF NOT EXISTS reports (
    digest TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    agency TEXT,
    year INTEGER,
    s5_minhash BLOB,
    report_minhash BLOB,
    carried_forward TEXT,         -- JSON {col: value} of t3 结转下年度
    in_force TEXT,                -- JSON {row: value} of t2 现行有效件数
    created REAL NOT NULL,
    published TEXT,               -- ISO date: publication, else signing (who copied whom)
    problems TEXT                 -- JSON [{text, categories, confidence, specific}]: section-五 problems (last year's problems)
);
"""


def _connect(path: Path, schema: str) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(str(path), timeout=30)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.executescript(schema)
    return con


class RunStore:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.con = _connect(self.path, RUN_SCHEMA)

    def done(self) -> dict[str, str]:
        """source -> digest of every file already stored (ok or error)."""
        return dict(self.con.execute("SELECT source, digest FROM results"))

    def put_ok(self, digest: str, report: Report, seconds: float) -> None:
        """Store a scored Report (keyed by `report.source`, the absolute path)."""
        with self.con:
            self.con.execute(
                "INSERT OR REPLACE INTO results VALUES (?, ?, 'ok', ?, ?, NULL, NULL, ?, ?)",
                (report.source, digest, _dumps(report), report.text, seconds, time.time()),
            )

    def put_error(self, source: str, digest: str, code: str, message: str) -> None:
        with self.con:
            self.con.execute(
                "INSERT OR REPLACE INTO results VALUES (?, ?, 'error', NULL, NULL, ?, ?, 0, ?)",
                (source, digest, code, message, time.time()),
            )

    def update_report(self, report: Report) -> str:
        """Store a re-rated Report; returns the JSON stored."""
        data = _dumps(report)
        with self.con:
            self.con.execute("UPDATE results SET result = ? WHERE source = ?", (data, report.source))
        return data

    def reports(self) -> list[tuple[str, Report]]:
        """(digest, Report) of every stored result, rebuilt exactly as it was stored."""
        rows = self.con.execute("SELECT digest, result, text FROM results WHERE status = 'ok' ORDER BY source")
        return [(digest, Report.from_dict(json.loads(result) | {"text": text})) for digest, result, text in rows]

    def iter_stored(self, batch: int = 256, text: bool = True):
        """(source, digest, stored dict, text) of every ok result, by source, fetched `batch` rows at a time:
        phase 2 of a batch streams through the store instead of holding every Report at once. text=False
        leaves the text out (None)."""
        sources = self.sources()
        for i in range(0, len(sources), batch):
            part = sources[i : i + batch]
            marks = ",".join("?" * len(part))
            rows = self.con.execute(f"SELECT source, digest, result, {'text' if text else 'NULL'} FROM results "
                                    f"WHERE source IN ({marks}) ORDER BY source", part).fetchall()
            for source, digest, result, text in rows:
                yield source, digest, json.loads(result), text

    def public_results(self, batch: int = 256):
        """Every stored result in the public schema (results.jsonl), by source, streamed."""
        for _source, _digest, stored, _text in self.iter_stored(batch, text=False):
            yield public_dict(stored)

    def dates(self) -> list[tuple[str, str | None]]:
        """(source, publication else signing date) of every ok result, read in SQL without parsing the results."""
        return list(self.con.execute(
            "SELECT source, COALESCE(NULLIF(json_extract(result, '$.published_on'), ''), "
            "NULLIF(json_extract(result, '$.signed_on'), '')) FROM results WHERE status = 'ok' ORDER BY source"))

    def free_text(self, source: str) -> str | None:
        """Sections 一, 五 and 六 of one stored result (what the copying finding compares), None when missing."""
        from inference.findings import free_text_of

        row = self.con.execute("SELECT text, json_extract(result, '$.sections') FROM results "
                               "WHERE source = ? AND status = 'ok'", (source,)).fetchone()
        return free_text_of(row[0] or "", json.loads(row[1] or "[]")) if row else None

    def sources(self) -> list[str]:
        """Sources of every ok result, sorted."""
        return [r[0] for r in self.con.execute("SELECT source FROM results WHERE status = 'ok' ORDER BY source")]

    def digests(self) -> set[str]:
        return {r[0] for r in self.con.execute("SELECT digest FROM results WHERE status = 'ok'")}

    def get(self, source: str) -> Report | None:
        """The stored Report of one source (None when it is missing or failed)."""
        row = self.con.execute("SELECT result, text FROM results WHERE source = ? AND status = 'ok'", (source,)).fetchone()
        return Report.from_dict(json.loads(row[0]) | {"text": row[1]}) if row else None

    def rows(self) -> list[tuple[str, str, str | None, str | None]]:
        """(source, status, error_code, error) of every stored file."""
        return list(self.con.execute("SELECT source, status, error_code, error FROM results ORDER BY source"))

    def text(self, source: str) -> str:
        row = self.con.execute("SELECT text FROM results WHERE source = ?", (source,)).fetchone()
        return (row[0] or "") if row else ""

    def errors(self) -> list[dict]:
        rows = self.con.execute("SELECT source, error_code, error FROM results WHERE status = 'error' ORDER BY source")
        return [{"source": s, "code": c, "error": e} for s, c, e in rows]

    def count(self) -> int:
        return self.con.execute("SELECT COUNT(*) FROM results").fetchone()[0]

    def close(self) -> None:
        self.con.close()


class HistoryStore:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.con = _connect(self.path, HISTORY_SCHEMA)
        cols = {row[1] for row in self.con.execute("PRAGMA table_info(reports)")}
        for col in ("published", "problems"):  # a store written before dates / problems were kept
            if col not in cols:
                with self.con:
                    self.con.execute(f"ALTER TABLE reports ADD COLUMN {col} TEXT")

    def add(self, digest: str, source: str, agency: str | None, year: int | None, s5: np.ndarray | None,
            whole: np.ndarray | None, carried_forward: dict, in_force: dict, published: str | None = None,
            problems: list[dict] | None = None) -> None:
        with self.con:
            self.con.execute(
                "INSERT OR REPLACE INTO reports (digest, source, agency, year, s5_minhash, report_minhash, "
                "carried_forward, in_force, created, published, problems) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (digest, source, agency, year, signature_bytes(s5), signature_bytes(whole), json.dumps(carried_forward),
                 json.dumps(in_force), time.time(), published,
                 None if problems is None else json.dumps(problems, ensure_ascii=False)),
            )

    def all(self) -> list[dict]:
        rows = self.con.execute(
            "SELECT digest, source, agency, year, s5_minhash, report_minhash, carried_forward, in_force, published, "
            "problems FROM reports ORDER BY source, digest"
        )
        return [
            {"digest": d, "source": s, "agency": a, "year": y, "s5": signature_array(m5), "whole": signature_array(mw),
             "carried_forward": json.loads(cf or "{}"), "in_force": json.loads(inf or "{}"), "published": pub,
             "problems": None if pr is None else json.loads(pr)}
            for d, s, a, y, m5, mw, cf, inf, pub, pr in rows
        ]

    def close(self) -> None:
        self.con.close()


def signature_bytes(a: np.ndarray | None) -> bytes | None:
    """A MinHash signature as stored (history store; hex in a Ray row): its uint64 values' bytes."""
    return None if a is None else np.asarray(a, dtype=np.uint64).tobytes()


def signature_array(b: bytes | None) -> np.ndarray | None:
    return None if b is None else np.frombuffer(b, dtype=np.uint64)


def _stored_dict(report: Report) -> dict:
    """The Report as stored: `to_dict()` without the text, which has its own column."""
    d = report.to_dict()
    d.pop("text")
    return d


def _dumps(report: Report) -> str:
    return dumps(_stored_dict(report))


def dumps(obj) -> str:
    """JSON text of a result (UTF-8 characters as they are, compact): orjson writes the 60 KB of a stored
    result about five times faster than the json module, and a batch writes each one two or three times."""
    return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS).decode("utf-8")
