"""Length-preserving text views shared by the reader and the statement model.

Real pages come from mirror sites in traditional characters, and some carry pinyin glosses after
characters (紀(jì)工委). Both views keep every offset: traditional characters map one-for-one to
simplified ones (OpenCC t2s; any phrase conversion that would change the length falls back to
character-by-character conversion), Kangxi radicals become the ordinary characters, and a romanisation
gloss in brackets becomes spaces. `without_glosses` cuts glosses out instead and says where each character
came from: the statement model reads that (model/tagger.py `predict`).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

ROMANISATION = re.compile(r"[(（][a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,8}[)）]")


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=8192)
def _char(ch: str) -> str:
    out = _converter().convert(ch)
    return out if len(out) == 1 else ch


# Kangxi radicals that some pages' PDF-to-HTML conversion puts in place of the ordinary characters (⼯作 for
# 工作); NFKC maps each to its unified ideograph, one for one
_RADICALS = re.compile("[\u2f00-\u2fd5]")


def _radical(m: re.Match) -> str:
    out = unicodedata.normalize("NFKC", m.group())
    return out if len(out) == 1 else m.group()


def simplified(text: str) -> str:
    """Traditional -> simplified characters, same length as `text`."""
    text = _RADICALS.sub(_radical, text)
    try:
        out = _converter().convert(text)
    except UnicodeEncodeError:  # lone surrogates from a broken decode: convert around them
        out = ""
    if len(out) != len(text):
        out = "".join(_char(ch) if "\u4e00" <= ch <= "\u9fff" else ch for ch in text)
    return out


def without_romanisation(text: str) -> str:
    return ROMANISATION.sub(lambda m: " " * len(m.group()), text)


def cut_out(text: str, pattern: re.Pattern) -> tuple[str, list[int] | None]:
    """`text` with every match of `pattern` cut out, and for each character left its position in `text`
    (None when nothing matched: the text is returned as it is)."""
    cut = [m.span() for m in pattern.finditer(text)]
    if not cut:
        return text, None
    keep, at = [], 0
    for s, e in cut:
        keep.extend(range(at, s))
        at = e
    keep.extend(range(at, len(text)))
    return "".join(text[i] for i in keep), keep


def source_span(keep: list[int] | None, start: int, end: int) -> tuple[int, int]:
    """A non-empty span of a cut-out view (`cut_out`) as positions in the text it was cut from."""
    return (start, end) if keep is None else (keep[start], keep[end - 1] + 1)


def without_glosses(text: str) -> tuple[str, list[int] | None]:
    """`text` with its romanisation glosses cut out, and for each character left its position in `text`."""
    return cut_out(text, ROMANISATION)


def model_view(text: str) -> str:
    """What the statement model reads: simplified characters, glosses blanked, punctuation as written."""
    return without_romanisation(simplified(text))
