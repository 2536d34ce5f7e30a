"""Batch-level findings: near-duplicate text (MinHash LSH, datasketch), the cross-year checks (this year's
上年结转 = last year's 结转下年度; 现行有效 continuity) and last year's problems (what the same body's report
of the year before stated in section 五, rated by the rubric's `last_year` rule), all against the same batch
and the history store of earlier runs."""
from __future__ import annotations

from typing import Iterable, Mapping

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np

from inference.registry import batch_findings
from inference.report import BatchInfo, CheckResult, Evidence, Report

NUM_PERM = 128
SHINGLE = 5
SCHEME = "affine32"  # stored signatures must be read back with the scheme that made them
LSH_THRESHOLD = 0.6  # candidates; the rubric decides what similarity costs points
T3_COLS = ("natural_person", "commercial", "research", "public_interest", "legal_service", "other_org", "total")
T3_COL_CN = {"natural_person": "自然人", "commercial": "商业企业", "research": "科研机构", "public_interest": "社会公益组织",
             "legal_service": "法律服务机构", "other_org": "其他", "total": "总计"}
_STRIP = re.compile(r"[\s\d,.，。；;：:、（）()“”\"'《》<>〈〉!?！？\-—|]+")


def _shingles(text: str) -> set[bytes]:
    t = _STRIP.sub("", text)
    return {t[i : i + SHINGLE].encode("utf-8") for i in range(max(0, len(t) - SHINGLE + 1))}


def minhash(text: str) -> np.ndarray | None:
    from datasketch import MinHash

    shingles = _shingles(text)
    if len(shingles) < 10:  # too short to say anything about copying
        return None
    m = MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME)
    m.update_batch(list(shingles))
    return m.hashvalues.copy()


FREE_SECTIONS = (1, 5, 6)


def free_text(report: Report) -> str:
    """Sections 一, 五, 六: tables share their printed labels in every report, so they are left out."""
    return "\n".join(report.text[s.body_start : s.end] for s in report.sections if s.number in FREE_SECTIONS)


def free_text_of(text: str, sections: list[dict]) -> str:
    """`free_text` from a stored result's text and `sections` (no Report rebuilt)."""
    return "\n".join(text[s["body_start"] : s["end"]] for s in sections if s["number"] in FREE_SECTIONS)


def signatures(report: Report) -> tuple[np.ndarray | None, np.ndarray | None]:
    s5 = report.section(5)
    return (minhash(report.text[s5.body_start : s5.end]) if s5 else None), minhash(free_text(report))


def similar_pairs(entries: list[dict], current: set[str]) -> dict[str, list[dict]]:
    """entries: {"digest", "source", "s5", "whole"} (batch + history). For each current digest, the other
    entries whose section 五 or free text is similar: {"scope", "other", "similarity"}."""
    from datasketch import MinHash, MinHashLSH

    out: dict[str, list[dict]] = {d: [] for d in current}
    for scope, key in (("section5", "s5"), ("report", "whole")):
        lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
        hashes = {}
        for e in entries:
            if e[key] is None or e["digest"] in hashes:
                continue
            m = MinHash(num_perm=NUM_PERM, seed=1, hashvalues=e[key], scheme=SCHEME)
            hashes[e["digest"]] = m
            lsh.insert(e["digest"], m)
        by_digest = {e["digest"]: e for e in entries}
        for digest in current:
            m = hashes.get(digest)
            if m is None:
                continue
            for other in lsh.query(m):
                if other == digest:
                    continue
                sim = float(m.jaccard(hashes[other]))
                if sim >= LSH_THRESHOLD:
                    out[digest].append({"scope": scope, "other": by_digest[other]["source"], "similarity": round(sim, 3)})
    for matches in out.values():
        # ties named in a fixed order (LSH answers in set order, which hash randomisation changes per run)
        matches.sort(key=lambda m: (-m["similarity"], m["scope"], m["other"]))
    return out


