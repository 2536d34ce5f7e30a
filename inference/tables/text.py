"""Text helpers of the table reader: one-for-one NFKC, label keys (no whitespace or punctuation) with offsets."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache



TABLE_KEYS = ("t2", "t3", "t4")


_CN_NUM = "一二三四五六七八九十"


_CN_TABLE = {"t2": "表二", "t3": "表三", "t4": "表四"}


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
