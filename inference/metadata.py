"""Stage 3: fill `report.meta` — issuing body, report year, dates, period, contact, URL, level and
format version — from `report.norm`, with the text offsets of every fact in `meta.spans`.

All dates are ISO "YYYY-MM-DD".
"""
from __future__ import annotations

import re
from functools import lru_cache

from inference import rules
from inference.chinese import DATE_RX, NUMERAL_CHARS, parse_date
from inference.headings import find_headings
from inference.report import Report

# ---------------------------------------------------------------------------------------------
# dates
# ---------------------------------------------------------------------------------------------

_CN = NUMERAL_CHARS
_DATE = re.compile(DATE_RX)


# ---------------------------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _data() -> dict:
    raw = rules.read("sections")
    return {
        "levels": [(re.compile(rx), level) for rx, level in raw["agency_levels"]["rules"]],
        "suffix": re.compile(raw["agency_suffix"]),
        "formats": {k: [re.compile(p) for p in v] for k, v in raw["format_labels"].items()},
    }


def guess_level(agency: str | None) -> str | None:
    if not agency:
        return None
    for rx, level in _data()["levels"]:
        if rx.search(agency):
            return level
    return None


# ---------------------------------------------------------------------------------------------
# patterns
# ---------------------------------------------------------------------------------------------

_YEAR_REPORT = re.compile(
    r"(?P<year>(?:19|20)\d{2})\s*年(?:度)?\s*(?:的)?\s*(?:政府信息公开|政务公开|信息公开|政府信息与政务公开)?\s*(?:工作)?\s*(?:年度)?\s*报告"
)
_PREFACE = re.compile(
    r"(?:现(?:予以|将|向社会)?(?:发布|公布|公开|印发)|现将|特(?:发布|公布)|现予公布)\s*"
    r"(?P<agency>[^,。;:\n()]{2,40}?)\s*(?:\([^)\n]{0,30}\))?\s*(?P<year>(?:19|20)\d{2})\s*年"
)
_COMPILED_BY = re.compile(r"本报告由\s*(?P<agency>[^,。;:\n()]{2,40}?)\s*(?:负责)?(?:编制|编写|起草)")
_CONTACT_WHO = re.compile(r"请(?:与|联系|向)\s*(?P<agency>[^,。;:\n()]{2,60}?)\s*(?:联系|咨询)")
_CONTACT_SENT = re.compile(r"(?:如(?:对|有)[^。\n]{0,40}?)?请(?:与|联系|向)[^。\n]{2,200}?(?:。|$)", re.MULTILINE)
_CONTACT_LINE = re.compile(r"(?:联系电话|咨询电话|电话)\s*:?\s*[0-9][0-9\- ]{5,}")
_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'*+;=%]+")
_PERIOD = re.compile(
    r"统计(?:期限|时限|期间|时间|区间|周期|时段|范围)?[^0-9\n" + _CN + r"]{0,8}?"
    rf"(?P<d1>{DATE_RX})\s*(?:起)?\s*(?:至|到|-|~)\s*(?P<d2>{DATE_RX})"
)
_PUBLISHED_LABEL = re.compile(rf"(?:发布日期|发布时间|公开日期|发文日期|发布于|发稿时间)\s*:?\s*(?P<d>{DATE_RX})")
_WEAK_DATE_LABEL = re.compile(rf"(?<!统计)(?<!成文)(?:日期|时间)\s*:?\s*(?P<d>{DATE_RX})")
_WRITTEN_LABEL = re.compile(rf"成文日期\s*:?\s*(?P<d>{DATE_RX})")
_SENTENCE_PUNCT = re.compile(r"[。,;:!?、]")
_ABBREV = re.compile(r"^(?:我|本|全|各|该)|^(?:经开区|高新区|开发区|我局|本局|我委|本委|我办|本办|我区|本区|我县|本县|我市|本市|我镇|本镇|我乡|本乡)$")


def _plausible_agency(s: str) -> bool:
    s = s.strip()
    if not (2 <= len(s) <= 40):
        return False
    if _SENTENCE_PUNCT.search(s) or re.search(r"\d{4}|根据|报告|关于|条例", s):
        return False
    return not _ABBREV.search(s)


