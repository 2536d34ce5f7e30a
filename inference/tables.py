"""Read tables 2, 3 and 4 of a report, from every layout, into `Table` / `Cell`.

One design for all layouts:

1. Locate each table's region: `report.sections` 2/3/4 when present, else the table headings
   (a short line "二、主动公开政府信息情况" ...), else anchor labels ("第二十条第(一)项", "申请人情况" ...).
2. Turn the region into *pieces* (text fragments with offsets into `report.text`):
   - grid (`report.raw_tables`): one piece per non-spanned cell, a row break per grid row;
   - pipe (`a |` per line, or `a | b | c |` per row): one piece per `|`-separated cell; runs of
     pipes at the end of a line are colspan padding and are dropped;
   - cell_per_line (tab layout): a tab starts a cell, a line without a leading tab continues the
     previous cell, a blank line is a row break;
   - plain lines (run-together layout, `规章000`): one piece per line.
3. Each piece is read left to right: row labels, group labels and header words are matched on a
   key (NFKC, no whitespace/punctuation) in the expected row order; what follows the labels is a
   value tail, split into *items* (number, blank marker, junk). Items belong to the open row.
4. One shared assigner maps a row's items onto its expected columns: exact count -> positions
   known; glued digit runs (plain lines only) -> every split into the right number of cells;
   fewer explicit cells than columns -> every order-preserving placement. When more than one
   candidate is left, the table's arithmetic relations (from data/table_labels.json) filter them;
   if still more than one, the row is `ambiguous` and nothing is guessed.

Seed 002 (blank cells dropped by the scraper, e.g. `一、本年新收… |` `4 |` `4 | |||||||`): the
padding tells how many cells the row had, but not which ones were dropped. A row such as (4, 4)
fits "natural person 4, total 4" as well as "research 4, total 4" or (with blanks not being 0)
any other placement. The relations cannot help: every relation is symmetric in the six applicant
columns, so permuting those columns maps a consistent table onto another consistent one; and with
blanks unknown (never 0) a row relation over a row with a dropped cell is never evaluable. So such
rows are `ambiguous` (raw values and their offsets are kept, and a Chinese note says what was
seen). What *is* knowable: a row whose cells were all dropped is entirely blank, and the values in
complete rows (table 2, table 4) are exact.
"""
from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from math import comb
from typing import Any

from inference import rules
from inference.report import Cell, Report, Table

TABLE_KEYS = ("t2", "t3", "t4")
_CN_NUM = "一二三四五六七八九十"
_CN_TABLE = {"t2": "表二", "t3": "表三", "t4": "表四"}


# --------------------------------------------------------------------------------------------
# text helpers


@lru_cache(maxsize=8192)
def _nfkc1_slow(ch: str) -> str:
    n = unicodedata.normalize("NFKC", ch)
    return n if len(n) == 1 else ch


def _nfkc1(ch: str) -> str:
    """One-for-one normalisation of a single character (full-width -> half-width)."""
    return ch if ch.isascii() else _nfkc1_slow(ch)


def simple_norm(text: str) -> str:
    """Same-length normalisation used when `report.norm` is missing (also handy for tests)."""
    return "".join(_nfkc1(c) for c in text)


_NON_KEY = re.compile(r"[\W_]+")


def _key(text: str) -> str:
    """Comparison key: NFKC, lower case, letters/digits/CJK only."""
    return _NON_KEY.sub("", unicodedata.normalize("NFKC", text)).lower()


def _keyed(text: str, base: int) -> tuple[str, list[int]]:
    """Key string (alnum only, NFKC) plus, for every key char, its offset in the original text."""
    chars: list[str] = []
    pos: list[int] = []
    for i, ch in enumerate(text):
        c = _nfkc1(ch)
        if c.isalnum():
            chars.append(c.lower())
            pos.append(base + i)
    return "".join(chars), pos


_PLAIN_INT = re.compile(r"\s*(\d+)\s*")
_ENUM_RE = re.compile(rf"(?:[{_CN_NUM}]{{1,3}}|\d{{1,2}})")


def _strip_enum(key: str) -> str:
    m = _ENUM_RE.match(key)
    return key[m.end():] if m else key


# --------------------------------------------------------------------------------------------
# configuration (data/table_labels.json)


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


# --------------------------------------------------------------------------------------------
# pieces and items


@dataclass
class _Piece:
    text: str  # normalised text; text[i] sits at offset start + i
    start: int
    explicit: bool = True  # cell boundaries known (pipe / tab / grid)
    brk: bool = False  # a row break marker (no text)

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass
class _Item:
    kind: str  # num | blank | invalid
    value: int | float | None
    raw: str
    start: int
    end: int
    splittable: bool = False  # a glued digit run from a plain line: may hold several cells


def _line_spans(text: str, start: int, end: int) -> Iterable[tuple[int, int]]:
    i = start
    while i < end:
        j = text.find("\n", i, end)
        if j < 0:
            j = end
        yield i, j
        i = j + 1


