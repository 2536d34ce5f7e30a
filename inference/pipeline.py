"""The deterministic reader: load -> clean -> metadata -> sections -> tables -> checks."""
from __future__ import annotations

from pathlib import Path

from inference.checks import run_checks
from inference.clean import clean
from inference.load import load
from inference.metadata import extract_metadata
from inference.report import Report
from inference.sections import find_sections
from inference.tables import extract_tables

STAGES = (clean, extract_metadata, find_sections, extract_tables, run_checks)


def read_report(path: str | Path) -> Report:
    """Read one file into a fully parsed and checked Report. Raises ReportError for bad input."""
    report = load(path)
    for stage in STAGES:
        report = stage(report)
    return report
