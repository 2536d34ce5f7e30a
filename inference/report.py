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
# inferred: a cell of an ambiguous row that every arithmetically consistent reading agrees on (value set)
CellState = Literal["number", "blank", "missing", "ambiguous", "invalid", "inferred"]
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
    confidence: float | None = None  # OCR-read cells only: the recogniser's score (0..1)


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

    def to_dict(self, full: bool = True) -> dict[str, Any]:
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
        conf = {f"{r}.{c}": cell.confidence for r, cols in self.rows.items() for c, cell in cols.items()
                if cell.confidence is not None}
        if conf:
            out["ocr_confidence"] = conf  # cells read by OCR: the recogniser's score
        if self.key in ("t2", "t4"):
            out.update(rows)  # schema: tables.t2.regulations.made, tables.t4.review.total
        if not full:
            return out
        # where each figure was read (raw text and offsets): what the round trip needs beyond the schema
        out["cells"] = {r: {c: [cell.raw, cell.start, cell.end] for c, cell in cols.items()} for r, cols in self.rows.items()}
        return out

    @classmethod
    def from_dict(cls, key: str, d: dict[str, Any]) -> "Table":
        states, cells = d.get("non_numeric_cells", {}), d.get("cells", {})
        conf = d.get("ocr_confidence", {})
        rows = {}
        for r, cols in d.get("rows", {}).items():
            rows[r] = {}
            for c, value in cols.items():
                raw, start, end = cells.get(r, {}).get(c, ["", None, None])
                rows[r][c] = Cell(value, states.get(f"{r}.{c}", "number"), raw, start, end, conf.get(f"{r}.{c}"))
        return cls(key, d["found"], d["format"], d["layout"], rows, list(d.get("ambiguous_rows", [])),
                   list(d.get("notes", [])), d.get("start"), d.get("end"))


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

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Evidence":
        return cls(**d)


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
        return cls(d["id"], d["status"], d["message"], [Evidence.from_dict(e) for e in d.get("evidence", [])])


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

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Statement":
        return cls(d["text"], d["start"], d["end"], d["section"], d["role"], list(d.get("categories", [])),
                   d.get("specific", False), d.get("status"), d.get("confidence", 0.0))


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
                   [Evidence.from_dict(e) for e in d.get("evidence", [])], d.get("treatment"))


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

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Score":
        return cls(d["total"], d["grade"], d["parts"], [Deduction.from_dict(x) for x in d.get("deductions", [])])