def _pieces_pipe(norm: str, start: int, end: int) -> list[_Piece]:
    out: list[_Piece] = []
    for ls, le in _line_spans(norm, start, end):
        line = norm[ls:le]
        if "|" not in line:
            if line.strip():
                out.append(_Piece(line, ls, explicit=False))
            continue
        if line.strip() == "|":
            # one-cell-per-line layout: a line holding only its cell's closing pipe is an explicit
            # blank cell (runs of several pipes on a line are colspan padding, handled below)
            out.append(_Piece(line[: line.index("|")], ls))
            continue
        segs: list[tuple[int, int]] = []
        a = 0
        for m in re.finditer(r"\|", line):
            segs.append((a, m.start()))
            a = m.end()
        segs.append((a, len(line)))
        contents = [bool(line[s:e].strip()) for s, e in segs]
        for idx, (s, e) in enumerate(segs):
            if contents[idx]:
                out.append(_Piece(line[s:e], ls + s))
            elif any(contents[idx + 1:]) and idx > 0:
                # a whitespace-only cell between two cells of the same line: an explicit blank.
                # Whitespace at the end of a line (before/among trailing pipes) is colspan padding.
                out.append(_Piece(line[s:e], ls + s))
    return out


def _pieces_tab(norm: str, start: int, end: int) -> list[_Piece]:
    out: list[_Piece] = []
    prev_blank = True
    for ls, le in _line_spans(norm, start, end):
        line = norm[ls:le]
        if not line.strip() and "\t" not in line:
            out.append(_Piece("", ls, brk=True))
            prev_blank = True
            continue
        parts = line.split("\t")
        offs = []
        a = 0
        for p in parts:
            offs.append(a)
            a += len(p) + 1
        first, rest = parts[0], list(zip(parts[1:], offs[1:]))
        if first.strip():
            if out and not prev_blank and not out[-1].brk:
                last = out[-1]  # continuation line of the previous cell
                new_end = ls + len(first)
                out[-1] = _Piece(norm[last.start:new_end], last.start, last.explicit)
            else:
                out.append(_Piece(first, ls, explicit=False))
        for p, o in rest:
            out.append(_Piece(p, ls + o))
        prev_blank = False
    return out


def _pieces_plain(norm: str, start: int, end: int) -> list[_Piece]:
    return [_Piece(norm[ls:le], ls, explicit=False) for ls, le in _line_spans(norm, start, end) if norm[ls:le].strip()]


def _pieces_grid(report: Report, norm: str, start: int, end: int) -> list[_Piece] | None:
    grids = [t for t in report.raw_tables if t.start < end and t.end > start]
    # an outer (page-layout) table that contains another table is not a data table
    grids = [g for g in grids if not any(h is not g and g.start <= h.start and h.end <= g.end
                                         and (h.start, h.end) != (g.start, g.end) for h in grids)]
    if not grids:
        return None
    out: list[_Piece] = []
    for g in grids:
        for row in g.cells:
            if not any(start <= c.start < end for c in row):
                continue
            out.append(_Piece("", row[0].start if row else g.start, brk=True))
            for c in row:
                if c.spanned:
                    continue  # a copy of a spanned cell: not a cell of its own
                text = norm[c.start:c.end] if 0 <= c.start <= c.end <= len(norm) else ""
                if _key(text) != _key(c.text):
                    text = simple_norm(c.text)  # offsets do not fit the text: keep the cell text
                out.append(_Piece(text, c.start))
    return out


def _detect_layout(norm: str, start: int, end: int) -> str:
    pipe = tab = 0
    for ls, le in _line_spans(norm, start, end):
        line = norm[ls:le]
        if "|" in line:
            pipe += 1
        if line.startswith("\t"):
            tab += 1
    if pipe >= 3:
        return "pipe"
    if tab >= 3:
        return "cell_per_line"
    return "plain"


# --------------------------------------------------------------------------------------------
# value tails


def _parse_number(s: str) -> int | float | None:
    t = s.replace(",", "").replace("−", "-").lstrip("+")
    try:
        return float(t) if "." in t else int(t)
    except ValueError:
        return None


def _tokenize_chunk(cfg: _Config, chunk: str, base: int, explicit: bool) -> list[_Item] | None:
    """A whitespace-free chunk made only of numbers/blank markers -> items, else None."""
    if chunk in cfg.blank_words:
        return [_Item("blank", None, chunk, base, base + len(chunk))]
    items: list[_Item] = []
    pos = 0
    while pos < len(chunk):
        m = cfg.token_re.match(chunk, pos)
        if not m or m.end() == pos:
            return None
        if m.group("num") is not None:
            raw = m.group(0)
            digits = m.group("num")
            items.append(
                _Item("num", _parse_number(digits), raw, base + pos, base + m.end(),
                      splittable=(not explicit and digits.isdigit() and len(digits) > 1))
            )
        else:
            items.append(_Item("blank", None, m.group(0), base + pos, base + m.end()))
        pos = m.end()
    return items


def _tail(cfg: _Config, text: str, base: int, explicit: bool) -> tuple[int, list[_Item]]:
    """Split `text` into (length of leading junk, value items of the trailing value run)."""
    chunks = [(m.start(), m.group()) for m in re.finditer(r"\S+", text)]
    items_rev: list[list[_Item]] = []
    junk_end = 0
    i = len(chunks) - 1
    while i >= 0:
        off, ch = chunks[i]
        toks = _tokenize_chunk(cfg, ch, base + off, explicit)
        if toks is None:
            # the chunk may end in glued values: "申请0000000", "情形)0000000"
            m = cfg.tail_re.search(ch)
            if m and m.start() > 0 and not (ch[m.start() - 1].isdigit()):
                toks = _tokenize_chunk(cfg, ch[m.start():], base + off + m.start(), explicit)
                if toks is not None:
                    items_rev.append(toks)
                    junk_end = off + m.start()
                    break
            junk_end = off + len(ch)
            break
        items_rev.append(toks)
        i -= 1
    items = [it for toks in reversed(items_rev) for it in toks]
    return junk_end, items


# --------------------------------------------------------------------------------------------
# the shared assigner