def agency_key(agency: str | None) -> str | None:
    """The agency as the same body is named from year to year: NFKC (full-width letters, digits and brackets
    as half-width), no whitespace, no middle dots or quotation marks."""
    if not agency:
        return None
    return re.sub(r"[\s·•“”\"'‘’]+", "", unicodedata.normalize("NFKC", agency)) or None


def table_figures(report: Report) -> tuple[dict, dict]:
    t3, t2 = report.tables.get("t3"), report.tables.get("t2")
    carried = {c: t3.value("carried_forward", c) for c in T3_COLS} if t3 and t3.found else {}
    in_force = {}
    if t2 and t2.found:
        for row in ("regulations", "normative_documents"):
            in_force[row] = {k: t2.value(row, k) for k in ("made", "repealed", "in_force")}
    return carried, in_force


def cross_year_checks(report: Report, previous: dict) -> list[CheckResult]:
    """previous: history entry of the same body for the year before (carried_forward, in_force, source)."""
    out = []
    t3, t2 = report.tables.get("t3"), report.tables.get("t2")
    prev_src = previous["source"]
    if t3 is not None and t3.found and previous.get("carried_forward"):
        for col in T3_COLS:
            now, before = t3.value("carried_over", col), previous["carried_forward"].get(col)
            cid = f"cross_year.carried_over.{col}"
            ev = [Evidence(path=f"t3.carried_over.{col}", value=now), Evidence(path=f"{prev_src}#t3.carried_forward.{col}", value=before)]
            if now is None or before is None:
                out.append(CheckResult(cid, "uncertain", f"表三{T3_COL_CN[col]}列：本年上年结转或上年度结转下年度为空白/无法识别，无法核对跨年衔接。", ev))
            elif now == before:
                out.append(CheckResult(cid, "pass", f"表三{T3_COL_CN[col]}列：本年上年结转({now})等于上年度报告结转下年度({before})。", ev))
            else:
                out.append(CheckResult(cid, "fail", f"表三{T3_COL_CN[col]}列：本年上年结转({now})不等于上年度报告（{prev_src}）结转下年度({before})。", ev))
    for row, name in (("regulations", "规章"), ("normative_documents", "行政规范性文件")):
        before = (previous.get("in_force") or {}).get(row, {}).get("in_force")
        if t2 is None or not t2.found or before is None:
            continue
        made, repealed, now = (t2.value(row, k) for k in ("made", "repealed", "in_force"))
        cid = f"cross_year.in_force.{row}"
        ev = [Evidence(path=f"t2.{row}.in_force", value=now), Evidence(path=f"{prev_src}#t2.{row}.in_force", value=before)]
        if None in (made, repealed, now):
            out.append(CheckResult(cid, "uncertain", f"表二{name}：本年数字不全，无法核对现行有效件数的跨年衔接。", ev))
            continue
        expected = before + made - repealed
        # "≈": documents also expire without a formal repeal, so only a clear gap is a failure.
        if abs(now - expected) <= max(2, 0.1 * max(expected, 1)):
            out.append(CheckResult(cid, "pass", f"表二{name}：现行有效{now}件，与上年{before}+本年制发{made}−废止{repealed}={expected}基本衔接。", ev))
        else:
            out.append(CheckResult(cid, "fail", f"表二{name}：现行有效{now}件，与上年（{prev_src}）{before}+本年制发{made}−废止{repealed}={expected}明显不衔接。", ev))
    return out


