"""Chinese numerals, enumeration markers and dates: the one home for these text primitives.

Used by the reader stages, the checks and training (the baseline and the corpus validator).
"""
from __future__ import annotations

import re
from datetime import date

# -- numerals --------------------------------------------------------------------------------------------
CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "O": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
ORDINALS = "零一二三四五六七八九十"  # ORDINALS[n] is the numeral of n for 0..10
NUMERAL_CHARS = "〇零○一二三四五六七八九十"  # what dates and years are written with


def cn_number(s: str) -> int | None:
    """'12' -> 12, '十二' -> 12, '两' -> 2, '一百零五' -> 105, '三万' -> 30000, '二〇二三' -> 2023; None if not a numeral."""
    if s.isdigit():
        return int(s)
    if not s:
        return None
    if len(s) > 1 and all(ch in CN_DIGITS for ch in s):  # digit by digit, as years are written
        return int("".join(str(CN_DIGITS[ch]) for ch in s))
    total = section = num = 0
    for ch in s:
        if ch in CN_DIGITS:
            num = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            section += (num or 1) * CN_UNITS[ch]
            num = 0
        elif ch == "万":
            total += (section + num) * 10000
            section = num = 0
        else:
            return None
    return total + section + num


def numeral_value(s: str) -> int | None:
    """A printed section or item number: '三' -> 3, '12' -> 12."""
    return int(s) if s.isdigit() else cn_number(s)


def ordinal(n: int) -> str:
    """1 -> '一' ... 10 -> '十'; other numbers as digits."""
    return ORDINALS[n] if 0 < n < len(ORDINALS) else str(n)


# -- enumeration markers ---------------------------------------------------------------------------------
# An item marker of an enumerated list: 一是 / （一） / 1. / 一、
ENUM_MARKER = r"(?:[一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]+[)）]|(?<![\d.])\d{1,2}[.、．](?!\d)|[一二三四五六七八九十]+、)"
ENUM_MARKER_AT_START = re.compile(r"^(?:[一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]+[)）]|\d+[.．、](?!\d)|[一二三四五六七八九十]+、)")
# The number of a table row label: 一 / 十二 / 3
ROW_NUMBER = re.compile(r"(?:[一二三四五六七八九十]{1,3}|\d{1,2})")

# -- dates -----------------------------------------------------------------------------------------------
DATE_RX = (
    r"(?:(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
    r"|(?:19|20)\d{2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}(?!\d)"
    rf"|[{NUMERAL_CHARS}]{{4}}\s*年\s*[{NUMERAL_CHARS}]{{1,3}}\s*月\s*[{NUMERAL_CHARS}]{{1,3}}\s*日)"
)
_DATE_PARTS = re.compile(rf"(\d{{4}}|[{NUMERAL_CHARS}]{{4}})\s*(?:年|[-/.])\s*(\d{{1,2}}|[{NUMERAL_CHARS}]{{1,3}})"
                         rf"\s*(?:月|[-/.])\s*(\d{{1,2}}|[{NUMERAL_CHARS}]{{1,3}})")
_ISO = re.compile(r"^\s*(\d{4})\D{1,3}(\d{1,2})\D{1,3}(\d{1,2})")


def parse_date(s: str) -> str | None:
    """'2025年1月9日' / '2025-02-25' / '二〇二五年一月九日' -> '2025-01-09'; None if not a valid date."""
    m = _DATE_PARTS.search(s)
    if not m:
        return None
    y, mo, d = (cn_number(g) for g in m.groups())
    if y is None or mo is None or d is None:
        return None
    if not (1900 <= y <= 2100 and 1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def iso_date(s: str | None) -> date | None:
    """'2025-01-09' (or any 'yyyy?m?d' form) -> date; None if not a valid date."""
    m = _ISO.match(s or "")
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"