@dataclass
class _RowRead:
    spec: _RowSpec
    label_start: int
    label_end: int
    items: list[_Item] = field(default_factory=list)
    glued: bool = False


@dataclass
class _Assignment:
    cands: list[list[_Item | None]]  # each: one entry per column, None = blank cell (dropped)
    kind: str  # direct | split | placement | empty | too_many | short_run | overflow
    note: str = ""


def _splits(digits: str, parts: int, limit: int) -> list[list[tuple[int, int]]] | None:
    """All ways to cut `digits` into `parts` numbers without leading zeros; None if > limit."""
    out: list[list[tuple[int, int]]] = []
    n = len(digits)

    def rec(pos: int, left: int, acc: list[tuple[int, int]]) -> bool:
        if left == 0:
            if pos == n:
                out.append(list(acc))
                return len(out) <= limit
            return True
        rem = n - pos
        if rem < left:
            return True
        max_len = 1 if digits[pos] == "0" else min(rem - (left - 1), 12)
        for ln in range(1, max_len + 1):
            acc.append((pos, pos + ln))
            ok = rec(pos + ln, left - 1, acc)
            acc.pop()
            if not ok:
                return False
        return True

    if not rec(0, parts, []):
        return None
    return out


def _item_splits(items: list[_Item], n: int, limit: int) -> list[list[_Item]] | None:
    """Split splittable items so the total count is n. Returns candidates (None if too many)."""
    extra_needed = n - len(items)
    # how many extra cells each splittable item may contribute
    options: list[list[int]] = []
    size = 1
    for it in items:
        if it.splittable:
            options.append(list(range(min(len(it.raw), extra_needed + 1) if it.raw.isdigit() else 1)))
        else:
            options.append([0])
        size *= len(options[-1])
        if size > limit:
            return None
    cands: list[list[_Item]] = []
    for combo in itertools.product(*options):
        if sum(combo) != extra_needed:
            continue
        per_item = []
        for it, extra in zip(items, combo):
            if extra == 0:
                per_item.append([[it]])
                continue
            cuts = _splits(it.raw, extra + 1, limit)
            if cuts is None:
                return None
            per_item.append([
                [_Item("num", int(it.raw[a:b]), it.raw[a:b], it.start + a, it.start + b) for a, b in cut]
                for cut in cuts
            ])
        for prod in itertools.product(*per_item):
            cands.append([x for part in prod for x in part])
            if len(cands) > limit:
                return None
    return cands


def _assign(items: list[_Item], n: int, limit: int) -> _Assignment:
    items = list(items)
    if len(items) > n:
        # explicit blank cells beyond the expected count (rowspan placeholders, padding) go first
        while len(items) > n and items[-1].kind == "blank" and not items[-1].raw.strip():
            items.pop()
        while len(items) > n and items[0].kind == "blank" and not items[0].raw.strip():
            items.pop(0)
    if len(items) == n:
        return _Assignment([list(items)], "direct")
    if len(items) > n:
        return _Assignment([], "overflow")
    if not items:
        return _Assignment([[None] * n], "empty")
    if any(it.splittable for it in items):
        cands = _item_splits(items, n, limit)
        if cands is None:
            return _Assignment([], "too_many")
        if cands:
            return _Assignment(cands, "split")
        # fewer digits than cells: blank cells vanished from a glued run, nothing is knowable
        return _Assignment([], "short_run")
    # fewer explicit cells than columns: positions are lost, every order-preserving placement
    if comb(n, len(items)) > limit:
        return _Assignment([], "too_many")
    cands = []
    for pos in itertools.combinations(range(n), len(items)):
        row: list[_Item | None] = [None] * n
        for p, it in zip(pos, items):
            row[p] = it
        cands.append(row)
    return _Assignment(cands, "placement")


# --------------------------------------------------------------------------------------------
# relations


def _cand_values(cand: list[_Item | None]) -> list[int | float | None]:
    return [it.value if (it is not None and it.kind == "num") else None for it in cand]


def _row_sum_ok(spec: _TableSpec, cols: list[str], vals: list[int | float | None]) -> bool:
    rs = spec.row_sum
    if not rs:
        return True
    try:
        t = vals[cols.index(rs["total"])]
        parts = [vals[cols.index(c)] for c in rs["parts"]]
    except ValueError:
        return True
    if t is None or any(p is None for p in parts):
        return True  # not evaluable (a blank is not 0)
    return abs(sum(parts) - t) < 1e-9  # type: ignore[arg-type]


def _col_sums_ok(spec: _TableSpec, present: set[str], known: dict[str, list[int | float | None] | None],
                 ncols: int, row: str) -> bool:
    """Every fully evaluable column relation that involves `row` holds. `known[r]` None = row
    undetermined (relations not involving `row` are not this row's business)."""
    for rel in spec.col_sums:
        lhs = [r for r in rel["lhs"] if r in present]
        rhs = [r for r in rel["rhs"] if r in present]
        if not lhs or not rhs or (row not in lhs and row not in rhs):
            continue
        for c in range(ncols):
            total_l = total_r = 0.0
            ok = True
            for side, rows in ((0, lhs), (1, rhs)):
                for r in rows:
                    vals = known.get(r)
                    v = vals[c] if vals is not None else None
                    if v is None:
                        ok = False
                        break
                    if side == 0:
                        total_l += v
                    else:
                        total_r += v
                if not ok:
                    break
            if ok and abs(total_l - total_r) > 1e-9:
                return False
    return True


# --------------------------------------------------------------------------------------------
# label matching


