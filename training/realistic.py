"""Rewrite authored training passages toward how real pages are written (issue 9: real text differs from
the authored corpus by ASCII punctuation inside Chinese, no enumeration markers, run-together lines and
excerpts cut mid-section). Labels move with the text: every edit deletes or replaces connective
characters outside statements, or cuts the passage at a statement boundary, so no span is ever altered.
"""
from __future__ import annotations

import random
import re

ASCII_PUNCT = str.maketrans({"，": ",", "；": ";", "：": ":", "（": "(", "）": ")", "！": "!", "？": "?"})
MARKER = re.compile(r"(?:[一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]+[)）]|(?<![\d.])\d{1,2}[.、．](?!\d)|"
                    r"[一二三四五六七八九十]+、|首先|其次|再次|最后)")


def _delete(passage: dict, drop: list[tuple[int, int]]) -> dict:
    """Remove character ranges that lie outside every statement; offsets shift accordingly."""
    text = passage["text"]
    keep = [True] * len(text)
    for s, e in drop:
        for i in range(s, e):
            keep[i] = False
    shift, new_index = 0, []
    for i, k in enumerate(keep):
        new_index.append(i - shift)
        shift += not k
    new_index.append(len(text) - shift)
    stmts = [{**st, "start": new_index[st["start"]], "end": new_index[st["end"]]} for st in passage["statements"]]
    return {**passage, "text": "".join(c for c, k in zip(text, keep) if k), "statements": stmts}


def _outside(passage: dict, s: int, e: int) -> bool:
    return all(e <= st["start"] or s >= st["end"] for st in passage["statements"])


def ascii_punctuation(passage: dict, rng: random.Random) -> dict:
    return {**passage, "text": passage["text"].translate(ASCII_PUNCT)}


def without_markers(passage: dict, rng: random.Random) -> dict:
    drop = [(m.start(), m.end()) for m in MARKER.finditer(passage["text"]) if _outside(passage, m.start(), m.end())]
    return _delete(passage, drop)


def one_paragraph(passage: dict, rng: random.Random) -> dict:
    text = passage["text"]
    drop = [(i, i + 1) for i, c in enumerate(text) if c == "\n" and _outside(passage, i, i + 1)]
    return _delete(passage, drop)


def cut_short(passage: dict, rng: random.Random) -> dict:
    """Stop after a random statement of the second half, as a stored page excerpt stops."""
    stmts = sorted(passage["statements"], key=lambda s: s["start"])
    if len(stmts) < 3:
        return passage
    keep = rng.randrange(len(stmts) // 2, len(stmts) - 1) + 1
    end = stmts[keep - 1]["end"]
    nxt = stmts[keep]["start"]
    end = min(nxt, end + rng.randrange(0, max(1, nxt - end) + 1))
    return {**passage, "text": passage["text"][:end], "statements": stmts[:keep]}


TRANSFORMS = (ascii_punctuation, without_markers, one_paragraph, cut_short)


def realistic_variants(passages: list[dict], share: float = 0.5, seed: int = 7) -> list[dict]:
    """For a `share` of the passages, one variant made of 1-3 transforms chosen at random."""
    rng = random.Random(seed)
    out = []
    for p in passages:
        if rng.random() >= share:
            continue
        variant = p
        for transform in rng.sample(TRANSFORMS, rng.randint(1, 3)):
            variant = transform(variant, rng)
        if variant["text"] != p["text"] and variant["text"].strip():
            out.append({**variant, "id": f"{p['id']}~real"})
    return out
