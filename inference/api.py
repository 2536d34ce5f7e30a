"""Python API. Load the model once, then score single reports or whole folders:

    from inference import load_model, score_report, score_batch
    model = load_model()                       # shipped default, int8 on CPU
    report = score_report("data/samples/s01_yunxi_county_gov_2023.txt", model=model)
    print(report.score.total, report.score.grade)
    result = score_batch(["data/samples"], "out/samples", model=model)
"""
from __future__ import annotations

from pathlib import Path

from inference.batch import BatchResult, score_batch
from inference.pipeline import read_report
from inference.report import Report
from inference.statements import detect_statements, load_model


def score_report(source: str | Path | Report, model=None, rubric=None) -> Report:
    """Read (if given a path), tag and rate one report. `model`: loaded tagger, directory or None (default)."""
    from inference.scoring import Rubric, default_rubric, rate_report

    report = source if isinstance(source, Report) else read_report(source)
    tagger = model if hasattr(model, "predict") else load_model(model)
    detect_statements([report], tagger)
    rubric = rubric if isinstance(rubric, Rubric) else (Rubric.load(rubric) if rubric else default_rubric())
    rate_report(report, rubric)
    return report


__all__ = ["BatchResult", "Report", "load_model", "read_report", "score_batch", "score_report"]
