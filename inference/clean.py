"""Stage 2: fill `report.norm` — same length as `report.text`, characters normalised one-for-one,
page boilerplate and a repeated copy of the report blanked with spaces (newlines kept).

Every blanked region is recorded in `report.removed` as (start, end, reason).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from inference import rules
from inference.headings import find_headings, report_start
from inference.report import Report
from inference.textnorm import blank_ranges as _blank_ranges
from inference.textnorm import normalise_chars

# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _rules() -> dict:
    raw = rules.read("boilerplate")
    strong = [(r["name"], re.compile(r["regex"]), r.get("blank", "line")) for r in raw["strong"]]
    weak = [(r["name"], re.compile(r["regex"])) for r in raw["weak"]]
    combined = re.compile("|".join(f"(?:{r['regex']})" for r in raw["strong"]), re.MULTILINE)
    return {
        "strong": strong,
        "weak": weak,
        "strong_any": combined,
        "max_line": int(raw.get("max_line_chars", 160)),
        "window": int(raw.get("weak_window", 3)),
    }


def _lines(s: str) -> list[tuple[int, int]]:
    """(start, end) of every line, end excluding the newline."""
    out = []
    pos = 0
    n = len(s)
    while pos <= n:
        nl = s.find("\n", pos)
        if nl < 0:
            out.append((pos, n))
            break
        out.append((pos, nl))
        pos = nl + 1
    return out


_WS = re.compile(r"\s+")
_LEFTOVER = re.compile(r"[\s|,.:;!?()\[\]【】/<>\-·•、。]+")

# ---------------------------------------------------------------------------------------------
# duplicate copy detection
# ---------------------------------------------------------------------------------------------

MIN_SEED_LINE = 20
MIN_COPY_LINES = 5
MIN_COPY_CHARS = 200
MAX_ATTEMPTS = 50


def find_duplicate_copy(norm: str) -> list[tuple[int, int]]:
    """Return char ranges of later copies of a block of lines that repeats an earlier block.

    A copy is accepted when it repeats, line for line, at least half of the non-empty lines
    between the first occurrence and the repeat (so a repeated sentence is not a copy).
    """
    spans = _lines(norm)
    keys = [_WS.sub("", norm[s:e]) for s, e in spans]
    n = len(keys)
    first_seen: dict[str, int] = {}
    out: list[tuple[int, int]] = []
    attempts = 0
    j = 0
    while j < n:
        key = keys[j]
        if len(key) < MIN_SEED_LINE:
            j += 1
            continue
        i = first_seen.get(key)
        if i is None:
            first_seen[key] = j
            j += 1
            continue
        attempts += 1
        if attempts > MAX_ATTEMPTS:
            break
        # walk forward in both copies, skipping empty lines on either side
        a, b = i, j
        run = chars = 0
        last_b = j
        while a < j and b < n:
            if not keys[a]:
                a += 1
                continue
            if not keys[b]:
                b += 1
                continue
            if keys[a] != keys[b]:
                break
            run += 1
            chars += len(keys[a])
            last_b = b
            a += 1
            b += 1
        between = sum(1 for k in keys[i:j] if k)
        if run >= MIN_COPY_LINES and chars >= MIN_COPY_CHARS and run >= 0.5 * between:
            # extend backwards over short lines that also repeat (e.g. a short title line),
            # never into the first copy
            bi, bj = i, j
            while bi > 0 and bj - 1 >= a and keys[bi - 1] == keys[bj - 1]:
                bi -= 1
                bj -= 1
            out.append((spans[bj][0], spans[last_b][1]))
            j = last_b + 1
            continue
        j += 1
    return out


# ---------------------------------------------------------------------------------------------
# main stage
# ---------------------------------------------------------------------------------------------


def _body_bounds(norm: str) -> tuple[int, int]:
    """(body_start, tail_start): weak boilerplate may be blanked only before body_start or after
    tail_start (the end of the last section-六 heading line; no tail if none is found)."""
    heads = find_headings(norm)
    body_start = report_start(norm, heads)
    six = [h for h in heads if h.number == 6]
    if six:
        tail = norm.find("\n", six[-1].start)
        tail_start = len(norm) if tail < 0 else tail
    else:
        tail_start = len(norm)
    return body_start, tail_start


def clean(report: Report) -> Report:
    text = report.text
    norm = normalise_chars(text)
    removed: list[tuple[int, int, str]] = []

    # 1. a whole report repeated on one page
    for s, e in find_duplicate_copy(norm):
        removed.append((s, e, "duplicate_copy"))
    if removed:
        norm = _blank_ranges(norm, [(s, e) for s, e, _ in removed])

    # 2. page boilerplate
    rules = _rules()
    body_start, tail_start = _body_bounds(norm)
    spans = _lines(norm)
    strong_lines: set[int] = set()
    line_removed: dict[int, tuple[int, int, str]] = {}
    nonempty: list[int] = []
    # one C-level scan of the whole text finds the few lines worth a closer look
    starts = [s for s, _ in spans]
    candidates: set[int] = set()
    for m in rules["strong_any"].finditer(norm):
        first = bisect_right(starts, m.start()) - 1
        last = bisect_right(starts, max(m.start(), m.end() - 1)) - 1
        candidates.update(range(first, last + 1))
    for idx, (s, e) in enumerate(spans):
        line = norm[s:e]
        if not line.strip():
            continue
        nonempty.append(idx)
        if idx not in candidates:
            continue
        short = len(line.strip()) <= rules["max_line"]
        whole: str | None = None
        parts: list[tuple[int, int, str]] = []
        for name, rx, mode in rules["strong"]:
            if mode == "line" and short:
                if rx.search(line):
                    whole = name
                    break
                continue
            parts.extend((mm.start(), mm.end(), name) for mm in rx.finditer(line) if mm.end() > mm.start())
        if whole is None and parts:
            rest = _blank_ranges(line, [(a, b) for a, b, _ in parts])
            if not _LEFTOVER.sub("", rest):
                whole = parts[0][2]
        if whole is not None:
            ls = s + (len(line) - len(line.lstrip()))
            removed.append((ls, s + len(line.rstrip()), f"boilerplate:{whole}"))
            strong_lines.add(idx)
        else:
            removed.extend((s + a, s + b, f"boilerplate:{name}") for a, b, name in parts)
    # weak lines next to strong ones, outside the body (chain outwards until nothing changes)
    window = rules["window"]
    pos_of = {idx: k for k, idx in enumerate(nonempty)}
    hit = set(strong_lines)
    changed = True
    while changed:
        changed = False
        for idx in nonempty:
            if idx in hit:
                continue
            s, e = spans[idx]
            if not (e <= body_start or s >= tail_start):
                continue
            line = norm[s:e]
            name = next((nm for nm, rx in rules["weak"] if rx.search(line)), None)
            if name is None or len(line.strip()) > rules["max_line"]:
                continue
            k = pos_of[idx]
            near = nonempty[max(0, k - window) : k + window + 1]
            if any(n in hit for n in near):
                hit.add(idx)
                ls = s + (len(line) - len(line.lstrip()))
                line_removed[idx] = (ls, s + len(line.rstrip()), f"boilerplate:{name}")
                changed = True
    removed.extend(line_removed.values())

    report.norm = _blank_ranges(norm, [(s, e) for s, e, _ in removed])
    report.removed = sorted(removed)
    assert len(report.norm) == len(text)
    return report