def _by_first(labels: Iterable[_Label]) -> dict[str, list[_Label]]:
    """Labels indexed by their first key character (order kept: longest first)."""
    out: dict[str, list[_Label]] = {}
    for lab in labels:
        out.setdefault(lab.key[0], []).append(lab)
    return out


def _match_label(index: dict[str, list[_Label]], key: str, ki: int, allowed: dict[str, bool]) -> tuple[_Label, int] | None:
    """Longest label at key[ki:] (also after a leading enumerator). Row labels only for rows in
    `allowed` (value: weak labels allowed too). Returns (label, key index after the label)."""
    starts = [ki]
    m = _ENUM_RE.match(key, ki)
    if m and m.end() < len(key):
        starts.append(m.end())
    best: tuple[int, int, _Label, int] | None = None  # (length, priority, label, end)
    prio = {"row": 3, "group": 2, "header": 1}
    for s in starts:
        for lab in index.get(key[s], ()) if s < len(key) else ():
            if lab.kind == "row" and (lab.target not in allowed or (lab.weak and not allowed[lab.target])):
                continue
            if key.startswith(lab.key, s):
                end = s + len(lab.key)
                cand = (end - ki, prio[lab.kind], lab, end)
                if best is None or cand[:2] > best[:2]:
                    best = cand
                break  # labels are sorted longest first: the first hit is the longest here
    if best is None:
        return None
    return best[2], best[3]


# --------------------------------------------------------------------------------------------
# region location


@dataclass
class _Region:
    start: int
    end: int
    how: str  # section | heading | anchor


def _line_key_index(norm: str) -> list[tuple[int, int, str]]:
    """(start, end, key) of every short line: candidates for headings and anchors."""
    out = []
    for ls, le in _line_spans(norm, 0, len(norm)):
        if le - ls <= 200:
            k = _key(norm[ls:le])
            if k:
                out.append((ls, le, k))
    return out


def _find_regions(report: Report, norm: str, cfg: _Config) -> dict[str, list[_Region]]:
    """Candidate regions per table, best first."""
    cands: dict[str, list[_Region]] = {k: [] for k in TABLE_KEYS}
    secs = {s.number: s for s in report.sections}
    for tk, num in (("t2", 2), ("t3", 3), ("t4", 4)):
        s = secs.get(num)
        if s is not None and s.end > s.body_start:
            cands[tk].append(_Region(s.body_start, s.end, "section"))

    lines = _line_key_index(norm)

    def heading_at(tk: str, after: int) -> tuple[int, int] | None:
        for ls, le, k in lines:
            if ls < after or len(k) > cfg.heading_max_len:
                continue
            core = k.lstrip(_CN_NUM)
            if any(core.startswith(h) for h in cfg.headings[tk]):
                return ls, le
        return None

    # headings, in order
    pos = 0
    heads: dict[str, tuple[int, int] | None] = {}
    for tk in (*TABLE_KEYS, "end"):
        h = heading_at(tk, pos)
        heads[tk] = h
        if h:
            pos = h[1]

    def anchor_at(tk: str, after: int) -> int | None:
        for ls, le, k in lines:
            if ls < after:
                continue
            if tk == "t4":
                if any(k.startswith(a) for a in cfg.anchors[tk]) and len(k) <= cfg.heading_max_len:
                    return ls
            elif any(a in k for a in cfg.anchors[tk]):
                return ls
        return None

    anchors: dict[str, int | None] = {}
    pos = 0
    for tk in TABLE_KEYS:
        a = anchor_at(tk, pos)
        anchors[tk] = a
        if a is not None:
            pos = a + 1

    text_end = len(norm)
    order = list(TABLE_KEYS)
    for i, tk in enumerate(order):
        h = heads[tk]
        if h:
            nxt = [heads[o][0] for o in (*order[i + 1:], "end") if heads.get(o) and heads[o][0] > h[1]]
            # a later table's own labels also end this one (its heading may be missing)
            nxt += [anchors[o] for o in order[i + 1:] if anchors.get(o) is not None and anchors[o] > h[1]]  # type: ignore[operator]
            cands[tk].append(_Region(h[1], min(nxt) if nxt else text_end, "heading"))
        a = anchors[tk]
        if a is not None:
            nxt = [anchors[o] for o in order[i + 1:] if anchors.get(o) is not None and anchors[o] > a]  # type: ignore[operator]
            if heads.get("end") and heads["end"][0] > a:  # type: ignore[index]
                nxt.append(heads["end"][0])  # type: ignore[index]
            cands[tk].append(_Region(a, min(nxt) if nxt else text_end, "anchor"))  # type: ignore[type-var]
    return cands


# --------------------------------------------------------------------------------------------
# reading one table


@dataclass
class _Read:
    rows: list[_RowRead]
    stream: list[_Item]  # t4: all value items in order
    layout: str
    glued: bool
    start: int | None
    end: int | None
    notes: list[str]


def _text_pieces(norm: str, reg: _Region) -> tuple[list[_Piece], str]:
    layout = _detect_layout(norm, reg.start, reg.end)
    if layout == "pipe":
        return _pieces_pipe(norm, reg.start, reg.end), "pipe"
    if layout == "cell_per_line":
        return _pieces_tab(norm, reg.start, reg.end), "cell_per_line"
    return _pieces_plain(norm, reg.start, reg.end), "plain"


