"""Reading one table: the state machine over pieces that opens rows at their labels and collects items."""
from __future__ import annotations

from dataclasses import dataclass

from inference.report import Table
from inference.tables.assign import _RowRead, _tail
from inference.tables.config import _Config, _TableSpec
from inference.tables.labels import _match_label
from inference.tables.layouts import _Item, _Piece
from inference.tables.text import _CN_TABLE, _PLAIN_INT, _key, _keyed

@dataclass
class _Read:
    rows: list[_RowRead]
    stream: list[_Item]  # t4: all value items in order
    layout: str
    glued: bool
    start: int | None
    end: int | None
    notes: list[str]


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
        odd = text.strip()
        if (junk.strip() and not matched_any and items and cur is not None and pc.explicit
                and len(cur.items) < len(cur.spec.cols) and len(odd) <= 16 and len(odd.split()) == 1):
            # one odd cell (1e30, 0x10, 12a) is that cell's invalid value: the rest of its row still counts
            s = pc.start + (len(text) - len(text.lstrip()))
            cur.items.append(_Item("invalid", None, odd, s, s + len(odd)))
            last = pc.end
            continue
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
