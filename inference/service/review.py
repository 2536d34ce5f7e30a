"""Review: a reviewer's decisions on deductions and corrections of statement labels, applied on top of the
machine's result without changing it.

The audit table is append-only; the latest entry per target is in force. The reviewed score is made by
applying the statement corrections to a copy of the stored Report, re-rating it through the pipeline's score
component, then leaving out the dismissed deductions (each part still loses at most its maximum).
"""
from __future__ import annotations

import hashlib
from typing import Any

from inference import rules
from inference.report import Report, Score
from inference.service.errors import error

DECISIONS = {"confirm": "确认", "dismiss": "驳回", "reset": "撤销复核"}
ROLES = ("problem", "remedy", "other")
STATUSES = ("done", "planned")


def deduction_key(d: dict) -> str:
    """A stable key of one deduction: its part, check and reason (a changed finding is a new one)."""
    return hashlib.sha1(f"{d['part']}|{d.get('check_id') or ''}|{d['reason']}".encode()).hexdigest()[:12]


def statement_key(start: int, end: int) -> str:
    return f"{start}-{end}"


def state(audit: list[dict]) -> tuple[dict[str, dict], dict[str, dict], dict[str, dict]]:
    """(deduction key -> latest decision, statement key -> latest correction, cell path -> latest correction)."""
    latest: dict[str, dict[str, dict]] = {"deduction": {}, "statement": {}, "cell": {}, "meta": {}}
    for entry in audit:
        latest[entry["kind"]][entry["target"]] = entry
    decisions = {k: v for k, v in latest["deduction"].items() if v["value"].get("decision") != "reset"}
    corrections = {k: v for k, v in latest["statement"].items() if not v["value"].get("reset")}
    cells = {k: v for k, v in latest["cell"].items() if not v["value"].get("reset")}
    # a corrected agency / level / year is applied like a corrected figure (kept with the cells)
    cells.update({f"meta.{k}": v for k, v in latest["meta"].items() if not v["value"].get("reset")})
    return decisions, corrections, cells


META_FIELDS = {"agency": "机关名称", "level": "层级", "year": "年度"}


def validate_meta(field: str, value):
    """A reviewer's agency (text), level (one of the taxonomy's levels) or year (an integer)."""
    if field not in META_FIELDS:
        raise error("not_found", "只能更正机关名称、层级或年度")
    if field == "agency":
        value = str(value or "").strip()
        if not 2 <= len(value) <= 60:
            raise error("validation_error", "机关名称须为 2–60 个字")
    elif field == "level":
        levels = rules.read("taxonomy")["levels"]
        if value not in levels:
            raise error("validation_error", f"层级须为 {'、'.join(levels)} 之一")
    else:
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise error("validation_error", "年度须为四位数字") from None
        if not 2000 <= value <= 2100:
            raise error("validation_error", "年度须为四位数字")
    return value


def validate_cell(report: Report, path: str, value) -> tuple[str, str, str]:
    """'t3.carried_over.total' -> (table, row, column) of a figure of the report; the value a number ≥ 0 or None."""
    parts = path.split(".")
    if len(parts) != 3 or parts[0] not in report.tables or parts[1] not in report.tables[parts[0]].rows \
            or parts[2] not in report.tables[parts[0]].rows[parts[1]]:
        raise error("not_found", "该表格单元格不存在")
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0
                              or value != value or value > 1e12):
        raise error("validation_error", "单元格的值须为非负数字，或留空表示空白")
    return parts[0], parts[1], parts[2]


def _apply_cells(copy: Report, cells: dict[str, dict], engine) -> None:
    """Corrected figures written into the tables, then the checks run again (cross-year ones against the
    previous year's history entry, as the batch phase made them)."""
    from inference.findings import cross_year_checks

    for path, entry in cells.items():
        if path.startswith("meta."):
            setattr(copy.meta, path[5:], entry["value"]["value"])
            continue
        key, row, col = path.split(".")
        cell = copy.tables.get(key) and copy.tables[key].rows.get(row, {}).get(col)
        if cell is None:
            continue
        v = entry["value"]["value"]
        cell.value, cell.state, cell.raw = v, ("number" if v is not None else "blank"), "" if v is None else f"{v:g}"
    cross = [c for c in copy.checks if c.id.startswith("cross_year.")]
    copy.checks = []
    engine.nlp.get_pipe("checks")(copy)
    previous = engine.history_entry(copy.batch.previous_year) if copy.batch and copy.batch.previous_year else None
    copy.checks.extend(cross_year_checks(copy, previous) if previous else cross)


