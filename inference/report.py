"""The one document object that flows through the pipeline.

load -> clean -> metadata -> sections -> tables -> checks -> statements -> score.
Every stage takes a `Report`, fills its own fields and returns it.

Offsets: `text` is the text as loaded (decoded file, or text extracted from HTML/DOCX/PDF).
`norm` has exactly the same length; characters are normalised one-for-one (full-width digits and
punctuation to half-width) and boilerplate/duplicate regions are blanked with spaces (newlines
kept). So every offset found while parsing `norm` is also an offset into `text`, and evidence
can always quote the original characters.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

CheckStatus = Literal["pass", "fail", "uncertain", "not_assessable"]
CellState = Literal["number", "blank", "missing", "ambiguous", "invalid"]
FormatVersion = Literal["2021", "2019", "older", "unknown"]


@dataclass
class Span:
    start: int
    end: int


@dataclass
class RawTable:
    """A table the loader read from real markup (HTML <table>, DOCX table, PDF table).

    `cells[r][c]` is the grid after rowspan/colspan expansion; a spanned cell repeats its text with
    `spanned=True` on every copy but the first. Offsets point into Report.text, where the loader
    also wrote the table out as one line per row.
    """
    cells: list[list["GridCell"]]
    start: int
    end: int


@dataclass
class GridCell:
    text: str
    start: int
    end: int
    spanned: bool = False


@dataclass
class Cell:
    """One numeric cell of tables 2/3/4. `value` is None unless state == 'number'."""
    value: int | float | None
    state: CellState
    raw: str = ""
    start: int | None = None
    end: int | None = None


@dataclass
class Table:
    key: str  # "t2", "t3", "t4"
    found: bool = False
    format: FormatVersion = "unknown"
    layout: str = ""  # pipe | cell_per_line | run_together | grid | mixed
    rows: dict[str, dict[str, Cell]] = field(default_factory=dict)
    ambiguous_rows: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # Chinese, user-facing
    start: int | None = None
    end: int | None = None

    def value(self, row: str, col: str) -> int | float | None:
        cell = self.rows.get(row, {}).get(col)
        return cell.value if cell is not None else None

    def cell(self, row: str, col: str) -> Cell | None:
        return self.rows.get(row, {}).get(col)

    def to_dict(self) -> dict[str, Any]:
        rows = {r: {c: cell.value for c, cell in cols.items()} for r, cols in self.rows.items()}
        states = {
            f"{r}.{c}": cell.state
            for r, cols in self.rows.items()
            for c, cell in cols.items()
            if cell.state != "number"
        }
        out: dict[str, Any] = {
            "found": self.found,
            "format": self.format,
            "layout": self.layout,
            "rows": rows,
            "non_numeric_cells": states,
            "ambiguous_rows": list(self.ambiguous_rows),
            "notes": list(self.notes),
            "start": self.start,
            "end": self.end,
        }
        if self.key in ("t2", "t4"):
            out.update(rows)  # schema: tables.t2.regulations.made, tables.t4.review.total
        return out


@dataclass
class Subpart:
    title: str
    start: int
    end: int
    kind: str = ""  # e.g. "主动公开", "problems", "improvements"


@dataclass
class Section:
    number: int  # 1..6
    title: str
    start: int  # heading start
    body_start: int  # first character after the heading line
    end: int
    subparts: list[Subpart] = field(default_factory=list)


@dataclass
class Metadata:
    agency: str | None = None
    year: int | None = None
    published_on: str | None = None  # ISO date
    signed_on: str | None = None
    period: tuple[str, str] | None = None
    contact: str | None = None
    url: str | None = None
    format: FormatVersion = "unknown"
    level: str | None = None  # 省/市/县/乡镇/街道/部门/开发区 ... guessed from the agency name
    # text offsets of each fact, for evidence: {"agency": (s, e), "year": (s, e), ...}
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass
class Evidence:
    """Either a table cell (path like 't3.new_received.total') or a text span."""
    path: str | None = None
    value: Any = None
    start: int | None = None
    end: int | None = None
    text: str | None = None

    def to_dict(self) -> dict[str, Any]:
        # built by hand: dataclasses.asdict deep-copies and dominated batch output time
        out = {"path": self.path, "value": self.value, "start": self.start, "end": self.end, "text": self.text}
        return {k: v for k, v in out.items() if v is not None}


@dataclass
class CheckResult:
    id: str
    status: CheckStatus
    message: str  # Chinese
    evidence: list[Evidence] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "message": self.message,
            "evidence": [e.to_dict() for e in self.evidence],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "CheckResult":
        return cls(d["id"], d["status"], d["message"], [Evidence(**e) for e in d.get("evidence", [])])


@dataclass
class Statement:
    text: str
    start: int
    end: int
    section: int
    role: str  # problem | remedy | other
    categories: list[str] = field(default_factory=list)
    specific: bool = False
    status: str | None = None  # done | planned, remedies only
    confidence: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end, "section": self.section, "role": self.role,
                "categories": list(self.categories), "specific": self.specific, "status": self.status,
                "confidence": self.confidence}


@dataclass
class Deduction:
    part: str
    points: float
    reason: str  # Chinese
    check_id: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    treatment: str | None = None  # how an uncertain / not-assessable input was treated

    def to_dict(self) -> dict[str, Any]:
        return {"part": self.part, "points": self.points, "reason": self.reason, "check_id": self.check_id,
                "evidence": [e.to_dict() for e in self.evidence], "treatment": self.treatment}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Deduction":
        return cls(d["part"], d["points"], d["reason"], d.get("check_id"),
                   [Evidence(**e) for e in d.get("evidence", [])], d.get("treatment"))


@dataclass
class Score:
    total: float
    grade: str
    parts: dict[str, dict[str, Any]]  # part -> {"name": .., "max": .., "score": ..}
    deductions: list[Deduction] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "grade": self.grade,
            "parts": self.parts,
            "deductions": [d.to_dict() for d in self.deductions],
        }


@dataclass
class Report:
    source: str
    text: str
    kind: str = "txt"  # txt | html | docx | pdf
    encoding: str | None = None
    norm: str = ""
    removed: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, reason) blanked by cleaning
    raw_tables: list[RawTable] = field(default_factory=list)
    meta: Metadata = field(default_factory=Metadata)
    sections: list[Section] = field(default_factory=list)
    tables: dict[str, Table] = field(default_factory=dict)
    checks: list[CheckResult] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    score: Score | None = None

    def section(self, number: int) -> Section | None:
        return next((s for s in self.sections if s.number == number), None)

    def section_text(self, number: int) -> str:
        s = self.section(number)
        return self.text[s.body_start : s.end] if s else ""

    def check(self, check_id: str) -> CheckResult | None:
        return next((c for c in self.checks if c.id == check_id), None)

    def to_dict(self) -> dict[str, Any]:
        m = self.meta
        out: dict[str, Any] = {
            "source": self.source,
            "agency": m.agency,
            "year": m.year,
            "published_on": m.published_on,
            "signed_on": m.signed_on,
            "period": list(m.period) if m.period else None,
            "contact": m.contact,
            "url": m.url,
            "level": m.level,
            "format": m.format,
            "kind": self.kind,
            "encoding": self.encoding,
            "sections": [
                {
                    "number": s.number,
                    "title": s.title,
                    "start": s.start,
                    "end": s.end,
                    "subparts": [{"title": p.title, "start": p.start, "end": p.end, "kind": p.kind} for p in s.subparts],
                }
                for s in self.sections
            ],
            "tables": {k: t.to_dict() for k, t in self.tables.items()},
            "checks": [c.to_dict() for c in self.checks],
        }
        if self.statements:
            out["statements"] = [s.to_dict() for s in self.statements]
        if self.score is not None:
            out["score"] = self.score.to_dict()
        return out
