"""What every check family shares: the rules of data/checks.json, message templates, table and cell
labels, and the text the checks read (norm with the table regions blanked)."""
from __future__ import annotations

import re

from inference import rules
from inference.registry import checks
from inference.report import CheckResult, Report, Table

CFG: dict = rules.read("checks")


MSG: dict[str, str] = CFG["messages"]


EPS: float = float(CFG["float_eps"])


T3 = CFG["t3"]


T4 = CFG["t4"]


T2 = CFG["t2"]


TABLE_NAMES = {"t2": "表二", "t3": "表三", "t4": "表四"}


def _msg(key: str, **kw) -> str:
    """The Chinese message `key` of data/checks.json (or of a registered check's `messages`), filled in."""
    template = MSG.get(key)
    if template is None:
        template = next(m["messages"][key] for _, m in ((n, checks.meta(n)) for n in checks.names())
                        if key in m.get("messages", {}))
    return template.format(**kw)


message = _msg  # for checks registered from outside the package


def _fmt_num(v: float | int | None) -> str:
    if v is None:
        return "?"
    if isinstance(v, float) and abs(v - round(v)) < EPS:
        return str(int(round(v)))
    return str(v)


def _table(report: Report, key: str) -> Table | None:
    t = report.tables.get(key)
    if t is None or not t.found:
        return None
    return t


_STATE_NOTE = {"blank": "空白", "missing": "缺失", "ambiguous": "列对应不明", "invalid": "无法识别"}


def _blank_note(labels: list[str]) -> str:
    if not labels:
        return ""
    if len(labels) > CFG["blank_list_max"]:
        return _msg("blank_note_many", n=len(labels))
    return _msg("blank_note", cells="、".join(labels))




def _missing(check_id: str, table_key: str, what: str) -> CheckResult:
    return CheckResult(check_id, "not_assessable", _msg("table_missing", table=TABLE_NAMES[table_key], what=what))


def _value_kind(table_key: str, col: str) -> str:
    if table_key == "t2":
        return T2["value_kinds"].get(col, T2["default_value_kind"])
    return "count"


def _row_name(table_key: str, row: str) -> str:
    names = {"t2": T2["row_names"], "t3": T3["row_names"], "t4": T4["block_names"]}[table_key]
    return names.get(row, row)


def _label(table_key: str, row: str, col: str) -> str:
    """'第一项（本年新收）总计栏', '行政复议总计栏', '规章本年制发件数栏'."""
    cols = {"t2": T2["col_names"], "t3": T3["column_names"], "t4": T4["col_names"]}[table_key]
    sep = "行" if table_key == "t3" else ""
    return f"{_row_name(table_key, row)}{sep}{cols.get(col, col)}栏"


_SENT_SPLIT = re.compile(CFG["text_table"]["sentence_split"])


def _src(report: Report) -> str:
    return report.norm if report.norm and len(report.norm) == len(report.text) else report.text


def _blank_tables(report: Report, src: str) -> str:
    """Blank the table regions so flattened table rows are never read as prose figures."""
    spans = [(t.start, t.end) for t in report.tables.values() if t.start is not None and t.end is not None]
    spans += [(rt.start, rt.end) for rt in report.raw_tables]
    if not spans:
        return src
    chars = list(src)
    for s, e in spans:
        for i in range(max(0, s), min(len(chars), e)):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)