def _clean_agency(s: str) -> str:
    s = s.strip().strip("\"“”'")
    s = re.sub(r"(?:关于|的)$", "", s).strip()
    return s


def _lines(norm: str, start: int = 0, end: int | None = None):
    """Yield (line_start, line_text) for lines overlapping [start, end)."""
    end = len(norm) if end is None else end
    pos = norm.rfind("\n", 0, start) + 1
    while pos < end:
        nl = norm.find("\n", pos)
        nl = len(norm) if nl < 0 else nl
        yield pos, norm[pos:nl]
        pos = nl + 1


def _strip_span(line_start: int, line: str) -> tuple[int, int, str]:
    lead = len(line) - len(line.lstrip())
    s = line.strip()
    return line_start + lead, line_start + lead + len(s), s


# ---------------------------------------------------------------------------------------------
# stage
# ---------------------------------------------------------------------------------------------


def extract_metadata(report: Report) -> Report:

    norm = report.norm or report.text
    meta = report.meta
    spans = meta.spans
    heads = find_headings(norm)
    first_head = next((h.start for h in heads if h.number == 1), heads[0].start if heads else min(len(norm), 3000))
    head_end = max(first_head, 0)

    agency_cands: list[tuple[int, str, tuple[int, int]]] = []  # (priority, name, span)
    year: int | None = None

    # --- title lines before section 一
    prev_lines: list[tuple[int, int, str]] = []
    for ls, line in _lines(norm, 0, head_end):
        s0, e0, stripped = _strip_span(ls, line)
        if not stripped:
            continue
        m = _YEAR_REPORT.search(stripped)
        if m and len(stripped) <= 80 and not _SENTENCE_PUNCT.search(stripped[: m.start()]):
            if year is None:
                year = int(m.group("year"))
                spans["year"] = (s0 + m.start("year"), s0 + m.end("year"))
            prefix = _clean_agency(stripped[: m.start()])
            if prefix and _plausible_agency(prefix):
                agency_cands.append((0, prefix, (s0, s0 + len(prefix))))
            elif prev_lines:
                ps, pe, ptxt = prev_lines[-1]
                if _plausible_agency(ptxt) and _data()["suffix"].search(ptxt):
                    agency_cands.append((1, ptxt, (ps, pe)))
        prev_lines.append((s0, e0, stripped))

    # --- preface "现发布/现公布 XX 2024年…"
    pre = norm[:head_end]
    m = _PREFACE.search(pre)
    if m:
        name = _clean_agency(m.group("agency"))
        if _plausible_agency(name):
            agency_cands.append((2, name, (m.start("agency"), m.start("agency") + len(name))))
        if year is None:
            year = int(m.group("year"))
            spans["year"] = (m.start("year"), m.end("year"))
    m = _COMPILED_BY.search(pre)
    if m and _plausible_agency(m.group("agency")):
        name = _clean_agency(m.group("agency"))
        agency_cands.append((2, name, (m.start("agency"), m.start("agency") + len(name))))

    # --- signature block / signed date at the very end
    tail_lines = []
    content_end = len(norm.rstrip())  # blanked boilerplate / duplicate copies at the end are spaces
    for ls, line in _lines(norm, max(0, content_end - 1500), content_end):
        s0, e0, stripped = _strip_span(ls, line)
        if stripped:
            tail_lines.append((s0, e0, stripped))
    for s0, e0, stripped in reversed(tail_lines[-5:]):
        dm = _DATE.search(stripped)
        if dm and len(stripped) <= 60 and dm.end() >= len(stripped) - 1 and meta.signed_on is None:
            iso = parse_date(dm.group(0))
            if iso:
                meta.signed_on = iso
                spans["signed_on"] = (s0 + dm.start(), s0 + dm.end())
                before = stripped[: dm.start()].strip()
                if before and _plausible_agency(before) and _data()["suffix"].search(before):
                    agency_cands.append((3, before, (s0, s0 + len(before))))
                continue
        if _plausible_agency(stripped) and _data()["suffix"].search(stripped) and len(stripped) <= 40:
            agency_cands.append((3, stripped, (s0, e0)))
            break
        if meta.signed_on is not None:
            break
    if meta.signed_on is None:
        m = _WRITTEN_LABEL.search(norm, 0, head_end or len(norm))
        if m and (iso := parse_date(m.group("d"))):
            meta.signed_on = iso
            spans["signed_on"] = (m.start("d"), m.end("d"))

    # --- contact
    m = _CONTACT_SENT.search(norm, 0, head_end or len(norm)) or _CONTACT_SENT.search(norm)
    if m:
        meta.contact = m.group(0).strip().rstrip("。")
        spans["contact"] = (m.start(), m.start() + len(meta.contact))
        w = _CONTACT_WHO.search(norm, m.start(), m.end())
        if w:
            name = _clean_agency(w.group("agency"))
            if _plausible_agency(name):
                agency_cands.append((4, name, (w.start("agency"), w.start("agency") + len(name))))
    else:
        m = _CONTACT_LINE.search(norm)
        if m:
            meta.contact = m.group(0).strip()
            spans["contact"] = (m.start(), m.end())

    if agency_cands:
        agency_cands.sort(key=lambda c: (c[0], c[2][0]))
        best = agency_cands[0]
        # a fuller form of the same name ("X市Y区桂香街道办事处" for "桂香街道办事处") wins
        fuller = [c for c in agency_cands if len(c[1]) > len(best[1]) and c[1].endswith(best[1])]
        if fuller:
            best = fuller[0]
        _, meta.agency, spans["agency"] = best

    # --- period
    m = _PERIOD.search(norm)
    if m:
        d1, d2 = parse_date(m.group("d1")), parse_date(m.group("d2"))
        if d1 and d2:
            meta.period = (d1, d2)
            spans["period"] = (m.start("d1"), m.end("d2"))

    # --- published date: labelled date near the top, else a short date line near the top
    top = max(head_end, min(len(norm), 400))
    m = _PUBLISHED_LABEL.search(norm, 0, top) or _WEAK_DATE_LABEL.search(norm, 0, top)
    if m and (iso := parse_date(m.group("d"))):
        meta.published_on = iso
        spans["published_on"] = (m.start("d"), m.end("d"))
    else:
        for ls, line in _lines(norm, 0, head_end):
            s0, _e0, stripped = _strip_span(ls, line)
            if 0 < len(stripped) <= 40 and not re.search(r"统计|至|期限|时限", stripped):
                dm = _DATE.search(stripped)
                if dm and (iso := parse_date(dm.group(0))):
                    meta.published_on = iso
                    spans["published_on"] = (s0 + dm.start(), s0 + dm.end())
                    break

    # --- url: prefer one in the preface
    m = _URL.search(norm, 0, head_end) or _URL.search(norm)
    if m:
        url = m.group(0).rstrip(".:;!?'")
        meta.url = url
        spans["url"] = (m.start(), m.start() + len(url))

    # --- year fallbacks: period start, then the first "20XX年" of section 一
    if year is None and meta.period:
        year = int(meta.period[0][:4])
        spans["year"] = spans["period"][0], spans["period"][0] + 4
    if year is None:
        m = re.compile(r"((?:19|20)\d{2})\s*年").search(norm, head_end, min(len(norm), head_end + 2000))
        if m:
            year = int(m.group(1))
            spans["year"] = (m.start(1), m.end(1))
    meta.year = year
    meta.level = guess_level(meta.agency)
    meta.format = detect_format(norm, year)
    return report


def detect_format(norm: str, year: int | None) -> str:
    """'2021' / '2019' / 'older' / 'unknown' from the text's own table labels and the year."""
    counts = {k: sum(1 for rx in pats if rx.search(norm)) for k, pats in _data()["formats"].items()}
    c21, c19 = counts.get("2021", 0), counts.get("2019", 0)
    if c21 or c19:
        return "2021" if c21 >= c19 else "2019"
    if year is not None and year < 2019:
        return "older"
    return "unknown"
