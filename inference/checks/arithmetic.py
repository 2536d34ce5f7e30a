"""Table 3 and table 4 arithmetic: 一+二 = 三(七)+四, results total, row sums, table 4 totals."""
from __future__ import annotations

from inference.checks.common import T3, T4, _missing, _table
from inference.checks.relations import _ambiguous_row_sum, _check, _relation, _term
from inference.registry import checks
from inference.report import CheckResult, Report, Table

def _t3_format(t: Table) -> str:
    if t.format in ("2021", "2019"):
        return t.format
    has_new = any(r in t.rows for r in ("other_no_correction", "other_unpaid_fee", "other_other"))
    return "2019" if ("other_processing" in t.rows and not has_new) else "2021"


def _result_rows(t: Table) -> list[str]:
    """Result rows of the table's format; （六）其他处理 given as one row or as its three sub-rows is
    accepted either way (some 2021-format tables print only the parent row)."""
    fmt = _t3_format(t)
    rows = list(T3["result_rows"][fmt])
    other = {"2021": ["other_no_correction", "other_unpaid_fee", "other_other"], "2019": ["other_processing"]}
    alt = "2019" if fmt == "2021" else "2021"
    if not any(r in t.rows for r in other[fmt]) and any(r in t.rows for r in other[alt]):
        i = rows.index(other[fmt][0])
        rows[i:i + len(other[fmt])] = other[alt]
    return rows


def _t3_rows(t: Table) -> list[str]:
    return T3["head_rows"] + _result_rows(t) + T3["tail_rows"]


@checks.register("t3", order=60)
def check_t3(report: Report) -> list[CheckResult]:
    t = _table(report, "t3")
    if t is None:
        return [
            _missing("t3.identity", "t3", "申请数量勾稽关系（第一项+第二项=第三项总计+第四项）"),
            _missing("t3.results_total", "t3", "办理结果总计"),
            _missing("t3.row_sum", "t3", "各行总计"),
        ]
    names, cols = T3["row_names"], T3["column_names"]
    out: list[CheckResult] = []
    for col in T3["columns"]:
        scope = f"表三 {cols[col]}列"
        lhs = [_term(t, r, col, names[r].split("（")[0]) for r in T3["identity"]["lhs"]]
        rhs = [_term(t, r, col, names[r].split("（")[0]) for r in T3["identity"]["rhs"]]
        # Readable labels: 第一项, 第二项, 第三项总计, 第四项
        rhs[0].label = "第三项总计"
        out.append(_check(f"t3.identity.{col}", _relation(scope, lhs, rhs)))
    result_rows = _result_rows(t)
    for col in T3["columns"]:
        scope = f"表三 {cols[col]}列 办理结果"
        lhs = [_term(t, "results_total", col, "（七）总计")]
        rhs = [_term(t, r, col, names[r]) for r in result_rows]
        out.append(_check(f"t3.results_total.{col}", _relation(scope, lhs, rhs, compact_rhs=True)))
    for row in _t3_rows(t):
        scope = f"表三 {names[row]}行"
        amb = _ambiguous_row_sum(t, row, scope)
        if amb is not None:
            out.append(_check(f"t3.row_sum.{row}", amb))
            continue
        lhs = [_term(t, row, "total", "总计")]
        rhs = [_term(t, row, c, cols[c]) for c in T3["applicant_columns"]]
        out.append(_check(f"t3.row_sum.{row}", _relation(scope, lhs, rhs, compact_rhs=True)))
    return out


@checks.register("t4", order=80)
def check_t4(report: Report) -> list[CheckResult]:
    t = _table(report, "t4")
    if t is None:
        return [_missing("t4.total", "t4", "行政复议、行政诉讼总计")]
    out = []
    for block in T4["blocks"]:
        scope = f"表四 {T4['block_names'][block]}"
        amb = _ambiguous_row_sum(t, block, scope)
        if amb is not None:
            out.append(_check(f"t4.total.{block}", amb))
            continue
        lhs = [_term(t, block, T4["total"], T4["col_names"][T4["total"]])]
        rhs = [_term(t, block, p, T4["col_names"][p]) for p in T4["parts"]]
        out.append(_check(f"t4.total.{block}", _relation(scope, lhs, rhs)))
    return out