def validate_labels(role: str, categories: list[str], specific: bool, status: str | None) -> dict:
    """Labels a reviewer may set, checked against the taxonomy (the same rules as labelled data)."""
    if role not in ROLES:
        raise error("validation_error", f"角色须为 {'/'.join(ROLES)}")
    cats = rules.categories()
    categories = list(dict.fromkeys(c for c in categories if c))
    for c in categories:
        if c not in cats or cats[c].role != role:
            raise error("validation_error", f"类别 {c} 不属于“{role}”")
    if role in ("problem", "remedy") and not categories:
        raise error("validation_error", "问题和改进措施至少需要一个类别")
    if role == "remedy":
        if status not in STATUSES:
            raise error("validation_error", "改进措施须注明状态：done（已采取）或 planned（计划）")
    else:
        status = None
    if role == "other":
        categories, specific = [], False
    return {"role": role, "categories": categories, "specific": bool(specific), "status": status}


def reviewed(report: Report, audit: list[dict], engine) -> dict[str, Any]:
    """The reviewed view of `report`: {"report": Report with corrected statements and reviewed score,
    "score": reviewed score dict, "dismissed": [...], "confirmed": [...], "corrections": {...}, "changed": bool}."""
    decisions, corrections, cells = state(audit)
    copy = Report.from_dict(report.to_dict())
    if cells:
        _apply_cells(copy, cells, engine)
    for st in copy.statements:
        entry = corrections.get(statement_key(st.start, st.end))
        if entry:
            v = entry["value"]
            st.role, st.categories, st.specific, st.status = v["role"], list(v["categories"]), v["specific"], v["status"]
            st.confidence = 1.0
    if corrections or cells:
        engine.rescore(copy)
    score = copy.score
    dismissed, confirmed = [], []
    if score is not None:
        kept = []
        for d in score.deductions:
            key = deduction_key(d.to_dict())
            decision = decisions.get(key)
            if decision and decision["value"]["decision"] == "dismiss":
                dismissed.append(d)
            else:
                if decision:
                    confirmed.append(d)
                kept.append(d)
        if dismissed:
            score = _resum(score, kept, engine.nlp.rubric)
            copy.score = score
    return {"report": copy, "score": score.to_dict() if score else None, "changed": bool(dismissed or corrections or cells),
            "dismissed": [deduction_key(d.to_dict()) for d in dismissed],
            "confirmed": [deduction_key(d.to_dict()) for d in confirmed],
            "decisions": decisions, "corrections": corrections, "cells": cells}


def _resum(score: Score, kept: list, rubric) -> Score:
    parts = {}
    for key, part in score.parts.items():
        lost = min(part["max"], sum(d.points for d in kept if d.part == key))
        parts[key] = {**part, "score": round(part["max"] - lost, 2)}
    total = round(sum(p["score"] for p in parts.values()), 2)
    return Score(total=total, grade=rubric.grade(total), parts=parts, deductions=list(kept))


# -- labelled data for `nianbao train --data` ----------------------------------------------------------------
_EDGE = set("。；;，,、：:！!？? \t\r\n　")


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    from inference.chinese import ENUM_MARKER_AT_START

    while start < end and text[start] in _EDGE:
        start += 1
    m = ENUM_MARKER_AT_START.match(text, start, end)
    if m and m.end() > start:
        start = m.end()
        while start < end and text[start] in _EDGE:
            start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    return start, end


def training_records(report_id: str, name: str, report: Report, reviewer: str) -> tuple[list[dict], list[str]]:
    """Project-format passages (training/corpus.py) of sections 五 and 六 of a reviewed report, labelled
    with the reviewed statements. Returns (records, reasons why passages were left out)."""
    from inference.statements import section_passages
    from training.corpus import load_taxonomy, validate_record

    tax = load_taxonomy()
    skipped = []
    meta = report.meta
    if not isinstance(meta.year, int) or not tax.year_range[0] <= meta.year <= tax.year_range[1]:
        return [], [f"{name}: 年度未识别"]
    level = meta.level if meta.level in tax.levels else None
    if level is None:
        return [], [f"{name}: 行政层级未识别"]
    out = []
    for number, offset, body in section_passages(report):
        statements = []
        for st in sorted((s for s in report.statements if s.section == number), key=lambda s: s.start):
            s, e = _trim(body, st.start - offset, st.end - offset)
            if e - s < 2 or (statements and s < statements[-1]["end"]):
                continue
            statements.append({"start": s, "end": e, "role": st.role, "categories": list(st.categories),
                               "specific": bool(st.specific), "status": st.status if st.role == "remedy" else None})
        record = {"id": f"review-{report_id}-s{number}", "origin": "authored", "year": meta.year, "level": level,
                  "section": number, "text": body, "style": "mixed", "statements": statements,
                  "source": name, "note": f"reviewed in nianbao serve by {reviewer}"}
        issues = validate_record(record, "review", 0, tax)
        if issues:
            skipped.append(f"{name} 第{number}部分: " + "; ".join(f"{i.field} {i.code}" for i in issues[:3]))
            continue
        out.append(record)
    return out, skipped