@dataclass
class BatchInfo:
    """What a batch (and the history store) found about one report: near-duplicates and the previous year's report."""
    similar: list[dict[str, Any]] = field(default_factory=list)  # {"scope": "section5"|"report", "other": str, "similarity": float}
    previous_year: str | None = None  # source of the same body's report for the year before
    # that report's section-五 problems: {"source", "year", "problems": [{text, categories, confidence, specific}]};
    # None when no previous report is known (or its history entry predates stored problems)
    last_year: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"similar": [dict(m) for m in self.similar], "previous_year": self.previous_year,
                "last_year": self.last_year}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "BatchInfo":
        return cls([dict(m) for m in d.get("similar", [])], d.get("previous_year"), d.get("last_year"))


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
    batch: BatchInfo | None = None  # set by batch runs only
    provenance: dict[str, Any] = field(default_factory=dict)  # nianbao version, model id/sha256, rubric version, rules hash
    # text read by OCR (inference/ocr.py): {"regions": [{"where", "start", "end", "confidence"}],
    # "spans": [[start, end, confidence], ...]} -- empty when nothing came from OCR
    ocr: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # Chinese: what a per-file limit cut or replaced (data/limits.json)

    def section(self, number: int) -> Section | None:
        return next((s for s in self.sections if s.number == number), None)

    def section_text(self, number: int) -> str:
        s = self.section(number)
        return self.text[s.body_start : s.end] if s else ""

    def check(self, check_id: str) -> CheckResult | None:
        return next((c for c in self.checks if c.id == check_id), None)

    def to_dict(self, full: bool = True) -> dict[str, Any]:
        """The `inspect --json` schema (+ statements, score, batch, provenance); `full` adds what `from_dict`
        needs to rebuild the Report exactly (text, removed ranges, raw tables, offsets of facts and cells)."""
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
                    "body_start": s.body_start,
                }
                for s in self.sections
            ],
            "tables": {k: t.to_dict(full) for k, t in self.tables.items()},
            "checks": [c.to_dict() for c in self.checks],
        }
        if self.statements:
            out["statements"] = [s.to_dict() for s in self.statements]
        if self.score is not None:
            out["score"] = self.score.to_dict()
        if self.batch is not None:
            out["batch"] = self.batch.to_dict()
        if self.provenance:
            out["provenance"] = dict(self.provenance)
        if self.ocr:
            out["ocr"] = {"regions": [dict(r) for r in self.ocr.get("regions", [])],
                          "values": dict(self.ocr.get("values", {}))}  # metadata field -> OCR score
        if self.notes:
            out["notes"] = list(self.notes)
        if not full:
            return out
        # beyond the inspect --json schema: what `from_dict` needs to rebuild the Report exactly
        out["text"] = self.text
        out["norm"] = None if self.norm and self.norm == derived_norm(self.text, self.removed) else self.norm
        out["removed"] = [list(r) for r in self.removed]
        out["raw_tables"] = [{"start": t.start, "end": t.end,
                              "cells": [[[c.text, c.start, c.end, c.spanned] for c in row] for row in t.cells]}
                             for t in self.raw_tables]
        out["meta_spans"] = {k: list(v) for k, v in m.spans.items()}
        if self.ocr:
            out["ocr_spans"] = [list(s) for s in self.ocr.get("spans", [])]
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Report":
        """Inverse of `to_dict`: `Report.from_dict(r.to_dict()) == r`."""
        text, removed = d["text"], [tuple(r) for r in d.get("removed", [])]
        norm = d.get("norm")
        if norm is None:
            norm = derived_norm(text, removed)
        meta = Metadata(d.get("agency"), d.get("year"), d.get("published_on"), d.get("signed_on"),
                        tuple(d["period"]) if d.get("period") else None, d.get("contact"), d.get("url"),
                        d.get("format", "unknown"), d.get("level"), {k: tuple(v) for k, v in d.get("meta_spans", {}).items()})
        sections = [Section(s["number"], s["title"], s["start"], s["body_start"], s["end"],
                            [Subpart(p["title"], p["start"], p["end"], p.get("kind", "")) for p in s.get("subparts", [])])
                    for s in d.get("sections", [])]
        raw_tables = [RawTable([[GridCell(*c) for c in row] for row in t["cells"]], t["start"], t["end"])
                      for t in d.get("raw_tables", [])]
        return cls(
            source=d["source"], text=text, kind=d.get("kind", "txt"), encoding=d.get("encoding"), norm=norm,
            removed=removed, raw_tables=raw_tables, meta=meta, sections=sections,
            tables={k: Table.from_dict(k, t) for k, t in d.get("tables", {}).items()},
            checks=[CheckResult.from_dict(c) for c in d.get("checks", [])],
            statements=[Statement.from_dict(s) for s in d.get("statements", [])],
            score=Score.from_dict(d["score"]) if d.get("score") else None,
            batch=BatchInfo.from_dict(d["batch"]) if d.get("batch") else None,
            provenance=dict(d.get("provenance", {})),
            ocr={"regions": [dict(r) for r in d["ocr"].get("regions", [])],
                 "spans": [list(s) for s in d.get("ocr_spans", [])],
                 "values": dict(d["ocr"].get("values", {}))} if d.get("ocr") else {},
            notes=list(d.get("notes", [])),
        )


def derived_norm(text: str, removed: list[tuple[int, int, str]]) -> str:
    """`norm` as the clean stage makes it: `text` normalised one-for-one, the removed ranges blanked."""
    from inference.textnorm import blank_ranges, normalise_chars

    return blank_ranges(normalise_chars(text), [(s, e) for s, e, _ in removed])


ROUND_TRIP_ONLY = ("text", "norm", "removed", "raw_tables", "meta_spans", "ocr_spans")


def public_dict(full: dict[str, Any]) -> dict[str, Any]:
    """`to_dict(full=True)` output reduced to the public schema (what results.jsonl and inspect --json show)."""
    out = {k: v for k, v in full.items() if k not in ROUND_TRIP_ONLY}
    out["tables"] = {k: {f: v for f, v in t.items() if f != "cells"} for k, t in full.get("tables", {}).items()}
    return out
