"""Matching row, group and header labels on a key, in the expected row order."""
from __future__ import annotations

from collections.abc import Iterable

from inference.tables.config import _Label
from inference.tables.text import _ENUM_RE



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
