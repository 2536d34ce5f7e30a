"""Cells of an ambiguous row that the table's own arithmetic fixes (issue 12).

A row whose blank cells lost their positions when the page was scraped (seed 002: `4 | 4 |||||`) has
several readings: every order-preserving placement of its numbers into its columns. The readings kept are
those in which the row adds up (总计 = the sum of the applicant columns, a blank counted as 0) -- a table
whose rows do not add up is judged by the checks, not guessed here. A column that holds the same number in
every kept reading is known: the cell gets that value with state `inferred`, and a note gives the
reasoning (how many readings, which relation, the value). The other cells stay `ambiguous`, and the row
stays in `ambiguous_rows` (its other positions are still unknown).

Only the row relation is used: the column relations (一+二=三+四, results total) are symmetric in the
applicant columns, so they cannot choose between readings that differ in an applicant column, and a total
the row relation fixes is fixed already.
"""
from __future__ import annotations

from inference.report import Cell, Table
from inference.tables.assign import _assign, _cand_values
from inference.tables.config import _Config, _RowSpec, _TableSpec
from inference.tables.layouts import _Item
from inference.tables.text import _CN_TABLE


def _adds_up(spec: _TableSpec, cols: list[str], vals: list) -> bool:
    rs = spec.row_sum
    if not rs or rs["total"] not in cols:
        return False
    total = vals[cols.index(rs["total"])] or 0
    parts = sum(vals[cols.index(c)] or 0 for c in rs["parts"] if c in cols)
    return abs(parts - total) < 1e-9


def infer_row(cfg: _Config, spec: _TableSpec, row: _RowSpec, items: list[_Item], table: Table) -> list[str]:
    """Set `inferred` cells of an ambiguous row in `table.rows[row.key]`; returns the columns inferred."""
    a = _assign(items, len(row.cols), cfg.split_limit)
    if a.kind != "placement" or not a.cands:
        return []
    kept = [c for c in a.cands if _adds_up(spec, row.cols, _cand_values(c))]
    if not kept:
        return []
    names = cfg.raw.get("col_names", {})
    inferred = []
    for i, col in enumerate(row.cols):
        got = {(it.value if it is not None else None) for it in (c[i] for c in kept)}
        if len(got) != 1 or None in got:
            continue
        item = kept[0][i]
        table.rows[row.key][col] = Cell(item.value, "inferred", item.raw, item.start, item.end)
        inferred.append(col)
    if inferred:
        shown = " ".join(it.raw for it in items)
        values = "、".join(f"“{names.get(c, c)}”列为{table.rows[row.key][c].raw}" for c in inferred)
        table.notes.append(
            f"{_CN_TABLE[spec.key]}“{row.name}”行（仅见{shown}）：{len(a.cands)}种可能的列位置中，有{len(kept)}种满足"
            f"行内合计关系（总计=各列之和，空白按0计）；这些读法中{values}，据此采用并标记为推算（inferred），其余单元格仍为存疑。")
    return inferred
