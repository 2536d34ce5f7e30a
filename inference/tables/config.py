"""The table reader's configuration: row, column and header labels of tables 2/3/4 and their variants for the 2021 and 2019 formats, read from data/table_labels.json."""
from __future__ import annotations

from collections.abc import Iterable

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from inference import rules
from inference.tables.text import _key, _strip_enum, simple_norm

@dataclass(frozen=True)
class _Label:
    key: str
    kind: str  # row | group | header
    target: str = ""  # row key for kind == "row"
    weak: bool = False


@dataclass
class _RowSpec:
    key: str
    name: str
    cols: list[str]
    labels: list[str]
    single_row_of: list[str] = field(default_factory=list)
    fmt: str | None = None


@dataclass
class _TableSpec:
    key: str
    name: str
    rows: list[_RowSpec]
    labels: dict[str, list[_Label]]  # by first key char, longest first
    float_cols: set[str]
    signed_cols: set[str]
    row_sum: dict[str, Any] | None
    col_sums: list[dict[str, Any]]

    def row_index(self, key: str) -> int:
        return next(i for i, r in enumerate(self.rows) if r.key == key)


@dataclass
class _Config:
    raw: dict[str, Any]
    core_min_len: int
    weak_window: int
    blank_markers: list[str]
    blank_words: set[str]
    token_re: re.Pattern
    tail_re: re.Pattern  # a run of value tokens at the end of a chunk
    prose_min_len: int
    split_limit: int
    headings: dict[str, list[str]]
    heading_max_len: int
    anchors: dict[str, list[str]]
    t2_formats: dict[str, tuple[list[str], _TableSpec]]
    t2_default: str
    t3: _TableSpec
    t4: _TableSpec
    t4_labels: dict[str, list[_Label]]


def _labels_for(rows: list[_RowSpec], groups: list[str], headers: list[str], core_min: int) -> tuple[_Label, ...]:
    out: list[_Label] = []
    seen: set[tuple[str, str, str]] = set()

    def add(key: str, kind: str, target: str = "", weak: bool = False) -> None:
        if key and (key, kind, target) not in seen:
            seen.add((key, kind, target))
            out.append(_Label(key, kind, target, weak))

    for r in rows:
        for lab in r.labels:
            k = _key(lab)
            add(k, "row", r.key)
            core = _strip_enum(k)
            if core != k:
                add(core, "row", r.key, weak=len(core) < core_min)
    for g in groups:
        k = _key(g)
        add(k, "group")
        core = _strip_enum(k)
        if core != k and len(core) >= core_min:
            add(core, "group")
    for h in headers:
        add(_key(h), "header")
    prio = {"row": 0, "group": 1, "header": 2}
    out.sort(key=lambda lab: (-len(lab.key), prio[lab.kind]))
    return tuple(out)


def _table_spec(key: str, d: dict[str, Any], rows: list[dict[str, Any]], cols: list[str] | None,
                core_min: int) -> _TableSpec:
    specs = [
        _RowSpec(
            key=r["key"],
            name=r.get("name", r["key"]),
            cols=list(r.get("cols") or cols or []),
            labels=list(r.get("labels", [])),
            single_row_of=list(r.get("single_row_of", [])),
            fmt=r.get("format"),
        )
        for r in rows
    ]
    rel = d.get("relations") or {}
    return _TableSpec(
        key=key,
        name=d.get("name", key),
        rows=specs,
        labels=_by_first(_labels_for(specs, d.get("groups", []), d.get("headers", []), core_min)),
        float_cols=set(d.get("float_cols", [])),
        signed_cols=set(d.get("signed_cols", [])),
        row_sum=rel.get("row_sum"),
        col_sums=list(rel.get("col_sums", [])),
    )


@lru_cache(maxsize=4)
def load_config(path: str | None = None) -> _Config:
    raw = rules.read_path(path) if path else rules.read("table_labels")
    core_min = int(raw.get("core_min_len", 3))
    markers = sorted({simple_norm(m) for m in raw["blank_markers"]}, key=len, reverse=True)
    units = sorted(raw.get("units", []), key=len, reverse=True)
    num = r"[+\-−]?\d+(?:,\d{3})*(?:\.\d+)?"
    unit_re = "|".join(re.escape(u) for u in units) or "(?!)"
    mark_re = "|".join(re.escape(m) for m in markers)
    token_re = re.compile(rf"(?P<num>{num})(?:{unit_re})?|(?P<mark>{mark_re})")
    t2d = raw["t2"]
    t2_formats = {
        fmt: ([_key(k) for k in fd.get("keywords", [])], _table_spec("t2", t2d, fd["rows"], None, core_min))
        for fmt, fd in t2d["formats"].items()
    }
    t3d, t4d = raw["t3"], raw["t4"]
    return _Config(
        raw=raw,
        core_min_len=core_min,
        weak_window=int(raw.get("weak_window", 3)),
        blank_markers=markers,
        blank_words={simple_norm(w) for w in raw.get("blank_words", [])},
        token_re=token_re,
        tail_re=re.compile(rf"(?:{token_re.pattern})+$"),
        prose_min_len=int(raw.get("prose_min_len", 40)),
        split_limit=int(raw.get("split_limit", 20000)),
        headings={k: [_key(h) for h in v] for k, v in raw["headings"].items()},
        heading_max_len=int(raw.get("heading_max_len", 50)),
        anchors={k: [_key(a) for a in v] for k, v in raw["anchors"].items()},
        t2_formats=t2_formats,
        t2_default=t2d.get("default_format", "2021"),
        t3=_table_spec("t3", t3d, t3d["rows"], t3d["cols"], core_min),
        t4=_table_spec("t4", t4d, [], None, core_min),
        t4_labels=_by_first(_Label(h, "header") for h in sorted({_key(h) for h in t4d.get("headers", [])}, key=len, reverse=True)),
    )


def _by_first(labels: Iterable[_Label]) -> dict[str, list[_Label]]:
    """Labels indexed by their first key character (order kept: longest first)."""
    out: dict[str, list[_Label]] = {}
    for lab in labels:
        out.setdefault(lab.key[0], []).append(lab)
    return out

