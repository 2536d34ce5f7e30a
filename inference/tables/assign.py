"""Value tails and the shared assigner: a row's items (numbers, blank markers, junk) mapped onto its
expected columns, glued digit runs split, and the candidates filtered by the table's arithmetic relations."""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from math import comb

from inference.tables.config import _Config, _RowSpec, _TableSpec
from inference.tables.layouts import _Item

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
