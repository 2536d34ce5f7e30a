"""Text vs tables: a figure stated in a sentence must equal the table cell for the same fact."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from inference.checks.common import EPS, MSG, TABLE_NAMES, _blank_note, _fmt_num, _label, _msg, _table
from inference.checks.mentions import TT, Mention, find_mentions
from inference.checks.relations import _term
from inference.registry import checks
from inference.report import CheckResult, Evidence, Report

@dataclass
class Target:
    value: float | None
    label: str
    blanks: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    table_missing: str | None = None


def _resolve_target(report: Report, paths: list[str]) -> Target:
    total = 0.0
    labels, blanks, unknown, ev = [], [], [], []
    missing_table = None
    for path in paths:
        key, row, col = path.split(".")
        t = _table(report, key)
        cols = col.split("|")
        if t is None:
            missing_table = TABLE_NAMES[key]
            labels.append(TABLE_NAMES[key])
            continue
        present = next((c for c in cols if t.cell(row, c) is not None), None)
        if present is None and t.rows.get(row) and row not in t.ambiguous_rows:
            # the row was read but has no such column: this table format does not report the figure
            missing_table = f"{TABLE_NAMES[key]}（本格式无“{_label(key, row, cols[0])}”）"
            labels.append(TABLE_NAMES[key])
            continue
        col = present or cols[0]
        label = f"{TABLE_NAMES[key]}{_label(key, row, col)}"
        term = _term(t, row, col, label)
        ev.append(term.evidence())
        labels.append(term.render())
        if term.kind == "number":
            total += term.value
        elif term.kind == "blank":
            blanks.append(label)
        else:
            unknown.append(f"{label}({term.note})")
    value = None if (unknown or missing_table) else total
    label = "+".join(labels)
    if len(paths) > 1 and value is not None:
        label += f"={_fmt_num(value)}"
    return Target(value, label, blanks, unknown, ev, missing_table)


def _quote(m: Mention) -> str:
    q = re.sub(r"\s+", "", m.quote)
    return f"“{q[:60]}”"


def _judge_fact(report: Report, fact: str, ms: list[Mention]) -> CheckResult:
    cid = f"text_table.{fact}"
    cands = [_resolve_target(report, paths) for paths in TT["targets"][fact]]
    weak = fact in TT["ambiguous_facts"]
    text_ev = [Evidence(start=m.start, end=m.end, text=report.text[m.start:m.end]) for m in ms]
    quotes = "、".join(dict.fromkeys(_quote(m) for m in ms))
    main = cands[0]
    if all(c.table_missing for c in cands):
        return CheckResult(cid, "not_assessable", _msg("tt_no_table", quotes=quotes, table=main.table_missing), text_ev)
    usable = [c for c in cands if c.value is not None]
    ev = text_ev + [e for c in cands for e in c.evidence]
    if not usable:
        reason = "、".join(main.unknown) if main.unknown else "未识别"
        return CheckResult(cid, "uncertain", _msg("tt_unknown_target", quotes=quotes, target=main.label, reason="无法识别：" + reason), ev)
    # Does any exact mention equal any candidate?
    for c in usable:
        hits = [m for m in ms if not m.approx and m.value is not None and abs(m.value - c.value) <= EPS]
        if hits:
            others = [m for m in ms if m not in hits and not m.subset]
            note = _msg("tt_note_others", quotes="、".join(_quote(m) for m in others)) if others else ""
            note += _blank_note(c.blanks)
            hq = "、".join(dict.fromkeys(_quote(m) for m in hits))
            return CheckResult(cid, "pass", _msg("tt_pass", quotes=hq, target=c.label, note=note), ev)
    target_label = "或".join(c.label for c in usable) if weak else usable[0].label
    decisive = [m for m in ms if m.decisive]
    if weak:
        reason = MSG["tt_reason_ambiguous"]
    elif not decisive:
        if all(m.approx for m in ms):
            reason = MSG["tt_reason_approx"]
        elif any(m.subset for m in ms):
            reason = MSG["tt_reason_subset"]
        else:
            reason = MSG["tt_reason_weak"]
    elif main.blanks and main is usable[0]:
        reason = MSG["tt_reason_blank"] + "（" + "、".join(main.blanks) + "）"
    else:
        reason = None
    if reason:
        return CheckResult(cid, "uncertain", _msg("tt_uncertain", quotes=quotes, target=target_label, reason=reason, note=""), ev)
    dq = "、".join(dict.fromkeys(_quote(m) for m in decisive))
    return CheckResult(cid, "fail", _msg("tt_fail", quotes=dq, target=target_label, note=""), ev)


@checks.register("text_table", order=100)
def check_text_table(report: Report) -> list[CheckResult]:
    mentions = find_mentions(report)
    if not mentions:
        return [CheckResult("text_table", "not_assessable", _msg("tt_none"))]
    by_fact: dict[str, list[Mention]] = {}
    for m in mentions:
        by_fact.setdefault(m.fact, []).append(m)
    order = list(TT["targets"])
    return [_judge_fact(report, f, by_fact[f]) for f in order if f in by_fact]