def _read_rows(cfg: _Config, spec: _TableSpec, pieces: list[_Piece], layout: str) -> _Read:
    """State machine over the pieces of a table with row labels (t2, t3)."""
    rows: list[_RowRead] = []
    cur: _RowRead | None = None
    pointer = 0
    glued = False
    notes: list[str] = []
    first: int | None = None
    last: int | None = None
    row_keys = [r.key for r in spec.rows]

    allowed_cache: dict[int, dict[str, bool]] = {}

    def allowed() -> dict[str, bool]:
        a = allowed_cache.get(pointer)
        if a is None:
            a = allowed_cache[pointer] = {
                k: (i - pointer) < cfg.weak_window for i, k in enumerate(row_keys) if i >= pointer
            }
        return a

    for pc in pieces:
        if pc.brk:
            if cur is not None and (layout == "grid" or cur.items):
                cur = None
            continue
        text = pc.text
        if not text.strip():
            if cur is not None and pc.explicit:
                cur.items.append(_Item("blank", None, "", pc.start, pc.start))
                last = pc.end
            continue
        if ("。" in text and len(text.strip()) > 8) or len(text) > 3 * cfg.prose_min_len:
            # a sentence, not a table cell
            if rows and len(_key(text)) >= cfg.prose_min_len:
                break
            cur = None
            continue
        fast = _PLAIN_INT.fullmatch(text)
        if fast is not None and (pc.explicit or len(fast.group(1)) == 1):
            # the common case: a cell holding one plain integer
            if cur is not None:
                cur.items.append(_Item("num", int(fast.group(1)), fast.group(1), pc.start + fast.start(1),
                                       pc.start + fast.end(1)))
                last = pc.start + fast.end(1)
            elif rows:
                notes.append(f"{_CN_TABLE[spec.key]}中有数值“{fast.group(1)}”不属于任何可识别的行，未计入。")
            continue
        key, kpos = _keyed(text, pc.start)
        ki = 0
        matched_any = False
        consumed = 0  # chars of text consumed by labels
        while ki < len(key):
            m = _match_label(spec.labels, key, ki, allowed())
            if m is None:
                break
            lab, kend = m
            matched_any = True
            lab_start = kpos[ki]
            lab_end = kpos[kend - 1] + 1
            consumed = lab_end - pc.start
            if first is None:
                first = lab_start
            if lab.kind == "row":
                idx = row_keys.index(lab.target)
                cur = _RowRead(spec.rows[idx], lab_start, lab_end)
                rows.append(cur)
                pointer = idx + 1
                last = lab_end
            else:
                if rows:
                    last = lab_end
                cur = None
            ki = kend
        rest = text[consumed:]
        junk_len, items = _tail(cfg, rest, pc.start + consumed, pc.explicit)
        junk = rest[:junk_len]
        if junk.strip() and not matched_any:
            # text that is no label of this table
            if cur is not None and pc.explicit and not items and len(cur.items) < len(cur.spec.cols) \
                    and len(_key(junk)) <= 8:
                s = pc.start + consumed + (len(junk) - len(junk.lstrip()))
                cur.items.append(_Item("invalid", None, junk.strip(), s, s + len(junk.strip())))
                last = pc.end
                continue
            if rows and len(_key(junk)) >= cfg.prose_min_len:
                break  # prose after the table: the table has ended
            if cur is not None and items:
                notes.append(f"{_CN_TABLE[spec.key]}“{cur.spec.name}”行后出现无法识别的内容“{junk.strip()[:20]}”，其后数值未计入。")
            cur = None
            continue
        if not items:
            continue
        if cur is None:
            if rows:
                notes.append(
                    f"{_CN_TABLE[spec.key]}中有数值“{' '.join(it.raw for it in items)}”不属于任何可识别的行，未计入。"
                )
            continue
        if matched_any and not pc.explicit and items[0].start == pc.start + consumed:
            cur.glued = True  # "规章000", "行政处罚48": values glued to the label
        cur.items.extend(items)
        last = items[-1].end
    for r in rows:
        if any(it.splittable for it in r.items) and len(r.items) < len(r.spec.cols):
            r.glued = True  # a digit run that has to be split
    glued = any(r.glued for r in rows)
    if layout == "plain" and glued and any(not r.glued and len(r.items) >= 2 for r in rows):
        layout = "mixed"  # some rows glued to their label, others with separated values
    return _Read(rows, [], layout, glued, first, last, notes)


def _read_stream(cfg: _Config, pieces: list[_Piece], layout: str) -> _Read:
    """Table 4: header words, then the value cells in reading order (row labels of a transposed
    layout are header words too, so 行政复议 0 0 0 0 0 … reads the same)."""
    labels = cfg.t4_labels
    stream: list[_Item] = []
    seen_header = False
    row_has_label = False
    row_items: list[_Item] = []
    first: int | None = None
    last: int | None = None
    glued = False

    def flush() -> None:
        # empty cells of a header row are placeholders, not values
        if not (row_has_label and all(it.kind == "blank" and not it.raw for it in row_items)):
            stream.extend(row_items)
        row_items.clear()

    for pc in pieces:
        if pc.brk:
            flush()
            row_has_label = False
            continue
        text = pc.text
        if not text.strip():
            if seen_header and pc.explicit:
                row_items.append(_Item("blank", None, "", pc.start, pc.start))
            continue
        key, kpos = _keyed(text, pc.start)
        ki = 0
        consumed = 0
        while ki < len(key):
            m = _match_label(labels, key, ki, {})
            if m is None:
                break
            _lab, kend = m
            if first is None:
                first = kpos[ki]
            seen_header = True
            flush()
            row_has_label = True
            consumed = kpos[kend - 1] + 1 - pc.start
            ki = kend
        rest = text[consumed:]
        junk_len, items = _tail(cfg, rest, pc.start + consumed, pc.explicit)
        if rest[:junk_len].strip() and consumed == 0:
            if stream or any(it.kind == "num" for it in row_items):
                break  # text after the values: the table has ended
            continue
        if not seen_header or not items:
            continue
        if any(it.splittable for it in items):
            glued = True
        row_items.extend(items)
        row_has_label = False
        last = items[-1].end
    flush()
    return _Read([], stream, layout, glued, first, last, [])


