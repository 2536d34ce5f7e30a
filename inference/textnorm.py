"""One-for-one character normalisation and blanking: every function keeps the text's length, so an
offset into the result is an offset into the original text."""
from __future__ import annotations

import re
import unicodedata

from model.textnorm import model_view

_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u200c\u200d\u202f\u205f\u2060\u3000\ufeff"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d\u2500\u2501"
# characters NFKC would map to one char but that we keep as they are (they carry meaning in
# these reports or NFKC would turn them into something misleading)
_KEEP = set("〔〕【】“”‘’《》〈〉「」『』、。·…")


class _CharMap(dict):
    """str.translate table computed lazily per distinct character (cached)."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        out = ch
        if ch in _KEEP:
            pass
        elif code < 0x20:
            out = ch if ch in "\t\n" else ("\n" if ch in "\x0b\x0c" else " ")
        elif code < 0x7F:
            pass
        elif ch in _SPACES:
            out = " "
        elif ch in _DASHES:
            out = "-"
        elif 0xFF01 <= code <= 0xFF5E:
            out = chr(code - 0xFEE0)
        else:
            n = unicodedata.normalize("NFKC", ch)
            if len(n) == 1 and n != ch:
                out = n if n not in _DASHES else "-"
                if n.isspace():
                    out = " "
        self[code] = out
        return out


_CHARMAP = _CharMap()
# ASCII printables and CJK ideographs never change: only translate the runs in between
_NEEDS_MAP = re.compile(r"[^\t\n\x20-\x7e\u4e00-\u9fff]+")


def normalise_chars(text: str) -> str:
    """Full-width -> half-width, dashes -> '-', odd spaces -> ' ', traditional -> simplified characters,
    romanisation glosses -> spaces (model/textnorm.py). Always the same length."""
    out = model_view(_NEEDS_MAP.sub(lambda m: m.group().translate(_CHARMAP), text))
    assert len(out) == len(text)
    return out


_NOT_NL = re.compile(r"[^\n]")


def blank_ranges(s: str, ranges: list[tuple[int, int]]) -> str:
    """Replace every character but newlines inside the (possibly overlapping) ranges with spaces."""
    out: list[str] = []
    pos = 0
    for start, end in sorted(ranges):
        start = max(start, pos)
        if end <= start:
            continue
        out.append(s[pos:start])
        out.append(_NOT_NL.sub(" ", s[start:end]))
        pos = end
    out.append(s[pos:])
    return "".join(out)
