"""Building `Table`s from what was read: cells, ambiguous rows, notes; `extract_tables` (the pipeline stage)."""
from __future__ import annotations



from inference.report import Cell, Report, Table
from inference.tables.assign import _Assignment, _RowRead, _assign, _cand_values, _col_sums_ok, _row_sum_ok
from inference.tables.config import _Config, _TableSpec, load_config
from inference.tables.infer import infer_row
from inference.tables.layouts import _Item, _pieces_grid, _text_pieces
from inference.tables.read import _Read, _read_rows, _read_stream
from inference.tables.regions import _Region, _find_regions
from inference.tables.text import _CN_TABLE, _key, simple_norm

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
            infer_row(cfg, spec, rs, rr.items, table)  # cells every consistent reading agrees on
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
        attempts.append((reg, *_text_pieces(norm, reg.start, reg.end)))
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
    if report.ocr:
        from inference.ocr import mark_tables

        mark_tables(report)  # OCR-read cells: confidence, unreadable ones ambiguous
    return report