# --------------------------------------------------------------------------------------------
# building Tables


def _note_values(table_key: str, row_name: str, cols: list[str], cells: dict[str, Cell],
                 spec: _TableSpec) -> list[str]:
    names = load_config().raw.get("col_names", {})
    notes = []
    for key, cell in cells.items():
        c = f"“{names.get(key, key)}”"
        if cell.state == "number" and cell.value is not None:
            v = cell.value
            if isinstance(v, float) and key not in spec.float_cols:
                notes.append(f"{_CN_TABLE[table_key]}“{row_name}”行{c}列为非整数（{cell.raw}）。")
            if v < 0 and key not in spec.signed_cols:
                notes.append(f"{_CN_TABLE[table_key]}“{row_name}”行{c}列为负数（{cell.raw}）。")
        elif cell.state == "invalid":
            notes.append(f"{_CN_TABLE[table_key]}“{row_name}”行{c}列内容“{cell.raw}”不是数字，记为无效。")
    return notes


def _cells_from(cand: list[_Item | None], cols: list[str]) -> dict[str, Cell]:
    out = {}
    for c, it in zip(cols, cand):
        if it is None:
            out[c] = Cell(None, "blank")
        elif it.kind == "num":
            out[c] = Cell(it.value, "number", it.raw, it.start, it.end)
        elif it.kind == "blank":
            out[c] = Cell(None, "blank", it.raw, it.start, it.end)
        else:
            out[c] = Cell(None, "invalid", it.raw, it.start, it.end)
    return out


def _ambiguous_cells(items: list[_Item], cols: list[str]) -> dict[str, Cell]:
    raw = " ".join(it.raw if it.raw else "□" for it in items)
    s = items[0].start if items else None
    e = items[-1].end if items else None
    return {c: Cell(None, "ambiguous", raw, s, e) for c in cols}


def _fmt_cand(cand: list[_Item | None]) -> str:
    return "/".join(it.raw if it is not None else "□" for it in cand)


def _resolve(cfg: _Config, spec: _TableSpec, reads: list[tuple[str, list[str], list[_Item]]],
             present: set[str], table: Table) -> dict[str, list[_Item | None] | None]:
    """Assign every row; filter multiple candidates by the relations. Returns chosen candidates
    (None for rows left ambiguous) and writes notes."""
    tname = _CN_TABLE[spec.key]
    names = {r.key: r.name for r in spec.rows}
    assigns: dict[str, _Assignment] = {}
    cands: dict[str, list[list[_Item | None]]] = {}
    for key, cols, items in reads:
        a = _assign(items, len(cols), cfg.split_limit)
        assigns[key] = a
        if a.kind in ("overflow", "too_many", "short_run"):
            cands[key] = []
            continue
        # row relation
        kept = [c for c in a.cands if _row_sum_ok(spec, cols, _cand_values(c))]
        cands[key] = kept if kept else a.cands
        if not kept and len(a.cands) > 1:
            assigns[key].note = "none_consistent"  # the row itself does not add up: choose nothing
    ncols = max((len(c) for _, c, _ in reads), default=0)
    # column relations, iterated while something gets decided
    changed = True
    while changed and spec.col_sums:
        changed = False
        known = {k: (_cand_values(v[0]) if len(v) == 1 else None) for k, v in cands.items()}
        for key in list(cands):
            if len(cands[key]) <= 1 or assigns[key].note == "none_consistent":
                continue
            kept = []
            for c in cands[key]:
                trial = dict(known)
                trial[key] = _cand_values(c)
                if _col_sums_ok(spec, present, trial, ncols, key):
                    kept.append(c)
            if kept and len(kept) < len(cands[key]):
                cands[key] = kept
                changed = True
                known[key] = _cand_values(kept[0]) if len(kept) == 1 else None
    chosen: dict[str, list[_Item | None] | None] = {}
    for key, cols, items in reads:
        a = assigns[key]
        name = names.get(key, key)
        shown = " ".join(it.raw if it.raw else "□" for it in items)
        c = cands[key]
        if a.kind == "overflow":
            table.notes.append(f"{tname}“{name}”行有{len(items)}个数值（{shown}），多于{len(cols)}列，无法对应，标记为存疑。")
            chosen[key] = None
        elif a.kind == "too_many":
            table.notes.append(f"{tname}“{name}”行数字串“{shown}”可拆分的方式过多，无法确定，标记为存疑。")
            chosen[key] = None
        elif a.kind == "short_run":
            table.notes.append(
                f"{tname}“{name}”行数字串“{shown}”的位数少于{len(cols)}列，可能有空白单元格，无法确定各列数值，标记为存疑，不作推测。")
            chosen[key] = None
        elif len(c) == 1:
            chosen[key] = c[0]
            if a.kind == "split" and len(a.cands) > 1:
                table.notes.append(
                    f"{tname}“{name}”行数字串“{shown}”有{len(a.cands)}种拆分方式，按勾稽关系确定为{_fmt_cand(c[0])}。")
            elif a.kind == "placement":
                table.notes.append(
                    f"{tname}“{name}”行仅有{len(items)}个数值（{shown}），按勾稽关系确定其所在列为{_fmt_cand(c[0])}（□为空白）。")
        else:
            chosen[key] = None
            if a.kind == "split":
                opts = "、".join(_fmt_cand(x) for x in c[:4]) + ("等" if len(c) > 4 else "")
                why = "且均不满足勾稽关系" if a.note == "none_consistent" else "勾稽关系无法排除"
                table.notes.append(f"{tname}“{name}”行数字串“{shown}”可拆分为{len(c)}种方式（{opts}），{why}，标记为存疑，不作推测。")
            else:
                why = "且没有任何位置满足勾稽关系" if a.note == "none_consistent" else ""
                table.notes.append(
                    f"{tname}“{name}”行{len(cols)}列中仅见{len(items)}个数值（{shown}），其余空白单元格在抓取时被丢弃，"
                    f"无法确定数值所在列{why}，标记为存疑，不作推测。")
    return chosen