# -- batch findings: each fills its part of `report.batch` / `report.checks` from the batch context ----------
@dataclass
class BatchContext:
    """What phase 2 of a batch knows: near-duplicate matches per digest and the reports of every body by year."""
    matches: dict[str, list[dict]] = field(default_factory=dict)
    by_body: dict[tuple[str | None, int], dict] = field(default_factory=dict)
    dates: dict[str, str | None] = field(default_factory=dict)  # source -> publication (else signing) date
    # source -> free text, for batch-mates (copied passages): a dict, or a mapping that reads the one asked for
    texts: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, history_entries: list[dict], digests: set[str], dates: Iterable[tuple[str, str | None]] = (),
              texts: Mapping[str, str] | None = None) -> "BatchContext":
        """history_entries: batch + history store; digests: every stored result's (byte-identical copies
        under other paths share one); `dates`: (source, publication else signing date) of every stored result;
        `texts`: batch-mates' free text by source, a mapping that may read one only when a match asks for it
        (so phase 2 holds no text of the batch)."""
        by_body: dict[tuple[str | None, int], dict] = {}
        for e in history_entries:
            if e["agency"] and e["year"]:
                key = (agency_key(e["agency"]), e["year"])
                # the first entry of a body and year, unless only a later one kept its problems (older stores)
                if key not in by_body or (by_body[key].get("problems") is None and e.get("problems") is not None):
                    by_body[key] = e
        known = {e["source"]: e.get("published") for e in history_entries}
        known.update(dates)
        return cls(similar_pairs(history_entries, digests), by_body, known, texts if texts is not None else {})


def report_date(report: Report) -> str | None:
    """The date that says who published first: publication, else signing (ISO)."""
    return report.meta.published_on or report.meta.signed_on


_SENTENCE = re.compile(r"[^。；;！!？?\n]{15,}[。；;！!？?]?")


def shared_passages(text: str, other: str, base: int = 0, limit: int = 5) -> list[tuple[int, int, str]]:
    """Sentences (15+ characters) of `text` that also stand in `other`: (start, end, sentence)."""
    out = []
    for m in _SENTENCE.finditer(text):
        sentence = m.group().strip()
        if len(sentence) >= 15 and sentence in other:
            out.append((base + m.start(), base + m.end(), sentence))
            if len(out) >= limit:
                break
    return out


@batch_findings.register("copying")
def copying(report: Report, digest: str, context: BatchContext) -> None:
    """Near-duplicates of section 五 and of the free text (the rubric's `batch` rule decides what they cost).
    Each match says who published first (`role`: later | earlier | same_day | undated, by publication or
    signing date) and, for a batch-mate, the passages both reports share (`passages`)."""
    mine = report_date(report)
    own = free_text(report)
    out = []
    for m in context.matches.get(digest, []):
        if m["other"] == report.source:
            continue
        m = dict(m)
        theirs = context.dates.get(m["other"])
        m["other_date"] = theirs
        m["role"] = ("undated" if not mine or not theirs else "later" if mine > theirs
                     else "earlier" if mine < theirs else "same_day")
        other_text = context.texts.get(m["other"])
        if other_text:
            m["passages"] = [p[2] for p in shared_passages(own, other_text)]
        out.append(m)
    report.batch.similar = out


@batch_findings.register("cross_year")
def cross_year(report: Report, digest: str, context: BatchContext) -> None:
    """Continuity with the same body's report of the year before; checks of an earlier pass are replaced."""
    report.checks = [c for c in report.checks if not c.id.startswith("cross_year.")]
    prev = context.by_body.get((agency_key(report.meta.agency), (report.meta.year or 0) - 1))
    report.batch.previous_year = prev["source"] if prev else None
    if prev is not None:
        report.checks.extend(cross_year_checks(report, prev))


@batch_findings.register("last_year")
def last_year(report: Report, digest: str, context: BatchContext) -> None:
    """Last year's section-五 problems of the same body (batch or history store), for the rubric's `last_year`
    rule to check against this year's remedies (`inference/last_year.py`). Left None when the previous report
    is unknown, or when its history entry was stored before problems were kept."""
    prev = context.by_body.get((agency_key(report.meta.agency), (report.meta.year or 0) - 1))
    if prev is not None and prev.get("problems") is not None:
        report.batch.last_year = {"source": prev["source"], "year": prev["year"], "problems": list(prev["problems"])}


def run_findings(report: Report, digest: str, context: BatchContext) -> Report:
    """Every registered batch finding, on a fresh `report.batch`."""
    report.batch = BatchInfo()
    for _, finding in batch_findings.items():
        finding(report, digest, context)
    return report
