"""Structural checks of a parsed report: arithmetic of tables 2/3/4, text-vs-table figures,
timeliness, fee statement, sections and format version.

`run_checks(report) -> report` runs every check registered in `inference.registry.checks` (in their
`order`) and appends `CheckResult`s to `report.checks`. Every check returns one of
pass / fail / uncertain / not_assessable with a specific Chinese message and evidence (cell paths with
values, or text offsets). All rules, deadlines, patterns and message templates live in
`data/checks.json`; this package only interprets them.

One module per family: `structure` (sections, format version), `timeliness`, `values` (figures and
rule-making power), `arithmetic` (tables 3 and 4), `text_table` (with the text side in `mentions`), `fee`;
shared pieces in `common` and `relations`. A new check is one function decorated with
`@inference.registry.checks.register(id, order=..., messages={...})`, from anywhere.

Treatment of non-numeric cells (see `blank_policy` in the data file):
- number: used as is.
- blank (空白, /, —, 无): not 0, but a relation whose only gaps are blanks is judged with blanks read as 0
  and the message says which cells were so read. If the relation fails that way although the blanks could
  in principle make it hold, the status is `blank_policy.fails_if_zero` (fail by default: as printed,
  the table does not reconcile).
- missing / ambiguous / invalid: unknown. The relation is `uncertain` unless it cannot hold whatever
  non-negative values the unknown cells have (then `fail`).
- a row the table parser marked ambiguous (blank cells lost in scraping, so the column of each number is
  unknown; cell.raw holds the numbers seen) counts as unknown, except: when every number in it is 0, every
  column is 0 or blank and it is read as 0; and its total column is implied by the row's own consistency
  (total = half the sum of the row's numbers, if that is one of them). A relation that fails with implied
  totals cannot be made consistent by any column assignment, so it is judged like a blank-only failure.

Text-vs-table figures are matched only within one sentence (split on 。；; ！？ and line breaks), and
only where the text states a figure for a known fact; ambiguous wording, breakdowns (其中…, per-channel
counts), approximate figures and blank table cells give `uncertain`, never `fail`.
"""
from __future__ import annotations

import logging

from inference.checks import arithmetic, fee, structure, text_table, timeliness, values, years  # noqa: F401  (registers the checks)
from inference.checks.common import CFG, message
from inference.checks.mentions import find_mentions
from inference.agency import classify_body
from inference.chinese import cn_number
from inference.registry import checks
from inference.report import CheckResult, Report

log = logging.getLogger(__name__)

__all__ = ["CFG", "classify_body", "cn_number", "find_mentions", "message", "run_checks"]


def run_checks(report: Report) -> Report:
    """Run every registered check (in their `order`) and append the results to report.checks."""
    ordered = sorted(checks.items(), key=lambda item: checks.meta(item[0]).get("order", 1000))
    for name, fn in ordered:
        try:
            res = fn(report)
        except Exception as exc:  # one broken check must not lose the whole report
            log.exception("check %s failed on %s", name, report.source)
            res = CheckResult(name, "not_assessable", message("internal_error", error=type(exc).__name__))
        report.checks.extend(res if isinstance(res, list) else [res])
    return report