def _build_rows_table(cfg: _Config, spec: _TableSpec, read: _Read, table: Table) -> None:
    """Fill `table.rows` from a row read (t2 or t3)."""
    tname = _CN_TABLE[spec.key]
    by_key: dict[str, _RowRead] = {}
    seq = read.rows
    # (六)其他处理 followed by its sub-rows is a group heading, not a row of its own
    kept_rows: list[_RowRead] = []
    for i, r in enumerate(seq):
        if r.spec.single_row_of:
            nxt = seq[i + 1] if i + 1 < len(seq) else None
            if nxt is not None and nxt.spec.key in r.spec.single_row_of:
                if r.items:
                    table.notes.append(f"{tname}“{r.spec.name}”既有数值又有分项，数值（{' '.join(it.raw for it in r.items)}）未计入。")
                continue
        if r.spec.key in by_key:
            table.notes.append(f"{tname}“{r.spec.name}”行重复出现，仅取第一次。")
            continue
        by_key[r.spec.key] = r
        kept_rows.append(r)
    # which rows belong to this table's format
    singles = [r for r in spec.rows if r.single_row_of]
    excluded: set[str] = set()
    for s in singles:
        if s.key in by_key:
            excluded.update(s.single_row_of)
            if spec.key == "t3":
                table.format = "2019"
                table.notes.append(f"{tname}“（六）其他处理”为单行、未分1-3小项（2019年试行格式），按other_processing读取。")
        else:
            excluded.add(s.key)
            if spec.key == "t3" and any(k in by_key for k in s.single_row_of):
                table.format = "2021"
    present = {r.key for r in spec.rows if r.key not in excluded}
    reads = [(r.spec.key, r.spec.cols, r.items) for r in kept_rows if r.spec.key in present]
    chosen = _resolve(cfg, spec, reads, present, table)
    empty_rows = []
    for rs in spec.rows:
        if rs.key in excluded:
            continue
        if rs.key not in by_key:
            table.rows[rs.key] = {c: Cell(None, "missing") for c in rs.cols}
            continue
        rr = by_key[rs.key]
        cand = chosen.get(rs.key)
        if cand is None:
            table.rows[rs.key] = _ambiguous_cells(rr.items, rs.cols)
            table.ambiguous_rows.append(rs.key)
            continue
        cells = _cells_from(cand, rs.cols)
        if not rr.items:
            empty_rows.append(rs.name)
        table.rows[rs.key] = cells
        table.notes.extend(_note_values(spec.key, rs.name, rs.cols, cells, spec))
    missing = [rs.name for rs in spec.rows if rs.key not in excluded and rs.key not in by_key]
    if empty_rows:
        table.notes.append(f"{tname}以下行整行为空白（记为空白，不视为0）：{'；'.join(empty_rows)}。")
    if missing and by_key:
        table.notes.append(f"{tname}缺少以下行：{'；'.join(missing)}。")


def _build_t4(cfg: _Config, read: _Read, table: Table) -> None:
    spec = cfg.t4
    cols = list(cfg.raw["t4"]["cols"])
    row_defs = cfg.raw["t4"]["rows"]
    n = len(cols) * len(row_defs)
    items = read.stream
    a = _assign(items, n, cfg.split_limit)
    shown = " ".join(it.raw if it.raw else "□" for it in items)

    def blocks_ok(cand: list[_Item | None]) -> bool:
        vals = _cand_values(cand)
        return all(_row_sum_ok(spec, cols, vals[i * len(cols):(i + 1) * len(cols)]) for i in range(len(row_defs)))

    cands = [] if a.kind in ("overflow", "too_many", "short_run") else a.cands
    if a.kind == "placement" and len(items) <= n - len(row_defs):
        # a blank can be put in every block, and such placements are never refuted (a blank is
        # not 0): more than one placement survives whatever the values are
        kept = cands
    else:
        kept = [c for c in cands if blocks_ok(c)]
    final = kept if kept else cands
    if len(final) == 1:
        cand = final[0]
        if a.kind == "split" and len(cands) > 1:
            table.notes.append(f"表四数字串“{shown}”有{len(cands)}种拆分方式，按勾稽关系（总计=四项之和）确定为{_fmt_cand(cand)}。")
        if a.kind == "placement":
            table.notes.append(f"表四仅有{len(items)}个数值，按勾稽关系确定其所在列为{_fmt_cand(cand)}（□为空白）。")
        if not items:
            table.notes.append("表四整表为空白（记为空白，不视为0）。")
        for i, rd in enumerate(row_defs):
            cells = _cells_from(cand[i * len(cols):(i + 1) * len(cols)], cols)
            table.rows[rd["key"]] = cells
            table.notes.extend(_note_values("t4", rd["name"], cols, cells, spec))
        return
    if a.kind == "overflow":
        table.notes.append(f"表四有{len(items)}个数值，多于{n}个单元格，无法对应，标记为存疑。")
    elif a.kind == "too_many":
        table.notes.append(f"表四数字串“{shown}”可拆分的方式过多，无法确定，标记为存疑。")
    elif a.kind == "short_run":
        table.notes.append(f"表四数字串“{shown}”的位数少于{n}个单元格，可能有空白单元格，无法确定各列数值，标记为存疑，不作推测。")
    elif a.kind == "split":
        table.notes.append(f"表四数字串“{shown}”可拆分为{len(final)}种方式，勾稽关系无法排除，标记为存疑，不作推测。")
    else:
        table.notes.append(f"表四{n}个单元格中仅见{len(items)}个数值（{shown}），空白单元格在抓取时被丢弃，无法确定数值所在列，标记为存疑，不作推测。")
    for rd in row_defs:
        table.rows[rd["key"]] = _ambiguous_cells(items, cols)
        table.ambiguous_rows.append(rd["key"])


def _layout_name(read: _Read) -> str:
    if read.layout == "plain":
        return "run_together" if read.glued else "cell_per_line"
    if read.layout == "mixed":
        return "mixed"
    return read.layout


def _t2_format(cfg: _Config, norm: str, reg: _Region) -> str:
    key = _key(norm[reg.start:reg.end])
    scores = {fmt: sum(1 for k in kws if k and k in key) for fmt, (kws, _) in cfg.t2_formats.items()}
    best = max(scores, key=lambda f: scores[f])
    if scores[best] == 0:
        return "unknown"
    if list(scores.values()).count(scores[best]) > 1:
        return "unknown"
    return best


def _missing_table(tk: str, cfg: _Config, fmt: str) -> Table:
    t = Table(key=tk, found=False, format="unknown")  # type: ignore[arg-type]
    if tk == "t2":
        spec = cfg.t2_formats[fmt if fmt in cfg.t2_formats else cfg.t2_default][1]
        rows = [(r.key, r.cols) for r in spec.rows]
    elif tk == "t3":
        rows = [(r.key, r.cols) for r in cfg.t3.rows if r.fmt != "2019"]
    else:
        rows = [(r["key"], list(cfg.raw["t4"]["cols"])) for r in cfg.raw["t4"]["rows"]]
    t.rows = {k: {c: Cell(None, "missing") for c in cols} for k, cols in rows}
    t.notes.append(f"未找到{_CN_TABLE[tk]}（可能缺失、以图片发布或格式无法识别）。")
    return t


def _extract_one(report: Report, norm: str, cfg: _Config, tk: str, regions: list[_Region],
                 report_fmt: str) -> Table:
    attempts = []
    for reg in regions:
        grid = _pieces_grid(report, norm, reg.start, reg.end)
        if grid is not None:
            attempts.append((reg, grid, "grid"))
        # the text itself as well: a grid may be a page-layout table that holds no table cells
        attempts.append((reg, *_text_pieces(norm, reg)))
    for reg, pieces, layout in attempts:
        if tk == "t4":
            read = _read_stream(cfg, pieces, layout)
            if read.start is None:
                continue
            t = Table(key="t4", found=True, format=report_fmt if report_fmt != "unknown" else "unknown")  # type: ignore[arg-type]
            t.layout = _layout_name(read)
            _build_t4(cfg, read, t)
        else:
            if tk == "t2":
                fmt = _t2_format(cfg, norm, reg)
                spec = cfg.t2_formats[fmt if fmt in cfg.t2_formats else cfg.t2_default][1]
            else:
                fmt = report_fmt
                spec = cfg.t3
            read = _read_rows(cfg, spec, pieces, layout)
            if not (len(read.rows) >= 2 or any(r.items for r in read.rows)):
                continue  # one label without any value is no table (e.g. a word in prose)
            t = Table(key=tk, found=True, format=fmt)  # type: ignore[arg-type]
            t.layout = _layout_name(read)
            _build_rows_table(cfg, spec, read, t)
            t.notes[:0] = read.notes
        t.start = read.start if read.start is not None else reg.start
        t.end = read.end if read.end is not None else reg.end
        if reg.how != "section" and report.sections:
            t.notes.append(f"{_CN_TABLE[tk]}未在对应章节中找到，按表格标签定位。")
        return t
    return _missing_table(tk, cfg, report_fmt)


def extract_tables(report: Report) -> Report:
    """Fill report.tables = {"t2", "t3", "t4"} from whatever layout the report uses."""
    cfg = load_config()
    norm = report.norm if report.norm and len(report.norm) == len(report.text) else simple_norm(report.text)
    regions = _find_regions(report, norm, cfg)
    tables: dict[str, Table] = {}
    t2 = _extract_one(report, norm, cfg, "t2", regions["t2"], "unknown")
    tables["t2"] = t2
    report_fmt = t2.format if t2.format != "unknown" else getattr(report.meta, "format", "unknown")
    if report_fmt not in ("2021", "2019"):
        report_fmt = "unknown"
    t3 = _extract_one(report, norm, cfg, "t3", regions["t3"], report_fmt)
    if t3.found and t3.format == "unknown":
        t3.format = report_fmt  # type: ignore[assignment]
    tables["t3"] = t3
    tables["t4"] = _extract_one(report, norm, cfg, "t4", regions["t4"], report_fmt)
    report.tables = tables
    return report
